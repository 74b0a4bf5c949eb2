//! Meta's words about its templates (webhook events, the template list, the
//! answer to a create) turned into the store's [`TemplateReport`]s.

use cadence_core::template::Category;
use cadence_store::templates::{
    ChangeSource, QualityRating, StatusReport, TemplateReport, TemplateStatus,
};
use cadence_whatsapp::WebhookEvent;
use cadence_whatsapp::webhook::{TemplateStatusEvent, TemplateStatusUpdate};
use cadence_whatsapp::wire;

/// The status a `message_template_status_update` event means, `None` for events
/// that are not a status (a template locked against editing, an event this
/// Cadence does not know).
pub fn status_of_event(event: &TemplateStatusEvent) -> Option<TemplateStatus> {
    Some(match event {
        TemplateStatusEvent::Approved
        | TemplateStatusEvent::Reinstated
        | TemplateStatusEvent::Unarchived => TemplateStatus::Approved,
        TemplateStatusEvent::Rejected => TemplateStatus::Rejected,
        TemplateStatusEvent::Pending => TemplateStatus::Pending,
        TemplateStatusEvent::Paused => TemplateStatus::Paused,
        TemplateStatusEvent::Disabled => TemplateStatus::Disabled,
        TemplateStatusEvent::Flagged => TemplateStatus::Flagged,
        TemplateStatusEvent::InAppeal => TemplateStatus::InAppeal,
        TemplateStatusEvent::PendingDeletion => TemplateStatus::PendingDeletion,
        TemplateStatusEvent::Deleted => TemplateStatus::Deleted,
        TemplateStatusEvent::Archived => TemplateStatus::Archived,
        TemplateStatusEvent::LimitExceeded => TemplateStatus::LimitExceeded,
        TemplateStatusEvent::Locked
        | TemplateStatusEvent::Unlocked
        | TemplateStatusEvent::Other(_) => return None,
    })
}

/// The status of a listed template or of the answer to a create; `None` for a
/// status this Cadence does not know (kept out rather than guessed).
pub fn status_of_wire(status: &wire::TemplateStatus) -> Option<TemplateStatus> {
    Some(match status {
        wire::TemplateStatus::Pending => TemplateStatus::Pending,
        wire::TemplateStatus::Approved => TemplateStatus::Approved,
        wire::TemplateStatus::Rejected => TemplateStatus::Rejected,
        wire::TemplateStatus::Paused => TemplateStatus::Paused,
        wire::TemplateStatus::Disabled => TemplateStatus::Disabled,
        wire::TemplateStatus::InAppeal => TemplateStatus::InAppeal,
        wire::TemplateStatus::PendingDeletion => TemplateStatus::PendingDeletion,
        wire::TemplateStatus::Archived => TemplateStatus::Archived,
        wire::TemplateStatus::Other(other) => return other.parse().ok(),
    })
}

pub fn quality_of_wire(rating: &wire::QualityRating) -> Option<QualityRating> {
    Some(match rating {
        wire::QualityRating::Green => QualityRating::Green,
        wire::QualityRating::Yellow => QualityRating::Yellow,
        wire::QualityRating::Red => QualityRating::Red,
        wire::QualityRating::Unknown => QualityRating::Unknown,
        wire::QualityRating::Other(_) => return None,
    })
}

pub fn category_of_wire(category: &wire::Category) -> Option<Category> {
    Some(match category {
        wire::Category::Marketing => Category::Marketing,
        wire::Category::Utility => Category::Utility,
        wire::Category::Authentication => Category::Authentication,
        wire::Category::Other(_) => return None,
    })
}

/// Meta writes `NONE` where there is no reason.
fn reason(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONE"))
        .map(str::to_owned)
}

/// The report of one stored webhook event, `None` for events that say nothing
/// about a template's status or quality.
pub fn from_webhook(
    event: &WebhookEvent,
    event_id: i64,
    received_at: &str,
) -> Option<TemplateReport> {
    match event {
        WebhookEvent::TemplateStatusUpdate(update) => {
            let status = status_of_event(&update.event)?;
            Some(TemplateReport {
                meta_template_id: Some(update.message_template_id.clone()),
                name: update.message_template_name.clone(),
                language: update.message_template_language.clone(),
                status: Some(StatusReport {
                    status,
                    reason: reason(update.reason.as_deref()),
                    detail: status_detail(update),
                }),
                quality: None,
                category: update
                    .message_template_category
                    .as_ref()
                    .and_then(category_of_wire),
                source: ChangeSource::Webhook,
                at: received_at.to_owned(),
                webhook_event_id: Some(event_id),
            })
        }
        WebhookEvent::TemplateQualityUpdate(update) => Some(TemplateReport {
            meta_template_id: update.message_template_id.clone(),
            name: update.message_template_name.clone(),
            language: update.message_template_language.clone(),
            status: None,
            quality: Some(quality_of_wire(&update.new_quality_score)?),
            category: None,
            source: ChangeSource::Webhook,
            at: received_at.to_owned(),
            webhook_event_id: Some(event_id),
        }),
        _ => None,
    }
}

/// Meta's explanation: a rejection's reason and recommendation, or a pause's
/// description.
fn status_detail(update: &TemplateStatusUpdate) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(info) = &update.rejection_info {
        parts.extend(info.reason.as_deref());
        parts.extend(info.recommendation.as_deref());
    }
    if let Some(info) = &update.other_info {
        parts.extend(info.description.as_deref());
    }
    let parts: Vec<&str> = parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.eq_ignore_ascii_case("NONE"))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The report of one template as Meta lists it (a refresh).
pub fn from_listing(info: &wire::TemplateInfo, at: &str) -> TemplateReport {
    let status = status_of_wire(&info.status);
    TemplateReport {
        meta_template_id: Some(info.id.clone()),
        name: info.name.clone(),
        language: info.language.clone(),
        status: status.map(|status| StatusReport {
            status,
            reason: match status {
                TemplateStatus::Rejected => reason(info.rejected_reason.as_deref()),
                _ => None,
            },
            detail: None,
        }),
        quality: info
            .quality_score
            .as_ref()
            .and_then(|q| quality_of_wire(&q.score)),
        category: category_of_wire(&info.category),
        source: ChangeSource::Refresh,
        at: at.to_owned(),
        webhook_event_id: None,
    }
}

/// The report that a submitted template is no longer on Meta (deleted in
/// WhatsApp Manager, or by Meta).
pub fn gone(meta_template_id: &str, at: &str) -> TemplateReport {
    TemplateReport {
        meta_template_id: Some(meta_template_id.to_owned()),
        name: String::new(),
        language: String::new(),
        status: Some(StatusReport {
            status: TemplateStatus::Deleted,
            reason: None,
            detail: None,
        }),
        quality: None,
        category: None,
        source: ChangeSource::Refresh,
        at: at.to_owned(),
        webhook_event_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_event_maps_to_a_status_or_to_nothing() {
        let cases = [
            (
                TemplateStatusEvent::Approved,
                Some(TemplateStatus::Approved),
            ),
            (
                TemplateStatusEvent::Reinstated,
                Some(TemplateStatus::Approved),
            ),
            (
                TemplateStatusEvent::Unarchived,
                Some(TemplateStatus::Approved),
            ),
            (
                TemplateStatusEvent::Rejected,
                Some(TemplateStatus::Rejected),
            ),
            (TemplateStatusEvent::Paused, Some(TemplateStatus::Paused)),
            (TemplateStatusEvent::Flagged, Some(TemplateStatus::Flagged)),
            (TemplateStatusEvent::Deleted, Some(TemplateStatus::Deleted)),
            (TemplateStatusEvent::Locked, None),
            (TemplateStatusEvent::Other("NEW_THING".into()), None),
        ];
        for (event, expected) in cases {
            assert_eq!(
                status_of_event(&event),
                expected,
                "{event}: statuses Meta documents map one to one; locks and unknown events change nothing"
            );
        }
        assert_eq!(
            status_of_wire(&wire::TemplateStatus::Other("LIMIT_EXCEEDED".into())),
            Some(TemplateStatus::LimitExceeded),
            "listed statuses the wire type does not name are still read"
        );
        assert_eq!(reason(Some("NONE")), None, "Meta's NONE is no reason");
    }
}
