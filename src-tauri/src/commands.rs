//! The commands the window calls, and the events it listens to.
//!
//! Each command is a few lines: state in, engine call, DTO out. Errors reach the
//! window as `{code, message}` ([`IpcError`]).

use cadence_core::Language;
use cadence_engine::{IpcError, Preferences, WorkspaceInfo};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::AppState;

/// The open workspace and where its files are.
#[tauri::command]
#[specta::specta]
pub async fn workspace_info(state: State<'_, AppState>) -> Result<WorkspaceInfo, IpcError> {
    Ok(state.workspace()?.info().await?)
}

/// The interface preferences (the language to show).
#[tauri::command]
#[specta::specta]
pub async fn preferences(state: State<'_, AppState>) -> Result<Preferences, IpcError> {
    let os_locale = state.os_locale.as_deref();
    match &state.workspace {
        Ok(workspace) => Ok(workspace.preferences(os_locale).await?),
        // The workspace did not open: still speak the OS language, so that the
        // window can explain why in words the user reads.
        Err(_) => Ok(Preferences::following_os(os_locale)),
    }
}

/// Chooses the interface language (`null`: follow the OS again) and tells every
/// window.
#[tauri::command]
#[specta::specta]
pub async fn set_language(
    app: AppHandle,
    state: State<'_, AppState>,
    language: Option<Language>,
) -> Result<Preferences, IpcError> {
    let preferences = state
        .workspace()?
        .set_language(language, state.os_locale.as_deref())
        .await?;
    if let Err(error) = PreferencesChanged(preferences.clone()).emit(&app) {
        tracing::warn!(%error, "could not tell the windows about the new preferences");
    }
    Ok(preferences)
}

/// The preferences changed (in any window).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct PreferencesChanged(pub Preferences);
