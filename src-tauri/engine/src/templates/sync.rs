//! [`TemplateSync`]: the background task of an open workspace that keeps its
//! templates' statuses and quality current. It applies template webhook events
//! as soon as the receiver stores them (the receiver wakes it) and refreshes
//! from Meta's list every minute while something is on Meta, backing off when
//! Meta fails, so that a status is right even when a webhook never came.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::TemplateStudio;

/// How often the task works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSettings {
    /// Between two reads of Meta's template list.
    pub refresh_every: Duration,
    /// The longest wait after failed reads (each failure doubles the wait).
    pub max_backoff: Duration,
    /// A look at the stored webhook events even without a wake-up (another
    /// process, such as `cadence webhooks import`, may have stored some).
    pub webhook_poll: Duration,
}

impl Default for SyncSettings {
    /// A minute between refreshes: one list call per minute (per hundred
    /// templates) is far inside Meta's rate limits, and webhooks bring most
    /// changes sooner anyway.
    fn default() -> Self {
        SyncSettings {
            refresh_every: Duration::from_secs(60),
            max_backoff: Duration::from_secs(30 * 60),
            webhook_poll: Duration::from_secs(10),
        }
    }
}

/// The running task. Stops on [`TemplateSync::stop`] or when dropped.
pub struct TemplateSync {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TemplateSync {
    /// Starts the task for `studio`. `wake` is notified by the webhook receiver
    /// when it stored new events.
    pub fn start(
        studio: TemplateStudio,
        wake: Arc<Notify>,
        settings: SyncSettings,
    ) -> TemplateSync {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut next_refresh = Instant::now();
            let mut failures: u32 = 0;
            loop {
                if let Err(error) = studio.apply_webhook_events().await {
                    tracing::warn!(%error, "could not apply template webhook events; will try again");
                }
                if Instant::now() >= next_refresh {
                    match studio.refresh_if_useful().await {
                        Ok(_) => {
                            failures = 0;
                            next_refresh = Instant::now() + settings.refresh_every;
                        }
                        Err(error) => {
                            failures = failures.saturating_add(1);
                            let wait = backoff(settings, failures);
                            tracing::warn!(%error, retry_in_s = wait.as_secs(), "could not refresh the templates from Meta");
                            next_refresh = Instant::now() + wait;
                        }
                    }
                }
                let wait = next_refresh
                    .saturating_duration_since(Instant::now())
                    .min(settings.webhook_poll);
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
        TemplateSync {
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the task and waits for the work in hand to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TemplateSync {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The wait after `failures` failed refreshes in a row: the normal interval,
/// doubled for each failure after the first, at most `max_backoff`.
fn backoff(settings: SyncSettings, failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(16));
    settings
        .refresh_every
        .saturating_mul(factor)
        .min(settings.max_backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_refreshes_back_off_to_a_ceiling() {
        let settings = SyncSettings::default();
        let waits: Vec<u64> = [1, 2, 3, 4, 5, 6, 40]
            .into_iter()
            .map(|failures| backoff(settings, failures).as_secs())
            .collect();
        assert_eq!(
            waits,
            [60, 120, 240, 480, 960, 1800, 1800],
            "Meta failing must not be asked more often: double each time, at most 30 minutes"
        );
    }
}
