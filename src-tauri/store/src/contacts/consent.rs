//! Consent and the opt-out list: the consent ledger (`consent_event`, appended
//! to, never updated), the derived `contact.consent` it keeps current, and
//! `suppression`, the numbers that must never get marketing.

use serde::Serialize;
use sqlx::SqliteConnection;

use crate::templates::UnknownValue;
use crate::{Error, Result, Store};

pub use cadence_core::audience::{ConsentKind, ConsentState};

/// A stored `contact.consent` value as its type (the CHECK constraint keeps it
/// to these three).
pub(crate) fn parse_state(text: &str) -> std::result::Result<ConsentState, UnknownValue> {
    ConsentState::parse(text).ok_or_else(|| UnknownValue {
        what: "consent state",
        value: text.to_owned(),
    })
}

/// A stored `consent_event.kind` value as its type.
pub(crate) fn parse_kind(text: &str) -> std::result::Result<ConsentKind, UnknownValue> {
    ConsentKind::parse(text).ok_or_else(|| UnknownValue {
        what: "consent event kind",
        value: text.to_owned(),
    })
}

/// A grant or a withdrawal to append to a contact's ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub kind: ConsentKind,
    /// When the person granted or withdrew (Unix seconds).
    pub occurred_at: i64,
    /// How: `ui`, `webhook`, `stop-keyword`, `import:<file>`, …
    pub source: String,
    /// The categories granted or withdrawn (`marketing`, `utility`).
    pub categories: Vec<String>,
    /// A form id, the wording of a checkbox, a message id.
    pub evidence: Option<String>,
}

/// One event of a contact's consent ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ConsentEventRow {
    #[specta(type = i32)]
    pub id: i64,
    pub kind: ConsentKind,
    #[specta(type = i32)]
    pub occurred_at: i64,
    #[specta(type = i32)]
    pub recorded_at: i64,
    pub source: String,
    pub categories: Vec<String>,
    pub evidence: Option<String>,
    /// The import that recorded it, if one did.
    #[specta(type = Option<i32>)]
    pub import_id: Option<i64>,
}

/// A number on the opt-out list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SuppressionRow {
    pub phone: String,
    pub reason: String,
    pub source: String,
    #[specta(type = i32)]
    pub added_at: i64,
}

const MAX_SOURCE_CHARS: usize = 200;
const MAX_EVIDENCE_CHARS: usize = 2_000;
const MAX_REASON_CHARS: usize = 500;
/// How far in the future a consent time may lie: clocks of two machines differ
/// by seconds, not by days.
const FUTURE_TOLERANCE_S: i64 = 300;

fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidAudience {
        field,
        reason: reason.into(),
    }
}

/// Refuses anything but an E.164 number: `+`, a non-zero digit, 7 to 15 digits
/// in all. National formats are the importer's to convert.
pub fn check_e164(phone: &str) -> Result<()> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    let ok = (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "phone",
            format!(
                "{phone:?} is not an international number: write it as + then the country code and the number, e.g. +79123456789"
            ),
        ))
    }
}

/// Categories as stored: lower-case words joined by commas, each once.
pub(crate) fn categories_text(categories: &[String]) -> Result<String> {
    let mut clean: Vec<String> = Vec::with_capacity(categories.len());
    for category in categories {
        let category = category.trim().to_lowercase();
        if category.is_empty()
            || !category
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-')
        {
            return Err(invalid(
                "categories",
                format!(
                    "{category:?} is not a category name: use words such as marketing or utility"
                ),
            ));
        }
        if !clean.contains(&category) {
            clean.push(category);
        }
    }
    if clean.is_empty() {
        return Err(invalid(
            "categories",
            "name at least one category (marketing, utility)",
        ));
    }
    Ok(clean.join(","))
}

pub(crate) fn split_categories(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

impl NewConsent {
    /// Checks the event and returns its categories as stored.
    pub(crate) fn validate(&self, now: i64) -> Result<String> {
        if self.occurred_at > now + FUTURE_TOLERANCE_S {
            return Err(invalid(
                "occurred_at",
                "consent cannot be given or withdrawn in the future",
            ));
        }
        let source = self.source.trim();
        if source.is_empty() || source.chars().count() > MAX_SOURCE_CHARS {
            return Err(invalid(
                "source",
                format!("say how consent was recorded, in 1 to {MAX_SOURCE_CHARS} characters"),
            ));
        }
        if self
            .evidence
            .as_deref()
            .is_some_and(|e| e.chars().count() > MAX_EVIDENCE_CHARS)
        {
            return Err(invalid(
                "evidence",
                format!("at most {MAX_EVIDENCE_CHARS} characters"),
            ));
        }
        categories_text(&self.categories)
    }
}

/// Sets `contact.consent` (and the categories of the current grant) to what the
/// ledger says now: its latest event by `occurred_at`, then by `id` (two events
/// at the same second: the one recorded last wins), or `none` without events.
/// Every writer of the ledger calls this in the same transaction, so the column
/// never disagrees with the ledger (see [`Store::consent_drift`]).
pub async fn derive_consent(
    conn: &mut SqliteConnection,
    contact_id: i64,
    now: i64,
) -> Result<ConsentState> {
    // One UPDATE with a correlated "latest event" subquery; the ledger index
    // (contact_id, occurred_at, id) answers it by reading one entry from the end.
    let state: Option<String> = sqlx::query_scalar(
        "UPDATE contact SET
             consent = coalesce((SELECT kind FROM consent_event e WHERE e.contact_id = contact.id
                                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1), 'none'),
             consent_categories = (SELECT CASE kind WHEN 'granted' THEN categories END
                                   FROM consent_event e WHERE e.contact_id = contact.id
                                   ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1),
             updated_at = ?
         WHERE id = ?
         RETURNING consent",
    )
    .bind(now)
    .bind(contact_id)
    .fetch_optional(&mut *conn)
    .await?;
    let state = state.ok_or(Error::ContactNotFound(contact_id))?;
    Ok(parse_state(&state)?)
}

impl Store {
    /// Appends a grant or a withdrawal to a contact's ledger and brings its
    /// current consent up to date; returns the consent now in force (an event
    /// older than the latest one is recorded but changes nothing).
    pub async fn record_consent(
        &self,
        contact_id: i64,
        consent: &NewConsent,
        now: i64,
    ) -> Result<ConsentState> {
        let categories = consent.validate(now)?;
        // IMMEDIATE: take the write lock first, so the read of the ledger and
        // the update cannot interleave with another writer's.
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM contact WHERE id = ?")
            .bind(contact_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(Error::ContactNotFound(contact_id));
        }
        sqlx::query(
            "INSERT INTO consent_event (contact_id, kind, occurred_at, recorded_at, source, categories, evidence)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(contact_id)
        .bind(consent.kind.as_str())
        .bind(consent.occurred_at)
        .bind(now)
        .bind(consent.source.trim())
        .bind(&categories)
        .bind(consent.evidence.as_deref().map(str::trim).filter(|e| !e.is_empty()))
        .execute(&mut *tx)
        .await?;
        let state = derive_consent(&mut tx, contact_id, now).await?;
        tx.commit().await?;
        Ok(state)
    }

    /// A contact's consent ledger, newest first.
    pub async fn consent_history(&self, contact_id: i64) -> Result<Vec<ConsentEventRow>> {
        consent_history(&mut *self.pool().acquire().await?, contact_id).await
    }

    /// Adds a number to the opt-out list. Returns false when it was already
    /// there (the first reason and date are kept: they are the evidence).
    pub async fn suppress(
        &self,
        phone: &str,
        reason: &str,
        source: &str,
        now: i64,
    ) -> Result<bool> {
        check_e164(phone)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(invalid(
                "reason",
                format!("say why, in 1 to {MAX_REASON_CHARS} characters"),
            ));
        }
        let added = sqlx::query(
            "INSERT INTO suppression (phone, reason, source, added_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (phone) DO NOTHING",
        )
        .bind(phone)
        .bind(reason)
        .bind(source)
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(added == 1)
    }

    /// Takes a number off the opt-out list. Returns false when it was not on it.
    pub async fn unsuppress(&self, phone: &str) -> Result<bool> {
        check_e164(phone)?;
        let removed = sqlx::query("DELETE FROM suppression WHERE phone = ?")
            .bind(phone)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(removed == 1)
    }

    /// The opt-out entry of a number, if it has one.
    pub async fn suppression(&self, phone: &str) -> Result<Option<SuppressionRow>> {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT phone, reason, source, added_at FROM suppression WHERE phone = ?",
        )
        .bind(phone)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(phone, reason, source, added_at)| SuppressionRow {
            phone,
            reason,
            source,
            added_at,
        }))
    }

    /// How many contacts' `consent` column disagrees with their ledger: zero,
    /// unless a writer forgot [`derive_consent`]. A check for tests and audits.
    pub async fn consent_drift(&self) -> Result<u64> {
        let drift: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM contact c
             WHERE c.consent IS NOT coalesce((SELECT kind FROM consent_event e WHERE e.contact_id = c.id
                                              ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1), 'none')
                OR c.consent_categories IS NOT (SELECT CASE kind WHEN 'granted' THEN categories END
                                                FROM consent_event e WHERE e.contact_id = c.id
                                                ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(drift as u64)
    }
}

pub(crate) async fn consent_history(
    conn: &mut SqliteConnection,
    contact_id: i64,
) -> Result<Vec<ConsentEventRow>> {
    type Raw = (
        i64,
        String,
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Raw> = sqlx::query_as(
        "SELECT id, kind, occurred_at, recorded_at, source, categories, evidence, import_id
         FROM consent_event WHERE contact_id = ? ORDER BY occurred_at DESC, id DESC",
    )
    .bind(contact_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(
            |(id, kind, occurred_at, recorded_at, source, categories, evidence, import_id)| {
                Ok(ConsentEventRow {
                    id,
                    kind: parse_kind(&kind)?,
                    occurred_at,
                    recorded_at,
                    source,
                    categories: split_categories(Some(&categories)),
                    evidence,
                    import_id,
                })
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_international_numbers_go_on_the_opt_out_list() {
        for good in ["+79123456789", "+4915112345678", "+1234567"] {
            assert!(check_e164(good).is_ok(), "{good} is E.164");
        }
        for bad in [
            "89123456789",
            "+0123456789",
            "+7 912 345 67 89",
            "+123456",
            "+1234567890123456",
            "",
        ] {
            assert!(
                check_e164(bad).is_err(),
                "{bad:?} must be refused: not E.164"
            );
        }
    }

    #[test]
    fn categories_are_stored_lower_case_once_each() {
        assert_eq!(
            categories_text(&["Marketing".into(), " utility ".into(), "marketing".into()]).unwrap(),
            "marketing,utility"
        );
        assert!(
            categories_text(&[]).is_err(),
            "a grant of nothing is no grant"
        );
        assert!(
            categories_text(&["market ing".into()]).is_err(),
            "a space would break the comma-separated list"
        );
    }
}
