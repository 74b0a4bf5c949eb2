//! The store against real SQLite files in fresh temporary folders.

#[path = "store/contacts.rs"]
mod contacts;
#[path = "store/import.rs"]
mod import;
#[path = "store/segments.rs"]
mod segments;
#[path = "store/templates.rs"]
mod templates;

use std::path::{Path, PathBuf};

use cadence_core::{Language, WorkspaceMode};
use cadence_store::{Error, MIGRATOR, Store};
use sqlx::migrate::Migrator;
use sqlx::{Connection, SqliteConnection};

/// A new store in a temporary folder; the folder lives as long as the guard.
async fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("cadence.sqlite3"))
        .await
        .unwrap();
    (dir, store)
}

/// The version of the newest migration Cadence ships.
fn latest_version() -> i64 {
    MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .expect("Cadence ships migrations")
}

/// A migrator with Cadence's migrations plus one more, as the next release
/// would bring: copies `migrations/` and adds a file.
async fn migrator_with_upgrade(dir: &Path) -> (Migrator, i64) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let target = dir.join("migrations");
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
    }
    let next = 20991231000001;
    std::fs::write(
        target.join(format!("{next}_upgrade.sql")),
        "ALTER TABLE workspace ADD COLUMN default_region TEXT;",
    )
    .unwrap();
    (Migrator::new(target.as_path()).await.unwrap(), next)
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bak"))
        .collect();
    found.sort();
    found
}

async fn pragma(path: &Path, name: &str) -> String {
    // A second, plain connection sees the file's persistent settings (journal mode);
    // per-connection settings are checked through the store's own pool below.
    let mut conn = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let value: String =
        sqlx::query_scalar(&format!("SELECT CAST({name} AS TEXT) FROM pragma_{name}"))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    conn.close().await.unwrap();
    value
}

#[tokio::test]
async fn a_new_database_is_migrated_in_wal_mode_without_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cadence.sqlite3");
    let store = Store::open(&path).await.unwrap();

    assert_eq!(
        store.schema_version().await.unwrap(),
        latest_version(),
        "every shipped migration ran"
    );
    assert!(
        backups(dir.path()).is_empty(),
        "a new database has nothing worth backing up"
    );
    store.close().await;
    assert_eq!(
        pragma(&path, "journal_mode").await,
        "wal",
        "WAL lets the UI read while the sender writes"
    );
}

#[tokio::test]
async fn connections_enforce_foreign_keys_and_wait_for_locks() {
    let (_dir, store) = fresh_store().await;
    let settings = store.sqlite_settings().await.unwrap();
    assert!(
        settings.foreign_keys,
        "foreign keys are off by default in SQLite and must be turned on"
    );
    assert_eq!(
        settings.busy_timeout_ms, 5000,
        "a writer waits for a lock instead of failing at once"
    );
}

#[tokio::test]
async fn the_workspace_record_is_written_once_and_keeps_the_users_choices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cadence.sqlite3");
    let store = Store::open(&path).await.unwrap();

    let row = store
        .ensure_workspace("sandbox", WorkspaceMode::Sandbox)
        .await
        .unwrap();
    assert_eq!(
        (row.name.as_str(), row.mode, row.ui_language),
        ("sandbox", WorkspaceMode::Sandbox, None)
    );
    assert!(
        row.created_at.ends_with('Z'),
        "created_at is UTC: {}",
        row.created_at
    );

    store.set_ui_language(Some(Language::Ru)).await.unwrap();
    let again = store
        .ensure_workspace("other", WorkspaceMode::Live)
        .await
        .unwrap();
    assert_eq!(
        again.name, "sandbox",
        "an existing record is never overwritten by a later start"
    );
    assert_eq!(again.mode, WorkspaceMode::Sandbox);
    assert_eq!(again.ui_language, Some(Language::Ru));
    store.close().await;

    let reopened = Store::open(&path).await.unwrap();
    assert_eq!(
        reopened.workspace().await.unwrap().ui_language,
        Some(Language::Ru),
        "the choice survives a restart"
    );
    reopened.set_ui_language(None).await.unwrap();
    assert_eq!(
        reopened.workspace().await.unwrap().ui_language,
        None,
        "None goes back to following the OS"
    );
}

#[tokio::test]
async fn a_database_without_its_workspace_record_says_so() {
    let (_dir, store) = fresh_store().await;
    assert!(matches!(
        store.workspace().await,
        Err(Error::MissingWorkspace(_))
    ));
    assert!(matches!(
        store.set_ui_language(Some(Language::En)).await,
        Err(Error::MissingWorkspace(_))
    ));
}

#[tokio::test]
async fn check_constraints_refuse_values_the_enums_do_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cadence.sqlite3");
    Store::open(&path).await.unwrap().close().await;
    let mut conn = SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    for (sql, why) in [
        (
            "INSERT INTO workspace (id, name, mode) VALUES (1, 'x', 'production')",
            "unknown mode",
        ),
        (
            "INSERT INTO workspace (id, name, mode, ui_language) VALUES (1, 'x', 'sandbox', 'de')",
            "unknown language",
        ),
        (
            "INSERT INTO workspace (id, name, mode) VALUES (1, '  ', 'sandbox')",
            "blank name",
        ),
        (
            "INSERT INTO workspace (id, name, mode) VALUES (2, 'x', 'sandbox')",
            "a second workspace row",
        ),
    ] {
        assert!(
            sqlx::query(sql).execute(&mut conn).await.is_err(),
            "the schema must refuse a {why}"
        );
    }
}

#[tokio::test]
async fn an_existing_database_is_backed_up_before_a_new_migration_changes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cadence.sqlite3");
    let store = Store::open(&path).await.unwrap();
    store
        .ensure_workspace("acme", WorkspaceMode::Sandbox)
        .await
        .unwrap();
    store.set_ui_language(Some(Language::Ru)).await.unwrap();
    store.close().await;

    let (upgrade, next) = migrator_with_upgrade(dir.path()).await;
    let upgraded = Store::open_with(&path, &upgrade).await.unwrap();
    assert_eq!(
        upgraded.schema_version().await.unwrap(),
        next,
        "the new migration ran"
    );
    assert_eq!(
        upgraded.workspace().await.unwrap().name,
        "acme",
        "the data came through the migration"
    );
    upgraded.close().await;

    let found = backups(dir.path());
    assert_eq!(
        found.len(),
        1,
        "exactly one backup before the migration: {found:?}"
    );
    let name = found[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("cadence.sqlite3.before-{next}.")),
        "the backup names the migration: {name}"
    );

    // The backup is a complete database as it was before the migration.
    let mut conn = SqliteConnection::connect(&format!("sqlite:{}", found[0].display()))
        .await
        .unwrap();
    let (version, lang): (i64, Option<String>) = sqlx::query_as(
        "SELECT (SELECT MAX(version) FROM _sqlx_migrations), ui_language FROM workspace",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(version, latest_version());
    assert_eq!(
        lang.as_deref(),
        Some("ru"),
        "the backup holds the data written before it, WAL included"
    );

    // Opening again with nothing pending takes no further backup.
    Store::open_with(&path, &upgrade)
        .await
        .unwrap()
        .close()
        .await;
    assert_eq!(
        backups(dir.path()).len(),
        1,
        "no migration pending, no backup"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_cadence_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cadence.sqlite3");
    let (upgrade, next) = migrator_with_upgrade(dir.path()).await;
    Store::open_with(&path, &upgrade)
        .await
        .unwrap()
        .close()
        .await;

    match Store::open(&path).await {
        Err(Error::NewerSchema { version, .. }) => assert_eq!(version, next),
        other => panic!(
            "an older Cadence must refuse a newer schema instead of misreading it, got {other:?}"
        ),
    }
    let store = Store::open_with(&path, &upgrade).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        next,
        "the refused database was left as it was"
    );
}

mod webhooks {
    use super::fresh_store;
    use cadence_store::{
        NewWebhookEvent, Recorded, SignatureCheck, WebhookEventKind, WebhookSource,
    };

    fn status(wamid: &str, status: &str) -> NewWebhookEvent {
        NewWebhookEvent {
            kind: WebhookEventKind::MessageStatus,
            wamid: Some(wamid.into()),
            occurred_at: Some("2026-11-25T10:00:00Z".into()),
            payload: format!(r#"{{"status":"{status}"}}"#),
        }
    }

    #[tokio::test]
    async fn a_delivery_is_stored_once_with_its_events() {
        let (_dir, store) = fresh_store().await;
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let events = [status("wamid.A", "delivered"), status("wamid.A", "read")];

        let first = store
            .record_webhook(
                WebhookSource::Receiver,
                SignatureCheck::Verified,
                body,
                Ok(&events),
            )
            .await
            .unwrap();
        let Recorded::New {
            delivery_id,
            events: 2,
        } = first
        else {
            panic!("a new body is stored: {first:?}")
        };

        let again = store
            .record_webhook(
                WebhookSource::Receiver,
                SignatureCheck::Verified,
                body,
                Ok(&events),
            )
            .await
            .unwrap();
        assert_eq!(
            again,
            Recorded::Duplicate { delivery_id },
            "Meta's retry of the same delivery changes nothing"
        );
        assert_eq!(
            store.webhook_counts().await.unwrap(),
            (1, 2),
            "no second copy of the body or its events"
        );

        let stored = store.webhook_events_for("wamid.A").await.unwrap();
        let kinds: Vec<&str> = stored.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["message_status", "message_status"]);
        assert!(stored[1].1.contains("read"), "events keep the body's order");
    }

    #[tokio::test]
    async fn a_body_that_did_not_parse_is_kept_and_flagged() {
        let (_dir, store) = fresh_store().await;
        let body = b"{not json";
        let recorded = store
            .record_webhook(
                WebhookSource::Import,
                SignatureCheck::Unchecked,
                body,
                Err("expected value at line 1"),
            )
            .await
            .unwrap();
        assert!(matches!(recorded, Recorded::New { events: 0, .. }));
        let unparsed = store.unparsed_webhooks().await.unwrap();
        assert_eq!(
            unparsed.len(),
            1,
            "nothing received is lost, even unreadable bodies"
        );
        assert_eq!(unparsed[0].body, body, "the body is kept byte for byte");
        assert_eq!(
            unparsed[0].parse_error.as_deref(),
            Some("expected value at line 1")
        );
    }

    #[tokio::test]
    async fn an_event_with_invalid_json_rolls_the_whole_delivery_back() {
        let (_dir, store) = fresh_store().await;
        let mut broken = status("wamid.B", "sent");
        broken.payload = "not json".into();
        let result = store
            .record_webhook(
                WebhookSource::Sandbox,
                SignatureCheck::Verified,
                b"{}",
                Ok(&[status("wamid.B", "sent"), broken]),
            )
            .await;
        assert!(
            result.is_err(),
            "the json_valid CHECK refuses a malformed payload"
        );
        assert_eq!(
            store.webhook_counts().await.unwrap(),
            (0, 0),
            "a half-stored delivery would hide the retry"
        );
    }
}

mod connection {
    use super::fresh_store;
    use cadence_store::NewConnection;

    fn connection(waba: &str, phone: &str, app: Option<&str>, version: &str) -> NewConnection {
        NewConnection {
            waba_id: waba.into(),
            phone_number_id: phone.into(),
            app_id: app.map(Into::into),
            api_version: version.into(),
            webhook_listen: "127.0.0.1:8787".into(),
        }
    }

    #[tokio::test]
    async fn the_connection_is_saved_replaced_and_checked() {
        let (_dir, store) = fresh_store().await;
        assert!(
            store.connection().await.unwrap().is_none(),
            "no connection until the user saves one"
        );

        let saved = store
            .save_connection(&connection(
                "102290129340398",
                "106540352242922",
                None,
                "v23.0",
            ))
            .await
            .unwrap();
        assert_eq!(
            (saved.waba_id.as_str(), saved.app_id.as_deref()),
            ("102290129340398", None)
        );
        let replaced = store
            .save_connection(&connection("102290129340398", "999", Some("1234"), "v24.0"))
            .await
            .unwrap();
        assert_eq!(
            (
                replaced.phone_number_id.as_str(),
                replaced.app_id.as_deref(),
                replaced.api_version.as_str()
            ),
            ("999", Some("1234"), "v24.0")
        );

        for bad in [
            connection("12a", "1", None, "v23.0"),
            connection("1", "", None, "v23.0"),
            connection("1", "2", None, "23.0"),
            connection("1", "2", Some("app"), "v23.0"),
        ] {
            assert!(
                store.save_connection(&bad).await.is_err(),
                "the schema refuses ids that are not Meta's digits or a version without its v: {bad:?}"
            );
        }
        assert_eq!(
            store.connection().await.unwrap().unwrap(),
            replaced,
            "a refused save changes nothing"
        );
    }
}
