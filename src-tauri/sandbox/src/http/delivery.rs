//! Webhook delivery: POSTs the queued webhooks, in the order the core emitted them,
//! to the configured receiver, each signed with the profile's app secret
//! (`X-Hub-Signature-256`), retrying with a doubling back-off while the receiver does
//! not answer 200, a bounded number of times.
//!
//! One webhook at a time: the head of the queue is retried before anything behind it
//! goes, so order is kept (a receiver still has to cope with Meta's own disorder:
//! the core emits `delivered` after `read` sometimes). Nothing here touches the
//! simulation beyond popping the queue.

use std::sync::Arc;
use std::time::Duration;

use cadence_whatsapp::webhook::{SIGNATURE_HEADER, sign_body};

use super::App;
use crate::clock::TimeScale;
use crate::error::ServeError;
use crate::webhook_body::webhook_bytes;

/// The user agent Meta's webhook requests carry.
const META_WEBHOOK_USER_AGENT: &str = "facebookexternalua";

/// How webhook delivery retries a receiver that does not answer 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait before the first retry; each later one waits twice as long.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Attempts in all (the first POST included) before the webhook is abandoned.
    pub max_attempts: u32,
    /// How long one POST may take before it counts as failed.
    pub request_timeout: Duration,
}

impl RetryPolicy {
    /// Meta retries for about a day with growing gaps; the sandbox keeps the shape
    /// (10 s doubling up to 15 min, 10 attempts) and shortens the waits by the scale.
    pub fn scaled(scale: TimeScale) -> Self {
        let floor = Duration::from_millis(10);
        let first_delay = scale.shorten(Duration::from_secs(10)).max(floor);
        Self {
            first_delay,
            max_delay: scale.shorten(Duration::from_secs(15 * 60)).max(first_delay),
            max_attempts: 10,
            request_timeout: Duration::from_secs(10),
        }
    }

    /// The wait after the `failed`-th failed attempt (1 for the first).
    pub fn delay(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(30);
        self.first_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }
}

/// The HTTP client of the delivery task.
pub(crate) fn http_client() -> Result<reqwest::Client, ServeError> {
    // reqwest is built with `rustls-no-provider` (see cadence-whatsapp) and will not
    // build a client without a process-wide provider, even for http:// URLs. If
    // something else installed one first, that one stays.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(META_WEBHOOK_USER_AGENT)
        .build()
        .map_err(ServeError::WebhookClient)
}

/// Deliver until shutdown.
pub(crate) async fn run(app: Arc<App>, http: reqwest::Client, retry: RetryPolicy) {
    let mut shutdown = app.shutdown.clone();
    // The webhook being retried and how many attempts it had.
    let mut current: Option<(u64, u32)> = None;
    loop {
        let job = {
            let state = app.lock();
            match (&state.webhook_url, state.queue.front()) {
                (Some(url), Some(webhook)) => Some((url.clone(), webhook.clone())),
                _ => None,
            }
        };
        let Some((url, webhook)) = job else {
            tokio::select! {
                _ = app.webhook_ready.notified() => continue,
                _ = super::stopped(&mut shutdown) => return,
            }
        };
        let attempts_before = match current {
            Some((seq, attempts)) if seq == webhook.seq => attempts,
            _ => 0,
        };
        let body = webhook_bytes(&app.profile.account, &webhook);
        let signature = sign_body(app.profile.account.app_secret.as_bytes(), &body);
        let post = http
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .timeout(retry.request_timeout)
            .body(body)
            .send();
        let answer = tokio::select! {
            answer = post => answer,
            _ = super::stopped(&mut shutdown) => return,
        };
        let attempts = attempts_before + 1;
        let delivered =
            matches!(&answer, Ok(response) if response.status() == reqwest::StatusCode::OK);
        let retry_later = {
            let mut state = app.lock();
            let is_head = state.queue.front().map(|w| w.seq) == Some(webhook.seq);
            if delivered {
                state.delivery.delivered += 1;
                if is_head {
                    state.queue.pop_front();
                }
                false
            } else {
                state.delivery.failed_attempts += 1;
                let give_up = attempts >= retry.max_attempts;
                match &answer {
                    Ok(response) => tracing::warn!(
                        seq = webhook.seq, attempts, status = %response.status(),
                        "webhook receiver did not answer 200"
                    ),
                    Err(error) => tracing::warn!(
                        seq = webhook.seq, attempts, %error, "webhook receiver unreachable"
                    ),
                }
                if give_up {
                    state.delivery.abandoned += 1;
                    if is_head {
                        state.queue.pop_front();
                    }
                }
                !give_up
            }
        };
        if retry_later {
            current = Some((webhook.seq, attempts));
            tokio::select! {
                _ = tokio::time::sleep(retry.delay(attempts)) => {}
                _ = super::stopped(&mut shutdown) => return,
            }
        } else {
            current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            max_attempts: 5,
            request_timeout: Duration::from_secs(1),
        };
        let delays: Vec<u128> = (1..=5).map(|n| policy.delay(n).as_millis()).collect();
        assert_eq!(
            delays,
            vec![100, 200, 400, 500, 500],
            "doubling, capped so a dead receiver is still retried at a steady pace"
        );
    }

    #[test]
    fn the_default_policy_follows_the_time_scale() {
        let real = RetryPolicy::scaled(TimeScale::REAL);
        assert_eq!(real.first_delay, Duration::from_secs(10));
        let fast = RetryPolicy::scaled(TimeScale::new(1_000.0));
        assert_eq!(
            fast.first_delay,
            Duration::from_millis(10),
            "a thousandfold scale retries after 10 ms"
        );
        assert!(fast.max_delay >= fast.first_delay);
    }
}
