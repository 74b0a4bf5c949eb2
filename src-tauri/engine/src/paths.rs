//! Where Cadence keeps its files: one folder of workspaces and one of logs.
//!
//! The app and the CLI must agree on these folders, so both ask this module.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The bundle identifier (also in `tauri.conf.json`): the name of Cadence's folder
/// in the OS app-data folder, as Tauri itself would name it.
pub const APP_IDENTIFIER: &str = "app.cadence.desktop";

/// Overrides the data folder, so tests and end-to-end runs never touch a user's data.
pub const DATA_DIR_ENV: &str = "CADENCE_DATA_DIR";

/// The workspace Cadence opens when none is named: the offline sandbox.
pub const DEFAULT_WORKSPACE: &str = "sandbox";

/// The database file inside a workspace's folder.
pub const DATABASE_FILE_NAME: &str = "cadence.sqlite3";

/// The file (in the data folder) naming the workspace the app opens at start.
const CURRENT_WORKSPACE_FILE: &str = "current-workspace";

/// Cadence's data folder, resolved once at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
    /// True when the folder came from `--data-dir` or `CADENCE_DATA_DIR`: logs then
    /// stay inside it too, instead of the OS log folder.
    overridden: bool,
}

impl DataDir {
    /// Resolves the data folder: `explicit` (the CLI's `--data-dir`) first, then
    /// `CADENCE_DATA_DIR`, then the OS app-data folder.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<DataDir> {
        let from_env = std::env::var_os(DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        DataDir::resolve_from(explicit, from_env, dirs::data_dir())
    }

    /// [`DataDir::resolve`] with its inputs passed in, for tests.
    pub fn resolve_from(
        explicit: Option<PathBuf>,
        from_env: Option<PathBuf>,
        os_data_dir: Option<PathBuf>,
    ) -> Result<DataDir> {
        if let Some(root) = explicit.or(from_env) {
            if root.as_os_str().is_empty() {
                return Err(Error::InvalidDataDir {
                    path: root,
                    reason: "the path is empty".into(),
                });
            }
            let root = std::path::absolute(&root).map_err(|e| Error::InvalidDataDir {
                path: root.clone(),
                reason: e.to_string(),
            })?;
            return Ok(DataDir {
                root,
                overridden: true,
            });
        }
        let os = os_data_dir.ok_or(Error::NoDataDir)?;
        Ok(DataDir {
            root: os.join(APP_IDENTIFIER),
            overridden: false,
        })
    }

    /// The data folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of one workspace.
    pub fn workspace_dir(&self, workspace: &str) -> PathBuf {
        self.root.join("workspaces").join(workspace)
    }

    /// The database of one workspace.
    pub fn database_path(&self, workspace: &str) -> PathBuf {
        self.workspace_dir(workspace).join(DATABASE_FILE_NAME)
    }

    /// The workspace the app opened last (the sandbox until the user switches).
    /// An unreadable or invalid file falls back to the sandbox.
    pub fn current_workspace(&self) -> String {
        std::fs::read_to_string(self.root.join(CURRENT_WORKSPACE_FILE))
            .ok()
            .map(|text| text.trim().to_owned())
            .filter(|name| crate::workspace::validate_name(name).is_ok())
            .filter(|name| self.database_path(name).is_file())
            .unwrap_or_else(|| DEFAULT_WORKSPACE.to_owned())
    }

    /// Remembers the workspace to open at the next start.
    pub fn set_current_workspace(&self, name: &str) -> Result<()> {
        let path = self.root.join(CURRENT_WORKSPACE_FILE);
        std::fs::write(&path, format!("{name}\n"))
            .map_err(|source| Error::WriteFile { path, source })
    }

    /// The folder for log files: inside the data folder when it was overridden,
    /// else the OS's place for an app's logs (as Tauri's `app_log_dir`).
    pub fn log_dir(&self) -> PathBuf {
        if self.overridden {
            return self.root.join("logs");
        }
        #[cfg(target_os = "macos")]
        if let Some(home) = dirs::home_dir() {
            return home.join("Library/Logs").join(APP_IDENTIFIER);
        }
        self.root.join("logs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_folder_wins_over_environment_and_os() {
        let dir = DataDir::resolve_from(
            Some("/tmp/cli".into()),
            Some("/tmp/env".into()),
            Some("/home/u/.local/share".into()),
        )
        .unwrap();
        assert_eq!(
            dir.root(),
            Path::new("/tmp/cli"),
            "--data-dir is the most specific choice"
        );
        assert_eq!(
            dir.log_dir(),
            Path::new("/tmp/cli/logs"),
            "an overridden folder keeps its logs inside"
        );
    }

    #[test]
    fn environment_wins_over_os() {
        let dir = DataDir::resolve_from(
            None,
            Some("/tmp/env".into()),
            Some("/home/u/.local/share".into()),
        )
        .unwrap();
        assert_eq!(dir.root(), Path::new("/tmp/env"));
    }

    #[test]
    fn os_folder_is_named_after_the_bundle_identifier() {
        let dir = DataDir::resolve_from(None, None, Some("/home/u/.local/share".into())).unwrap();
        assert_eq!(
            dir.root(),
            Path::new("/home/u/.local/share/app.cadence.desktop")
        );
        assert_eq!(
            dir.database_path("sandbox"),
            Path::new(
                "/home/u/.local/share/app.cadence.desktop/workspaces/sandbox/cadence.sqlite3"
            )
        );
    }

    #[test]
    fn relative_override_becomes_absolute() {
        let dir = DataDir::resolve_from(Some("rel/data".into()), None, None).unwrap();
        assert!(
            dir.root().is_absolute(),
            "paths shown in Settings and logs must not depend on the cwd"
        );
        assert!(dir.root().ends_with("rel/data"));
    }

    #[test]
    fn missing_os_folder_is_a_clear_error() {
        let err = DataDir::resolve_from(None, None, None).unwrap_err();
        assert!(matches!(err, Error::NoDataDir));
        assert!(
            err.to_string().contains(DATA_DIR_ENV),
            "the error must say how to fix it: {err}"
        );
    }
}
