//! The `segment` table: saved contact filters with a name. Campaigns target a
//! segment; its members are whoever matches the filter when asked (a segment
//! is a question, not a list), read through [`crate::contacts`].
//!
//! Stores and validates; counting and caching counts is the engine's. Must not
//! depend on the engine or `tauri`.

use serde::Serialize;

use crate::contacts::ContactFilter;
use crate::{Error, Result, Store};

const MAX_NAME_CHARS: usize = 80;

/// A saved filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SegmentRow {
    #[specta(type = i32)]
    pub id: i64,
    pub name: String,
    pub filter: ContactFilter,
    #[specta(type = i32)]
    pub created_at: i64,
    #[specta(type = i32)]
    pub updated_at: i64,
}

/// A segment name as stored: trimmed, 1 to 80 characters, no control characters.
fn clean_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::InvalidAudience {
            field: "name",
            reason: format!("a segment name has 1 to {MAX_NAME_CHARS} characters"),
        });
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidAudience {
            field: "name",
            reason: "a segment name cannot hold line breaks or tabs".into(),
        });
    }
    Ok(name)
}

fn filter_json(filter: &ContactFilter) -> Result<String> {
    filter.validate()?;
    serde_json::to_string(filter).map_err(|source| Error::Json {
        what: "a segment's filter",
        source,
    })
}

/// Turns the UNIQUE (name) violation into the error that names the clash.
fn name_taken(error: sqlx::Error, name: &str) -> Error {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => Error::SegmentNameTaken(name.to_owned()),
        _ => Error::Query(error),
    }
}

type RawSegment = (i64, String, String, i64, i64);

fn segment_row((id, name, filter, created_at, updated_at): RawSegment) -> Result<SegmentRow> {
    // A filter this version cannot read (saved by a newer Cadence) is an error,
    // never an empty filter: a campaign must not reach everyone by mistake.
    let filter = serde_json::from_str(&filter).map_err(|source| Error::Json {
        what: "a segment's filter",
        source,
    })?;
    Ok(SegmentRow {
        id,
        name,
        filter,
        created_at,
        updated_at,
    })
}

const SELECT_SEGMENT: &str = "SELECT id, name, filter, created_at, updated_at FROM segment";

impl Store {
    /// Every segment, by name.
    pub async fn segments(&self) -> Result<Vec<SegmentRow>> {
        let rows: Vec<RawSegment> = sqlx::query_as(&format!("{SELECT_SEGMENT} ORDER BY name, id"))
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(segment_row).collect()
    }

    pub async fn segment(&self, id: i64) -> Result<SegmentRow> {
        let row: Option<RawSegment> = sqlx::query_as(&format!("{SELECT_SEGMENT} WHERE id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        segment_row(row.ok_or(Error::SegmentNotFound(id))?)
    }

    /// Saves a new segment. Names are unique.
    pub async fn create_segment(
        &self,
        name: &str,
        filter: &ContactFilter,
        now: i64,
    ) -> Result<SegmentRow> {
        let name = clean_name(name)?;
        let json = filter_json(filter)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO segment (name, filter, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(name)
        .bind(&json)
        .bind(now)
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(|e| name_taken(e, name))?;
        self.segment(id).await
    }

    pub async fn rename_segment(&self, id: i64, name: &str, now: i64) -> Result<SegmentRow> {
        let name = clean_name(name)?;
        let updated = sqlx::query("UPDATE segment SET name = ?, updated_at = ? WHERE id = ?")
            .bind(name)
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(|e| name_taken(e, name))?
            .rows_affected();
        if updated == 0 {
            return Err(Error::SegmentNotFound(id));
        }
        self.segment(id).await
    }

    pub async fn update_segment_filter(
        &self,
        id: i64,
        filter: &ContactFilter,
        now: i64,
    ) -> Result<SegmentRow> {
        let json = filter_json(filter)?;
        let updated = sqlx::query("UPDATE segment SET filter = ?, updated_at = ? WHERE id = ?")
            .bind(&json)
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(Error::SegmentNotFound(id));
        }
        self.segment(id).await
    }

    pub async fn delete_segment(&self, id: i64) -> Result<()> {
        let deleted = sqlx::query("DELETE FROM segment WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(Error::SegmentNotFound(id));
        }
        Ok(())
    }

    /// Up to `limit` ids of the segment's contacts above `after_id`, by id;
    /// with `eligible_only`, only those who may receive marketing now. A
    /// campaign reads its audience this way, batch after batch, and resumes
    /// from the last id it planned.
    pub async fn segment_contact_ids(
        &self,
        id: i64,
        eligible_only: bool,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<i64>> {
        let segment = self.segment(id).await?;
        self.contact_ids_after(&segment.filter, eligible_only, after_id, limit)
            .await
    }
}
