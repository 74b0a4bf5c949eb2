//! `cadence`: the command line over Cadence's engine, for scripting and benchmarks.
//!
//! Every subcommand is a thin call into `cadence-engine`, like the app's commands;
//! results go to stdout as JSON, logs and errors to stderr. Must not depend on `tauri`.

use std::path::PathBuf;
use std::process::ExitCode;

use cadence_engine::paths::{DATA_DIR_ENV, DEFAULT_WORKSPACE};
use cadence_engine::{DataDir, Workspace};
use clap::{Parser, Subcommand};

mod bench;
mod bench_contacts;
mod bench_import;
mod contacts;
mod import;
mod lint;
mod webhooks_import;

#[derive(Debug, Parser)]
#[command(
    name = "cadence",
    version,
    about = "Cadence from the command line: WhatsApp marketing templates, audiences and campaigns"
)]
struct Cli {
    /// Folder holding Cadence's workspaces (default: the OS app-data folder).
    #[arg(long, global = true, value_name = "DIR", env = DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The workspace: where it lives and what it holds.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Meta's webhooks, for teams whose webhooks land elsewhere.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Lint template files (the JSON of Meta's create-template request) or folders
    /// of them: prints `file:field:start-end: severity rule-id: message` per
    /// finding; exits 1 when any finding is an error or a file cannot be read.
    Lint(lint::LintArgs),
    /// Import a CSV file into the audience (contacts, consent, opt-outs); prints
    /// the report as JSON. Exits 1 when the file cannot be read at all.
    Import(import::ImportArgs),
    /// The contacts of the audience: export to CSV.
    #[command(subcommand)]
    Contacts(contacts::ContactsCommand),
    /// Benchmarks: human-readable figures, then one JSON line.
    #[command(subcommand)]
    Bench(bench::BenchKind),
}

#[derive(Debug, Subcommand)]
enum WebhooksCommand {
    /// Store webhook bodies from a JSON Lines file (idempotent: run it again after
    /// an interruption). Each line is `{"signature": "sha256=…", "body": "<the raw
    /// body as a string>"}`, checked with the workspace's app secret; with
    /// --unsigned a line may also be the body itself, stored unchecked. Prints a
    /// JSON summary; exits 1 when a line was refused.
    Import(webhooks_import::ImportArgs),
}

#[derive(Debug, Subcommand)]
enum WorkspaceCommand {
    /// Print the data folder, database path and schema version as JSON.
    Info,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> cadence_engine::Result<ExitCode> {
    // Linting and benchmarks read no workspace: they need no data folder.
    match &cli.command {
        Command::Lint(args) => return Ok(lint::run(args).await),
        Command::Bench(bench::BenchKind::Import(args)) => {
            return Ok(bench_import::run(args, cli.data_dir.as_deref()).await);
        }
        Command::Bench(bench::BenchKind::Contacts(args)) => {
            return Ok(bench_contacts::run(args, cli.data_dir.as_deref()).await);
        }
        Command::Bench(kind) => return Ok(bench::run(kind).await),
        _ => {}
    }
    let data_dir = DataDir::resolve(cli.data_dir)?;
    match cli.command {
        Command::Workspace(WorkspaceCommand::Info) => {
            let workspace = Workspace::open(&data_dir, DEFAULT_WORKSPACE).await?;
            let info = workspace.info().await?;
            workspace.close().await;
            print_json(&info);
        }
        Command::Webhooks(WebhooksCommand::Import(args)) => {
            let workspace = Workspace::open(&data_dir, DEFAULT_WORKSPACE).await?;
            let summary = webhooks_import::run(&workspace, &args).await;
            workspace.close().await;
            let summary = summary?;
            print_json(&summary);
            if !summary.refused.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Import(args) => {
            let workspace = Workspace::open(&data_dir, DEFAULT_WORKSPACE).await?;
            let code = import::run(&workspace, &args).await;
            workspace.close().await;
            return code;
        }
        Command::Contacts(command) => contacts::run(&data_dir, &command).await?,
        // Answered above, before the data folder was resolved.
        Command::Lint(_) | Command::Bench(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn print_json(value: &impl serde::Serialize) {
    // Serializing our own DTOs cannot fail: they hold only strings and numbers.
    let text = serde_json::to_string_pretty(value).expect("DTOs serialize to JSON");
    println!("{text}");
}

/// Logs go to stderr so that stdout stays clean JSON for scripts. `CADENCE_LOG`
/// takes a tracing filter (`info`, `cadence_engine=debug`); warnings by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CADENCE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
