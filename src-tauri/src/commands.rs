//! The commands the window calls, and the events it listens to.
//!
//! Each command is a few lines: state in, engine call, DTO out. Errors reach the
//! window as `{code, message}` ([`IpcError`]).

pub mod audience;
pub mod templates;

use cadence_core::{Language, WorkspaceMode};
use cadence_engine::{
    ConnectionInput, ConnectionView, IpcError, PhoneNumberStatus, Preferences, Session, Workspace,
    WorkspaceInfo, WorkspaceSummary,
};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::AppState;

/// The open workspace and where its files are.
#[tauri::command]
#[specta::specta]
pub async fn workspace_info(state: State<'_, AppState>) -> Result<WorkspaceInfo, IpcError> {
    let session = state.session.read().await;
    Ok(session
        .as_ref()
        .map_err(Clone::clone)?
        .workspace()
        .info()
        .await?)
}

/// The interface preferences (the language to show).
#[tauri::command]
#[specta::specta]
pub async fn preferences(state: State<'_, AppState>) -> Result<Preferences, IpcError> {
    let os_locale = state.os_locale.as_deref();
    match &*state.session.read().await {
        Ok(session) => Ok(session.workspace().preferences(os_locale).await?),
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
    let session = state.session.read().await;
    let workspace = session.as_ref().map_err(Clone::clone)?.workspace();
    let preferences = workspace
        .set_language(language, state.os_locale.as_deref())
        .await?;
    if let Err(error) = PreferencesChanged(preferences.clone()).emit(&app) {
        tracing::warn!(%error, "could not tell the windows about the new preferences");
    }
    Ok(preferences)
}

/// The workspaces in the data folder, for the switcher.
#[tauri::command]
#[specta::specta]
pub async fn list_workspaces(
    state: State<'_, AppState>,
) -> Result<Vec<WorkspaceSummary>, IpcError> {
    let data_dir = state.data_dir.as_ref().map_err(Clone::clone)?;
    Ok(Workspace::list(data_dir).await?)
}

/// Closes the open workspace and opens `name`, remembered for the next start.
#[tauri::command]
#[specta::specta]
pub async fn switch_workspace(
    state: State<'_, AppState>,
    name: String,
) -> Result<WorkspaceInfo, IpcError> {
    let data_dir = state.data_dir.as_ref().map_err(Clone::clone)?;
    // Open the new one before closing the old: a refused switch leaves the user
    // where they were.
    let next = Session::open(data_dir, &name).await?;
    let info = next.workspace().info().await?;
    data_dir.set_current_workspace(&name)?;
    let previous = std::mem::replace(&mut *state.session.write().await, Ok(next));
    if let Ok(previous) = previous {
        previous.close().await;
    }
    Ok(info)
}

/// Creates a workspace for a real WhatsApp Business account and switches to it.
/// The interface language carries over.
#[tauri::command]
#[specta::specta]
pub async fn create_live_workspace(
    state: State<'_, AppState>,
    name: String,
) -> Result<WorkspaceInfo, IpcError> {
    let data_dir = state.data_dir.as_ref().map_err(Clone::clone)?;
    let language = match &*state.session.read().await {
        Ok(session) => session.workspace().preferences(None).await?.language,
        Err(_) => None,
    };
    let created = Workspace::create(data_dir, &name, WorkspaceMode::Live).await?;
    created.set_language(language, None).await?;
    created.close().await;
    switch_workspace(state, name).await
}

/// How the open workspace reaches WhatsApp.
#[tauri::command]
#[specta::specta]
pub async fn connection(state: State<'_, AppState>) -> Result<ConnectionView, IpcError> {
    let session = state.session.read().await;
    Ok(session.as_ref().map_err(Clone::clone)?.connection().await?)
}

/// Saves a live workspace's connection (secrets into the OS keyring).
#[tauri::command]
#[specta::specta]
pub async fn save_connection(
    state: State<'_, AppState>,
    input: ConnectionInput,
) -> Result<ConnectionView, IpcError> {
    let mut session = state.session.write().await;
    Ok(session
        .as_mut()
        .map_err(|e| e.clone())?
        .save_connection(input)
        .await?)
}

/// Asks Meta (or the sandbox) about the phone number.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(state: State<'_, AppState>) -> Result<PhoneNumberStatus, IpcError> {
    let session = state.session.read().await;
    Ok(session
        .as_ref()
        .map_err(Clone::clone)?
        .test_connection()
        .await?)
}

/// The preferences changed (in any window).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct PreferencesChanged(pub Preferences);
