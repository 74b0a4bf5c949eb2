//! `template_analytics`: daily sent / delivered / read / clicked per template,
//! computed from the ledger (sent) and the webhooks the core emitted (delivered, read,
//! quick-reply taps). Every count is filed under the day the message was accepted,
//! so a message read the next morning still counts for the day it went out.

use std::collections::{BTreeMap, HashMap};

use cadence_whatsapp::wire::{
    ButtonClicks, TemplateAnalyticsDataPoint, TemplateAnalyticsResponse, TemplateAnalyticsSeries,
};

use crate::events::{InboundContent, MessageStatus, Webhook, WebhookKind};
use crate::ledger::{LedgerEntry, LedgerOutcome};
use crate::sandbox::Sandbox;

const DAY_SECONDS: i64 = 86_400;
/// Meta answers at most 90 days back.
const DAYS_MAX: i64 = 90;

/// What one message reached, so a repeated or late status is not counted twice.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    delivered: bool,
    read: bool,
}

#[derive(Debug, Clone, Default)]
struct DayCounts {
    delivered: u64,
    read: u64,
    /// Quick-reply taps by button text.
    clicked: BTreeMap<String, u64>,
}

/// Tallies kept as webhooks leave the core.
#[derive(Debug, Default)]
pub(crate) struct Analytics {
    progress: HashMap<String, Progress>,
    days: BTreeMap<(u64, i64), DayCounts>,
}

fn day_of(entry: &LedgerEntry) -> i64 {
    let seconds = i64::try_from(entry.accepted_at.unix_seconds()).unwrap_or(i64::MAX);
    seconds - seconds.rem_euclid(DAY_SECONDS)
}

/// The template id and day a ledger entry counts under.
fn key_of(sandbox: &Sandbox, entry: &LedgerEntry) -> Option<(u64, i64)> {
    let template = sandbox.template(&entry.template, &entry.language)?;
    Some((template.id, day_of(entry)))
}

impl Analytics {
    pub(crate) fn observe(&mut self, sandbox: &Sandbox, webhook: &Webhook) {
        match &webhook.kind {
            WebhookKind::Status(status)
                if matches!(
                    status.status,
                    MessageStatus::Delivered | MessageStatus::Read
                ) =>
            {
                let Some(entry) = sandbox.ledger().get(&status.wamid) else {
                    return;
                };
                let Some(key) = key_of(sandbox, entry) else {
                    return;
                };
                let progress = self.progress.entry(status.wamid.clone()).or_default();
                let counts = self.days.entry(key).or_default();
                // A read message was delivered, even if `delivered` comes late or never.
                if !progress.delivered {
                    progress.delivered = true;
                    counts.delivered += 1;
                }
                if status.status == MessageStatus::Read && !progress.read {
                    progress.read = true;
                    counts.read += 1;
                }
            }
            WebhookKind::Inbound(message) => {
                let (InboundContent::Button { text, .. }, Some(context)) =
                    (&message.content, &message.context)
                else {
                    return;
                };
                let Some(entry) = sandbox.ledger().get(context) else {
                    return;
                };
                if let Some(key) = key_of(sandbox, entry) {
                    *self
                        .days
                        .entry(key)
                        .or_default()
                        .clicked
                        .entry(text.clone())
                        .or_default() += 1;
                }
            }
            _ => {}
        }
    }

    /// Meta's answer for `template_ids` between `start` and `end` (Unix seconds; the
    /// start floored and the end rounded up to whole UTC days, at most 90 days).
    pub(crate) fn report(
        &self,
        sandbox: &Sandbox,
        template_ids: &[u64],
        start: i64,
        end: i64,
    ) -> TemplateAnalyticsResponse {
        let first_day = start - start.rem_euclid(DAY_SECONDS);
        let end_day = end + (DAY_SECONDS - end.rem_euclid(DAY_SECONDS)) % DAY_SECONDS;
        let first_day = first_day.max(end_day - DAYS_MAX * DAY_SECONDS);
        let mut sent: BTreeMap<(u64, i64), u64> = BTreeMap::new();
        for entry in sandbox.ledger().entries() {
            // A message that failed in its status webhook was never sent.
            if entry.outcome != LedgerOutcome::Delivered {
                continue;
            }
            if let Some(key) = key_of(sandbox, entry) {
                *sent.entry(key).or_default() += 1;
            }
        }
        let mut data_points = Vec::new();
        for &id in template_ids {
            let mut day = first_day;
            while day < end_day {
                let counts = self.days.get(&(id, day)).cloned().unwrap_or_default();
                data_points.push(TemplateAnalyticsDataPoint {
                    template_id: id.to_string(),
                    start: day,
                    end: day + DAY_SECONDS,
                    sent: Some(sent.get(&(id, day)).copied().unwrap_or(0)),
                    delivered: Some(counts.delivered),
                    read: Some(counts.read),
                    clicked: counts
                        .clicked
                        .into_iter()
                        .map(|(text, count)| ButtonClicks {
                            button_type: "quick_reply_button".to_owned(),
                            button_content: Some(text),
                            count,
                        })
                        .collect(),
                    cost: Vec::new(),
                });
                day += DAY_SECONDS;
            }
        }
        TemplateAnalyticsResponse {
            data: vec![TemplateAnalyticsSeries {
                granularity: Some("DAILY".to_owned()),
                product_type: Some("cloud_api".to_owned()),
                data_points,
            }],
            paging: None,
        }
    }
}
