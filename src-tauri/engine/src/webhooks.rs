//! Meta's webhooks into the workspace: verify the signature, keep the raw body,
//! store the normalized events, and the local HTTP receiver that does it.
//!
//! Order matters: a body whose signature fails is refused before anything is
//! stored (and logged without its content); a signed body is stored even when it
//! cannot be parsed, so nothing Meta sent is ever lost.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use cadence_core::Secret;
use cadence_core::time::rfc3339_from_unix;
use cadence_store::{
    NewWebhookEvent, Recorded, SignatureCheck, Store, WebhookEventKind, WebhookSource,
};
use cadence_whatsapp::webhook::{self, SIGNATURE_HEADER, VerificationQuery, WebhookEvent};
use tokio::sync::{Notify, oneshot};

use crate::{Error, Result};

/// The path Meta's callback URL points at (after the tunnel or proxy's host).
pub const WEBHOOK_PATH: &str = "/webhooks/whatsapp";

/// Meta's webhook bodies are a few kilobytes; anything far larger is not Meta.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How a body's origin is trusted.
pub enum Trust<'a> {
    /// Check `X-Hub-Signature-256` (the header's value, if any) with the app secret.
    Signed {
        app_secret: &'a Secret,
        signature: Option<&'a str>,
    },
    /// The user chose to store it without a check (an import of a trusted file).
    Unchecked,
}

/// What [`ingest`] did with a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    pub recorded: Recorded,
    /// False when the body did not parse (it is stored, flagged, without events).
    pub parsed: bool,
}

/// Verifies, parses and stores one webhook body. A signature failure is an
/// error and stores nothing; a parse failure is stored, flagged, and not an error.
pub async fn ingest(
    store: &Store,
    source: WebhookSource,
    body: &[u8],
    trust: Trust<'_>,
) -> Result<Ingested> {
    let check = match trust {
        Trust::Signed {
            app_secret,
            signature,
        } => {
            webhook::verify_signature(app_secret.expose().as_bytes(), body, signature)
                .map_err(Error::WebhookSignature)?;
            SignatureCheck::Verified
        }
        Trust::Unchecked => SignatureCheck::Unchecked,
    };
    match webhook::parse_webhook(body) {
        Ok(events) => {
            let rows: Vec<NewWebhookEvent> = events.iter().map(event_row).collect();
            let recorded = store.record_webhook(source, check, body, Ok(&rows)).await?;
            Ok(Ingested {
                recorded,
                parsed: true,
            })
        }
        Err(error) => {
            let reason = error.to_string();
            tracing::warn!(%reason, bytes = body.len(), "kept a webhook body that did not parse");
            let recorded = store
                .record_webhook(source, check, body, Err(&reason))
                .await?;
            Ok(Ingested {
                recorded,
                parsed: false,
            })
        }
    }
}

/// The stored form of one event: its kind, the message it is about, when it
/// happened, and the event itself as JSON.
fn event_row(event: &WebhookEvent) -> NewWebhookEvent {
    let (kind, wamid, at) = match event {
        WebhookEvent::MessageStatus(s) => (
            WebhookEventKind::MessageStatus,
            Some(s.wamid.clone()),
            Some(s.timestamp),
        ),
        WebhookEvent::InboundMessage(m) => (
            WebhookEventKind::InboundMessage,
            Some(m.wamid.clone()),
            Some(m.timestamp),
        ),
        WebhookEvent::TemplateStatusUpdate(_) => (WebhookEventKind::TemplateStatus, None, None),
        WebhookEvent::TemplateQualityUpdate(_) => (WebhookEventKind::TemplateQuality, None, None),
        WebhookEvent::PhoneNumberQualityUpdate(_) => (WebhookEventKind::PhoneQuality, None, None),
        WebhookEvent::UserPreference(p) => {
            (WebhookEventKind::UserPreferences, None, Some(p.timestamp))
        }
        WebhookEvent::Unknown { .. } => (WebhookEventKind::Unknown, None, None),
        WebhookEvent::Undecodable { .. } => (WebhookEventKind::Undecodable, None, None),
    };
    NewWebhookEvent {
        kind,
        wamid,
        occurred_at: at.map(rfc3339_from_unix),
        // Serializing our own event types to JSON cannot fail: plain data only.
        payload: serde_json::to_string(event).expect("webhook events serialize to JSON"),
    }
}

/// Where the receiver listens and what it trusts.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// Loopback by default: a tunnel or reverse proxy brings Meta's requests in.
    pub listen: SocketAddr,
    pub app_secret: Secret,
    pub verify_token: Secret,
    /// Recorded with each delivery: `Receiver` for Meta, `Sandbox` for the
    /// in-process sandbox.
    pub source: WebhookSource,
}

#[derive(Clone)]
struct ReceiverState {
    store: Store,
    source: WebhookSource,
    app_secret: Secret,
    verify_token: Secret,
    /// Told when a delivery brought new events (the template studio applies
    /// status changes at once instead of at its next look).
    wake: Option<Arc<Notify>>,
}

/// The running webhook receiver: a local HTTP server. Stops when dropped or on
/// [`WebhookReceiver::stop`].
pub struct WebhookReceiver {
    local_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl WebhookReceiver {
    /// Binds the address and starts answering Meta: GET verifies the
    /// subscription, POST delivers events.
    pub async fn start(store: Store, config: ReceiverConfig) -> Result<WebhookReceiver> {
        WebhookReceiver::start_waking(store, config, None).await
    }

    /// Like [`WebhookReceiver::start`], and notifies `wake` each time a delivery
    /// stored new events.
    pub async fn start_waking(
        store: Store,
        config: ReceiverConfig,
        wake: Option<Arc<Notify>>,
    ) -> Result<WebhookReceiver> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Listen {
                addr: config.listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Listen {
            addr: config.listen,
            source,
        })?;
        let state = ReceiverState {
            store,
            source: config.source,
            app_secret: config.app_secret,
            verify_token: config.verify_token,
            wake,
        };
        let app = Router::new()
            .route(WEBHOOK_PATH, get(verify_subscription).post(receive))
            .route("/health", get(|| async { "ok" }))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(state);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "the webhook receiver stopped");
            }
        });
        tracing::info!(%local_addr, path = WEBHOOK_PATH, "webhook receiver listening");
        Ok(WebhookReceiver {
            local_addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The address it listens on (the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, finishes the requests in flight, and returns.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Meta's subscription check: echo the challenge when the verify token matches.
async fn verify_subscription(
    State(state): State<ReceiverState>,
    Query(query): Query<VerificationQuery>,
) -> (StatusCode, String) {
    match query.challenge_for(state.verify_token.expose()) {
        Some(challenge) => (StatusCode::OK, challenge.to_owned()),
        None => {
            tracing::warn!("refused a webhook subscription check: wrong mode or verify token");
            (StatusCode::FORBIDDEN, "verification failed".to_owned())
        }
    }
}

/// A delivery: 401 for a bad signature (logged without the body), 200 once
/// stored (also for a repeat or an unparsable body: Meta must not retry those),
/// 500 when storing failed, so that Meta retries later.
async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let trust = Trust::Signed {
        app_secret: &state.app_secret,
        signature,
    };
    match ingest(&state.store, state.source, &body, trust).await {
        Ok(Ingested {
            recorded:
                Recorded::New {
                    delivery_id,
                    events,
                },
            ..
        }) => {
            tracing::debug!(delivery_id, events, "stored a webhook delivery");
            if let (Some(wake), true) = (&state.wake, events > 0) {
                wake.notify_one();
            }
            (StatusCode::OK, "ok")
        }
        Ok(Ingested {
            recorded: Recorded::Duplicate { delivery_id },
            ..
        }) => {
            tracing::debug!(delivery_id, "ignored a repeated webhook delivery");
            (StatusCode::OK, "ok")
        }
        Err(Error::WebhookSignature(reason)) => {
            tracing::warn!(%reason, bytes = body.len(), "refused a webhook delivery");
            (StatusCode::UNAUTHORIZED, "invalid signature")
        }
        Err(error) => {
            tracing::error!(%error, "could not store a webhook delivery; Meta will retry");
            (StatusCode::INTERNAL_SERVER_ERROR, "not stored")
        }
    }
}
