//! Reading a template's text the way the rules need it: character offsets, words,
//! emoji, links. No allocation beyond the returned vectors, no regular expressions:
//! the linter runs on every keystroke.
//!
//! Owns text scanning only; must not know any rule.

use std::ops::Range;

use super::Span;

/// Turns byte offsets of one text into character offsets (what spans use).
pub(crate) struct CharIndex {
    /// Byte offset of each character, in order.
    starts: Vec<usize>,
    len: usize,
}

impl CharIndex {
    pub(crate) fn new(text: &str) -> CharIndex {
        CharIndex {
            starts: text.char_indices().map(|(at, _)| at).collect(),
            len: text.len(),
        }
    }

    /// The character offset of byte `at` (a character boundary, or the end).
    pub(crate) fn char_at(&self, at: usize) -> u32 {
        if at >= self.len {
            return self.starts.len() as u32;
        }
        self.starts.partition_point(|&start| start < at) as u32
    }

    pub(crate) fn span(&self, bytes: Range<usize>) -> Span {
        Span {
            start: self.char_at(bytes.start),
            end: self.char_at(bytes.end),
        }
    }

    /// How many characters the text has.
    pub(crate) fn chars(&self) -> u32 {
        self.starts.len() as u32
    }

    /// The byte offset of character `at` (or the end).
    pub(crate) fn byte_at(&self, at: u32) -> usize {
        self.starts.get(at as usize).copied().unwrap_or(self.len)
    }
}

/// A span over the whole of `text`.
pub(crate) fn whole(text: &str) -> Span {
    Span {
        start: 0,
        end: text.chars().count() as u32,
    }
}

/// The empty span at the start of a field: where a finding about something missing
/// points.
pub(crate) const START: Span = Span { start: 0, end: 0 };

/// A word of prose: letters and digits, with apostrophes inside (`don't`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub bytes: Range<usize>,
    /// Lowercased, `ё` read as `е`, typographic apostrophes as `'`: what phrase
    /// matching compares.
    pub norm: String,
}

/// The words of `text`, skipping the byte ranges in `skip` (placeholders, links),
/// which must be sorted and must not overlap.
pub(crate) fn words(text: &str, skip: &[Range<usize>]) -> Vec<Word> {
    let mut found = Vec::new();
    let mut skip = skip.iter().peekable();
    let mut current: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    let close = |found: &mut Vec<Word>, from: usize, to: usize| {
        let raw = text[from..to].trim_end_matches(is_apostrophe);
        if raw.is_empty() {
            return;
        }
        found.push(Word {
            bytes: from..from + raw.len(),
            norm: normalise(raw),
        });
    };
    while let Some((at, c)) = chars.next() {
        while skip.peek().is_some_and(|range| range.end <= at) {
            skip.next();
        }
        let skipped = skip.peek().is_some_and(|range| range.start <= at);
        let inside = !skipped
            && (c.is_alphanumeric()
                || (is_apostrophe(c)
                    && current.is_some()
                    && chars.peek().is_some_and(|(_, next)| next.is_alphanumeric())));
        match (inside, current) {
            (true, None) => current = Some(at),
            (false, Some(from)) => {
                close(&mut found, from, at);
                current = None;
            }
            _ => {}
        }
    }
    if let Some(from) = current {
        close(&mut found, from, text.len());
    }
    found
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// A word as phrase matching compares it.
pub(crate) fn normalise(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'ё' | 'Ё' => out.push('е'),
            c if is_apostrophe(c) => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Is `word` written in capitals: at least `min_letters` letters, all uppercase?
pub(crate) fn is_caps(word: &str, min_letters: usize) -> bool {
    let mut letters = 0;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            if !c.is_uppercase() {
                // A letter without case (CJK, Arabic): not shouting.
                return false;
            }
            letters += 1;
        }
    }
    letters >= min_letters
}

// ---- emoji -------------------------------------------------------------------------

/// Characters of the Basic Multilingual Plane that phones draw as emoji without a
/// variation selector (Unicode's Emoji_Presentation), plus the common ones WhatsApp
/// draws as emoji anyway (❤, ☀, ✔, ✈, …).
const BMP_EMOJI: &[(char, char)] = &[
    ('\u{231A}', '\u{231B}'),
    ('\u{23E9}', '\u{23EC}'),
    ('\u{23F0}', '\u{23F0}'),
    ('\u{23F3}', '\u{23F3}'),
    ('\u{25FD}', '\u{25FE}'),
    ('\u{2600}', '\u{2601}'),
    ('\u{260E}', '\u{260E}'),
    ('\u{2611}', '\u{2611}'),
    ('\u{2614}', '\u{2615}'),
    ('\u{261D}', '\u{261D}'),
    ('\u{263A}', '\u{263A}'),
    ('\u{2648}', '\u{2653}'),
    ('\u{2660}', '\u{2660}'),
    ('\u{2663}', '\u{2663}'),
    ('\u{2665}', '\u{2666}'),
    ('\u{267F}', '\u{267F}'),
    ('\u{2693}', '\u{2693}'),
    ('\u{26A0}', '\u{26A1}'),
    ('\u{26AA}', '\u{26AB}'),
    ('\u{26BD}', '\u{26BE}'),
    ('\u{26C4}', '\u{26C5}'),
    ('\u{26CE}', '\u{26CE}'),
    ('\u{26D4}', '\u{26D4}'),
    ('\u{26EA}', '\u{26EA}'),
    ('\u{26F2}', '\u{26F3}'),
    ('\u{26F5}', '\u{26F5}'),
    ('\u{26FA}', '\u{26FA}'),
    ('\u{26FD}', '\u{26FD}'),
    ('\u{2702}', '\u{2702}'),
    ('\u{2705}', '\u{2705}'),
    ('\u{2708}', '\u{270D}'),
    ('\u{270F}', '\u{270F}'),
    ('\u{2712}', '\u{2712}'),
    ('\u{2714}', '\u{2714}'),
    ('\u{2716}', '\u{2716}'),
    ('\u{2728}', '\u{2728}'),
    ('\u{2733}', '\u{2734}'),
    ('\u{2744}', '\u{2744}'),
    ('\u{2747}', '\u{2747}'),
    ('\u{274C}', '\u{274C}'),
    ('\u{274E}', '\u{274E}'),
    ('\u{2753}', '\u{2755}'),
    ('\u{2757}', '\u{2757}'),
    ('\u{2763}', '\u{2764}'),
    ('\u{2795}', '\u{2797}'),
    ('\u{27A1}', '\u{27A1}'),
    ('\u{27B0}', '\u{27B0}'),
    ('\u{27BF}', '\u{27BF}'),
    ('\u{2B05}', '\u{2B07}'),
    ('\u{2B1B}', '\u{2B1C}'),
    ('\u{2B50}', '\u{2B50}'),
    ('\u{2B55}', '\u{2B55}'),
];

const VARIATION_EMOJI: char = '\u{FE0F}';
const ZWJ: char = '\u{200D}';
const KEYCAP: char = '\u{20E3}';

fn is_emoji_base(c: char) -> bool {
    let code = c as u32;
    // Pictographs, emoticons, transport, supplemental symbols, flags' regional
    // indicators: all of 1F000..1FAFF that phones draw as emoji.
    if (0x1F000..=0x1FAFF).contains(&code) {
        return !(0x1F100..=0x1F1E5).contains(&code) || matches!(code, 0x1F170..=0x1F171);
    }
    BMP_EMOJI
        .binary_search_by(|&(from, to)| {
            if to < c {
                std::cmp::Ordering::Less
            } else if from > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Is `c` a picture on its own (not a modifier or joiner)?
pub(crate) fn is_emoji_char(c: char) -> bool {
    is_emoji_base(c)
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F) || c == VARIATION_EMOJI
}

/// The emoji of `text` as the phone draws them: one range per picture, so a family
/// joined with zero-width joiners, a flag (two regional indicators), a keycap (`1️⃣`)
/// or a skin-toned hand counts once.
pub(crate) fn emoji(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let keycap_base = (c.is_ascii_digit() || c == '#' || c == '*')
            && chars
                .peek()
                .is_some_and(|&(_, next)| next == VARIATION_EMOJI || next == KEYCAP);
        let text_symbol_as_emoji = !is_emoji_base(c)
            && !c.is_ascii()
            && chars
                .peek()
                .is_some_and(|&(_, next)| next == VARIATION_EMOJI);
        if !(is_emoji_base(c) || keycap_base || text_symbol_as_emoji) {
            continue;
        }
        if keycap_base {
            // A digit followed by VS16 alone is not a keycap: it needs U+20E3.
            let mut lookahead = text[at + c.len_utf8()..].chars();
            let first = lookahead.next();
            let second = lookahead.next();
            if !(first == Some(KEYCAP) || second == Some(KEYCAP)) {
                continue;
            }
        }
        let mut end = at + c.len_utf8();
        if is_regional_indicator(c)
            && let Some(&(next_at, next)) = chars.peek()
            && is_regional_indicator(next)
        {
            chars.next();
            end = next_at + next.len_utf8();
        }
        // Absorb modifiers, keycaps and zero-width-joined pictures.
        while let Some(&(next_at, next)) = chars.peek() {
            if is_emoji_modifier(next) || next == KEYCAP {
                chars.next();
                end = next_at + next.len_utf8();
            } else if next == ZWJ {
                chars.next();
                end = next_at + next.len_utf8();
                if let Some(&(joined_at, joined)) = chars.peek() {
                    chars.next();
                    end = joined_at + joined.len_utf8();
                }
            } else {
                break;
            }
        }
        found.push(at..end);
    }
    found
}

// ---- links -------------------------------------------------------------------------

/// A link in prose: `https://…`, `www.…`, or a bare domain with a path or a common
/// top-level domain (`shop.ru/sale`, `bit.ly/x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub bytes: Range<usize>,
    /// Lowercased host without `www.`.
    pub host: String,
}

/// Top-level domains a bare domain must end with to count as a link (with a path
/// anything counts): common ones, and the shorteners' own.
const BARE_TLDS: &[&str] = &[
    "com", "ru", "рф", "net", "org", "io", "ly", "me", "co", "info", "biz", "shop", "store",
    "online", "site", "su", "by", "kz", "ua", "uk", "de", "app", "dev", "ai", "cc", "gl", "gd",
    "to", "link", "click", "page", "at", "us", "eu", "fr", "es", "it", "in", "br",
];

/// The links of `text`, skipping placeholder ranges (a link may end in one:
/// `https://shop.ru/{{1}}` is one link).
pub(crate) fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for chunk in text.split(char::is_whitespace) {
        // `split` yields sub-slices of `text`: their distance from its start is
        // their byte offset, whatever the width of the whitespace between them.
        let start = chunk.as_ptr() as usize - text.as_ptr() as usize;
        let trimmed_start = chunk.trim_start_matches(['(', '[', '<', '«', '"', '\'', '“']);
        let candidate = trimmed_start.trim_end_matches([
            '.', ',', ';', ':', '!', '?', ')', ']', '>', '»', '"', '\'', '”',
        ]);
        if candidate.is_empty() {
            continue;
        }
        let offset = start + (chunk.len() - trimmed_start.len());
        if let Some(host) = link_host(candidate) {
            found.push(Link {
                bytes: offset..offset + candidate.len(),
                host,
            });
        }
    }
    found
}

/// The host of `candidate` when it reads as a link.
fn link_host(candidate: &str) -> Option<String> {
    let lower = candidate.to_lowercase();
    let (rest, explicit) = if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        (rest, true)
    } else {
        (lower.as_str(), lower.starts_with("www."))
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let has_path = host_end < rest.len();
    let host = rest[..host_end].trim_start_matches("www.");
    let host = host.split(':').next().unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !well_formed {
        return None;
    }
    let tld = labels[labels.len() - 1];
    let tld_is_word = tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic);
    if !tld_is_word {
        return None;
    }
    (explicit || has_path || BARE_TLDS.contains(&tld)).then(|| host.to_owned())
}

/// Runs of `!` and `?` longer than `max` characters.
pub(crate) fn punctuation_runs(text: &str, max: usize) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut run: Option<usize> = None;
    let close = |found: &mut Vec<Range<usize>>, from: usize, to: usize| {
        if to - from > max {
            found.push(from..to);
        }
    };
    for (at, c) in text.char_indices() {
        match (matches!(c, '!' | '?' | '‼' | '⁉'), run) {
            (true, None) => run = Some(at),
            (false, Some(from)) => {
                close(&mut found, from, at);
                run = None;
            }
            _ => {}
        }
    }
    if let Some(from) = run {
        close(&mut found, from, text.len());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emoji_texts(text: &str) -> Vec<&str> {
        emoji(text).into_iter().map(|range| &text[range]).collect()
    }

    #[test]
    fn emoji_count_as_the_phone_draws_them() {
        assert_eq!(
            emoji_texts("Hi 😀 there 👍🏽!"),
            ["😀", "👍🏽"],
            "a skin tone belongs to its hand"
        );
        assert_eq!(
            emoji_texts("Семья 👨‍👩‍👧 и флаг 🇷🇺"),
            ["👨‍👩‍👧", "🇷🇺"],
            "a joined family and a flag are one picture each"
        );
        assert_eq!(
            emoji_texts("Press 1️⃣ or ❤️ or ❤ or ✔"),
            ["1️⃣", "❤️", "❤", "✔"],
            "keycaps and the common text symbols phones draw as emoji count"
        );
        assert!(
            emoji_texts("Price: 100 $ (№1) © ™ ✓ → «ok» 1.").is_empty(),
            "ordinary symbols and digits are not emoji"
        );
    }

    #[test]
    fn words_skip_placeholders_and_normalise() {
        let text = "Ёлка, {{1}}! Don’t miss it";
        let open = text.find("{{").expect("placeholder present");
        let placeholder: Range<usize> = open..open + "{{1}}".len();
        let words: Vec<String> = words(text, std::slice::from_ref(&placeholder))
            .into_iter()
            .map(|w| w.norm)
            .collect();
        assert_eq!(
            words,
            ["елка", "don't", "miss", "it"],
            "placeholders are not words; ё reads as е; apostrophes are unified"
        );
    }

    #[test]
    fn caps_words_need_letters_all_uppercase() {
        assert!(is_caps("SALE", 3), "SALE is shouting");
        assert!(is_caps("СКИДКА!", 3), "Russian capitals shout too");
        assert!(
            !is_caps("OK", 3),
            "two letters are an abbreviation, not shouting"
        );
        assert!(!is_caps("Sale", 3), "a capitalised word is not shouting");
        assert!(!is_caps("2024", 3), "digits are not letters");
    }

    #[test]
    fn links_are_found_with_and_without_a_scheme() {
        let text = "See https://shop.example.com/a?b=1, www.shop.ru, bit.ly/x2 and магазин.рф. \
                    Not e.g. or т.е. or file.txt or 3.14";
        let hosts: Vec<String> = links(text).into_iter().map(|l| l.host).collect();
        assert_eq!(
            hosts,
            ["shop.example.com", "shop.ru", "bit.ly", "магазин.рф"],
            "scheme, www, path or a known top-level domain make a link; abbreviations do not"
        );
        let text = "Go to (https://shop.ru/sale).";
        let link = &links(text)[0];
        assert_eq!(
            &text[link.bytes.clone()],
            "https://shop.ru/sale",
            "brackets and the full stop around a link are not part of it"
        );
    }

    #[test]
    fn punctuation_runs_longer_than_the_limit() {
        let text = "Wow!!! Really?! Yes. Why???";
        let runs: Vec<&str> = punctuation_runs(text, 1)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(runs, ["!!!", "?!", "???"], "runs of more than one ! or ?");
        assert_eq!(
            punctuation_runs(text, 2).len(),
            2,
            "a limit of 2 lets ?! through"
        );
    }

    #[test]
    fn char_index_converts_bytes_to_characters() {
        let text = "Привет, {{1}}";
        let index = CharIndex::new(text);
        let at = text.find("{{").expect("placeholder present");
        assert_eq!(
            index.span(at..text.len()),
            Span { start: 8, end: 13 },
            "spans count characters, not the two bytes of each Cyrillic letter"
        );
        assert_eq!(index.byte_at(8), at, "and back");
    }
}
