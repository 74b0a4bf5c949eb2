//! The Cadence desktop app: window, commands and events over `cadence-engine`.
//!
//! A thin shell (house rule 1): each command converts a DTO, calls the engine and
//! converts back. No SQL and no business rule lives here.

pub mod bindings;
pub mod commands;
mod logging;

use cadence_engine::{DataDir, IpcError, Session};
use tokio::sync::RwLock;

/// What every command reaches: the open session (workspace and its link to
/// WhatsApp), or why it could not be opened (the window still opens and shows
/// that error instead of vanishing).
pub struct AppState {
    data_dir: Result<DataDir, IpcError>,
    session: RwLock<Result<Session, IpcError>>,
    /// The OS locale at start, which picks the language until the user chooses one.
    os_locale: Option<String>,
}

/// Starts the app: resolves the data folder, starts logging, opens the workspace
/// used last (the sandbox at first) and shows the window.
pub fn run() {
    let data_dir = DataDir::resolve(None);
    let _log_guard = match &data_dir {
        Ok(dir) => logging::init(&dir.log_dir()),
        Err(_) => logging::init_stderr_only(),
    };
    let data_dir = data_dir.map_err(IpcError::from);
    let session = tauri::async_runtime::block_on(async {
        let dir = data_dir.clone()?;
        Session::open(&dir, &dir.current_workspace())
            .await
            .map_err(IpcError::from)
    });
    let state = AppState {
        data_dir,
        session: RwLock::new(session),
        os_locale: sys_locale::get_locale(),
    };
    tracing::info!(version = cadence_engine::VERSION, os_locale = ?state.os_locale, "Cadence starting");

    let ipc = bindings::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        // The window tells the user when a template is approved or rejected, or an
        // import finishes, with the web Notification API; WebKit asks first.
        .on_permission_request(|_, kind| match kind {
            tauri::webview::PermissionKind::Notifications => {
                tauri::webview::PermissionResponse::Allow
            }
            _ => tauri::webview::PermissionResponse::Default,
        })
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            ipc.mount_events(app);
            commands::templates::forward_template_changes(app.handle().clone());
            Ok(())
        })
        .manage(state)
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(error) = result {
        tracing::error!(%error, "the window could not start");
        eprintln!("Cadence could not start its window: {error}");
        std::process::exit(1);
    }
}
