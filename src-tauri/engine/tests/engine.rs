//! The engine against real folders and SQLite files.

#[path = "engine/audience.rs"]
mod audience;
#[path = "engine/import.rs"]
mod import;
#[path = "engine/templates.rs"]
mod templates;

use cadence_core::{Language, WorkspaceMode};
use cadence_engine::paths::DEFAULT_WORKSPACE;
use cadence_engine::{DataDir, Error, ErrorCode, IpcError, Workspace};

pub(crate) fn data_dir(root: &std::path::Path) -> DataDir {
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

mod webhooks {
    use cadence_core::Secret;
    use cadence_engine::webhooks::{ReceiverConfig, Trust, WEBHOOK_PATH, WebhookReceiver, ingest};
    use cadence_engine::{Error, Workspace};
    use cadence_store::{Recorded, WebhookSource};
    use cadence_whatsapp::webhook::sign_body;

    use super::data_dir;

    const APP_SECRET: &str = "test-app-secret";

    /// A status webhook as Meta documents it: one `delivered` status with pricing.
    fn status_body(wamid: &str) -> Vec<u8> {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"statuses":[{{"id":"{wamid}","status":"delivered","timestamp":"1750263773","recipient_id":"16505551234","biz_opaque_callback_data":"outbox:42","pricing":{{"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular"}}}}]}}}}]}}]}}"#
        )
        .into_bytes()
    }

    #[tokio::test]
    async fn a_signed_body_is_stored_once_and_a_bad_signature_stores_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&data_dir(tmp.path()), "sandbox")
            .await
            .unwrap();
        let store = workspace.store();
        let secret = Secret::new(APP_SECRET);
        let body = status_body("wamid.HBgL1");
        let header = sign_body(APP_SECRET.as_bytes(), &body);

        let trust = || Trust::Signed {
            app_secret: &secret,
            signature: Some(&header),
        };
        let first = ingest(store, WebhookSource::Receiver, &body, trust())
            .await
            .unwrap();
        assert!(
            matches!(first.recorded, Recorded::New { events: 1, .. }),
            "one status event: {first:?}"
        );
        let again = ingest(store, WebhookSource::Receiver, &body, trust())
            .await
            .unwrap();
        assert!(
            matches!(again.recorded, Recorded::Duplicate { .. }),
            "a retried delivery changes nothing"
        );

        let events = store.webhook_events_for("wamid.HBgL1").await.unwrap();
        assert_eq!(events.len(), 1);
        assert!(
            events[0].1.contains("outbox:42"),
            "the callback data survives for reconciliation"
        );

        let wrong = Secret::new("another-secret");
        let other_body = status_body("wamid.HBgL2");
        let refused = ingest(
            store,
            WebhookSource::Receiver,
            &other_body,
            Trust::Signed {
                app_secret: &wrong,
                signature: Some(&sign_body(APP_SECRET.as_bytes(), &other_body)),
            },
        )
        .await;
        assert!(
            matches!(refused, Err(Error::WebhookSignature(_))),
            "a wrong secret is refused"
        );
        assert_eq!(
            store.webhook_counts().await.unwrap(),
            (1, 1),
            "a refused body is not stored"
        );
    }

    #[tokio::test]
    async fn an_unreadable_import_is_kept_and_flagged() {
        let tmp = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&data_dir(tmp.path()), "sandbox")
            .await
            .unwrap();
        let recorded = ingest(
            workspace.store(),
            WebhookSource::Import,
            b"{\"object\": 5",
            Trust::Unchecked,
        )
        .await
        .unwrap();
        assert!(matches!(recorded.recorded, Recorded::New { events: 0, .. }));
        assert!(!recorded.parsed, "the outcome says the body did not parse");
        let unparsed = workspace.store().unparsed_webhooks().await.unwrap();
        assert_eq!(
            unparsed.len(),
            1,
            "the body is kept even though it did not parse"
        );
        assert!(
            unparsed[0].parse_error.is_some(),
            "and flagged with the parser's reason"
        );
    }

    #[tokio::test]
    async fn the_receiver_verifies_subscriptions_and_signatures_over_http() {
        let tmp = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&data_dir(tmp.path()), "sandbox")
            .await
            .unwrap();
        let receiver = WebhookReceiver::start(
            workspace.store().clone(),
            ReceiverConfig {
                listen: "127.0.0.1:0".parse().unwrap(),
                app_secret: Secret::new(APP_SECRET),
                verify_token: Secret::new("verify-me"),
                source: WebhookSource::Receiver,
            },
        )
        .await
        .unwrap();
        let url = format!("http://{}{WEBHOOK_PATH}", receiver.local_addr());
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();

        let ok = http
            .get(format!(
                "{url}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(
            ok.text().await.unwrap(),
            "1158201444",
            "Meta expects its challenge echoed"
        );
        let wrong = http
            .get(format!(
                "{url}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 403, "a wrong verify token is refused");

        let body = status_body("wamid.HTTP1");
        let post = |body: Vec<u8>, signature: Option<String>| {
            let mut request = http
                .post(&url)
                .header("content-type", "application/json")
                .body(body);
            if let Some(signature) = signature {
                request = request.header("X-Hub-Signature-256", signature);
            }
            request.send()
        };
        let signed = sign_body(APP_SECRET.as_bytes(), &body);
        assert_eq!(
            post(body.clone(), Some(signed.clone()))
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(
            post(body.clone(), Some(signed.clone()))
                .await
                .unwrap()
                .status(),
            200,
            "a retry is accepted"
        );
        assert_eq!(
            post(body.clone(), None).await.unwrap().status(),
            401,
            "no signature, no entry"
        );
        let mut tampered = body.clone();
        let last = tampered.len() - 3;
        tampered[last] ^= 1;
        assert_eq!(
            post(tampered, Some(signed)).await.unwrap().status(),
            401,
            "one changed byte breaks the signature"
        );
        assert_eq!(
            workspace.store().webhook_counts().await.unwrap(),
            (1, 1),
            "only the one genuine delivery is stored, once"
        );
        receiver.stop().await;
    }
}

mod workspaces {
    use cadence_core::WorkspaceMode;
    use cadence_engine::{ErrorCode, Workspace};

    use super::data_dir;

    #[tokio::test]
    async fn a_live_workspace_is_created_listed_and_remembered() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = data_dir(tmp.path());
        assert!(
            Workspace::list(&dir).await.unwrap().is_empty(),
            "a new data folder has no workspaces"
        );
        assert_eq!(
            dir.current_workspace(),
            "sandbox",
            "the sandbox opens first"
        );

        Workspace::open(&dir, "sandbox")
            .await
            .unwrap()
            .close()
            .await;
        let live = Workspace::create(&dir, "acme", WorkspaceMode::Live)
            .await
            .unwrap();
        assert_eq!(
            live.mode().await.unwrap(),
            WorkspaceMode::Live,
            "a real account's workspace is live"
        );
        live.close().await;

        let dup = Workspace::create(&dir, "acme", WorkspaceMode::Live)
            .await
            .unwrap_err();
        assert_eq!(
            dup.code(),
            ErrorCode::InvalidInput,
            "an existing name is refused: {dup}"
        );

        let listed = Workspace::list(&dir).await.unwrap();
        let shown: Vec<(&str, Option<WorkspaceMode>)> =
            listed.iter().map(|w| (w.name.as_str(), w.mode)).collect();
        assert_eq!(
            shown,
            [
                ("sandbox", Some(WorkspaceMode::Sandbox)),
                ("acme", Some(WorkspaceMode::Live))
            ],
            "the sandbox first, each with its mode"
        );

        dir.set_current_workspace("acme").unwrap();
        assert_eq!(
            dir.current_workspace(),
            "acme",
            "the choice is remembered for the next start"
        );
        std::fs::remove_dir_all(dir.workspace_dir("acme")).unwrap();
        assert_eq!(
            dir.current_workspace(),
            "sandbox",
            "a remembered workspace that is gone falls back to the sandbox"
        );
    }
}

/// Spelling: the bundled dictionaries loaded once, and the LanguageTool speller
/// against a real local HTTP server that answers as LanguageTool's `/v2/check` does.
mod spelling {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::extract::{Form, State};
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::{Json, Router};
    use cadence_core::Language;
    use cadence_core::lint::{LintSettings, Span, Speller};
    use cadence_core::template::{Button, Field, Template};
    use cadence_engine::spelling::{
        DictionarySource, LANGUAGE_TOOL_TIMEOUT, LanguageTool, SharedDictionaries, SpellingError,
        lint_with_language_tool, load,
    };
    use cadence_engine::{Error, ErrorCode};
    use serde_json::{Value, json};

    /// What the stand-in server was asked: (language, text) per request.
    type Seen = Arc<Mutex<Vec<(String, String)>>>;

    /// Typos the stand-in flags, with the fix it suggests.
    const TYPOS: [(&str, &str); 3] = [
        ("Превет", "Привет"),
        ("магазинне", "магазине"),
        ("Отписатся", "Отписаться"),
    ];

    /// Answers like LanguageTool: each known typo as a `misspelling` match with
    /// UTF-16 offsets, plus a style match the speller must ignore.
    async fn check(
        State(seen): State<Seen>,
        Form(form): Form<HashMap<String, String>>,
    ) -> Json<Value> {
        let text = form.get("text").cloned().unwrap_or_default();
        let language = form.get("language").cloned().unwrap_or_default();
        seen.lock().unwrap().push((language, text.clone()));
        let mut matches = vec![json!({
            "message": "Consider a shorter sentence.", "offset": 0, "length": 1,
            "replacements": [], "rule": {"id": "TOO_LONG", "issueType": "style"}
        })];
        for (typo, fix) in TYPOS {
            for (at, _) in text.match_indices(typo) {
                matches.push(json!({
                    "message": "Possible spelling mistake found.",
                    "offset": text[..at].encode_utf16().count(),
                    "length": typo.encode_utf16().count(),
                    "replacements": [{"value": fix}, {"value": "другое"}],
                    "rule": {"id": "MORFOLOGIK_RULE_RU_RU", "issueType": "misspelling",
                             "category": {"id": "TYPOS", "name": "Possible Typo"}}
                }));
            }
        }
        Json(json!({"software": {"name": "LanguageTool", "version": "6.6"}, "matches": matches}))
    }

    async fn serve(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        format!("http://{addr}")
    }

    async fn language_tool() -> (String, Seen) {
        let seen = Seen::default();
        let router = Router::new()
            .route("/v2/check", post(check))
            .with_state(seen.clone());
        (serve(router).await, seen)
    }

    #[tokio::test]
    async fn language_tool_spans_count_characters_not_utf16_units() {
        let (url, seen) = language_tool().await;
        let server = LanguageTool::new(&url, LANGUAGE_TOOL_TIMEOUT).unwrap();
        let found = server.check("ru", "🎉👍 Превет!").await.unwrap();
        assert_eq!(
            found.len(),
            1,
            "the style match is not a misspelling: {found:?}"
        );
        assert_eq!(
            found[0].span,
            Span { start: 3, end: 9 },
            "two emoji are four UTF-16 units but two characters"
        );
        assert_eq!(found[0].word, "Превет");
        assert_eq!(found[0].suggestions, ["Привет", "другое"]);
        assert_eq!(
            seen.lock().unwrap()[0].0,
            "ru-RU",
            "Meta's language code is sent in LanguageTool's form"
        );
    }

    #[tokio::test]
    async fn a_lint_asks_the_server_first_and_maps_its_answers_to_fields() {
        let (url, seen) = language_tool().await;
        let server = LanguageTool::new(&url, LANGUAGE_TOOL_TIMEOUT).unwrap();
        let mut template = Template::draft("autumn", "ru");
        template.body = "{{1}}, Превет! Ждём вас в магазинне на https://shop.example/Превет".into();
        template.buttons = vec![Button::QuickReply {
            text: "Отписатся".into(),
        }];
        let settings = LintSettings::default();
        let findings = lint_with_language_tool(&template, &settings, Language::Ru, &server)
            .await
            .unwrap();
        let spelling: Vec<_> = findings
            .iter()
            .filter(|f| f.rule == "spelling")
            .map(|f| (f.field.clone(), f.span))
            .collect();
        assert_eq!(
            spelling,
            [
                (Field::Body, Span { start: 7, end: 13 }),
                (Field::Body, Span { start: 26, end: 35 }),
                (Field::ButtonText(0), Span { start: 0, end: 9 }),
            ],
            "each typo in its own field; the one inside the URL was never sent"
        );
        let first = findings.iter().find(|f| f.rule == "spelling").unwrap();
        let fix = first.fix.as_ref().unwrap();
        assert_eq!(fix.label, "Заменить на «Привет»");
        let asked = seen.lock().unwrap().clone();
        assert_eq!(
            asked.len(),
            2,
            "one request per field with words: {asked:?}"
        );
        assert!(
            !asked[0].1.contains("{{1}}") && !asked[0].1.contains("https://"),
            "variables and URLs are blanked before the text leaves the machine: {:?}",
            asked[0].1
        );
    }

    #[tokio::test]
    async fn server_failures_are_typed_errors() {
        let router = Router::new()
            .route(
                "/broken/v2/check",
                post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
            )
            .route("/html/v2/check", post(|| async { "<html>not json</html>" }))
            .route(
                "/slow/v2/check",
                post(|| async {
                    std::future::pending::<()>().await;
                    "never"
                }),
            );
        let url = serve(router).await;
        let quick = Duration::from_millis(300);

        let error = LanguageTool::new(&format!("{url}/broken"), quick)
            .unwrap()
            .check("en", "hi")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, SpellingError::Status { status: 500, excerpt, .. } if excerpt == "boom"),
            "{error}"
        );
        let error = LanguageTool::new(&format!("{url}/html"), quick)
            .unwrap()
            .check("en", "hi")
            .await
            .unwrap_err();
        assert!(matches!(error, SpellingError::BadAnswer { .. }), "{error}");
        let error = LanguageTool::new(&format!("{url}/slow"), quick)
            .unwrap()
            .check("en", "hi")
            .await
            .unwrap_err();
        assert!(
            matches!(error, SpellingError::Timeout { .. }),
            "a server that never answers is a timeout, not a hang: {error}"
        );
        assert_eq!(Error::from(error).code(), ErrorCode::Network);

        // A port nobody listens on: bind one, then free it.
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let error = LanguageTool::new(&format!("http://{closed}"), quick)
            .unwrap()
            .check("en", "hi")
            .await
            .unwrap_err();
        assert!(
            matches!(error, SpellingError::Unreachable { .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn the_bundled_dictionaries_load_once_for_every_caller() {
        let shared = SharedDictionaries::new(DictionarySource::Bundled);
        assert!(
            shared.ready().is_none(),
            "nothing is loaded before it is asked for"
        );
        let (a, b) = tokio::join!(shared.get(), shared.get());
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(Arc::ptr_eq(&a, &b), "two callers share one load");
        assert!(shared.ready().is_some_and(|ready| Arc::ptr_eq(&ready, &a)));
        assert_eq!(a.languages().collect::<Vec<_>>(), ["ru", "en"]);
        let found = a.check("ru", "Недавно вы интересовались стульями. Превет!");
        assert_eq!(
            found.iter().map(|m| m.word.as_str()).collect::<Vec<_>>(),
            ["Превет"],
            "the bundled Russian dictionary works without any system dictionary"
        );
    }

    #[tokio::test]
    async fn a_folder_of_dictionaries_replaces_the_bundled_ones() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("de_DE.aff"), "SET UTF-8\n").unwrap();
        std::fs::write(folder.path().join("de_DE.dic"), "2\nhallo\nwelt\n").unwrap();
        std::fs::write(folder.path().join("notes.aff"), "SET UTF-8\n").unwrap();
        let dictionaries = load(DictionarySource::Folder(folder.path().to_owned()))
            .await
            .unwrap();
        assert_eq!(
            dictionaries.languages().collect::<Vec<_>>(),
            ["de"],
            "each .aff with a .dic beside it is a language; a lone .aff is ignored"
        );
        assert_eq!(dictionaries.check("de_DE", "Hallo Welt, Wellt").len(), 1);

        let empty = tempfile::tempdir().unwrap();
        let error = load(DictionarySource::Folder(empty.path().to_owned()))
            .await
            .unwrap_err();
        assert!(matches!(error, SpellingError::NoDictionaryIn(_)), "{error}");
        let error = load(DictionarySource::Folder(empty.path().join("missing")))
            .await
            .unwrap_err();
        assert!(
            matches!(error, SpellingError::ReadDictionary { .. }),
            "{error}"
        );
        assert_eq!(Error::from(error).code(), ErrorCode::Io);
    }
}
