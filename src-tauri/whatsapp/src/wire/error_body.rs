//! Meta's error body: `{"error": {"message", "type", "code", "error_subcode",
//! "error_data": {"messaging_product", "details"}, "fbtrace_id"}}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaErrorBody {
    pub error: MetaErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaErrorDetail {
    pub message: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    pub code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<MetaErrorData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaErrorData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

impl MetaErrorBody {
    /// An error body as Meta writes it (for the sandbox and tests).
    pub fn new(code: i64, message: impl Into<String>, details: Option<String>) -> Self {
        Self {
            error: MetaErrorDetail {
                message: message.into(),
                error_type: Some("OAuthException".to_owned()),
                code,
                error_subcode: None,
                error_data: details.map(|details| MetaErrorData {
                    messaging_product: Some(super::MESSAGING_PRODUCT.to_owned()),
                    details: Some(details),
                }),
                fbtrace_id: None,
            },
        }
    }
}
