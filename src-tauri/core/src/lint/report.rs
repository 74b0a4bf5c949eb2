//! What the rule modules share: the report findings are added to (which looks up
//! each rule's severity in the catalogue and words messages in the asked language)
//! and a text field read once (its placeholders and character offsets).
//!
//! Must not hold any rule.

use std::fmt;
use std::ops::Range;

use super::catalogue;
use super::text::CharIndex;
use super::{Edit, Finding, Fix, Severity, Span};
use crate::Language;
use crate::template::{Field, Placeholder, placeholders};

/// The findings of one lint run.
pub(crate) struct Report {
    pub language: Language,
    pub findings: Vec<Finding>,
}

impl Report {
    pub(crate) fn new(language: Language) -> Report {
        Report {
            language,
            findings: Vec::new(),
        }
    }

    /// The message in the report's language; only that one is formatted.
    pub(crate) fn say(&self, en: fmt::Arguments<'_>, ru: fmt::Arguments<'_>) -> String {
        match self.language {
            Language::En => en.to_string(),
            Language::Ru => ru.to_string(),
        }
    }

    /// Adds a finding of `rule` with the rule's severity from the catalogue.
    pub(crate) fn add(
        &mut self,
        rule: &'static str,
        field: Field,
        span: Span,
        message: String,
        fix: Option<Fix>,
    ) {
        let severity = catalogue::rule(rule).map_or_else(
            || {
                debug_assert!(false, "rule {rule} is not in the catalogue");
                Severity::Error
            },
            |info| info.severity,
        );
        self.findings.push(Finding {
            rule: rule.to_owned(),
            severity,
            field,
            span,
            message,
            fix,
        });
    }
}

/// A fix that replaces one span of one field.
pub(crate) fn replace(
    label: String,
    field: Field,
    span: Span,
    replacement: impl Into<String>,
) -> Fix {
    Fix::new(
        label,
        vec![Edit {
            field,
            span,
            replacement: replacement.into(),
        }],
    )
}

/// One text field of the template, read once for all rules.
pub(crate) struct FieldText<'t> {
    pub field: Field,
    pub text: &'t str,
    pub index: CharIndex,
    pub placeholders: Vec<Placeholder<'t>>,
}

impl<'t> FieldText<'t> {
    pub(crate) fn new(field: Field, text: &'t str) -> FieldText<'t> {
        FieldText {
            field,
            text,
            index: CharIndex::new(text),
            placeholders: placeholders(text),
        }
    }

    pub(crate) fn span(&self, bytes: Range<usize>) -> Span {
        self.index.span(bytes)
    }

    /// The span of the whole text.
    pub(crate) fn whole(&self) -> Span {
        Span {
            start: 0,
            end: self.index.chars(),
        }
    }

    /// The placeholders that open with `{{` (a stray `}}` is not one).
    pub(crate) fn opened(&self) -> impl Iterator<Item = &Placeholder<'t>> {
        self.placeholders.iter().filter(|p| {
            !matches!(
                p.kind,
                crate::template::PlaceholderKind::Malformed(
                    crate::template::Malformation::Unopened
                )
            )
        })
    }

    /// Byte ranges of the placeholders, for skipping them when reading words.
    pub(crate) fn placeholder_ranges(&self) -> Vec<Range<usize>> {
        self.placeholders.iter().map(|p| p.bytes.clone()).collect()
    }
}
