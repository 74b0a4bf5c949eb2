//! Serde types for the JSON Cadence and the Graph API exchange, shaped as Meta documents.
//!
//! Every type both serializes and deserializes, so the sandbox can speak the same
//! JSON from the server side. Enumerations Meta may extend (statuses, quality,
//! tiers…) are "open": a value this version does not know becomes `Other(String)`
//! instead of failing the whole answer.

mod account;
mod error_body;
mod send;
mod template;
mod template_model;
mod upload;

pub use account::*;
pub use error_body::*;
pub use send::*;
pub use template::*;
pub use template_model::TemplateModelError;
pub use upload::*;

use serde::{Deserialize, Serialize};

/// The Graph API's cursor paging block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursors: Option<Cursors>,
    /// URL of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// `{"success": true}`, the answer to a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessResponse {
    pub success: bool,
}

/// Serde helpers for values Meta sends sometimes as a string, sometimes as a number
/// (template ids are numbers in webhooks and strings in the REST API; timestamps are
/// strings in `messages` webhooks and numbers elsewhere).
pub(crate) mod lenient {
    use serde::{Deserialize, Deserializer, de::Error as _};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum StringOrNumber<'a> {
        Str(std::borrow::Cow<'a, str>),
        Int(i64),
        UInt(u64),
    }

    /// A string, or a number turned into its decimal string.
    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(match StringOrNumber::deserialize(d)? {
            StringOrNumber::Str(s) => s.into_owned(),
            StringOrNumber::Int(n) => n.to_string(),
            StringOrNumber::UInt(n) => n.to_string(),
        })
    }

    /// Like [`string`], for an optional (possibly `null`) field.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match Option::<StringOrNumber>::deserialize(d)? {
            None => None,
            Some(StringOrNumber::Str(s)) => Some(s.into_owned()),
            Some(StringOrNumber::Int(n)) => Some(n.to_string()),
            Some(StringOrNumber::UInt(n)) => Some(n.to_string()),
        })
    }

    /// An integer, or a string holding one.
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match StringOrNumber::deserialize(d)? {
            StringOrNumber::Str(s) => s
                .trim()
                .parse()
                .map_err(|_| D::Error::custom(format!("expected an integer, got {s:?}"))),
            StringOrNumber::Int(n) => Ok(n),
            StringOrNumber::UInt(n) => {
                i64::try_from(n).map_err(|_| D::Error::custom("integer out of range"))
            }
        }
    }

    /// A non-negative integer (a byte count), or a string holding one.
    pub fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let n = int(d)?;
        u64::try_from(n).map_err(|_| D::Error::custom(format!("expected a count, got {n}")))
    }

    /// A small integer (a button index), or a string holding one.
    pub fn index<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        let n = int(d)?;
        u8::try_from(n).map_err(|_| D::Error::custom(format!("button index {n} out of range")))
    }
}
