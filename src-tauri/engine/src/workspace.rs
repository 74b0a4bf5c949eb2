//! Opening a workspace: its folder, its database, its record.

use cadence_core::{Language, WorkspaceMode};
use cadence_store::Store;

use crate::paths::{DATABASE_FILE_NAME, DEFAULT_WORKSPACE};
use crate::{DataDir, Error, Preferences, Result, VERSION, WorkspaceInfo, WorkspaceSummary};

/// An open workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    name: String,
    data_dir: DataDir,
    store: Store,
}

impl Workspace {
    /// Opens the workspace `name` in `data_dir`, creating its folder, database and
    /// record on first use. A workspace created this way starts in the sandbox:
    /// nothing reaches a real person until the user connects a real account.
    pub async fn open(data_dir: &DataDir, name: &str) -> Result<Workspace> {
        Workspace::open_as(data_dir, name, WorkspaceMode::Sandbox).await
    }

    /// Creates a new workspace in `mode` (a real account's is `Live`). A name
    /// already in use is refused: the existing workspace is left untouched.
    pub async fn create(data_dir: &DataDir, name: &str, mode: WorkspaceMode) -> Result<Workspace> {
        validate_name(name)?;
        if data_dir.database_path(name).exists() {
            return Err(Error::WorkspaceExists(name.to_owned()));
        }
        Workspace::open_as(data_dir, name, mode).await
    }

    /// Opens `name`; `mode` is used only when the workspace is new.
    async fn open_as(data_dir: &DataDir, name: &str, mode: WorkspaceMode) -> Result<Workspace> {
        validate_name(name)?;
        let dir = data_dir.workspace_dir(name);
        std::fs::create_dir_all(&dir).map_err(|source| Error::CreateDir {
            path: dir.clone(),
            source,
        })?;
        let store = Store::open(&data_dir.database_path(name)).await?;
        store.ensure_workspace(name, mode).await?;
        tracing::info!(workspace = name, db = %store.path().display(), "opened workspace");
        Ok(Workspace {
            name: name.to_owned(),
            data_dir: data_dir.clone(),
            store,
        })
    }

    /// The workspaces in `data_dir`: the sandbox first, then by name. A folder
    /// whose database cannot be read is listed with `readable: false` rather
    /// than hidden, so the user can see it and act.
    pub async fn list(data_dir: &DataDir) -> Result<Vec<WorkspaceSummary>> {
        let root = data_dir.root().join("workspaces");
        let entries = match std::fs::read_dir(&root) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(Error::ReadFile { path: root, source }),
        };
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.path().join(DATABASE_FILE_NAME).is_file())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| validate_name(name).is_ok())
            .collect();
        names.sort_by_key(|name| (name != DEFAULT_WORKSPACE, name.clone()));
        let mut summaries = Vec::with_capacity(names.len());
        for name in names {
            let row = Store::peek_workspace(&data_dir.database_path(&name))
                .await
                .ok();
            summaries.push(WorkspaceSummary {
                mode: row.as_ref().map(|r| r.mode),
                readable: row.is_some(),
                name,
            });
        }
        Ok(summaries)
    }

    /// The workspace's mode (sandbox or live).
    pub async fn mode(&self) -> Result<WorkspaceMode> {
        Ok(self.store.workspace().await?.mode)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The workspace and where its files are.
    pub async fn info(&self) -> Result<WorkspaceInfo> {
        let row = self.store.workspace().await?;
        Ok(WorkspaceInfo {
            name: row.name,
            mode: row.mode,
            data_dir: self.data_dir.root().display().to_string(),
            database_path: self.store.path().display().to_string(),
            log_dir: self.data_dir.log_dir().display().to_string(),
            schema_version: self.store.schema_version().await?,
            app_version: VERSION.to_owned(),
        })
    }

    /// The interface preferences; `os_locale` decides the language until the user
    /// chooses one.
    pub async fn preferences(&self, os_locale: Option<&str>) -> Result<Preferences> {
        Ok(match self.store.workspace().await?.ui_language {
            Some(chosen) => Preferences {
                language: Some(chosen),
                effective_language: chosen,
            },
            None => Preferences::following_os(os_locale),
        })
    }

    /// Records the interface language (`None`: follow the OS again).
    pub async fn set_language(
        &self,
        language: Option<Language>,
        os_locale: Option<&str>,
    ) -> Result<Preferences> {
        self.store.set_ui_language(language).await?;
        self.preferences(os_locale).await
    }

    /// Closes the database cleanly.
    pub async fn close(self) {
        self.store.close().await;
    }
}

/// Workspace names become folder names: keep them portable across Windows, macOS
/// and Linux file systems.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidWorkspaceName(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::validate_name;

    #[test]
    fn workspace_names_are_portable_folder_names() {
        for good in ["sandbox", "acme-ru", "team_2", "7days"] {
            assert!(
                validate_name(good).is_ok(),
                "{good:?} is a portable folder name"
            );
        }
        let too_long = "a".repeat(65);
        for bad in [
            "",
            "Sandbox",
            "../etc",
            "a b",
            "-x",
            "con:",
            "кадэнс",
            too_long.as_str(),
        ] {
            assert!(
                validate_name(bad).is_err(),
                "{bad:?} must be refused: it is not a portable folder name"
            );
        }
    }
}
