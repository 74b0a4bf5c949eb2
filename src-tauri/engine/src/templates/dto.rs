//! What the template studio hands its front ends: the list rows, a template with
//! its versions and histories, the change event, the list filter and the lint
//! rule descriptions. Their TypeScript twins are generated (see the app crate's
//! `bindings` module).

use cadence_core::lint::Severity;
use cadence_core::template::{Category, Template};
use cadence_store::templates::{
    ChangeSource, QualityChangeRow, QualityRating, StatusChangeRow, TemplateRow, TemplateStatus,
    TemplateVersionRow,
};
use serde::{Deserialize, Serialize};

/// A template's id in this workspace (the store's row id, not Meta's).
///
/// Typed as a plain `number` for TypeScript: a workspace never holds 2^31
/// templates.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type,
)]
#[serde(transparent)]
pub struct TemplateId(#[specta(type = u32)] pub i64);

impl std::fmt::Display for TemplateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One row of the templates list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TemplateSummary {
    pub id: TemplateId,
    pub name: String,
    pub language: String,
    pub category: Category,
    /// `DRAFT` until first submitted, then Meta's status of the version
    /// submitted last.
    pub status: TemplateStatus,
    /// Meta's quality score; `null` until submitted, `UNKNOWN` until rated.
    pub quality: Option<QualityRating>,
    /// RFC 3339, UTC: the last save of the draft.
    pub updated_at: String,
    /// Meta's reason (`INVALID_FORMAT`, `PROMOTIONAL`, …) while rejected.
    pub rejection_reason: Option<String>,
    /// Meta's explanation of the rejection, when it gave one.
    pub rejection_detail: Option<String>,
    /// Hidden from the main list; the user can bring it back.
    pub archived: bool,
    /// One of the examples a sandbox workspace starts with.
    pub example: bool,
    /// The draft was edited after the version submitted last: submitting it
    /// makes a new version.
    pub unsubmitted_changes: bool,
    /// How many versions were submitted.
    pub versions: u32,
    /// The category Meta gave the template when it re-categorised it.
    pub meta_category: Option<Category>,
}

impl From<&TemplateRow> for TemplateSummary {
    fn from(row: &TemplateRow) -> Self {
        TemplateSummary {
            id: TemplateId(row.id),
            name: row.draft.name.clone(),
            language: row.draft.language.clone(),
            category: row.draft.category,
            status: row.status,
            quality: row.quality,
            updated_at: row.updated_at.clone(),
            rejection_reason: row.rejected_reason.clone(),
            rejection_detail: row.rejection_detail.clone(),
            archived: row.archived_at.is_some(),
            example: row.example,
            unsubmitted_changes: row.unsubmitted_changes,
            versions: u32::try_from(row.versions).unwrap_or(u32::MAX),
            meta_category: row.meta_category,
        }
    }
}

/// A template with everything Cadence keeps about it: the draft, the submitted
/// versions (read-only) and the status and quality histories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StoredTemplate {
    #[serde(flatten)]
    pub summary: TemplateSummary,
    /// The current draft, as the editor shows it.
    pub template: Template,
    /// Meta's id of the version submitted last.
    pub meta_id: Option<String>,
    /// RFC 3339, UTC: when the version submitted last was submitted.
    pub submitted_at: Option<String>,
    pub created_at: String,
    pub archived_at: Option<String>,
    /// When the status last changed.
    pub status_changed_at: Option<String>,
    /// Oldest first.
    pub submitted_versions: Vec<SubmittedVersion>,
    /// Oldest first.
    pub status_history: Vec<StatusChange>,
    /// Oldest first.
    pub quality_history: Vec<QualityChange>,
}

impl StoredTemplate {
    pub(crate) fn new(
        row: &TemplateRow,
        versions: Vec<TemplateVersionRow>,
        statuses: Vec<StatusChangeRow>,
        qualities: Vec<QualityChangeRow>,
    ) -> StoredTemplate {
        let last = versions.last();
        StoredTemplate {
            summary: TemplateSummary::from(row),
            template: row.draft.clone(),
            meta_id: row.meta_template_id.clone(),
            submitted_at: last.map(|v| v.submitted_at.clone()),
            created_at: row.created_at.clone(),
            archived_at: row.archived_at.clone(),
            status_changed_at: row.status_changed_at.clone(),
            submitted_versions: versions
                .into_iter()
                .map(|v| SubmittedVersion {
                    version: u32::try_from(v.version).unwrap_or(u32::MAX),
                    template: v.content,
                    submitted_at: v.submitted_at,
                    meta_id: v.meta_template_id,
                })
                .collect(),
            status_history: statuses
                .into_iter()
                .map(|c| StatusChange {
                    at: c.changed_at,
                    from: c.from,
                    to: c.to,
                    reason: c.reason,
                    detail: c.detail,
                    source: c.source,
                })
                .collect(),
            quality_history: qualities
                .into_iter()
                .map(|c| QualityChange {
                    at: c.changed_at,
                    from: c.from,
                    to: c.to,
                    source: c.source,
                })
                .collect(),
        }
    }
}

/// A version as it was submitted (never changed afterwards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SubmittedVersion {
    /// 1, 2, …
    pub version: u32,
    pub template: Template,
    pub submitted_at: String,
    pub meta_id: String,
}

/// One status change, with its time and what told Cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StatusChange {
    pub at: String,
    pub from: TemplateStatus,
    pub to: TemplateStatus,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub source: ChangeSource,
}

/// One quality change, with its time and what told Cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct QualityChange {
    pub at: String,
    /// `null` for the first score.
    pub from: Option<QualityRating>,
    pub to: QualityRating,
    pub source: ChangeSource,
}

/// A template's status or quality changed: what the window updates live and
/// may show as a desktop notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TemplateChange {
    pub id: TemplateId,
    /// The name and language of the version the change is about.
    pub name: String,
    pub language: String,
    pub status: TemplateStatus,
    /// The status before, when this change moved it.
    pub previous_status: Option<TemplateStatus>,
    pub quality: Option<QualityRating>,
    /// The quality before, when this change moved it (`null` also for a first score).
    pub previous_quality: Option<QualityRating>,
    pub rejection_reason: Option<String>,
    pub rejection_detail: Option<String>,
    /// RFC 3339, UTC: when Cadence learnt it.
    pub at: String,
    pub source: ChangeSource,
}

/// Which templates to list; every field left out lets all through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(default)]
pub struct TemplateFilter {
    /// Meta's language code, exactly (`ru`, `en_US`).
    pub language: Option<String>,
    pub category: Option<Category>,
    pub status: Option<TemplateStatus>,
    /// A part of the name, any case.
    pub name_contains: Option<String>,
    /// `true`: only archived templates; `false`: only the others; `null`: both.
    pub archived: Option<bool>,
}

impl From<&TemplateFilter> for cadence_store::templates::TemplateFilter {
    fn from(filter: &TemplateFilter) -> Self {
        cadence_store::templates::TemplateFilter {
            language: filter.language.clone(),
            category: filter.category,
            status: filter.status,
            name_contains: filter.name_contains.clone(),
            archived: filter.archived,
        }
    }
}

/// One lint rule, for the editor's "what does this rule mean" hint and the
/// settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LintRule {
    /// The `rule` of its findings.
    pub rule: String,
    pub severity: Severity,
    /// What it checks, in the asked language.
    pub summary: String,
    /// Meta's review refuses a template that breaks it (otherwise it is the
    /// channel's guidance).
    pub meta_rejects: bool,
}
