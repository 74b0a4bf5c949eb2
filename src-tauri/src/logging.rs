//! Logging: a daily-rotated file in the app's log folder, and stderr.
//!
//! Nothing logged may carry a secret: secrets never enter a `tracing` field.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

/// Log files kept: two weeks of days.
const KEPT_LOG_FILES: usize = 14;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("CADENCE_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Logs to `log_dir/cadence.<date>.log` and stderr. The guard flushes the file on drop.
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    let appender = std::fs::create_dir_all(log_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            Builder::new()
                .rotation(Rotation::DAILY)
                .filename_prefix("cadence")
                .filename_suffix("log")
                .max_log_files(KEPT_LOG_FILES)
                .build(log_dir)
                .map_err(|e| e.to_string())
        });
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            tracing_subscriber::registry()
                .with(filter())
                .with(fmt::layer().with_writer(writer).with_ansi(false))
                .with(fmt::layer().with_writer(std::io::stderr))
                .init();
            Some(guard)
        }
        Err(error) => {
            let guard = init_stderr_only();
            tracing::warn!(log_dir = %log_dir.display(), %error, "cannot write log files; logging to stderr only");
            guard
        }
    }
}

/// Logs to stderr only, when there is no folder to log into.
pub fn init_stderr_only() -> Option<WorkerGuard> {
    tracing_subscriber::registry()
        .with(filter())
        .with(fmt::layer().with_writer(std::io::stderr))
        .init();
    None
}
