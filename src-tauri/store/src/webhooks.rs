//! The `webhook_delivery` and `webhook_event` tables: every webhook body as it
//! arrived (append-only) and the events normalized from it.
//!
//! This module stores; it does not parse or verify. The engine verifies the
//! signature and parses with `cadence-whatsapp`, then hands both the raw body and
//! the outcome here, in one transaction.

use sha2::{Digest, Sha256};

use crate::{Result, Store};

/// How a webhook body reached Cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSource {
    Receiver,
    Import,
    Sandbox,
}

impl WebhookSource {
    fn as_str(self) -> &'static str {
        match self {
            WebhookSource::Receiver => "receiver",
            WebhookSource::Import => "import",
            WebhookSource::Sandbox => "sandbox",
        }
    }
}

/// Whether the body's signature was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    Verified,
    Unchecked,
}

impl SignatureCheck {
    fn as_str(self) -> &'static str {
        match self {
            SignatureCheck::Verified => "verified",
            SignatureCheck::Unchecked => "unchecked",
        }
    }
}

/// The kinds of normalized webhook events (the `webhook_event.kind` CHECK lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEventKind {
    MessageStatus,
    InboundMessage,
    TemplateStatus,
    TemplateQuality,
    PhoneQuality,
    UserPreferences,
    /// A field Cadence does not use.
    Unknown,
    /// A field Cadence uses whose value did not have the documented shape.
    Undecodable,
}

impl WebhookEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEventKind::MessageStatus => "message_status",
            WebhookEventKind::InboundMessage => "inbound_message",
            WebhookEventKind::TemplateStatus => "template_status",
            WebhookEventKind::TemplateQuality => "template_quality",
            WebhookEventKind::PhoneQuality => "phone_quality",
            WebhookEventKind::UserPreferences => "user_preferences",
            WebhookEventKind::Unknown => "unknown",
            WebhookEventKind::Undecodable => "undecodable",
        }
    }
}

/// One normalized event, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEvent {
    pub kind: WebhookEventKind,
    pub wamid: Option<String>,
    /// RFC 3339, UTC.
    pub occurred_at: Option<String>,
    /// The event as JSON.
    pub payload: String,
}

/// What recording a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// A new delivery, with this many events.
    New { delivery_id: i64, events: usize },
    /// The same body was stored before: nothing changed.
    Duplicate { delivery_id: i64 },
}

/// A stored delivery, for reading back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDeliveryRow {
    pub id: i64,
    pub received_at: String,
    pub body: Vec<u8>,
    pub parse_error: Option<String>,
}

/// Hex SHA-256 of a body: the identity of a delivery.
pub fn body_digest(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Stores a delivery and its events, or nothing if the same body was stored
    /// before. `parsed` is the events, or the parse error for a body that could
    /// not be read (kept, flagged, with no events).
    pub async fn record_webhook(
        &self,
        source: WebhookSource,
        signature: SignatureCheck,
        body: &[u8],
        parsed: std::result::Result<&[NewWebhookEvent], &str>,
    ) -> Result<Recorded> {
        let digest = body_digest(body);
        let mut tx = self.pool().begin().await?;
        // INSERT .. ON CONFLICT DO NOTHING RETURNING yields no row for a
        // duplicate, which tells the two cases apart in one statement.
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO webhook_delivery (source, body_sha256, body, signature, parse_error)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (body_sha256) DO NOTHING
             RETURNING id",
        )
        .bind(source.as_str())
        .bind(&digest)
        .bind(body)
        .bind(signature.as_str())
        .bind(parsed.err())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(delivery_id) = inserted else {
            let delivery_id: i64 =
                sqlx::query_scalar("SELECT id FROM webhook_delivery WHERE body_sha256 = ?")
                    .bind(&digest)
                    .fetch_one(&mut *tx)
                    .await?;
            return Ok(Recorded::Duplicate { delivery_id });
        };
        let events = parsed.unwrap_or_default();
        for (ordinal, event) in events.iter().enumerate() {
            sqlx::query(
                "INSERT INTO webhook_event (delivery_id, ordinal, kind, wamid, occurred_at, payload)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(delivery_id)
            .bind(ordinal as i64)
            .bind(event.kind.as_str())
            .bind(&event.wamid)
            .bind(&event.occurred_at)
            .bind(&event.payload)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Recorded::New {
            delivery_id,
            events: events.len(),
        })
    }

    /// Deliveries whose body could not be parsed, oldest first.
    pub async fn unparsed_webhooks(&self) -> Result<Vec<WebhookDeliveryRow>> {
        let rows: Vec<(i64, String, Vec<u8>, Option<String>)> = sqlx::query_as(
            "SELECT id, received_at, body, parse_error FROM webhook_delivery
             WHERE parse_error IS NOT NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, received_at, body, parse_error)| WebhookDeliveryRow {
                id,
                received_at,
                body,
                parse_error,
            })
            .collect())
    }

    /// Counts of stored deliveries and events, for reports and tests.
    pub async fn webhook_counts(&self) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM webhook_delivery), (SELECT COUNT(*) FROM webhook_event)",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// The stored events about one message, in the order they were received.
    pub async fn webhook_events_for(&self, wamid: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT kind, payload FROM webhook_event WHERE wamid = ? ORDER BY delivery_id, ordinal",
        )
        .bind(wamid)
        .fetch_all(self.pool())
        .await?)
    }
}
