//! The outbox of webhooks the sandbox owes its client: message statuses, inbound
//! replies, marketing preference changes, template status and quality updates.
//!
//! Plain values in emission order; the HTTP layer serialises them into Meta's
//! `{"object":"whatsapp_business_account","entry":[…]}` bodies, signs them with the
//! profile's app secret and retries them. Emission order is not timestamp order:
//! like Meta, the sandbox sometimes emits `delivered` after `read`.

use std::collections::VecDeque;

use serde::Serialize;

use crate::clock::SimTime;
use crate::error::MetaError;
use crate::quality::QualityScore;
use crate::templates::Category;

/// One webhook to deliver.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    /// Emission number, unique in a run: the HTTP layer's key for retries.
    pub seq: u64,
    /// When the sandbox emitted it (not necessarily the event's own timestamp).
    pub emitted_at: SimTime,
    pub kind: WebhookKind,
}

/// What a webhook reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum WebhookKind {
    /// `messages` field, `statuses[]`.
    Status(StatusUpdate),
    /// `messages` field, `messages[]`.
    Inbound(InboundMessage),
    /// `user_preferences` field.
    UserPreference(UserPreference),
    /// `message_template_status_update` field.
    TemplateStatus(TemplateStatusUpdate),
    /// `message_template_quality_update` field.
    TemplateQuality(TemplateQualityUpdate),
}

/// A message status, which only moves forward (a client must not step back when a
/// late `delivered` arrives after `read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Sent,
    Delivered,
    Read,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusUpdate {
    pub wamid: String,
    pub recipient_id: String,
    pub status: MessageStatus,
    pub timestamp: SimTime,
    /// `biz_opaque_callback_data`, echoed from the send.
    pub callback_data: Option<String>,
    /// `errors[0]` of a failed status.
    pub error: Option<MetaError>,
    /// `pricing` of sent and delivered statuses.
    pub pricing: Option<Pricing>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pricing {
    pub billable: bool,
    pub category: Category,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboundMessage {
    /// The inbound message's own wamid.
    pub id: String,
    pub from: String,
    pub timestamp: SimTime,
    pub content: InboundContent,
    /// `context.id`: the wamid of the message this answers.
    pub context: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundContent {
    Text {
        body: String,
    },
    /// A quick-reply tap (`type: "button"`).
    Button {
        payload: String,
        text: String,
    },
}

/// `marketing_messages` preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketingPreference {
    Stop,
    Resume,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserPreference {
    pub wa_id: String,
    pub timestamp: SimTime,
    pub value: MarketingPreference,
}

/// `event` of a template status update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TemplateStatusEvent {
    Approved,
    Rejected,
    Paused,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateStatusUpdate {
    pub template_id: u64,
    pub name: String,
    pub language: String,
    pub category: Category,
    pub event: TemplateStatusEvent,
    /// Meta's `reason`: a rejection reason, or `NONE` (pauses, approvals).
    pub reason: String,
    /// `rejection_info.reason` for INVALID_FORMAT rejections.
    pub rejection_info: Option<String>,
    /// `other_info` of pauses and unpauses: (title, description).
    pub other_info: Option<(String, String)>,
    /// `disable_info.disable_date`.
    pub disable_date: Option<SimTime>,
    pub timestamp: SimTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateQualityUpdate {
    pub template_id: u64,
    pub name: String,
    pub language: String,
    pub previous: QualityScore,
    pub new: QualityScore,
    pub timestamp: SimTime,
}

/// Webhooks emitted and not yet taken by the HTTP layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    queue: VecDeque<Webhook>,
    next_seq: u64,
}

impl Outbox {
    pub fn emit(&mut self, at: SimTime, kind: WebhookKind) {
        self.next_seq += 1;
        self.queue.push_back(Webhook {
            seq: self.next_seq,
            emitted_at: at,
            kind,
        });
    }

    /// Take every pending webhook, in emission order.
    pub fn take(&mut self) -> Vec<Webhook> {
        self.queue.drain(..).collect()
    }

    pub fn pending(&self) -> impl Iterator<Item = &Webhook> {
        self.queue.iter()
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}
