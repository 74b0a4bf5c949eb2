//! Sending a template message: `POST /{version}/{PHONE_NUMBER_ID}/messages`.

use serde::{Deserialize, Serialize, Serializer};

use super::lenient;

/// The only `messaging_product` the Cloud API knows.
pub const MESSAGING_PRODUCT: &str = "whatsapp";

/// A template message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendTemplateRequest {
    /// Always `"whatsapp"`.
    pub messaging_product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_type: Option<String>,
    /// The recipient's phone number (E.164) or WhatsApp id.
    pub to: String,
    /// Always `"template"`.
    #[serde(rename = "type")]
    pub message_type: String,
    pub template: TemplatePayload,
    /// Echoed in every status webhook of this message: Cadence puts the outbox row
    /// there, the only way to reconcile a send after a crash (no idempotency key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
}

impl SendTemplateRequest {
    /// A template message with no parameters yet.
    pub fn new(
        to: impl Into<String>,
        template_name: impl Into<String>,
        language_code: impl Into<String>,
    ) -> Self {
        Self {
            messaging_product: MESSAGING_PRODUCT.to_owned(),
            recipient_type: Some("individual".to_owned()),
            to: to.into(),
            message_type: "template".to_owned(),
            template: TemplatePayload {
                name: template_name.into(),
                language: TemplateLanguage {
                    code: language_code.into(),
                    policy: None,
                },
                components: Vec::new(),
            },
            biz_opaque_callback_data: None,
        }
    }

    pub fn with_component(mut self, component: SendComponent) -> Self {
        self.template.components.push(component);
        self
    }

    pub fn with_callback_data(mut self, data: impl Into<String>) -> Self {
        self.biz_opaque_callback_data = Some(data.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatePayload {
    pub name: String,
    pub language: TemplateLanguage,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<SendComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateLanguage {
    pub code: String,
    /// Only `"deterministic"` exists; optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// The values for one component of the template, by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum SendComponent {
    #[serde(alias = "HEADER")]
    Header { parameters: Vec<SendParameter> },
    #[serde(alias = "BODY")]
    Body { parameters: Vec<SendParameter> },
    /// Values for the button at `index` (0-based, in the template's button order).
    #[serde(alias = "BUTTON")]
    Button {
        sub_type: ButtonSubType,
        #[serde(
            serialize_with = "index_as_string",
            deserialize_with = "lenient::index"
        )]
        index: u8,
        #[serde(default)]
        parameters: Vec<SendParameter>,
    },
}

/// Meta's examples write the button index as a string (`"index": "0"`).
fn index_as_string<S: Serializer>(index: &u8, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(index)
}

/// Which kind of button a `button` component fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ButtonSubType {
    #[serde(rename = "quick_reply", alias = "QUICK_REPLY")]
    QuickReply,
    #[serde(rename = "url", alias = "URL")]
    Url,
    /// Written upper-case, as in Meta's coupon-code example.
    #[serde(rename = "COPY_CODE", alias = "copy_code")]
    CopyCode,
}

/// One value, by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SendParameter {
    /// Text for a header or body variable, or a URL button's variable suffix.
    /// Named templates set `parameter_name`.
    Text {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parameter_name: Option<String>,
        text: String,
    },
    Image {
        image: MediaObject,
    },
    Video {
        video: MediaObject,
    },
    Document {
        document: MediaObject,
    },
    /// A quick-reply button's payload, returned in the `button` message when tapped.
    Payload {
        payload: String,
    },
    /// A copy-code button's code.
    CouponCode {
        coupon_code: String,
    },
}

impl SendParameter {
    /// A positional text value (`{{1}}`…).
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text {
            parameter_name: None,
            text: text.into(),
        }
    }

    /// A named text value (`{{first_name}}`).
    pub fn named_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::Text {
            parameter_name: Some(name.into()),
            text: text.into(),
        }
    }
}

/// Media by uploaded `id` or public `link` (exactly one is set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Documents only: the file name the recipient sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

impl MediaObject {
    pub fn by_id(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..Self::default()
        }
    }

    pub fn by_link(link: impl Into<String>) -> Self {
        Self {
            link: Some(link.into()),
            ..Self::default()
        }
    }
}

/// The answer to a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMessageResponse {
    pub messaging_product: String,
    #[serde(default)]
    pub contacts: Vec<SentContact>,
    #[serde(default)]
    pub messages: Vec<SentMessage>,
}

impl SendMessageResponse {
    /// The `wamid` of the message, the key of every later status webhook.
    pub fn wamid(&self) -> Option<&str> {
        self.messages.first().map(|m| m.id.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentContact {
    /// The `to` as sent.
    pub input: String,
    /// The recipient's WhatsApp id.
    pub wa_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_status: Option<MessageAcceptance>,
}

open_enum! {
    /// What Meta did with a template message on receipt.
    pub enum MessageAcceptance {
        Accepted = "accepted",
        /// Held while Meta assesses the template's quality.
        HeldForQualityAssessment = "held_for_quality_assessment",
        Paused = "paused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn button_index_goes_out_as_a_string_and_reads_either_way() {
        let component = SendComponent::Button {
            sub_type: ButtonSubType::QuickReply,
            index: 0,
            parameters: vec![SendParameter::Payload {
                payload: "STOP".into(),
            }],
        };
        assert_eq!(
            serde_json::to_value(&component).unwrap(),
            json!({"type": "button", "sub_type": "quick_reply", "index": "0",
                   "parameters": [{"type": "payload", "payload": "STOP"}]}),
            "Meta's send examples write the index as a string"
        );
        let numeric: SendComponent = serde_json::from_value(json!({
            "type": "button", "sub_type": "COPY_CODE", "index": 1,
            "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]
        }))
        .unwrap();
        assert!(
            matches!(
                numeric,
                SendComponent::Button {
                    index: 1,
                    sub_type: ButtonSubType::CopyCode,
                    ..
                }
            ),
            "Meta's coupon example writes it as a number: the sandbox must read both"
        );
    }

    #[test]
    fn unknown_acceptance_is_kept() {
        let m: SentMessage =
            serde_json::from_value(json!({"id": "wamid.X", "message_status": "queued"})).unwrap();
        assert_eq!(
            m.message_status,
            Some(MessageAcceptance::Other("queued".into())),
            "a new acceptance state must not turn a successful send into an error"
        );
    }
}
