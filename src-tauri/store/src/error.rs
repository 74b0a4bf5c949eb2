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
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
