//! Data transfer objects: what the app sends to its window and the CLI prints.
//!
//! Their TypeScript twins are generated (see the app crate's `bindings` module), so
//! a field renamed here fails the UI's type check instead of the user's screen.

use cadence_core::{Language, WorkspaceMode};
use serde::Serialize;

/// The open workspace and where its files are, for Settings and `cadence workspace info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct WorkspaceInfo {
    pub name: String,
    pub mode: WorkspaceMode,
    pub data_dir: String,
    pub database_path: String,
    pub log_dir: String,
    /// The version of the newest applied migration (a timestamp such as
    /// 20261125000001). Typed as a plain `number` for TypeScript: such values are
    /// well inside a JavaScript number's exact range.
    #[specta(type = i32)]
    pub schema_version: i64,
    pub app_version: String,
}

/// The user's interface preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Preferences {
    /// The language chosen in Settings; `null` follows the OS locale.
    pub language: Option<Language>,
    /// The language the interface shows now: the chosen one, else the OS locale's.
    pub effective_language: Language,
}

impl Preferences {
    /// The preferences of a user who has chosen nothing: the OS locale decides.
    pub fn following_os(os_locale: Option<&str>) -> Preferences {
        Preferences {
            language: None,
            effective_language: Language::from_os_locale(os_locale),
        }
    }
}

/// One workspace in the switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct WorkspaceSummary {
    pub name: String,
    /// `null` when its database could not be read.
    pub mode: Option<WorkspaceMode>,
    pub readable: bool,
}
