//! The Cadence desktop app: window, commands and events over `cadence-engine`.
//!
//! A thin shell (house rule 1): each command converts a DTO, calls the engine and
//! converts back. No SQL and no business rule lives here.

pub mod bindings;
pub mod commands;
mod logging;

use cadence_engine::paths::DEFAULT_WORKSPACE;
use cadence_engine::{DataDir, IpcError, Workspace};

/// What every command reaches: the open workspace, or why it could not be opened
/// (the window still opens and shows that error instead of vanishing).
pub struct AppState {
    workspace: Result<Workspace, IpcError>,
    /// The OS locale at start, which picks the language until the user chooses one.
    os_locale: Option<String>,
}

impl AppState {
    fn workspace(&self) -> Result<&Workspace, IpcError> {
        self.workspace.as_ref().map_err(Clone::clone)
    }
}

/// Starts the app: resolves the data folder, starts logging, opens the default
/// workspace and shows the window.
pub fn run() {
    let data_dir = DataDir::resolve(None);
    let _log_guard = match &data_dir {
        Ok(dir) => logging::init(&dir.log_dir()),
        Err(_) => logging::init_stderr_only(),
    };
    let workspace = tauri::async_runtime::block_on(async {
        let dir = data_dir?;
        Workspace::open(&dir, DEFAULT_WORKSPACE).await
    })
    .map_err(IpcError::from);
    let state = AppState {
        workspace,
        os_locale: sys_locale::get_locale(),
    };
    tracing::info!(version = cadence_engine::VERSION, os_locale = ?state.os_locale, "Cadence starting");

    let ipc = bindings::builder();
    let result = tauri::Builder::default()
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            ipc.mount_events(app);
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
