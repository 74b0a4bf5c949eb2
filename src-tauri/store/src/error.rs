//! Errors of the store. Paths are included (they are not secret); SQL values are not.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error(
        "the database {path} has schema version {version}, newer than this Cadence knows: \
         update Cadence to open this workspace"
    )]
    NewerSchema { path: PathBuf, version: i64 },
    #[error("cannot back up the database to {path} before migrating: {source}")]
    Backup { path: PathBuf, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("the database holds a value Cadence cannot read: {0}")]
    Corrupt(#[from] cadence_core::Error),
    #[error("the workspace record is missing from {0}")]
    MissingWorkspace(PathBuf),
    #[error("template {0} does not exist (it may have been deleted)")]
    TemplateNotFound(i64),
    #[error("template {template_id} cannot go from {from} to {to}")]
    TemplateTransition {
        template_id: i64,
        from: crate::templates::TemplateStatus,
        to: crate::templates::TemplateStatus,
    },
    #[error("the database holds a value Cadence cannot read: {0}")]
    UnknownValue(#[from] crate::templates::UnknownValue),
    #[error("the database holds {what} Cadence cannot read: {source}")]
    Json {
        what: &'static str,
        source: serde_json::Error,
    },
    // The audience (contacts, segments): see crate::contacts and crate::segments.
    #[error("contact {0} does not exist (it may have been deleted or forgotten)")]
    ContactNotFound(i64),
    #[error("segment {0} does not exist (it may have been deleted)")]
    SegmentNotFound(i64),
    #[error("a segment named {0:?} already exists: choose another name")]
    SegmentNameTaken(String),
    #[error("{field}: {reason}")]
    InvalidAudience { field: &'static str, reason: String },
    // Imports: see crate::import.
    #[error("import {0} does not exist")]
    ImportNotFound(i64),
    #[error("cannot write the report: {0}")]
    Write(std::io::Error),
    #[error("the import was not applied: {0}")]
    ImportCountsMismatch(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
