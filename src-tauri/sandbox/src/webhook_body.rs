//! The core's webhooks written as Meta writes them: the
//! `{"object":"whatsapp_business_account","entry":[{"id","changes":[{"field","value"}]}]}`
//! envelope, with `metadata`, `contacts`, `statuses`, `messages` and `user_preferences`
//! in a `messages`/`user_preferences` change, and the template status and quality
//! updates in their own fields. One webhook per body, as the core emitted it.
//!
//! Pure: no I/O, no clock. The shapes follow Meta's webhook reference and the examples
//! in `cadence-whatsapp`'s fixtures, so `cadence_whatsapp::parse_webhook` reads every
//! body back (tested below).

use serde_json::{Value, json};

use crate::error::MetaError;
use crate::events::{
    InboundContent, InboundMessage, MarketingPreference, MessageStatus, StatusUpdate,
    TemplateQualityUpdate, TemplateStatusEvent, TemplateStatusUpdate, UserPreference, Webhook,
    WebhookKind,
};
use crate::profile::Account;
use crate::quality::QualityScore;
use crate::templates::Category;

/// Where Meta documents every error code; failed statuses link to it.
const ERROR_CODES_HREF: &str =
    "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";

/// The JSON body of one webhook POST.
pub fn webhook_body(account: &Account, webhook: &Webhook) -> Value {
    let (field, value) = match &webhook.kind {
        WebhookKind::Status(status) => ("messages", status_value(account, status)),
        WebhookKind::Inbound(message) => ("messages", inbound_value(account, message)),
        WebhookKind::UserPreference(preference) => {
            ("user_preferences", preference_value(account, preference))
        }
        WebhookKind::TemplateStatus(update) => (
            "message_template_status_update",
            template_status_value(update),
        ),
        WebhookKind::TemplateQuality(update) => (
            "message_template_quality_update",
            template_quality_value(update),
        ),
    };
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": account.waba_id,
            "time": webhook.emitted_at.unix_seconds(),
            "changes": [{ "value": value, "field": field }],
        }],
    })
}

/// The body as the bytes that are signed and sent.
pub fn webhook_bytes(account: &Account, webhook: &Webhook) -> Vec<u8> {
    // Serializing a `Value` cannot fail: every key is a string.
    serde_json::to_vec(&webhook_body(account, webhook)).unwrap_or_default()
}

/// The business number as Meta writes it in `metadata`: digits only.
fn display_digits(account: &Account) -> String {
    account
        .display_phone_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

fn metadata(account: &Account) -> Value {
    json!({
        "display_phone_number": display_digits(account),
        "phone_number_id": account.phone_number_id,
    })
}

fn status_value(account: &Account, status: &StatusUpdate) -> Value {
    let mut entry = json!({
        "id": status.wamid,
        "status": match status.status {
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
        },
        // Meta writes status timestamps as strings of Unix seconds.
        "timestamp": status.timestamp.unix_seconds().to_string(),
        "recipient_id": status.recipient_id,
    });
    if let Some(data) = &status.callback_data {
        entry["biz_opaque_callback_data"] = json!(data);
    }
    if let Some(pricing) = &status.pricing {
        entry["pricing"] = json!({
            "billable": pricing.billable,
            "pricing_model": "PMP",
            "category": category_lowercase(pricing.category),
            "type": "regular",
        });
    }
    if let Some(error) = &status.error {
        entry["errors"] = json!([status_error(error)]);
    }
    json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(account),
        "statuses": [entry],
    })
}

fn status_error(error: &MetaError) -> Value {
    json!({
        "code": error.code,
        "title": error.title,
        "message": error.title,
        "error_data": { "details": error.details },
        "href": ERROR_CODES_HREF,
    })
}

fn inbound_value(account: &Account, message: &InboundMessage) -> Value {
    let mut entry = json!({
        "from": message.from,
        "id": message.id,
        "timestamp": message.timestamp.unix_seconds().to_string(),
    });
    match &message.content {
        InboundContent::Text { body } => {
            entry["type"] = json!("text");
            entry["text"] = json!({ "body": body });
        }
        InboundContent::Button { payload, text } => {
            entry["type"] = json!("button");
            entry["button"] = json!({ "payload": payload, "text": text });
        }
    }
    if let Some(context) = &message.context {
        entry["context"] = json!({ "from": display_digits(account), "id": context });
    }
    json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(account),
        "contacts": [{
            "profile": { "name": profile_name(&message.from) },
            "wa_id": message.from,
        }],
        "messages": [entry],
    })
}

/// Meta sends the sender's WhatsApp profile name; simulated people have a stable one.
fn profile_name(wa_id: &str) -> String {
    let tail = &wa_id[wa_id.len().saturating_sub(4)..];
    format!("Sandbox user {tail}")
}

fn preference_value(account: &Account, preference: &UserPreference) -> Value {
    let (value, detail) = match preference.value {
        MarketingPreference::Stop => ("stop", "User requested to stop marketing messages"),
        MarketingPreference::Resume => ("resume", "User requested to resume marketing messages"),
    };
    json!({
        "messaging_product": "whatsapp",
        "metadata": metadata(account),
        "contacts": [{ "wa_id": preference.wa_id }],
        "user_preferences": [{
            "wa_id": preference.wa_id,
            "detail": detail,
            "category": "marketing_messages",
            "value": value,
            "timestamp": preference.timestamp.unix_seconds(),
        }],
    })
}

fn template_status_value(update: &TemplateStatusUpdate) -> Value {
    let mut value = json!({
        "event": match update.event {
            TemplateStatusEvent::Approved => "APPROVED",
            TemplateStatusEvent::Rejected => "REJECTED",
            TemplateStatusEvent::Paused => "PAUSED",
            TemplateStatusEvent::Disabled => "DISABLED",
        },
        // A number in webhooks, a string in the REST API: Meta's own inconsistency.
        "message_template_id": update.template_id,
        "message_template_name": update.name,
        "message_template_language": update.language,
        "reason": update.reason,
        "message_template_category": category_uppercase(update.category),
    });
    if let Some(reason) = &update.rejection_info {
        value["rejection_info"] = json!({
            "reason": reason,
            "recommendation": "Edit the template to follow the template guidelines and submit it again.",
        });
    }
    if let Some((title, description)) = &update.other_info {
        value["other_info"] = json!({ "title": title, "description": description });
    }
    if let Some(date) = update.disable_date {
        value["disable_info"] = json!({ "disable_date": date.unix_seconds() });
    }
    value
}

fn template_quality_value(update: &TemplateQualityUpdate) -> Value {
    json!({
        "previous_quality_score": quality(update.previous),
        "new_quality_score": quality(update.new),
        "message_template_id": update.template_id,
        "message_template_name": update.name,
        "message_template_language": update.language,
    })
}

pub(crate) fn quality(score: QualityScore) -> &'static str {
    match score {
        QualityScore::Unknown => "UNKNOWN",
        QualityScore::Green => "GREEN",
        QualityScore::Yellow => "YELLOW",
        QualityScore::Red => "RED",
    }
}

pub(crate) fn category_uppercase(category: Category) -> &'static str {
    match category {
        Category::Marketing => "MARKETING",
        Category::Utility => "UTILITY",
        Category::Authentication => "AUTHENTICATION",
    }
}

fn category_lowercase(category: Category) -> &'static str {
    match category {
        Category::Marketing => "marketing",
        Category::Utility => "utility",
        Category::Authentication => "authentication",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimTime;
    use crate::events::Pricing;
    use cadence_whatsapp::webhook::{
        DeliveryStatus, InboundKind, MarketingPreference as WireMarketingPreference,
        TemplateStatusEvent as WireTemplateStatusEvent,
    };
    use cadence_whatsapp::wire::QualityRating;
    use cadence_whatsapp::{WebhookEvent, parse_webhook};

    const AT: SimTime = SimTime(1_750_000_000_000);

    fn parsed(kind: WebhookKind) -> WebhookEvent {
        let account = Account::default();
        let webhook = Webhook {
            seq: 1,
            emitted_at: AT,
            kind,
        };
        let mut events = parse_webhook(&webhook_bytes(&account, &webhook))
            .expect("every body the sandbox writes is Meta's envelope");
        assert_eq!(events.len(), 1, "one webhook, one event: {events:?}");
        events.remove(0)
    }

    #[test]
    fn statuses_round_trip_with_callback_data_pricing_and_errors() {
        let event = parsed(WebhookKind::Status(StatusUpdate {
            wamid: "wamid.A".into(),
            recipient_id: "447700900123".into(),
            status: MessageStatus::Delivered,
            timestamp: AT,
            callback_data: Some("outbox:7".into()),
            error: None,
            pricing: Some(Pricing {
                billable: true,
                category: Category::Marketing,
            }),
        }));
        let WebhookEvent::MessageStatus(status) = event else {
            panic!("a status must parse as a message status, got {event:?}");
        };
        assert_eq!(status.status, DeliveryStatus::Delivered);
        assert_eq!(status.timestamp, 1_750_000_000, "Unix seconds");
        assert_eq!(
            status.biz_opaque_callback_data.as_deref(),
            Some("outbox:7"),
            "callback data is how the client reconciles a send"
        );
        assert_eq!(
            status.pricing.and_then(|p| p.category).as_deref(),
            Some("marketing")
        );
        assert_eq!(
            status.phone_number_id.as_deref(),
            Some(Account::default().phone_number_id.as_str())
        );

        let failed = parsed(WebhookKind::Status(StatusUpdate {
            wamid: "wamid.B".into(),
            recipient_id: "447700900000".into(),
            status: MessageStatus::Failed,
            timestamp: AT,
            callback_data: None,
            error: Some(MetaError::new(131026, "not on WhatsApp")),
            pricing: None,
        }));
        let WebhookEvent::MessageStatus(failed) = failed else {
            panic!("a failed status is a status");
        };
        assert_eq!(failed.status, DeliveryStatus::Failed);
        assert_eq!(failed.errors.len(), 1, "a failed status carries its error");
        assert_eq!(failed.errors[0].code, 131026);
        assert_eq!(failed.errors[0].details.as_deref(), Some("not on WhatsApp"));
    }

    #[test]
    fn inbound_text_and_button_replies_round_trip() {
        let text = parsed(WebhookKind::Inbound(InboundMessage {
            id: "wamid.in1".into(),
            from: "447700900123".into(),
            timestamp: AT,
            content: InboundContent::Text {
                body: "How much?".into(),
            },
            context: None,
        }));
        let WebhookEvent::InboundMessage(text) = text else {
            panic!("an inbound message, got {text:?}");
        };
        assert_eq!(
            text.kind,
            InboundKind::Text {
                body: "How much?".into()
            }
        );
        assert_eq!(text.profile_name.as_deref(), Some("Sandbox user 0123"));

        let button = parsed(WebhookKind::Inbound(InboundMessage {
            id: "wamid.in2".into(),
            from: "447700900123".into(),
            timestamp: AT,
            content: InboundContent::Button {
                payload: "STOP".into(),
                text: "Stop".into(),
            },
            context: Some("wamid.sent".into()),
        }));
        let WebhookEvent::InboundMessage(button) = button else {
            panic!("a button reply is an inbound message");
        };
        assert_eq!(
            button.kind,
            InboundKind::Button {
                payload: "STOP".into(),
                text: "Stop".into()
            }
        );
        assert_eq!(
            button.context_id.as_deref(),
            Some("wamid.sent"),
            "a quick-reply tap names the message it answers"
        );
    }

    #[test]
    fn preferences_and_template_updates_round_trip() {
        let stop = parsed(WebhookKind::UserPreference(UserPreference {
            wa_id: "447700900123".into(),
            timestamp: AT,
            value: MarketingPreference::Stop,
        }));
        let WebhookEvent::UserPreference(stop) = stop else {
            panic!("a user preference, got {stop:?}");
        };
        assert_eq!(stop.value, WireMarketingPreference::Stop);
        assert_eq!(stop.category, "marketing_messages");

        let paused = parsed(WebhookKind::TemplateStatus(TemplateStatusUpdate {
            template_id: 1_000_000_000_000_001,
            name: "spring_offer".into(),
            language: "en".into(),
            category: Category::Marketing,
            event: TemplateStatusEvent::Paused,
            reason: "NONE".into(),
            rejection_info: None,
            other_info: Some(("FIRST_PAUSE".into(), "Paused.".into())),
            disable_date: None,
            timestamp: AT,
        }));
        let WebhookEvent::TemplateStatusUpdate(paused) = paused else {
            panic!("a template status update, got {paused:?}");
        };
        assert_eq!(paused.event, WireTemplateStatusEvent::Paused);
        assert_eq!(paused.message_template_id, "1000000000000001");
        assert_eq!(
            paused.other_info.and_then(|i| i.title).as_deref(),
            Some("FIRST_PAUSE")
        );
        assert_eq!(paused.waba_id, Account::default().waba_id);

        let quality = parsed(WebhookKind::TemplateQuality(TemplateQualityUpdate {
            template_id: 1_000_000_000_000_001,
            name: "spring_offer".into(),
            language: "en".into(),
            previous: QualityScore::Green,
            new: QualityScore::Red,
            timestamp: AT,
        }));
        let WebhookEvent::TemplateQualityUpdate(quality) = quality else {
            panic!("a template quality update, got {quality:?}");
        };
        assert_eq!(quality.previous_quality_score, QualityRating::Green);
        assert_eq!(quality.new_quality_score, QualityRating::Red);
    }
}
