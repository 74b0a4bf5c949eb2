//! `cadence webhooks import FILE.jsonl`: webhook bodies saved elsewhere, into the
//! workspace, through the same checks as the receiver.

use std::io::BufRead;
use std::path::PathBuf;

use cadence_core::Secret;
use cadence_engine::webhooks::{Ingested, Trust, ingest};
use cadence_engine::{Error, SecretKind, SecretStore, Workspace};
use cadence_store::{Recorded, WebhookSource};
use serde::{Deserialize, Serialize};

/// Progress goes to stderr every this many lines.
const PROGRESS_EVERY: usize = 1000;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The JSON Lines file.
    file: PathBuf,
    /// Accept lines without a signature (store them as unchecked). Only for files
    /// you trust: anybody can write a webhook body.
    #[arg(long)]
    unsigned: bool,
    /// Read the app secret from this environment variable instead of the OS
    /// keyring (for scripts; the value is never printed).
    #[arg(long, value_name = "VAR")]
    app_secret_env: Option<String>,
}

/// A signed line: the signature header's value and the body exactly as received.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedLine {
    signature: String,
    body: String,
}

/// What the import did; every line is accounted for.
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    pub lines: usize,
    pub blank: usize,
    pub stored: usize,
    pub events: usize,
    pub duplicates: usize,
    /// Stored, but the body did not parse (kept and flagged in the workspace).
    pub unparsed: usize,
    pub refused: Vec<RefusedLine>,
}

#[derive(Debug, Serialize)]
pub struct RefusedLine {
    pub line: usize,
    pub reason: String,
}

pub async fn run(
    workspace: &Workspace,
    args: &ImportArgs,
) -> cadence_engine::Result<ImportSummary> {
    let file = std::fs::File::open(&args.file).map_err(|source| Error::ReadFile {
        path: args.file.clone(),
        source,
    })?;
    let app_secret = app_secret(workspace, args)?;
    let mut summary = ImportSummary::default();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let number = index + 1;
        summary.lines = number;
        let line = line.map_err(|source| Error::ReadFile {
            path: args.file.clone(),
            source,
        })?;
        if line.trim().is_empty() {
            summary.blank += 1;
            continue;
        }
        match import_line(workspace, &line, args.unsigned, app_secret.as_ref()).await {
            Ok(Ingested {
                recorded: Recorded::New { events, .. },
                parsed,
            }) => {
                summary.stored += 1;
                summary.events += events;
                summary.unparsed += usize::from(!parsed);
            }
            Ok(Ingested {
                recorded: Recorded::Duplicate { .. },
                ..
            }) => summary.duplicates += 1,
            Err(LineError::Refused(reason)) => summary.refused.push(RefusedLine {
                line: number,
                reason,
            }),
            Err(LineError::Fatal(error)) => return Err(error),
        }
        if number % PROGRESS_EVERY == 0 {
            eprintln!(
                "imported {number} lines ({} stored, {} duplicates)",
                summary.stored, summary.duplicates
            );
        }
    }
    Ok(summary)
}

enum LineError {
    /// This line is not stored; the import goes on.
    Refused(String),
    /// The workspace itself failed: stop.
    Fatal(Error),
}

async fn import_line(
    workspace: &Workspace,
    line: &str,
    unsigned: bool,
    app_secret: Option<&Secret>,
) -> Result<Ingested, LineError> {
    let store = workspace.store();
    let signed = serde_json::from_str::<SignedLine>(line);
    let result = match (signed, unsigned) {
        (Ok(signed), false) => {
            let Some(app_secret) = app_secret else {
                return Err(LineError::Refused(
                    "no app secret to check the signature with".into(),
                ));
            };
            let trust = Trust::Signed {
                app_secret,
                signature: Some(&signed.signature),
            };
            ingest(store, WebhookSource::Import, signed.body.as_bytes(), trust).await
        }
        (Ok(signed), true) => {
            ingest(
                store,
                WebhookSource::Import,
                signed.body.as_bytes(),
                Trust::Unchecked,
            )
            .await
        }
        (Err(_), true) => {
            ingest(
                store,
                WebhookSource::Import,
                line.as_bytes(),
                Trust::Unchecked,
            )
            .await
        }
        (Err(_), false) => {
            return Err(LineError::Refused(
                "not a {\"signature\", \"body\"} line: pass --unsigned to store bare bodies unchecked".into(),
            ));
        }
    };
    result.map_err(|error| match error {
        Error::WebhookSignature(reason) => LineError::Refused(reason.to_string()),
        other => LineError::Fatal(other),
    })
}

fn app_secret(workspace: &Workspace, args: &ImportArgs) -> cadence_engine::Result<Option<Secret>> {
    if let Some(var) = &args.app_secret_env {
        return match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(Some(Secret::new(value))),
            _ => Err(Error::MissingSecretEnv(var.clone())),
        };
    }
    if args.unsigned {
        return Ok(None);
    }
    SecretStore::for_workspace(workspace.name()).load(SecretKind::AppSecret)
}
