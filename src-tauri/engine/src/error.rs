//! Errors of the engine and the closed set of codes the UI branches on.

use std::path::PathBuf;

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "cannot find the OS app-data folder: set CADENCE_DATA_DIR (or pass --data-dir) to choose where Cadence keeps its data"
    )]
    NoDataDir,
    #[error("cannot use {path} as the data folder: {reason}")]
    InvalidDataDir { path: PathBuf, reason: String },
    #[error(
        "invalid workspace name {0:?}: use 1 to 64 lowercase letters, digits, '-' or '_', starting with a letter or digit"
    )]
    InvalidWorkspaceName(String),
    #[error("a workspace named {0:?} already exists: choose another name")]
    WorkspaceExists(String),
    #[error("cannot create the folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] cadence_store::Error),
    #[error("cannot write {path}: {source}")]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the environment variable {0} holding the app secret is not set or empty")]
    MissingSecretEnv(String),
    #[error("{field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error(
        "the sandbox workspace's connection is fixed: create a workspace for a real account instead"
    )]
    SandboxConnectionIsFixed,
    #[error("the {0} is not saved: enter it in Settings → Connection")]
    MissingSecret(crate::SecretKind),
    #[error("the sandbox could not start: {0}")]
    Sandbox(String),
    #[error("no connection is saved: fill in Settings → Connection first")]
    NotConnected,
    #[error("{}", meta_message(.0))]
    Meta(cadence_whatsapp::Error),
    #[error("webhook refused: {0}")]
    WebhookSignature(cadence_whatsapp::SignatureError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("the {0} is empty: paste the value from Meta's App Dashboard")]
    EmptySecret(crate::SecretKind),
    #[error(
        "cannot {action} the {kind} in the OS keyring: {reason} (on Linux Cadence needs a Secret Service such as GNOME Keyring or KWallet, unlocked)"
    )]
    Keyring {
        kind: crate::SecretKind,
        action: &'static str,
        reason: String,
    },
    #[error(transparent)]
    Spelling(#[from] crate::spelling::SpellingError),
    #[error("{}", lint_errors_message(.findings))]
    TemplateHasErrors {
        findings: Vec<cadence_core::lint::Finding>,
    },
    #[error(
        "the template {name:?} is in Meta's review: wait for Meta's decision before submitting it again"
    )]
    TemplateInReview { name: String },
    #[error("this version is already submitted ({status}): edit the draft to submit a new version")]
    TemplateUnchanged {
        status: cadence_store::templates::TemplateStatus,
    },
    #[error(
        "another template already uses the name {name:?} in {language:?}: Meta keeps one template per name and language, so choose another name"
    )]
    TemplateNameTaken { name: String, language: String },
    #[error(
        "Meta already holds {name:?} in {language:?} ({status}) and keeps one template per name and language: rename the draft (for example {name}_v2) to submit it as a new version"
    )]
    TemplateNeedsNewName {
        name: String,
        language: String,
        status: cadence_store::templates::TemplateStatus,
    },
    #[error(
        "media header examples are uploaded through the Meta app: enter its app id in Settings → Connection"
    )]
    MissingAppId,
    // The audience importer (crate::import).
    #[error("cannot import {}: {problem}", path.display())]
    ImportFile {
        path: PathBuf,
        problem: cadence_core::csvread::FileProblem,
    },
    #[error("{0}")]
    ImportMapping(cadence_core::audience::MappingProblem),
    #[error("{0}")]
    ImportOption(cadence_core::Error),
    #[error("another import into this workspace is running: wait for it to finish, or cancel it")]
    ImportBusy,
    #[error("the import stopped on an internal error: {0}")]
    ImportBug(String),
    #[error(
        "the example audience belongs in sandbox workspaces only: a live workspace's contacts are real people"
    )]
    ExampleNeedsSandbox,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as a code the UI can branch on and translate.
///
/// A closed set: adding a code is a deliberate change to the UI's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The user's input was refused; the message says which rule it broke.
    InvalidInput,
    /// A file or folder could not be read or written (permissions, disk full).
    Io,
    /// The workspace database could not be opened, migrated or queried.
    Storage,
    /// The workspace was written by a newer Cadence.
    NewerVersion,
    /// The OS keyring (where secrets live) could not be used.
    Keyring,
    /// Meta (or the sandbox) answered with an error; the message is Meta's own.
    MetaApi,
    /// Meta could not be reached, or answered with something that is not the API.
    Network,
    /// A bug: Cadence did something it should not have. Details are in the log.
    Internal,
}

/// An error as the UI receives it: `{code, message}`. The message is plain words
/// for the user, with no secret and no internal detail (those go to the log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    /// The code the UI sees for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NoDataDir
            | Error::InvalidDataDir { .. }
            | Error::InvalidWorkspaceName(_)
            | Error::EmptySecret(_)
            | Error::WorkspaceExists(_) => ErrorCode::InvalidInput,
            Error::Keyring { .. } => ErrorCode::Keyring,
            Error::WebhookSignature(_) => ErrorCode::InvalidInput,
            Error::Listen { .. } | Error::ReadFile { .. } | Error::WriteFile { .. } => {
                ErrorCode::Io
            }
            Error::MissingSecretEnv(_)
            | Error::InvalidField { .. }
            | Error::NotConnected
            | Error::SandboxConnectionIsFixed
            | Error::MissingSecret(_) => ErrorCode::InvalidInput,
            Error::Sandbox(_) => ErrorCode::Internal,
            Error::Meta(error) if error.meta().is_some() => ErrorCode::MetaApi,
            Error::Meta(_) => ErrorCode::Network,
            Error::CreateDir { .. } => ErrorCode::Io,
            Error::Store(cadence_store::Error::NewerSchema { .. }) => ErrorCode::NewerVersion,
            Error::Store(
                cadence_store::Error::TemplateNotFound(_)
                | cadence_store::Error::TemplateTransition { .. },
            )
            | Error::TemplateHasErrors { .. }
            | Error::TemplateInReview { .. }
            | Error::TemplateUnchanged { .. }
            | Error::TemplateNameTaken { .. }
            | Error::TemplateNeedsNewName { .. }
            | Error::MissingAppId => ErrorCode::InvalidInput,
            Error::ImportFile { .. }
            | Error::ImportMapping(_)
            | Error::ImportOption(_)
            | Error::ImportBusy
            | Error::Store(cadence_store::Error::ImportNotFound(_)) => ErrorCode::InvalidInput,
            Error::ImportBug(_) => ErrorCode::Internal,
            // The audience (crate::audience): refused input, or a contact or
            // segment that another window deleted meanwhile.
            Error::Store(
                cadence_store::Error::ContactNotFound(_)
                | cadence_store::Error::SegmentNotFound(_)
                | cadence_store::Error::SegmentNameTaken(_)
                | cadence_store::Error::InvalidAudience { .. },
            )
            | Error::ExampleNeedsSandbox => ErrorCode::InvalidInput,
            Error::Store(_) => ErrorCode::Storage,
            Error::Spelling(error) => error.code(),
        }
    }
}

impl From<Error> for IpcError {
    /// Logs the full error and keeps a message fit for the user. Store errors can
    /// carry SQL detail, so the user gets a plain sentence and the log the rest.
    fn from(error: Error) -> IpcError {
        tracing::error!(error = %error, "request failed");
        let code = error.code();
        let message = match &error {
            Error::Store(cadence_store::Error::Query(_)) => {
                "the workspace database could not complete the request; details are in the log"
                    .to_owned()
            }
            other => other.to_string(),
        };
        IpcError { code, message }
    }
}

impl From<cadence_store::Error> for IpcError {
    fn from(error: cadence_store::Error) -> IpcError {
        Error::Store(error).into()
    }
}

/// The error findings that block a submission, one per line.
fn lint_errors_message(findings: &[cadence_core::lint::Finding]) -> String {
    let mut text = format!(
        "the template cannot be submitted while the linter finds {} error(s): fix them first",
        findings.len()
    );
    for finding in findings {
        text.push_str(&format!(
            "\n{} {}-{}: {} ({})",
            finding.field, finding.span.start, finding.span.end, finding.message, finding.rule
        ));
    }
    text
}

/// Meta's own words first (what the user can act on), then the code and trace id
/// that Meta's support asks for.
fn meta_message(error: &cadence_whatsapp::Error) -> String {
    match error.meta() {
        Some(meta) => {
            let mut text = format!("Meta answered: {} (code {}", meta.message, meta.code);
            if let Some(subcode) = meta.subcode {
                text.push_str(&format!(", subcode {subcode}"));
            }
            text.push(')');
            if let Some(details) = &meta.details {
                text.push_str(&format!(": {details}"));
            }
            if let Some(trace) = &meta.fbtrace_id {
                text.push_str(&format!(" [fbtrace_id {trace}]"));
            }
            text
        }
        None => error.to_string(),
    }
}
