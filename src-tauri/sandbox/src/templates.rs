//! Message templates as the sandbox holds them: the draft a client submits, the
//! structural review Meta performs, and the status state machine
//! (PENDING → APPROVED / REJECTED, APPROVED ⇄ PAUSED, → DISABLED).
//!
//! The review rules are the structural ones from `WHATSAPP.md` until `cadence-core`
//! has the linter; the limits come from `limits::template`. No time, no randomness:
//! the simulation in `sandbox` decides when review happens.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits::template as limit;

/// Meta's template categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
}

/// How variables are written: `{{1}}` or `{{first_name}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParameterFormat {
    #[default]
    Positional,
    Named,
}

/// A header component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Header {
    Text { text: String },
    Image,
    Video,
    Document,
    Location,
}

/// A button component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Button {
    QuickReply {
        text: String,
    },
    Url {
        text: String,
        url: String,
    },
    PhoneNumber {
        text: String,
        phone_number: String,
    },
    /// Meta fixes the label ("Copy offer code"); only the example code varies.
    CopyCode {
        example: String,
    },
}

impl Button {
    fn label(&self) -> Option<&str> {
        match self {
            Button::QuickReply { text }
            | Button::Url { text, .. }
            | Button::PhoneNumber { text, .. } => Some(text),
            Button::CopyCode { .. } => None,
        }
    }
}

/// The parts of a template, as `POST message_templates` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Component {
    Header(Header),
    Body { text: String },
    Footer { text: String },
    Buttons { buttons: Vec<Button> },
}

/// What a client submits to create a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDraft {
    pub name: String,
    pub language: String,
    pub category: Category,
    #[serde(default)]
    pub parameter_format: ParameterFormat,
    pub components: Vec<Component>,
}

impl TemplateDraft {
    pub fn body(&self) -> Option<&str> {
        self.components
            .iter()
            .find_map(|component| match component {
                Component::Body { text } => Some(text.as_str()),
                _ => None,
            })
    }

    pub fn header_text(&self) -> Option<&str> {
        self.components
            .iter()
            .find_map(|component| match component {
                Component::Header(Header::Text { text }) => Some(text.as_str()),
                _ => None,
            })
    }

    pub fn footer(&self) -> Option<&str> {
        self.components
            .iter()
            .find_map(|component| match component {
                Component::Footer { text } => Some(text.as_str()),
                _ => None,
            })
    }

    pub fn buttons(&self) -> &[Button] {
        self.components
            .iter()
            .find_map(|component| match component {
                Component::Buttons { buttons } => Some(buttons.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// Labels of the quick-reply buttons: what a simulated recipient may tap.
    pub fn quick_replies(&self) -> Vec<&str> {
        self.buttons()
            .iter()
            .filter_map(|button| match button {
                Button::QuickReply { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The checks Meta answers synchronously on creation; the rest wait for review.
    pub fn check_creatable(&self) -> Result<()> {
        check_name(&self.name)?;
        let bodies = self
            .components
            .iter()
            .filter(|component| matches!(component, Component::Body { .. }))
            .count();
        if bodies != 1 {
            return Err(Error::MissingBody);
        }
        Ok(())
    }
}

/// Meta's rule for template names.
pub fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_allowed = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if starts_with_letter && rest_allowed && name.len() <= limit::NAME_MAX {
        Ok(())
    } else {
        Err(Error::InvalidTemplateName {
            name: name.to_owned(),
        })
    }
}

/// A template's status, as Meta reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TemplateStatus {
    Pending,
    Approved,
    Rejected,
    Paused,
    Disabled,
}

/// What happens to a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TemplateEvent {
    /// Review passed.
    Approve,
    /// Review failed.
    Reject,
    /// Quality fell to RED (first or second time).
    Pause,
    /// The pause is over.
    Unpause,
    /// Quality fell to RED a third time.
    Disable,
}

/// Every allowed status change; anything else is refused. Deletion is not a status
/// change: a deleted template simply leaves the store.
pub const TEMPLATE_TRANSITIONS: &[(TemplateStatus, TemplateEvent, TemplateStatus)] = &[
    (
        TemplateStatus::Pending,
        TemplateEvent::Approve,
        TemplateStatus::Approved,
    ),
    (
        TemplateStatus::Pending,
        TemplateEvent::Reject,
        TemplateStatus::Rejected,
    ),
    (
        TemplateStatus::Approved,
        TemplateEvent::Pause,
        TemplateStatus::Paused,
    ),
    (
        TemplateStatus::Paused,
        TemplateEvent::Unpause,
        TemplateStatus::Approved,
    ),
    (
        TemplateStatus::Approved,
        TemplateEvent::Disable,
        TemplateStatus::Disabled,
    ),
];

impl TemplateStatus {
    /// The status after `event`, or `None` when the table does not allow it.
    pub fn after(self, event: TemplateEvent) -> Option<TemplateStatus> {
        TEMPLATE_TRANSITIONS
            .iter()
            .find(|(from, on, _)| *from == self && *on == event)
            .map(|(_, _, to)| *to)
    }
}

/// Meta's rejection reasons (`reason` in `message_template_status_update`).
pub mod reason {
    pub const INVALID_FORMAT: &str = "INVALID_FORMAT";
    /// Used for pauses: Meta sends `NONE` as the reason of a pause.
    pub const NONE: &str = "NONE";
    /// All values Meta documents, for validating profile entries.
    pub const ALL: &[&str] = &[
        "ABUSIVE_CONTENT",
        "CATEGORY_NOT_AVAILABLE",
        "INCORRECT_CATEGORY",
        INVALID_FORMAT,
        NONE,
        "PROMOTIONAL",
        "SCAM",
        "TAG_CONTENT_MISMATCH",
    ];
}

/// One structural problem found by review: Meta rejects with `INVALID_FORMAT` and
/// explains in `rejection_info.reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// A stable short name of the rule, for tests and logs.
    pub rule: &'static str,
    /// Meta-like explanation.
    pub explanation: String,
}

fn violation(rule: &'static str, explanation: impl Into<String>) -> Violation {
    Violation {
        rule,
        explanation: explanation.into(),
    }
}

/// A `{{…}}` placeholder found in a text, with its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub inner: String,
    pub start: usize,
    pub end: usize,
}

/// The placeholders of `text`, in order.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|at| at + from) {
        let Some(close) = text[open + 2..].find("}}").map(|at| at + open + 2) else {
            break;
        };
        found.push(Placeholder {
            inner: text[open + 2..close].trim().to_owned(),
            start: open,
            end: close + 2,
        });
        from = close + 2;
    }
    found
}

/// The distinct variable names of `text`, in first-appearance order.
pub fn variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for placeholder in placeholders(text) {
        if !names.contains(&placeholder.inner) {
            names.push(placeholder.inner);
        }
    }
    names
}

/// Everything review finds wrong with the structure of `draft` (empty: approvable).
pub fn review(draft: &TemplateDraft) -> Vec<Violation> {
    let mut found = Vec::new();
    if let Some(body) = draft.body() {
        review_body(body, draft.parameter_format, &mut found);
    }
    if let Some(header) = draft.header_text() {
        if header.chars().count() > limit::HEADER_TEXT_MAX {
            found.push(violation(
                "header_too_long",
                format!(
                    "The header text is longer than {} characters.",
                    limit::HEADER_TEXT_MAX
                ),
            ));
        }
        if placeholders(header).len() > limit::HEADER_VARIABLES_MAX {
            found.push(violation(
                "header_variables",
                format!(
                    "The header may hold at most {} variable.",
                    limit::HEADER_VARIABLES_MAX
                ),
            ));
        }
        review_placeholder_names(header, draft.parameter_format, &mut found);
    }
    if let Some(footer) = draft.footer() {
        if footer.chars().count() > limit::FOOTER_MAX {
            found.push(violation(
                "footer_too_long",
                format!(
                    "The footer is longer than {} characters.",
                    limit::FOOTER_MAX
                ),
            ));
        }
        if !placeholders(footer).is_empty() {
            found.push(violation(
                "footer_variables",
                "The footer may not hold variables.",
            ));
        }
    }
    review_buttons(draft, &mut found);
    found
}

fn review_body(body: &str, format: ParameterFormat, found: &mut Vec<Violation>) {
    if body.chars().count() > limit::BODY_MAX {
        found.push(violation(
            "body_too_long",
            format!("The body is longer than {} characters.", limit::BODY_MAX),
        ));
    }
    let all = placeholders(body);
    if all.is_empty() {
        return;
    }
    if body.trim_start().starts_with("{{") {
        found.push(violation(
            "variable_at_start",
            "The body starts with a variable. Add text before it.",
        ));
    }
    // Trailing punctuation still counts as the end: "…{{1}}." is rejected too.
    let without_punctuation = body.trim_end().trim_end_matches(|c: char| {
        c.is_ascii_punctuation() && c != '}' || matches!(c, '…' | '¡' | '¿') || c.is_whitespace()
    });
    if without_punctuation.ends_with("}}") {
        found.push(violation(
            "variable_at_end",
            "The body ends with a variable. Add text after it.",
        ));
    }
    for pair in all.windows(2) {
        if body[pair[0].end..pair[1].start].trim().is_empty() {
            found.push(violation(
                "adjacent_variables",
                "Two variables are next to each other. Put words between them.",
            ));
            break;
        }
    }
    if body.lines().any(|line| {
        let line = line.trim();
        let on_line = placeholders(line);
        on_line.len() == 1 && on_line[0].start == 0 && on_line[0].end == line.len()
    }) {
        found.push(violation(
            "variable_alone_on_line",
            "A line holds only a variable.",
        ));
    }
    review_placeholder_names(body, format, found);
    if format == ParameterFormat::Positional {
        let numbers: Vec<u32> = variables(body)
            .iter()
            .filter_map(|name| name.parse().ok())
            .collect();
        let in_order = numbers
            .iter()
            .enumerate()
            .all(|(at, n)| *n as usize == at + 1);
        if !in_order {
            found.push(violation(
                "variables_out_of_sequence",
                "Positional variables must be numbered {{1}}, {{2}}, … in order, without gaps.",
            ));
        }
    }
    let variable_count = all.len();
    let mut words_only = String::with_capacity(body.len());
    let mut from = 0;
    for placeholder in &all {
        words_only.push_str(&body[from..placeholder.start]);
        words_only.push(' ');
        from = placeholder.end;
    }
    words_only.push_str(&body[from..]);
    let words = words_only
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count();
    if words < limit::WORDS_PER_VARIABLE * variable_count + 1 {
        found.push(violation(
            "too_many_variables",
            format!(
                "The body has {variable_count} variables for {words} words: add text (at least {} words).",
                limit::WORDS_PER_VARIABLE * variable_count + 1
            ),
        ));
    }
}

fn review_placeholder_names(text: &str, format: ParameterFormat, found: &mut Vec<Violation>) {
    for placeholder in placeholders(text) {
        let inner = &placeholder.inner;
        if inner.contains(limit::PLACEHOLDER_FORBIDDEN) {
            found.push(violation(
                "special_characters_in_variable",
                format!("The variable {{{{{inner}}}}} holds one of # @ $ %."),
            ));
            continue;
        }
        let fits = match format {
            ParameterFormat::Positional => {
                !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit())
            }
            ParameterFormat::Named => {
                inner.starts_with(|c: char| c.is_ascii_lowercase())
                    && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            }
        };
        if !fits {
            found.push(violation(
                "malformed_variable",
                format!("The variable {{{{{inner}}}}} does not fit the parameter format."),
            ));
        }
    }
}

fn review_buttons(draft: &TemplateDraft, found: &mut Vec<Violation>) {
    let buttons = draft.buttons();
    let count = |wanted: fn(&Button) -> bool| buttons.iter().filter(|b| wanted(b)).count();
    let limits = [
        (buttons.len(), limit::BUTTONS_MAX, "buttons in all"),
        (
            count(|b| matches!(b, Button::Url { .. })),
            limit::URL_BUTTONS_MAX,
            "URL buttons",
        ),
        (
            count(|b| matches!(b, Button::PhoneNumber { .. })),
            limit::PHONE_BUTTONS_MAX,
            "phone number buttons",
        ),
        (
            count(|b| matches!(b, Button::CopyCode { .. })),
            limit::COPY_CODE_BUTTONS_MAX,
            "copy code buttons",
        ),
    ];
    for (have, max, what) in limits {
        if have > max {
            found.push(violation(
                "too_many_buttons",
                format!("At most {max} {what}, the template has {have}."),
            ));
        }
    }
    if buttons.iter().any(|b| matches!(b, Button::CopyCode { .. }))
        && draft.category != Category::Marketing
    {
        found.push(violation(
            "copy_code_outside_marketing",
            "Copy code buttons are for marketing templates only.",
        ));
    }
    // Quick replies must form one group: count the runs of quick replies.
    let runs = buttons
        .iter()
        .enumerate()
        .filter(|(at, button)| {
            matches!(button, Button::QuickReply { .. })
                && (*at == 0 || !matches!(buttons[at - 1], Button::QuickReply { .. }))
        })
        .count();
    if runs > 1 {
        found.push(violation(
            "quick_replies_not_grouped",
            "Quick reply buttons must be grouped together, not mixed with the others.",
        ));
    }
    for label in buttons.iter().filter_map(Button::label) {
        if label.chars().count() > limit::BUTTON_LABEL_MAX {
            found.push(violation(
                "button_label_too_long",
                format!(
                    "The button label {label:?} is longer than {} characters.",
                    limit::BUTTON_LABEL_MAX
                ),
            ));
        }
        if label.trim().is_empty() {
            found.push(violation("button_label_empty", "A button has no label."));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(body: &str) -> TemplateDraft {
        TemplateDraft {
            name: "spring_offer".into(),
            language: "en".into(),
            category: Category::Marketing,
            parameter_format: ParameterFormat::Positional,
            components: vec![Component::Body { text: body.into() }],
        }
    }

    fn rules(draft: &TemplateDraft) -> Vec<&'static str> {
        review(draft).into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn every_status_change_follows_the_table() {
        use TemplateEvent::*;
        use TemplateStatus::*;
        let statuses = [Pending, Approved, Rejected, Paused, Disabled];
        let events = [Approve, Reject, Pause, Unpause, Disable];
        let allowed = [
            (Pending, Approve, Some(Approved)),
            (Pending, Reject, Some(Rejected)),
            (Approved, Pause, Some(Paused)),
            (Paused, Unpause, Some(Approved)),
            (Approved, Disable, Some(Disabled)),
        ];
        for from in statuses {
            for event in events {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .and_then(|(_, _, to)| *to);
                assert_eq!(
                    from.after(event),
                    expected,
                    "{from:?} on {event:?}: only Meta's transitions are allowed"
                );
            }
        }
    }

    #[test]
    fn names_follow_metas_rule() {
        let cases = [
            ("spring_offer_2", true),
            ("a", true),
            ("Spring", false),
            ("2spring", false),
            ("_spring", false),
            ("spring-offer", false),
            ("spring offer", false),
            ("", false),
        ];
        for (name, ok) in cases {
            assert_eq!(check_name(name).is_ok(), ok, "name {name:?}");
        }
        assert!(
            check_name(&"a".repeat(513)).is_err(),
            "names are at most 512 characters"
        );
    }

    #[test]
    fn body_rules_reject_like_meta() {
        let long = format!("Hello {{{{1}}}}, {} bye.", "word ".repeat(210));
        let cases: &[(&str, &[&str])] = &[
            ("Hello {{1}}, your order is ready to collect today.", &[]),
            (
                "{{1}}, your order is ready to collect today.",
                &["variable_at_start"],
            ),
            (
                "Your order is ready to collect today, {{1}}",
                &["variable_at_end"],
            ),
            (
                "Your order is ready to collect today, {{1}}.",
                &["variable_at_end"],
            ),
            (
                "Hello {{1}} {{2}}, your order is ready to collect today.",
                &["adjacent_variables"],
            ),
            (
                "Hello friend, your order\n{{1}}\nis ready to collect today.",
                &["variable_alone_on_line"],
            ),
            (
                "Hello {{2}}, your order {{1}} is ready to collect today.",
                &["variables_out_of_sequence"],
            ),
            (
                "Hello {{1}}, your order {{3}} is ready to collect today.",
                &["variables_out_of_sequence"],
            ),
            (
                "Hello {{#1}}, your order is ready to collect today.",
                &["special_characters_in_variable"],
            ),
            ("Hi {{1}} and {{2}} ok", &["too_many_variables"]),
            (long.as_str(), &["body_too_long"]),
        ];
        for (body, expected) in cases {
            assert_eq!(rules(&draft(body)), *expected, "body {body:?}");
        }
    }

    #[test]
    fn named_variables_must_be_lowercase_names() {
        let mut named = draft("Hello {{first_name}}, your order is ready to collect today.");
        named.parameter_format = ParameterFormat::Named;
        assert!(
            rules(&named).is_empty(),
            "a named variable in a NAMED template"
        );
        named.components = vec![Component::Body {
            text: "Hello {{FirstName}}, your order is ready to collect today.".into(),
        }];
        assert_eq!(
            rules(&named),
            ["malformed_variable"],
            "named: lowercase and _"
        );
    }

    #[test]
    fn header_footer_and_button_limits() {
        let body = Component::Body {
            text: "Hello {{1}}, your order is ready to collect today.".into(),
        };
        let quick = |text: &str| Button::QuickReply { text: text.into() };
        let url = || Button::Url {
            text: "Open".into(),
            url: "https://example.com".into(),
        };
        let cases: Vec<(Vec<Component>, Vec<&str>)> = vec![
            (
                vec![
                    Component::Header(Header::Text {
                        text: "x".repeat(61),
                    }),
                    body.clone(),
                ],
                vec!["header_too_long"],
            ),
            (
                vec![
                    Component::Header(Header::Text {
                        text: "Hi {{1}} and {{2}}".into(),
                    }),
                    body.clone(),
                ],
                vec!["header_variables"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Footer {
                        text: "Reply {{1}}".into(),
                    },
                ],
                vec!["footer_variables"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Footer {
                        text: "y".repeat(61),
                    },
                ],
                vec!["footer_too_long"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: vec![url(), url(), url()],
                    },
                ],
                vec!["too_many_buttons"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: (0..11).map(|_| quick("Yes")).collect(),
                    },
                ],
                vec!["too_many_buttons"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: vec![quick("Yes"), url(), quick("No")],
                    },
                ],
                vec!["quick_replies_not_grouped"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: vec![quick("A label that is far too long")],
                    },
                ],
                vec!["button_label_too_long"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: vec![quick("Yes"), quick("Stop"), url()],
                    },
                ],
                vec![],
            ),
        ];
        for (components, expected) in cases {
            let mut template = draft("");
            template.components = components.clone();
            assert_eq!(rules(&template), expected, "components {components:?}");
        }
    }

    #[test]
    fn creation_needs_a_name_and_one_body() {
        let mut template = draft("Hello {{1}}, your order is ready to collect today.");
        assert!(
            template.check_creatable().is_ok(),
            "a sound draft is created"
        );
        template.components.clear();
        assert!(
            matches!(template.check_creatable(), Err(Error::MissingBody)),
            "Meta refuses a template without a body at once"
        );
    }
}
