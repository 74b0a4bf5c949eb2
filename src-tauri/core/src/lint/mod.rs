//! The template linter: one engine for the editor, the submission gate, the
//! sandbox's review and `cadence lint`.
//!
//! It judges a [`Template`] against Meta's review rules and the channel's
//! marketing rules and returns [`Finding`]s: a stable rule id, a severity, a
//! character span in one field, a message in the asked language and, where one is
//! obvious, a quick fix. Pure: dictionaries and settings come in as arguments.
//!
//! The rules live by kind: `structure` (name, language code, lengths, header,
//! footer, buttons), `variables` (placeholders, their placement and examples),
//! `channel` (the channel's marketing rules, thresholds and phrase lists from
//! [`LintSettings`]) and `spelling`. [`rules()`] lists every rule with its id,
//! severity, whether Meta's review rejects it, and a description in both
//! languages.
//!
//! Decisions worth knowing:
//! - `opt-out-missing` is an error, not a warning: the channel wants an easy
//!   opt-out before any marketing, and the fix (the ready «Отписаться» / "Stop
//!   promotions" quick reply, [`opt_out_button`]) is one click.
//! - The phrase rules (relevance, repeat contact, opt-out, negative context,
//!   promotional words) use the list of the template's language (the primary
//!   subtag of its code, [`template_language`]); for languages other than Russian
//!   and English they do not fire.
//! - Phrase lists are compiled once per distinct list and kept, and no regular
//!   expression is used: a lint of a 1,024-character body takes well under a
//!   millisecond without spelling.

mod catalogue;
mod channel;
mod fix;
pub mod limits;
mod phrases;
mod report;
pub(crate) mod spelling;
mod structure;
#[cfg(test)]
mod tests;
mod text;
mod variables;

use serde::{Deserialize, Serialize};

use crate::Language;
use crate::template::{Button, Field, Template};

pub use catalogue::{RULES, RuleInfo, id, rule, rules};
pub use channel::{opt_out_button, opt_out_label};
pub use structure::{is_e164, is_language_code, is_template_name};

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

/// A quick fix: a label for its button and the edits it makes. Apply it with
/// [`Fix::apply`] (and [`Fix::apply_to_settings`] for a dictionary word).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Fix {
    pub label: String,
    pub edits: Vec<Edit>,
    /// A word this fix adds to the workspace's team dictionary
    /// ([`LintSettings::team_dictionary`]) instead of editing the text: the spelling
    /// rule's "add to the team dictionary". `None` for ordinary fixes.
    #[serde(default)]
    pub add_to_dictionary: Option<String>,
    /// Other fixes the author may choose instead of this one (the spelling rule's
    /// further suggestions, then "add to the team dictionary"). Each stands alone:
    /// applying one applies none of the others. Empty for most rules.
    #[serde(default)]
    pub alternatives: Vec<Fix>,
    /// A button this fix inserts (the opt-out rule's ready «Отписаться» / "Stop
    /// promotions" quick reply). `None` for ordinary fixes.
    #[serde(default)]
    pub insert_button: Option<ButtonInsert>,
}

/// A button a fix inserts, and where: `index` is its place in the list afterwards
/// (chosen so quick replies stay one group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ButtonInsert {
    pub index: u32,
    pub button: Button,
}

impl Fix {
    /// A fix that makes `edits`, with no alternatives: what most rules offer.
    pub fn new(label: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            label: label.into(),
            edits,
            add_to_dictionary: None,
            alternatives: Vec::new(),
            insert_button: None,
        }
    }
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
    /// A LanguageTool-compatible server (`https://host:8081`) that checks
    /// spelling instead of the bundled dictionaries; `None`: the dictionaries.
    pub language_tool_url: Option<String>,
    /// `emoji-count`: most emoji a body may hold (default 2: the channel asks for few).
    pub emoji_max: u32,
    /// `shouting`: most words in capitals (three letters or more) a header or body
    /// may hold.
    pub caps_words_max: u32,
    /// `shouting`: capitalised words that are not shouting (abbreviations). Brand
    /// words are allowed too.
    pub caps_allowed: Vec<String>,
    /// `punctuation-run`: longest run of `!` and `?` (1 flags `!!` and `?!`).
    pub punctuation_run_max: u32,
    /// `links-too-many`: most links the body may hold.
    pub links_max: u32,
    /// `url-shortener`: hosts of URL shorteners (subdomains count too).
    pub url_shorteners: Vec<String>,
    /// `body-folds`: lines shown before "Read more".
    pub fold_lines: u32,
    /// `body-folds`: characters that fit on one line of the phone's bubble.
    pub fold_line_chars: u32,
    /// `relevance-missing`: phrases that say why a message is for this person.
    pub relevance_phrases: PhraseLists,
    /// `repeat-contact-missing`: phrases that show the person already is a customer.
    pub repeat_contact_phrases: PhraseLists,
    /// `opt-out-missing`: wording in the body or footer that says how to opt out.
    pub opt_out_phrases: PhraseLists,
    /// `opt-out-missing`: quick-reply labels that are a Stop button.
    pub stop_labels: PhraseLists,
    /// `negative-context`: debt collection and similar vocabulary.
    pub negative_phrases: PhraseLists,
    /// `utility-promotional`: words that make a utility template promotional.
    pub promotional_phrases: PhraseLists,
}

/// A phrase list per template language.
///
/// Phrases match words in order, case-insensitively, with variables and
/// punctuation between words skipped; a word ending in `*` matches any word it
/// begins; a Russian word also matches its other noun and verb forms (`долг`:
/// долга, долгу, долгов). A template in another language is not judged by them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct PhraseLists {
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub ru: Vec<String>,
}

impl PhraseLists {
    /// The list for templates in `language`.
    pub fn get(&self, language: Language) -> &[String] {
        match language {
            Language::En => &self.en,
            Language::Ru => &self.ru,
        }
    }
}

impl Default for LintSettings {
    fn default() -> Self {
        LintSettings {
            spelling: true,
            brand_words: vec!["Cadence".into(), "WhatsApp".into()],
            team_dictionary: Vec::new(),
            language_tool_url: None,
            emoji_max: 2,
            caps_words_max: 2,
            caps_allowed: [
                "SMS",
                "VIP",
                "USB",
                "PIN",
                "FAQ",
                "PDF",
                "CEO",
                "USD",
                "EUR",
                "RUB",
                "GBP",
                "NEW",
                "СМС",
                "ИНН",
                "МФЦ",
                "ОСАГО",
                "КАСКО",
                "РФ",
                "США",
                "ООО",
                "ИП",
                "ПВЗ",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            punctuation_run_max: 1,
            links_max: 1,
            url_shorteners: [
                "bit.ly",
                "tinyurl.com",
                "clck.ru",
                "goo.gl",
                "t.co",
                "ow.ly",
                "is.gd",
                "cutt.ly",
                "rebrand.ly",
                "vk.cc",
                "buff.ly",
                "shorturl.at",
                "tiny.cc",
                "rb.gy",
                "t.ly",
                "s.id",
                "u.to",
                "v.gd",
                "qps.ru",
                "bitly.com",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            fold_lines: 5,
            fold_line_chars: 40,
            relevance_phrases: PhraseLists {
                en: phrases::relevance_en(),
                ru: phrases::relevance_ru(),
            },
            repeat_contact_phrases: PhraseLists {
                en: phrases::repeat_contact_en(),
                ru: phrases::repeat_contact_ru(),
            },
            opt_out_phrases: PhraseLists {
                en: phrases::opt_out_en(),
                ru: phrases::opt_out_ru(),
            },
            stop_labels: PhraseLists {
                en: phrases::stop_labels_en(),
                ru: phrases::stop_labels_ru(),
            },
            negative_phrases: PhraseLists {
                en: phrases::negative_en(),
                ru: phrases::negative_ru(),
            },
            promotional_phrases: PhraseLists {
                en: phrases::promotional_en(),
                ru: phrases::promotional_ru(),
            },
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

/// The language whose phrase lists judge `template`: the primary subtag of its
/// Meta code (`en_US` → English), when Cadence has lists for it.
pub fn template_language(code: &str) -> Option<Language> {
    let primary = code.split(['_', '-']).next().unwrap_or_default();
    match primary.to_ascii_lowercase().as_str() {
        "en" => Some(Language::En),
        "ru" => Some(Language::Ru),
        _ => None,
    }
}

/// Lints `template`: every finding, errors first, then by field and position.
pub fn lint(template: &Template, context: &LintContext<'_>) -> Vec<Finding> {
    let mut report = report::Report::new(context.language);
    structure::check(template, &mut report);
    variables::check(template, &mut report);
    channel::check(template, context.settings, &mut report);
    let mut findings = report.findings;
    findings.extend(spelling::findings(template, context));
    findings.sort_by(|a, b| {
        (a.severity, &a.field, a.span.start, a.span.end, &a.rule).cmp(&(
            b.severity,
            &b.field,
            b.span.start,
            b.span.end,
            &b.rule,
        ))
    });
    findings
}
