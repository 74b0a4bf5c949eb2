//! Every rule, in both template languages: a clean template passes all of them, and
//! one change per rule makes it fire, with a message in each UI language and a
//! fix that works where one is offered. Rule-specific edge cases follow.

use std::collections::BTreeMap;

use super::*;
use crate::template::{Button, Category, Header, MediaKind, ParameterFormat};

/// A marketing template in `language` ("en" or "ru") that breaks no rule.
pub(crate) fn clean(language: &str) -> Template {
    let (name, body, reserve, stop, example) = match language {
        "ru" => (
            "jacket_back_ru",
            "Здравствуйте, {{1}}! Спасибо за заказ в прошлом месяце. Недавно вы интересовались курткой: она снова есть в вашем размере.",
            "Отложить",
            "Отписаться",
            "Анна",
        ),
        _ => (
            "jacket_back_en",
            "Hello {{1}}, thank you for your order last month. You recently looked at the rain jacket: it is back in your size.",
            "Reserve it",
            "Stop promotions",
            "Anna",
        ),
    };
    Template {
        name: name.into(),
        language: language.into(),
        category: Category::Marketing,
        parameter_format: ParameterFormat::Positional,
        header: None,
        body: body.into(),
        footer: None,
        buttons: vec![
            Button::QuickReply {
                text: reserve.into(),
            },
            Button::QuickReply { text: stop.into() },
        ],
        body_examples: BTreeMap::from([("1".to_owned(), example.to_owned())]),
    }
}

pub(crate) fn lint_in(template: &Template, language: Language) -> Vec<Finding> {
    let settings = LintSettings::default();
    lint(
        template,
        &LintContext {
            settings: &settings,
            language,
            speller: None,
        },
    )
}

fn rule_ids(template: &Template) -> Vec<String> {
    lint_in(template, Language::En)
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

fn is_ru(template: &Template) -> bool {
    template.language.starts_with("ru")
}

fn pick(template: &Template, en: &str, ru: &str) -> String {
    if is_ru(template) { ru } else { en }.to_owned()
}

fn quick(text: &str) -> Button {
    Button::QuickReply { text: text.into() }
}

fn url(address: &str) -> Button {
    Button::Url {
        text: "Open".into(),
        url: address.into(),
        example: None,
    }
}

fn phone(number: &str) -> Button {
    Button::PhoneNumber {
        text: "Call".into(),
        phone_number: number.into(),
    }
}

fn copy(code: &str) -> Button {
    Button::CopyCode {
        example: code.into(),
    }
}

/// One change per rule that makes it fire, for a template in either language.
type Breaker = fn(&mut Template);

fn breakers() -> Vec<(&'static str, Breaker)> {
    vec![
        (id::NAME_FORMAT, |t| {
            t.name = pick(t, "Spring Offer", "Весенняя акция")
        }),
        (id::NAME_TOO_LONG, |t| t.name = "a".repeat(513)),
        (id::LANGUAGE_CODE, |t| t.language = pick(t, "en-US", "RU")),
        (id::BODY_MISSING, |t| t.body = " \n ".into()),
        (id::BODY_TOO_LONG, |t| t.body.push_str(&" word".repeat(200))),
        (id::HEADER_TEXT_MISSING, |t| {
            t.header = Some(Header::Text {
                text: String::new(),
                example: None,
            })
        }),
        (id::HEADER_TOO_LONG, |t| {
            t.header = Some(Header::Text {
                text: pick(t, "A", "Б").repeat(61),
                example: None,
            })
        }),
        (id::HEADER_TOO_MANY_VARIABLES, |t| {
            t.header = Some(Header::Text {
                text: pick(t, "For {{1}} and {{2}}", "Для {{1}} и {{2}}"),
                example: Some("x".into()),
            })
        }),
        (id::FOOTER_TOO_LONG, |t| {
            t.footer = Some(pick(t, "f", "п").repeat(61))
        }),
        (id::FOOTER_VARIABLE, |t| {
            t.footer = Some(pick(t, "Sent to {{1}}", "Для {{1}}"))
        }),
        (id::BUTTONS_TOO_MANY, |t| {
            t.buttons
                .extend((0..9).map(|i| quick(&format!("Option {i}"))))
        }),
        (id::BUTTONS_TOO_MANY_URL, |t| {
            t.buttons
                .extend((0..3).map(|_| url("https://shop.example.com")))
        }),
        (id::BUTTONS_TOO_MANY_PHONE, |t| {
            t.buttons
                .extend([phone("+447700900123"), phone("+447700900124")])
        }),
        (id::BUTTONS_TOO_MANY_COPY_CODE, |t| {
            t.buttons.extend([copy("SPRING10"), copy("SPRING20")])
        }),
        (id::COPY_CODE_NOT_MARKETING, |t| {
            t.category = Category::Utility;
            t.buttons.push(copy("SPRING10"));
        }),
        (id::QUICK_REPLIES_NOT_GROUPED, |t| {
            t.buttons.insert(1, url("https://shop.example.com"))
        }),
        (id::BUTTON_LABEL_MISSING, |t| t.buttons[0] = quick(" ")),
        (id::BUTTON_LABEL_TOO_LONG, |t| {
            t.buttons[0] = quick(&pick(
                t,
                "Reserve this jacket for me now",
                "Отложите эту куртку для меня",
            ))
        }),
        (id::URL_BUTTON_FORMAT, |t| {
            t.buttons.push(url("shop.example.com/sale"))
        }),
        (id::URL_BUTTON_VARIABLE, |t| {
            t.buttons.push(Button::Url {
                text: "Open".into(),
                url: "https://shop.example.com/{{1}}/sale".into(),
                example: Some("a1".into()),
            })
        }),
        (id::PHONE_BUTTON_FORMAT, |t| {
            t.buttons
                .push(phone(&pick(t, "+44 7700 900123", "8 (916) 123-45-67")))
        }),
        (id::COPY_CODE_EXAMPLE, |t| {
            t.buttons.push(copy("THIS_CODE_IS_TOO_LONG"))
        }),
        (id::BODY_VARIABLE_AT_START, |t| {
            t.body = t
                .body
                .replacen(&pick(t, "Hello {{1}}", "Здравствуйте, {{1}}"), "{{1}}", 1)
        }),
        (id::BODY_VARIABLE_AT_END, |t| {
            t.body
                .push_str(&pick(t, " See you soon, {{1}}!", " До встречи, {{1}}!"))
        }),
        (id::VARIABLES_ADJACENT, |t| {
            t.body = t.body.replacen("{{1}}", "{{1}} {{2}}", 1);
            t.body_examples.insert("2".into(), "Smith".into());
        }),
        (id::VARIABLE_ALONE_ON_LINE, |t| {
            t.body = t.body.replacen("{{1}}", "\n{{1}}\n", 1)
        }),
        (id::VARIABLES_OUT_OF_SEQUENCE, |t| {
            t.body = t.body.replace("{{1}}", "{{2}}");
            t.body_examples = BTreeMap::from([("2".to_owned(), "Anna".to_owned())]);
        }),
        (id::VARIABLE_MALFORMED, |t| {
            t.body = t.body.replace("{{1}}", "{{ 1 }}")
        }),
        (id::VARIABLE_SPECIAL_CHARACTERS, |t| {
            t.body = t.body.replace("{{1}}", "{{#1}}")
        }),
        (id::VARIABLE_WRONG_FORMAT, |t| {
            t.parameter_format = ParameterFormat::Named
        }),
        (id::VARIABLES_MIXED, |t| {
            t.body = t
                .body
                .replacen(".", &pick(t, ", {{first_name}}.", ", {{first_name}}."), 1);
            t.body_examples.insert("first_name".into(), "Anna".into());
        }),
        (id::VARIABLES_TOO_DENSE, |t| {
            t.body = pick(t, "Hi {{1}}, {{2}} ok", "Привет {{1}}, {{2}} ок");
            t.body_examples.insert("2".into(), "x".into());
        }),
        (id::EXAMPLE_MISSING, |t| t.body_examples.clear()),
        (id::MEDIA_EXAMPLE_MISSING, |t| {
            t.header = Some(Header::Media {
                media: MediaKind::Image,
                example_file: None,
                example_handle: None,
            })
        }),
        (id::EXAMPLE_VALUE_FORMAT, |t| {
            t.body_examples
                .insert("1".into(), pick(t, "Anna\nSmith", "Анна\tСмирнова"));
        }),
        (id::EMOJI_COUNT, |t| t.body.push_str(" 🎉🎁🔥✨")),
        (id::EMOJI_HEADER_FOOTER, |t| {
            t.footer = Some(pick(t, "See you 😊", "До встречи 😊"))
        }),
        (id::RELEVANCE_MISSING, |t| {
            t.body = t
                .body
                .replace("You recently looked at", "Look at")
                .replace("Недавно вы интересовались курткой", "Посмотрите на куртку")
                .replace(" in your size", "")
                .replace(" в вашем размере", "")
        }),
        (id::REPEAT_CONTACT_MISSING, |t| {
            t.body = t
                .body
                .replace("thank you for your order last month", "good news")
                .replace("Спасибо за заказ в прошлом месяце", "Хорошие новости")
        }),
        (id::PERSONALISATION_MISSING, |t| {
            t.body = t.body.replace(" {{1}}", "");
            t.body_examples.clear();
        }),
        (id::OPT_OUT_MISSING, |t| t.buttons.truncate(1)),
        (id::NEGATIVE_CONTEXT, |t| {
            t.body.push_str(&pick(
                t,
                " Your debt is overdue.",
                " У вас задолженность по оплате.",
            ))
        }),
        (id::SHOUTING, |t| {
            t.body.push_str(&pick(
                t,
                " BIG SALE TODAY ONLY",
                " ОГРОМНАЯ РАСПРОДАЖА ТОЛЬКО СЕГОДНЯ",
            ))
        }),
        (id::PUNCTUATION_RUN, |t| {
            t.body.push_str(&pick(t, " Hurry!!!", " Спешите!!!"))
        }),
        (id::LINKS_TOO_MANY, |t| {
            t.body
                .push_str(" https://a.example.com https://b.example.com")
        }),
        (id::URL_SHORTENER, |t| t.body.push_str(" bit.ly/abc")),
        (id::BODY_FOLDS, |t| t.body.push_str(&"\n-".repeat(6))),
        (id::UTILITY_PROMOTIONAL, |t| {
            t.category = Category::Utility;
            t.body
                .push_str(&pick(t, " Get a discount.", " Скидка для вас."));
        }),
    ]
}

#[test]
fn the_clean_templates_break_no_rule() {
    for language in ["en", "ru"] {
        let template = clean(language);
        for ui in Language::ALL {
            let findings = lint_in(&template, ui);
            assert!(
                findings.is_empty(),
                "the {language} reference template must pass every rule (UI {ui}): {findings:#?}"
            );
        }
    }
}

#[test]
fn every_rule_fires_in_both_languages_with_both_messages() {
    let breakers = breakers();
    for info in rules() {
        if info.id == id::SPELLING {
            // The spelling rule has its own tests beside it (it needs a speller).
            continue;
        }
        assert!(
            breakers.iter().any(|(rule, _)| *rule == info.id),
            "{}: every rule in the catalogue has a failing example here",
            info.id
        );
    }
    for (rule, breaker) in breakers {
        for language in ["en", "ru"] {
            let mut template = clean(language);
            breaker(&mut template);
            let en = lint_in(&template, Language::En);
            let ru = lint_in(&template, Language::Ru);
            let Some(at) = en.iter().position(|f| f.rule == rule) else {
                panic!(
                    "{rule} must fire for this {language} template: {template:#?}\nfound {en:#?}"
                );
            };
            let (in_en, in_ru) = (&en[at], &ru[at]);
            assert_eq!(
                (in_en.rule.as_str(), &in_en.field, in_en.span),
                (in_ru.rule.as_str(), &in_ru.field, in_ru.span),
                "{rule}: the UI language changes the words, not what is found"
            );
            assert!(
                in_ru.message.chars().any(|c| ('а'..='я').contains(&c))
                    && in_en.message != in_ru.message,
                "{rule} ({language}): the message comes in Russian and in English: {:?} / {:?}",
                in_en.message,
                in_ru.message
            );
            assert_eq!(
                in_en.severity,
                rule_info(rule).severity,
                "{rule}: a finding has its rule's severity from the catalogue"
            );
            let text = template.text(&in_en.field);
            if let Some(text) = text {
                let length = text.chars().count() as u32;
                assert!(
                    in_en.span.start <= in_en.span.end && in_en.span.end <= length,
                    "{rule}: the span {:?} lies inside {} ({length} characters)",
                    in_en.span,
                    in_en.field
                );
            }
        }
    }
}

fn rule_info(id: &str) -> &'static RuleInfo {
    rule(id).expect("every emitted rule is in the catalogue")
}

#[test]
fn every_offered_fix_applies_and_removes_its_finding() {
    for (rule, breaker) in breakers() {
        for language in ["en", "ru"] {
            let mut template = clean(language);
            breaker(&mut template);
            let before = lint_in(&template, Language::En);
            for finding in before.iter().filter(|f| f.rule == rule) {
                let Some(fix) = &finding.fix else {
                    continue;
                };
                let mut fixed = template.clone();
                fix.apply(&mut fixed)
                    .unwrap_or_else(|e| panic!("{rule} ({language}): its fix must apply: {e}"));
                let after = lint_in(&fixed, Language::En);
                let count =
                    |findings: &[Finding]| findings.iter().filter(|f| f.rule == rule).count();
                assert!(
                    count(&after) < count(&before),
                    "{rule} ({language}): applying {:?} must remove the finding; before {before:#?} after {after:#?}",
                    fix.label
                );
            }
        }
    }
}

#[test]
fn findings_come_errors_first_then_by_field_and_position() {
    let mut template = clean("en");
    template.body = "{{1}}!!! BIG SALE TODAY ONLY 🎉🎁🔥✨ Hello".into();
    template.footer = Some("Bye 😊".into());
    let findings = lint_in(&template, Language::En);
    let keys: Vec<_> = findings
        .iter()
        .map(|f| (f.severity, f.field.clone(), f.span.start))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        keys, sorted,
        "errors first, then by field, then by where they are"
    );
    assert_eq!(
        findings[0].severity,
        Severity::Error,
        "a variable at the start is an error and comes first"
    );
}

#[test]
fn phrase_rules_do_not_fire_for_languages_without_a_library() {
    let mut template = clean("en");
    template.language = "de".into();
    template.body = "Hallo {{1}}, heute gibt es neue Jacken in unserem Laden für dich.".into();
    template.buttons.truncate(1);
    let ids = rule_ids(&template);
    for phrase_rule in rules().iter().filter(|r| r.needs_phrases) {
        assert!(
            !ids.iter().any(|id| id == phrase_rule.id),
            "{}: there is no German list to judge by, so it stays silent: {ids:?}",
            phrase_rule.id
        );
    }
    template.body = "Hallo, neue Jacken im Laden.".into();
    template.body_examples.clear();
    assert!(
        rule_ids(&template).contains(&id::PERSONALISATION_MISSING.to_owned()),
        "personalisation needs no phrase list: a marketing template without a variable is still a mass advert"
    );
}

#[test]
fn language_subtags_pick_the_phrase_library() {
    assert_eq!(template_language("en_US"), Some(Language::En));
    assert_eq!(template_language("ru"), Some(Language::Ru));
    assert_eq!(template_language("RU"), Some(Language::Ru));
    assert_eq!(
        template_language("pt_BR"),
        None,
        "Portuguese has no phrase library"
    );
    let mut template = clean("en");
    template.language = "en_GB".into();
    assert!(
        lint_in(&template, Language::En).is_empty(),
        "en_GB is judged by the English lists"
    );
}

#[test]
fn marketing_only_rules_leave_utility_templates_alone() {
    let mut template = clean("en");
    template.category = Category::Utility;
    template.body = "Hello {{1}}, your parcel has left the warehouse and arrives tomorrow.".into();
    template.buttons.clear();
    assert!(
        rule_ids(&template).is_empty(),
        "a utility message needs no relevance phrase, opt-out or personal marker: {:?}",
        rule_ids(&template)
    );
}

#[test]
fn the_opt_out_fix_adds_the_ready_button_in_the_templates_language() {
    for (language, label) in [("en", "Stop promotions"), ("ru", "Отписаться")] {
        let mut template = clean(language);
        template.buttons = vec![quick("Yes"), quick("No"), url("https://shop.example.com")];
        let findings = lint_in(&template, Language::Ru);
        let finding = findings
            .iter()
            .find(|f| f.rule == id::OPT_OUT_MISSING)
            .expect("no Stop button, no unsubscribe wording");
        assert_eq!(
            finding.severity,
            Severity::Error,
            "an opt-out path is required"
        );
        let fix = finding
            .fix
            .as_ref()
            .expect("the ready button is the obvious fix");
        fix.apply(&mut template)
            .expect("there is room for a button");
        assert_eq!(
            template.buttons,
            vec![
                quick("Yes"),
                quick("No"),
                quick(label),
                url("https://shop.example.com")
            ],
            "the Stop button joins the quick replies, so they stay one group"
        );
    }
    let mut full = clean("en");
    full.buttons = (0..10).map(|i| quick(&format!("Option {i}"))).collect();
    let findings = lint_in(&full, Language::En);
    let finding = findings
        .iter()
        .find(|f| f.rule == id::OPT_OUT_MISSING)
        .expect("ten buttons without a Stop");
    assert!(
        finding.fix.is_none(),
        "with ten buttons there is no room: no fix that Meta would reject"
    );
}

#[test]
fn unsubscribe_wording_is_an_opt_out_path_too() {
    for (language, wording) in [
        ("en", "Reply STOP to unsubscribe."),
        ("ru", "Чтобы отписаться, ответьте «Стоп»."),
    ] {
        let mut template = clean(language);
        template.buttons.truncate(1);
        template.footer = Some(wording.into());
        assert!(
            !rule_ids(&template).contains(&id::OPT_OUT_MISSING.to_owned()),
            "{language}: {wording:?} says how to opt out"
        );
    }
}
