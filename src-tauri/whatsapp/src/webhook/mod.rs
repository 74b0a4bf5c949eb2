//! Webhooks: Meta's POST bodies normalised into [`WebhookEvent`]s, the GET
//! verification handshake and the `X-Hub-Signature-256` check.
//!
//! Parsing never fails on content Cadence does not use: an unknown `field` becomes
//! [`WebhookEvent::Unknown`], a known field whose value does not fit becomes
//! [`WebhookEvent::Undecodable`]. Only a body that is not Meta's envelope at all is an
//! error, because Meta retries non-200 answers for a day and one odd change must not
//! block a whole batch. Meta does not promise order or single delivery, so whoever
//! applies these events must do it idempotently and let statuses only move forward.

mod signature;

pub use signature::{SIGNATURE_HEADER, VerificationQuery, sign_body, verify_signature};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, RetryClass};
use crate::wire::{Category, MessagingLimitTier, QualityRating, lenient};

/// Meta's `object` for WhatsApp Business Account webhooks.
pub const WHATSAPP_BUSINESS_ACCOUNT: &str = "whatsapp_business_account";

/// One thing that happened, as Cadence needs it.
///
/// Serializes as `{"kind": "...", "data": {...}}` (the store keeps events as JSON):
/// adjacent tagging, because the payloads have their own `kind` and `event` fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum WebhookEvent {
    /// A sent message moved: sent, delivered, read or failed.
    MessageStatus(MessageStatus),
    /// Someone wrote or tapped a button.
    InboundMessage(InboundMessage),
    TemplateStatusUpdate(TemplateStatusUpdate),
    TemplateQualityUpdate(TemplateQualityUpdate),
    PhoneNumberQualityUpdate(PhoneNumberQualityUpdate),
    /// A user stopped or resumed marketing messages in WhatsApp's settings.
    UserPreference(UserPreference),
    /// A field Cadence does not use (account updates, calls, …).
    Unknown {
        field: String,
    },
    /// A field Cadence uses whose value did not have the documented shape.
    Undecodable {
        field: String,
        reason: String,
    },
}

open_enum! {
    /// A sent message's delivery status.
    pub enum DeliveryStatus {
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Failed = "failed",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageStatus {
    pub wamid: String,
    pub status: DeliveryStatus,
    /// Unix seconds.
    pub timestamp: i64,
    pub recipient_id: String,
    /// What the send put there (Cadence: the outbox row).
    pub biz_opaque_callback_data: Option<String>,
    pub pricing: Option<Pricing>,
    pub errors: Vec<StatusError>,
    /// The business phone number the message went from.
    pub phone_number_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    /// Deprecated by Meta but still sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
    /// `marketing`, `utility`, `authentication`, `service`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `CBP` (per conversation) or `PMP` (per message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing_model: Option<String>,
    /// `regular`, `free_customer_service`, `free_entry_point`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub pricing_type: Option<String>,
}

/// Why a message failed, from a `failed` status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusError {
    pub code: i64,
    pub title: Option<String>,
    pub message: Option<String>,
    pub details: Option<String>,
}

impl StatusError {
    /// What the sender must do (131049, 131050, 131026… usually arrive this way).
    pub fn retry_class(&self) -> RetryClass {
        RetryClass::for_code(self.code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub wamid: String,
    /// The sender's WhatsApp id (phone number without `+`).
    pub from: String,
    /// The sender's profile name, when Meta sends the contact.
    pub profile_name: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    pub kind: InboundKind,
    /// The wamid of the message this one answers (a quick-reply tap answers the template).
    pub context_id: Option<String>,
    /// The business phone number it was sent to.
    pub phone_number_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundKind {
    Text {
        body: String,
    },
    /// A template's quick-reply button was tapped.
    Button {
        payload: String,
        text: String,
    },
    /// An interactive message's reply button was tapped.
    ButtonReply {
        id: String,
        title: String,
    },
    /// Anything else (image, location, list reply, …): its `type`.
    Other {
        message_type: String,
    },
}

open_enum! {
    /// The event of a `message_template_status_update`.
    pub enum TemplateStatusEvent {
        Approved = "APPROVED",
        Rejected = "REJECTED",
        Pending = "PENDING",
        Paused = "PAUSED",
        Disabled = "DISABLED",
        Flagged = "FLAGGED",
        InAppeal = "IN_APPEAL",
        Reinstated = "REINSTATED",
        PendingDeletion = "PENDING_DELETION",
        Deleted = "DELETED",
        Archived = "ARCHIVED",
        Unarchived = "UNARCHIVED",
        Locked = "LOCKED",
        Unlocked = "UNLOCKED",
        LimitExceeded = "LIMIT_EXCEEDED",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    pub waba_id: String,
    pub event: TemplateStatusEvent,
    pub message_template_id: String,
    pub message_template_name: String,
    pub message_template_language: String,
    /// Rejection reason (`INVALID_FORMAT`, …), `NONE` for a pause; absent or null otherwise.
    pub reason: Option<String>,
    pub message_template_category: Option<Category>,
    /// Pause details: title `FIRST_PAUSE`, `SECOND_PAUSE`, `UNPAUSE`, … and a description.
    pub other_info: Option<TemplateEventInfo>,
    /// For `INVALID_FORMAT` rejections: what is wrong and what to do.
    pub rejection_info: Option<TemplateRejectionInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateEventInfo {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRejectionInfo {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub recommendation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateQualityUpdate {
    pub waba_id: String,
    pub previous_quality_score: QualityRating,
    pub new_quality_score: QualityRating,
    /// Older payloads identify the template by name and language only.
    pub message_template_id: Option<String>,
    pub message_template_name: String,
    pub message_template_language: String,
}

open_enum! {
    /// The event of a `phone_number_quality_update`.
    pub enum PhoneNumberEvent {
        Onboarding = "ONBOARDING",
        ThroughputUpgrade = "THROUGHPUT_UPGRADE",
        Upgrade = "UPGRADE",
        Downgrade = "DOWNGRADE",
        Flagged = "FLAGGED",
        Unflagged = "UNFLAGGED",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberQualityUpdate {
    pub waba_id: String,
    pub display_phone_number: String,
    pub event: PhoneNumberEvent,
    /// Being replaced by `max_daily_conversations_per_business`; kept while Meta sends it.
    pub current_limit: Option<MessagingLimitTier>,
    /// Only for messaging limit changes.
    pub old_limit: Option<MessagingLimitTier>,
    pub max_daily_conversations_per_business: Option<MessagingLimitTier>,
}

impl PhoneNumberQualityUpdate {
    /// The current messaging limit, from the newest field Meta filled.
    pub fn messaging_limit(&self) -> Option<&MessagingLimitTier> {
        self.max_daily_conversations_per_business
            .as_ref()
            .or(self.current_limit.as_ref())
    }
}

open_enum! {
    /// A user's marketing message preference.
    pub enum MarketingPreference {
        Stop = "stop",
        Resume = "resume",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPreference {
    pub wa_id: String,
    /// `marketing_messages` today.
    pub category: String,
    pub value: MarketingPreference,
    /// Unix seconds.
    pub timestamp: i64,
    pub detail: Option<String>,
}

/// Parse a webhook POST body into events, in the order Meta listed them.
pub fn parse_webhook(raw_body: &[u8]) -> Result<Vec<WebhookEvent>> {
    let envelope: raw::Envelope =
        serde_json::from_slice(raw_body).map_err(Error::WebhookPayload)?;
    let mut events = Vec::new();
    // Another product's notification (an app may also subscribe to pages or
    // Instagram): its fields are not WhatsApp's even when the names match.
    let is_whatsapp = envelope.object == WHATSAPP_BUSINESS_ACCOUNT;
    for entry in envelope.entry {
        for change in entry.changes {
            if !is_whatsapp {
                events.push(WebhookEvent::Unknown {
                    field: change.field,
                });
                continue;
            }
            let decoded = decode_change(&entry.id, &change.field, change.value, &mut events);
            if let Err(err) = decoded {
                events.push(WebhookEvent::Undecodable {
                    field: change.field,
                    reason: err.to_string(),
                });
            }
        }
    }
    Ok(events)
}

fn decode_change(
    waba_id: &str,
    field: &str,
    value: serde_json::Value,
    events: &mut Vec<WebhookEvent>,
) -> std::result::Result<(), serde_json::Error> {
    match field {
        "messages" => {
            let value: raw::MessagesValue = serde_json::from_value(value)?;
            let phone_number_id = value.metadata.map(|m| m.phone_number_id);
            for status in value.statuses {
                events.push(WebhookEvent::MessageStatus(MessageStatus {
                    wamid: status.id,
                    status: status.status,
                    timestamp: status.timestamp,
                    recipient_id: status.recipient_id,
                    biz_opaque_callback_data: status.biz_opaque_callback_data,
                    pricing: status.pricing,
                    errors: status
                        .errors
                        .into_iter()
                        .map(raw::StatusErrorRaw::into_status_error)
                        .collect(),
                    phone_number_id: phone_number_id.clone(),
                }));
            }
            for message in value.messages {
                let profile_name = value
                    .contacts
                    .iter()
                    .find(|c| c.wa_id.as_deref() == Some(message.from.as_str()))
                    .and_then(|c| c.profile.as_ref())
                    .and_then(|p| p.name.clone());
                events.push(WebhookEvent::InboundMessage(InboundMessage {
                    kind: message.kind(),
                    wamid: message.id,
                    from: message.from,
                    profile_name,
                    timestamp: message.timestamp,
                    context_id: message.context.and_then(|c| c.id),
                    phone_number_id: phone_number_id.clone(),
                }));
            }
        }
        "message_template_status_update" => {
            let v: raw::TemplateStatusValue = serde_json::from_value(value)?;
            events.push(WebhookEvent::TemplateStatusUpdate(TemplateStatusUpdate {
                waba_id: waba_id.to_owned(),
                event: v.event,
                message_template_id: v.message_template_id,
                message_template_name: v.message_template_name,
                message_template_language: v.message_template_language,
                reason: v.reason,
                message_template_category: v.message_template_category,
                other_info: v.other_info,
                rejection_info: v.rejection_info,
            }));
        }
        "message_template_quality_update" => {
            let v: raw::TemplateQualityValue = serde_json::from_value(value)?;
            events.push(WebhookEvent::TemplateQualityUpdate(TemplateQualityUpdate {
                waba_id: waba_id.to_owned(),
                previous_quality_score: v.previous_quality_score,
                new_quality_score: v.new_quality_score,
                message_template_id: v.message_template_id,
                message_template_name: v.message_template_name,
                message_template_language: v.message_template_language,
            }));
        }
        "phone_number_quality_update" => {
            let v: raw::PhoneQualityValue = serde_json::from_value(value)?;
            events.push(WebhookEvent::PhoneNumberQualityUpdate(
                PhoneNumberQualityUpdate {
                    waba_id: waba_id.to_owned(),
                    display_phone_number: v.display_phone_number,
                    event: v.event,
                    current_limit: v.current_limit,
                    old_limit: v.old_limit,
                    max_daily_conversations_per_business: v.max_daily_conversations_per_business,
                },
            ));
        }
        "user_preferences" => {
            let v: raw::UserPreferencesValue = serde_json::from_value(value)?;
            for p in v.user_preferences {
                events.push(WebhookEvent::UserPreference(UserPreference {
                    wa_id: p.wa_id,
                    category: p.category,
                    value: p.value,
                    timestamp: p.timestamp,
                    detail: p.detail,
                }));
            }
        }
        other => events.push(WebhookEvent::Unknown {
            field: other.to_owned(),
        }),
    }
    Ok(())
}

/// Meta's payload shapes, only as deep as Cadence reads them.
mod raw {
    use super::*;

    #[derive(Deserialize)]
    pub struct Envelope {
        pub object: String,
        pub entry: Vec<Entry>,
    }

    #[derive(Deserialize)]
    pub struct Entry {
        #[serde(deserialize_with = "lenient::string")]
        pub id: String,
        #[serde(default)]
        pub changes: Vec<Change>,
    }

    #[derive(Deserialize)]
    pub struct Change {
        pub field: String,
        #[serde(default)]
        pub value: serde_json::Value,
    }

    #[derive(Deserialize)]
    pub struct MessagesValue {
        #[serde(default)]
        pub metadata: Option<Metadata>,
        #[serde(default)]
        pub contacts: Vec<Contact>,
        #[serde(default)]
        pub messages: Vec<Message>,
        #[serde(default)]
        pub statuses: Vec<Status>,
    }

    #[derive(Deserialize)]
    pub struct Metadata {
        #[serde(deserialize_with = "lenient::string")]
        pub phone_number_id: String,
    }

    #[derive(Deserialize)]
    pub struct Contact {
        #[serde(default)]
        pub wa_id: Option<String>,
        #[serde(default)]
        pub profile: Option<Profile>,
    }

    #[derive(Deserialize)]
    pub struct Profile {
        #[serde(default)]
        pub name: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Status {
        pub id: String,
        pub status: DeliveryStatus,
        #[serde(deserialize_with = "lenient::int")]
        pub timestamp: i64,
        #[serde(deserialize_with = "lenient::string")]
        pub recipient_id: String,
        #[serde(default)]
        pub biz_opaque_callback_data: Option<String>,
        #[serde(default)]
        pub pricing: Option<Pricing>,
        #[serde(default)]
        pub errors: Vec<StatusErrorRaw>,
    }

    #[derive(Deserialize)]
    pub struct StatusErrorRaw {
        pub code: i64,
        #[serde(default)]
        pub title: Option<String>,
        #[serde(default)]
        pub message: Option<String>,
        #[serde(default)]
        pub error_data: Option<ErrorData>,
    }

    impl StatusErrorRaw {
        pub fn into_status_error(self) -> StatusError {
            StatusError {
                code: self.code,
                title: self.title,
                message: self.message,
                details: self.error_data.and_then(|d| d.details),
            }
        }
    }

    #[derive(Deserialize)]
    pub struct ErrorData {
        #[serde(default)]
        pub details: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Message {
        pub id: String,
        pub from: String,
        #[serde(deserialize_with = "lenient::int")]
        pub timestamp: i64,
        #[serde(rename = "type")]
        pub message_type: String,
        #[serde(default)]
        pub text: Option<Text>,
        #[serde(default)]
        pub button: Option<Button>,
        #[serde(default)]
        pub interactive: Option<Interactive>,
        #[serde(default)]
        pub context: Option<Context>,
    }

    impl Message {
        pub fn kind(&self) -> InboundKind {
            let other = || InboundKind::Other {
                message_type: self.message_type.clone(),
            };
            match self.message_type.as_str() {
                "text" => self
                    .text
                    .as_ref()
                    .map_or_else(other, |t| InboundKind::Text {
                        body: t.body.clone(),
                    }),
                "button" => self
                    .button
                    .as_ref()
                    .map_or_else(other, |b| InboundKind::Button {
                        payload: b.payload.clone(),
                        text: b.text.clone(),
                    }),
                "interactive" => self
                    .interactive
                    .as_ref()
                    .and_then(|i| i.button_reply.as_ref())
                    .map_or_else(other, |r| InboundKind::ButtonReply {
                        id: r.id.clone(),
                        title: r.title.clone(),
                    }),
                _ => other(),
            }
        }
    }

    #[derive(Deserialize)]
    pub struct Text {
        pub body: String,
    }

    #[derive(Deserialize)]
    pub struct Button {
        #[serde(default)]
        pub payload: String,
        #[serde(default)]
        pub text: String,
    }

    #[derive(Deserialize)]
    pub struct Interactive {
        #[serde(default)]
        pub button_reply: Option<Reply>,
    }

    #[derive(Deserialize)]
    pub struct Reply {
        pub id: String,
        #[serde(default)]
        pub title: String,
    }

    #[derive(Deserialize)]
    pub struct Context {
        #[serde(default)]
        pub id: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct TemplateStatusValue {
        pub event: TemplateStatusEvent,
        #[serde(deserialize_with = "lenient::string")]
        pub message_template_id: String,
        pub message_template_name: String,
        pub message_template_language: String,
        #[serde(default)]
        pub reason: Option<String>,
        #[serde(default)]
        pub message_template_category: Option<Category>,
        #[serde(default)]
        pub other_info: Option<TemplateEventInfo>,
        #[serde(default)]
        pub rejection_info: Option<TemplateRejectionInfo>,
    }

    #[derive(Deserialize)]
    pub struct TemplateQualityValue {
        pub previous_quality_score: QualityRating,
        pub new_quality_score: QualityRating,
        #[serde(default, deserialize_with = "lenient::opt_string")]
        pub message_template_id: Option<String>,
        pub message_template_name: String,
        pub message_template_language: String,
    }

    #[derive(Deserialize)]
    pub struct PhoneQualityValue {
        #[serde(deserialize_with = "lenient::string")]
        pub display_phone_number: String,
        pub event: PhoneNumberEvent,
        #[serde(default)]
        pub current_limit: Option<MessagingLimitTier>,
        #[serde(default)]
        pub old_limit: Option<MessagingLimitTier>,
        #[serde(default)]
        pub max_daily_conversations_per_business: Option<MessagingLimitTier>,
    }

    #[derive(Deserialize)]
    pub struct UserPreferencesValue {
        #[serde(default)]
        pub user_preferences: Vec<Preference>,
    }

    #[derive(Deserialize)]
    pub struct Preference {
        #[serde(deserialize_with = "lenient::string")]
        pub wa_id: String,
        #[serde(default)]
        pub detail: Option<String>,
        pub category: String,
        pub value: MarketingPreference,
        #[serde(deserialize_with = "lenient::int")]
        pub timestamp: i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(field: &str, value: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": field, "value": value}]}]
        }))
        .unwrap()
    }

    #[test]
    fn unknown_fields_are_events_not_errors() {
        let events = parse_webhook(&body("account_update", json!({"event": "X"}))).unwrap();
        assert_eq!(
            events,
            vec![WebhookEvent::Unknown {
                field: "account_update".into()
            }],
            "a field Cadence does not use must still be answered 200"
        );
    }

    #[test]
    fn a_malformed_known_field_does_not_sink_the_batch() {
        let raw = serde_json::to_vec(&json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [
                {"field": "message_template_quality_update", "value": {"oops": true}},
                {"field": "user_preferences", "value": {"user_preferences": [
                    {"wa_id": "16505551234", "category": "marketing_messages",
                     "value": "stop", "timestamp": 1731705721}]}}
            ]}]
        }))
        .unwrap();
        let events = parse_webhook(&raw).unwrap();
        assert!(
            matches!(&events[0], WebhookEvent::Undecodable { field, .. } if field == "message_template_quality_update"),
            "the odd change is reported: {events:?}"
        );
        assert!(
            matches!(&events[1], WebhookEvent::UserPreference(p) if p.value == MarketingPreference::Stop),
            "and the good change beside it still counts: an opt-out must never be lost"
        );
    }

    #[test]
    fn other_products_notifications_are_not_read_as_whatsapp() {
        let raw = serde_json::to_vec(&json!({
            "object": "page",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"statuses": []}}]}]
        }))
        .unwrap();
        assert_eq!(
            parse_webhook(&raw).unwrap(),
            vec![WebhookEvent::Unknown {
                field: "messages".into()
            }],
            "a Messenger `messages` change must not be taken for a WhatsApp one"
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_an_error() {
        assert!(
            matches!(parse_webhook(b"<html>"), Err(Error::WebhookPayload(_))),
            "only a body outside Meta's envelope is refused"
        );
    }

    #[test]
    fn inbound_kinds_cover_text_buttons_and_others() {
        let events = parse_webhook(&body(
            "messages",
            json!({
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                "messages": [
                    {"from": "1", "id": "wamid.A", "timestamp": "1", "type": "interactive",
                     "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}},
                    {"from": "1", "id": "wamid.B", "timestamp": "2", "type": "image",
                     "image": {"id": "123", "mime_type": "image/jpeg"}}
                ]
            }),
        ))
        .unwrap();
        let kinds: Vec<_> = events
            .iter()
            .map(|e| match e {
                WebhookEvent::InboundMessage(m) => m.kind.clone(),
                other => panic!("expected inbound messages, got {other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                InboundKind::ButtonReply {
                    id: "yes".into(),
                    title: "Yes".into()
                },
                InboundKind::Other {
                    message_type: "image".into()
                },
            ],
            "interactive replies are read, other media kept by type"
        );
    }
}
