//! The template studio's tables: `template` (the current draft and the state of
//! the version submitted last), `template_version` (read-only snapshots of what
//! was submitted), the status and quality histories, the lint settings with the
//! team dictionary, and `template_studio_state` (how far the studio has read the
//! webhook events, whether the sandbox examples were added).
//!
//! Owns the template status state machine ([`STATUS_TRANSITIONS`]). Stores; does
//! not talk to Meta, lint or parse webhooks: the engine does, then hands the
//! outcome here. Times are RFC 3339 text (UTC, milliseconds) given by the caller,
//! whose clock is injected.

use std::fmt;
use std::str::FromStr;

use cadence_core::lint::LintSettings;
use cadence_core::template::{Category, Template};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::{Error, Result, Store};

/// Where a template stands: `Draft` until it is first submitted, then Meta's
/// status of the version submitted last.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type, PartialOrd, Ord,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TemplateStatus {
    /// Never submitted.
    Draft,
    /// Submitted, in Meta's review.
    Pending,
    Approved,
    Rejected,
    /// Quality fell to RED: paused for 3 hours the first time, 6 the second.
    Paused,
    /// Disabled after the third pause (or by Meta's policy).
    Disabled,
    /// The business appealed a rejection or a disabling.
    InAppeal,
    PendingDeletion,
    Deleted,
    /// Archived by Meta for lack of use.
    Archived,
    /// Meta flagged it: low quality, at risk of being disabled.
    Flagged,
    /// The account has more templates than Meta allows.
    LimitExceeded,
}

impl TemplateStatus {
    pub const ALL: [TemplateStatus; 12] = [
        TemplateStatus::Draft,
        TemplateStatus::Pending,
        TemplateStatus::Approved,
        TemplateStatus::Rejected,
        TemplateStatus::Paused,
        TemplateStatus::Disabled,
        TemplateStatus::InAppeal,
        TemplateStatus::PendingDeletion,
        TemplateStatus::Deleted,
        TemplateStatus::Archived,
        TemplateStatus::Flagged,
        TemplateStatus::LimitExceeded,
    ];

    /// The stored text, which is also Meta's word for every status but `DRAFT`.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateStatus::Draft => "DRAFT",
            TemplateStatus::Pending => "PENDING",
            TemplateStatus::Approved => "APPROVED",
            TemplateStatus::Rejected => "REJECTED",
            TemplateStatus::Paused => "PAUSED",
            TemplateStatus::Disabled => "DISABLED",
            TemplateStatus::InAppeal => "IN_APPEAL",
            TemplateStatus::PendingDeletion => "PENDING_DELETION",
            TemplateStatus::Deleted => "DELETED",
            TemplateStatus::Archived => "ARCHIVED",
            TemplateStatus::Flagged => "FLAGGED",
            TemplateStatus::LimitExceeded => "LIMIT_EXCEEDED",
        }
    }

    /// Whether the status may become `to` on `trigger`; see [`STATUS_TRANSITIONS`].
    ///
    /// A refresh reads Meta's current status, which is the truth even when the
    /// steps in between were missed (approved, then paused, between two reads),
    /// so it may move any submitted template to any of Meta's statuses. Webhooks
    /// are events that can arrive late and out of order: they move a template
    /// only along the table, so a late `PENDING` never undoes an `APPROVED`.
    pub fn allows(self, to: TemplateStatus, trigger: Trigger) -> bool {
        if self == to {
            return false;
        }
        if trigger == Trigger::Refresh {
            // Drafts are not on Meta, and a deleted template stays deleted even
            // while Meta still lists it (deletion takes Meta a while).
            let on_meta = !matches!(self, TemplateStatus::Draft | TemplateStatus::Deleted);
            return on_meta && to != TemplateStatus::Draft;
        }
        STATUS_TRANSITIONS
            .iter()
            .any(|(from, on, next)| *from == self && on.contains(&trigger) && *next == to)
    }
}

impl fmt::Display for TemplateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TemplateStatus {
    type Err = UnknownValue;

    /// Meta's status words (any case) and `DRAFT`.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        TemplateStatus::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownValue {
                what: "template status",
                value: s.to_owned(),
            })
    }
}

/// What moves a template from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// Cadence submitted a version (and Meta's answer to the create).
    Submission,
    /// Meta said so in a webhook.
    Webhook,
    /// Cadence read Meta's current status (see [`TemplateStatus::allows`]).
    Refresh,
    /// The user deleted the template (on Meta too).
    Deletion,
}

use TemplateStatus as S;
use Trigger as T;

const SUBMISSION: &[Trigger] = &[T::Submission];
const META: &[Trigger] = &[T::Webhook];
/// Moves both Meta and Cadence make (or that Meta's answer to a create shows).
const META_OR_SUBMISSION: &[Trigger] = &[T::Webhook, T::Submission];
const DELETION: &[Trigger] = &[T::Webhook, T::Deletion];

/// Every status change a webhook, a submission or a deletion may make. A
/// refresh is the exception described at [`TemplateStatus::allows`].
pub const STATUS_TRANSITIONS: &[(TemplateStatus, &[Trigger], TemplateStatus)] = &[
    // The first submission, and a new version submitted after an earlier one was
    // decided (a version in review must be decided first).
    (S::Draft, SUBMISSION, S::Pending),
    // A webhook never moves a template back to PENDING: webhooks arrive late and
    // out of order, and a stale PENDING must not undo a decision. A template
    // edited in WhatsApp Manager goes back to review there; the next refresh
    // (which reads Meta's current status) shows it.
    (S::Rejected, SUBMISSION, S::Pending),
    (S::Approved, SUBMISSION, S::Pending),
    (S::Paused, SUBMISSION, S::Pending),
    (S::Disabled, SUBMISSION, S::Pending),
    (S::Flagged, SUBMISSION, S::Pending),
    (S::Archived, SUBMISSION, S::Pending),
    (S::LimitExceeded, SUBMISSION, S::Pending),
    // Deleted by Meta (or in WhatsApp Manager); one the user deleted in Cadence
    // is gone from the studio and cannot be submitted.
    (S::Deleted, SUBMISSION, S::Pending),
    // Review. Meta may answer the create with its decision already.
    (S::Pending, META_OR_SUBMISSION, S::Approved),
    (S::Pending, META_OR_SUBMISSION, S::Rejected),
    (S::Pending, META_OR_SUBMISSION, S::LimitExceeded),
    // Appeals.
    (S::Rejected, META, S::InAppeal),
    (S::Rejected, META, S::Approved),
    (S::Disabled, META, S::InAppeal),
    (S::InAppeal, META, S::Approved),
    (S::InAppeal, META, S::Rejected),
    // Quality: flagged, paused (3 h, then 6 h), disabled the third time.
    (S::Approved, META, S::Flagged),
    (S::Approved, META, S::Paused),
    (S::Approved, META, S::Disabled),
    (S::Approved, META, S::Rejected),
    (S::Flagged, META, S::Approved),
    (S::Flagged, META, S::Paused),
    (S::Flagged, META, S::Disabled),
    (S::Paused, META, S::Approved),
    (S::Paused, META, S::Disabled),
    (S::Disabled, META, S::Approved),
    // Meta's archive of unused templates, and back.
    (S::Approved, META, S::Archived),
    (S::Archived, META, S::Approved),
    // Deletion: by Meta (webhook) or by the user through Cadence.
    (S::Approved, META, S::PendingDeletion),
    (S::Paused, META, S::PendingDeletion),
    (S::Disabled, META, S::PendingDeletion),
    (S::PendingDeletion, DELETION, S::Deleted),
    (S::Pending, DELETION, S::Deleted),
    (S::Approved, DELETION, S::Deleted),
    (S::Rejected, DELETION, S::Deleted),
    (S::Paused, DELETION, S::Deleted),
    (S::Disabled, DELETION, S::Deleted),
    (S::InAppeal, DELETION, S::Deleted),
    (S::Archived, DELETION, S::Deleted),
    (S::Flagged, DELETION, S::Deleted),
    (S::LimitExceeded, DELETION, S::Deleted),
];

/// A template's quality score, as Meta rates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QualityRating {
    Green,
    Yellow,
    Red,
    /// Not rated yet (a new template).
    Unknown,
}

impl QualityRating {
    pub const ALL: [QualityRating; 4] = [
        QualityRating::Green,
        QualityRating::Yellow,
        QualityRating::Red,
        QualityRating::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QualityRating::Green => "GREEN",
            QualityRating::Yellow => "YELLOW",
            QualityRating::Red => "RED",
            QualityRating::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for QualityRating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QualityRating {
    type Err = UnknownValue;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        QualityRating::ALL
            .into_iter()
            .find(|rating| rating.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownValue {
                what: "quality rating",
                value: s.to_owned(),
            })
    }
}

/// A value that is not one of the enumeration's (from Meta or from the database).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// What told Cadence about a change (the histories' `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSource {
    Submission,
    Webhook,
    Refresh,
    Deletion,
}

impl ChangeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSource::Submission => "submission",
            ChangeSource::Webhook => "webhook",
            ChangeSource::Refresh => "refresh",
            ChangeSource::Deletion => "deletion",
        }
    }

    fn trigger(self) -> Trigger {
        match self {
            ChangeSource::Submission => Trigger::Submission,
            ChangeSource::Webhook => Trigger::Webhook,
            ChangeSource::Refresh => Trigger::Refresh,
            ChangeSource::Deletion => Trigger::Deletion,
        }
    }
}

impl FromStr for ChangeSource {
    type Err = UnknownValue;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        [
            ChangeSource::Submission,
            ChangeSource::Webhook,
            ChangeSource::Refresh,
            ChangeSource::Deletion,
        ]
        .into_iter()
        .find(|source| source.as_str() == s)
        .ok_or_else(|| UnknownValue {
            what: "change source",
            value: s.to_owned(),
        })
    }
}

/// The stored text of a category (Meta's word).
pub fn category_str(category: Category) -> &'static str {
    match category {
        Category::Marketing => "MARKETING",
        Category::Utility => "UTILITY",
        Category::Authentication => "AUTHENTICATION",
    }
}

/// The category of Meta's word (any case).
pub fn parse_category(s: &str) -> std::result::Result<Category, UnknownValue> {
    [
        Category::Marketing,
        Category::Utility,
        Category::Authentication,
    ]
    .into_iter()
    .find(|category| category_str(*category).eq_ignore_ascii_case(s))
    .ok_or_else(|| UnknownValue {
        what: "category",
        value: s.to_owned(),
    })
}

/// A template as stored: its draft and where its last submitted version stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub id: i64,
    /// The current draft (what the editor shows).
    pub draft: Template,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    /// One of the examples a sandbox workspace starts with.
    pub example: bool,
    /// Meta's id of the version submitted last.
    pub meta_template_id: Option<String>,
    pub status: TemplateStatus,
    pub status_changed_at: Option<String>,
    pub quality: Option<QualityRating>,
    pub rejected_reason: Option<String>,
    pub rejection_detail: Option<String>,
    /// The category Meta gave it, when Meta re-categorised it.
    pub meta_category: Option<Category>,
    /// How many versions were submitted.
    pub versions: i64,
    /// The draft was edited after the version submitted last (always false
    /// before the first submission).
    pub unsubmitted_changes: bool,
}

/// Which templates to list. The default lists every template (archived ones too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateFilter {
    /// Meta's language code, exactly (`ru`, `en_US`).
    pub language: Option<String>,
    pub category: Option<Category>,
    pub status: Option<TemplateStatus>,
    /// A part of the name (case-insensitive for ASCII letters).
    pub name_contains: Option<String>,
    /// `Some(true)`: only archived templates; `Some(false)`: only the others.
    pub archived: Option<bool>,
}

/// A submitted version, read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateVersionRow {
    pub id: i64,
    pub template_id: i64,
    pub version: i64,
    /// The template exactly as submitted.
    pub content: Template,
    /// The create request's JSON, exactly as sent.
    pub request: String,
    pub submitted_at: String,
    pub meta_template_id: String,
}

/// A version about to be recorded: what was submitted and Meta's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubmission<'a> {
    /// The template as submitted (with the media handle, if one was uploaded).
    pub content: &'a Template,
    /// The create request's JSON as sent.
    pub request: &'a str,
    pub meta_template_id: &'a str,
    /// The status in Meta's answer (usually `Pending`).
    pub status: TemplateStatus,
    /// The category in Meta's answer.
    pub meta_category: Option<Category>,
    pub at: &'a str,
}

/// One row of the status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChangeRow {
    pub id: i64,
    pub template_id: i64,
    pub meta_template_id: Option<String>,
    pub changed_at: String,
    pub from: TemplateStatus,
    pub to: TemplateStatus,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub source: ChangeSource,
}

/// One row of the quality history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityChangeRow {
    pub id: i64,
    pub template_id: i64,
    pub meta_template_id: Option<String>,
    pub changed_at: String,
    pub from: Option<QualityRating>,
    pub to: QualityRating,
    pub source: ChangeSource,
}

/// What Meta said about one of its templates (a webhook event or a refresh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateReport {
    /// Meta's template id; older quality webhooks carry only name and language.
    pub meta_template_id: Option<String>,
    pub name: String,
    pub language: String,
    pub status: Option<StatusReport>,
    pub quality: Option<QualityRating>,
    /// The category Meta gives the template now.
    pub category: Option<Category>,
    pub source: ChangeSource,
    pub at: String,
    /// The webhook event that carried it: the studio's reading advances past it
    /// in the same transaction.
    pub webhook_event_id: Option<i64>,
}

/// A status with Meta's reason and explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub status: TemplateStatus,
    pub reason: Option<String>,
    pub detail: Option<String>,
}

/// What applying a report changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedReport {
    pub template_id: i64,
    /// `(from, to)` when the status changed.
    pub status: Option<(TemplateStatus, TemplateStatus)>,
    /// `(from, to)` when the quality changed.
    pub quality: Option<(Option<QualityRating>, QualityRating)>,
    /// A reported status the state machine refused (a late or out-of-order
    /// webhook): kept out of the history, here so that the caller can log it.
    pub refused_status: Option<TemplateStatus>,
}

/// What deleting a template did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// A template never submitted: gone, with nothing left.
    Removed,
    /// A submitted template: hidden for good, its history kept.
    MarkedDeleted { from: TemplateStatus },
}

/// A template that is on Meta: what a refresh compares Meta's list with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedTemplate {
    pub id: i64,
    pub meta_template_id: String,
    /// The name and language of the version on Meta (the draft may differ).
    pub name: String,
    pub language: String,
    pub status: TemplateStatus,
    pub quality: Option<QualityRating>,
    /// When its current version was submitted.
    pub submitted_at: String,
}

/// A template webhook event not yet applied by the studio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateWebhookEvent {
    pub id: i64,
    /// `template_status` or `template_quality`.
    pub kind: String,
    /// The normalized event as JSON (cadence_whatsapp's `WebhookEvent`).
    pub payload: String,
    /// When Cadence received the delivery that carried it.
    pub received_at: String,
}

/// Where the studio got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioState {
    pub applied_event_id: i64,
    pub last_refresh_at: Option<String>,
    pub examples_seeded_at: Option<String>,
}

/// The columns every template read selects, in [`RawTemplate`]'s order.
/// `unsubmitted_changes` compares the draft with the newest version's JSON:
/// both are written by serde from the same type, so equal templates give equal
/// text.
const TEMPLATE_COLUMNS: &str = "t.id, t.draft, t.created_at, t.updated_at, t.archived_at, \
    t.example, t.meta_template_id, t.status, t.status_changed_at, t.quality, \
    t.rejected_reason, t.rejection_detail, t.meta_category, \
    (SELECT COUNT(*) FROM template_version v WHERE v.template_id = t.id) AS versions, \
    COALESCE((SELECT v.content <> t.draft FROM template_version v WHERE v.template_id = t.id \
              ORDER BY v.version DESC LIMIT 1), 0) AS unsubmitted_changes";

#[derive(sqlx::FromRow)]
struct RawTemplate {
    id: i64,
    draft: String,
    created_at: String,
    updated_at: String,
    archived_at: Option<String>,
    example: bool,
    meta_template_id: Option<String>,
    status: String,
    status_changed_at: Option<String>,
    quality: Option<String>,
    rejected_reason: Option<String>,
    rejection_detail: Option<String>,
    meta_category: Option<String>,
    versions: i64,
    unsubmitted_changes: bool,
}

impl RawTemplate {
    fn into_row(self) -> Result<TemplateRow> {
        Ok(TemplateRow {
            id: self.id,
            draft: from_json("a template draft", &self.draft)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            archived_at: self.archived_at,
            example: self.example,
            meta_template_id: self.meta_template_id,
            status: stored(self.status.parse())?,
            status_changed_at: self.status_changed_at,
            quality: self.quality.map(|q| stored(q.parse())).transpose()?,
            rejected_reason: self.rejected_reason,
            rejection_detail: self.rejection_detail,
            meta_category: self
                .meta_category
                .map(|c| stored(parse_category(&c)))
                .transpose()?,
            versions: self.versions,
            unsubmitted_changes: self.unsubmitted_changes,
        })
    }
}

/// A value the CHECK constraints let in but this build cannot read: a newer
/// Cadence wrote it, or the file was edited by hand.
fn stored<T>(parsed: std::result::Result<T, UnknownValue>) -> Result<T> {
    parsed.map_err(Error::UnknownValue)
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Plain data (strings, enums, maps with string keys): serializing cannot fail.
    serde_json::to_string(value).expect("plain data serializes to JSON")
}

fn from_json<T: serde::de::DeserializeOwned>(what: &'static str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|source| Error::Json { what, source })
}

impl Store {
    /// Adds a draft and returns it as stored.
    pub async fn create_template(
        &self,
        draft: &Template,
        at: &str,
        example: bool,
    ) -> Result<TemplateRow> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO template (name, language, category, draft, created_at, updated_at, example)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&draft.name)
        .bind(&draft.language)
        .bind(category_str(draft.category))
        .bind(to_json(draft))
        .bind(at)
        .bind(at)
        .bind(example)
        .fetch_one(self.pool())
        .await?;
        self.template(id).await
    }

    /// The template `id`; deleted templates are not found.
    pub async fn template(&self, id: i64) -> Result<TemplateRow> {
        let mut conn = self.pool().acquire().await?;
        template_in(&mut conn, id).await
    }

    /// The templates `filter` lets through, most recently edited first.
    pub async fn templates(&self, filter: &TemplateFilter) -> Result<Vec<TemplateRow>> {
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT {TEMPLATE_COLUMNS} FROM template t WHERE t.deleted_at IS NULL"
        ));
        match filter.archived {
            Some(true) => query.push(" AND t.archived_at IS NOT NULL"),
            Some(false) => query.push(" AND t.archived_at IS NULL"),
            None => &mut query,
        };
        if let Some(language) = &filter.language {
            query.push(" AND t.language = ").push_bind(language.clone());
        }
        if let Some(category) = filter.category {
            query
                .push(" AND t.category = ")
                .push_bind(category_str(category));
        }
        if let Some(status) = filter.status {
            query.push(" AND t.status = ").push_bind(status.as_str());
        }
        if let Some(part) = filter.name_contains.as_deref().filter(|p| !p.is_empty()) {
            // instr() rather than LIKE: the user's `_` and `%` are plain characters.
            query
                .push(" AND instr(lower(t.name), lower(")
                .push_bind(part.to_owned())
                .push(")) > 0");
        }
        query.push(" ORDER BY t.updated_at DESC, t.id DESC");
        let raw: Vec<RawTemplate> = query.build_query_as().fetch_all(self.pool()).await?;
        raw.into_iter().map(RawTemplate::into_row).collect()
    }

    /// The names of every template not deleted (to name a copy).
    pub async fn template_names(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT name FROM template WHERE deleted_at IS NULL")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Replaces the draft of `id` (the editor saves as the author types). Any
    /// template shape is kept as it is: judging it is the linter's job.
    pub async fn save_template_draft(
        &self,
        id: i64,
        draft: &Template,
        at: &str,
    ) -> Result<TemplateRow> {
        let updated = sqlx::query(
            "UPDATE template SET name = ?, language = ?, category = ?, draft = ?, updated_at = ?
             WHERE id = ? AND deleted_at IS NULL",
        )
        .bind(&draft.name)
        .bind(&draft.language)
        .bind(category_str(draft.category))
        .bind(to_json(draft))
        .bind(at)
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(Error::TemplateNotFound(id));
        }
        self.template(id).await
    }

    /// Archives `id` (hides it from the list) when `archived_at` is given, or
    /// brings it back when it is `None`.
    pub async fn set_template_archived(
        &self,
        id: i64,
        archived_at: Option<&str>,
    ) -> Result<TemplateRow> {
        let updated =
            sqlx::query("UPDATE template SET archived_at = ? WHERE id = ? AND deleted_at IS NULL")
                .bind(archived_at)
                .bind(id)
                .execute(self.pool())
                .await?
                .rows_affected();
        if updated == 0 {
            return Err(Error::TemplateNotFound(id));
        }
        self.template(id).await
    }

    /// Deletes `id`: outright when it was never submitted; otherwise marks it
    /// deleted (status `DELETED`, source `deletion`) and keeps its history.
    pub async fn delete_template(&self, id: i64, at: &str) -> Result<Deleted> {
        let mut tx = self.write_transaction().await?;
        let row = template_in(&mut tx, id).await?;
        let outcome = match row.meta_template_id {
            None => {
                sqlx::query("DELETE FROM template WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Deleted::Removed
            }
            Some(meta_id) => {
                let from = row.status;
                if from != TemplateStatus::Deleted {
                    check_move(id, from, TemplateStatus::Deleted, Trigger::Deletion)?;
                    insert_status_change(
                        &mut tx,
                        id,
                        Some(&meta_id),
                        at,
                        from,
                        TemplateStatus::Deleted,
                        None,
                        None,
                        ChangeSource::Deletion,
                        None,
                    )
                    .await?;
                }
                sqlx::query(
                    "UPDATE template SET deleted_at = ?, status = 'DELETED', status_changed_at = ?
                     WHERE id = ?",
                )
                .bind(at)
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                Deleted::MarkedDeleted { from }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records a submission: a new read-only version, the draft set to what was
    /// submitted, the template now following the new Meta template (status as
    /// Meta answered, quality not rated yet), and the history rows.
    pub async fn record_submission(
        &self,
        id: i64,
        submission: &NewSubmission<'_>,
    ) -> Result<TemplateVersionRow> {
        let mut tx = self.write_transaction().await?;
        let row = template_in(&mut tx, id).await?;
        let from = row.status;
        check_move(id, from, TemplateStatus::Pending, Trigger::Submission)?;
        if submission.status != TemplateStatus::Pending {
            check_move(
                id,
                TemplateStatus::Pending,
                submission.status,
                Trigger::Submission,
            )?;
        }
        let content = to_json(submission.content);
        let version: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM template_version WHERE template_id = ?",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let version_id: i64 = sqlx::query_scalar(
            "INSERT INTO template_version
                 (template_id, version, content, request, submitted_at, meta_template_id)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(id)
        .bind(version)
        .bind(&content)
        .bind(submission.request)
        .bind(submission.at)
        .bind(submission.meta_template_id)
        .fetch_one(&mut *tx)
        .await?;
        let meta_category = submission
            .meta_category
            .filter(|c| *c != submission.content.category);
        sqlx::query(
            "UPDATE template SET name = ?, language = ?, category = ?, draft = ?,
                 meta_template_id = ?, status = ?, status_changed_at = ?, quality = 'UNKNOWN',
                 rejected_reason = NULL, rejection_detail = NULL, meta_category = ?
             WHERE id = ?",
        )
        .bind(&submission.content.name)
        .bind(&submission.content.language)
        .bind(category_str(submission.content.category))
        .bind(&content)
        .bind(submission.meta_template_id)
        .bind(submission.status.as_str())
        .bind(submission.at)
        .bind(meta_category.map(category_str))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let meta_id = Some(submission.meta_template_id);
        let mut moves = vec![(from, TemplateStatus::Pending)];
        if submission.status != TemplateStatus::Pending {
            moves.push((TemplateStatus::Pending, submission.status));
        }
        for (before, after) in moves {
            insert_status_change(
                &mut tx,
                id,
                meta_id,
                submission.at,
                before,
                after,
                None,
                None,
                ChangeSource::Submission,
                None,
            )
            .await?;
        }
        if row.quality != Some(QualityRating::Unknown) {
            insert_quality_change(
                &mut tx,
                id,
                meta_id,
                submission.at,
                row.quality,
                QualityRating::Unknown,
                ChangeSource::Submission,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(TemplateVersionRow {
            id: version_id,
            template_id: id,
            version,
            content: submission.content.clone(),
            request: submission.request.to_owned(),
            submitted_at: submission.at.to_owned(),
            meta_template_id: submission.meta_template_id.to_owned(),
        })
    }

    /// The submitted versions of `id`, oldest first.
    pub async fn template_versions(&self, id: i64) -> Result<Vec<TemplateVersionRow>> {
        let rows: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, version, content, request, submitted_at, meta_template_id
             FROM template_version WHERE template_id = ? ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(
                |(version_id, version, content, request, submitted_at, meta_template_id)| {
                    Ok(TemplateVersionRow {
                        id: version_id,
                        template_id: id,
                        version,
                        content: from_json("a submitted template version", &content)?,
                        request,
                        submitted_at,
                        meta_template_id,
                    })
                },
            )
            .collect()
    }

    /// The status changes of `id`, oldest first.
    pub async fn template_status_history(&self, id: i64) -> Result<Vec<StatusChangeRow>> {
        type Raw = (
            i64,
            Option<String>,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT id, meta_template_id, changed_at, from_status, to_status, reason, detail, source
             FROM template_status_change WHERE template_id = ? ORDER BY changed_at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(
                |(row_id, meta_template_id, changed_at, from, to, reason, detail, source)| {
                    Ok(StatusChangeRow {
                        id: row_id,
                        template_id: id,
                        meta_template_id,
                        changed_at,
                        from: stored(from.parse())?,
                        to: stored(to.parse())?,
                        reason,
                        detail,
                        source: stored(source.parse())?,
                    })
                },
            )
            .collect()
    }

    /// The quality changes of `id`, oldest first.
    pub async fn template_quality_history(&self, id: i64) -> Result<Vec<QualityChangeRow>> {
        type Raw = (i64, Option<String>, String, Option<String>, String, String);
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT id, meta_template_id, changed_at, from_quality, to_quality, source
             FROM template_quality_change WHERE template_id = ? ORDER BY changed_at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(row_id, meta_template_id, changed_at, from, to, source)| {
                Ok(QualityChangeRow {
                    id: row_id,
                    template_id: id,
                    meta_template_id,
                    changed_at,
                    from: from.map(|f| stored(f.parse())).transpose()?,
                    to: stored(to.parse())?,
                    source: stored(source.parse())?,
                })
            })
            .collect()
    }

    /// The templates that are on Meta (submitted, not deleted), for a refresh.
    pub async fn submitted_templates(&self) -> Result<Vec<SubmittedTemplate>> {
        type Raw = (i64, String, String, String, String, Option<String>, String);
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT t.id, t.meta_template_id, json_extract(v.content, '$.name'),
                    json_extract(v.content, '$.language'), t.status, t.quality, v.submitted_at
             FROM template t
             JOIN template_version v ON v.meta_template_id = t.meta_template_id
             WHERE t.deleted_at IS NULL AND t.meta_template_id IS NOT NULL
             ORDER BY t.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(
                |(id, meta_template_id, name, language, status, quality, submitted_at)| {
                    Ok(SubmittedTemplate {
                        id,
                        meta_template_id,
                        name,
                        language,
                        status: stored(status.parse())?,
                        quality: quality.map(|q| stored(q.parse())).transpose()?,
                        submitted_at,
                    })
                },
            )
            .collect()
    }

    /// Applies what Meta said about one of its templates: the status (along the
    /// state machine, see [`TemplateStatus::allows`]), the quality, a
    /// re-categorisation, and the history rows, in one transaction that also
    /// moves the studio's webhook reading past the event that carried it.
    /// `Ok(None)`: no template of this workspace is that Meta template.
    pub async fn apply_template_report(
        &self,
        report: &TemplateReport,
    ) -> Result<Option<AppliedReport>> {
        let mut tx = self.write_transaction().await?;
        if let Some(event_id) = report.webhook_event_id {
            advance_event_cursor(&mut tx, event_id).await?;
        }
        let Some(id) = find_reported_template(&mut tx, report).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        let row = template_in_any(&mut tx, id).await?;
        let meta_id = row.meta_template_id.as_deref();
        let mut applied = AppliedReport {
            template_id: id,
            status: None,
            quality: None,
            refused_status: None,
        };
        if let Some(reported) = &report.status
            && reported.status != row.status
        {
            if row.status.allows(reported.status, report.source.trigger()) {
                insert_status_change(
                    &mut tx,
                    id,
                    meta_id,
                    &report.at,
                    row.status,
                    reported.status,
                    reported.reason.as_deref(),
                    reported.detail.as_deref(),
                    report.source,
                    report.webhook_event_id,
                )
                .await?;
                // A rejection keeps its reason while it stands; any other status
                // clears it (an appeal that succeeded, a new review).
                let (reason, detail) = match reported.status {
                    TemplateStatus::Rejected => {
                        (reported.reason.as_deref(), reported.detail.as_deref())
                    }
                    _ => (None, None),
                };
                sqlx::query(
                    "UPDATE template SET status = ?, status_changed_at = ?, rejected_reason = ?,
                         rejection_detail = ?
                     WHERE id = ?",
                )
                .bind(reported.status.as_str())
                .bind(&report.at)
                .bind(reason)
                .bind(detail)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                applied.status = Some((row.status, reported.status));
            } else {
                applied.refused_status = Some(reported.status);
            }
        }
        if let Some(quality) = report.quality
            && row.quality != Some(quality)
        {
            insert_quality_change(
                &mut tx,
                id,
                meta_id,
                &report.at,
                row.quality,
                quality,
                report.source,
                report.webhook_event_id,
            )
            .await?;
            sqlx::query("UPDATE template SET quality = ? WHERE id = ?")
                .bind(quality.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            applied.quality = Some((row.quality, quality));
        }
        if let Some(category) = report.category {
            let meta_category = (category != row.draft.category).then(|| category_str(category));
            sqlx::query("UPDATE template SET meta_category = ? WHERE id = ?")
                .bind(meta_category)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(applied))
    }

    /// Template webhook events the studio has not applied yet, oldest first.
    pub async fn unapplied_template_webhook_events(
        &self,
        limit: u32,
    ) -> Result<Vec<TemplateWebhookEvent>> {
        // The cursor is the event id: SQLite has one writer at a time, so ids are
        // committed in order and nothing can appear behind the cursor later.
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT e.id, e.kind, e.payload, d.received_at
             FROM webhook_event e JOIN webhook_delivery d ON d.id = e.delivery_id
             WHERE e.id > (SELECT applied_event_id FROM template_studio_state WHERE id = 1)
               AND e.kind IN ('template_status', 'template_quality')
             ORDER BY e.id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, kind, payload, received_at)| TemplateWebhookEvent {
                id,
                kind,
                payload,
                received_at,
            })
            .collect())
    }

    /// Moves the studio's webhook reading past `event_id` without applying it
    /// (an event whose payload could not be read).
    pub async fn skip_template_webhook_event(&self, event_id: i64) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        advance_event_cursor(&mut conn, event_id).await
    }

    /// Where the studio got to.
    pub async fn template_studio_state(&self) -> Result<StudioState> {
        let (applied_event_id, last_refresh_at, examples_seeded_at) = sqlx::query_as(
            "SELECT applied_event_id, last_refresh_at, examples_seeded_at
             FROM template_studio_state WHERE id = 1",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(StudioState {
            applied_event_id,
            last_refresh_at,
            examples_seeded_at,
        })
    }

    /// Notes that the templates were read from Meta at `at`.
    pub async fn mark_templates_refreshed(&self, at: &str) -> Result<()> {
        sqlx::query("UPDATE template_studio_state SET last_refresh_at = ? WHERE id = 1")
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Adds `examples` (flagged as examples) unless examples were added before,
    /// ever: the user who deleted them does not get them back. Returns whether
    /// they were added.
    pub async fn seed_example_templates(&self, examples: &[Template], at: &str) -> Result<bool> {
        let mut tx = self.write_transaction().await?;
        // Claiming the marker first, in the same transaction, makes the seeding
        // happen once even if two sessions open the workspace at the same time.
        let claimed = sqlx::query(
            "UPDATE template_studio_state SET examples_seeded_at = ?
             WHERE id = 1 AND examples_seeded_at IS NULL",
        )
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        for example in examples {
            sqlx::query(
                "INSERT INTO template (name, language, category, draft, created_at, updated_at, example)
                 VALUES (?, ?, ?, ?, ?, ?, 1)",
            )
            .bind(&example.name)
            .bind(&example.language)
            .bind(category_str(example.category))
            .bind(to_json(example))
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The workspace's lint settings with its team dictionary; the defaults
    /// until the user saves settings.
    pub async fn lint_settings(&self) -> Result<LintSettings> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT settings FROM lint_settings WHERE id = 1")
                .fetch_optional(self.pool())
                .await?;
        let mut settings: LintSettings = match stored {
            Some(json) => from_json("the lint settings", &json)?,
            None => LintSettings::default(),
        };
        settings.team_dictionary =
            sqlx::query_scalar("SELECT word FROM team_dictionary_word ORDER BY word")
                .fetch_all(self.pool())
                .await?;
        Ok(settings)
    }

    /// Saves the lint settings; the team dictionary becomes exactly the one given
    /// (so the settings screen can remove words). Blank words are dropped.
    pub async fn save_lint_settings(
        &self,
        settings: &LintSettings,
        at: &str,
    ) -> Result<LintSettings> {
        let without_words = LintSettings {
            team_dictionary: Vec::new(),
            ..settings.clone()
        };
        let mut tx = self.write_transaction().await?;
        sqlx::query(
            "INSERT INTO lint_settings (id, settings, updated_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET settings = excluded.settings,
                 updated_at = excluded.updated_at",
        )
        .bind(to_json(&without_words))
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM team_dictionary_word")
            .execute(&mut *tx)
            .await?;
        for word in &settings.team_dictionary {
            insert_word(&mut tx, word, at).await?;
        }
        tx.commit().await?;
        self.lint_settings().await
    }

    /// Adds one word to the team dictionary (a word already there is kept once).
    pub async fn add_team_dictionary_word(&self, word: &str, at: &str) -> Result<LintSettings> {
        let mut conn = self.pool().acquire().await?;
        insert_word(&mut conn, word, at).await?;
        drop(conn);
        self.lint_settings().await
    }
}

impl Store {
    /// A transaction that takes the write lock at once. The template writes read
    /// first (the current status, the next version); a deferred transaction that
    /// read before another connection wrote (a webhook arriving) could not
    /// upgrade to a writer and would fail with "database is locked" instead of
    /// waiting its turn.
    async fn write_transaction(&self) -> Result<sqlx::Transaction<'static, Sqlite>> {
        Ok(self.pool().begin_with("BEGIN IMMEDIATE").await?)
    }
}

async fn insert_word(conn: &mut SqliteConnection, word: &str, at: &str) -> Result<()> {
    let word = word.trim();
    if word.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO team_dictionary_word (word, added_at) VALUES (?, ?)
         ON CONFLICT (word) DO NOTHING",
    )
    .bind(word)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The template `id` unless it is deleted.
async fn template_in(conn: &mut SqliteConnection, id: i64) -> Result<TemplateRow> {
    let row = template_in_any(conn, id).await?;
    let deleted: bool =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM template WHERE id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if deleted {
        return Err(Error::TemplateNotFound(id));
    }
    Ok(row)
}

/// The template `id`, deleted or not.
async fn template_in_any(conn: &mut SqliteConnection, id: i64) -> Result<TemplateRow> {
    let raw: Option<RawTemplate> = sqlx::query_as(&format!(
        "SELECT {TEMPLATE_COLUMNS} FROM template t WHERE t.id = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    raw.ok_or(Error::TemplateNotFound(id))?.into_row()
}

/// The template a report is about: by Meta's id when the report has one, else
/// by the name and language of the version submitted last (older quality
/// webhooks name the template only).
async fn find_reported_template(
    conn: &mut SqliteConnection,
    report: &TemplateReport,
) -> Result<Option<i64>> {
    if let Some(meta_id) = &report.meta_template_id {
        return Ok(
            sqlx::query_scalar("SELECT id FROM template WHERE meta_template_id = ?")
                .bind(meta_id)
                .fetch_optional(conn)
                .await?,
        );
    }
    Ok(sqlx::query_scalar(
        "SELECT t.id FROM template t
         JOIN template_version v ON v.meta_template_id = t.meta_template_id
         WHERE t.deleted_at IS NULL
           AND json_extract(v.content, '$.name') = ?
           AND json_extract(v.content, '$.language') = ?
         ORDER BY t.id LIMIT 1",
    )
    .bind(&report.name)
    .bind(&report.language)
    .fetch_optional(conn)
    .await?)
}

fn check_move(id: i64, from: TemplateStatus, to: TemplateStatus, trigger: Trigger) -> Result<()> {
    if from.allows(to, trigger) {
        Ok(())
    } else {
        Err(Error::TemplateTransition {
            template_id: id,
            from,
            to,
        })
    }
}

async fn advance_event_cursor(conn: &mut SqliteConnection, event_id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE template_studio_state SET applied_event_id = max(applied_event_id, ?) WHERE id = 1",
    )
    .bind(event_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_status_change(
    conn: &mut SqliteConnection,
    template_id: i64,
    meta_template_id: Option<&str>,
    at: &str,
    from: TemplateStatus,
    to: TemplateStatus,
    reason: Option<&str>,
    detail: Option<&str>,
    source: ChangeSource,
    webhook_event_id: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO template_status_change
             (template_id, meta_template_id, changed_at, from_status, to_status, reason, detail,
              source, webhook_event_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(template_id)
    .bind(meta_template_id)
    .bind(at)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(reason)
    .bind(detail)
    .bind(source.as_str())
    .bind(webhook_event_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_quality_change(
    conn: &mut SqliteConnection,
    template_id: i64,
    meta_template_id: Option<&str>,
    at: &str,
    from: Option<QualityRating>,
    to: QualityRating,
    source: ChangeSource,
    webhook_event_id: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO template_quality_change
             (template_id, meta_template_id, changed_at, from_quality, to_quality, source,
              webhook_event_id)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(template_id)
    .bind(meta_template_id)
    .bind(at)
    .bind(from.map(QualityRating::as_str))
    .bind(to.as_str())
    .bind(source.as_str())
    .bind(webhook_event_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (from, to) pair for every trigger: the table's moves are allowed,
    /// nothing else is, and a refresh may move any submitted template.
    #[test]
    fn status_moves_follow_the_table() {
        use TemplateStatus::*;
        let allowed = |from: TemplateStatus, to, trigger| from.allows(to, trigger);
        let cases: &[(TemplateStatus, TemplateStatus, Trigger, bool, &str)] = &[
            (
                Draft,
                Pending,
                T::Submission,
                true,
                "a draft goes to review",
            ),
            (Draft, Approved, T::Webhook, false, "a draft is not on Meta"),
            (
                Draft,
                Pending,
                T::Webhook,
                false,
                "only Cadence submits a draft",
            ),
            (Pending, Approved, T::Webhook, true, "review approves"),
            (Pending, Rejected, T::Webhook, true, "review rejects"),
            (
                Pending,
                Approved,
                T::Submission,
                true,
                "Meta may answer a create with APPROVED",
            ),
            (
                Pending,
                Pending,
                T::Submission,
                false,
                "a version in review is not submitted again",
            ),
            (
                Approved,
                Pending,
                T::Webhook,
                false,
                "a late PENDING never undoes a decision",
            ),
            (
                Approved,
                Pending,
                T::Submission,
                true,
                "a new version of an approved template",
            ),
            (
                Rejected,
                Pending,
                T::Submission,
                true,
                "a fixed rejection is submitted again",
            ),
            (Approved, Paused, T::Webhook, true, "quality fell to RED"),
            (Paused, Approved, T::Webhook, true, "the pause ended"),
            (Paused, Disabled, T::Webhook, true, "the third RED disables"),
            (
                Approved,
                Approved,
                T::Webhook,
                false,
                "a repeat is not a change",
            ),
            (
                Rejected,
                InAppeal,
                T::Webhook,
                true,
                "the business appealed",
            ),
            (InAppeal, Approved, T::Webhook, true, "the appeal succeeded"),
            (Approved, Deleted, T::Deletion, true, "the user deletes it"),
            (
                Pending,
                Deleted,
                T::Deletion,
                true,
                "deleted while in review",
            ),
            (
                PendingDeletion,
                Deleted,
                T::Webhook,
                true,
                "Meta finished deleting",
            ),
            (
                Deleted,
                Approved,
                T::Webhook,
                false,
                "a deleted template stays deleted",
            ),
            (
                Deleted,
                Pending,
                T::Submission,
                true,
                "Meta deleted it: it may be submitted anew",
            ),
            (
                Draft,
                Deleted,
                T::Deletion,
                false,
                "a draft is removed, not marked",
            ),
            (
                Disabled,
                Approved,
                T::Webhook,
                true,
                "reinstated after an appeal",
            ),
            (
                Approved,
                Archived,
                T::Webhook,
                true,
                "Meta archived it for lack of use",
            ),
            (Archived, Approved, T::Webhook, true, "unarchived"),
            (
                Pending,
                Paused,
                T::Refresh,
                true,
                "a refresh reads the truth even past missed steps",
            ),
            (
                Approved,
                Pending,
                T::Refresh,
                true,
                "a refresh may move anything Meta holds",
            ),
            (
                Draft,
                Approved,
                T::Refresh,
                false,
                "a refresh never touches a draft",
            ),
            (
                Approved,
                Draft,
                T::Refresh,
                false,
                "nothing goes back to draft",
            ),
            (
                Deleted,
                PendingDeletion,
                T::Refresh,
                false,
                "deleted stays deleted while Meta catches up",
            ),
        ];
        for &(from, to, trigger, expected, why) in cases {
            assert_eq!(
                allowed(from, to, trigger),
                expected,
                "{from} -> {to} on {trigger:?}: {why}"
            );
        }
    }

    #[test]
    fn the_table_has_no_duplicate_or_self_moves() {
        for (i, (from, on, to)) in STATUS_TRANSITIONS.iter().enumerate() {
            assert_ne!(from, to, "row {i}: a move goes somewhere");
            assert!(!on.is_empty(), "row {i}: a move has a trigger");
            let twins = STATUS_TRANSITIONS
                .iter()
                .filter(|(f, _, t)| f == from && t == to)
                .count();
            assert_eq!(twins, 1, "row {i}: {from} -> {to} is listed once");
        }
        for status in TemplateStatus::ALL {
            if status == TemplateStatus::Draft {
                continue;
            }
            assert!(
                STATUS_TRANSITIONS
                    .iter()
                    .any(|(from, _, to)| *to == status || *from == status),
                "{status} is reachable or left by some move"
            );
        }
    }

    #[test]
    fn stored_words_round_trip_and_unknown_words_are_refused() {
        for status in TemplateStatus::ALL {
            assert_eq!(status.as_str().parse::<TemplateStatus>(), Ok(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::String(status.as_str().to_owned()),
                "the UI sees the same word the database holds"
            );
        }
        assert_eq!(
            "approved".parse::<TemplateStatus>(),
            Ok(TemplateStatus::Approved),
            "Meta's words are read in any case"
        );
        for rating in QualityRating::ALL {
            assert_eq!(rating.as_str().parse::<QualityRating>(), Ok(rating));
        }
        assert!("SOMETHING_NEW".parse::<TemplateStatus>().is_err());
        assert!("PURPLE".parse::<QualityRating>().is_err());
        assert_eq!(parse_category("marketing"), Ok(Category::Marketing));
    }
}
