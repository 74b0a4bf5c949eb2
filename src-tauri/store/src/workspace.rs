//! The `workspace` table: the one row that names this database's workspace and
//! holds its settings.

use cadence_core::{Language, WorkspaceMode};

use crate::{Error, Result, Store};

/// The workspace record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRow {
    pub name: String,
    pub mode: WorkspaceMode,
    /// The interface language chosen in Settings; `None` follows the OS locale.
    pub ui_language: Option<Language>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl Store {
    /// Reads the workspace record of the database at `path` without opening it
    /// as a store: read-only and without migrating, so that listing workspaces
    /// never upgrades (or backs up) one the user did not open.
    pub async fn peek_workspace(path: &std::path::Path) -> Result<WorkspaceRow> {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .read_only(true);
        let mut conn = sqlx::ConnectOptions::connect(&options)
            .await
            .map_err(|source| crate::Error::Open {
                path: path.to_owned(),
                source,
            })?;
        let row: Option<(String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT name, mode, ui_language, created_at FROM workspace WHERE id = 1",
        )
        .fetch_optional(&mut conn)
        .await?;
        sqlx::Connection::close(conn).await?;
        let row = row.ok_or_else(|| Error::MissingWorkspace(path.to_owned()))?;
        workspace_row(row)
    }

    /// Writes the workspace record when the database has none yet; an existing
    /// record is left as it is (its name and mode are the user's).
    pub async fn ensure_workspace(&self, name: &str, mode: WorkspaceMode) -> Result<WorkspaceRow> {
        sqlx::query(
            "INSERT INTO workspace (id, name, mode) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(name)
        .bind(mode.as_str())
        .execute(self.pool())
        .await?;
        self.workspace().await
    }

    /// Reads the workspace record.
    pub async fn workspace(&self) -> Result<WorkspaceRow> {
        let row: Option<(String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT name, mode, ui_language, created_at FROM workspace WHERE id = 1",
        )
        .fetch_optional(self.pool())
        .await?;
        workspace_row(row.ok_or_else(|| Error::MissingWorkspace(self.path().to_owned()))?)
    }

    /// Records the interface language; `None` goes back to following the OS.
    pub async fn set_ui_language(&self, language: Option<Language>) -> Result<()> {
        let updated = sqlx::query("UPDATE workspace SET ui_language = ? WHERE id = 1")
            .bind(language.map(Language::code))
            .execute(self.pool())
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(Error::MissingWorkspace(self.path().to_owned()));
        }
        Ok(())
    }
}

/// The stored columns as a [`WorkspaceRow`], refusing values the enums do not know.
fn workspace_row(
    (name, mode, ui_language, created_at): (String, String, Option<String>, String),
) -> Result<WorkspaceRow> {
    Ok(WorkspaceRow {
        name,
        mode: mode.parse()?,
        ui_language: ui_language.as_deref().map(str::parse).transpose()?,
        created_at,
    })
}
