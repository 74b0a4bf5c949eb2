//! The sandbox over HTTP: Meta's Graph API paths (`graph`), the control API
//! (`control`), fault injection, the background advance of simulated time and the
//! signed webhook delivery (`delivery`), served by our own connection loop (`server`).
//!
//! Owns the wall clock (injected, see [`WallClock`]) and the shared state around the
//! pure [`Sandbox`]: the simulated clock, the queue of webhooks taken from the core,
//! the analytics tallies, the uploaded media and the upload sessions. Every request first brings the
//! simulation up to "now", so reviews, pauses and statuses happen on time whether or
//! not the background tick ran. Must not depend on `tauri`, the store or the engine.

mod analytics;
mod control;
mod delivery;
mod graph;
mod server;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Url;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::clock::{SimClock, SimTime, TimeScale};
use crate::error::ServeError;
use crate::events::Webhook;
use crate::profile::Profile;
use crate::sandbox::Sandbox;

pub use delivery::RetryPolicy;

/// How often the background task brings the simulation up to "now" (so webhooks go
/// out on time even when no request arrives).
const TICK: Duration = Duration::from_millis(50);

/// Webhooks kept while no receiver is configured; beyond this the oldest are dropped
/// (and counted), so a long run without a receiver cannot exhaust memory.
const UNDELIVERED_WEBHOOKS_MAX: usize = 200_000;

/// Wall time, injected (house rule 8): the real clock in the binary and the app, a
/// frozen one in tests that need identical runs.
pub trait WallClock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
            })
    }
}

/// A wall clock that only moves when told: with it, simulated time moves only through
/// the control API's advance, and two runs with one seed are identical.
#[derive(Debug, Default)]
pub struct ManualWallClock {
    now_ms: AtomicU64,
}

impl ManualWallClock {
    pub fn new(now_ms: u64) -> Self {
        Self {
            now_ms: AtomicU64::new(now_ms),
        }
    }

    pub fn set(&self, now_ms: u64) {
        self.now_ms.store(now_ms, Ordering::SeqCst);
    }
}

impl WallClock for ManualWallClock {
    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::SeqCst)
    }
}

/// How to run a sandbox server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `127.0.0.1:0` picks a free port (see [`RunningSandbox::local_addr`]).
    pub listen: SocketAddr,
    pub profile: Profile,
    pub seed: u64,
    pub time_scale: TimeScale,
    /// Where webhooks are POSTed; `None` keeps them queued until one is set.
    pub webhook_url: Option<String>,
    pub clock: Arc<dyn WallClock>,
    /// Webhook retries; `None`: the default, shortened by the time scale.
    pub webhook_retry: Option<RetryPolicy>,
}

impl ServerConfig {
    /// The default profile, seed 1, real time, the system clock, no webhook receiver.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            profile: Profile::default(),
            seed: 1,
            time_scale: TimeScale::REAL,
            webhook_url: None,
            clock: Arc::new(SystemWallClock),
            webhook_retry: None,
        }
    }
}

/// A running sandbox server. Dropping it stops the server without waiting;
/// [`RunningSandbox::stop`] waits until every task has ended.
#[derive(Debug)]
pub struct RunningSandbox {
    local_addr: SocketAddr,
    profile: Profile,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningSandbox {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// What a Cloud API client takes as its base URL: `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The profile it runs (account ids, token, app secret…).
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Stop accepting, cut open connections (hanging "timeout" faults included), stop
    /// the clock and webhook delivery, and wait for all of it.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Start a sandbox server: bind, then serve in background tasks on the current
/// Tokio runtime.
pub async fn serve(config: ServerConfig) -> Result<RunningSandbox, ServeError> {
    config.profile.validate()?;
    let webhook_url = config
        .webhook_url
        .as_deref()
        .map(parse_webhook_url)
        .transpose()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            address: config.listen,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| ServeError::Bind {
        address: config.listen,
        source,
    })?;
    let http = delivery::http_client()?;
    let retry = config
        .webhook_retry
        .unwrap_or_else(|| RetryPolicy::scaled(config.time_scale));
    let (shutdown, shutdown_rx) = watch::channel(false);
    let start = SimClock::new().now(config.clock.now_ms());
    let sandbox = Sandbox::new(
        config.profile.clone(),
        config.seed,
        config.time_scale,
        start,
    );
    let app = Arc::new(App {
        state: Mutex::new(SimState {
            sandbox,
            clock: SimClock::new(),
            analytics: analytics::Analytics::default(),
            queue: VecDeque::new(),
            webhook_url,
            media: graph::MediaStore::default(),
            uploads: crate::uploads::Uploads::new(config.seed),
            delivery: DeliveryStats::default(),
        }),
        wall: config.clock,
        profile: config.profile.clone(),
        base_url: format!("http://{local_addr}"),
        webhook_ready: Notify::new(),
        shutdown: shutdown_rx,
    });
    let router = graph::router(app.clone()).merge(control::router(app.clone()));
    let tasks = vec![
        tokio::spawn(server::run(listener, router, app.shutdown.clone())),
        tokio::spawn(tick(app.clone())),
        tokio::spawn(delivery::run(app, http, retry)),
    ];
    tracing::info!(%local_addr, seed = config.seed, "sandbox listening");
    Ok(RunningSandbox {
        local_addr,
        profile: config.profile,
        shutdown,
        tasks,
    })
}

fn parse_webhook_url(url: &str) -> Result<Url, ServeError> {
    Url::parse(url)
        .ok()
        .filter(|parsed| matches!(parsed.scheme(), "http" | "https"))
        .ok_or_else(|| ServeError::WebhookUrl {
            url: url.to_owned(),
        })
}

/// Counters of the webhook delivery, for the control API.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub(crate) struct DeliveryStats {
    pub delivered: u64,
    pub failed_attempts: u64,
    /// Given up after the last retry.
    pub abandoned: u64,
    /// Dropped while no receiver was configured and the queue was full.
    pub dropped_without_receiver: u64,
}

/// Everything the simulation holds, behind one lock (never held across an await).
pub(crate) struct SimState {
    pub sandbox: Sandbox,
    pub clock: SimClock,
    pub analytics: analytics::Analytics,
    /// Webhooks taken from the core, in emission order, not yet delivered.
    pub queue: VecDeque<Webhook>,
    pub webhook_url: Option<Url>,
    pub media: graph::MediaStore,
    /// Resumable Upload sessions and the header handles they issued.
    pub uploads: crate::uploads::Uploads,
    pub delivery: DeliveryStats,
}

/// What every handler and task shares.
pub(crate) struct App {
    state: Mutex<SimState>,
    wall: Arc<dyn WallClock>,
    profile: Profile,
    base_url: String,
    /// Woken when webhooks are queued or the receiver changes.
    webhook_ready: Notify,
    shutdown: watch::Receiver<bool>,
}

impl App {
    fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Run `f` on the simulation brought up to now; then hand the webhooks it emitted
    /// to delivery and the analytics.
    pub(crate) fn with_sim<T>(&self, f: impl FnOnce(&mut SimState, SimTime) -> T) -> T {
        let mut state = self.lock();
        let now = state.clock.now(self.wall.now_ms());
        state.sandbox.advance_to(now);
        let now = state.sandbox.now();
        let result = f(&mut state, now);
        if self.collect_webhooks(&mut state) {
            self.webhook_ready.notify_one();
        }
        result
    }

    /// Move the core's new webhooks into the delivery queue; whether there were any.
    fn collect_webhooks(&self, state: &mut SimState) -> bool {
        let webhooks = state.sandbox.take_webhooks();
        if webhooks.is_empty() {
            return false;
        }
        let SimState {
            sandbox,
            analytics,
            queue,
            webhook_url,
            delivery,
            ..
        } = state;
        for webhook in webhooks {
            analytics.observe(sandbox, &webhook);
            queue.push_back(webhook);
        }
        if webhook_url.is_none() {
            while queue.len() > UNDELIVERED_WEBHOOKS_MAX {
                queue.pop_front();
                delivery.dropped_without_receiver += 1;
            }
        }
        true
    }
}

/// Resolves once shutdown is asked for (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped at once: it must not live across an await.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Bring the simulation up to now every [`TICK`], until shutdown.
async fn tick(app: Arc<App>) {
    let mut shutdown = app.shutdown.clone();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => app.with_sim(|_, _| ()),
            _ = stopped(&mut shutdown) => return,
        }
    }
}
