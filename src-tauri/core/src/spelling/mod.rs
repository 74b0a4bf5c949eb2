//! Hunspell spelling: [`Dictionaries`], the [`Speller`] Cadence always has.
//!
//! Built from the text of Hunspell `.aff`/`.dic` files (Cadence bundles Debian's
//! `ru_RU` and `en_US`) with `spellbook`. Pure like the rest of `core`: the engine
//! reads the files and hands their text in; nothing here touches the disk.
//!
//! What Hunspell alone gets wrong in marketing text, and how it is handled here:
//! - Russian writers often put `е` for `ё` (and dictionaries do not always list both):
//!   a word is right when it is right with either letter.
//! - A word in another alphabet (`iPhone` in a Russian text, `Москва` in an English
//!   one) is judged by the loaded dictionary of that alphabet, or not at all.
//! - Short all-capital words (`SMS`, `ТЦ`) are acronyms, and words with a capital
//!   inside (`iPhone`, `WhatsApp`) are names: neither is flagged.
//! - Hunspell's suggestions are slow (milliseconds a word), too slow for a lint on
//!   every keystroke: a check computes them for at most
//!   [`FRESH_SUGGESTIONS_PER_CHECK`] words it has not seen before and remembers
//!   them, so the next keystroke's lint finds them ready.
//! - The editor lints the same words on every keystroke: each word's verdict is
//!   remembered too, so a check of a 1,024-character body that changed by one
//!   letter asks Hunspell about one word.

mod words;

pub(crate) use words::{is_connector, is_number_char, is_word_char, words};

use std::collections::HashMap;
use std::sync::Mutex;

use crate::lint::{LintSettings, Misspelling, Speller};
use crate::template::Template;
use crate::{Error, Result};

/// The texts the spelling rule will hand a [`Speller`] when it lints `template`
/// with `settings`: each prose field with variables, URLs, numbers and known words
/// blanked out. A speller that cannot answer synchronously (a LanguageTool server)
/// checks these first and answers the lint from what it learnt.
pub fn texts_to_check(template: &Template, settings: &LintSettings) -> Vec<String> {
    crate::lint::spelling::masked_texts(template, settings)
}

/// Suggestions computed afresh in one [`Speller::check`] at most; later misspellings
/// of that check get theirs on a following check (they are remembered).
pub const FRESH_SUGGESTIONS_PER_CHECK: usize = 2;
/// Suggestions kept for one word.
pub const MAX_SUGGESTIONS: usize = 5;
/// Words whose suggestions are remembered; past this that memory starts afresh.
const SUGGESTION_MEMORY: usize = 4_096;
/// Words whose verdict is remembered; past this that memory starts afresh.
const VERDICT_MEMORY: usize = 65_536;
/// All-capital words up to this many letters are taken as acronyms.
const ACRONYM_MAX_CHARS: usize = 4;
/// A word with more `е` than this is tried with `ё` in its first ones only.
const YO_POSITIONS_TRIED: usize = 4;

/// The alphabet a dictionary (and a word) is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
}

fn script_of_char(c: char) -> Option<Script> {
    if c.is_ascii_alphabetic() || ('\u{c0}'..='\u{24f}').contains(&c) {
        Some(Script::Latin)
    } else if ('\u{400}'..='\u{52f}').contains(&c) {
        Some(Script::Cyrillic)
    } else {
        None
    }
}

/// The one alphabet all of `word`'s letters are in; `None` when it mixes them or
/// uses another (a mixed `Cкидка` with a Latin `C` is a typo the home dictionary
/// catches, so the caller sends it there).
fn script_of(word: &str) -> Option<Script> {
    let mut found = None;
    for c in word
        .chars()
        .filter(|&c| is_word_char(c) && !is_number_char(c))
    {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let script = script_of_char(c)?;
        match found {
            None => found = Some(script),
            Some(seen) if seen != script => return None,
            Some(_) => {}
        }
    }
    found
}

struct Entry {
    /// The primary language subtag, lowercase: `ru`, `en`.
    language: String,
    script: Script,
    dictionary: spellbook::Dictionary,
}

/// Hunspell dictionaries by language, checked with `spellbook`.
///
/// Build it once (the Russian dictionary takes about 0.1 s in a release build) and
/// share it behind an `Arc`: checks take `&self`.
pub struct Dictionaries {
    entries: Vec<Entry>,
    /// See [`Dictionaries::set_fresh_suggestions_per_check`].
    fresh_per_check: usize,
    /// What earlier checks learnt. One lock per check: checks are short, and the
    /// editor runs one at a time.
    memory: Mutex<Memory>,
}

/// Verdicts and suggestions already computed.
#[derive(Default)]
struct Memory {
    /// By (home entry, normalised word): the entry that finds it misspelled, or
    /// `None` when it is right (or cannot be judged).
    verdicts: HashMap<(usize, String), Option<usize>>,
    /// By (judging entry, normalised word).
    suggestions: HashMap<(usize, String), Vec<String>>,
}

impl std::fmt::Debug for Dictionaries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dictionaries")
            .field("languages", &self.languages().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Default for Dictionaries {
    fn default() -> Self {
        Dictionaries::new()
    }
}

impl Dictionaries {
    /// No dictionary yet: checks find nothing until one is added.
    pub fn new() -> Dictionaries {
        Dictionaries {
            entries: Vec::new(),
            fresh_per_check: FRESH_SUGGESTIONS_PER_CHECK,
            memory: Mutex::new(Memory::default()),
        }
    }

    /// Adds (or replaces) the dictionary of `language` (`ru`, `en`; a region such
    /// as `en_US` is ignored) from the text of its `.aff` and `.dic` files.
    pub fn add(&mut self, language: &str, aff: &str, dic: &str) -> Result<()> {
        let language = primary_language(language);
        let refuse = |reason: String| Error::Dictionary {
            language: language.clone(),
            reason,
        };
        if language.is_empty() {
            return Err(refuse("no language code given".into()));
        }
        let dictionary = spellbook::Dictionary::new(aff, dic).map_err(|e| refuse(e.to_string()))?;
        let script = dictionary_script(dic).ok_or_else(|| {
            refuse("its words are in neither the Latin nor the Cyrillic alphabet".into())
        })?;
        self.entries.retain(|entry| entry.language != language);
        self.entries.push(Entry {
            language,
            script,
            dictionary,
        });
        self.forget();
        Ok(())
    }

    /// How many words one check computes suggestions for afresh (default
    /// [`FRESH_SUGGESTIONS_PER_CHECK`], right for linting on every keystroke). A
    /// one-shot lint such as `cadence lint` wants them all: `usize::MAX`.
    pub fn set_fresh_suggestions_per_check(&mut self, count: usize) {
        self.fresh_per_check = count;
    }

    /// The languages with a dictionary, as primary subtags (`ru`, `en`).
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| entry.language.as_str())
    }

    /// Whether a template in Meta's `language` (`ru`, `en_US`) can be checked.
    pub fn has(&self, language: &str) -> bool {
        self.entry_for(language).is_some()
    }

    fn entry_for(&self, language: &str) -> Option<usize> {
        let language = primary_language(language);
        self.entries
            .iter()
            .position(|entry| entry.language == language)
    }

    /// Drops what earlier checks learnt (the dictionaries changed).
    fn forget(&self) {
        *self.lock_memory() = Memory::default();
    }

    fn lock_memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        // A panic while the lock was held leaves at worst a half-filled cache entry
        // set, which is still correct: keep using it.
        self.memory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The dictionary that finds `word` misspelled, or `None` when the word is right
    /// or no loaded dictionary can judge it. `word` is already normalised.
    fn judge(&self, home: usize, word: &str) -> Option<usize> {
        if word.chars().any(is_number_char) {
            return None;
        }
        let judge = match script_of(word) {
            Some(script) if script != self.entries[home].script => self
                .entries
                .iter()
                .position(|entry| entry.script == script)?,
            _ => home,
        };
        if is_acronym(word) || has_inner_capital(word) {
            return None;
        }
        if knows(&self.entries[judge], word) {
            None
        } else {
            Some(judge)
        }
    }

    /// Suggestions for `word` from dictionary `entry`: remembered ones, else new
    /// ones while this check's allowance (`fresh`) lasts, else none for now.
    fn suggest(
        &self,
        memory: &mut Memory,
        entry: usize,
        word: &str,
        fresh: &mut usize,
    ) -> Vec<String> {
        let key = (entry, word.to_owned());
        if let Some(found) = memory.suggestions.get(&key) {
            return found.clone();
        }
        if *fresh == 0 {
            return Vec::new();
        }
        *fresh -= 1;
        let mut out = Vec::new();
        // Without n-gram suggestions Hunspell still offers every one-edit fix
        // (typos, swapped or missing letters, a missing space) at a fraction of
        // the time: n-grams cost tens of milliseconds on the Russian dictionary.
        self.entries[entry]
            .dictionary
            .suggester()
            .with_ngram_suggestions(false)
            .suggest(word, &mut out);
        out.retain(|s| s != word);
        rank(word, &mut out);
        out.truncate(MAX_SUGGESTIONS);
        if memory.suggestions.len() >= SUGGESTION_MEMORY {
            memory.suggestions.clear();
        }
        memory.suggestions.insert(key, out.clone());
        out
    }
}

impl Speller for Dictionaries {
    fn check(&self, language: &str, text: &str) -> Vec<Misspelling> {
        let Some(home) = self.entry_for(language) else {
            return Vec::new();
        };
        let mut fresh = self.fresh_per_check;
        let mut found = Vec::new();
        let mut memory = self.lock_memory();
        for word in words(text) {
            let normal = normalise(word.text);
            let key = (home, normal);
            let verdict = match memory.verdicts.get(&key) {
                Some(verdict) => *verdict,
                None => {
                    let verdict = self.judge(home, &key.1);
                    if memory.verdicts.len() >= VERDICT_MEMORY {
                        memory.verdicts.clear();
                    }
                    memory.verdicts.insert(key.clone(), verdict);
                    verdict
                }
            };
            if let Some(judge) = verdict {
                found.push(Misspelling {
                    span: word.span,
                    word: word.text.to_owned(),
                    suggestions: self.suggest(&mut memory, judge, &key.1, &mut fresh),
                });
            }
        }
        found
    }
}

/// Orders Hunspell's suggestions so that the likeliest typo fix comes first.
///
/// Hunspell lists its one-edit suggestions by the kind of edit it tried, not by how
/// likely a person is to have made it (for `Превет` it offers `Ревет` before
/// `Привет`). Each suggestion is scored with a weighted edit distance from the typo:
/// a doubled or undoubled letter and a wrong vowel (`е` for `и`, `a` for `e`) are
/// cheapest, then a forgotten letter, then an extra or wrong one; a changed first
/// letter is rare, and a split into two words (`co lours`) is a last resort. The sort is stable: Hunspell's order breaks ties.
fn rank(word: &str, suggestions: &mut [String]) {
    suggestions.sort_by_cached_key(|s| typo_cost(word, s));
}

/// Edit costs in tenths, for [`typo_cost`].
mod cost {
    /// The typo lacks a letter the word has (the commonest slip).
    pub const FORGOTTEN: u32 = 8;
    /// The typo has a letter too many.
    pub const EXTRA: u32 = 10;
    /// A letter typed twice, or a double letter typed once (`магазинне`,
    /// `класный`): the commonest slip of all.
    pub const DOUBLING: u32 = 5;
    /// One letter for another.
    pub const WRONG: u32 = 10;
    /// One vowel for another.
    pub const WRONG_VOWEL: u32 = 5;
    /// Two neighbours swapped.
    pub const SWAPPED: u32 = 8;
    /// Added when the first letter differs.
    pub const FIRST_LETTER: u32 = 10;
    /// Added when the suggestion splits the word in two.
    pub const SPLIT: u32 = 20;
}

fn is_vowel(c: char) -> bool {
    "aeiouyаеёиоуыэюя".contains(c)
}

/// How unlikely it is that someone meaning `intended` typed `typed`, in tenths of
/// an edit (optimal string alignment distance with the weights of [`cost`]).
fn typo_cost(typed: &str, intended: &str) -> u32 {
    let a: Vec<char> = typed
        .chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect();
    let b: Vec<char> = intended
        .chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect();
    let width = b.len() + 1;
    let mut d = vec![0u32; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i as u32 * cost::EXTRA;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j as u32 * cost::FORGOTTEN;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = if a[i - 1] == b[j - 1] {
                0
            } else if is_vowel(a[i - 1]) && is_vowel(b[j - 1]) {
                cost::WRONG_VOWEL
            } else {
                cost::WRONG
            };
            let extra = if i > 1 && a[i - 1] == a[i - 2] {
                cost::DOUBLING
            } else {
                cost::EXTRA
            };
            let forgotten = if j > 1 && b[j - 1] == b[j - 2] {
                cost::DOUBLING
            } else {
                cost::FORGOTTEN
            };
            let mut best = (d[(i - 1) * width + j] + extra)
                .min(d[i * width + j - 1] + forgotten)
                .min(d[(i - 1) * width + j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + cost::SWAPPED);
            }
            d[i * width + j] = best;
        }
    }
    let mut total = d[a.len() * width + b.len()];
    if a.first() != b.first() {
        total += cost::FIRST_LETTER;
    }
    if intended.contains(' ') || (intended.contains('-') && !typed.contains('-')) {
        total += cost::SPLIT;
    }
    total
}

/// `ru` for `ru`, `ru_RU`, `RU-ru`: the part before a region.
fn primary_language(code: &str) -> String {
    code.split(['_', '-'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase()
}

/// The alphabet of a `.dic` file, from the letters of its first words (the first
/// line is the word count).
fn dictionary_script(dic: &str) -> Option<Script> {
    let (mut latin, mut cyrillic) = (0usize, 0usize);
    for c in dic.lines().skip(1).take(2_000).flat_map(str::chars) {
        match script_of_char(c) {
            Some(Script::Latin) => latin += 1,
            Some(Script::Cyrillic) => cyrillic += 1,
            None => {}
        }
    }
    match (latin, cyrillic) {
        (0, 0) => None,
        (l, c) if c > l => Some(Script::Cyrillic),
        _ => Some(Script::Latin),
    }
}

/// The word as the dictionary spells it: without stress marks, with a plain
/// apostrophe for a typographic one.
fn normalise(word: &str) -> String {
    word.chars()
        .filter(|&c| c != '\u{301}' && c != '\u{300}')
        .map(|c| match c {
            '\u{2019}' | '\u{02bc}' => '\'',
            '\u{2010}' | '\u{2011}' => '-',
            other => other,
        })
        .collect()
}

fn is_acronym(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    letters > 1
        && letters <= ACRONYM_MAX_CHARS
        && word
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
}

/// `iPhone`, `WhatsApp`, `МегаФон`: a capital after a small letter marks a name.
fn has_inner_capital(word: &str) -> bool {
    let mut seen_lower = false;
    for c in word.chars() {
        if c.is_lowercase() {
            seen_lower = true;
        } else if c.is_uppercase() && seen_lower {
            return true;
        } else if !c.is_alphabetic() {
            // A hyphenated `Санкт-Петербург` starts a new part.
            seen_lower = false;
        }
    }
    false
}

/// Whether the dictionary knows `word`, reading `е` and `ё` as the same letter.
fn knows(entry: &Entry, word: &str) -> bool {
    let dictionary = &entry.dictionary;
    if dictionary.check(word) {
        return true;
    }
    if entry.script != Script::Cyrillic {
        return false;
    }
    if word.contains(['ё', 'Ё']) {
        let plain: String = word
            .chars()
            .map(|c| match c {
                'ё' => 'е',
                'Ё' => 'Е',
                other => other,
            })
            .collect();
        if dictionary.check(&plain) {
            return true;
        }
    }
    let chars: Vec<char> = word.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, 'е' | 'Е'))
        .take(YO_POSITIONS_TRIED)
        .any(|(i, c)| {
            let mut with_yo = chars.clone();
            with_yo[i] = if *c == 'е' { 'ё' } else { 'Ё' };
            dictionary.check(&with_yo.iter().collect::<String>())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small Hunspell dictionary written for these tests: the real ones are
    /// exercised by the crate's integration tests.
    const EN_AFF: &str = "SET UTF-8\nTRY esianrtolcdugmphbyfvkwz'\nSFX S Y 1\nSFX S 0 s .\n";
    const EN_DIC: &str = "6\nhello\nworld/S\noffer/S\ndon't\nsale/S\nthe\n";
    const RU_AFF: &str = "SET UTF-8\nTRY оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё\n";
    const RU_DIC: &str = "6\nёлка\nещё\nи\nпривет\nмир\nскидка\n";

    fn both() -> Dictionaries {
        let mut d = Dictionaries::new();
        d.add("en_US", EN_AFF, EN_DIC).unwrap();
        d.add("ru", RU_AFF, RU_DIC).unwrap();
        d
    }

    fn wrong(d: &Dictionaries, language: &str, text: &str) -> Vec<String> {
        d.check(language, text)
            .into_iter()
            .map(|m| m.word)
            .collect()
    }

    #[test]
    fn e_and_yo_are_the_same_letter_for_russian() {
        let d = both();
        assert_eq!(
            wrong(&d, "ru", "Привет, елка и ёлка, еще и ещё"),
            Vec::<String>::new(),
            "Russian texts write е for ё; either spelling is right"
        );
        assert_eq!(wrong(&d, "ru", "Превет"), ["Превет"]);
    }

    #[test]
    fn capitals_at_a_sentence_start_and_acronyms_are_fine() {
        let d = both();
        assert_eq!(
            wrong(&d, "en", "Hello world. Offers! SMS, iPhone, HELLO"),
            Vec::<String>::new(),
            "a capitalised known word, an acronym and a camel-case name are not misspellings"
        );
    }

    #[test]
    fn contractions_with_either_apostrophe_are_one_known_word() {
        let d = both();
        assert_eq!(wrong(&d, "en", "Don't, don’t"), Vec::<String>::new());
        assert_eq!(wrong(&d, "en", "dont"), ["dont"]);
    }

    #[test]
    fn a_word_in_the_other_alphabet_goes_to_its_own_dictionary() {
        let d = both();
        assert_eq!(
            wrong(&d, "ru", "Скидка: sale, sael"),
            ["sael"],
            "Latin words in a Russian text are checked in English"
        );
        let mut ru_only = Dictionaries::new();
        ru_only.add("ru", RU_AFF, RU_DIC).unwrap();
        assert_eq!(
            wrong(&ru_only, "ru", "Скидка sael"),
            Vec::<String>::new(),
            "without an English dictionary a Latin word cannot be judged, so it is not flagged"
        );
    }

    #[test]
    fn a_language_without_a_dictionary_finds_nothing() {
        assert!(both().check("de", "Ganz falsch geschriben").is_empty());
        assert!(!both().has("pt_BR"));
        assert!(both().has("en_GB"), "a region falls back to its language");
    }

    #[test]
    fn spans_and_suggestions_come_with_each_misspelling() {
        let d = both();
        let found = d.check("en_US", "hello wrld");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, crate::lint::Span { start: 6, end: 10 });
        assert!(
            found[0].suggestions.contains(&"world".to_owned()),
            "a missing letter is a one-edit suggestion: {:?}",
            found[0].suggestions
        );
    }

    #[test]
    fn fresh_suggestions_are_limited_per_check_and_remembered() {
        let d = both();
        let text = "wrld hellp salle offr";
        let first = d.check("en", text);
        let with_suggestions = first.iter().filter(|m| !m.suggestions.is_empty()).count();
        assert_eq!(
            with_suggestions, FRESH_SUGGESTIONS_PER_CHECK,
            "one check computes only a few suggestions so a lint stays fast"
        );
        let second = d.check("en", text);
        assert!(
            second.iter().all(|m| !m.suggestions.is_empty()),
            "the next check finds earlier ones remembered and computes the rest: {second:?}"
        );
    }

    #[test]
    fn the_likeliest_typo_fix_ranks_first() {
        let mut suggestions: Vec<String> =
            ["Ревет", "Преет", "Поревет", "Прервет", "Привет", "Пре вет"]
                .map(String::from)
                .to_vec();
        rank("Превет", &mut suggestions);
        assert_eq!(
            suggestions,
            ["Привет", "Поревет", "Прервет", "Преет", "Ревет", "Пре вет"],
            "a wrong vowel beats a forgotten letter, which beats an extra one; \
             a new first letter and a split come last"
        );
        assert!(
            typo_cost("ordr", "order") < typo_cost("ordr", "ordn"),
            "a forgotten letter is likelier than a wrong one"
        );
        assert!(typo_cost("recieve", "receive") < typo_cost("recieve", "relieve"));
        assert!(
            typo_cost("магазинне", "магазине") < typo_cost("магазинне", "магазинное"),
            "a key pressed twice is likelier than a forgotten letter"
        );
        assert!(typo_cost("класный", "классный") < typo_cost("класный", "классной"));
    }

    #[test]
    fn a_broken_dictionary_is_refused_with_its_language() {
        let mut d = Dictionaries::new();
        let error = d.add("ru", "FLAG bogus\n", "1\nслово/ab\n").unwrap_err();
        assert!(
            matches!(&error, Error::Dictionary { language, .. } if language == "ru"),
            "the error names the dictionary: {error}"
        );
    }
}
