//! Meta's variable rules: placeholders that are not well-formed, the wrong format
//! or a mix of formats, positional numbering, where variables sit in the body
//! (start, end, side by side, alone on a line), how much text they need around
//! them, and the example values every variable must have (present, and sendable).

use super::catalogue::id;
use super::limits;
use super::report::{FieldText, Report, replace};
use super::text::START;
use super::{Edit, Fix, Span};
use crate::template::{
    Button, Field, Header, Malformation, ParameterFormat, Placeholder, PlaceholderKind, Template,
    ValueProblemKind, is_variable_key, value_problems,
};

pub(crate) fn check(template: &Template, report: &mut Report) {
    let body = FieldText::new(Field::Body, &template.body);
    let header = match &template.header {
        Some(Header::Text { text, .. }) => Some(FieldText::new(Field::HeaderText, text)),
        _ => None,
    };
    let format = template.parameter_format;
    for field in header.iter().chain(Some(&body)) {
        malformed(field, format, report);
        wrong_format(field, format, report);
        if format == ParameterFormat::Positional {
            sequence(field, report);
        }
    }
    mixed(header.as_ref(), &body, report);
    placement(&body, template, report);
    density(&body, report);
    examples(template, header.as_ref(), &body, report);
}

fn malformed(field: &FieldText<'_>, format: ParameterFormat, report: &mut Report) {
    for placeholder in &field.placeholders {
        let PlaceholderKind::Malformed(why) = placeholder.kind else {
            continue;
        };
        let span = field.span(placeholder.bytes.clone());
        let raw = placeholder.raw;
        let suggestion = repaired(placeholder, format);
        let fix = suggestion.as_ref().map(|key| {
            replace(
                report.say(
                    format_args!("Write {{{{{key}}}}}"),
                    format_args!("Написать {{{{{key}}}}}"),
                ),
                field.field.clone(),
                span,
                format!("{{{{{key}}}}}"),
            )
        });
        let (rule, message) = match why {
            Malformation::SpecialCharacters => (
                id::VARIABLE_SPECIAL_CHARACTERS,
                report.say(
                    format_args!("{raw} holds #, @, $ or %: Meta rejects these inside a variable."),
                    format_args!("В {raw} есть #, @, $ или %: Meta не принимает их внутри переменной."),
                ),
            ),
            Malformation::Padded => (
                id::VARIABLE_MALFORMED,
                report.say(
                    format_args!("{raw} has spaces inside the braces: Meta does not read it as a variable."),
                    format_args!("В {raw} пробелы внутри скобок: Meta не распознает это как переменную."),
                ),
            ),
            Malformation::Unclosed => (
                id::VARIABLE_MALFORMED,
                report.say(
                    format_args!("{raw} is not closed: a variable ends with }}}}."),
                    format_args!("{raw} не закрыта: переменная заканчивается на }}}}."),
                ),
            ),
            Malformation::Unopened => (
                id::VARIABLE_MALFORMED,
                report.say(
                    format_args!("}}}} without {{{{ before it: a variable is written {{{{1}}}} or {{{{name}}}}."),
                    format_args!("}}}} без {{{{ перед ним: переменная пишется как {{{{1}}}} или {{{{name}}}}."),
                ),
            ),
            Malformation::Empty => (
                id::VARIABLE_MALFORMED,
                report.say(
                    format_args!("{raw} is empty: write a number ({{{{1}}}}) or a name ({{{{first_name}}}}) inside."),
                    format_args!("{raw} пуста: впишите номер ({{{{1}}}}) или имя ({{{{first_name}}}})."),
                ),
            ),
            Malformation::BadKey => (
                id::VARIABLE_MALFORMED,
                report.say(
                    format_args!("{raw} is not a variable Meta accepts: a number from 1 ({{{{1}}}}) or lowercase letters and _ ({{{{first_name}}}})."),
                    format_args!("{raw} — не переменная для Meta: номер от 1 ({{{{1}}}}) или строчные латинские буквы и _ ({{{{first_name}}}})."),
                ),
            ),
        };
        report.add(rule, field.field.clone(), span, message, fix);
    }
}

/// The key a malformed placeholder most likely meant, when that is clear.
fn repaired(placeholder: &Placeholder<'_>, format: ParameterFormat) -> Option<String> {
    let PlaceholderKind::Malformed(why) = placeholder.kind else {
        return None;
    };
    let inner = placeholder.inner();
    let candidate: String = match why {
        Malformation::Padded | Malformation::Unclosed => inner.trim().to_owned(),
        Malformation::SpecialCharacters => inner
            .chars()
            .filter(|c| !crate::template::PLACEHOLDER_FORBIDDEN.contains(c))
            .collect::<String>()
            .trim()
            .to_owned(),
        Malformation::BadKey => match format {
            ParameterFormat::Positional => inner.trim().trim_start_matches('0').to_owned(),
            ParameterFormat::Named => snake_case(inner.trim()),
        },
        Malformation::Unopened | Malformation::Empty => return None,
    };
    is_variable_key(&candidate).then_some(candidate)
}

/// `FirstName`, `first-name`, `First Name` → `first_name`.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous_lower = false;
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_lowercase() {
            out.push(c);
            previous_lower = true;
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

fn wrong_format(field: &FieldText<'_>, format: ParameterFormat, report: &mut Report) {
    for placeholder in &field.placeholders {
        let raw = placeholder.raw;
        let message = match (format, placeholder.kind) {
            (ParameterFormat::Named, PlaceholderKind::Positional(_)) => report.say(
                format_args!("{raw} is positional, but the template's variables are named: write a name like {{{{first_name}}}}, or switch the format to positional."),
                format_args!("{raw} — позиционная переменная, а в шаблоне формат именованных: напишите имя, например {{{{first_name}}}}, или переключите формат на позиционный."),
            ),
            (ParameterFormat::Positional, PlaceholderKind::Named(_)) => report.say(
                format_args!("{raw} is named, but the template's variables are positional: write a number like {{{{1}}}}, or switch the format to named."),
                format_args!("{raw} — именованная переменная, а в шаблоне формат позиционных: напишите номер, например {{{{1}}}}, или переключите формат на именованный."),
            ),
            _ => continue,
        };
        let span = field.span(placeholder.bytes.clone());
        report.add(
            id::VARIABLE_WRONG_FORMAT,
            field.field.clone(),
            span,
            message,
            None,
        );
    }
}

fn mixed(header: Option<&FieldText<'_>>, body: &FieldText<'_>, report: &mut Report) {
    let is_positional = |p: &Placeholder<'_>| matches!(p.kind, PlaceholderKind::Positional(_));
    let mut first: Option<bool> = None;
    for field in header.into_iter().chain(Some(body)) {
        for placeholder in field.placeholders.iter().filter(|p| p.is_variable()) {
            let positional = is_positional(placeholder);
            match first {
                None => first = Some(positional),
                Some(kind) if kind != positional => {
                    let message = report.say(
                        format_args!("The template mixes positional ({{{{1}}}}) and named ({{{{first_name}}}}) variables: Meta accepts one format per template."),
                        format_args!("В шаблоне смешаны позиционные ({{{{1}}}}) и именованные ({{{{first_name}}}}) переменные: Meta принимает один формат на шаблон."),
                    );
                    let span = field.span(placeholder.bytes.clone());
                    report.add(
                        id::VARIABLES_MIXED,
                        field.field.clone(),
                        span,
                        message,
                        None,
                    );
                    return;
                }
                Some(_) => {}
            }
        }
    }
}

/// Positional variables in first-appearance order must be 1, 2, 3, … (a header
/// counts on its own: its variable is `{{1}}`).
fn sequence(field: &FieldText<'_>, report: &mut Report) {
    let mut seen: Vec<u32> = Vec::new();
    for placeholder in &field.placeholders {
        let PlaceholderKind::Positional(number) = placeholder.kind else {
            continue;
        };
        if seen.contains(&number) {
            continue;
        }
        let expected = seen.len() as u32 + 1;
        if number != expected {
            let raw = placeholder.raw;
            let message = report.say(
                format_args!("{raw} comes where {{{{{expected}}}}} is expected: number positional variables 1, 2, 3, … in the order they first appear, without gaps."),
                format_args!("{raw} стоит там, где ожидается {{{{{expected}}}}}: нумеруйте позиционные переменные 1, 2, 3, … в порядке появления, без пропусков."),
            );
            let span = field.span(placeholder.bytes.clone());
            report.add(
                id::VARIABLES_OUT_OF_SEQUENCE,
                field.field.clone(),
                span,
                message,
                None,
            );
            return;
        }
        seen.push(number);
    }
}

/// Characters after a variable that still leave it "at the end" for Meta: spaces
/// and punctuation. A word, a number or an emoji after it is content.
fn is_trailing(c: char) -> bool {
    !c.is_alphanumeric() && !super::text::is_emoji_char(c)
}

fn placement(body: &FieldText<'_>, template: &Template, report: &mut Report) {
    let text = body.text;
    let opened: Vec<&Placeholder<'_>> = body.opened().collect();
    let (Some(first), Some(last)) = (opened.first(), opened.last()) else {
        return;
    };
    let leading = text.len() - text.trim_start().len();
    if first.bytes.start == leading {
        let span = body.span(first.bytes.clone());
        let greeting = match super::template_language(&template.language) {
            Some(crate::Language::Ru) => Some("Здравствуйте, "),
            Some(crate::Language::En) => Some("Hello "),
            None => None,
        };
        let fix = greeting.map(|greeting| {
            let at = Span {
                start: span.start,
                end: span.start,
            };
            replace(
                report.say(
                    format_args!("Start with \"{}\"", greeting.trim_end()),
                    format_args!("Начать с «{}»", greeting.trim_end_matches([' ', ','])),
                ),
                Field::Body,
                at,
                greeting,
            )
        });
        let raw = first.raw;
        let message = report.say(
            format_args!("The body starts with a variable ({raw}): Meta rejects this. Put words before it."),
            format_args!("Текст начинается с переменной ({raw}): Meta такое отклоняет. Поставьте перед ней слова."),
        );
        report.add(id::BODY_VARIABLE_AT_START, Field::Body, span, message, fix);
    }
    if text[last.bytes.end..].chars().all(is_trailing) {
        let raw = last.raw;
        let message = report.say(
            format_args!("The body ends with a variable ({raw}); punctuation after it does not help. Meta rejects this: add words after it."),
            format_args!("Текст заканчивается переменной ({raw}), знаки препинания после неё не помогают. Meta такое отклоняет: добавьте после неё слова."),
        );
        let span = body.span(last.bytes.clone());
        report.add(id::BODY_VARIABLE_AT_END, Field::Body, span, message, None);
    }
    for pair in opened.windows(2) {
        let between = &text[pair[0].bytes.end..pair[1].bytes.start];
        if between.chars().any(char::is_alphanumeric) {
            continue;
        }
        let (a, b) = (pair[0].raw, pair[1].raw);
        let message = report.say(
            format_args!(
                "{a} and {b} stand side by side: Meta rejects variables with no words between them."
            ),
            format_args!("{a} и {b} стоят рядом: Meta отклоняет переменные без слов между ними."),
        );
        let span = body.span(pair[0].bytes.start..pair[1].bytes.end);
        report.add(id::VARIABLES_ADJACENT, Field::Body, span, message, None);
    }
    // A one-line body with only a variable is already at the start and the end.
    if !text.trim().contains('\n') {
        return;
    }
    for placeholder in &opened {
        let line_start = text[..placeholder.bytes.start]
            .rfind('\n')
            .map_or(0, |at| at + 1);
        let line_end = text[placeholder.bytes.end..]
            .find('\n')
            .map_or(text.len(), |at| placeholder.bytes.end + at);
        let before = &text[line_start..placeholder.bytes.start];
        let after = &text[placeholder.bytes.end..line_end];
        let alone = before.chars().all(is_trailing)
            && after.chars().all(is_trailing)
            && !after.contains("{{")
            && !before.contains("}}");
        if alone {
            let raw = placeholder.raw;
            let message = report.say(
                format_args!(
                    "A line holds only {raw}: Meta rejects this. Put words on the same line."
                ),
                format_args!(
                    "В строке только {raw}: Meta такое отклоняет. Добавьте слова в эту строку."
                ),
            );
            let span = body.span(placeholder.bytes.clone());
            report.add(id::VARIABLE_ALONE_ON_LINE, Field::Body, span, message, None);
        }
    }
}

/// At least `2x + 1` words besides `x` variables.
fn density(body: &FieldText<'_>, report: &mut Report) {
    let variables = body.opened().count();
    if variables == 0 {
        return;
    }
    let mut words = 0;
    let mut from = 0;
    let mut count = |piece: &str| {
        words += piece
            .split_whitespace()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .count();
    };
    for placeholder in body.opened() {
        count(&body.text[from..placeholder.bytes.start]);
        from = placeholder.bytes.end;
    }
    count(&body.text[from..]);
    let needed = limits::WORDS_PER_VARIABLE * variables + 1;
    if words < needed {
        let message = report.say(
            format_args!("The body has {variables} variables and only {words} other words: Meta wants at least {needed}. Add text or remove variables."),
            format_args!("В тексте {variables} переменных и всего {words} других слов, а Meta нужно не меньше {needed}. Добавьте текст или уберите переменные."),
        );
        report.add(
            id::VARIABLES_TOO_DENSE,
            Field::Body,
            body.whole(),
            message,
            None,
        );
    }
}

fn examples(
    template: &Template,
    header: Option<&FieldText<'_>>,
    body: &FieldText<'_>,
    report: &mut Report,
) {
    // Body: each distinct variable needs an example in `body_examples`.
    let mut seen: Vec<&str> = Vec::new();
    for placeholder in &body.placeholders {
        let Some(key) = placeholder.key() else {
            continue;
        };
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        match template.body_examples.get(key) {
            None => missing(body, placeholder, report),
            Some(value) => value_rules(Field::BodyExample(key.to_owned()), value, report),
        }
    }
    if let (Some(header), Some(Header::Text { example, .. })) = (header, &template.header)
        && let Some(placeholder) = header.placeholders.iter().find(|p| p.is_variable())
    {
        match example {
            None => missing(header, placeholder, report),
            Some(value) => value_rules(Field::HeaderExample, value, report),
        }
    }
    for (at, button) in template.buttons.iter().enumerate() {
        let Button::Url { url, example, .. } = button else {
            continue;
        };
        let field = FieldText::new(Field::ButtonUrl(at as u32), url);
        let Some(placeholder) = field.placeholders.iter().find(|p| p.is_variable()) else {
            continue;
        };
        match example {
            None => missing(&field, placeholder, report),
            Some(value) => value_rules(Field::ButtonExample(at as u32), value, report),
        }
    }
    if let Some(Header::Media {
        media,
        example_file,
        example_handle,
    }) = &template.header
    {
        let has = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.trim().is_empty());
        if !has(example_file) && !has(example_handle) {
            let (en, ru) = match media {
                crate::template::MediaKind::Image => ("image", "изображение"),
                crate::template::MediaKind::Video => ("video", "видео"),
                crate::template::MediaKind::Document => ("document", "документ"),
            };
            let message = report.say(
                format_args!(
                    "The {en} header needs an example file: Meta reviews the template with it."
                ),
                format_args!(
                    "Заголовку нужен файл-пример ({ru}): Meta проверяет шаблон вместе с ним."
                ),
            );
            report.add(
                id::MEDIA_EXAMPLE_MISSING,
                Field::HeaderMedia,
                START,
                message,
                None,
            );
        }
    }
}

fn missing(field: &FieldText<'_>, placeholder: &Placeholder<'_>, report: &mut Report) {
    let raw = placeholder.raw;
    let message = report.say(
        format_args!("{raw} has no example value: Meta needs one for every variable."),
        format_args!("У {raw} нет примера значения: Meta требует пример для каждой переменной."),
    );
    let span = field.span(placeholder.bytes.clone());
    report.add(
        id::EXAMPLE_MISSING,
        field.field.clone(),
        span,
        message,
        None,
    );
}

fn value_rules(field: Field, value: &str, report: &mut Report) {
    let problems = value_problems(value);
    for problem in &problems {
        let span = Span {
            start: problem.chars.0,
            end: problem.chars.1,
        };
        let (message, replacement) = match problem.kind {
            ValueProblemKind::Empty => (
                report.say(
                    format_args!("The example value is empty: Meta sends no empty values."),
                    format_args!("Пример значения пуст, а пустые значения Meta не отправляет."),
                ),
                None,
            ),
            ValueProblemKind::Newline => (
                report.say(
                    format_args!("The example value holds a line break: Meta refuses it in a variable."),
                    format_args!("В примере значения перенос строки: Meta не принимает его в переменной."),
                ),
                Some(" "),
            ),
            ValueProblemKind::Tab => (
                report.say(
                    format_args!("The example value holds a tab: Meta refuses it in a variable."),
                    format_args!("В примере значения табуляция: Meta не принимает её в переменной."),
                ),
                Some(" "),
            ),
            ValueProblemKind::TooManySpaces => (
                report.say(
                    format_args!("The example value has more than 4 spaces in a row: Meta refuses it in a variable."),
                    format_args!("В примере значения больше 4 пробелов подряд: Meta не принимает такое в переменной."),
                ),
                Some(" "),
            ),
        };
        let fix = replacement.map(|replacement| {
            // One fix cleans the whole value, so applying it leaves no finding.
            let edits = problems
                .iter()
                .filter(|p| p.kind != ValueProblemKind::Empty)
                .map(|p| Edit {
                    field: field.clone(),
                    span: Span {
                        start: p.chars.0,
                        end: p.chars.1,
                    },
                    replacement: replacement.to_owned(),
                })
                .collect();
            Fix::new(
                report.say(
                    format_args!("Replace with spaces"),
                    format_args!("Заменить пробелами"),
                ),
                edits,
            )
        });
        report.add(id::EXAMPLE_VALUE_FORMAT, field.clone(), span, message, fix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;
    use crate::lint::tests::{clean, lint_in};
    use crate::lint::{Finding, id};

    fn found(template: &Template, rule: &str) -> Vec<Finding> {
        lint_in(template, Language::En)
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    fn with_body(language: &str, body: &str) -> Template {
        let mut template = clean(language);
        template.body = body.into();
        for key in ["1", "2", "3"] {
            template.body_examples.insert(key.into(), "x".into());
        }
        template
    }

    #[test]
    fn punctuation_after_the_last_variable_still_ends_the_body() {
        for body in [
            "Your order is ready to collect today, {{1}}",
            "Your order is ready to collect today, {{1}}.",
            "Your order is ready to collect today, {{1}} !!",
            "Ваш заказ готов к выдаче, {{1}}…",
            "Ваш заказ готов к выдаче: «{{1}}»",
        ] {
            assert_eq!(
                found(&with_body("en", body), id::BODY_VARIABLE_AT_END).len(),
                1,
                "{body:?}: Meta still sees the variable at the end"
            );
        }
        assert!(
            found(
                &with_body("en", "Your order {{1}} is ready to collect today."),
                id::BODY_VARIABLE_AT_END
            )
            .is_empty(),
            "words after the variable"
        );
    }

    #[test]
    fn variables_need_words_between_them() {
        for (body, adjacent) in [
            (
                "Hello {{1}} {{2}}, your order is ready to collect today.",
                true,
            ),
            (
                "Hello {{1}}, {{2}}: your order is ready to collect today.",
                true,
            ),
            (
                "Hello {{1}} and {{2}}, your order is ready to collect today.",
                false,
            ),
            (
                "Здравствуйте, {{1}} и {{2}}, ваш заказ готов к выдаче сегодня.",
                false,
            ),
        ] {
            assert_eq!(
                !found(&with_body("en", body), id::VARIABLES_ADJACENT).is_empty(),
                adjacent,
                "{body:?}"
            );
        }
    }

    #[test]
    fn a_line_of_only_a_variable() {
        let body = "Здравствуйте!\nВаш заказ:\n{{1}}\nготов к выдаче сегодня в магазине.";
        let finding = &found(&with_body("ru", body), id::VARIABLE_ALONE_ON_LINE)[0];
        assert_eq!(
            finding.span,
            Span { start: 25, end: 30 },
            "the variable on its own line"
        );
        assert!(
            found(
                &with_body(
                    "ru",
                    "Здравствуйте!\nВаш заказ {{1}}\nготов к выдаче сегодня в магазине."
                ),
                id::VARIABLE_ALONE_ON_LINE
            )
            .is_empty(),
            "a variable with words on its line"
        );
    }

    #[test]
    fn positional_variables_count_from_one_without_gaps() {
        for (body, expected) in [
            (
                "Hello {{1}}, order {{2}} arrives {{3}} at the shop today.",
                None,
            ),
            (
                "Hello {{1}}, order {{2}} for {{1}} arrives at the shop today.",
                None,
            ),
            (
                "Hello {{1}}, order {{3}} arrives at the shop today for you.",
                Some("{{3}}"),
            ),
            (
                "Hello {{2}}, order {{1}} arrives at the shop today for you.",
                Some("{{2}}"),
            ),
        ] {
            let template = with_body("en", body);
            let findings = found(&template, id::VARIABLES_OUT_OF_SEQUENCE);
            let at = findings.first().map(|f| {
                let start = template
                    .body
                    .char_indices()
                    .nth(f.span.start as usize)
                    .map_or(0, |(b, _)| b);
                let end = template
                    .body
                    .char_indices()
                    .nth(f.span.end as usize)
                    .map_or(template.body.len(), |(b, _)| b);
                &template.body[start..end]
            });
            assert_eq!(
                at, expected,
                "{body:?}: repeats are fine, gaps and disorder are not"
            );
        }
        let mut template = clean("en");
        template.header = Some(Header::Text {
            text: "Order {{2}}".into(),
            example: Some("A1".into()),
        });
        assert_eq!(
            found(&template, id::VARIABLES_OUT_OF_SEQUENCE)[0].field,
            Field::HeaderText,
            "the header numbers its own variable from {{{{1}}}}"
        );
    }

    #[test]
    fn malformed_placeholders_get_the_repair_they_meant() {
        for (format, body, repaired) in [
            (
                ParameterFormat::Positional,
                "Hello {{ 1 }}, your order is ready to collect.",
                Some("{{1}}"),
            ),
            (
                ParameterFormat::Positional,
                "Hello {{1}, your order is ready to collect.",
                Some("{{1}}"),
            ),
            (
                ParameterFormat::Positional,
                "Hello {{01}}, your order is ready to collect.",
                Some("{{1}}"),
            ),
            (
                ParameterFormat::Named,
                "Hello {{FirstName}}, your order is ready to collect.",
                Some("{{first_name}}"),
            ),
            (
                ParameterFormat::Named,
                "Hello {{first-name}}, your order is ready to collect.",
                Some("{{first_name}}"),
            ),
            (
                ParameterFormat::Positional,
                "Hello {{}}, your order is ready to collect.",
                None,
            ),
            (
                ParameterFormat::Positional,
                "Hello {{1}}}, your order }} is ready to collect.",
                None,
            ),
        ] {
            let mut template = with_body("en", body);
            template.parameter_format = format;
            let findings = found(&template, id::VARIABLE_MALFORMED);
            let fix = findings
                .first()
                .unwrap_or_else(|| panic!("{body:?} is malformed"))
                .fix
                .as_ref()
                .map(|f| f.edits[0].replacement.as_str());
            assert_eq!(fix, repaired, "{body:?}");
        }
        let template = with_body("en", "Hello {{@1}}, your order is ready to collect.");
        let findings = found(&template, id::VARIABLE_SPECIAL_CHARACTERS);
        assert_eq!(
            findings[0]
                .fix
                .as_ref()
                .map(|f| f.edits[0].replacement.as_str()),
            Some("{{1}}"),
            "the forbidden character goes"
        );
    }

    #[test]
    fn too_many_variables_for_too_little_text() {
        for (body, dense) in [
            ("Hi {{1}} and {{2}} ok", true),
            ("Hi {{1}}, your order {{2}} is here.", false),
            ("Привет, {{1}}! Заказ {{2}} готов.", true),
            ("Привет, {{1}}! Ваш заказ {{2}} уже готов.", false),
        ] {
            assert_eq!(
                !found(&with_body("en", body), id::VARIABLES_TOO_DENSE).is_empty(),
                dense,
                "{body:?}: at least 2x+1 other words for x variables"
            );
        }
    }

    #[test]
    fn header_and_url_variables_need_examples_too() {
        let mut template = clean("en");
        template.header = Some(Header::Text {
            text: "For {{1}}".into(),
            example: None,
        });
        template.buttons.push(Button::Url {
            text: "Open".into(),
            url: "https://shop.example.com/o/{{1}}".into(),
            example: None,
        });
        let fields: Vec<Field> = found(&template, id::EXAMPLE_MISSING)
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            [Field::HeaderText, Field::ButtonUrl(2)],
            "each variable without an example is pointed at where it is written"
        );
        template.body =
            "Hello {{1}}, thank you for your order {{1}}. You recently looked at it.".into();
        template.body_examples.clear();
        assert_eq!(
            found(&template, id::EXAMPLE_MISSING)
                .iter()
                .filter(|f| f.field == Field::Body)
                .count(),
            1,
            "a variable used twice needs one example"
        );
    }
}
