//! The templates commands (a few lines each: DTO in, engine call, DTO out), and
//! the event that tells the window a template's status or quality changed.

use std::time::Duration;

use cadence_core::Language;
use cadence_core::lint::{Finding, LintSettings};
use cadence_core::template::Template;
use cadence_engine::templates::lint_rules as catalogue;
use cadence_engine::{
    IpcError, LintRule, StoredTemplate, TemplateChange, TemplateFilter, TemplateId, TemplateStudio,
    TemplateSummary,
};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;

/// The open workspace's template studio. A clone (cheap), so that no lock is
/// held while Meta answers.
async fn studio(state: &AppState) -> Result<TemplateStudio, IpcError> {
    let session = state.session.read().await;
    Ok(session.as_ref().map_err(Clone::clone)?.templates().clone())
}

/// The language the interface shows now (lint messages in a refusal use it).
async fn ui_language(state: &AppState) -> Result<Language, IpcError> {
    let session = state.session.read().await;
    let workspace = session.as_ref().map_err(Clone::clone)?.workspace();
    Ok(workspace
        .preferences(state.os_locale.as_deref())
        .await?
        .effective_language)
}

/// The templates `filter` lets through (`null`: every template, archived ones
/// too), most recently edited first.
#[tauri::command]
#[specta::specta]
pub async fn list_templates(
    state: State<'_, AppState>,
    filter: Option<TemplateFilter>,
) -> Result<Vec<TemplateSummary>, IpcError> {
    let filter = filter.unwrap_or_default();
    Ok(studio(&state).await?.list(&filter).await?)
}

/// One template with its submitted versions and its status and quality history.
#[tauri::command]
#[specta::specta]
pub async fn get_template(
    state: State<'_, AppState>,
    id: TemplateId,
) -> Result<StoredTemplate, IpcError> {
    Ok(studio(&state).await?.get(id).await?)
}

/// Stores a new draft (refused when the name is taken in that language).
#[tauri::command]
#[specta::specta]
pub async fn create_draft(
    state: State<'_, AppState>,
    template: Template,
) -> Result<StoredTemplate, IpcError> {
    Ok(studio(&state).await?.create(template).await?)
}

/// Saves the draft as the author types; any text is kept as it is.
#[tauri::command]
#[specta::specta]
pub async fn save_draft(
    state: State<'_, AppState>,
    id: TemplateId,
    template: Template,
) -> Result<TemplateSummary, IpcError> {
    Ok(studio(&state).await?.save_draft(id, template).await?)
}

/// A new draft with the same content, named `<name>_copy`, `<name>_copy_2`, …
#[tauri::command]
#[specta::specta]
pub async fn duplicate_template(
    state: State<'_, AppState>,
    id: TemplateId,
) -> Result<StoredTemplate, IpcError> {
    Ok(studio(&state).await?.duplicate(id).await?)
}

/// Archives a template (hides it) or brings it back.
#[tauri::command]
#[specta::specta]
pub async fn set_archived(
    state: State<'_, AppState>,
    id: TemplateId,
    archived: bool,
) -> Result<TemplateSummary, IpcError> {
    Ok(studio(&state).await?.set_archived(id, archived).await?)
}

/// Deletes a template, on Meta too when it was submitted.
#[tauri::command]
#[specta::specta]
pub async fn delete_template(state: State<'_, AppState>, id: TemplateId) -> Result<(), IpcError> {
    Ok(studio(&state).await?.delete(id).await?)
}

/// Lints a template with the workspace's settings and dictionaries, messages
/// in `language`.
#[tauri::command]
#[specta::specta]
pub async fn lint_template(
    state: State<'_, AppState>,
    template: Template,
    language: Language,
) -> Result<Vec<Finding>, IpcError> {
    Ok(studio(&state).await?.lint(&template, language).await?)
}

/// Submits the draft to Meta (or the sandbox); refused while an error finding
/// is left. The status then changes through [`TemplateStatusChanged`].
#[tauri::command]
#[specta::specta]
pub async fn submit_template(
    state: State<'_, AppState>,
    id: TemplateId,
) -> Result<StoredTemplate, IpcError> {
    let language = ui_language(&state).await?;
    Ok(studio(&state).await?.submit(id, language).await?)
}

/// Reads every submitted template's status and quality from Meta now.
#[tauri::command]
#[specta::specta]
pub async fn refresh_templates(
    state: State<'_, AppState>,
) -> Result<Vec<TemplateSummary>, IpcError> {
    Ok(studio(&state).await?.refresh().await?)
}

/// The workspace's lint settings, with its team dictionary.
#[tauri::command]
#[specta::specta]
pub async fn lint_settings(state: State<'_, AppState>) -> Result<LintSettings, IpcError> {
    Ok(studio(&state).await?.lint_settings().await?)
}

/// Saves the lint settings (the team dictionary becomes the one given).
#[tauri::command]
#[specta::specta]
pub async fn save_lint_settings(
    state: State<'_, AppState>,
    settings: LintSettings,
) -> Result<LintSettings, IpcError> {
    Ok(studio(&state).await?.save_lint_settings(&settings).await?)
}

/// Adds a word to the team dictionary (from a spelling finding).
#[tauri::command]
#[specta::specta]
pub async fn add_to_team_dictionary(
    state: State<'_, AppState>,
    word: String,
) -> Result<LintSettings, IpcError> {
    Ok(studio(&state).await?.add_to_team_dictionary(&word).await?)
}

/// The linter's rules, described in `language`.
#[tauri::command]
#[specta::specta]
pub fn lint_rules(language: Language) -> Vec<LintRule> {
    catalogue(language)
}

/// A template's status or quality changed (a webhook, a refresh, a submission
/// or a deletion): the window updates and may notify the user.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct TemplateStatusChanged(pub TemplateChange);

/// Forwards the open workspace's template changes to the windows for as long as
/// the app runs, following the user from workspace to workspace (a closed
/// workspace ends its channel; the next one is picked up).
pub fn forward_template_changes(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            let receiver = {
                let state = app.state::<AppState>();
                let session = state.session.read().await;
                session.as_ref().ok().map(|s| s.templates().subscribe())
            };
            if let Some(mut receiver) = receiver {
                loop {
                    match receiver.recv().await {
                        Ok(change) => {
                            if let Err(error) = TemplateStatusChanged(change).emit(&app) {
                                tracing::warn!(%error, "could not tell the windows about a template change");
                            }
                        }
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(
                                missed,
                                "template changes were dropped for a slow window"
                            );
                        }
                        Err(RecvError::Closed) => break,
                    }
                }
            }
            // No workspace open, or the one open just closed (a switch): look
            // again shortly.
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
}
