//! Message templates as the sandbox holds them: the draft a client submits, the
//! structural review Meta performs, and the status state machine
//! (PENDING → APPROVED / REJECTED, APPROVED ⇄ PAUSED, → DISABLED).
//!
//! Review is `cadence-core`'s linter, restricted to the rules Meta's review
//! rejects: one engine for the editor, the submission gate and this simulated
//! Meta. The draft is converted to the core's template model for it. No time, no
//! randomness: the simulation in `sandbox` decides when review happens.

use cadence_core::Language;
use cadence_core::lint::{self, LintContext, LintSettings, id};
use cadence_core::template as model;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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

    /// The draft in the core's template model, as the linter reads it. The draft
    /// carries no example values (the HTTP layer checks media examples at
    /// creation), so the model's examples are empty.
    pub fn to_core(&self) -> model::Template {
        let header = self
            .components
            .iter()
            .find_map(|component| match component {
                Component::Header(header) => Some(match header {
                    Header::Text { text } => model::Header::Text {
                        text: text.clone(),
                        example: None,
                    },
                    Header::Image => media(model::MediaKind::Image),
                    Header::Video => media(model::MediaKind::Video),
                    Header::Document => media(model::MediaKind::Document),
                    Header::Location => model::Header::Location,
                }),
                _ => None,
            });
        let buttons = self
            .buttons()
            .iter()
            .map(|button| match button.clone() {
                Button::QuickReply { text } => model::Button::QuickReply { text },
                Button::Url { text, url } => model::Button::Url {
                    text,
                    url,
                    example: None,
                },
                Button::PhoneNumber { text, phone_number } => {
                    model::Button::PhoneNumber { text, phone_number }
                }
                Button::CopyCode { example } => model::Button::CopyCode { example },
            })
            .collect();
        model::Template {
            name: self.name.clone(),
            language: self.language.clone(),
            category: match self.category {
                Category::Marketing => model::Category::Marketing,
                Category::Utility => model::Category::Utility,
                Category::Authentication => model::Category::Authentication,
            },
            parameter_format: match self.parameter_format {
                ParameterFormat::Positional => model::ParameterFormat::Positional,
                ParameterFormat::Named => model::ParameterFormat::Named,
            },
            header,
            body: self.body().unwrap_or_default().to_owned(),
            footer: self.footer().map(str::to_owned),
            buttons,
            body_examples: Default::default(),
        }
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

fn media(media: model::MediaKind) -> model::Header {
    model::Header::Media {
        media,
        example_file: None,
        example_handle: None,
    }
}

/// Meta's rule for template names (the linter's `name-format` and `name-too-long`).
pub fn check_name(name: &str) -> Result<()> {
    if lint::is_template_name(name) && name.chars().count() <= lint::limits::NAME_MAX {
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
    /// The linter's rule id (`body-variable-at-start`, …), for tests and logs.
    pub rule: &'static str,
    /// The finding's English message: what Meta-like review explains.
    pub explanation: String,
}

/// Meta review rules the sandbox does not judge: they are about example values,
/// which the draft does not carry. Meta checks media examples when a template is
/// created, and the HTTP layer does that too (`uploads::check_example`).
const NOT_REVIEWED: &[&str] = &[
    id::EXAMPLE_MISSING,
    id::MEDIA_EXAMPLE_MISSING,
    id::EXAMPLE_VALUE_FORMAT,
];

/// The distinct variable keys of `text` (`"1"`, `"first_name"`), in first-appearance
/// order. Malformed placeholders are not variables: review rejects them.
pub fn variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for placeholder in model::placeholders(text) {
        if let Some(key) = placeholder.key()
            && !names.iter().any(|name| name == key)
        {
            names.push(key.to_owned());
        }
    }
    names
}

/// Everything review finds wrong with `draft` (empty: approvable): the linter's
/// findings of the rules Meta's review rejects, errors in the linter's order, with
/// its English message as the explanation.
pub fn review(draft: &TemplateDraft) -> Vec<Violation> {
    let template = draft.to_core();
    // Spelling is the channel's guidance, not Meta's review: leave it out.
    let settings = LintSettings {
        spelling: false,
        ..LintSettings::default()
    };
    let context = LintContext {
        settings: &settings,
        language: Language::En,
        speller: None,
    };
    lint::lint(&template, &context)
        .into_iter()
        .filter_map(|finding| {
            let rule = lint::rule(&finding.rule)?;
            (rule.meta_rejects && !NOT_REVIEWED.contains(&rule.id)).then_some(Violation {
                rule: rule.id,
                explanation: finding.message,
            })
        })
        .collect()
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
                &["body-variable-at-start"],
            ),
            (
                "Your order is ready to collect today, {{1}}",
                &["body-variable-at-end"],
            ),
            (
                "Your order is ready to collect today, {{1}}.",
                &["body-variable-at-end"],
            ),
            (
                "Hello {{1}} {{2}}, your order is ready to collect today.",
                &["variables-adjacent"],
            ),
            (
                "Hello friend, your order\n{{1}}\nis ready to collect today.",
                &["variable-alone-on-line"],
            ),
            (
                "Hello {{2}}, your order {{1}} is ready to collect today.",
                &["variables-out-of-sequence"],
            ),
            (
                "Hello {{1}}, your order {{3}} is ready to collect today.",
                &["variables-out-of-sequence"],
            ),
            (
                "Hello {{#1}}, your order is ready to collect today.",
                &["variable-special-characters"],
            ),
            ("Hi {{1}} and {{2}} ok", &["variables-too-dense"]),
            (long.as_str(), &["body-too-long"]),
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
            ["variable-malformed"],
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
                vec!["header-too-long"],
            ),
            (
                vec![
                    Component::Header(Header::Text {
                        text: "Hi {{1}} and {{2}}".into(),
                    }),
                    body.clone(),
                ],
                vec!["header-too-many-variables"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Footer {
                        text: "Reply {{1}}".into(),
                    },
                ],
                vec!["footer-variable"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Footer {
                        text: "y".repeat(61),
                    },
                ],
                vec!["footer-too-long"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: vec![url(), url(), url()],
                    },
                ],
                vec!["buttons-too-many-url"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: (0..11).map(|_| quick("Yes")).collect(),
                    },
                ],
                vec!["buttons-too-many"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: vec![quick("Yes"), url(), quick("No")],
                    },
                ],
                vec!["quick-replies-not-grouped"],
            ),
            (
                vec![
                    body.clone(),
                    Component::Buttons {
                        buttons: vec![quick("A label that is far too long")],
                    },
                ],
                vec!["button-label-too-long"],
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
    fn review_judges_metas_rules_not_the_channels() {
        // No variable, no opt-out, five emoji, "!!!": the channel forbids or
        // discourages all of it, but Meta's review does not check it.
        let mass = draft("Big sale this weekend in all our shops 🎉🎉🎉🎉🎉!!!");
        assert!(
            rules(&mass).is_empty(),
            "the channel's rules are the editor's business, not review's: {:?}",
            rules(&mass)
        );
        let mut utility = draft("Hello {{1}}, your order is ready to collect today.");
        utility.category = Category::Utility;
        utility.components.push(Component::Buttons {
            buttons: vec![Button::CopyCode {
                example: "SPRING10".into(),
            }],
        });
        assert_eq!(
            rules(&utility),
            ["copy-code-not-marketing"],
            "copy code buttons are for marketing templates only"
        );
        let explanation = &review(&utility)[0].explanation;
        assert!(
            explanation.starts_with("Copy code buttons are for marketing templates only"),
            "the explanation is the linter's English message: {explanation:?}"
        );
    }

    #[test]
    fn drafts_convert_to_the_core_model_whole() {
        let mut template = draft("Hello {{first_name}}, your order is ready to collect today.");
        template.parameter_format = ParameterFormat::Named;
        template
            .components
            .insert(0, Component::Header(Header::Video));
        template.components.push(Component::Footer {
            text: "Reply STOP to opt out".into(),
        });
        template.components.push(Component::Buttons {
            buttons: vec![
                Button::QuickReply {
                    text: "Stop".into(),
                },
                Button::PhoneNumber {
                    text: "Call".into(),
                    phone_number: "+447700900123".into(),
                },
            ],
        });
        let converted = template.to_core();
        assert_eq!(converted.name, "spring_offer");
        assert_eq!(converted.parameter_format, model::ParameterFormat::Named);
        assert_eq!(
            converted.header,
            Some(model::Header::Media {
                media: model::MediaKind::Video,
                example_file: None,
                example_handle: None
            }),
            "a media header keeps its kind"
        );
        assert_eq!(converted.body, template.body().unwrap_or_default());
        assert_eq!(converted.footer.as_deref(), Some("Reply STOP to opt out"));
        assert_eq!(converted.buttons.len(), 2, "every button is kept, in order");
        assert!(
            rules(&template).is_empty(),
            "a video header without an example is checked at creation, not review"
        );
    }

    #[test]
    fn variables_are_the_well_formed_keys_in_order() {
        assert_eq!(
            variables("Hi {{2}}, {{1}} and {{2}} again, not {{ 3 }}"),
            ["2", "1"],
            "distinct keys, first appearance first; {{ 3 }} is not a variable"
        );
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
