//! The engine against real folders and SQLite files.

use cadence_core::{Language, WorkspaceMode};
use cadence_engine::paths::DEFAULT_WORKSPACE;
use cadence_engine::{DataDir, Error, ErrorCode, IpcError, Workspace};

fn data_dir(root: &std::path::Path) -> DataDir {
    DataDir::resolve_from(Some(root.to_owned()), None, None).unwrap()
}

#[tokio::test]
async fn opening_the_default_workspace_creates_its_folder_and_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(tmp.path());
    let workspace = Workspace::open(&dir, DEFAULT_WORKSPACE).await.unwrap();
    let info = workspace.info().await.unwrap();

    let db = tmp.path().join("workspaces/sandbox/cadence.sqlite3");
    assert!(
        db.is_file(),
        "the database is created on first use at {}",
        db.display()
    );
    assert_eq!(info.database_path, db.display().to_string());
    assert_eq!(info.data_dir, tmp.path().display().to_string());
    assert_eq!(
        info.log_dir,
        tmp.path().join("logs").display().to_string(),
        "an overridden data folder keeps the logs"
    );
    assert_eq!(info.name, "sandbox");
    assert_eq!(
        info.mode,
        WorkspaceMode::Sandbox,
        "a new workspace never messages real people"
    );
    assert!(
        info.schema_version >= 20261125000001,
        "the schema version is the newest migration's"
    );
    assert_eq!(info.app_version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn the_language_follows_the_os_until_the_user_chooses_and_then_persists() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(tmp.path());
    let workspace = Workspace::open(&dir, DEFAULT_WORKSPACE).await.unwrap();

    let prefs = workspace.preferences(Some("ru_RU.UTF-8")).await.unwrap();
    assert_eq!(
        (prefs.language, prefs.effective_language),
        (None, Language::Ru)
    );

    let prefs = workspace
        .set_language(Some(Language::En), Some("ru_RU.UTF-8"))
        .await
        .unwrap();
    assert_eq!(
        prefs.effective_language,
        Language::En,
        "a chosen language wins over the OS"
    );
    workspace.close().await;

    let reopened = Workspace::open(&dir, DEFAULT_WORKSPACE).await.unwrap();
    let prefs = reopened.preferences(Some("ru_RU.UTF-8")).await.unwrap();
    assert_eq!(
        prefs.language,
        Some(Language::En),
        "the choice is stored in the workspace"
    );

    let prefs = reopened
        .set_language(None, Some("ru_RU.UTF-8"))
        .await
        .unwrap();
    assert_eq!(
        (prefs.language, prefs.effective_language),
        (None, Language::Ru),
        "back to the OS"
    );
}

#[tokio::test]
async fn bad_workspace_names_are_refused_before_touching_the_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Workspace::open(&data_dir(tmp.path()), "../escape")
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(
        err.to_string().contains("../escape"),
        "the message names the refused value: {err}"
    );
    assert!(
        !tmp.path().join("workspaces").exists(),
        "nothing was created for a refused name"
    );
}

#[tokio::test]
async fn a_data_folder_that_is_a_file_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let err = Workspace::open(&data_dir(&file), DEFAULT_WORKSPACE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CreateDir { .. }), "got {err:?}");
    let ipc = IpcError::from(err);
    assert_eq!(ipc.code, ErrorCode::Io);
    assert!(
        ipc.message.contains("not-a-folder"),
        "the user learns which folder: {}",
        ipc.message
    );
}

#[tokio::test]
async fn errors_reach_the_ui_as_code_and_plain_message() {
    let sql_detail = Error::Store(cadence_store::Error::Query(sqlx_error()));
    let ipc = IpcError::from(sql_detail);
    assert_eq!(ipc.code, ErrorCode::Storage);
    assert!(
        !ipc.message.contains("SELECT"),
        "SQL detail stays in the log: {}",
        ipc.message
    );

    let json = serde_json::to_value(&ipc).unwrap();
    assert_eq!(
        json["code"], "storage",
        "the UI branches on snake_case codes"
    );
    assert!(json["message"].is_string());

    let newer = cadence_store::Error::NewerSchema {
        path: "/x/cadence.sqlite3".into(),
        version: 2099,
    };
    assert_eq!(IpcError::from(newer).code, ErrorCode::NewerVersion);
}

/// A query error as sqlx reports it, with SQL in its text.
fn sqlx_error() -> sqlx::Error {
    sqlx::Error::Protocol("near \"SELECT\": syntax error".into())
}
