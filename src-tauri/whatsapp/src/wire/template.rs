//! Message templates: the create request, its components, and the list answer.
//!
//! `POST /{version}/{WABA_ID}/message_templates` and
//! `GET /{version}/{WABA_ID}/message_templates`. Components are tagged by `type`
//! (`HEADER`, `BODY`, `FOOTER`, `BUTTONS`), headers by `format`, buttons by `type`,
//! exactly as in Meta's template component reference.

use serde::{Deserialize, Serialize};

use super::Paging;
use super::lenient;

open_enum! {
    /// A template's category. Meta may re-categorise a template after review.
    pub enum Category {
        Marketing = "MARKETING",
        Utility = "UTILITY",
        Authentication = "AUTHENTICATION",
    }
}

open_enum! {
    /// How variables are written: `{{1}}` (positional) or `{{first_name}}` (named).
    pub enum ParameterFormat {
        Positional = "POSITIONAL",
        Named = "NAMED",
    }
}

open_enum! {
    /// A template's review and lifecycle status.
    pub enum TemplateStatus {
        Pending = "PENDING",
        Approved = "APPROVED",
        Rejected = "REJECTED",
        Paused = "PAUSED",
        Disabled = "DISABLED",
        InAppeal = "IN_APPEAL",
        PendingDeletion = "PENDING_DELETION",
        Archived = "ARCHIVED",
    }
}

open_enum! {
    /// A quality rating, for templates and phone numbers alike.
    pub enum QualityRating {
        Green = "GREEN",
        Yellow = "YELLOW",
        Red = "RED",
        /// Not rated yet (a new template or number).
        Unknown = "UNKNOWN",
    }
}

/// `POST /{WABA_ID}/message_templates` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCreateRequest {
    pub name: String,
    /// Language and locale code, e.g. `en_US`, `ru`.
    pub language: String,
    pub category: Category,
    #[serde(default = "positional")]
    pub parameter_format: ParameterFormat,
    pub components: Vec<TemplateComponent>,
}

fn positional() -> ParameterFormat {
    ParameterFormat::Positional
}

/// The answer to a create: the new template's id, review status and (possibly
/// re-assigned) category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCreateResponse {
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    pub status: TemplateStatus,
    pub category: Category,
}

/// One component of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum TemplateComponent {
    #[serde(rename = "HEADER", alias = "header", alias = "Header")]
    Header(HeaderComponent),
    #[serde(rename = "BODY", alias = "body", alias = "Body")]
    Body(BodyComponent),
    #[serde(rename = "FOOTER", alias = "footer", alias = "Footer")]
    Footer(FooterComponent),
    #[serde(rename = "BUTTONS", alias = "buttons", alias = "Buttons")]
    Buttons(ButtonsComponent),
}

/// The optional header, by `format`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format")]
pub enum HeaderComponent {
    /// Text of at most 60 characters with at most one variable.
    #[serde(rename = "TEXT", alias = "text")]
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        example: Option<HeaderTextExample>,
    },
    /// An image; creation needs an example media handle.
    #[serde(rename = "IMAGE", alias = "image")]
    Image {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        example: Option<HeaderMediaExample>,
    },
    #[serde(rename = "VIDEO", alias = "video")]
    Video {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        example: Option<HeaderMediaExample>,
    },
    #[serde(rename = "DOCUMENT", alias = "document")]
    Document {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        example: Option<HeaderMediaExample>,
    },
    /// A location, supplied at send time.
    #[serde(rename = "LOCATION", alias = "location")]
    Location,
}

/// A named variable's example value: `{"param_name": "first_name", "example": "Anna"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedParamExample {
    pub param_name: String,
    pub example: String,
}

impl NamedParamExample {
    pub fn new(param_name: impl Into<String>, example: impl Into<String>) -> Self {
        Self {
            param_name: param_name.into(),
            example: example.into(),
        }
    }
}

/// Example for a text header's variable: `header_text` (positional) or
/// `header_text_named_params` (named); exactly one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderTextExample {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_text: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_text_named_params: Option<Vec<NamedParamExample>>,
}

impl HeaderTextExample {
    pub fn positional(value: impl Into<String>) -> Self {
        Self {
            header_text: Some(vec![value.into()]),
            header_text_named_params: None,
        }
    }

    pub fn named(param: NamedParamExample) -> Self {
        Self {
            header_text: None,
            header_text_named_params: Some(vec![param]),
        }
    }
}

/// Example for a media header: the handle of an uploaded sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderMediaExample {
    pub header_handle: Vec<String>,
}

/// The required body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyComponent {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<BodyExample>,
}

/// Examples for the body's variables: `body_text` is one row of values in `{{1}}`,
/// `{{2}}`… order (Meta nests it in an outer array); `body_text_named_params` lists
/// named ones. Exactly one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyExample {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text_named_params: Option<Vec<NamedParamExample>>,
}

impl BodyExample {
    pub fn positional<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            body_text: Some(vec![values.into_iter().map(Into::into).collect()]),
            body_text_named_params: None,
        }
    }

    pub fn named(params: Vec<NamedParamExample>) -> Self {
        Self {
            body_text: None,
            body_text_named_params: Some(params),
        }
    }
}

/// The optional footer: plain text, no variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FooterComponent {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonsComponent {
    pub buttons: Vec<TemplateButton>,
}

/// One button, by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum TemplateButton {
    /// A reply the recipient taps; its payload comes back in a `button` message.
    #[serde(rename = "QUICK_REPLY", alias = "quick_reply")]
    QuickReply { text: String },
    /// A link; `url` may end in one variable (`https://example.com/{{1}}`), whose
    /// full example URL goes in `example`.
    #[serde(rename = "URL", alias = "url")]
    Url {
        text: String,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        example: Option<Vec<String>>,
    },
    /// Calls the given number.
    #[serde(rename = "PHONE_NUMBER", alias = "phone_number")]
    PhoneNumber { text: String, phone_number: String },
    /// Copies an offer code (marketing only); the label is fixed by WhatsApp.
    #[serde(rename = "COPY_CODE", alias = "copy_code")]
    CopyCode { example: String },
}

/// `GET /{WABA_ID}/message_templates` query: one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateListQuery {
    /// Page size; Meta's default when `None`.
    pub limit: Option<u32>,
    /// The `paging.cursors.after` of the previous page.
    pub after: Option<String>,
    /// Only templates with this exact name.
    pub name: Option<String>,
}

/// One page of templates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateListPage {
    #[serde(default)]
    pub data: Vec<TemplateInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl TemplateListPage {
    /// The cursor of the next page, when there is one (`paging.next` present).
    pub fn next_cursor(&self) -> Option<&str> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.after.as_deref()
    }
}

/// A template as Meta lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInfo {
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    pub name: String,
    pub language: String,
    pub status: TemplateStatus,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<ParameterFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_score: Option<QualityScore>,
    #[serde(default)]
    pub components: Vec<ListedComponent>,
    /// `NONE` when not rejected; e.g. `INVALID_FORMAT`, `PROMOTIONAL`, `TAG_CONTENT_MISMATCH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_reason: Option<String>,
    /// The category it was submitted with, when Meta re-categorised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_category: Option<String>,
}

/// A template's quality score; `date` is when it was last computed (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityScore {
    pub score: QualityRating,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
}

/// A component of a listed template: a kind Cadence models, or anything else Meta
/// supports (carousel, limited-time offer, flow buttons…) kept as raw JSON so that
/// listing never fails on a template made elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ListedComponent {
    Known(TemplateComponent),
    Unsupported(serde_json::Value),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_status_is_kept_not_refused() {
        let status: TemplateStatus = serde_json::from_value(json!("LIMIT_EXCEEDED")).unwrap();
        assert_eq!(
            status,
            TemplateStatus::Other("LIMIT_EXCEEDED".into()),
            "a status Meta adds later must not fail a template sync"
        );
        assert_eq!(
            serde_json::to_value(&status).unwrap(),
            json!("LIMIT_EXCEEDED"),
            "and it is written back verbatim"
        );
    }

    #[test]
    fn lowercase_wire_values_are_understood() {
        let c: TemplateComponent =
            serde_json::from_value(json!({"type": "header", "format": "text", "text": "Hi"}))
                .unwrap();
        assert_eq!(
            c,
            TemplateComponent::Header(HeaderComponent::Text {
                text: "Hi".into(),
                example: None
            }),
            "Meta's docs write component types in either case"
        );
    }

    #[test]
    fn unsupported_components_do_not_fail_a_listing() {
        let c: ListedComponent =
            serde_json::from_value(json!({"type": "CAROUSEL", "cards": []})).unwrap();
        assert!(
            matches!(c, ListedComponent::Unsupported(_)),
            "a carousel made in WhatsApp Manager must not break the sync"
        );
    }

    #[test]
    fn next_cursor_needs_a_next_link() {
        let last: TemplateListPage = serde_json::from_value(json!({
            "data": [], "paging": {"cursors": {"before": "b", "after": "a"}}
        }))
        .unwrap();
        assert_eq!(
            last.next_cursor(),
            None,
            "Meta keeps cursors on the last page but drops `next`"
        );
    }
}
