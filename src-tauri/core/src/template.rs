//! A message template as its author edits it: the model the editor, the linter,
//! the preview, the store and the submission all share.
//!
//! It mirrors Meta's create-template request (see `cadence-whatsapp`'s wire types,
//! which convert to and from it) but keeps what the editor needs in one place: the
//! example value of each variable sits beside the text that uses it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A template's category. Meta may re-categorise a template after review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
}

/// How variables are written: `{{1}}` (positional) or `{{first_name}}` (named).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParameterFormat {
    Positional,
    Named,
}

/// The kind of media a media header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaKind {
    Image,
    Video,
    Document,
}

/// The optional header above the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Header {
    /// Text, at most 60 characters and one variable.
    Text {
        text: String,
        /// The example value of the header's variable, when it has one.
        example: Option<String>,
    },
    /// An image, video or document. `example_file` is the local file the author
    /// picked (uploaded at submission); `example_handle` the handle Meta's
    /// resumable upload returned for it, once uploaded.
    Media {
        media: MediaKind,
        example_file: Option<String>,
        example_handle: Option<String>,
    },
    /// A location header: the location is given when sending.
    Location,
}

/// One button under the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Button {
    /// A quick reply: the tap sends `text` back as a reply.
    QuickReply { text: String },
    /// Opens `url`; a `{{1}}` at its end is filled per recipient, with `example`
    /// as the example suffix.
    Url {
        text: String,
        url: String,
        example: Option<String>,
    },
    /// Calls `phone_number` (E.164).
    PhoneNumber { text: String, phone_number: String },
    /// Copies a coupon code; `example` is the example code.
    CopyCode { example: String },
}

impl Button {
    /// The label the phone shows (a copy-code button's label is fixed by WhatsApp).
    pub fn label(&self) -> Option<&str> {
        match self {
            Button::QuickReply { text }
            | Button::Url { text, .. }
            | Button::PhoneNumber { text, .. } => Some(text),
            Button::CopyCode { .. } => None,
        }
    }
}

/// A template as drafted: everything needed to lint, preview and submit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Template {
    /// Lowercase letters, digits and `_`, starting with a letter.
    pub name: String,
    /// Meta's language code: `ru`, `en`, `en_US`, `pt_BR`, …
    pub language: String,
    pub category: Category,
    pub parameter_format: ParameterFormat,
    pub header: Option<Header>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<Button>,
    /// The example value of each body variable, by its key: `"1"`, `"2"` for
    /// positional variables, `"first_name"` for named ones.
    pub body_examples: BTreeMap<String, String>,
}

impl Template {
    /// An empty marketing draft named `name` in `language`.
    pub fn draft(name: impl Into<String>, language: impl Into<String>) -> Template {
        Template {
            name: name.into(),
            language: language.into(),
            category: Category::Marketing,
            parameter_format: ParameterFormat::Positional,
            header: None,
            body: String::new(),
            footer: None,
            buttons: Vec::new(),
            body_examples: BTreeMap::new(),
        }
    }
}

/// A place in a template a finding or an edit points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum Field {
    Name,
    Language,
    Category,
    HeaderText,
    HeaderMedia,
    Body,
    Footer,
    /// A button's label (`buttons[i].text`).
    ButtonText(u32),
    /// A URL button's address (`buttons[i].url`).
    ButtonUrl(u32),
    /// A phone-number button's number (`buttons[i].phone_number`).
    ButtonPhone(u32),
    /// A button's example (URL suffix or coupon code).
    ButtonExample(u32),
    /// The list of buttons as a whole (their count and order).
    Buttons,
    /// A body variable's example value, by the variable's key (`"1"`,
    /// `"first_name"`; see [`Template::body_examples`]).
    BodyExample(String),
    HeaderExample,
}

impl std::fmt::Display for Field {
    /// The field as `cadence lint` prints it: `body`, `header.text`, `buttons[0].text`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::Name => f.write_str("name"),
            Field::Language => f.write_str("language"),
            Field::Category => f.write_str("category"),
            Field::HeaderText => f.write_str("header.text"),
            Field::HeaderMedia => f.write_str("header.media"),
            Field::Body => f.write_str("body"),
            Field::Footer => f.write_str("footer"),
            Field::ButtonText(i) => write!(f, "buttons[{i}].text"),
            Field::ButtonUrl(i) => write!(f, "buttons[{i}].url"),
            Field::ButtonPhone(i) => write!(f, "buttons[{i}].phone_number"),
            Field::ButtonExample(i) => write!(f, "buttons[{i}].example"),
            Field::Buttons => f.write_str("buttons"),
            Field::BodyExample(key) => write!(f, "body.examples.{key}"),
            Field::HeaderExample => f.write_str("header.example"),
        }
    }
}
