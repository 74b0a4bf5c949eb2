//! The sandbox over HTTP, driven by `cadence_whatsapp`'s typed client exactly as the
//! app drives Meta: every Graph endpoint, each error class, injected faults, signed
//! webhooks with retries, the control API and determinism. Each test runs its own
//! server in-process on 127.0.0.1:0 with a frozen wall clock: simulated time moves
//! only through the control API's advance, so no test sleeps to see a schedule work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cadence_sandbox::profile::Rates;
use cadence_sandbox::{ManualWallClock, Profile, RetryPolicy, RunningSandbox, ServerConfig, serve};
use cadence_whatsapp::webhook::{DeliveryStatus, InboundKind, MarketingPreference};
use cadence_whatsapp::wire::{
    BodyComponent, BodyExample, ButtonsComponent, QualityRating, SendComponent, SendParameter,
    SendTemplateRequest, TemplateAnalyticsQuery, TemplateButton, TemplateComponent,
    TemplateCreateRequest, TemplateListQuery, TemplateStatus,
};
use cadence_whatsapp::{
    AccessToken, Client, Error, RetryClass, WebhookEvent, parse_webhook, verify_signature,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// 2025-06-15 15:06:40 UTC: far from midnight, so a test's minutes stay in one day.
const START_MS: u64 = 1_750_000_000_000;
const BODY: &str = "Hello {{1}}, the jacket you looked at is back in stock in your size.";

/// A running sandbox and what talks to it.
struct Harness {
    sandbox: RunningSandbox,
    client: Client,
    http: reqwest::Client,
    waba: String,
    phone: String,
}

fn config(profile: Profile, seed: u64) -> ServerConfig {
    let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap());
    config.profile = profile;
    config.seed = seed;
    config.clock = Arc::new(ManualWallClock::new(START_MS));
    config.webhook_retry = Some(RetryPolicy {
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        max_attempts: 5,
        request_timeout: Duration::from_secs(1),
    });
    config
}

async fn start_with(config: ServerConfig, client_timeout: Duration) -> Harness {
    let sandbox = serve(config)
        .await
        .expect("the sandbox starts on a free port");
    let account = sandbox.profile().account.clone();
    let client = Client::builder(AccessToken::new(account.access_token))
        .base_url(sandbox.base_url())
        .request_timeout(client_timeout)
        .build()
        .expect("a client for the sandbox's base URL");
    Harness {
        client,
        http: reqwest::Client::new(),
        waba: account.waba_id,
        phone: account.phone_number_id,
        sandbox,
    }
}

async fn start(profile: Profile) -> Harness {
    start_with(config(profile, 7), Duration::from_secs(2)).await
}

impl Harness {
    async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/_sandbox/{path}", self.sandbox.base_url());
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&body).unwrap());
        }
        let response = request.send().await.expect("the control API answers");
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        assert!(
            status.is_success(),
            "control {path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).expect("the control API answers JSON")
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.control(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.control(reqwest::Method::GET, path, None).await
    }

    async fn advance(&self, seconds: f64) {
        self.post("advance", json!({ "seconds": seconds })).await;
    }

    async fn create(&self, name: &str) -> String {
        let created = self
            .client
            .create_template(&self.waba, &template(name))
            .await
            .expect("a sound template is created");
        assert_eq!(
            created.status,
            TemplateStatus::Pending,
            "new templates start PENDING"
        );
        created.id
    }

    /// `name` created and approved (review takes a minute in the default profile).
    async fn approved(&self, name: &str) -> String {
        let id = self.create(name).await;
        self.advance(120.0).await;
        id
    }

    async fn send(&self, to: &str, name: &str, callback: &str) -> Result<String, Error> {
        let request = SendTemplateRequest::new(to, name, "en")
            .with_component(SendComponent::Body {
                parameters: vec![SendParameter::text("Ann")],
            })
            .with_callback_data(callback);
        let answer = self.client.send_template(&self.phone, &request).await?;
        Ok(answer
            .wamid()
            .expect("an accepted send has a wamid")
            .to_owned())
    }

    async fn ledger(&self) -> Vec<Value> {
        self.get("ledger").await["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

fn template(name: &str) -> TemplateCreateRequest {
    TemplateCreateRequest {
        name: name.into(),
        language: "en".into(),
        category: cadence_whatsapp::wire::Category::Marketing,
        parameter_format: cadence_whatsapp::wire::ParameterFormat::Positional,
        components: vec![
            TemplateComponent::Body(BodyComponent {
                text: BODY.into(),
                example: Some(BodyExample::positional(["Ann"])),
            }),
            TemplateComponent::Buttons(ButtonsComponent {
                buttons: vec![
                    TemplateButton::QuickReply {
                        text: "Show me".into(),
                    },
                    TemplateButton::QuickReply {
                        text: "Stop".into(),
                    },
                ],
            }),
        ],
    }
}

/// A UK number: deliverable under the default profile (not +1, not ending in 0000)
/// for `i` from 1 to 99999.
fn number(i: u32) -> String {
    format!("+4477009{i:05}")
}

fn meta_code(error: &Error) -> Option<i64> {
    error.meta().map(|meta| meta.code)
}

// ----- a webhook receiver -----

struct Received {
    signature: Option<String>,
    body: Bytes,
}

#[derive(Clone)]
struct ReceiverState {
    fail_first: Arc<AtomicU32>,
    posts: mpsc::UnboundedSender<Received>,
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let _ = state.posts.send(Received { signature, body });
    let failing = state
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// A receiver answering 500 to its first `fail_first` POSTs; its URL and the POSTs.
async fn receiver(fail_first: u32) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (posts, received) = mpsc::unbounded_channel();
    let state = ReceiverState {
        fail_first: Arc::new(AtomicU32::new(fail_first)),
        posts,
    };
    let app = axum::Router::new()
        .route("/webhook", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/webhook"), received)
}

/// Every event of every POST until `done` holds, each signature checked first.
async fn collect_until(
    received: &mut mpsc::UnboundedReceiver<Received>,
    bodies: &mut Vec<Bytes>,
    events: &mut Vec<WebhookEvent>,
    done: impl Fn(&[WebhookEvent]) -> bool,
) {
    let secret = Profile::default().account.app_secret;
    let deadline = Instant::now() + Duration::from_secs(2);
    while !done(events) {
        let left = deadline.saturating_duration_since(Instant::now());
        let post = tokio::time::timeout(left, received.recv())
            .await
            .unwrap_or_else(|_| panic!("webhooks did not arrive in time; got {events:#?}"))
            .expect("the receiver is alive");
        verify_signature(secret.as_bytes(), &post.body, post.signature.as_deref())
            .expect("every webhook is signed with the profile's app secret");
        events.extend(parse_webhook(&post.body).expect("every webhook is Meta's envelope"));
        bodies.push(post.body);
    }
}

fn statuses_of<'a>(
    events: &'a [WebhookEvent],
    wamid: &'a str,
) -> impl Iterator<Item = &'a cadence_whatsapp::webhook::MessageStatus> {
    events.iter().filter_map(move |event| match event {
        WebhookEvent::MessageStatus(status) if status.wamid == wamid => Some(status),
        _ => None,
    })
}

// ----- templates -----

#[tokio::test]
async fn templates_are_created_reviewed_listed_in_pages_and_deleted() {
    let h = start(Profile::default()).await;
    let first = h.create("spring_offer").await;
    h.create("summer_offer").await;
    h.create("autumn_offer").await;

    let pending = h.client.list_all_templates(&h.waba, None).await.unwrap();
    assert!(
        pending.iter().all(|t| t.status == TemplateStatus::Pending),
        "review takes a minute: nothing is approved yet"
    );
    h.advance(120.0).await;

    let page = h
        .client
        .list_templates(
            &h.waba,
            &TemplateListQuery {
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.data.len(), 2, "a page holds `limit` templates");
    assert!(
        page.next_cursor().is_some(),
        "a third template means a next page"
    );
    let all = h.client.list_all_templates(&h.waba, Some(2)).await.unwrap();
    let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["spring_offer", "summer_offer", "autumn_offer"],
        "following the cursor visits every template once"
    );
    for info in &all {
        assert_eq!(
            info.status,
            TemplateStatus::Approved,
            "{} was reviewed",
            info.name
        );
        assert_eq!(
            info.quality_score.as_ref().map(|q| q.score.clone()),
            Some(QualityRating::Unknown),
            "a new template has no quality judgement yet"
        );
        assert_eq!(info.rejected_reason.as_deref(), Some("NONE"));
        assert!(!info.components.is_empty(), "the components come back");
    }

    h.client
        .delete_template(&h.waba, "summer_offer", None)
        .await
        .expect("delete by name");
    h.client
        .delete_template(&h.waba, "spring_offer", Some(&first))
        .await
        .expect("delete by name and hsm_id");
    let left = h.client.list_all_templates(&h.waba, None).await.unwrap();
    assert_eq!(left.len(), 1, "two of three were deleted");
    let gone = h
        .client
        .delete_template(&h.waba, "summer_offer", None)
        .await
        .expect_err("deleting twice is an error");
    assert_eq!(meta_code(&gone), Some(100));

    let unknown = h
        .client
        .list_templates("999", &TemplateListQuery::default())
        .await
        .expect_err("an unknown WABA does not exist");
    let meta = unknown.meta().expect("a Meta error body");
    assert_eq!(
        (meta.code, meta.subcode, meta.http_status),
        (100, Some(33), 400),
        "Meta's 'Unsupported get request' for ids that do not exist"
    );
    h.sandbox.stop().await;
}

// ----- sending and refusals -----

#[tokio::test]
async fn an_accepted_send_is_in_the_ledger_and_refusals_carry_their_retry_class() {
    let h = start(Profile::default()).await;
    h.approved("spring_offer").await;

    let wamid = h
        .send(&number(1), "spring_offer", "outbox:1")
        .await
        .expect("accepted");
    assert!(wamid.starts_with("wamid."), "wamids look like Meta's");
    let ledger = h.ledger().await;
    assert_eq!(ledger.len(), 1, "one accepted message");
    assert_eq!(ledger[0]["wamid"], json!(wamid));
    assert_eq!(ledger[0]["callback_data"], json!("outbox:1"));

    // Pair rate: a burst of 3 to one person, then one per 6 s.
    for n in 2..=3 {
        h.send(&number(1), "spring_offer", &format!("outbox:{n}"))
            .await
            .expect("in the burst");
    }
    let pair = h
        .send(&number(1), "spring_offer", "outbox:4")
        .await
        .unwrap_err();
    assert_eq!(meta_code(&pair), Some(131056));
    assert_eq!(pair.retry_class(), RetryClass::PairRate);

    let unknown = h
        .send(&number(2), "no_such_template", "outbox:5")
        .await
        .unwrap_err();
    assert_eq!(meta_code(&unknown), Some(132001));
    assert_eq!(unknown.http_status(), Some(404));
    assert_eq!(
        unknown.retry_class(),
        RetryClass::NeverRetry,
        "fix the template first"
    );

    let intruder = Client::builder(AccessToken::new("not-the-token"))
        .base_url(h.sandbox.base_url())
        .build()
        .unwrap();
    let refused = intruder
        .phone_number_info(&h.phone)
        .await
        .expect_err("a wrong token is refused");
    assert_eq!(meta_code(&refused), Some(190));
    assert_eq!(refused.http_status(), Some(401));
    assert_eq!(refused.retry_class(), RetryClass::NeverRetry);

    let state = h.get("state").await;
    assert_eq!(
        state["refusals"]["131056"],
        json!(1),
        "refusals are counted by code"
    );
    assert_eq!(state["refusals"]["132001"], json!(1));
    assert_eq!(
        h.ledger().await.len(),
        3,
        "refused sends are not in the ledger"
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn throughput_beyond_the_profile_rate_is_refused_with_130429() {
    let mut profile = Profile::default();
    profile.limits.throughput_per_second = 2;
    let h = start(profile).await;
    h.approved("spring_offer").await;
    h.send(&number(1), "spring_offer", "a")
        .await
        .expect("1st of 2 per second");
    h.send(&number(2), "spring_offer", "b")
        .await
        .expect("2nd of 2 per second");
    let refused = h.send(&number(3), "spring_offer", "c").await.unwrap_err();
    assert_eq!(meta_code(&refused), Some(130429));
    assert_eq!(refused.retry_class(), RetryClass::RetrySoon);
    h.advance(1.0).await;
    h.send(&number(3), "spring_offer", "c")
        .await
        .expect("a second later there is room");
    h.sandbox.stop().await;
}

#[tokio::test]
async fn a_template_driven_red_is_paused_and_sends_are_held() {
    let mut profile = Profile::default();
    profile.behaviour.default = Rates {
        read: 1.0,
        reply: 0.0,
        button_tap: 0.0,
        stop: 0.0,
        block: 1.0,
        report: 0.0,
    };
    profile.quality.min_messages = 3;
    profile.quality.window_messages = 5;
    let h = start(profile).await;
    h.approved("spring_offer").await;
    for i in 1..=4 {
        h.send(&number(i), "spring_offer", &format!("row:{i}"))
            .await
            .expect("approved");
    }
    // Read within 2 min, blocked within 1 min more: the quality window fills with blocks.
    h.advance(600.0).await;
    let state = h.get("state").await;
    assert_eq!(
        state["templates"][0]["quality_score"],
        json!("RED"),
        "every recipient blocked"
    );
    assert_eq!(
        state["templates"][0]["status"],
        json!("PAUSED"),
        "RED pauses the template"
    );
    let held = h
        .send(&number(10), "spring_offer", "row:10")
        .await
        .unwrap_err();
    assert_eq!(meta_code(&held), Some(132015));
    assert_eq!(held.retry_class(), RetryClass::HoldTemplate);
    let listed = h.client.list_all_templates(&h.waba, None).await.unwrap();
    assert_eq!(
        listed[0].status,
        TemplateStatus::Paused,
        "the listing tells the client too"
    );
    assert_eq!(
        listed[0].quality_score.as_ref().map(|q| q.score.clone()),
        Some(QualityRating::Red)
    );
    let phone = h.client.phone_number_info(&h.phone).await.unwrap();
    assert_eq!(
        phone.quality_rating,
        Some(QualityRating::Red),
        "the number's rating follows"
    );
    h.sandbox.stop().await;
}

// ----- webhooks -----

#[tokio::test]
async fn failed_statuses_arrive_signed_with_their_retry_class() {
    let (url, mut received) = receiver(0).await;
    let h = start(Profile::default()).await;
    h.post("webhook-url", json!({ "url": url })).await;
    h.approved("spring_offer").await;
    h.post(
        "preferences",
        json!({ "wa_id": number(5), "value": "stop" }),
    )
    .await;

    let limited = {
        h.send(&number(1), "spring_offer", "a1").await.unwrap();
        h.send(&number(1), "spring_offer", "a2").await.unwrap();
        // Two marketing templates a day reach one person in the default profile.
        h.send(&number(1), "spring_offer", "a3").await.unwrap()
    };
    let stopped = h.send(&number(5), "spring_offer", "b").await.unwrap();
    let not_on_whatsapp = h.send("+447700900000", "spring_offer", "c").await.unwrap();
    h.advance(5.0).await;

    let (mut bodies, mut events) = (Vec::new(), Vec::new());
    let expected = [
        (limited.clone(), 131049, RetryClass::RetryAfter24h),
        (stopped.clone(), 131050, RetryClass::NeverRetryOptOut),
        (not_on_whatsapp.clone(), 131026, RetryClass::NeverRetry),
    ];
    collect_until(&mut received, &mut bodies, &mut events, |events| {
        expected.iter().all(|(wamid, _, _)| {
            statuses_of(events, wamid).any(|s| s.status == DeliveryStatus::Failed)
        })
    })
    .await;
    for (wamid, code, class) in &expected {
        let failed = statuses_of(&events, wamid)
            .find(|s| s.status == DeliveryStatus::Failed)
            .unwrap();
        assert_eq!(failed.errors.len(), 1, "a failed status says why");
        assert_eq!(failed.errors[0].code, *code);
        assert_eq!(failed.errors[0].retry_class(), *class, "code {code}");
    }
    assert!(
        events.iter().any(|e| matches!(e,
            WebhookEvent::UserPreference(p) if p.value == MarketingPreference::Stop)),
        "the injected stop was told to the client as user_preferences"
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn statuses_echo_callback_data_and_a_refused_delivery_is_retried_in_order() {
    let (url, mut received) = receiver(1).await;
    let mut config = config(Profile::default(), 7);
    config.webhook_url = Some(url);
    let h = start_with(config, Duration::from_secs(2)).await;
    h.approved("spring_offer").await;
    let wamid = h
        .send(&number(1), "spring_offer", "outbox:42")
        .await
        .unwrap();
    h.advance(600.0).await;
    let reply = h
        .post(
            "inbound",
            json!({
                "from": number(1),
                "button": {"payload": "SHOW", "text": "Show me"},
                "context_wamid": wamid,
            }),
        )
        .await;

    let (mut bodies, mut events) = (Vec::new(), Vec::new());
    collect_until(&mut received, &mut bodies, &mut events, |events| {
        events
            .iter()
            .any(|e| matches!(e, WebhookEvent::InboundMessage(m) if m.context_id.is_some()))
    })
    .await;
    assert_eq!(
        bodies[0], bodies[1],
        "the receiver answered 500 once: the same webhook comes again before any other"
    );
    assert!(
        matches!(&events[0], WebhookEvent::TemplateStatusUpdate(u)
            if u.message_template_name == "spring_offer"),
        "the first webhook is the approval: {:?}",
        events[0]
    );
    let statuses: Vec<_> = statuses_of(&events, &wamid).collect();
    assert!(
        statuses.iter().any(|s| s.status == DeliveryStatus::Sent)
            && statuses
                .iter()
                .any(|s| s.status == DeliveryStatus::Delivered),
        "sent and delivered came: {statuses:?}"
    );
    for status in &statuses {
        assert_eq!(
            status.biz_opaque_callback_data.as_deref(),
            Some("outbox:42"),
            "every status echoes the callback data: how the client reconciles"
        );
    }
    let tap = events
        .iter()
        .find_map(|e| match e {
            WebhookEvent::InboundMessage(m) if m.context_id.as_deref() == Some(&wamid) => Some(m),
            _ => None,
        })
        .expect("the injected tap arrived");
    assert_eq!(tap.wamid, reply["id"].as_str().unwrap());
    assert_eq!(
        tap.kind,
        InboundKind::Button {
            payload: "SHOW".into(),
            text: "Show me".into()
        }
    );
    let state = h.get("state").await;
    assert_eq!(
        state["delivery"]["failed_attempts"],
        json!(1),
        "one refused POST"
    );
    h.sandbox.stop().await;
}

// ----- faults -----

#[tokio::test]
async fn an_injected_5xx_is_metas_transient_error() {
    let mut profile = Profile::default();
    profile.faults.server_error_rate = 1.0;
    let h = start(profile).await;
    let error = h.client.phone_number_info(&h.phone).await.unwrap_err();
    assert!(error.http_status().unwrap_or(0) >= 500, "a 5xx: {error}");
    assert!(error.meta().is_some(), "with Meta's error body");
    assert_eq!(error.retry_class(), RetryClass::RetrySoon);
    h.sandbox.stop().await;
}

#[tokio::test]
async fn a_timeout_fault_outlasts_the_client_and_stop_cuts_it() {
    let mut profile = Profile::default();
    profile.faults.timeout_rate = 1.0;
    profile.faults.timeout_hang_ms = 20_000;
    let h = start_with(config(profile, 7), Duration::from_millis(300)).await;
    let error = h.client.phone_number_info(&h.phone).await.unwrap_err();
    assert_eq!(error.retry_class(), RetryClass::Transport, "{error}");
    // A second request is still hanging on the server when it stops.
    let client = h.client.clone();
    let phone = h.phone.clone();
    let hanging = tokio::spawn(async move { client.phone_number_info(&phone).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stopping = Instant::now();
    h.sandbox.stop().await;
    assert!(
        stopping.elapsed() < Duration::from_secs(1),
        "stop cuts hanging requests instead of waiting 20 s"
    );
    assert!(hanging.await.unwrap().is_err());
}

#[tokio::test]
async fn dropped_connections_leave_processed_sends_in_the_ledger() {
    let h = start(Profile::default()).await;
    h.approved("spring_offer").await;
    h.post("faults", json!({ "dropped_connection_rate": 1.0 }))
        .await;
    for i in 1..=8 {
        let error = h
            .send(&number(i), "spring_offer", &format!("row:{i}"))
            .await
            .expect_err("no answer comes");
        assert_eq!(error.retry_class(), RetryClass::Transport, "{error}");
    }
    h.post("faults", json!({})).await;
    let ledger = h.ledger().await;
    assert!(
        !ledger.is_empty() && ledger.len() < 8,
        "some dropped sends were processed first (the ambiguous case), some not: {}",
        ledger.len()
    );
    h.send(&number(20), "spring_offer", "row:20")
        .await
        .expect("healthy again");
    h.sandbox.stop().await;
}

// ----- media, the phone number, analytics -----

#[tokio::test]
async fn media_is_uploaded_and_too_large_files_are_refused() {
    let h = start(Profile::default()).await;
    let uploaded = h
        .client
        .upload_media(&h.phone, vec![0x89, b'P', b'N', b'G'], "image/png", "a.png")
        .await
        .expect("a small image is taken");
    assert!(!uploaded.id.is_empty());
    let facts = h
        .http
        .get(format!("{}/v23.0/{}", h.sandbox.base_url(), uploaded.id))
        .bearer_auth(&h.sandbox.profile().account.access_token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(facts["mime_type"], json!("image/png"));
    assert_eq!(facts["file_size"], json!(4));

    let too_big = vec![0u8; 5 * 1024 * 1024 + 1];
    let refused = h
        .client
        .upload_media(&h.phone, too_big, "image/png", "big.png")
        .await
        .expect_err("images are at most 5 MB");
    assert_eq!(meta_code(&refused), Some(131053));
    h.sandbox.stop().await;
}

#[tokio::test]
async fn the_phone_number_reports_quality_throughput_and_tier() {
    let h = start(Profile::default()).await;
    let info = h.client.phone_number_info(&h.phone).await.unwrap();
    let account = &h.sandbox.profile().account;
    assert_eq!(info.id, account.phone_number_id);
    assert_eq!(
        info.display_phone_number.as_deref(),
        Some(account.display_phone_number.as_str())
    );
    assert_eq!(
        info.verified_name.as_deref(),
        Some(account.verified_name.as_str())
    );
    assert_eq!(info.quality_rating, Some(QualityRating::Green));
    assert_eq!(
        info.throughput
            .as_ref()
            .map(|t| t.level.as_str().to_owned())
            .as_deref(),
        Some("STANDARD"),
        "80/s is Meta's standard level"
    );
    assert_eq!(
        info.messaging_limit()
            .map(|t| t.as_str().to_owned())
            .as_deref(),
        Some("TIER_2K")
    );
    let unknown = h.client.phone_number_info("123").await.unwrap_err();
    assert_eq!(
        unknown.meta().map(|m| (m.code, m.subcode)),
        Some((100, Some(33)))
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn analytics_count_what_was_sent_delivered_read_and_tapped() {
    let mut profile = Profile::default();
    profile.behaviour.default = Rates {
        read: 1.0,
        reply: 0.0,
        button_tap: 0.0,
        stop: 0.0,
        block: 0.0,
        report: 0.0,
    };
    let h = start(profile).await;
    let id = h.approved("spring_offer").await;
    let mut wamids = Vec::new();
    for i in 1..=5 {
        wamids.push(
            h.send(&number(i), "spring_offer", &format!("r{i}"))
                .await
                .unwrap(),
        );
    }
    // Not on WhatsApp: accepted, then failed; never counted as sent.
    h.send("+447700900000", "spring_offer", "r9").await.unwrap();
    h.advance(600.0).await;
    h.post(
        "inbound",
        json!({"from": number(1), "button": {"payload": "SHOW", "text": "Show me"},
               "context_wamid": wamids[0]}),
    )
    .await;

    let start_s = (START_MS / 1000) as i64;
    let report = h
        .client
        .template_analytics(
            &h.waba,
            &TemplateAnalyticsQuery {
                start: start_s - 3600,
                end: start_s + 3600,
                template_ids: vec![id.clone()],
            },
        )
        .await
        .unwrap();
    let points: Vec<_> = report.data_points().collect();
    assert_eq!(points.len(), 1, "one template, one day");
    let day = points[0];
    assert_eq!(day.template_id, id);
    assert_eq!(
        day.sent,
        Some(5),
        "five delivered sends; the failed one was never sent"
    );
    assert_eq!(day.delivered, Some(5));
    assert_eq!(day.read, Some(5), "everyone reads in this profile");
    assert_eq!(day.clicked_total(), 1, "one quick-reply tap");
    h.sandbox.stop().await;
}

// ----- determinism -----

async fn scripted_run(seed: u64) -> Vec<Value> {
    let h = start_with(config(Profile::default(), seed), Duration::from_secs(2)).await;
    h.approved("spring_offer").await;
    for i in 0..6 {
        h.send(&number(1 + i % 3), "spring_offer", &format!("row:{i}"))
            .await
            .unwrap();
        h.advance(0.5).await;
    }
    h.advance(600.0).await;
    let ledger = h.ledger().await;
    h.sandbox.stop().await;
    ledger
}

#[tokio::test]
async fn one_seed_gives_one_ledger() {
    let first = scripted_run(11).await;
    let second = scripted_run(11).await;
    assert_eq!(first.len(), 6);
    assert_eq!(
        first, second,
        "same seed, same script: the same ledger, wamids and outcomes"
    );
    let other = scripted_run(12).await;
    assert_ne!(
        first.iter().map(|e| &e["wamid"]).collect::<Vec<_>>(),
        other.iter().map(|e| &e["wamid"]).collect::<Vec<_>>(),
        "another seed draws other wamids"
    );
}

#[tokio::test]
async fn the_control_api_reports_health_and_resets() {
    let h = start(Profile::default()).await;
    let health = h.get("health").await;
    assert_eq!(health["status"], json!("ok"));
    assert_eq!(health["now_ms"], json!(START_MS), "the frozen clock's time");
    h.approved("spring_offer").await;
    h.send(&number(1), "spring_offer", "x").await.unwrap();
    let state = h.get("state").await;
    assert_eq!(state["ledger_entries"], json!(1));
    assert!(
        state["pending_webhooks"].as_u64().unwrap() > 0,
        "without a receiver, webhooks wait"
    );
    h.post("reset", json!({})).await;
    let state = h.get("state").await;
    assert_eq!(
        state["ledger_entries"],
        json!(0),
        "reset forgets the ledger"
    );
    assert_eq!(state["templates"], json!([]), "and the templates");
    h.sandbox.stop().await;
}

// ----- the Resumable Upload API and media header examples -----

/// The start of a JPEG file: what the sandbox counts, not decodes.
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1];

/// An IMAGE-header marketing template whose example is `handles`.
fn image_template(name: &str, handles: Option<Vec<String>>) -> TemplateCreateRequest {
    use cadence_whatsapp::wire::{HeaderComponent, HeaderMediaExample};
    let mut request = template(name);
    request.components.insert(
        0,
        TemplateComponent::Header(HeaderComponent::Image {
            example: handles.map(|header_handle| HeaderMediaExample { header_handle }),
        }),
    );
    request
}

impl Harness {
    fn app_id(&self) -> String {
        self.sandbox.profile().account.app_id.clone()
    }

    /// A raw Graph call with `Authorization: OAuth`, as Meta documents the upload steps;
    /// the status and the JSON body.
    async fn graph_raw(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        file_offset: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(
                method,
                format!("{}/v23.0/{path_and_query}", self.sandbox.base_url()),
            )
            .header(
                "authorization",
                format!("OAuth {}", self.sandbox.profile().account.access_token),
            )
            .body(body);
        if let Some(offset) = file_offset {
            request = request.header("file_offset", offset);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON answer"))
    }

    async fn upload_sessions(&self) -> u64 {
        self.get("state").await["upload_sessions"]
            .as_u64()
            .expect("the state counts upload sessions")
    }
}

#[tokio::test]
async fn an_uploaded_header_example_lets_an_image_template_through_review() {
    let h = start(Profile::default()).await;
    let handle = h
        .client
        .upload_header_example(&h.app_id(), JPEG.to_vec(), "image/jpeg", "sample.jpg")
        .await
        .expect("a small JPEG is a valid header example");
    assert!(
        handle.as_str().starts_with("4::aW1hZ2UvanBlZw==:AR"),
        "handles look like Meta's, with the file's type inside: {handle}"
    );
    let created = h
        .client
        .create_template(
            &h.waba,
            &image_template("jacket_photo", Some(vec![handle.into_string()])),
        )
        .await
        .expect("a media header with an issued handle is accepted");
    assert_eq!(
        created.status,
        TemplateStatus::Pending,
        "it goes to review like any template"
    );
    h.advance(120.0).await;
    let listed = h.client.list_all_templates(&h.waba, None).await.unwrap();
    let template = listed
        .iter()
        .find(|t| t.id == created.id)
        .expect("the template is listed");
    assert_eq!(
        template.status,
        TemplateStatus::Approved,
        "review approves a sound template with a valid example"
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn a_media_header_without_an_issued_handle_is_refused_at_creation() {
    let h = start(Profile::default()).await;
    let cases = [
        (None, 100, 2_388_273, "no example at all"),
        (
            Some(vec!["https://example.com/jacket.jpg".to_owned()]),
            100,
            2_388_273,
            "a URL is not a handle",
        ),
        (
            Some(vec!["4::aW1hZ2UvanBlZw==:ARforeignHandle".to_owned()]),
            131009,
            2_494_102,
            "a handle this app never issued",
        ),
    ];
    for (i, (handles, code, subcode, why)) in cases.into_iter().enumerate() {
        let refused = h
            .client
            .create_template(&h.waba, &image_template(&format!("photo_{i}"), handles))
            .await
            .expect_err(why);
        let meta = refused.meta().expect("Meta's error body");
        assert_eq!(
            (meta.code, meta.subcode),
            (code, Some(subcode)),
            "{why}: Meta refuses the create itself"
        );
        assert_eq!(
            refused.retry_class(),
            RetryClass::NeverRetry,
            "{why}: sending the same request again cannot help"
        );
    }
    let pdf = h
        .client
        .upload_header_example(
            &h.app_id(),
            b"%PDF-1.7".to_vec(),
            "application/pdf",
            "a.pdf",
        )
        .await
        .unwrap();
    let refused = h
        .client
        .create_template(
            &h.waba,
            &image_template("photo_pdf", Some(vec![pdf.into_string()])),
        )
        .await
        .expect_err("a PDF cannot be an IMAGE header's example");
    assert_eq!(meta_code(&refused), Some(131009));
    assert!(
        h.client
            .list_all_templates(&h.waba, None)
            .await
            .unwrap()
            .is_empty(),
        "refused creates leave nothing behind"
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_with_metas_errors() {
    let h = start(Profile::default()).await;
    let app = h.app_id();

    let local = h
        .client
        .upload_header_example(&app, JPEG.to_vec(), "image/webp", "a.webp")
        .await
        .expect_err("WebP is not a type the Resumable Upload API takes");
    assert!(
        matches!(local, Error::InvalidRequest { .. }),
        "the client refuses it before any call: {local}"
    );
    let too_big = vec![0u8; 5 * 1024 * 1024 + 1];
    assert!(
        matches!(
            h.client
                .upload_header_example(&app, too_big, "image/png", "big.png")
                .await,
            Err(Error::InvalidRequest { .. })
        ),
        "images are at most 5 MB"
    );
    assert_eq!(
        h.upload_sessions().await,
        0,
        "no session was started for files Meta would refuse"
    );

    let (status, body) = h
        .graph_raw(
            reqwest::Method::POST,
            &format!("{app}/uploads?file_name=a.webp&file_length=12&file_type=image/webp"),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!(100)),
        "the sandbox refuses a bad file_type as Meta does: {body}"
    );
    let (status, body) = h
        .graph_raw(
            reqwest::Method::POST,
            &format!("{app}/uploads?file_name=a.jpg&file_length=-3&file_type=image/jpeg"),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!((status, body["error"]["code"].clone()), (400, json!(100)));
    let (status, body) = h
        .graph_raw(
            reqwest::Method::POST,
            "999/uploads?file_name=a.jpg&file_length=3&file_type=image/jpeg",
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(
        (
            status,
            body["error"]["code"].clone(),
            body["error"]["error_subcode"].clone()
        ),
        (400, json!(100), json!(33)),
        "an app id other than the profile's does not exist: {body}"
    );

    let intruder = Client::builder(AccessToken::new("EAAGnotTheSandboxToken"))
        .base_url(h.sandbox.base_url())
        .build()
        .unwrap();
    let refused = intruder
        .upload_header_example(&app, JPEG.to_vec(), "image/jpeg", "a.jpg")
        .await
        .expect_err("a wrong token is refused");
    assert_eq!(meta_code(&refused), Some(190), "Meta's bad-token code");
    assert_eq!(refused.retry_class(), RetryClass::NeverRetry);
    assert!(
        !format!("{refused} {refused:?} {intruder:?}").contains("EAAGnotTheSandboxToken"),
        "the token never appears in errors or Debug"
    );

    let request = cadence_whatsapp::wire::UploadSessionRequest {
        file_name: "a.jpg".into(),
        file_length: JPEG.len() as u64,
        file_type: "image/jpeg".into(),
    };
    let session = h
        .client
        .create_upload_session(&app, &request)
        .await
        .unwrap();
    let wrong_offset = h
        .client
        .upload_file_data(&session.id, 5, JPEG.to_vec())
        .await
        .expect_err("a session takes bytes only where it stands");
    assert_eq!(meta_code(&wrong_offset), Some(100));
    let (key, _) = session.id.split_once('?').unwrap();
    let (status, body) = h
        .graph_raw(
            reqwest::Method::POST,
            &format!("{key}?sig=ARforged"),
            Some("0"),
            JPEG.to_vec(),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!(104)),
        "a session id with another signature is refused: {body}"
    );
    let in_query = h
        .http
        .get(format!(
            "{}/v23.0/{}&access_token={}",
            h.sandbox.base_url(),
            session.id,
            h.sandbox.profile().account.access_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        in_query.status().as_u16(),
        401,
        "an upload session takes the token from the header only, as Meta documents"
    );
    let status = h.client.upload_session_status(&session.id).await.unwrap();
    assert_eq!(
        status.file_offset, 0,
        "refused requests left the session untouched"
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn a_dropped_upload_resumes_from_the_offset_the_sandbox_holds() {
    let h = start(Profile::default()).await;
    let app = h.app_id();
    h.post("upload-interruption", json!({ "after_bytes": 5 }))
        .await;
    let handle = h
        .client
        .upload_header_example(&app, JPEG.to_vec(), "image/jpeg", "sample.jpg")
        .await
        .expect("the client resumes after the connection dropped mid-upload");
    assert_eq!(
        h.upload_sessions().await,
        1,
        "the same session was resumed, not a new one started"
    );
    h.client
        .create_template(
            &h.waba,
            &image_template("resumed_photo", Some(vec![handle.into_string()])),
        )
        .await
        .expect("the resumed upload's handle is valid");

    // The drop may come after the whole file arrived: the resume sends no bytes and
    // gets the handle the session already issued.
    h.post("upload-interruption", json!({ "after_bytes": 1_000 }))
        .await;
    let handle = h
        .client
        .upload_header_example(&app, JPEG.to_vec(), "image/jpeg", "again.jpg")
        .await
        .expect("a complete upload whose answer was lost still gives its handle");
    assert!(handle.as_str().starts_with("4::aW1hZ2UvanBlZw==:AR"));
    assert_eq!(h.upload_sessions().await, 2);
    h.sandbox.stop().await;
}

#[tokio::test]
async fn one_seed_gives_one_header_handle() {
    let mut handles = Vec::new();
    for seed in [11, 11, 12] {
        let h = start_with(config(Profile::default(), seed), Duration::from_secs(2)).await;
        let handle = h
            .client
            .upload_header_example(&h.app_id(), JPEG.to_vec(), "image/jpeg", "a.jpg")
            .await
            .unwrap();
        handles.push(handle);
        h.sandbox.stop().await;
    }
    assert_eq!(
        handles[0], handles[1],
        "the same seed issues the same handle"
    );
    assert_ne!(handles[0], handles[2], "another seed issues another");
}

// ----- the account's standing, the messaging tier and the API call limits -----

#[tokio::test]
async fn a_send_beyond_the_messaging_tier_stops_the_campaign_with_131048() {
    let mut profile = Profile::default();
    profile.limits.messaging_tier = cadence_sandbox::profile::MessagingTier::Tier250;
    // Room for the whole tier in one frozen second: only the tier may refuse.
    profile.limits.throughput_per_second = 1_000;
    let h = start(profile).await;
    h.approved("spring_offer").await;
    for i in 1..=250 {
        h.send(&number(i), "spring_offer", &format!("outbox:{i}"))
            .await
            .unwrap_or_else(|error| panic!("recipient {i} of 250 is inside the tier: {error}"));
    }
    let refused = h
        .send(&number(251), "spring_offer", "outbox:251")
        .await
        .expect_err("a 251st unique recipient is beyond TIER_250");
    assert_eq!(meta_code(&refused), Some(131048));
    assert_eq!(refused.http_status(), Some(400));
    assert_eq!(
        refused.retry_class(),
        RetryClass::StopCampaign,
        "WHATSAPP.md: spam rate limit, stop the campaign and check quality"
    );
    assert!(
        refused
            .meta()
            .and_then(|meta| meta.details.as_deref())
            .is_some_and(|details| details
                .starts_with("Message failed to send because there are restrictions")),
        "the details are Meta's: {refused}"
    );
    h.send(&number(1), "spring_offer", "outbox:again")
        .await
        .expect("a recipient already reached in the 24 hours takes no new place");
    let state = h.get("state").await;
    assert_eq!(state["refusals"]["131048"], json!(1));
    h.sandbox.stop().await;
}

#[tokio::test]
async fn a_blocked_locked_or_unpaid_account_halts_all_sending() {
    let mut profile = Profile::default();
    profile.account.state = cadence_sandbox::AccountState::PaymentIssue;
    let h = start(profile).await;
    assert_eq!(
        h.get("state").await["account_state"],
        json!("payment_issue"),
        "the run starts in the profile's state"
    );
    // A payment problem stops paid messaging, not template review.
    h.approved("spring_offer").await;

    let cases = [
        ("payment_issue", 131042, 400, true),
        ("policy_blocked", 368, 403, false),
        ("locked", 131031, 403, false),
    ];
    for (state, code, status, may_create) in cases {
        h.post("account", json!({ "state": state })).await;
        assert_eq!(h.get("state").await["account_state"], json!(state));
        let refused = h
            .send(&number(1), "spring_offer", state)
            .await
            .expect_err("an account in trouble sends nothing");
        assert_eq!(meta_code(&refused), Some(code), "{state}");
        assert_eq!(refused.http_status(), Some(status), "{state}");
        assert_eq!(
            refused.retry_class(),
            RetryClass::HaltAllSending,
            "{state}: WHATSAPP.md says halt all sending"
        );
        let created = h
            .client
            .create_template(&h.waba, &template(&format!("while_{state}")))
            .await;
        match (may_create, created) {
            (true, Ok(_)) => {}
            (false, Err(error)) => {
                assert_eq!(meta_code(&error), Some(code), "{state} refuses templates");
                assert_eq!(error.retry_class(), RetryClass::HaltAllSending);
            }
            (may_create, other) => {
                panic!("{state}: template creation allowed = {may_create}, got {other:?}")
            }
        }
    }
    assert!(
        h.ledger().await.is_empty(),
        "no refused send is in the ledger"
    );

    h.post("account", json!({ "state": "active" })).await;
    h.send(&number(1), "spring_offer", "after")
        .await
        .expect("an active account sends again");
    h.post("account", json!({ "state": "locked" })).await;
    h.post("reset", json!({})).await;
    assert_eq!(
        h.get("state").await["account_state"],
        json!("payment_issue"),
        "a reset returns to the profile's state"
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn management_calls_beyond_the_wabas_hourly_limit_back_off_until_the_hour_passes() {
    let mut profile = Profile::default();
    profile.limits.waba_calls_per_hour = 3;
    let h = start(profile).await;
    for call in 1..=2 {
        h.client
            .list_templates(&h.waba, &TemplateListQuery::default())
            .await
            .unwrap_or_else(|error| panic!("call {call} of 3 is inside the limit: {error}"));
    }
    h.client
        .phone_number_info(&h.phone)
        .await
        .expect("the phone number's settings count against the same WABA budget");
    let refused = h
        .client
        .list_templates(&h.waba, &TemplateListQuery::default())
        .await
        .expect_err("the 4th call of the hour is over a limit of 3");
    assert_eq!(meta_code(&refused), Some(80007));
    assert_eq!(refused.http_status(), Some(400));
    assert_eq!(
        refused.retry_class(),
        RetryClass::BackOffMinutes,
        "WHATSAPP.md: API call rate limits, back off minutes"
    );
    let state = h.get("state").await;
    assert_eq!(
        state["api_calls"]["waba_calls"],
        json!(3),
        "refusals take no place"
    );
    assert_eq!(state["refusals"]["80007"], json!(1));

    h.advance(3_599.0).await;
    let still = h.client.phone_number_info(&h.phone).await.unwrap_err();
    assert_eq!(
        meta_code(&still),
        Some(80007),
        "the hour is rolling, not yet over"
    );
    h.advance(2.0).await;
    h.client
        .phone_number_info(&h.phone)
        .await
        .expect("an hour after the calls, the budget is back");
    h.sandbox.stop().await;
}

#[tokio::test]
async fn sends_spend_no_management_budget_but_app_calls_have_their_own() {
    let mut profile = Profile::default();
    profile.limits.waba_calls_per_hour = 1;
    profile.limits.app_calls_per_hour = 1;
    let h = start(profile).await;
    h.approved("spring_offer").await; // the one WABA call of the hour
    for i in 1..=3 {
        h.send(&number(i), "spring_offer", "x")
            .await
            .expect("message sends are governed by throughput, not the WABA's call budget");
    }
    let request = cadence_whatsapp::wire::UploadSessionRequest {
        file_name: "sample.jpg".into(),
        file_length: JPEG.len() as u64,
        file_type: "image/jpeg".into(),
    };
    h.client
        .create_upload_session(&h.app_id(), &request)
        .await
        .expect("the app's one call of the hour");
    let refused = h
        .client
        .create_upload_session(&h.app_id(), &request)
        .await
        .expect_err("the app's budget is spent");
    assert_eq!(meta_code(&refused), Some(4));
    assert_eq!(refused.retry_class(), RetryClass::BackOffMinutes);
    assert_eq!(
        refused.meta().map(|meta| meta.message.as_str()),
        Some("Application request limit reached"),
        "Graph API's message for code 4"
    );
    h.advance(3_601.0).await;
    h.client
        .create_upload_session(&h.app_id(), &request)
        .await
        .expect("an hour later the app may call again");
    h.sandbox.stop().await;
}

#[tokio::test]
async fn template_creations_beyond_the_hourly_limit_back_off() {
    let mut profile = Profile::default();
    profile.limits.template_creations_per_hour = 2;
    let h = start(profile).await;
    h.create("first_offer").await;
    h.create("second_offer").await;
    let refused = h
        .client
        .create_template(&h.waba, &template("third_offer"))
        .await
        .expect_err("a 3rd creation within the hour is over a limit of 2");
    assert_eq!(meta_code(&refused), Some(80007));
    assert_eq!(refused.retry_class(), RetryClass::BackOffMinutes);
    let state = h.get("state").await;
    assert_eq!(state["api_calls"]["template_creations"], json!(2));
    assert_eq!(state["templates"].as_array().map(Vec::len), Some(2));
    h.advance(3_601.0).await;
    h.create("third_offer").await;
    h.sandbox.stop().await;
}
