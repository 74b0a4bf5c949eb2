//! `cadence contacts …`: the contacts side of the audience for scripts.
//!
//! `export` writes a workspace's contacts (all, or a saved segment's) to CSV the
//! way the app does (UTF-8 with BOM, formulas neutralised, written whole or not
//! at all) and prints a JSON summary; progress goes to stderr.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use cadence_engine::audience::{ContactFilter, ContactSort};
use cadence_engine::paths::DEFAULT_WORKSPACE;
use cadence_engine::{CsvDelimiter, DataDir, Workspace};
use serde::Serialize;

#[derive(Debug, clap::Subcommand)]
pub enum ContactsCommand {
    /// Write the contacts (all, or a segment's) to a CSV file, newest first;
    /// prints a JSON summary.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The CSV file to write (replaced when it exists).
    file: PathBuf,
    /// Only the contacts of this saved segment (its id).
    #[arg(long, value_name = "ID")]
    segment: Option<i64>,
    /// Separate cells with `;` (what Excel expects in Russian and most
    /// European locales) instead of `,`.
    #[arg(long)]
    semicolon: bool,
    /// The workspace to read.
    #[arg(long, default_value = DEFAULT_WORKSPACE)]
    workspace: String,
}

#[derive(Debug, Serialize)]
struct ExportSummary {
    path: String,
    rows: u64,
    seconds: f64,
}

pub async fn run(data_dir: &DataDir, command: &ContactsCommand) -> cadence_engine::Result<()> {
    match command {
        ContactsCommand::Export(args) => {
            let workspace = Workspace::open(data_dir, &args.workspace).await?;
            let result = export(&workspace, args).await;
            workspace.close().await;
            crate::print_json(&result?);
        }
    }
    Ok(())
}

async fn export(workspace: &Workspace, args: &ExportArgs) -> cadence_engine::Result<ExportSummary> {
    let filter = match args.segment {
        Some(id) => workspace.segment(id).await?.filter,
        None => ContactFilter::default(),
    };
    let delimiter = if args.semicolon {
        CsvDelimiter::Semicolon
    } else {
        CsvDelimiter::Comma
    };
    let started = Instant::now();
    // Nothing cancels a command-line export but Ctrl+C, which ends the process
    // (the partial file stays hidden beside the target, never under its name).
    let never = AtomicBool::new(false);
    let result = workspace
        .export_contacts(
            &filter,
            ContactSort::default(),
            &args.file,
            delimiter,
            &never,
            |progress| eprintln!("  {} of {} contacts", progress.rows, progress.total),
        )
        .await?;
    Ok(ExportSummary {
        path: result.path,
        rows: result.rows,
        seconds: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
    })
}
