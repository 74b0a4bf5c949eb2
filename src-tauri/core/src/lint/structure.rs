//! Meta's structural rules: the name, the language code, the lengths of body,
//! header and footer, the header's and footer's variables, and the buttons (how
//! many of each kind, where quick replies sit, labels, addresses, numbers, codes).
//!
//! A span on [`Field::Buttons`] counts buttons, not characters: `2..3` is the third
//! button. Variable placement and examples are in [`super::variables`].

use super::catalogue::id;
use super::limits;
use super::report::{FieldText, Report, replace};
use super::text::{START, whole};
use super::{Edit, Fix, Span};
use crate::template::{Button, Category, Field, Header, Template};

pub(crate) fn check(template: &Template, report: &mut Report) {
    name(&template.name, report);
    language(&template.language, report);
    body(&template.body, report);
    match &template.header {
        Some(Header::Text { text, .. }) => header_text(text, report),
        Some(Header::Media { .. } | Header::Location) | None => {}
    }
    if let Some(footer) = &template.footer {
        footer_text(footer, report);
    }
    buttons(template, report);
}

/// Text from character `from` to the end, as a span.
fn tail(text: &str, from: usize) -> Span {
    Span {
        start: from as u32,
        end: text.chars().count() as u32,
    }
}

/// Does `name` fit Meta's pattern: lowercase Latin letters, digits and `_`,
/// starting with a letter? (Its length is a separate rule.)
pub fn is_template_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn name(name: &str, report: &mut Report) {
    let length = name.chars().count();
    if !is_template_name(name) {
        let suggestion = suggest_name(name);
        let fix = (suggestion != name && !suggestion.is_empty()).then(|| {
            replace(
                report.say(
                    format_args!("Rename to {suggestion}"),
                    format_args!("Переименовать в {suggestion}"),
                ),
                Field::Name,
                whole(name),
                suggestion.clone(),
            )
        });
        let message = if name.is_empty() {
            report.say(
                format_args!(
                    "The template has no name. Meta needs lowercase letters, digits and _."
                ),
                format_args!(
                    "У шаблона нет имени. Meta принимает строчные латинские буквы, цифры и _."
                ),
            )
        } else {
            report.say(
                format_args!(
                    "Meta rejects this name: use only lowercase Latin letters, digits and _, starting with a letter."
                ),
                format_args!(
                    "Meta не примет это имя: только строчные латинские буквы, цифры и _, в начале буква."
                ),
            )
        };
        report.add(id::NAME_FORMAT, Field::Name, whole(name), message, fix);
    }
    if length > limits::NAME_MAX {
        let max = limits::NAME_MAX;
        let fix = replace(
            report.say(
                format_args!("Cut the name to {max} characters"),
                format_args!("Сократить имя до {max} символов"),
            ),
            Field::Name,
            tail(name, max),
            "",
        );
        let message = report.say(
            format_args!("The name has {length} characters; Meta allows at most {max}."),
            format_args!("В имени {length} символов, Meta допускает не больше {max}."),
        );
        report.add(
            id::NAME_TOO_LONG,
            Field::Name,
            tail(name, max),
            message,
            Some(fix),
        );
    }
}

/// A name Meta accepts made from `name`: lowercase, Russian transliterated,
/// everything else `_`, starting with a letter. Empty when nothing usable is left.
pub(crate) fn suggest_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            c => match crate::translit::latin(c) {
                Some(latin) => out.push_str(latin),
                None if !out.ends_with('_') => out.push('_'),
                None => {}
            },
        }
    }
    let trimmed = out.trim_matches('_');
    let start = trimmed
        .find(|c: char| c.is_ascii_lowercase())
        .unwrap_or(trimmed.len());
    trimmed[start..].to_owned()
}

/// Meta's language codes: `en`, `ru`, `fil`, or a language and a region, `en_US`.
pub fn is_language_code(code: &str) -> bool {
    let (language, region) = match code.split_once('_') {
        Some((language, region)) => (language, Some(region)),
        None => (code, None),
    };
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|region| {
            region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase())
        })
}

fn language(code: &str, report: &mut Report) {
    if is_language_code(code) {
        return;
    }
    let normalised = match code.trim().split_once(['_', '-']) {
        Some((language, region)) => format!(
            "{}_{}",
            language.to_ascii_lowercase(),
            region.to_ascii_uppercase()
        ),
        None => code.trim().to_ascii_lowercase(),
    };
    let fix = is_language_code(&normalised).then(|| {
        replace(
            report.say(
                format_args!("Use {normalised}"),
                format_args!("Заменить на {normalised}"),
            ),
            Field::Language,
            whole(code),
            normalised.clone(),
        )
    });
    let message = report.say(
        format_args!(
            "{code:?} is not a Meta language code: write it like en, ru or en_US (language in lowercase, region in capitals, joined by _)."
        ),
        format_args!(
            "{code:?} — не код языка Meta: пишите как en, ru или en_US (язык строчными, регион заглавными, через _)."
        ),
    );
    report.add(
        id::LANGUAGE_CODE,
        Field::Language,
        whole(code),
        message,
        fix,
    );
}

fn body(body: &str, report: &mut Report) {
    if body.trim().is_empty() {
        let message = report.say(
            format_args!("The body is empty: it is the one part every template needs."),
            format_args!("Текст сообщения пуст, а это единственная обязательная часть шаблона."),
        );
        report.add(id::BODY_MISSING, Field::Body, whole(body), message, None);
        return;
    }
    let length = body.chars().count();
    if length > limits::BODY_MAX {
        let max = limits::BODY_MAX;
        let message = report.say(
            format_args!("The body has {length} characters; Meta allows at most {max}. Shorten the part marked."),
            format_args!("В тексте {length} символов, Meta допускает не больше {max}. Сократите отмеченную часть."),
        );
        report.add(
            id::BODY_TOO_LONG,
            Field::Body,
            tail(body, max),
            message,
            None,
        );
    }
}

fn header_text(text: &str, report: &mut Report) {
    if text.trim().is_empty() {
        let message = report.say(
            format_args!("The text header is empty: write a header or choose no header."),
            format_args!("Текстовый заголовок пуст: напишите его или уберите заголовок."),
        );
        report.add(
            id::HEADER_TEXT_MISSING,
            Field::HeaderText,
            whole(text),
            message,
            None,
        );
        return;
    }
    let length = text.chars().count();
    if length > limits::HEADER_TEXT_MAX {
        let max = limits::HEADER_TEXT_MAX;
        let message = report.say(
            format_args!("The header has {length} characters; Meta allows at most {max}."),
            format_args!("В заголовке {length} символов, Meta допускает не больше {max}."),
        );
        report.add(
            id::HEADER_TOO_LONG,
            Field::HeaderText,
            tail(text, max),
            message,
            None,
        );
    }
    let field = FieldText::new(Field::HeaderText, text);
    let opened: Vec<_> = field.opened().collect();
    if opened.len() > limits::HEADER_VARIABLES_MAX {
        let extra = &opened[limits::HEADER_VARIABLES_MAX..];
        let span = field.span(extra[0].bytes.start..extra[extra.len() - 1].bytes.end);
        let count = opened.len();
        let message = report.say(
            format_args!("The header has {count} variables; Meta allows one. Keep the first."),
            format_args!("В заголовке {count} переменных, Meta допускает одну. Оставьте первую."),
        );
        report.add(
            id::HEADER_TOO_MANY_VARIABLES,
            Field::HeaderText,
            span,
            message,
            None,
        );
    }
}

fn footer_text(text: &str, report: &mut Report) {
    let length = text.chars().count();
    if length > limits::FOOTER_MAX {
        let max = limits::FOOTER_MAX;
        let message = report.say(
            format_args!("The footer has {length} characters; Meta allows at most {max}."),
            format_args!("В подписи {length} символов, Meta допускает не больше {max}."),
        );
        report.add(
            id::FOOTER_TOO_LONG,
            Field::Footer,
            tail(text, max),
            message,
            None,
        );
    }
    let field = FieldText::new(Field::Footer, text);
    for placeholder in field.opened() {
        let span = field.span(placeholder.bytes.clone());
        let raw = placeholder.raw;
        let fix = replace(
            report.say(format_args!("Remove {raw}"), format_args!("Убрать {raw}")),
            Field::Footer,
            span,
            "",
        );
        let message = report.say(
            format_args!("The footer holds the variable {raw}: Meta allows no variables there. Move it to the body."),
            format_args!("В подписи переменная {raw}, а Meta не допускает там переменных. Перенесите её в текст сообщения."),
        );
        report.add(id::FOOTER_VARIABLE, Field::Footer, span, message, Some(fix));
    }
}

fn button_span(at: usize) -> Span {
    Span {
        start: at as u32,
        end: at as u32 + 1,
    }
}

fn buttons(template: &Template, report: &mut Report) {
    let buttons = &template.buttons;
    if buttons.len() > limits::BUTTONS_MAX {
        let (count, max) = (buttons.len(), limits::BUTTONS_MAX);
        let message = report.say(
            format_args!("The template has {count} buttons; Meta allows at most {max}."),
            format_args!("В шаблоне {count} кнопок, Meta допускает не больше {max}."),
        );
        let span = Span {
            start: max as u32,
            end: count as u32,
        };
        report.add(id::BUTTONS_TOO_MANY, Field::Buttons, span, message, None);
    }
    kind_limit(
        buttons,
        |b| matches!(b, Button::Url { .. }),
        limits::URL_BUTTONS_MAX,
        id::BUTTONS_TOO_MANY_URL,
        ("URL buttons", "кнопок-ссылок"),
        report,
    );
    kind_limit(
        buttons,
        |b| matches!(b, Button::PhoneNumber { .. }),
        limits::PHONE_BUTTONS_MAX,
        id::BUTTONS_TOO_MANY_PHONE,
        ("phone number buttons", "кнопок звонка"),
        report,
    );
    kind_limit(
        buttons,
        |b| matches!(b, Button::CopyCode { .. }),
        limits::COPY_CODE_BUTTONS_MAX,
        id::BUTTONS_TOO_MANY_COPY_CODE,
        ("copy code buttons", "кнопок копирования кода"),
        report,
    );
    if template.category != Category::Marketing
        && let Some(at) = buttons
            .iter()
            .position(|b| matches!(b, Button::CopyCode { .. }))
    {
        let message = report.say(
            format_args!("Copy code buttons are for marketing templates only: change the category or remove the button."),
            format_args!("Кнопка копирования кода бывает только в маркетинговых шаблонах: смените категорию или уберите кнопку."),
        );
        report.add(
            id::COPY_CODE_NOT_MARKETING,
            Field::Buttons,
            button_span(at),
            message,
            None,
        );
    }
    // Quick replies form one group: a quick reply after a non-quick-reply that
    // itself follows a quick reply starts a second group.
    let mut seen_group = false;
    for (at, button) in buttons.iter().enumerate() {
        let quick = matches!(button, Button::QuickReply { .. });
        let starts_run =
            quick && (at == 0 || !matches!(buttons[at - 1], Button::QuickReply { .. }));
        if starts_run && seen_group {
            let message = report.say(
                format_args!("Quick reply buttons must sit together, not on both sides of other buttons: move this one next to the others."),
                format_args!("Кнопки быстрого ответа должны идти подряд, а не по обе стороны от других кнопок: переставьте эту к остальным."),
            );
            report.add(
                id::QUICK_REPLIES_NOT_GROUPED,
                Field::Buttons,
                button_span(at),
                message,
                None,
            );
            break;
        }
        seen_group |= starts_run;
    }
    for (at, button) in buttons.iter().enumerate() {
        let index = at as u32;
        if let Some(label) = button.label() {
            label_rules(index, label, report);
        }
        match button {
            Button::Url { url, .. } => url_rules(index, url, report),
            Button::PhoneNumber { phone_number, .. } => phone_rules(index, phone_number, report),
            Button::CopyCode { example } => copy_code_rules(index, example, report),
            Button::QuickReply { .. } => {}
        }
    }
}

fn kind_limit(
    buttons: &[Button],
    is_kind: fn(&Button) -> bool,
    max: usize,
    rule: &'static str,
    (what_en, what_ru): (&str, &str),
    report: &mut Report,
) {
    let of_kind: Vec<usize> = buttons
        .iter()
        .enumerate()
        .filter(|(_, b)| is_kind(b))
        .map(|(at, _)| at)
        .collect();
    if of_kind.len() <= max {
        return;
    }
    let count = of_kind.len();
    let message = report.say(
        format_args!("The template has {count} {what_en}; Meta allows at most {max}."),
        format_args!("В шаблоне {count} {what_ru}, Meta допускает не больше {max}."),
    );
    let span = Span {
        start: of_kind[max] as u32,
        end: of_kind[count - 1] as u32 + 1,
    };
    report.add(rule, Field::Buttons, span, message, None);
}

fn label_rules(at: u32, label: &str, report: &mut Report) {
    let field = Field::ButtonText(at);
    let number = at + 1;
    if label.trim().is_empty() {
        let message = report.say(
            format_args!("Button {number} has no label."),
            format_args!("У кнопки {number} нет надписи."),
        );
        report.add(id::BUTTON_LABEL_MISSING, field, whole(label), message, None);
        return;
    }
    let length = label.chars().count();
    if length > limits::BUTTON_LABEL_MAX {
        let max = limits::BUTTON_LABEL_MAX;
        let message = report.say(
            format_args!(
                "The label of button {number} has {length} characters; Meta allows at most {max}."
            ),
            format_args!(
                "В надписи кнопки {number} {length} символов, Meta допускает не больше {max}."
            ),
        );
        report.add(
            id::BUTTON_LABEL_TOO_LONG,
            field,
            tail(label, max),
            message,
            None,
        );
    }
}

fn url_rules(at: u32, url: &str, report: &mut Report) {
    let field = Field::ButtonUrl(at);
    let number = at + 1;
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && host.contains('.') && !host.starts_with('{')
    });
    if !host_ok || url.chars().any(char::is_whitespace) {
        let candidate = format!("https://{}", url.trim());
        let fix = (rest.is_none()
            && !url.trim().is_empty()
            && !url.trim().chars().any(char::is_whitespace)
            && url.contains('.'))
        .then(|| {
            replace(
                report.say(
                    format_args!("Use {candidate}"),
                    format_args!("Заменить на {candidate}"),
                ),
                field.clone(),
                whole(url),
                candidate.clone(),
            )
        });
        let message = report.say(
            format_args!(
                "Button {number} must open a full http:// or https:// address with no spaces."
            ),
            format_args!(
                "Кнопка {number} должна открывать полный адрес http:// или https:// без пробелов."
            ),
        );
        report.add(
            id::URL_BUTTON_FORMAT,
            field.clone(),
            whole(url),
            message,
            fix,
        );
    }
    let text = FieldText::new(field.clone(), url);
    let opened: Vec<_> = text.opened().collect();
    let Some(last) = opened.last() else {
        return;
    };
    let at_end = last.bytes.end == url.trim_end().len();
    let is_one = matches!(last.kind, crate::template::PlaceholderKind::Positional(1));
    if opened.len() == 1 && at_end && is_one {
        return;
    }
    let span = if opened.len() > 1 || !at_end {
        text.span(opened[0].bytes.start..last.bytes.end)
    } else {
        text.span(last.bytes.clone())
    };
    let fix = (opened.len() == 1 && at_end).then(|| {
        replace(
            report.say(
                format_args!("Use {{{{1}}}}"),
                format_args!("Заменить на {{{{1}}}}"),
            ),
            field.clone(),
            span,
            "{{1}}",
        )
    });
    let message = report.say(
        format_args!("The address of button {number} may have one variable only, written {{{{1}}}}, at its very end."),
        format_args!("В адресе кнопки {number} может быть только одна переменная, {{{{1}}}}, в самом конце."),
    );
    report.add(id::URL_BUTTON_VARIABLE, field, span, message, fix);
}

/// Is `number` in E.164: `+`, then 7 to 15 digits, the first not 0?
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (limits::PHONE_DIGITS_MIN..=limits::PHONE_DIGITS_MAX).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

fn phone_rules(at: u32, number: &str, report: &mut Report) {
    if is_e164(number) {
        return;
    }
    let field = Field::ButtonPhone(at);
    let button = at + 1;
    // Spaces, dashes, dots and brackets are how people write numbers; `00` is the
    // international prefix many countries dial instead of `+`.
    let compact: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let candidate = match compact.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => compact,
    };
    let fix = is_e164(&candidate).then(|| {
        replace(
            report.say(
                format_args!("Use {candidate}"),
                format_args!("Заменить на {candidate}"),
            ),
            field.clone(),
            whole(number),
            candidate.clone(),
        )
    });
    let message = report.say(
        format_args!("Button {button} must call a number in international format: + and the country code, then the number, digits only (like +447700900123)."),
        format_args!("Кнопка {button} должна звонить на номер в международном формате: + и код страны, затем номер, только цифры (например, +79161234567)."),
    );
    report.add(id::PHONE_BUTTON_FORMAT, field, whole(number), message, fix);
}

fn copy_code_rules(at: u32, example: &str, report: &mut Report) {
    let field = Field::ButtonExample(at);
    let button = at + 1;
    let length = example.chars().count();
    if example.trim().is_empty() {
        let message = report.say(
            format_args!("Copy code button {button} needs an example code."),
            format_args!("Кнопке копирования кода {button} нужен пример кода."),
        );
        report.add(id::COPY_CODE_EXAMPLE, field, START, message, None);
    } else if length > limits::COPY_CODE_EXAMPLE_MAX {
        let max = limits::COPY_CODE_EXAMPLE_MAX;
        let message = report.say(
            format_args!("The example code of button {button} has {length} characters; Meta allows at most {max}."),
            format_args!("В примере кода кнопки {button} {length} символов, Meta допускает не больше {max}."),
        );
        report.add(
            id::COPY_CODE_EXAMPLE,
            field,
            tail(example, max),
            message,
            None,
        );
    }
}

/// The index a new quick reply goes to so quick replies stay one group: after the
/// last quick reply, or at the end when there is none.
pub(crate) fn quick_reply_slot(buttons: &[Button]) -> usize {
    buttons
        .iter()
        .rposition(|b| matches!(b, Button::QuickReply { .. }))
        .map_or(buttons.len(), |last| last + 1)
}

/// An edit that deletes the characters `span` of `field`.
pub(crate) fn delete(field: Field, span: Span) -> Edit {
    Edit {
        field,
        span,
        replacement: String::new(),
    }
}

/// A fix made of several deletions.
pub(crate) fn delete_all(label: String, field: &Field, spans: &[Span]) -> Fix {
    Fix::new(
        label,
        spans
            .iter()
            .map(|span| delete(field.clone(), *span))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;
    use crate::lint::tests::{clean, lint_in};
    use crate::lint::{Finding, Severity};

    fn found(template: &Template, rule: &str) -> Vec<Finding> {
        lint_in(template, Language::En)
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    #[test]
    fn suggested_names_follow_metas_pattern() {
        let cases = [
            ("Spring Offer", "spring_offer"),
            ("Весенняя акция 2025!", "vesennyaya_aktsiya_2025"),
            ("2spring", "spring"),
            ("spring--offer", "spring_offer"),
            ("__", ""),
        ];
        for (name, expected) in cases {
            assert_eq!(
                suggest_name(name),
                expected,
                "{name:?}: lowercase Latin, digits and _"
            );
        }
    }

    #[test]
    fn language_codes_have_metas_shape() {
        for good in ["en", "ru", "fil", "en_US", "pt_BR", "zh_TW"] {
            assert!(is_language_code(good), "{good} is a Meta code");
        }
        for bad in ["", "EN", "en-US", "en_us", "english", "e", "en_USA", "ru_"] {
            assert!(!is_language_code(bad), "{bad:?} is not a Meta code");
        }
    }

    #[test]
    fn phone_numbers_are_e164() {
        for good in ["+79161234567", "+447700900123", "+6831234"] {
            assert!(is_e164(good), "{good} is E.164");
        }
        for bad in [
            "79161234567",
            "+7 916 123-45-67",
            "+0123456789",
            "+123456",
            "+1234567890123456",
        ] {
            assert!(!is_e164(bad), "{bad:?} is not E.164");
        }
        let mut template = clean("ru");
        template.buttons.push(Button::PhoneNumber {
            text: "Позвонить".into(),
            phone_number: "00 7 (916) 123-45-67".into(),
        });
        let finding = &found(&template, id::PHONE_BUTTON_FORMAT)[0];
        assert_eq!(
            finding
                .fix
                .as_ref()
                .map(|f| f.edits[0].replacement.as_str()),
            Some("+79161234567"),
            "spaces, brackets and dashes go; 00 becomes +"
        );
    }

    #[test]
    fn button_spans_count_buttons() {
        let mut template = clean("en");
        let url = |n: u32| Button::Url {
            text: format!("Open {n}"),
            url: "https://shop.example.com".into(),
            example: None,
        };
        template.buttons.extend([url(1), url(2), url(3)]);
        let finding = &found(&template, id::BUTTONS_TOO_MANY_URL)[0];
        assert_eq!(
            (finding.field.clone(), finding.span),
            (Field::Buttons, Span { start: 4, end: 5 }),
            "the third URL button (the fifth button) is the one too many"
        );
    }

    #[test]
    fn quick_replies_may_lead_or_follow_other_buttons_but_not_both() {
        let quick = |t: &str| Button::QuickReply { text: t.into() };
        let url = Button::Url {
            text: "Open".into(),
            url: "https://shop.example.com".into(),
            example: None,
        };
        let mut template = clean("en");
        for (buttons, grouped) in [
            (vec![quick("Yes"), quick("Stop"), url.clone()], true),
            (vec![url.clone(), quick("Yes"), quick("Stop")], true),
            (vec![quick("Yes"), url.clone(), quick("Stop")], false),
        ] {
            template.buttons = buttons;
            assert_eq!(
                found(&template, id::QUICK_REPLIES_NOT_GROUPED).is_empty(),
                grouped,
                "{:?}",
                template.buttons
            );
        }
    }

    #[test]
    fn url_buttons_take_one_variable_at_the_end() {
        let mut template = clean("en");
        let with = |address: &str| Button::Url {
            text: "Open".into(),
            url: address.into(),
            example: Some("a1".into()),
        };
        template
            .buttons
            .push(with("https://shop.example.com/o/{{1}}"));
        assert!(
            found(&template, id::URL_BUTTON_VARIABLE).is_empty(),
            "{{{{1}}}} at the end is how Meta wants it"
        );
        template.buttons[2] = with("https://shop.example.com/o/{{order}}");
        let finding = &found(&template, id::URL_BUTTON_VARIABLE)[0];
        assert_eq!(
            finding
                .fix
                .as_ref()
                .map(|f| f.edits[0].replacement.as_str()),
            Some("{{1}}"),
            "a URL suffix is always {{{{1}}}}, even in a named template"
        );
        template.buttons[2] = with("https://shop.example.com/{{1}}?utm={{2}}");
        assert!(
            found(&template, id::URL_BUTTON_VARIABLE)[0].fix.is_none(),
            "two variables have no obvious repair"
        );
    }

    #[test]
    fn lengths_point_at_the_characters_past_the_limit() {
        let mut template = clean("ru");
        template.footer = Some("п".repeat(65));
        let finding = &found(&template, id::FOOTER_TOO_LONG)[0];
        assert_eq!(
            finding.span,
            Span { start: 60, end: 65 },
            "the five characters too many"
        );
        assert_eq!(finding.severity, Severity::Error, "Meta rejects it");
    }
}
