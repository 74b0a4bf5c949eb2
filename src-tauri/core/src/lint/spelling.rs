//! The `spelling` rule: words of the header text, body, footer and button labels
//! that the speller does not know.
//!
//! Before the speller sees a field, what is not prose is blanked out with spaces
//! (one space per character, so the speller's spans are the field's spans):
//! variables, URLs and bare domains, e-mail addresses and @handles, numbers and
//! words with digits (`25OFF`, `5-го`, and a `-го` glued to a variable), and the
//! workspace's brand words and team dictionary (case-insensitive, whole words,
//! several words allowed). After it, a word from those lists is dropped again, in
//! case a speller splits words differently. The speller comes from the context
//! (Hunspell dictionaries or a LanguageTool server); this module only masks, maps
//! and words the findings. Pure: no I/O.

use std::collections::HashSet;

use super::{Edit, Finding, Fix, LintContext, LintSettings, Severity, Span, id};
use crate::Language;
use crate::spelling::{is_connector, is_number_char, is_word_char, words};
use crate::template::{Field, Header, Template, placeholders};

/// Suggestions offered as fixes (and named in the message), at most.
const SUGGESTIONS_OFFERED: usize = 3;

/// Every spelling finding of `template`: none when spelling is off or no speller
/// is loaded yet.
pub(crate) fn findings(template: &Template, context: &LintContext<'_>) -> Vec<Finding> {
    if !context.settings.spelling {
        return Vec::new();
    }
    let Some(speller) = context.speller else {
        return Vec::new();
    };
    let known = KnownWords::new(
        context
            .settings
            .brand_words
            .iter()
            .chain(&context.settings.team_dictionary),
    );
    let mut found = Vec::new();
    for (field, text) in checked_fields(template) {
        let chars: Vec<char> = text.chars().collect();
        let masked = mask(&chars, &known);
        for misspelling in speller.check(&template.language, &masked) {
            let Span { start, end } = misspelling.span;
            // A speller that points outside the text (a server answering for
            // another text) cannot be mapped back: drop the finding, not panic.
            if start >= end || end as usize > chars.len() {
                continue;
            }
            let word: String = chars[start as usize..end as usize].iter().collect();
            if known.contains_word(&word) {
                continue;
            }
            found.push(finding(
                field.clone(),
                misspelling.span,
                &word,
                &misspelling.suggestions,
                context.language,
            ));
        }
    }
    found
}

/// The texts the rule hands a speller for `template`, masked as [`findings`] masks
/// them, one per checked field, without fields that hold no word to check. A
/// speller that must work ahead (a LanguageTool server, asked asynchronously before
/// a synchronous lint) checks exactly these.
pub(crate) fn masked_texts(template: &Template, settings: &LintSettings) -> Vec<String> {
    if !settings.spelling {
        return Vec::new();
    }
    let known = KnownWords::new(settings.brand_words.iter().chain(&settings.team_dictionary));
    checked_fields(template)
        .into_iter()
        .map(|(_, text)| mask(&text.chars().collect::<Vec<_>>(), &known))
        .filter(|masked| !words(masked).is_empty())
        .collect()
}

/// The fields the rule reads, with their text: prose the recipient sees.
fn checked_fields(template: &Template) -> Vec<(Field, &str)> {
    let mut fields = Vec::new();
    if let Some(Header::Text { text, .. }) = &template.header {
        fields.push((Field::HeaderText, text.as_str()));
    }
    fields.push((Field::Body, template.body.as_str()));
    if let Some(footer) = &template.footer {
        fields.push((Field::Footer, footer.as_str()));
    }
    for (i, button) in template.buttons.iter().enumerate() {
        if let Some(label) = button.label() {
            fields.push((Field::ButtonText(i as u32), label));
        }
    }
    fields
}

fn finding(
    field: Field,
    span: Span,
    word: &str,
    suggestions: &[String],
    language: Language,
) -> Finding {
    let offered: Vec<&String> = suggestions.iter().take(SUGGESTIONS_OFFERED).collect();
    let message = match (language, offered.as_slice()) {
        (Language::En, []) => format!("\"{word}\" may be misspelled"),
        (Language::En, list) => format!(
            "\"{word}\" may be misspelled: did you mean {}?",
            either(list, "\"", "\"", "or")
        ),
        (Language::Ru, []) => format!("Возможно, в слове «{word}» ошибка"),
        (Language::Ru, list) => format!(
            "Возможно, в слове «{word}» ошибка: может быть, {}?",
            either(list, "«", "»", "или")
        ),
    };
    let mut fixes: Vec<Fix> = offered
        .iter()
        .map(|suggestion| {
            let label = match language {
                Language::En => format!("Replace with \"{suggestion}\""),
                Language::Ru => format!("Заменить на «{suggestion}»"),
            };
            Fix::new(
                label,
                vec![Edit {
                    field: field.clone(),
                    span,
                    replacement: (*suggestion).clone(),
                }],
            )
        })
        .collect();
    let mut add = Fix::new(
        match language {
            Language::En => format!("Add \"{word}\" to the team dictionary"),
            Language::Ru => format!("Добавить «{word}» в словарь команды"),
        },
        Vec::new(),
    );
    add.add_to_dictionary = Some(word.to_owned());
    fixes.push(add);
    // The likeliest suggestion is the fix; the others, then "add to the team
    // dictionary", are its alternatives.
    let mut fix = fixes.remove(0);
    fix.alternatives = fixes;
    Finding {
        rule: id::SPELLING.to_owned(),
        severity: Severity::Warning,
        field,
        span,
        message,
        fix: Some(fix),
    }
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
fn either(items: &[&String], open: &str, close: &str, or: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{open}{s}{close}")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {or} {last}", rest.join(", ")),
    }
}

/// The brand words and team dictionary, lowercased, as words to blank out and to
/// drop. Single words are looked up (a team dictionary grows to hundreds of words
/// and a lint runs on every keystroke); phrases (`Lucky Shrub`) are searched for.
struct KnownWords {
    words: HashSet<String>,
    /// The lengths (in characters) of `words`: a word of another length (and not
    /// that length plus a possessive `'s`) is not looked up at all.
    lengths: Vec<usize>,
    /// Each phrase's characters, lowercased one by one (so that positions match
    /// the text's characters).
    phrases: Vec<Vec<char>>,
}

impl KnownWords {
    fn new<'a>(entries: impl Iterator<Item = &'a String>) -> KnownWords {
        let mut known = KnownWords {
            words: HashSet::new(),
            lengths: Vec::new(),
            phrases: Vec::new(),
        };
        for entry in entries.map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let lowered: String = entry.chars().map(lower).collect();
            if words(&lowered).first().is_some_and(|w| w.text == lowered) {
                let length = lowered.chars().count();
                if !known.lengths.contains(&length) {
                    known.lengths.push(length);
                }
                known.words.insert(lowered);
            } else {
                known.phrases.push(lowered.chars().collect());
            }
        }
        known
    }

    /// The known part of a word of the text: all of it, or its stem before an
    /// English possessive `'s` (`Cadence's`).
    fn known_part(&self, word: &str) -> Option<usize> {
        let length = word.chars().count();
        if !self
            .lengths
            .iter()
            .any(|&known| known == length || known + 2 == length)
        {
            return None;
        }
        let lowered: String = word.chars().map(lower).collect();
        if self.words.contains(&lowered) {
            return Some(word.chars().count());
        }
        let stem = lowered
            .strip_suffix("'s")
            .or_else(|| lowered.strip_suffix("\u{2019}s"))?;
        self.words.contains(stem).then(|| stem.chars().count())
    }

    /// Whether `word` (as the speller reported it) is one of the known words, with
    /// or without an English possessive `'s`.
    fn contains_word(&self, word: &str) -> bool {
        self.known_part(word).is_some()
    }
}

/// One character's lowercase form when it is one character (`İ` lowercases to two
/// and stays as it is, so positions keep matching).
fn lower(c: char) -> char {
    let mut lowered = c.to_lowercase();
    match (lowered.next(), lowered.next()) {
        (Some(one), None) => one,
        _ => c,
    }
}

/// `chars` with everything that is not prose to check replaced by spaces.
fn mask(chars: &[char], known: &KnownWords) -> String {
    let text: String = chars.iter().collect();
    let mut hidden = vec![false; chars.len()];
    let hide = |range: std::ops::Range<usize>, hidden: &mut [bool]| {
        let end = range.end.min(hidden.len());
        if range.start < end {
            hidden[range.start..end].fill(true);
        }
    };

    // Variables, malformed ones too: `{{first_name}}` is no word to check.
    for placeholder in placeholders(&text) {
        hide(
            placeholder.chars.start as usize..placeholder.chars.end as usize,
            &mut hidden,
        );
    }
    // URLs, domains, e-mails and handles, judged a whitespace-separated token at a time.
    for token in tokens(chars) {
        // Every address has a dot, an @ or a colon: most words are passed over
        // without building a string.
        if !chars[token.clone()]
            .iter()
            .any(|c| matches!(c, '.' | '@' | ':'))
        {
            continue;
        }
        let trimmed = trim_punctuation(chars, token);
        let piece: String = chars[trimmed.clone()].iter().collect();
        if is_address(&piece) {
            hide(trimmed, &mut hidden);
        }
    }
    // Numbers and words with digits (`25OFF`, `5-го`, `2026`), and brand words and
    // the team dictionary as whole words.
    for word in words(&text) {
        let start = word.span.start as usize;
        if word.text.chars().any(is_number_char) {
            hide(start..word.span.end as usize, &mut hidden);
        } else if let Some(length) = known.known_part(word.text) {
            hide(start..start + length, &mut hidden);
        }
    }
    for phrase in &known.phrases {
        for start in occurrences(chars, phrase) {
            hide(start..start + phrase.len(), &mut hidden);
        }
    }

    // An ending glued with a hyphen or an apostrophe to a variable, a number or a
    // brand: `{{1}}-го`, `Cadence's`.
    let mut at = 0;
    while at + 2 < chars.len() {
        if hidden[at]
            && !hidden[at + 1]
            && is_connector(chars[at + 1])
            && is_word_char(chars[at + 2])
        {
            let mut end = at + 2;
            while end < chars.len() && is_word_char(chars[end]) {
                end += 1;
            }
            hide(at + 1..end, &mut hidden);
            at = end;
        } else {
            at += 1;
        }
    }
    chars
        .iter()
        .zip(&hidden)
        .map(|(&c, &hidden)| if hidden { ' ' } else { c })
        .collect()
}

/// Where `entry` (lowercased characters) stands in `chars` as whole words, case
/// ignored.
fn occurrences<'a>(chars: &'a [char], entry: &'a [char]) -> impl Iterator<Item = usize> + 'a {
    let n = entry.len();
    (0..chars.len().saturating_sub(n.saturating_sub(1)))
        .filter(move |&start| n > 0 && start + n <= chars.len())
        .filter(move |&start| {
            chars[start..start + n]
                .iter()
                .zip(entry)
                .all(|(&c, &e)| lower(c) == e)
        })
        .filter(move |&start| {
            let before = start.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(start + n).copied();
            !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
        })
}

/// Runs of non-whitespace characters.
fn tokens(chars: &[char]) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                found.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        found.push(s..chars.len());
    }
    found
}

/// The token without the quotes, brackets and sentence punctuation around it.
fn trim_punctuation(chars: &[char], token: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let edge = |c: char| {
        matches!(
            c,
            '"' | '\''
                | '«'
                | '»'
                | '“'
                | '”'
                | '„'
                | '‘'
                | '’'
                | '('
                | ')'
                | '['
                | ']'
                | '<'
                | '>'
                | ','
                | '.'
                | '!'
                | '?'
                | ':'
                | ';'
                | '…'
                | '*'
                | '_'
                | '~'
        )
    };
    let (mut start, mut end) = (token.start, token.end);
    while start < end && edge(chars[start]) {
        start += 1;
    }
    while end > start && edge(chars[end - 1]) {
        end -= 1;
    }
    start..end
}

/// A URL, a bare domain (`shop.example.com/sale`, `магазин.рф`), an e-mail address
/// or a social handle (`@cadence`).
fn is_address(token: &str) -> bool {
    let lowered = token.to_lowercase();
    if lowered.contains("://") || lowered.starts_with("www.") {
        return true;
    }
    if let Some((user, domain)) = token.split_once('@') {
        return user.is_empty() || is_domain(domain);
    }
    is_domain(token)
}

/// `label.label…tld` with an optional `/path`: labels of letters, digits and
/// hyphens, a top-level domain of at least two letters (Latin, or `рф`/`рус`).
fn is_domain(token: &str) -> bool {
    let host = token.split(['/', '?', '#']).next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let Some((tld, rest)) = labels.split_last() else {
        return false;
    };
    let tld_ok = (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        || matches!(tld.to_lowercase().as_str(), "рф" | "рус");
    tld_ok
        && rest.iter().all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Misspelling, Speller};
    use crate::template::Button;

    /// A speller that knows a short word list and flags every other word, with
    /// a fixed suggestion: enough to see what the rule sends and maps back.
    struct ListSpeller(&'static [&'static str]);

    impl Speller for ListSpeller {
        fn check(&self, _language: &str, text: &str) -> Vec<Misspelling> {
            words(text)
                .into_iter()
                .filter(|w| !self.0.contains(&w.text.to_lowercase().as_str()))
                .map(|w| Misspelling {
                    span: w.span,
                    word: w.text.to_owned(),
                    suggestions: vec!["fixed".into(), "second".into()],
                })
                .collect()
        }
    }

    const KNOWN: &[&str] = &[
        "hi", "visit", "or", "write", "to", "code", "off", "us", "буду", "й",
    ];

    fn context<'a>(
        settings: &'a LintSettings,
        speller: &'a dyn Speller,
        language: Language,
    ) -> LintContext<'a> {
        LintContext {
            settings,
            language,
            speller: Some(speller),
        }
    }

    fn flagged(template: &Template, settings: &LintSettings) -> Vec<(Field, String)> {
        let speller = ListSpeller(KNOWN);
        findings(template, &context(settings, &speller, Language::En))
            .into_iter()
            .map(|f| {
                let text = template.text(&f.field).unwrap_or_default();
                let word: String = text
                    .chars()
                    .skip(f.span.start as usize)
                    .take((f.span.end - f.span.start) as usize)
                    .collect();
                (f.field, word)
            })
            .collect()
    }

    fn body(text: &str) -> Template {
        let mut template = Template::draft("t", "en");
        template.body = text.into();
        template
    }

    #[test]
    fn what_is_not_prose_never_reaches_the_speller() {
        let template = body(
            "Hi {{1}}, visit https://shop.example/p?x=qq or www.shop.example, write to anna@shop.example or @shopbot, \
             code 25OFF, 2026, {{1}}-й, {{first_name}} shop.example.com/zz магазин.рф",
        );
        assert_eq!(
            flagged(&template, &LintSettings::default()),
            Vec::<(Field, String)>::new(),
            "variables, URLs, domains, e-mails, handles, numbers and words with digits are masked"
        );
    }

    #[test]
    fn brand_words_and_the_team_dictionary_are_skipped_case_insensitively() {
        let settings = LintSettings {
            brand_words: vec!["Lucky Shrub".into(), "Cadence".into()],
            team_dictionary: vec!["сторис".into()],
            ..LintSettings::default()
        };
        let template = body("Hi LUCKY SHRUB, cadence's Сторис. Visit Cadenced");
        assert_eq!(
            flagged(&template, &settings),
            [(Field::Body, "Cadenced".to_owned())],
            "brand phrases and team words match whole words in any case; a longer word does not"
        );
    }

    #[test]
    fn every_prose_field_is_checked_with_spans_of_that_field() {
        let mut template = body("Hi wrld");
        template.header = Some(Header::Text {
            text: "Hi {{1}} teh".into(),
            example: Some("Anna".into()),
        });
        template.footer = Some("Write to us, pleese".into());
        template.buttons = vec![
            Button::QuickReply {
                text: "Stopp".into(),
            },
            Button::CopyCode {
                example: "QWERTY".into(),
            },
            Button::Url {
                text: "Visit".into(),
                url: "https://zz.example/qq".into(),
                example: None,
            },
        ];
        assert_eq!(
            flagged(&template, &LintSettings::default()),
            [
                (Field::HeaderText, "teh".to_owned()),
                (Field::Body, "wrld".to_owned()),
                (Field::Footer, "pleese".to_owned()),
                (Field::ButtonText(0), "Stopp".to_owned()),
            ],
            "header, body, footer and labels are prose; a coupon code and a URL are not"
        );
    }

    #[test]
    fn a_finding_offers_each_suggestion_then_the_team_dictionary() {
        let speller = ListSpeller(KNOWN);
        let settings = LintSettings::default();
        let found = findings(
            &body("Hi wrld"),
            &context(&settings, &speller, Language::En),
        );
        let finding = &found[0];
        assert_eq!(finding.rule, "spelling");
        assert_eq!(
            finding.severity,
            Severity::Warning,
            "spelling is guidance, not a Meta rejection"
        );
        assert_eq!(finding.span, Span { start: 3, end: 7 });
        assert_eq!(
            finding.message,
            "\"wrld\" may be misspelled: did you mean \"fixed\" or \"second\"?"
        );
        let fix = finding
            .fix
            .as_ref()
            .expect("a misspelling always has a fix");
        assert_eq!(fix.label, "Replace with \"fixed\"");
        assert_eq!(
            fix.edits,
            [Edit {
                field: Field::Body,
                span: Span { start: 3, end: 7 },
                replacement: "fixed".into()
            }],
            "the first suggestion replaces exactly the misspelled word"
        );
        assert_eq!(
            fix.alternatives.len(),
            2,
            "the second suggestion, then the dictionary"
        );
        assert_eq!(fix.alternatives[0].edits[0].replacement, "second");
        let add = &fix.alternatives[1];
        assert_eq!(add.add_to_dictionary.as_deref(), Some("wrld"));
        assert!(
            add.edits.is_empty(),
            "adding to the dictionary edits no text"
        );
    }

    #[test]
    fn messages_come_in_russian_too() {
        struct NoSuggestions;
        impl Speller for NoSuggestions {
            fn check(&self, _: &str, text: &str) -> Vec<Misspelling> {
                words(text)
                    .into_iter()
                    .map(|w| Misspelling {
                        span: w.span,
                        word: w.text.into(),
                        suggestions: Vec::new(),
                    })
                    .collect()
            }
        }
        let settings = LintSettings::default();
        let found = findings(
            &body("Превет"),
            &context(&settings, &NoSuggestions, Language::Ru),
        );
        assert_eq!(found[0].message, "Возможно, в слове «Превет» ошибка");
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(
            (fix.label.as_str(), fix.add_to_dictionary.as_deref()),
            ("Добавить «Превет» в словарь команды", Some("Превет")),
            "with no suggestion the fix is adding the word"
        );
    }

    #[test]
    fn spelling_off_or_no_speller_finds_nothing() {
        let speller = ListSpeller(&[]);
        let off = LintSettings {
            spelling: false,
            ..LintSettings::default()
        };
        assert!(findings(&body("zzz"), &context(&off, &speller, Language::En)).is_empty());
        let on = LintSettings::default();
        let none = LintContext {
            settings: &on,
            language: Language::En,
            speller: None,
        };
        assert!(
            findings(&body("zzz"), &none).is_empty(),
            "no dictionaries loaded yet"
        );
    }

    #[test]
    fn a_span_outside_the_field_is_dropped_not_a_panic() {
        struct Wild;
        impl Speller for Wild {
            fn check(&self, _: &str, _: &str) -> Vec<Misspelling> {
                vec![Misspelling {
                    span: Span { start: 2, end: 99 },
                    word: "x".into(),
                    suggestions: Vec::new(),
                }]
            }
        }
        let settings = LintSettings::default();
        assert!(findings(&body("short"), &context(&settings, &Wild, Language::En)).is_empty());
    }
}
