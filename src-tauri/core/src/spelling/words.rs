//! Splitting prose into the words a speller checks.
//!
//! A word is a run of letters and digits (with combining marks such as the Russian
//! stress accent), joined across an apostrophe or a hyphen only when a letter or
//! digit follows: `don't`, `what’s`, `что-нибудь` and `e-mail` are one word each;
//! a quote or a dash at a word's edge is not part of it. Spans are characters, as
//! everywhere in the linter.

use crate::lint::Span;

/// One word of a text and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word<'a> {
    /// Characters of the text, `start..end`.
    pub span: Span,
    pub text: &'a str,
}

/// Letters, digits and combining marks (U+0300–U+036F: stress accents, diaereses
/// typed as two code points) make up words.
pub(crate) fn is_word_char(c: char) -> bool {
    // ASCII and the Russian alphabet first: `char::is_alphanumeric` searches
    // Unicode tables for every non-ASCII character, and a lint on each keystroke
    // asks about every character of the body several times.
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    match c {
        'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' | '\u{300}'..='\u{36f}' => true,
        _ => c.is_alphanumeric(),
    }
}

/// Digits of any script (`7`, `٣`), with the same fast path as [`is_word_char`].
pub(crate) fn is_number_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    !matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё') && c.is_numeric()
}

/// Characters that join two parts of one word: apostrophes (ASCII, typographic,
/// modifier letter) and hyphens (ASCII, Unicode hyphen, non-breaking hyphen).
pub(crate) fn is_connector(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{02bc}' | '-' | '\u{2010}' | '\u{2011}'
    )
}

/// The words of `text`, in order.
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i].1) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        loop {
            if end < chars.len() && is_word_char(chars[end].1) {
                end += 1;
            } else if end + 1 < chars.len()
                && is_connector(chars[end].1)
                && is_word_char(chars[end + 1].1)
            {
                end += 2;
            } else {
                break;
            }
        }
        let byte_end = chars.get(end).map_or(text.len(), |&(at, _)| at);
        out.push(Word {
            span: Span {
                start: start as u32,
                end: end as u32,
            },
            text: &text[chars[start].0..byte_end],
        });
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        words(text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn apostrophes_and_hyphens_inside_a_word_keep_it_whole() {
        assert_eq!(
            texts("Don't wait — what’s new? «Что-нибудь» -dash- 'quoted'"),
            [
                "Don't",
                "wait",
                "what’s",
                "new",
                "Что-нибудь",
                "dash",
                "quoted"
            ],
            "contractions and hyphenated words are one word; edge quotes and dashes are not in it"
        );
    }

    #[test]
    fn spans_count_characters_not_bytes() {
        let found = words("Привет, мир");
        assert_eq!(
            found[1],
            Word {
                span: Span { start: 8, end: 11 },
                text: "мир"
            },
            "Cyrillic letters are two bytes each but one character in a span"
        );
    }

    #[test]
    fn word_characters_are_letters_digits_and_combining_marks() {
        for c in ['a', 'Z', '7', 'ж', 'Ё', 'ß', 'ü', '\u{301}', '٣'] {
            assert!(is_word_char(c), "{c:?} is part of a word");
        }
        for c in [' ', '-', '\'', '«', '!', '\u{a0}', '—', '😀', '{'] {
            assert!(!is_word_char(c), "{c:?} is not part of a word");
        }
    }

    #[test]
    fn a_stress_mark_stays_inside_its_word() {
        assert_eq!(
            texts("за\u{301}мок"),
            ["за\u{301}мок"],
            "a combining accent must not split a word"
        );
    }
}
