//! The template linter: one engine for the editor, the submission gate, the
//! sandbox's review and `cadence lint`.
//!
//! It judges a [`Template`] against Meta's review rules and the channel's
//! marketing rules and returns [`Finding`]s: a stable rule id, a severity, a
//! character span in one field, a message in the asked language and, where one is
//! obvious, a quick fix. Pure: dictionaries and settings come in as arguments.

use serde::{Deserialize, Serialize};

use crate::Language;
use crate::template::{Field, Template};

/// How much a finding matters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Meta will reject the template, or the channel forbids it: blocks submission.
    Error,
    /// Against the channel's guidance.
    Warning,
    /// Worth knowing.
    Info,
}

/// A range of characters (Unicode scalar values, not bytes), `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// One replacement a quick fix makes: the characters `span` of `field` become
/// `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Edit {
    pub field: Field,
    pub span: Span,
    pub replacement: String,
}

/// A quick fix: a label for its button and the edits it makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Fix {
    pub label: String,
    pub edits: Vec<Edit>,
}

/// One thing the linter found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Finding {
    /// Stable, kebab-case: `body-variable-at-start`, `emoji-count`, `spelling`, …
    pub rule: String,
    pub severity: Severity,
    pub field: Field,
    pub span: Span,
    /// In the language the linter was asked for.
    pub message: String,
    pub fix: Option<Fix>,
}
