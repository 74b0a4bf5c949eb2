//! Cadence's SQLite store: one database file per workspace.
//!
//! Owns the schema (embedded `sqlx` migrations, run at open, additive and never
//! edited once released), the connection settings (WAL, `busy_timeout`, foreign
//! keys) and one module per table family. Depends on `cadence-core` for the domain
//! types it stores; must not depend on `tauri` or on the engine.

pub mod connection;
pub mod contacts;
pub mod error;
pub mod import;
pub mod segments;
pub mod templates;
pub mod webhooks;
pub mod workspace;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use connection::{ConnectionRow, NewConnection};
pub use contacts::{ContactFilter, ContactRow, ContactSort, ContactSortColumn};
pub use error::{Error, Result};
pub use import::{ImportRunRow, ImportStatus, ImportWriter, MappingPresetRow, NewImportRun};
pub use segments::SegmentRow;
pub use webhooks::{NewWebhookEvent, Recorded, SignatureCheck, WebhookEventKind, WebhookSource};
pub use workspace::WorkspaceRow;

/// Every migration Cadence ships, embedded at compile time from `migrations/`.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Per-connection SQLite settings as SQLite reports them (see [`Store::sqlite_settings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteSettings {
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}

/// An open workspace database with its schema up to date.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating when missing) the database at `path` and brings its schema
    /// up to date with Cadence's migrations.
    pub async fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, &MIGRATOR).await
    }

    /// Opens the database at `path` and runs `migrator` on it. Before a migration
    /// changes a database that already holds data, the file is copied beside
    /// itself (see [`Store::backup_path`]).
    pub async fn open_with(path: &Path, migrator: &Migrator) -> Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| Error::Open {
                path: path.to_owned(),
                source,
            })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL makes NORMAL durable across application crashes; only an OS
            // crash can lose the last transactions, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| Error::Open {
                path: path.to_owned(),
                source,
            })?;
        let store = Store {
            pool,
            path: path.to_owned(),
        };
        store.migrate(migrator).await?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection pool, for the table modules of this crate.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The version of the newest migration applied to this database.
    pub async fn schema_version(&self) -> Result<i64> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }

    /// The per-connection settings the pool applies, as SQLite reports them.
    pub async fn sqlite_settings(&self) -> Result<SqliteSettings> {
        let mut conn = self.pool.acquire().await?;
        let foreign_keys: bool = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy_timeout_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        Ok(SqliteSettings {
            foreign_keys,
            busy_timeout_ms,
        })
    }

    /// Closes every connection, checkpointing the WAL into the main file.
    pub async fn close(self) {
        self.pool.close().await;
    }

    async fn migrate(&self, migrator: &Migrator) -> Result<()> {
        let applied = self.applied_versions().await?;
        let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
        if let Some(&newer) = applied.iter().find(|v| !known.contains(v)) {
            return Err(Error::NewerSchema {
                path: self.path.clone(),
                version: newer,
            });
        }
        let pending: Vec<i64> = known
            .iter()
            .copied()
            .filter(|v| !applied.contains(v))
            .collect();
        if let (false, Some(&next)) = (applied.is_empty(), pending.first()) {
            let backup = Store::backup_path(&self.path, next);
            self.backup_to(&backup).await?;
            tracing::info!(backup = %backup.display(), next, "backed up the database before migrating");
        }
        migrator.run(&self.pool).await?;
        if !pending.is_empty() {
            tracing::info!(db = %self.path.display(), ?pending, "applied migrations");
        }
        Ok(())
    }

    /// Versions of the migrations already applied; empty for a new database.
    async fn applied_versions(&self) -> Result<Vec<i64>> {
        // sqlx creates `_sqlx_migrations` on its first run: its absence means a
        // database no Cadence has migrated yet, so there is nothing to back up.
        let has_table: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
        )
        .fetch_one(&self.pool)
        .await?;
        if !has_table {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success = 1 ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Where the copy taken before migrating to `next_version` goes: beside the
    /// database, named after the migration and the time, so that repeated
    /// upgrades never overwrite an older copy.
    pub fn backup_path(db: &Path, next_version: i64) -> PathBuf {
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let name = db
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        db.with_file_name(format!("{name}.before-{next_version}.{stamp}.bak"))
    }

    /// Copies the database into a new file. `VACUUM INTO` reads one consistent
    /// snapshot, including what still sits in the WAL, which a plain file copy of
    /// a WAL database would miss.
    async fn backup_to(&self, target: &Path) -> Result<()> {
        let target_text = target.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO ?")
            .bind(&target_text)
            .execute(&self.pool)
            .await
            .map_err(|source| Error::Backup {
                path: target.to_owned(),
                source,
            })?;
        Ok(())
    }
}
