//! Imports of the audience: the record of each run (`import_run`), its rejected
//! rows (`import_row_error`), mapping presets (`mapping_preset`) and the writer
//! that applies an import's rows.
//!
//! # Whole or nothing
//!
//! An import's rows are staged and applied inside one write transaction
//! ([`ImportWriter`], `BEGIN IMMEDIATE`): contacts, tags, consent events,
//! opt-outs and rejected rows all go in, batch after batch, and become visible
//! together at [`ImportWriter::commit`]. A cancel rolls the transaction back; a
//! crash leaves it uncommitted, and SQLite discards it when the database is next
//! opened. Either way the contacts are exactly as they were. The `import_run`
//! row itself is written before (status `running`) and after (its outcome) in
//! transactions of its own, so that a run that never finished is still listed;
//! [`Store::fail_stale_import_runs`] marks those `failed`.
//!
//! Measured on a million contacts (2 cores), and so not done: copying the rows
//! into a staging table first and then into `contact` with one `INSERT …
//! SELECT` took as long as writing them straight in (the rows are written
//! twice); dropping the secondary indexes of an empty `contact` table and
//! rebuilding them after took as long as keeping them (about 5.5 s of CPU
//! either way). The indexes are most of the cost of an import.
//!
//! Rows are written with multi-row `INSERT … VALUES (…), (…)` statements of a
//! few hundred rows, prepared once per import; new contacts get their ids from
//! the writer (the table's largest id plus one onwards, which no one else can
//! take while the transaction holds the write lock), so that their tags and
//! consent events need no lookup.
//!
//! Does not parse files or judge rows (`cadence_core::audience` does); must not
//! depend on the engine or `tauri`.

use std::collections::HashMap;

use cadence_core::Language;
use cadence_core::audience::merge::ContactChange;
use cadence_core::audience::{
    ConsentKind, ConsentMark, ConsentState, ContactDraft, ExistingContact, ImportCounts,
    LedgerEvent, RejectedRow, RowError,
};
use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, Sqlite, Transaction};

use crate::{Error, Result, Store};

/// How an import ended (`import_run.status`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Running,
    Applied,
    DryRun,
    Cancelled,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Running => "running",
            ImportStatus::Applied => "applied",
            ImportStatus::DryRun => "dry_run",
            ImportStatus::Cancelled => "cancelled",
            ImportStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<ImportStatus> {
        Ok(match text {
            "running" => ImportStatus::Running,
            "applied" => ImportStatus::Applied,
            "dry_run" => ImportStatus::DryRun,
            "cancelled" => ImportStatus::Cancelled,
            "failed" => ImportStatus::Failed,
            other => {
                return Err(Error::UnknownValue(crate::templates::UnknownValue {
                    what: "import status",
                    value: other.to_owned(),
                }));
            }
        })
    }
}

/// An import about to run.
#[derive(Debug, Clone)]
pub struct NewImportRun {
    pub file_name: String,
    /// `subscribe` or `opt_out` (`ImportMode::as_str`).
    pub mode: &'static str,
    /// The options as JSON.
    pub options: String,
    pub started_at: i64,
}

/// One `import_run` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRunRow {
    pub id: i64,
    pub file_name: String,
    pub mode: String,
    pub status: ImportStatus,
    pub options: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub counts: ImportCounts,
    pub details: Option<String>,
    pub failure: Option<String>,
}

/// A saved column mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingPresetRow {
    pub name: String,
    /// `cadence_core::audience::ColumnMapping` as JSON.
    pub mapping: String,
    pub updated_at: i64,
}

const RUN_COLUMNS: &str = "id, file_name, mode, status, options, started_at, finished_at,
    read, created, updated, unchanged, invalid, duplicates_in_file, details, failure";

fn run_row(row: &sqlx::sqlite::SqliteRow) -> Result<ImportRunRow> {
    use sqlx::Row;
    let count = |name: &str| -> Result<u64> { Ok(row.try_get::<i64, _>(name)?.max(0) as u64) };
    Ok(ImportRunRow {
        id: row.try_get("id")?,
        file_name: row.try_get("file_name")?,
        mode: row.try_get("mode")?,
        status: ImportStatus::parse(&row.try_get::<String, _>("status")?)?,
        options: row.try_get("options")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        counts: ImportCounts {
            read: count("read")?,
            created: count("created")?,
            updated: count("updated")?,
            unchanged: count("unchanged")?,
            invalid: count("invalid")?,
            duplicates_in_file: count("duplicates_in_file")?,
        },
        details: row.try_get("details")?,
        failure: row.try_get("failure")?,
    })
}

impl Store {
    /// Records an import that is about to run (status `running`) and returns its id.
    pub async fn start_import_run(&self, run: &NewImportRun) -> Result<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO import_run (file_name, mode, status, options, started_at)
             VALUES (?, ?, 'running', ?, ?) RETURNING id",
        )
        .bind(&run.file_name)
        .bind(run.mode)
        .bind(&run.options)
        .bind(run.started_at)
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// Marks runs still `running` as `failed`: their process stopped before they
    /// finished (their rows were never committed). Call it before a new import
    /// starts: two imports never run at once, because each holds the write lock.
    pub async fn fail_stale_import_runs(&self, now: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE import_run SET status = 'failed', finished_at = ?,
                 failure = 'Cadence stopped before the import finished; nothing of it was applied'
             WHERE status = 'running'",
        )
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Records how a run ended when it did not commit (cancelled, failed): its
    /// counts so far and why.
    pub async fn end_import_run(
        &self,
        id: i64,
        status: ImportStatus,
        counts: &ImportCounts,
        details: Option<&str>,
        failure: Option<&str>,
        finished_at: i64,
    ) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        update_run(&mut conn, id, status, counts, details, failure, finished_at).await
    }

    /// One import's record.
    pub async fn import_run(&self, id: i64) -> Result<ImportRunRow> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM import_run WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::ImportNotFound(id))?;
        run_row(&row)
    }

    /// The latest imports, newest first.
    pub async fn import_runs(&self, limit: u32) -> Result<Vec<ImportRunRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM import_run ORDER BY id DESC LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run_row).collect()
    }

    /// How many rows of an import were rejected.
    pub async fn count_row_errors(&self, import_id: i64) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM import_row_error WHERE import_id = ?")
                .bind(import_id)
                .fetch_one(self.pool())
                .await?;
        Ok(n.max(0) as u64)
    }

    /// Rejected rows of an import by line, `limit` from `offset`, the reason in
    /// `language`.
    pub async fn row_errors(
        &self,
        import_id: i64,
        offset: u64,
        limit: u32,
        language: Language,
    ) -> Result<Vec<RejectedRow>> {
        let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT line, code, reason, raw, problem FROM import_row_error
             WHERE import_id = ? ORDER BY line LIMIT ? OFFSET ?",
        )
        .bind(import_id)
        .bind(i64::from(limit))
        .bind(offset as i64)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| rejected(row, language))
            .collect())
    }

    /// Calls `each` with every rejected row of an import, by line, without
    /// holding them all (a file of a million bad rows has a million).
    pub async fn for_each_row_error(
        &self,
        import_id: i64,
        language: Language,
        mut each: impl FnMut(RejectedRow) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut conn = self.pool().acquire().await?;
        let mut rows = sqlx::query_as::<_, (i64, String, String, String, Option<String>)>(
            "SELECT line, code, reason, raw, problem FROM import_row_error
             WHERE import_id = ? ORDER BY line",
        )
        .bind(import_id)
        .fetch(&mut *conn);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            each(rejected(row, language)).map_err(Error::Write)?;
            n += 1;
        }
        Ok(n)
    }

    /// The saved mapping presets, by name.
    pub async fn mapping_presets(&self) -> Result<Vec<MappingPresetRow>> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT name, mapping, updated_at FROM mapping_preset ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(name, mapping, updated_at)| MappingPresetRow {
                name,
                mapping,
                updated_at,
            })
            .collect())
    }

    /// The preset called `name`, if saved.
    pub async fn mapping_preset(&self, name: &str) -> Result<Option<MappingPresetRow>> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT name, mapping, updated_at FROM mapping_preset WHERE name = ?")
                .bind(name)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(name, mapping, updated_at)| MappingPresetRow {
            name,
            mapping,
            updated_at,
        }))
    }

    /// Saves (or replaces) a preset. `mapping` is JSON.
    pub async fn save_mapping_preset(&self, name: &str, mapping: &str, now: i64) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::InvalidAudience {
                field: "name",
                reason: "name the preset in 1 to 100 characters".into(),
            });
        }
        sqlx::query(
            "INSERT INTO mapping_preset (name, mapping, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(mapping)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes a preset; false when there was none by that name.
    pub async fn delete_mapping_preset(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM mapping_preset WHERE name = ?")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Opens the write transaction an import's rows go into.
    pub async fn begin_import(&self, import_id: i64) -> Result<ImportWriter> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let cache_size: i64 = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(&mut *tx)
            .await?;
        // A bigger page cache for the duration: inserting a million keys into the
        // contact indexes at random places reads each index page many times.
        sqlx::query(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
            .execute(&mut *tx)
            .await?;
        // Foreign keys are checked at the commit instead of by each statement.
        // With that and `OR FAIL` on every write, no statement can need undoing
        // on its own, so SQLite keeps no statement journal: with thousands of
        // multi-row statements, journaling every page each one touches cost
        // more than the inserts. A failing statement still fails the import,
        // which rolls the whole transaction back.
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut *tx)
            .await?;
        let (max_id, any_suppressed): (Option<i64>, bool) = sqlx::query_as(
            "SELECT (SELECT max(id) FROM contact), EXISTS (SELECT 1 FROM suppression)",
        )
        .fetch_one(&mut *tx)
        .await?;
        Ok(ImportWriter {
            tx,
            import_id,
            next_id: max_id.unwrap_or(0) + 1,
            contacts_empty: max_id.is_none(),
            any_suppressed,
            cache_size,
            sql: HashMap::new(),
        })
    }
}

/// The page cache an import's connection uses (KiB).
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

fn rejected(row: (i64, String, String, String, Option<String>), language: Language) -> RejectedRow {
    let (line, code, reason, raw, problem) = row;
    let reason = problem
        .and_then(|json| serde_json::from_str::<cadence_core::audience::RowProblem>(&json).ok())
        .map(|p| p.message(language))
        .unwrap_or(reason);
    RejectedRow {
        line: line.max(0) as u64,
        code,
        reason,
        raw,
    }
}

async fn update_run(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    status: ImportStatus,
    counts: &ImportCounts,
    details: Option<&str>,
    failure: Option<&str>,
    finished_at: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE import_run SET status = ?, finished_at = ?, read = ?, created = ?, updated = ?,
             unchanged = ?, invalid = ?, duplicates_in_file = ?, details = ?, failure = ?
         WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(finished_at)
    .bind(counts.read as i64)
    .bind(counts.created as i64)
    .bind(counts.updated as i64)
    .bind(counts.unchanged as i64)
    .bind(counts.invalid as i64)
    .bind(counts.duplicates_in_file as i64)
    .bind(details)
    .bind(failure)
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::ImportNotFound(id));
    }
    Ok(())
}

/// A new contact of an import: the row's values, the id the writer gave it and
/// its consent as derived from the row.
#[derive(Debug, Clone, Copy)]
pub struct ContactInsert<'a> {
    pub id: i64,
    pub draft: &'a ContactDraft,
    pub consent: ConsentState,
    pub consent_categories: Option<&'a str>,
}

/// A consent event an import appends.
#[derive(Debug, Clone, Copy)]
pub struct EventInsert<'a> {
    pub contact_id: i64,
    pub kind: ConsentKind,
    pub mark: &'a ConsentMark,
}

/// Rows per multi-row statement: a few hundred keeps each statement's
/// parameters (13 per contact) far below SQLite's limit of 32,766 and its
/// preparation cheap, while making the per-statement cost vanish.
const CHUNK: usize = 400;

/// The open write transaction of one import. Dropping it without
/// [`ImportWriter::commit`] rolls everything back.
pub struct ImportWriter {
    tx: Transaction<'static, Sqlite>,
    import_id: i64,
    next_id: i64,
    contacts_empty: bool,
    any_suppressed: bool,
    cache_size: i64,
    /// Multi-row statements by (table, rows), built once.
    sql: HashMap<(&'static str, usize), String>,
}

/// `INSERT INTO … (cols) VALUES (?, …), (?, …)` for `rows` rows.
fn values_sql(head: &str, columns: usize, rows: usize, tail: &str) -> String {
    let one = format!("({})", vec!["?"; columns].join(", "));
    let mut sql = String::with_capacity(head.len() + rows * (one.len() + 2) + tail.len());
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&one);
    }
    sql.push(' ');
    sql.push_str(tail);
    sql
}

impl ImportWriter {
    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    /// Whether the workspace had no contact when the import began.
    pub fn contacts_empty(&self) -> bool {
        self.contacts_empty
    }

    /// Ids for `n` new contacts, consecutive.
    pub fn allocate_ids(&mut self, n: usize) -> i64 {
        let first = self.next_id;
        self.next_id += n as i64;
        first
    }

    fn statement(
        &mut self,
        key: &'static str,
        rows: usize,
        build: impl FnOnce() -> String,
    ) -> String {
        self.sql.entry((key, rows)).or_insert_with(build).clone()
    }

    async fn run(&mut self, sql: &str, args: SqliteArguments<'_>, cached: bool) -> Result<()> {
        sqlx::query_with(sql, args)
            .persistent(cached)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// The contacts (with tags and ledgers) among `phones` (E.164), by phone.
    pub async fn existing(&mut self, phones: &[&str]) -> Result<HashMap<String, ExistingContact>> {
        let mut found: HashMap<String, ExistingContact> = HashMap::new();
        if self.contacts_empty || phones.is_empty() {
            return Ok(found);
        }
        let list = serde_json::to_string(phones).map_err(|source| Error::Json {
            what: "a list of phone numbers",
            source,
        })?;
        type Raw = (
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            i64,
            Option<String>,
            String,
            String,
            Option<String>,
        );
        // json_each turns one parameter into the list, whatever its length, so the
        // statement is prepared once; each phone is then one unique-index lookup.
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT id, phone, first_name, last_name, locale, time_zone, time_zone_inferred,
                    country, attributes, consent, consent_categories
             FROM contact WHERE phone IN (SELECT value FROM json_each(?1))",
        )
        .bind(&list)
        .fetch_all(&mut *self.tx)
        .await?;
        if rows.is_empty() {
            return Ok(found);
        }
        let mut by_id: HashMap<i64, String> = HashMap::with_capacity(rows.len());
        for row in rows {
            let consent = ConsentState::parse(&row.9).ok_or_else(|| {
                Error::UnknownValue(crate::templates::UnknownValue {
                    what: "consent state",
                    value: row.9.clone(),
                })
            })?;
            by_id.insert(row.0, row.1.clone());
            found.insert(
                row.1.clone(),
                ExistingContact {
                    id: row.0,
                    phone: row.1,
                    first_name: row.2,
                    last_name: row.3,
                    locale: row.4,
                    time_zone: row.5,
                    time_zone_inferred: row.6 != 0,
                    country: row.7,
                    attributes: row.8,
                    consent,
                    consent_categories: row.10,
                    tags: Vec::new(),
                    events: Vec::new(),
                },
            );
        }
        let ids: Vec<i64> = by_id.keys().copied().collect();
        let ids = serde_json::to_string(&ids).map_err(|source| Error::Json {
            what: "a list of contact ids",
            source,
        })?;
        let tags: Vec<(i64, String)> = sqlx::query_as(
            "SELECT contact_id, tag FROM contact_tag
             WHERE contact_id IN (SELECT value FROM json_each(?1)) ORDER BY contact_id, tag",
        )
        .bind(&ids)
        .fetch_all(&mut *self.tx)
        .await?;
        for (id, tag) in tags {
            if let Some(contact) = by_id.get(&id).and_then(|p| found.get_mut(p)) {
                contact.tags.push(tag);
            }
        }
        let events: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
            "SELECT contact_id, kind, occurred_at, source, categories FROM consent_event
             WHERE contact_id IN (SELECT value FROM json_each(?1))
             ORDER BY contact_id, occurred_at, id",
        )
        .bind(&ids)
        .fetch_all(&mut *self.tx)
        .await?;
        for (id, kind, occurred_at, source, categories) in events {
            let kind = ConsentKind::parse(&kind).ok_or_else(|| {
                Error::UnknownValue(crate::templates::UnknownValue {
                    what: "consent event kind",
                    value: kind.clone(),
                })
            })?;
            if let Some(contact) = by_id.get(&id).and_then(|p| found.get_mut(p)) {
                contact.events.push(LedgerEvent {
                    kind,
                    occurred_at,
                    source,
                    categories,
                });
            }
        }
        Ok(found)
    }

    /// Which of `phones` are on the opt-out list.
    pub async fn suppressed(
        &mut self,
        phones: &[&str],
    ) -> Result<std::collections::HashSet<String>> {
        if !self.any_suppressed || phones.is_empty() {
            return Ok(Default::default());
        }
        let list = serde_json::to_string(phones).map_err(|source| Error::Json {
            what: "a list of phone numbers",
            source,
        })?;
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT phone FROM suppression WHERE phone IN (SELECT value FROM json_each(?1))",
        )
        .bind(&list)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Inserts new contacts with the ids [`ImportWriter::allocate_ids`] gave them.
    pub async fn insert_contacts(
        &mut self,
        contacts: &[ContactInsert<'_>],
        now: i64,
    ) -> Result<()> {
        const COLUMNS: usize = 13;
        for chunk in contacts.chunks(CHUNK) {
            let sql = self.statement("contact", chunk.len(), || {
                values_sql(
                    "INSERT OR FAIL INTO contact (id, phone, first_name, last_name, locale, time_zone,
                         time_zone_inferred, country, attributes, consent, consent_categories,
                         created_at, updated_at)",
                    COLUMNS,
                    chunk.len(),
                    "",
                )
            });
            let mut args = arguments(chunk.len() * COLUMNS);
            for c in chunk {
                let d = c.draft;
                add(&mut args, c.id)?;
                add(&mut args, d.phone.as_str())?;
                add(&mut args, d.first_name.as_deref())?;
                add(&mut args, d.last_name.as_deref())?;
                add(&mut args, d.locale.as_deref())?;
                add(&mut args, d.time_zone.as_str())?;
                add(&mut args, i64::from(d.time_zone_inferred))?;
                add(&mut args, d.country.as_deref())?;
                add(&mut args, d.attributes_json.as_str())?;
                add(&mut args, c.consent.as_str())?;
                add(&mut args, c.consent_categories)?;
                add(&mut args, now)?;
                add(&mut args, now)?;
            }
            self.run(&sql, args, chunk.len() == CHUNK).await?;
        }
        Ok(())
    }

    /// Writes merged contacts back (only those whose row changed).
    pub async fn update_contacts(&mut self, changes: &[&ContactChange], now: i64) -> Result<()> {
        const COLUMNS: usize = 11;
        let changed: Vec<&&ContactChange> = changes.iter().filter(|c| c.row_changed).collect();
        for chunk in changed.chunks(CHUNK) {
            // UPDATE … FROM (VALUES …): one statement for a few hundred contacts;
            // the VALUES columns are called column1, column2, … by SQLite.
            let sql = self.statement("contact_update", chunk.len(), || {
                let values = values_sql("", COLUMNS, chunk.len(), "");
                format!(
                    "UPDATE OR FAIL contact SET first_name = v.column2, last_name = v.column3,
                         locale = v.column4, time_zone = v.column5, time_zone_inferred = v.column6,
                         country = v.column7, attributes = v.column8, consent = v.column9,
                         consent_categories = v.column10, updated_at = v.column11
                     FROM (SELECT * FROM ({values})) AS v
                     WHERE contact.id = v.column1"
                )
            });
            let mut args = arguments(chunk.len() * COLUMNS);
            for c in chunk {
                add(&mut args, c.id)?;
                add(&mut args, c.first_name.as_deref())?;
                add(&mut args, c.last_name.as_deref())?;
                add(&mut args, c.locale.as_deref())?;
                add(&mut args, c.time_zone.as_str())?;
                add(&mut args, i64::from(c.time_zone_inferred))?;
                add(&mut args, c.country.as_deref())?;
                add(&mut args, c.attributes.as_str())?;
                add(&mut args, c.consent.as_str())?;
                add(&mut args, c.consent_categories.as_deref())?;
                add(&mut args, now)?;
            }
            self.run(&sql, args, chunk.len() == CHUNK).await?;
        }
        Ok(())
    }

    /// Adds tags; a tag a contact already has is left as it is.
    pub async fn insert_tags(&mut self, tags: &[(i64, &str)]) -> Result<()> {
        for chunk in tags.chunks(CHUNK * 4) {
            let sql = self.statement("contact_tag", chunk.len(), || {
                values_sql(
                    "INSERT OR IGNORE INTO contact_tag (contact_id, tag)",
                    2,
                    chunk.len(),
                    "",
                )
            });
            let mut args = arguments(chunk.len() * 2);
            for (id, tag) in chunk {
                add(&mut args, *id)?;
                add(&mut args, *tag)?;
            }
            self.run(&sql, args, chunk.len() == CHUNK * 4).await?;
        }
        Ok(())
    }

    /// Appends consent events, linked to this import.
    pub async fn insert_consent_events(
        &mut self,
        events: &[EventInsert<'_>],
        now: i64,
    ) -> Result<()> {
        const COLUMNS: usize = 8;
        let import_id = self.import_id;
        for chunk in events.chunks(CHUNK) {
            let sql = self.statement("consent_event", chunk.len(), || {
                values_sql(
                    "INSERT OR FAIL INTO consent_event (contact_id, kind, occurred_at, recorded_at, source,
                         categories, evidence, import_id)",
                    COLUMNS,
                    chunk.len(),
                    "",
                )
            });
            let mut args = arguments(chunk.len() * COLUMNS);
            for e in chunk {
                add(&mut args, e.contact_id)?;
                add(&mut args, e.kind.as_str())?;
                add(&mut args, e.mark.occurred_at)?;
                add(&mut args, now)?;
                add(&mut args, e.mark.source.as_str())?;
                add(&mut args, e.mark.categories.as_str())?;
                add(&mut args, e.mark.evidence.as_deref())?;
                add(&mut args, import_id)?;
            }
            self.run(&sql, args, chunk.len() == CHUNK).await?;
        }
        Ok(())
    }

    /// Puts numbers on the opt-out list (a number already there keeps its entry).
    pub async fn insert_suppressions(
        &mut self,
        phones: &[&str],
        source: &str,
        now: i64,
    ) -> Result<()> {
        for chunk in phones.chunks(CHUNK * 2) {
            let sql = self.statement("suppression", chunk.len(), || {
                values_sql(
                    "INSERT OR IGNORE INTO suppression (phone, reason, source, added_at)",
                    4,
                    chunk.len(),
                    "",
                )
            });
            let mut args = arguments(chunk.len() * 4);
            for phone in chunk {
                add(&mut args, *phone)?;
                add(&mut args, "opted out (imported opt-out list)")?;
                add(&mut args, source)?;
                add(&mut args, now)?;
            }
            self.run(&sql, args, chunk.len() == CHUNK * 2).await?;
        }
        self.any_suppressed |= !phones.is_empty();
        Ok(())
    }

    /// Records rejected rows (and duplicates) with their reasons.
    pub async fn insert_row_errors(&mut self, errors: &[RowError]) -> Result<()> {
        const COLUMNS: usize = 6;
        let import_id = self.import_id;
        for chunk in errors.chunks(CHUNK) {
            let sql = self.statement("import_row_error", chunk.len(), || {
                values_sql(
                    "INSERT OR FAIL INTO import_row_error (import_id, line, code, reason, raw, problem)",
                    COLUMNS,
                    chunk.len(),
                    "",
                )
            });
            let mut args = arguments(chunk.len() * COLUMNS);
            for e in chunk {
                let problem = serde_json::to_string(&e.problem).map_err(|source| Error::Json {
                    what: "a row problem",
                    source,
                })?;
                add(&mut args, import_id)?;
                add(&mut args, e.line as i64)?;
                add(&mut args, e.problem.code())?;
                add(&mut args, e.problem.message(Language::En))?;
                add(&mut args, e.raw.as_str())?;
                add(&mut args, problem)?;
            }
            self.run(&sql, args, chunk.len() == CHUNK).await?;
        }
        Ok(())
    }

    /// Records the run's outcome and makes everything visible at once.
    pub async fn commit(
        mut self,
        status: ImportStatus,
        counts: &ImportCounts,
        details: Option<&str>,
        finished_at: i64,
    ) -> Result<()> {
        counts
            .check()
            .map_err(|e| Error::ImportCountsMismatch(e.to_string()))?;
        update_run(
            &mut self.tx,
            self.import_id,
            status,
            counts,
            details,
            None,
            finished_at,
        )
        .await?;
        self.restore_cache().await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Discards everything the import wrote.
    pub async fn rollback(mut self) -> Result<()> {
        self.restore_cache().await?;
        self.tx.rollback().await?;
        Ok(())
    }

    /// Gives the connection its usual page cache back before it returns to the
    /// pool (a writer dropped without commit or rollback keeps the bigger one
    /// until the pool closes the connection).
    async fn restore_cache(&mut self) -> Result<()> {
        sqlx::query(&format!("PRAGMA cache_size = {}", self.cache_size))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

/// Arguments with room for `values` values, so that a statement of a few
/// thousand parameters is not built by repeated regrowing.
fn arguments<'q>(values: usize) -> SqliteArguments<'q> {
    let mut args = SqliteArguments::default();
    args.reserve(values, 0);
    args
}

fn add<'q, T>(args: &mut SqliteArguments<'q>, value: T) -> Result<()>
where
    T: sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + 'q,
{
    args.add(value)
        .map_err(|e| Error::Query(sqlx::Error::Encode(e)))
}
