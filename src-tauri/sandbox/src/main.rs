//! `cadence-sandbox`: the offline WhatsApp Cloud API as a program.
//!
//! Parses the flags, loads the profile, serves until Ctrl-C. Prints exactly one line
//! to stdout (`listening on http://ADDR`, what scripts wait for); everything else is
//! logged to stderr. Bad flags or a bad profile: one line on stderr, exit 2.
//! Must not depend on `tauri`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use cadence_sandbox::{Profile, ServerConfig, TimeScale, serve};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "cadence-sandbox",
    version,
    about = "An offline WhatsApp Cloud API with Meta's behaviour, for new users, tests and benchmarks"
)]
struct Cli {
    /// Address to serve the Cloud API and the control API on, e.g. 127.0.0.1:8787.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// Profile JSON (fields not given keep their defaults).
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,

    /// Seed of the simulation: one seed, one run.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,

    /// Divide Meta's long durations (review, pauses, 24 h windows) by X.
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    time_scale: f64,

    /// POST signed webhooks here (can be changed later through the control API).
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,

    /// Print the default profile as JSON and exit.
    #[arg(long)]
    print_default_profile: bool,
}

/// Exit status for anything the user has to fix (flags, profile, address in use).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version are not errors.
            let code = if error.use_stderr() { USAGE_ERROR } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    if cli.print_default_profile {
        // A closed pipe (`| head`) is not an error worth a panic.
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", Profile::default().to_json());
        return ExitCode::SUCCESS;
    }
    let profile = match &cli.profile {
        None => Profile::default(),
        Some(path) => {
            let loaded = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read it: {error}"))
                .and_then(|json| Profile::from_json(&json).map_err(|error| error.to_string()));
            match loaded {
                Ok(profile) => profile,
                Err(problem) => {
                    eprintln!("error: profile {}: {problem}", path.display());
                    return ExitCode::from(USAGE_ERROR);
                }
            }
        }
    };
    if !(cli.time_scale.is_finite() && cli.time_scale > 0.0) {
        eprintln!(
            "error: --time-scale must be a positive number, got {}",
            cli.time_scale
        );
        return ExitCode::from(USAGE_ERROR);
    }
    let Some(listen) = cli.listen else {
        eprintln!(
            "error: nothing to do: give --listen ADDR or --print-default-profile (see --help)"
        );
        return ExitCode::from(USAGE_ERROR);
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut config = ServerConfig::new(listen);
    config.profile = profile;
    config.seed = cli.seed;
    config.time_scale = TimeScale::new(cli.time_scale);
    config.webhook_url = cli.webhook_url;
    runtime.block_on(async move {
        let running = match serve(config).await {
            Ok(running) => running,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(USAGE_ERROR);
            }
        };
        println!("listening on {}", running.base_url());
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot wait for Ctrl-C; stopping");
        }
        tracing::info!("stopping");
        running.stop().await;
        tracing::info!("stopped");
        ExitCode::SUCCESS
    })
}
