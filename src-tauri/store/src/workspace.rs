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
        let (name, mode, ui_language, created_at) =
            row.ok_or_else(|| Error::MissingWorkspace(self.path().to_owned()))?;
        Ok(WorkspaceRow {
            name,
            mode: mode.parse()?,
            ui_language: ui_language.as_deref().map(str::parse).transpose()?,
            created_at,
        })
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
