//! The control API under `/_sandbox/`: what tests, benchmarks and the app use to drive
//! the simulation from outside: inject an inbound reply or a marketing preference,
//! advance simulated time, read the ledger and the state, point webhooks somewhere,
//! switch faults, change the account's standing, interrupt the next upload, reset.
//! JSON in and out; errors in Meta's body like the Graph paths. No token: it listens
//! where the sandbox listens (loopback by default).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::graph::ApiError;
use super::{App, parse_webhook_url};
use crate::events::{InboundContent, MarketingPreference};
use crate::profile::{AccountState, Faults};
use crate::webhook_body::quality;

/// One advance may not jump more than a year: a typo must not overflow the agenda.
const ADVANCE_MAX_SECONDS: f64 = 366.0 * 86_400.0;

type ControlResult<T> = Result<Json<T>, ApiError>;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/_sandbox/health", get(health))
        .route("/_sandbox/inbound", post(inbound))
        .route("/_sandbox/preferences", post(preferences))
        .route("/_sandbox/advance", post(advance))
        .route("/_sandbox/ledger", get(ledger))
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/webhook-url", post(webhook_url))
        .route("/_sandbox/faults", post(faults))
        .route("/_sandbox/account", post(account))
        .route("/_sandbox/upload-interruption", post(upload_interruption))
        .route("/_sandbox/reset", post(reset))
        .with_state(app)
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|error| ApiError::new(crate::limits::code::INVALID_PARAMETER, error.to_string()))
}

async fn health(State(app): State<Arc<App>>) -> Json<Value> {
    let now = app.with_sim(|_, now| now);
    Json(json!({ "status": "ok", "now_ms": now.0 }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InboundRequest {
    from: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    button: Option<ButtonReply>,
    #[serde(default)]
    context_wamid: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ButtonReply {
    payload: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct InboundAnswer {
    id: String,
}

async fn inbound(State(app): State<Arc<App>>, body: Bytes) -> ControlResult<InboundAnswer> {
    let request: InboundRequest = parse(&body)?;
    let content = match (request.text, request.button) {
        (Some(body), None) => InboundContent::Text { body },
        (None, Some(ButtonReply { payload, text })) => InboundContent::Button { payload, text },
        _ => {
            return Err(ApiError::new(
                crate::limits::code::INVALID_PARAMETER,
                "give exactly one of text or button",
            ));
        }
    };
    let id = app.with_sim(|state, now| {
        state.sandbox.inject_inbound(
            now,
            &request.from,
            content,
            request.context_wamid.as_deref(),
        )
    })?;
    Ok(Json(InboundAnswer { id }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferenceRequest {
    wa_id: String,
    value: PreferenceValue,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum PreferenceValue {
    Stop,
    Resume,
}

async fn preferences(State(app): State<Arc<App>>, body: Bytes) -> ControlResult<Value> {
    let request: PreferenceRequest = parse(&body)?;
    let value = match request.value {
        PreferenceValue::Stop => MarketingPreference::Stop,
        PreferenceValue::Resume => MarketingPreference::Resume,
    };
    app.with_sim(|state, now| state.sandbox.inject_preference(now, &request.wa_id, value))?;
    Ok(Json(json!({ "success": true })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceRequest {
    seconds: f64,
}

async fn advance(State(app): State<Arc<App>>, body: Bytes) -> ControlResult<Value> {
    let request: AdvanceRequest = parse(&body)?;
    if !(0.0..=ADVANCE_MAX_SECONDS).contains(&request.seconds) {
        return Err(ApiError::new(
            crate::limits::code::INVALID_PARAMETER,
            format!("seconds must be between 0 and {ADVANCE_MAX_SECONDS}"),
        ));
    }
    let jump = Duration::from_secs_f64(request.seconds);
    // The simulated clock moves for good (later requests see the same "now"), and
    // the core catches up at once, so the webhooks it owes are queued on return.
    let now = app.with_sim(|state, now| {
        state.clock.advance(jump);
        state.sandbox.advance_to(crate::SimTime(now.0).after(jump));
        state.sandbox.now()
    });
    Ok(Json(json!({ "now_ms": now.0 })))
}

async fn ledger(State(app): State<Arc<App>>) -> Json<Value> {
    Json(app.with_sim(|state, _| {
        let ledger = state.sandbox.ledger();
        json!({
            "entries": ledger.entries(),
            "duplicates": ledger.duplicates(),
        })
    }))
}

async fn state(State(app): State<Arc<App>>) -> Json<Value> {
    Json(app.with_sim(|state, now| {
        let templates: Vec<Value> = state
            .sandbox
            .templates()
            .iter()
            .map(|view| {
                json!({
                    "id": view.id.to_string(),
                    "name": view.name,
                    "language": view.language,
                    "category": view.category,
                    "status": view.status,
                    "quality_score": quality(view.quality_score),
                    "rejected_reason": view.rejected_reason,
                })
            })
            .collect();
        let refusals: serde_json::Map<String, Value> = state
            .sandbox
            .refusals()
            .iter()
            .map(|(code, count)| (code.to_string(), json!(count)))
            .collect();
        let calls = state.sandbox.call_usage(now);
        json!({
            "now_ms": now.0,
            "account_state": state.sandbox.account_state(),
            "api_calls": calls,
            "seed": state.sandbox.seed(),
            "time_scale": state.sandbox.time_scale().factor(),
            "templates": templates,
            "refusals": refusals,
            "ledger_entries": state.sandbox.ledger().len(),
            "pending_webhooks": state.queue.len() + state.sandbox.pending_webhooks().count(),
            "webhook_url": state.webhook_url.as_ref().map(|url| url.as_str()),
            "delivery": state.delivery,
            "media_files": state.media.len(),
            "upload_sessions": state.uploads.len(),
            "header_handles": state.uploads.handles(),
        })
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookUrlRequest {
    url: Option<String>,
}

async fn webhook_url(State(app): State<Arc<App>>, body: Bytes) -> ControlResult<Value> {
    let request: WebhookUrlRequest = parse(&body)?;
    let url = request
        .url
        .as_deref()
        .map(parse_webhook_url)
        .transpose()
        .map_err(|error| {
            ApiError::new(crate::limits::code::INVALID_PARAMETER, error.to_string())
        })?;
    app.with_sim(|state, _| state.webhook_url = url);
    app.webhook_ready.notify_one();
    Ok(Json(json!({ "success": true })))
}

async fn faults(State(app): State<Arc<App>>, body: Bytes) -> ControlResult<Value> {
    let faults: Faults = parse(&body)?;
    app.with_sim(|state, _| state.sandbox.set_faults(faults))?;
    Ok(Json(json!({ "success": true })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountRequest {
    state: AccountState,
}

/// Meta blocks (368), locks (131031) or finds a payment problem on (131042) the
/// account, or lifts it (`active`): sends are refused from the next request on.
async fn account(State(app): State<Arc<App>>, body: Bytes) -> ControlResult<Value> {
    let request: AccountRequest = parse(&body)?;
    app.with_sim(|state, _| state.sandbox.set_account_state(request.state));
    Ok(Json(json!({ "success": true, "state": request.state })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadInterruptionRequest {
    after_bytes: u64,
}

/// The next Resumable Upload data request keeps at most `after_bytes` of its body and
/// then loses its connection without an answer: what a client must resume from.
async fn upload_interruption(State(app): State<Arc<App>>, body: Bytes) -> ControlResult<Value> {
    let request: UploadInterruptionRequest = parse(&body)?;
    app.with_sim(|state, _| state.uploads.interrupt_next(request.after_bytes));
    Ok(Json(json!({ "success": true })))
}

async fn reset(State(app): State<Arc<App>>) -> Json<Value> {
    app.with_sim(|state, _| {
        state.sandbox.reset();
        state.analytics = Default::default();
        state.queue.clear();
        state.media = Default::default();
        state.uploads = crate::uploads::Uploads::new(state.sandbox.seed());
    });
    Json(json!({ "success": true }))
}
