//! Conversions between Meta's create-template body ([`TemplateCreateRequest`]) and
//! Cadence's template model ([`cadence_core::template::Template`]).
//!
//! Meta's JSON spreads a template over components and keeps example values apart
//! from the text that uses them; the model keeps each example beside its variable.
//! Reading Meta's JSON refuses, with a [`TemplateModelError`] that names the
//! problem, any shape the model cannot hold without losing meaning (two bodies,
//! several rows of examples, an unknown category…). Writing it always succeeds and
//! produces the body Meta documents; a template whose examples are missing produces
//! a body Meta will refuse, which the linter reports before submission.
//!
//! Depends only on the wire types and `cadence-core`'s model.

use cadence_core::template as model;

use super::template::{
    BodyComponent, BodyExample, ButtonsComponent, Category, FooterComponent, HeaderComponent,
    HeaderMediaExample, HeaderTextExample, NamedParamExample, ParameterFormat, TemplateButton,
    TemplateComponent, TemplateCreateRequest,
};

/// Why a create-template body cannot become a Cadence [`model::Template`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateModelError {
    #[error(
        "unknown category {0:?}: Cadence knows MARKETING, UTILITY and AUTHENTICATION templates"
    )]
    UnknownCategory(String),
    #[error("unknown parameter_format {0:?}: expected POSITIONAL or NAMED")]
    UnknownParameterFormat(String),
    #[error("the template has no BODY component: Meta requires one")]
    MissingBody,
    #[error("the template has more than one {0} component: Meta allows one")]
    DuplicateComponent(&'static str),
    #[error(
        "the {component} example gives {given} parameters but parameter_format is {declared}: use {expected}"
    )]
    ExampleFormatMismatch {
        component: &'static str,
        given: &'static str,
        declared: &'static str,
        expected: &'static str,
    },
    #[error(
        "the {0} example sets both positional and named values: give exactly one of them, as parameter_format says"
    )]
    MixedExample(&'static str),
    #[error("{place} holds {count} examples: Cadence keeps one, as Meta's create request needs")]
    TooManyExamples { place: String, count: usize },
    #[error(
        "the header's example is for {{{{{found}}}}} but the header text uses {{{{{expected}}}}}"
    )]
    HeaderExampleName { expected: String, found: String },
    #[error("the body example names {{{{{0}}}}} twice: give each variable one example")]
    DuplicateExample(String),
}

impl TryFrom<&TemplateCreateRequest> for model::Template {
    type Error = TemplateModelError;

    fn try_from(request: &TemplateCreateRequest) -> Result<Self, Self::Error> {
        let category = match &request.category {
            Category::Marketing => model::Category::Marketing,
            Category::Utility => model::Category::Utility,
            Category::Authentication => model::Category::Authentication,
            Category::Other(other) => {
                return Err(TemplateModelError::UnknownCategory(other.clone()));
            }
        };
        let parameter_format = match &request.parameter_format {
            ParameterFormat::Positional => model::ParameterFormat::Positional,
            ParameterFormat::Named => model::ParameterFormat::Named,
            ParameterFormat::Other(other) => {
                return Err(TemplateModelError::UnknownParameterFormat(other.clone()));
            }
        };

        let mut header = None;
        let mut body = None;
        let mut footer = None;
        let mut buttons = None;
        for component in &request.components {
            match component {
                TemplateComponent::Header(h) => {
                    set_once(&mut header, "HEADER", read_header(h, parameter_format)?)?;
                }
                TemplateComponent::Body(b) => {
                    set_once(&mut body, "BODY", read_body(b, parameter_format)?)?;
                }
                TemplateComponent::Footer(FooterComponent { text }) => {
                    set_once(&mut footer, "FOOTER", text.clone())?;
                }
                TemplateComponent::Buttons(ButtonsComponent { buttons: list }) => {
                    let read = list
                        .iter()
                        .enumerate()
                        .map(|(i, button)| read_button(i, button))
                        .collect::<Result<Vec<_>, _>>()?;
                    set_once(&mut buttons, "BUTTONS", read)?;
                }
            }
        }
        let (body, body_examples) = body.ok_or(TemplateModelError::MissingBody)?;

        Ok(model::Template {
            name: request.name.clone(),
            language: request.language.clone(),
            category,
            parameter_format,
            header,
            body,
            footer,
            buttons: buttons.unwrap_or_default(),
            body_examples,
        })
    }
}

impl From<&model::Template> for TemplateCreateRequest {
    fn from(template: &model::Template) -> Self {
        let format = template.parameter_format;
        let mut components = Vec::with_capacity(4);
        if let Some(header) = &template.header {
            components.push(TemplateComponent::Header(write_header(header, format)));
        }
        components.push(TemplateComponent::Body(BodyComponent {
            text: template.body.clone(),
            example: write_body_example(template),
        }));
        if let Some(text) = &template.footer {
            components.push(TemplateComponent::Footer(FooterComponent {
                text: text.clone(),
            }));
        }
        if !template.buttons.is_empty() {
            components.push(TemplateComponent::Buttons(ButtonsComponent {
                buttons: template.buttons.iter().map(write_button).collect(),
            }));
        }
        TemplateCreateRequest {
            name: template.name.clone(),
            language: template.language.clone(),
            category: match template.category {
                model::Category::Marketing => Category::Marketing,
                model::Category::Utility => Category::Utility,
                model::Category::Authentication => Category::Authentication,
            },
            parameter_format: match format {
                model::ParameterFormat::Positional => ParameterFormat::Positional,
                model::ParameterFormat::Named => ParameterFormat::Named,
            },
            components,
        }
    }
}

/// Fills `slot` the first time; a second component of the same kind is refused
/// rather than silently dropping one of them.
fn set_once<T>(
    slot: &mut Option<T>,
    kind: &'static str,
    value: T,
) -> Result<(), TemplateModelError> {
    if slot.is_some() {
        return Err(TemplateModelError::DuplicateComponent(kind));
    }
    *slot = Some(value);
    Ok(())
}

fn format_name(format: model::ParameterFormat) -> &'static str {
    match format {
        model::ParameterFormat::Positional => "POSITIONAL",
        model::ParameterFormat::Named => "NAMED",
    }
}

/// Refuses examples written in the other parameter format: the model keys examples
/// by variable, so a positional list under a named template has no keys to go by.
fn check_format(
    component: &'static str,
    given: model::ParameterFormat,
    declared: model::ParameterFormat,
) -> Result<(), TemplateModelError> {
    if given == declared {
        return Ok(());
    }
    Err(TemplateModelError::ExampleFormatMismatch {
        component,
        given: match given {
            model::ParameterFormat::Positional => "positional",
            model::ParameterFormat::Named => "named",
        },
        declared: format_name(declared),
        expected: match declared {
            model::ParameterFormat::Positional => "`body_text` / `header_text`",
            model::ParameterFormat::Named => {
                "`body_text_named_params` / `header_text_named_params`"
            }
        },
    })
}

/// At most one value: `place` names where, for the error.
fn at_most_one<T: Clone>(
    values: &[T],
    place: impl Into<String>,
) -> Result<Option<T>, TemplateModelError> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        more => Err(TemplateModelError::TooManyExamples {
            place: place.into(),
            count: more.len(),
        }),
    }
}

fn read_header(
    header: &HeaderComponent,
    format: model::ParameterFormat,
) -> Result<model::Header, TemplateModelError> {
    let media = |media: model::MediaKind, example: &Option<HeaderMediaExample>| {
        let handle = match example {
            Some(example) => at_most_one(&example.header_handle, "the header's header_handle")?,
            None => None,
        };
        Ok(model::Header::Media {
            media,
            example_file: None,
            example_handle: handle,
        })
    };
    match header {
        HeaderComponent::Text { text, example } => {
            let example = match example {
                None => None,
                Some(HeaderTextExample {
                    header_text: Some(_),
                    header_text_named_params: Some(_),
                }) => return Err(TemplateModelError::MixedExample("HEADER")),
                Some(HeaderTextExample {
                    header_text: Some(values),
                    header_text_named_params: None,
                }) => {
                    check_format("HEADER", model::ParameterFormat::Positional, format)?;
                    at_most_one(values, "the header's header_text")?
                }
                Some(HeaderTextExample {
                    header_text: None,
                    header_text_named_params: Some(params),
                }) => {
                    check_format("HEADER", model::ParameterFormat::Named, format)?;
                    match at_most_one(params, "the header's header_text_named_params")? {
                        None => None,
                        Some(param) => {
                            // The model keeps the value only; the name comes back from
                            // the header text, so they must agree.
                            if let Some(expected) = variables(text).next()
                                && expected != param.param_name
                            {
                                return Err(TemplateModelError::HeaderExampleName {
                                    expected: expected.to_owned(),
                                    found: param.param_name,
                                });
                            }
                            Some(param.example)
                        }
                    }
                }
                Some(HeaderTextExample {
                    header_text: None,
                    header_text_named_params: None,
                }) => None,
            };
            Ok(model::Header::Text {
                text: text.clone(),
                example,
            })
        }
        HeaderComponent::Image { example } => media(model::MediaKind::Image, example),
        HeaderComponent::Video { example } => media(model::MediaKind::Video, example),
        HeaderComponent::Document { example } => media(model::MediaKind::Document, example),
        HeaderComponent::Location => Ok(model::Header::Location),
    }
}

type BodyWithExamples = (String, std::collections::BTreeMap<String, String>);

fn read_body(
    body: &BodyComponent,
    format: model::ParameterFormat,
) -> Result<BodyWithExamples, TemplateModelError> {
    let mut examples = std::collections::BTreeMap::new();
    match &body.example {
        None => {}
        Some(BodyExample {
            body_text: Some(_),
            body_text_named_params: Some(_),
        }) => return Err(TemplateModelError::MixedExample("BODY")),
        Some(BodyExample {
            body_text: Some(rows),
            body_text_named_params: None,
        }) => {
            check_format("BODY", model::ParameterFormat::Positional, format)?;
            if let Some(row) = at_most_one(rows, "the body's body_text")? {
                for (i, value) in row.into_iter().enumerate() {
                    examples.insert((i + 1).to_string(), value);
                }
            }
        }
        Some(BodyExample {
            body_text: None,
            body_text_named_params: Some(params),
        }) => {
            check_format("BODY", model::ParameterFormat::Named, format)?;
            for param in params {
                if examples
                    .insert(param.param_name.clone(), param.example.clone())
                    .is_some()
                {
                    return Err(TemplateModelError::DuplicateExample(
                        param.param_name.clone(),
                    ));
                }
            }
        }
        Some(BodyExample {
            body_text: None,
            body_text_named_params: None,
        }) => {}
    }
    Ok((body.text.clone(), examples))
}

fn read_button(index: usize, button: &TemplateButton) -> Result<model::Button, TemplateModelError> {
    Ok(match button {
        TemplateButton::QuickReply { text } => model::Button::QuickReply { text: text.clone() },
        TemplateButton::Url { text, url, example } => {
            let place = || format!("buttons[{index}].example");
            let example = match example {
                Some(values) => at_most_one(values, place())?,
                None => None,
            };
            model::Button::Url {
                text: text.clone(),
                url: url.clone(),
                example: example.map(|full| url_example_suffix(url, full)),
            }
        }
        TemplateButton::PhoneNumber { text, phone_number } => model::Button::PhoneNumber {
            text: text.clone(),
            phone_number: phone_number.clone(),
        },
        TemplateButton::CopyCode { example } => model::Button::CopyCode {
            example: example.clone(),
        },
    })
}

/// The part of `url` before its trailing variable, when it ends in one
/// (`https://shop.example/p/{{1}}` → `https://shop.example/p/`).
fn url_prefix(url: &str) -> Option<&str> {
    let without_close = url.trim_end().strip_suffix("}}")?;
    let open = without_close.rfind("{{")?;
    Some(&url[..open])
}

/// Meta's example for a URL button is the whole example URL; the model keeps only
/// the part that fills the variable. An example that does not start with the
/// URL's fixed part (some partners send only the suffix) is kept as it is.
fn url_example_suffix(url: &str, full: String) -> String {
    match url_prefix(url) {
        Some(prefix) => match full.strip_prefix(prefix) {
            Some(suffix) => suffix.to_owned(),
            None => full,
        },
        None => full,
    }
}

fn write_header(header: &model::Header, format: model::ParameterFormat) -> HeaderComponent {
    let media_example = |handle: &Option<String>| {
        handle.as_ref().map(|handle| HeaderMediaExample {
            header_handle: vec![handle.clone()],
        })
    };
    match header {
        model::Header::Text { text, example } => {
            // Meta wants an example only for a header that has a variable.
            let example = match (variables(text).next(), example) {
                (Some(name), Some(value)) => Some(match format {
                    model::ParameterFormat::Positional => HeaderTextExample::positional(value),
                    model::ParameterFormat::Named => {
                        HeaderTextExample::named(NamedParamExample::new(name, value))
                    }
                }),
                _ => None,
            };
            HeaderComponent::Text {
                text: text.clone(),
                example,
            }
        }
        model::Header::Media {
            media,
            example_handle,
            ..
        } => {
            let example = media_example(example_handle);
            match media {
                model::MediaKind::Image => HeaderComponent::Image { example },
                model::MediaKind::Video => HeaderComponent::Video { example },
                model::MediaKind::Document => HeaderComponent::Document { example },
            }
        }
        model::Header::Location => HeaderComponent::Location,
    }
}

/// The body's examples in the shape Meta wants: for positional templates one value
/// per variable from `{{1}}` up to the highest the body uses (a missing example is
/// an empty string so that the others keep their places); for named templates one
/// entry per distinct variable, in the order the body uses them.
fn write_body_example(template: &model::Template) -> Option<BodyExample> {
    match template.parameter_format {
        model::ParameterFormat::Positional => {
            let highest = variables(&template.body)
                .filter_map(|v| v.parse::<u32>().ok())
                .max()?;
            let row = (1..=highest)
                .map(|i| {
                    template
                        .body_examples
                        .get(&i.to_string())
                        .cloned()
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>();
            Some(BodyExample::positional(row))
        }
        model::ParameterFormat::Named => {
            let mut seen = Vec::new();
            for name in variables(&template.body) {
                if !seen.contains(&name) {
                    seen.push(name);
                }
            }
            let params = seen
                .into_iter()
                .filter_map(|name| {
                    let example = template.body_examples.get(name)?;
                    Some(NamedParamExample::new(name, example.clone()))
                })
                .collect::<Vec<_>>();
            (!params.is_empty()).then(|| BodyExample::named(params))
        }
    }
}

fn write_button(button: &model::Button) -> TemplateButton {
    match button {
        model::Button::QuickReply { text } => TemplateButton::QuickReply { text: text.clone() },
        model::Button::Url { text, url, example } => {
            // Only a URL with a variable takes an example, and Meta wants the
            // whole example URL, not just the suffix the model keeps.
            let example = match (url_prefix(url), example) {
                (Some(prefix), Some(suffix)) => Some(vec![format!("{prefix}{suffix}")]),
                _ => None,
            };
            TemplateButton::Url {
                text: text.clone(),
                url: url.clone(),
                example,
            }
        }
        model::Button::PhoneNumber { text, phone_number } => TemplateButton::PhoneNumber {
            text: text.clone(),
            phone_number: phone_number.clone(),
        },
        model::Button::CopyCode { example } => TemplateButton::CopyCode {
            example: example.clone(),
        },
    }
}

/// The names inside each `{{…}}` of `text`, trimmed, in order (`"1"`, `"first_name"`).
fn variables(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let open = rest.find("{{")?;
            let after = &rest[open + 2..];
            let close = after.find("}}")?;
            let inner = after[..close].trim();
            rest = &after[close + 2..];
            if !inner.is_empty() && !inner.contains('{') {
                return Some(inner);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cadence_core::template::{Button, Header, MediaKind, Template};

    fn positional() -> Template {
        Template {
            name: "autumn_offer".into(),
            language: "ru".into(),
            category: cadence_core::template::Category::Marketing,
            parameter_format: cadence_core::template::ParameterFormat::Positional,
            header: Some(Header::Text {
                text: "Скидка {{1}}".into(),
                example: Some("20%".into()),
            }),
            body: "{{1}}, недавно вы смотрели {{2}}: теперь дешевле.".into(),
            footer: Some("Ответьте «Стоп», чтобы отписаться".into()),
            buttons: vec![
                Button::Url {
                    text: "Открыть".into(),
                    url: "https://shop.example/p/{{1}}".into(),
                    example: Some("chairs-42".into()),
                },
                Button::QuickReply {
                    text: "Отписаться".into(),
                },
            ],
            body_examples: [("1", "Анна"), ("2", "стулья")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    #[test]
    fn variables_are_found_in_order_and_trimmed() {
        let found: Vec<_> = variables("{{1}} a {{ name }} b {{}} {{2}").collect();
        assert_eq!(
            found,
            ["1", "name"],
            "empty and unclosed braces are not variables"
        );
    }

    #[test]
    fn url_example_becomes_the_suffix_and_back_the_whole_url() {
        let request = TemplateCreateRequest::from(&positional());
        let TemplateComponent::Buttons(buttons) = &request.components[3] else {
            panic!("buttons come last: {request:?}");
        };
        assert_eq!(
            buttons.buttons[0],
            TemplateButton::Url {
                text: "Открыть".into(),
                url: "https://shop.example/p/{{1}}".into(),
                example: Some(vec!["https://shop.example/p/chairs-42".into()]),
            },
            "Meta documents the example of a URL button as the whole URL"
        );
        let back = Template::try_from(&request).unwrap();
        assert_eq!(back, positional(), "and it reads back as the suffix");
    }

    #[test]
    fn a_suffix_only_url_example_is_kept_as_the_suffix() {
        let button = TemplateButton::Url {
            text: "Go".into(),
            url: "https://a.example/{{1}}".into(),
            example: Some(vec!["summer".into()]),
        };
        assert_eq!(
            read_button(0, &button).unwrap(),
            Button::Url {
                text: "Go".into(),
                url: "https://a.example/{{1}}".into(),
                example: Some("summer".into())
            },
            "an example that is already the suffix must not be mangled"
        );
    }

    #[test]
    fn a_missing_positional_example_keeps_the_others_in_place() {
        let mut template = positional();
        template.body_examples.remove("1");
        let request = TemplateCreateRequest::from(&template);
        let TemplateComponent::Body(body) = &request.components[1] else {
            panic!("body second: {request:?}");
        };
        assert_eq!(
            body.example,
            Some(BodyExample::positional(["", "стулья"])),
            "{{2}}'s example must stay second even when {{1}}'s is missing"
        );
    }

    #[test]
    fn a_media_header_takes_its_handle_not_its_local_file() {
        let mut template = positional();
        template.header = Some(Header::Media {
            media: MediaKind::Video,
            example_file: Some("/home/anna/clip.mp4".into()),
            example_handle: Some("4::dmlkZW8=:AR".into()),
        });
        let request = TemplateCreateRequest::from(&template);
        assert_eq!(
            request.components[0],
            TemplateComponent::Header(HeaderComponent::Video {
                example: Some(HeaderMediaExample {
                    header_handle: vec!["4::dmlkZW8=:AR".into()]
                })
            }),
            "Meta takes the upload handle; the local path never leaves the machine"
        );
    }
}
