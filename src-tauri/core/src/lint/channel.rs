//! The channel's marketing rules: emoji, personalisation, relevance and
//! repeat-contact phrasing, an opt-out path, negative context, shouting, runs of
//! `!!!`, links and shorteners, the fold, and promotional words in utility
//! templates. Thresholds and phrase lists come from [`LintSettings`].
//!
//! The phrase rules (relevance, repeat contact, opt-out, negative context,
//! promotional words) read the template's language from the primary subtag of
//! `template.language` and use that language's list: for a language other than
//! Russian or English they do not fire, because there is no list to judge by.

use super::catalogue::id;
use super::phrases::{self, Phrase};
use super::report::{FieldText, Report, replace};
use super::structure::{delete_all, quick_reply_slot};
use super::text::{self, START, Word};
use super::{ButtonInsert, Fix, LintSettings, Span, limits, template_language};
use crate::Language;
use crate::template::{Button, Category, Field, Header, Template};

/// A text field with its words (placeholders and links skipped) and links.
struct Prose<'t> {
    field: FieldText<'t>,
    words: Vec<Word>,
    links: Vec<text::Link>,
}

impl<'t> Prose<'t> {
    fn new(field: Field, text: &'t str) -> Prose<'t> {
        let field = FieldText::new(field, text);
        let links = text::links(text);
        let mut skip = field.placeholder_ranges();
        skip.extend(links.iter().map(|link| link.bytes.clone()));
        skip.sort_by_key(|range| range.start);
        // A link may end in a placeholder (`shop.ru/{{1}}`): merge what overlaps.
        let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(skip.len());
        for range in skip {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        let words = text::words(text, &merged);
        Prose {
            field,
            words,
            links,
        }
    }
}

pub(crate) fn check(template: &Template, settings: &LintSettings, report: &mut Report) {
    let body = Prose::new(Field::Body, &template.body);
    let header = match &template.header {
        Some(Header::Text { text, .. }) => Some(Prose::new(Field::HeaderText, text)),
        _ => None,
    };
    let footer = template
        .footer
        .as_deref()
        .map(|footer| Prose::new(Field::Footer, footer));
    let texts: Vec<&Prose<'_>> = header.iter().chain(Some(&body)).chain(&footer).collect();

    emoji_count(&body, settings, report);
    for prose in header.iter().chain(&footer) {
        emoji_header_footer(prose, report);
    }
    for prose in header.iter().chain(Some(&body)) {
        shouting(prose, settings, report);
    }
    for prose in &texts {
        punctuation(prose, settings, report);
        shorteners(prose, settings, report);
    }
    url_button_shorteners(template, settings, report);
    links_too_many(&body, settings, report);
    fold(&body, settings, report);

    let language = template_language(&template.language);
    match template.category {
        Category::Marketing => {
            personalisation(template, &body, header.as_ref(), report);
            if let Some(language) = language {
                marketing_phrases(template, language, &texts, settings, report);
            }
        }
        Category::Utility => {
            if let Some(language) = language {
                let list = phrases::compiled(settings.promotional_phrases.get(language));
                for prose in &texts {
                    promotional(prose, &list, report);
                }
            }
        }
        Category::Authentication => {}
    }
}

/// A fix that removes `emoji` (byte ranges of `prose`) together with one space
/// before each, so no double space is left.
fn remove_emoji(prose: &FieldText<'_>, emoji: &[std::ops::Range<usize>], label: String) -> Fix {
    let spans: Vec<Span> = emoji
        .iter()
        .map(|range| {
            let before = &prose.text[..range.start];
            let after = &prose.text[range.end..];
            let start = if before.ends_with(' ')
                && (after.is_empty() || after.starts_with([' ', '\n', '.', ',', '!', '?']))
            {
                range.start - 1
            } else {
                range.start
            };
            prose.span(start..range.end)
        })
        .collect();
    delete_all(label, &prose.field, &spans)
}

fn emoji_count(body: &Prose<'_>, settings: &LintSettings, report: &mut Report) {
    let emoji = text::emoji(body.field.text);
    let max = settings.emoji_max as usize;
    if emoji.len() <= max {
        return;
    }
    let count = emoji.len();
    let extra = &emoji[max..];
    let span = body.field.span(extra[0].start..extra[extra.len() - 1].end);
    let fix = remove_emoji(
        &body.field,
        extra,
        report.say(
            format_args!("Keep the first {max} emoji"),
            format_args!("Оставить первые {max} эмодзи"),
        ),
    );
    let message = report.say(
        format_args!("The body has {count} emoji; the workspace allows {max}. Many emoji read as spam."),
        format_args!("В тексте {count} эмодзи, а в настройках разрешено {max}. Обилие эмодзи выглядит как спам."),
    );
    report.add(id::EMOJI_COUNT, Field::Body, span, message, Some(fix));
}

fn emoji_header_footer(prose: &Prose<'_>, report: &mut Report) {
    let emoji = text::emoji(prose.field.text);
    let Some(first) = emoji.first() else {
        return;
    };
    let span = prose.field.span(first.clone());
    let fix = remove_emoji(
        &prose.field,
        &emoji,
        report.say(
            format_args!("Remove the emoji"),
            format_args!("Убрать эмодзи"),
        ),
    );
    let message = match prose.field.field {
        Field::HeaderText => report.say(
            format_args!("The header has emoji: keep emoji out of the header."),
            format_args!("В заголовке есть эмодзи: в заголовке их быть не должно."),
        ),
        _ => report.say(
            format_args!("The footer has emoji: keep emoji out of the footer."),
            format_args!("В подписи есть эмодзи: в подписи их быть не должно."),
        ),
    };
    report.add(
        id::EMOJI_HEADER_FOOTER,
        prose.field.field.clone(),
        span,
        message,
        Some(fix),
    );
}

fn shouting(prose: &Prose<'_>, settings: &LintSettings, report: &mut Report) {
    let allowed = |word: &str| {
        settings
            .caps_allowed
            .iter()
            .chain(&settings.brand_words)
            .any(|allowed| allowed.to_lowercase() == word.to_lowercase())
    };
    let caps: Vec<&Word> = prose
        .words
        .iter()
        .filter(|word| {
            let raw = &prose.field.text[word.bytes.clone()];
            text::is_caps(raw, 3) && !allowed(raw)
        })
        .collect();
    let max = settings.caps_words_max as usize;
    if caps.len() <= max {
        return;
    }
    let count = caps.len();
    let span = prose
        .field
        .span(caps[0].bytes.start..caps[count - 1].bytes.end);
    let message = report.say(
        format_args!("{count} words are in CAPITALS (the workspace allows {max}): it reads as shouting. Write them in normal case."),
        format_args!("{count} слов(а) ЗАГЛАВНЫМИ буквами (в настройках разрешено {max}): это воспринимается как крик. Пишите их обычными буквами."),
    );
    report.add(id::SHOUTING, prose.field.field.clone(), span, message, None);
}

fn punctuation(prose: &Prose<'_>, settings: &LintSettings, report: &mut Report) {
    let max = (settings.punctuation_run_max as usize).max(1);
    for run in text::punctuation_runs(prose.field.text, max) {
        let raw = &prose.field.text[run.clone()];
        let keep: String = raw.chars().take(1).collect();
        let span = prose.field.span(run);
        let fix = replace(
            report.say(
                format_args!("Write {keep}"),
                format_args!("Оставить {keep}"),
            ),
            prose.field.field.clone(),
            span,
            keep.clone(),
        );
        let message = report.say(
            format_args!("\"{raw}\" reads as shouting: one mark is enough."),
            format_args!("«{raw}» воспринимается как крик: хватит одного знака."),
        );
        report.add(
            id::PUNCTUATION_RUN,
            prose.field.field.clone(),
            span,
            message,
            Some(fix),
        );
    }
}

fn is_shortener(host: &str, settings: &LintSettings) -> bool {
    settings.url_shorteners.iter().any(|shortener| {
        let shortener = shortener.trim().trim_start_matches("www.").to_lowercase();
        !shortener.is_empty()
            && (host == shortener
                || host
                    .strip_suffix(shortener.as_str())
                    .is_some_and(|sub| sub.ends_with('.')))
    })
}

fn shortener_message(report: &Report, host: &str) -> String {
    report.say(
        format_args!("{host} is a URL shortener: it hides where the link goes, and Meta and recipients distrust it. Use the full address."),
        format_args!("{host} — сокращатель ссылок: он скрывает, куда ведёт ссылка, и Meta и получатели ему не доверяют. Укажите полный адрес."),
    )
}

fn shorteners(prose: &Prose<'_>, settings: &LintSettings, report: &mut Report) {
    for link in &prose.links {
        if is_shortener(&link.host, settings) {
            let message = shortener_message(report, &link.host);
            let span = prose.field.span(link.bytes.clone());
            report.add(
                id::URL_SHORTENER,
                prose.field.field.clone(),
                span,
                message,
                None,
            );
        }
    }
}

fn url_button_shorteners(template: &Template, settings: &LintSettings, report: &mut Report) {
    for (at, button) in template.buttons.iter().enumerate() {
        let Button::Url { url, .. } = button else {
            continue;
        };
        let lower = url.trim().to_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .unwrap_or(&lower);
        let host = rest
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .trim_start_matches("www.");
        if is_shortener(host, settings) {
            let message = shortener_message(report, host);
            report.add(
                id::URL_SHORTENER,
                Field::ButtonUrl(at as u32),
                text::whole(url),
                message,
                None,
            );
        }
    }
}

fn links_too_many(body: &Prose<'_>, settings: &LintSettings, report: &mut Report) {
    let max = settings.links_max as usize;
    if body.links.len() <= max {
        return;
    }
    let count = body.links.len();
    let extra = &body.links[max..];
    let span = body
        .field
        .span(extra[0].bytes.start..extra[extra.len() - 1].bytes.end);
    let message = report.say(
        format_args!("The body has {count} links (the workspace allows {max}): many links read as spam. Keep one, or use a URL button."),
        format_args!("В тексте {count} ссылки (в настройках разрешено {max}): много ссылок выглядит как спам. Оставьте одну или используйте кнопку-ссылку."),
    );
    report.add(id::LINKS_TOO_MANY, Field::Body, span, message, None);
}

/// Estimates the lines the body takes on the phone: each line break starts a line,
/// and a long line wraps every `fold_line_chars` characters.
fn fold(body: &Prose<'_>, settings: &LintSettings, report: &mut Report) {
    let per_line = settings.fold_line_chars.max(1) as usize;
    let fold_after = settings.fold_lines as usize;
    let text = body.field.text.trim_end();
    let mut lines = 0usize;
    let mut chars_before = 0usize;
    let mut fold_at: Option<usize> = None;
    for line in text.split('\n') {
        let length = line.chars().count();
        let wrapped = length.div_ceil(per_line).max(1);
        if fold_at.is_none() && lines + wrapped > fold_after {
            fold_at = Some(chars_before + (fold_after - lines) * per_line);
        }
        lines += wrapped;
        chars_before += length + 1;
    }
    let Some(fold_at) = fold_at else {
        return;
    };
    let span = Span {
        start: fold_at as u32,
        end: text.chars().count() as u32,
    };
    let message = report.say(
        format_args!("About {lines} lines on the phone: after {fold_after} lines the rest folds behind \"Read more\". Put what matters first."),
        format_args!("Примерно {lines} строк на телефоне: после {fold_after} строк остальное скроется под «Читать далее». Главное — в начало."),
    );
    report.add(id::BODY_FOLDS, Field::Body, span, message, None);
}

fn personalisation(
    template: &Template,
    body: &Prose<'_>,
    header: Option<&Prose<'_>>,
    report: &mut Report,
) {
    let has_variable = body.field.placeholders.iter().any(|p| p.is_variable())
        || header.is_some_and(|h| h.field.placeholders.iter().any(|p| p.is_variable()))
        || template.buttons.iter().any(|button| match button {
            Button::Url { url, .. } => url.contains("{{"),
            _ => false,
        });
    if has_variable {
        return;
    }
    let message = report.say(
        format_args!("A marketing template with no variable is a mass, non-personalised advert, which the channel forbids. Address the person: add a variable such as their name."),
        format_args!("Маркетинговый шаблон без переменных — безличная массовая реклама, а канал её запрещает. Обратитесь к человеку: добавьте переменную, например имя."),
    );
    report.add(
        id::PERSONALISATION_MISSING,
        Field::Body,
        START,
        message,
        None,
    );
}

fn any_phrase(texts: &[&Prose<'_>], phrases: &[Phrase]) -> bool {
    texts
        .iter()
        .any(|prose| phrases::contains(&prose.words, phrases))
}

fn marketing_phrases(
    template: &Template,
    language: Language,
    texts: &[&Prose<'_>],
    settings: &LintSettings,
    report: &mut Report,
) {
    let relevance = phrases::compiled(settings.relevance_phrases.get(language));
    if !any_phrase(texts, &relevance) {
        let message = report.say(
            format_args!("Say why this message is for this person, like \"You recently looked at…\" or \"Since you bought…\": the channel wants marketing to read as relevant."),
            format_args!("Объясните, почему сообщение адресовано именно этому человеку, например «Недавно вы интересовались…» или «Вы недавно покупали…»: канал требует, чтобы реклама была уместной."),
        );
        report.add(id::RELEVANCE_MISSING, Field::Body, START, message, None);
    }
    let repeat = phrases::compiled(settings.repeat_contact_phrases.get(language));
    if !any_phrase(texts, &repeat) {
        let message = report.say(
            format_args!("Make clear the person already is your customer or has talked to you (\"Thank you for your order\", \"As our customer…\"): the channel is for people who know you."),
            format_args!("Покажите, что человек уже ваш клиент или уже общался с вами («Спасибо за заказ», «Как наш постоянный клиент…»): канал — для тех, кто вас знает."),
        );
        report.add(
            id::REPEAT_CONTACT_MISSING,
            Field::Body,
            START,
            message,
            None,
        );
    }
    opt_out(template, language, texts, settings, report);
    let negative = phrases::compiled(settings.negative_phrases.get(language));
    for prose in texts {
        for range in phrases::find(&prose.words, &negative) {
            let raw = &prose.field.text[range.clone()];
            let message = report.say(
                format_args!("\"{raw}\" is debt-collection or similar negative vocabulary: that is not marketing, and the channel forbids it in marketing templates."),
                format_args!("«{raw}» — лексика взыскания долгов или подобного негатива: это не маркетинг, и канал запрещает её в маркетинговых шаблонах."),
            );
            let span = prose.field.span(range);
            report.add(
                id::NEGATIVE_CONTEXT,
                prose.field.field.clone(),
                span,
                message,
                None,
            );
        }
    }
}

/// The label of the ready opt-out quick reply in `language`.
pub fn opt_out_label(language: Language) -> &'static str {
    match language {
        Language::En => "Stop promotions",
        Language::Ru => "Отписаться",
    }
}

/// The ready opt-out quick reply, in `language`.
pub fn opt_out_button(language: Language) -> Button {
    Button::QuickReply {
        text: opt_out_label(language).to_owned(),
    }
}

fn opt_out(
    template: &Template,
    language: Language,
    texts: &[&Prose<'_>],
    settings: &LintSettings,
    report: &mut Report,
) {
    let labels = phrases::compiled(settings.stop_labels.get(language));
    let has_button = template.buttons.iter().any(|button| match button {
        Button::QuickReply { text } => {
            let words = text::words(text, &[]);
            phrases::contains(&words, &labels)
        }
        _ => false,
    });
    if has_button {
        return;
    }
    let wording = phrases::compiled(settings.opt_out_phrases.get(language));
    let says_how = texts
        .iter()
        .filter(|prose| matches!(prose.field.field, Field::Body | Field::Footer))
        .any(|prose| phrases::contains(&prose.words, &wording));
    if says_how {
        return;
    }
    let slot = quick_reply_slot(&template.buttons);
    let label = opt_out_label(language);
    let fix = (template.buttons.len() < limits::BUTTONS_MAX).then(|| {
        let mut fix = Fix::new(
            report.say(
                format_args!("Add the \"{label}\" button"),
                format_args!("Добавить кнопку «{label}»"),
            ),
            Vec::new(),
        );
        fix.insert_button = Some(ButtonInsert {
            index: slot as u32,
            button: opt_out_button(language),
        });
        fix
    });
    let message = report.say(
        format_args!("A marketing template must make opting out easy: add a Stop quick reply (\"{label}\") or say how to unsubscribe."),
        format_args!("В маркетинговом шаблоне должно быть легко отписаться: добавьте кнопку быстрого ответа («{label}») или напишите, как отписаться."),
    );
    let span = Span {
        start: slot as u32,
        end: slot as u32,
    };
    report.add(id::OPT_OUT_MISSING, Field::Buttons, span, message, fix);
}

fn promotional(prose: &Prose<'_>, list: &[Phrase], report: &mut Report) {
    for range in phrases::find(&prose.words, list) {
        let raw = &prose.field.text[range.clone()];
        let message = report.say(
            format_args!("\"{raw}\" is promotional: Meta will likely re-categorise this utility template as marketing. Keep utility messages to the transaction."),
            format_args!("«{raw}» — рекламное слово: Meta, скорее всего, переведёт этот служебный шаблон в маркетинговые. Пишите в служебных сообщениях только о самой операции."),
        );
        let span = prose.field.span(range);
        report.add(
            id::UTILITY_PROMOTIONAL,
            prose.field.field.clone(),
            span,
            message,
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::tests::{clean, lint_in};
    use crate::lint::{Finding, LintContext, lint};

    fn found_with(template: &Template, settings: &LintSettings, rule: &str) -> Vec<Finding> {
        lint(
            template,
            &LintContext {
                settings,
                language: Language::En,
                speller: None,
            },
        )
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
    }

    fn found(template: &Template, rule: &str) -> Vec<Finding> {
        lint_in(template, Language::En)
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    fn appended(language: &str, text: &str) -> Template {
        let mut template = clean(language);
        template.body.push_str(text);
        template
    }

    #[test]
    fn emoji_up_to_the_setting_and_the_fix_keeps_that_many() {
        assert!(
            found(&appended("en", " 🎉🎁"), id::EMOJI_COUNT).is_empty(),
            "two emoji are the default allowance"
        );
        assert_eq!(
            found(&appended("en", " 🎉🎁🔥"), id::EMOJI_COUNT).len(),
            1,
            "a third emoji is one too many"
        );
        let mut template = appended("ru", " Ждём вас 🎉 🎁 🔥 ✨ 👍🏽");
        let finding = found(&template, id::EMOJI_COUNT).remove(0);
        finding
            .fix
            .expect("removing the extra emoji is obvious")
            .apply(&mut template)
            .expect("the fix fits");
        assert!(
            template.body.ends_with("Ждём вас 🎉 🎁"),
            "the first two stay, the rest go with their spaces: {:?}",
            template.body
        );
        let strict = LintSettings {
            emoji_max: 0,
            ..LintSettings::default()
        };
        assert_eq!(
            found_with(&appended("en", " 🎉"), &strict, id::EMOJI_COUNT).len(),
            1,
            "the workspace can allow none"
        );
    }

    #[test]
    fn shouting_spares_abbreviations_and_brand_words() {
        assert!(
            found(
                &appended("en", " Get a VIP SMS from IKEA NOW."),
                id::SHOUTING
            )
            .is_empty(),
            "VIP and SMS are abbreviations; two capitalised words are within the default"
        );
        let settings = LintSettings {
            brand_words: vec!["IKEA".into()],
            caps_words_max: 0,
            ..LintSettings::default()
        };
        assert_eq!(
            found_with(&appended("en", " IKEA is OPEN."), &settings, id::SHOUTING).len(),
            1,
            "OPEN shouts; IKEA is a brand word"
        );
        let finding = &found(&appended("ru", " СУПЕР ЦЕНЫ ТОЛЬКО СЕГОДНЯ"), id::SHOUTING)[0];
        assert_eq!(
            finding.severity,
            crate::lint::Severity::Warning,
            "channel guidance"
        );
    }

    #[test]
    fn negative_context_catches_russian_word_forms() {
        for text in [
            " Погасите долг до пятницы.",
            " Сумма долга растёт.",
            " У вас просроченный платёж.",
            " Дело передано коллекторскому агентству.",
            " Начато взыскание.",
        ] {
            assert_eq!(
                found(&appended("ru", text), id::NEGATIVE_CONTEXT).len(),
                1,
                "{text:?} is debt collection"
            );
        }
        for text in [
            " Мы долго ждали этого дня.",
            " Долгожданная коллекция уже здесь.",
        ] {
            assert!(
                found(&appended("ru", text), id::NEGATIVE_CONTEXT).is_empty(),
                "{text:?} is about waiting long, not about debt"
            );
        }
        let mut utility = appended("ru", " Ваш долг 100 рублей.");
        utility.category = Category::Utility;
        assert!(
            found(&utility, id::NEGATIVE_CONTEXT).is_empty(),
            "a payment reminder may be a utility message; the rule guards marketing"
        );
    }

    #[test]
    fn utility_templates_with_promotional_words_are_flagged_per_word() {
        let mut template = clean("ru");
        template.category = Category::Utility;
        template.body = "Здравствуйте, {{1}}! Ваш заказ доставлен. Акция: скидку 10% получите при следующем заказе.".into();
        let words: Vec<String> = found(&template, id::UTILITY_PROMOTIONAL)
            .into_iter()
            .map(|f| {
                template
                    .body
                    .chars()
                    .skip(f.span.start as usize)
                    .take((f.span.end - f.span.start) as usize)
                    .collect()
            })
            .collect();
        assert_eq!(
            words,
            ["Акция", "скидку"],
            "each promotional word is pointed at"
        );
    }

    #[test]
    fn the_fold_counts_line_breaks_and_wrapping() {
        let mut template = clean("en");
        template.body = "Hello {{1}}, thank you for your order.\nYou recently looked at the jacket.\nIt is back.\nIn your size.\nCome by.".into();
        assert!(
            found(&template, id::BODY_FOLDS).is_empty(),
            "five short lines fit above the fold"
        );
        template.body.push_str("\nSee you soon.");
        let finding = &found(&template, id::BODY_FOLDS)[0];
        let sixth = template.body.rfind('\n').expect("six lines") + 1;
        assert_eq!(
            finding.span.start as usize,
            template.body[..sixth].chars().count(),
            "the fold starts where the sixth line does"
        );
        template.body = format!("Hello {{{{1}}}}, {}", "word ".repeat(45));
        assert_eq!(
            found(&template, id::BODY_FOLDS).len(),
            1,
            "one long paragraph wraps into more than five lines"
        );
    }

    #[test]
    fn shorteners_are_found_in_text_and_url_buttons() {
        let settings = LintSettings::default();
        assert_eq!(
            found_with(
                &appended("en", " See https://go.bit.ly/x"),
                &settings,
                id::URL_SHORTENER
            )
            .len(),
            1,
            "a subdomain of a shortener is a shortener"
        );
        assert!(
            found_with(
                &appended("en", " See https://notbit.ly/x"),
                &settings,
                id::URL_SHORTENER
            )
            .is_empty(),
            "a host that merely ends in the same letters is not"
        );
        let mut template = clean("ru");
        template.buttons.push(Button::Url {
            text: "Открыть".into(),
            url: "https://clck.ru/abc".into(),
            example: None,
        });
        assert_eq!(
            found(&template, id::URL_SHORTENER)[0].field,
            Field::ButtonUrl(2),
            "a URL button to a shortener is flagged on its address"
        );
    }

    #[test]
    fn links_are_counted_against_the_setting() {
        let two = appended("en", " https://shop.example.com and shop.example.com/sale");
        assert_eq!(
            found(&two, id::LINKS_TOO_MANY).len(),
            1,
            "two links, one allowed"
        );
        let settings = LintSettings {
            links_max: 2,
            ..LintSettings::default()
        };
        assert!(
            found_with(&two, &settings, id::LINKS_TOO_MANY).is_empty(),
            "the workspace may allow more"
        );
    }

    #[test]
    fn personalisation_counts_header_and_url_variables() {
        let mut template = clean("en");
        template.body = "Hello, thank you for your order. You recently looked at the jacket: it is back in your size.".into();
        template.body_examples.clear();
        assert_eq!(
            found(&template, id::PERSONALISATION_MISSING)[0].severity,
            crate::lint::Severity::Error,
            "a mass advert is forbidden"
        );
        template.header = Some(Header::Text {
            text: "For {{1}}".into(),
            example: Some("Anna".into()),
        });
        assert!(
            found(&template, id::PERSONALISATION_MISSING).is_empty(),
            "a personal header is personalisation"
        );
    }

    #[test]
    fn old_stored_settings_load_with_defaults() {
        let settings: LintSettings =
            serde_json::from_str(r#"{"spelling": false, "emoji_max": 1}"#).expect("valid JSON");
        assert!(!settings.spelling, "stored values are kept");
        assert_eq!(settings.emoji_max, 1, "stored values are kept");
        assert_eq!(
            settings.relevance_phrases,
            LintSettings::default().relevance_phrases,
            "a list missing from stored JSON takes its default"
        );
    }
}
