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

/// A word a speller does not know, where it is in the checked text, and what it
/// suggests instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Misspelling {
    /// Characters of the text given to [`Speller::check`].
    pub span: Span,
    pub word: String,
    pub suggestions: Vec<String>,
}

/// Checks the spelling of plain text. Cadence has two: Hunspell dictionaries read
/// with `spellbook` (bundled, always there) and a LanguageTool-compatible server
/// the user configures (in the engine, which does the HTTP).
///
/// The spelling rule masks what is not prose (variables, URLs, numbers) before it
/// calls `check`, and drops words in the brand list and the team dictionary after.
pub trait Speller: Send + Sync {
    /// `language` is Meta's code of the template's language (`ru`, `en_US`): a
    /// speller without that language returns nothing.
    fn check(&self, language: &str, text: &str) -> Vec<Misspelling>;
}

/// The workspace's lint settings: every threshold and phrase list, with defaults
/// that follow WHATSAPP.md and the channel's rules. Stored per workspace as JSON;
/// a field missing from stored JSON takes its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct LintSettings {
    /// Check spelling at all.
    pub spelling: bool,
    /// Words that are right whatever the dictionary says: brand and product names.
    pub brand_words: Vec<String>,
    /// Words the team added from spelling findings.
    pub team_dictionary: Vec<String>,
}

impl Default for LintSettings {
    fn default() -> Self {
        LintSettings {
            spelling: true,
            brand_words: vec!["Cadence".into(), "WhatsApp".into()],
            team_dictionary: Vec::new(),
        }
    }
}

/// What a lint run needs besides the template.
pub struct LintContext<'a> {
    pub settings: &'a LintSettings,
    /// The language of the messages (the UI's), not of the template.
    pub language: Language,
    /// `None` skips the spelling rule (no dictionaries loaded yet).
    pub speller: Option<&'a dyn Speller>,
}

/// Lints `template`: every finding, errors first, then by field and position.
pub fn lint(template: &Template, context: &LintContext<'_>) -> Vec<Finding> {
    let _ = (template, context);
    Vec::new()
}
