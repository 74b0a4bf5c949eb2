//! The template studio against the real sandbox, in-process: the sandbox reviews
//! what the studio submits and sends its signed webhooks to the engine's own
//! receiver, as Meta would. The sandbox's wall clock is frozen: simulated time
//! (and so review) moves only through its control API, never by sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use cadence_core::Language;
use cadence_core::lint::Severity;
use cadence_core::template::{Button, Category, Header, MediaKind, Template};
use cadence_engine::templates::{
    Clock, MetaLink, SyncSettings, TemplateChange, TemplateFilter, TemplateId, TemplateStudio,
    TemplateSync, lint_rules, sandbox_examples,
};
use cadence_engine::webhooks::{ReceiverConfig, Trust, WEBHOOK_PATH, WebhookReceiver, ingest};
use cadence_engine::{Error, ErrorCode, IpcError, Session, Workspace};
use cadence_sandbox::{ManualWallClock, Profile, RetryPolicy, RunningSandbox, ServerConfig};
use cadence_store::WebhookSource;
use cadence_store::templates::{ChangeSource, QualityRating, TemplateStatus};
use cadence_whatsapp::{AccessToken, Client};
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast};

use super::data_dir;

/// 2025-06-15 15:06:40 UTC, for the sandbox's frozen wall clock.
const SANDBOX_START_MS: u64 = 1_750_000_000_000;
/// Longer than the sandbox's default review (60 s of simulated time).
const REVIEW_SECONDS: f64 = 61.0;
/// How long a test waits for a webhook to travel sandbox → receiver → studio.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// The studio's clock: a fixed instant that tests move by hand.
#[derive(Debug)]
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.fetch_add(1_000, Ordering::SeqCst)
    }
}

/// A studio linked to its own sandbox, whose webhooks reach the studio through
/// the engine's receiver.
struct Harness {
    _dir: tempfile::TempDir,
    studio: TemplateStudio,
    store: cadence_store::Store,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    sync: Option<TemplateSync>,
    client: Client,
    waba: String,
    http: reqwest::Client,
}

impl Harness {
    /// `sync`: run the background task that applies webhooks (as a session does).
    async fn start(profile: Profile, sync: bool) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&data_dir(dir.path()), "sandbox")
            .await
            .unwrap();
        let store = workspace.store().clone();
        let account = profile.account.clone();
        let wake = Arc::new(Notify::new());
        let receiver = WebhookReceiver::start_waking(
            store.clone(),
            ReceiverConfig {
                listen: "127.0.0.1:0".parse().unwrap(),
                app_secret: cadence_core::Secret::new(account.app_secret.clone()),
                verify_token: cadence_core::Secret::new(account.verify_token.clone()),
                source: WebhookSource::Sandbox,
            },
            Some(wake.clone()),
        )
        .await
        .unwrap();
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
        config.profile = profile;
        config.clock = Arc::new(ManualWallClock::new(SANDBOX_START_MS));
        config.webhook_url = Some(format!("http://{}{WEBHOOK_PATH}", receiver.local_addr()));
        config.webhook_retry = Some(RetryPolicy {
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            max_attempts: 5,
            request_timeout: Duration::from_secs(2),
        });
        let sandbox = cadence_sandbox::serve(config).await.unwrap();
        let client = Client::builder(AccessToken::new(account.access_token.clone()))
            .base_url(sandbox.base_url())
            .build()
            .unwrap();
        let studio = TemplateStudio::new(
            store.clone(),
            Arc::new(TestClock(AtomicI64::new(1_764_064_800_000))),
        );
        studio.set_link(Some(MetaLink {
            client: client.clone(),
            waba_id: account.waba_id.clone(),
            app_id: Some(account.app_id.clone()),
        }));
        let sync = sync.then(|| {
            TemplateSync::start(
                studio.clone(),
                wake,
                SyncSettings {
                    // Long: these tests see webhooks, not the periodic refresh.
                    refresh_every: Duration::from_secs(3600),
                    ..SyncSettings::default()
                },
            )
        });
        Harness {
            _dir: dir,
            studio,
            store,
            sandbox,
            receiver,
            sync,
            client,
            waba: account.waba_id,
            http: reqwest::Client::new(),
        }
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let response = self
            .http
            .post(format!("{}/_sandbox/{path}", self.sandbox.base_url()))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the control API answers");
        assert!(response.status().is_success(), "control {path}");
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    async fn state(&self) -> Value {
        let response = self
            .http
            .get(format!("{}/_sandbox/state", self.sandbox.base_url()))
            .send()
            .await
            .unwrap();
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    /// Lets the sandbox's review happen.
    async fn review(&self) {
        self.control("advance", json!({ "seconds": REVIEW_SECONDS }))
            .await;
    }

    async fn meta_templates(&self) -> Vec<cadence_whatsapp::wire::TemplateInfo> {
        self.client
            .list_all_templates(&self.waba, None)
            .await
            .unwrap()
    }

    async fn stop(self) {
        if let Some(sync) = self.sync {
            sync.stop().await;
        }
        self.sandbox.stop().await;
        self.receiver.stop().await;
    }
}

/// A marketing template written the way the channel wants: the sandbox's clean
/// English example under another name.
fn clean(name: &str) -> Template {
    let mut template = sandbox_examples()
        .into_iter()
        .find(|t| t.language == "en" && t.name == "example_winter_offer")
        .expect("the clean English example");
    template.name = name.to_owned();
    template
}

/// Waits for the change of template `id` that reaches `status`.
async fn change_to(
    changes: &mut broadcast::Receiver<TemplateChange>,
    id: TemplateId,
    status: TemplateStatus,
) -> TemplateChange {
    tokio::time::timeout(DELIVERY_TIMEOUT, async {
        loop {
            let change = changes.recv().await.expect("the studio is open");
            if change.id == id && change.status == status {
                return change;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("template {id} did not become {status} from a webhook"))
}

fn error_findings(findings: &[cadence_core::lint::Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule.as_str())
        .collect()
}

#[tokio::test]
async fn a_clean_template_is_linted_submitted_and_approved_by_the_review_webhook() {
    let h = Harness::start(Profile::default(), true).await;
    let created = h.studio.create(clean("winter_offer")).await.unwrap();
    let id = created.summary.id;
    assert_eq!(created.summary.status, TemplateStatus::Draft);

    let findings = h
        .studio
        .lint(&created.template, Language::En)
        .await
        .unwrap();
    assert_eq!(
        error_findings(&findings),
        Vec::<&str>::new(),
        "the clean example passes the submission gate"
    );

    let mut changes = h.studio.subscribe();
    let submitted = h.studio.submit(id, Language::En).await.unwrap();
    assert_eq!(submitted.summary.status, TemplateStatus::Pending);
    assert_eq!(submitted.submitted_versions.len(), 1);
    assert_eq!(
        submitted.submitted_versions[0].template, created.template,
        "the version keeps exactly what was submitted"
    );
    let meta_id = submitted.meta_id.clone().expect("Meta's id is kept");
    assert!(
        h.meta_templates().await.iter().any(|t| t.id == meta_id),
        "the sandbox holds the template under the recorded id"
    );
    let first = change_to(&mut changes, id, TemplateStatus::Pending).await;
    assert_eq!(first.source, ChangeSource::Submission);

    h.review().await;
    let approved = change_to(&mut changes, id, TemplateStatus::Approved).await;
    assert_eq!(
        (approved.previous_status, approved.source),
        (Some(TemplateStatus::Pending), ChangeSource::Webhook),
        "the sandbox's review webhook moved it, nobody refreshed"
    );

    let stored = h.studio.get(id).await.unwrap();
    assert_eq!(stored.summary.status, TemplateStatus::Approved);
    let history: Vec<(TemplateStatus, TemplateStatus, ChangeSource)> = stored
        .status_history
        .iter()
        .map(|c| (c.from, c.to, c.source))
        .collect();
    assert_eq!(
        history,
        [
            (
                TemplateStatus::Draft,
                TemplateStatus::Pending,
                ChangeSource::Submission
            ),
            (
                TemplateStatus::Pending,
                TemplateStatus::Approved,
                ChangeSource::Webhook
            ),
        ],
        "each status change is recorded with its source"
    );

    let again = h.studio.submit(id, Language::En).await.unwrap_err();
    assert!(
        matches!(again, Error::TemplateUnchanged { .. }),
        "an approved version without edits is not submitted twice: {again}"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_template_the_sandbox_rejects_shows_metas_reason_and_can_be_resubmitted() {
    let mut profile = Profile::default();
    profile
        .review
        .reject_names
        .insert("risky_offer".into(), "TAG_CONTENT_MISMATCH".into());
    let h = Harness::start(profile, true).await;
    let id = h
        .studio
        .create(clean("risky_offer"))
        .await
        .unwrap()
        .summary
        .id;
    let mut changes = h.studio.subscribe();
    let first = h.studio.submit(id, Language::En).await.unwrap();

    h.review().await;
    let rejected = change_to(&mut changes, id, TemplateStatus::Rejected).await;
    assert_eq!(
        rejected.rejection_reason.as_deref(),
        Some("TAG_CONTENT_MISMATCH"),
        "the user sees Meta's reason"
    );
    let stored = h.studio.get(id).await.unwrap();
    assert_eq!(
        stored.summary.rejection_reason.as_deref(),
        Some("TAG_CONTENT_MISMATCH")
    );
    assert_eq!(
        stored.status_history.last().map(|c| c.reason.as_deref()),
        Some(Some("TAG_CONTENT_MISMATCH")),
        "the history keeps the reason too"
    );

    // Fixed and sent again under the same name: Meta keeps one template per name
    // and language, so the rejected one is deleted there first.
    let mut fixed = stored.template.clone();
    fixed.body = fixed.body.replace("10%", "15%");
    h.studio.save_draft(id, fixed).await.unwrap();
    let second = h.studio.submit(id, Language::En).await.unwrap();
    assert_eq!(second.summary.status, TemplateStatus::Pending);
    assert_eq!(
        second.submitted_versions.len(),
        2,
        "a second, read-only version"
    );
    assert_eq!(
        second.summary.rejection_reason, None,
        "the old reason is gone"
    );
    let on_meta: Vec<String> = h.meta_templates().await.into_iter().map(|t| t.id).collect();
    assert_eq!(
        on_meta,
        [second.meta_id.clone().unwrap()],
        "the rejected version ({:?}) was replaced on the sandbox",
        first.meta_id
    );
    h.stop().await;
}

#[tokio::test]
async fn submission_is_refused_while_error_findings_remain() {
    let h = Harness::start(Profile::default(), false).await;
    let mut bad = clean("bad_offer");
    bad.body = "{{1}} HUGE SALE!!! Buy now {{2}}".into();
    bad.buttons.clear();
    let id = h.studio.create(bad).await.unwrap().summary.id;

    let refused = h.studio.submit(id, Language::Ru).await.unwrap_err();
    let Error::TemplateHasErrors { findings } = &refused else {
        panic!("a typed refusal listing the findings, got {refused}");
    };
    assert!(
        !findings.is_empty() && findings.iter().all(|f| f.severity == Severity::Error),
        "the refusal lists the error findings (and only those): {findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.rule == "body-variable-at-start"),
        "including the variable at the start Meta would reject: {findings:?}"
    );
    let ipc = IpcError::from(refused);
    assert_eq!(ipc.code, ErrorCode::InvalidInput);
    assert!(
        ipc.message.contains("body-variable-at-start"),
        "the message names the rules: {}",
        ipc.message
    );
    assert!(
        h.meta_templates().await.is_empty(),
        "nothing reached the sandbox"
    );
    assert_eq!(
        h.studio.get(id).await.unwrap().summary.status,
        TemplateStatus::Draft
    );
    h.stop().await;
}

#[tokio::test]
async fn a_refresh_and_quality_webhooks_record_their_changes() {
    let h = Harness::start(Profile::default(), false).await;
    let id = h
        .studio
        .create(clean("refreshed_offer"))
        .await
        .unwrap()
        .summary
        .id;
    let meta_id = h
        .studio
        .submit(id, Language::En)
        .await
        .unwrap()
        .meta_id
        .unwrap();
    h.review().await;

    // No background task here: the status changes when the studio reads Meta.
    let listed = h.studio.refresh().await.unwrap();
    let row = listed.iter().find(|t| t.id == id).unwrap();
    assert_eq!(
        row.status,
        TemplateStatus::Approved,
        "the refresh read the approval"
    );
    let again = h.studio.refresh().await.unwrap();
    assert_eq!(again.len(), listed.len());

    // The review webhook, stored meanwhile by the receiver, says what the
    // refresh said: applying it changes nothing.
    assert_eq!(h.studio.apply_webhook_events().await.unwrap(), 0);

    // Meta reports the quality falling.
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": h.waba, "time": 1750000100, "changes": [{
            "field": "message_template_quality_update",
            "value": {
                "previous_quality_score": "UNKNOWN",
                "new_quality_score": "YELLOW",
                "message_template_id": meta_id.parse::<u64>().unwrap(),
                "message_template_name": "refreshed_offer",
                "message_template_language": "en"
            }
        }]}]
    });
    ingest(
        &h.store,
        WebhookSource::Import,
        body.to_string().as_bytes(),
        Trust::Unchecked,
    )
    .await
    .unwrap();
    assert_eq!(h.studio.apply_webhook_events().await.unwrap(), 1);

    let stored = h.studio.get(id).await.unwrap();
    assert_eq!(stored.summary.quality, Some(QualityRating::Yellow));
    let statuses: Vec<(TemplateStatus, ChangeSource)> = stored
        .status_history
        .iter()
        .map(|c| (c.to, c.source))
        .collect();
    assert_eq!(
        statuses,
        [
            (TemplateStatus::Pending, ChangeSource::Submission),
            (TemplateStatus::Approved, ChangeSource::Refresh),
        ],
        "the approval is recorded once, by the refresh that saw it first"
    );
    let qualities: Vec<(Option<QualityRating>, QualityRating, ChangeSource)> = stored
        .quality_history
        .iter()
        .map(|c| (c.from, c.to, c.source))
        .collect();
    assert_eq!(
        qualities,
        [
            (None, QualityRating::Unknown, ChangeSource::Submission),
            (
                Some(QualityRating::Unknown),
                QualityRating::Yellow,
                ChangeSource::Webhook
            ),
        ],
        "every quality change with its source"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_media_header_example_is_uploaded_before_the_template_is_created() {
    let h = Harness::start(Profile::default(), false).await;
    let photo = h._dir.path().join("jacket.jpg");
    std::fs::write(
        &photo,
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1],
    )
    .unwrap();
    let mut template = clean("jacket_photo");
    template.header = Some(Header::Media {
        media: MediaKind::Image,
        example_file: Some(photo.display().to_string()),
        example_handle: None,
    });
    let id = h.studio.create(template).await.unwrap().summary.id;

    let submitted = h.studio.submit(id, Language::En).await.unwrap();
    let Some(Header::Media {
        example_handle: Some(handle),
        ..
    }) = &submitted.submitted_versions[0].template.header
    else {
        panic!("the submitted version carries the uploaded handle");
    };
    assert_eq!(
        submitted.template.header, submitted.submitted_versions[0].template.header,
        "the draft keeps the handle: it is not uploaded twice"
    );
    assert!(
        handle.starts_with("4::"),
        "a handle as Meta's Resumable Upload API writes them: {handle}"
    );
    assert_eq!(
        h.state().await["header_handles"],
        json!(1),
        "the sandbox issued one handle, and accepted the create that names it (it refuses handles it did not issue)"
    );
    assert_eq!(submitted.summary.status, TemplateStatus::Pending);

    // Without the app id the upload cannot happen, and the user is told why.
    h.studio.set_link(Some(MetaLink {
        client: h.client.clone(),
        waba_id: h.waba.clone(),
        app_id: None,
    }));
    let mut second = clean("jacket_photo_two");
    second.header = Some(Header::Media {
        media: MediaKind::Image,
        example_file: Some(photo.display().to_string()),
        example_handle: None,
    });
    let id = h.studio.create(second).await.unwrap().summary.id;
    let refused = h.studio.submit(id, Language::En).await.unwrap_err();
    assert!(matches!(refused, Error::MissingAppId), "got {refused}");
    h.stop().await;
}

#[tokio::test]
async fn deleting_removes_the_template_on_the_sandbox_too() {
    let h = Harness::start(Profile::default(), false).await;
    let draft = h
        .studio
        .create(clean("only_a_draft"))
        .await
        .unwrap()
        .summary
        .id;
    h.studio.delete(draft).await.unwrap();
    assert!(
        matches!(h.studio.get(draft).await, Err(Error::Store(_))),
        "a deleted draft is gone"
    );

    let id = h
        .studio
        .create(clean("short_lived"))
        .await
        .unwrap()
        .summary
        .id;
    h.studio.submit(id, Language::En).await.unwrap();
    let gone_too = h
        .studio
        .create(clean("gone_already"))
        .await
        .unwrap()
        .summary
        .id;
    let gone_meta = h
        .studio
        .submit(gone_too, Language::En)
        .await
        .unwrap()
        .meta_id
        .unwrap();
    assert_eq!(h.meta_templates().await.len(), 2);

    let mut changes = h.studio.subscribe();
    h.studio.delete(id).await.unwrap();
    let change = change_to(&mut changes, id, TemplateStatus::Deleted).await;
    assert_eq!(change.source, ChangeSource::Deletion);
    let left: Vec<String> = h
        .meta_templates()
        .await
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(left, ["gone_already"], "the sandbox no longer has it");
    assert!(
        h.studio
            .list(&TemplateFilter::default())
            .await
            .unwrap()
            .iter()
            .all(|t| t.id != id),
        "nor the list"
    );
    let err = h.studio.get(id).await.unwrap_err();
    assert_eq!(IpcError::from(err).code, ErrorCode::InvalidInput);

    // Deleted in WhatsApp Manager first: deleting it here still works.
    h.client
        .delete_template(&h.waba, "gone_already", Some(&gone_meta))
        .await
        .unwrap();
    h.studio.delete(gone_too).await.unwrap();
    assert!(h.meta_templates().await.is_empty());
    h.stop().await;
}

#[tokio::test]
async fn duplicates_are_new_drafts_with_free_names() {
    let h = Harness::start(Profile::default(), false).await;
    let original = h.studio.create(clean("offer")).await.unwrap();
    let first = h.studio.duplicate(original.summary.id).await.unwrap();
    let second = h.studio.duplicate(original.summary.id).await.unwrap();
    assert_eq!(
        (first.summary.name.as_str(), second.summary.name.as_str()),
        ("offer_copy", "offer_copy_2")
    );
    assert_eq!(first.summary.status, TemplateStatus::Draft);
    let mut expected = original.template.clone();
    expected.name = "offer_copy".into();
    assert_eq!(first.template, expected, "a copy has the same content");

    let taken = h.studio.create(clean("offer")).await.unwrap_err();
    assert!(
        matches!(taken, Error::TemplateNameTaken { .. }),
        "a second `offer` in English is refused: {taken}"
    );
    let mut russian = clean("offer");
    russian.language = "ru".into();
    h.studio
        .create(russian)
        .await
        .expect("the same name in another language is another template");

    let archived = h.studio.set_archived(first.summary.id, true).await.unwrap();
    assert!(archived.archived);
    let active = h
        .studio
        .list(&TemplateFilter {
            archived: Some(false),
            category: Some(Category::Marketing),
            ..TemplateFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(active.len(), 3, "the archived copy is left out");
    h.stop().await;
}

#[tokio::test]
async fn drafts_save_whatever_the_author_typed() {
    let h = Harness::start(Profile::default(), false).await;
    let id = h
        .studio
        .create(Template::draft("", "ru"))
        .await
        .unwrap()
        .summary
        .id;
    let mut typing = Template::draft("Half Typed", "ru");
    typing.body = "Здравствуйте, {{".into();
    typing.buttons.push(Button::QuickReply {
        text: String::new(),
    });
    let saved = h.studio.save_draft(id, typing.clone()).await.unwrap();
    assert_eq!(saved.name, "Half Typed");
    assert_eq!(
        h.studio.get(id).await.unwrap().template,
        typing,
        "saving never loses or changes text"
    );

    let settings = h.studio.add_to_team_dictionary("Кейденс").await.unwrap();
    assert_eq!(settings.team_dictionary, ["Кейденс"]);
    assert!(
        h.studio.add_to_team_dictionary("two words").await.is_err(),
        "the dictionary takes words"
    );
    assert!(
        lint_rules(Language::Ru)
            .iter()
            .any(|r| r.rule == "body-variable-at-start" && r.meta_rejects),
        "the rule catalogue is described"
    );
    h.stop().await;
}

/// A sandbox session, as the app opens it: examples on first run only, and a
/// status webhook reaching the studio with no refresh.
#[tokio::test]
async fn a_sandbox_session_seeds_examples_once_and_hears_review_webhooks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = data_dir(tmp.path());
    let session = Session::open(&dir, "sandbox").await.unwrap();
    let studio = session.templates().clone();
    let examples = studio.list(&TemplateFilter::default()).await.unwrap();
    assert_eq!(examples.len(), 4, "two examples in each language");
    assert!(
        examples
            .iter()
            .all(|t| t.example && t.status == TemplateStatus::Draft)
    );
    for example in &examples {
        let template = studio.get(example.id).await.unwrap().template;
        let errors = error_findings(&studio.lint(&template, Language::En).await.unwrap()).len();
        if example.name == "example_winter_offer" {
            assert_eq!(errors, 0, "the clean {} example is clean", example.language);
        } else {
            assert!(
                errors > 0,
                "the {} example shows the linter at work",
                example.language
            );
        }
    }

    let clean = examples
        .iter()
        .find(|t| t.name == "example_winter_offer" && t.language == "ru")
        .unwrap()
        .id;
    let mut changes = studio.subscribe();
    studio.submit(clean, Language::Ru).await.unwrap();
    let sandbox_url = session.connection().await.unwrap().sandbox_url.unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let advanced = reqwest::Client::new()
        .post(format!("{sandbox_url}/_sandbox/advance"))
        .header("content-type", "application/json")
        .body(json!({ "seconds": REVIEW_SECONDS }).to_string())
        .send()
        .await
        .unwrap();
    assert!(advanced.status().is_success());
    let approved = change_to(&mut changes, clean, TemplateStatus::Approved).await;
    assert_eq!(approved.source, ChangeSource::Webhook);

    for example in &examples {
        studio.delete(example.id).await.unwrap();
    }
    session.close().await;
    let reopened = Session::open(&dir, "sandbox").await.unwrap();
    assert!(
        reopened
            .templates()
            .list(&TemplateFilter::default())
            .await
            .unwrap()
            .is_empty(),
        "examples come once: deleted ones do not return"
    );
    reopened.close().await;
}
