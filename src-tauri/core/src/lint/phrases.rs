//! Phrase libraries and how they match prose: the default lists of the
//! language-dependent rules (relevance, repeat contact, opt-out, negative context,
//! promotional words) and the matcher.
//!
//! A phrase is words separated by spaces. It matches a run of consecutive words of
//! the text:
//! - case-insensitively, `ё` read as `е`, punctuation ignored;
//! - with variables in the text skipped, so "Since you bought {{1}}" and
//!   "Вы, {{1}}, недавно покупали" match "since you bought" and "вы недавно покупали";
//! - a word ending in `*` matches any word it begins (`скидк*`: скидка, скидки, …);
//! - a Russian word also matches its other forms: its ending is swapped for the
//!   common noun and verb endings (`долг`: долга, долгу, долгов; `интересовались`:
//!   интересовался, интересовалась), but not for adjective endings, so "долг" does
//!   not match "долго" or "долгий".
//!
//! Owns matching and the default lists; must not know the rules that use them.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use super::text::{Word, normalise, words};

/// Endings a Russian phrase word may be written with, stripped to find its stem
/// (the longest that leaves at least three letters).
const STRIP_ENDINGS: &[&str] = &[
    "ться", "лись", "лась", "лось", "ость", "ого", "его", "ому", "ему", "ыми", "ими", "лся", "ами",
    "ями", "ешь", "ишь", "ете", "ите", "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ым",
    "им", "ых", "их", "ую", "юю", "ом", "ем", "ей", "ам", "ям", "ах", "ях", "ов", "ев", "ью", "ия",
    "ии", "ию", "ть", "ет", "ют", "ит", "ят", "ла", "ло", "ли", "а", "я", "о", "е", "ь", "и", "ы",
    "у", "ю", "л",
];

/// Endings a Russian text word may have after the stem: noun cases and verb forms.
/// Adjective endings (`ого`, `ий`, `ой`, `ие`, …) and `о` are left out on purpose:
/// they turn "долг" (debt) into "долгого", "долгий", "долгие", "долго" (long).
const TEXT_ENDINGS: &[&str] = &[
    "", "а", "я", "у", "ю", "ы", "и", "е", "ь", "ом", "ем", "ей", "ам", "ям", "ами", "ями", "ах",
    "ях", "ов", "ев", "ью", "ия", "ии", "ию", "ием", "л", "ла", "ло", "ли", "лся", "лась", "лось",
    "лись", "ть", "ться", "ет", "ют", "ит", "ят", "ешь", "ете", "ите",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum PhraseWord {
    Exact(String),
    Prefix(String),
    /// A Russian word: matches itself, or its stem plus a [`TEXT_ENDINGS`] ending.
    Russian {
        word: String,
        stem: String,
    },
}

impl PhraseWord {
    fn new(raw: &str) -> Option<PhraseWord> {
        let prefix = raw.ends_with('*');
        let norm = normalise(raw.trim_end_matches('*'));
        if norm.is_empty() {
            return None;
        }
        if prefix {
            return Some(PhraseWord::Prefix(norm));
        }
        if norm.chars().any(is_cyrillic) {
            let stem = russian_stem(&norm).to_owned();
            return Some(PhraseWord::Russian { word: norm, stem });
        }
        Some(PhraseWord::Exact(norm))
    }

    fn matches(&self, word: &str) -> bool {
        match self {
            PhraseWord::Exact(exact) => word == exact,
            PhraseWord::Prefix(prefix) => word.starts_with(prefix.as_str()),
            PhraseWord::Russian { word: whole, stem } => {
                word == whole
                    || word
                        .strip_prefix(stem.as_str())
                        .is_some_and(|ending| TEXT_ENDINGS.contains(&ending))
            }
        }
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

fn russian_stem(word: &str) -> &str {
    let letters = word.chars().count();
    STRIP_ENDINGS
        .iter()
        .filter(|ending| word.ends_with(*ending) && letters - ending.chars().count() >= 3)
        .max_by_key(|ending| ending.len())
        .map_or(word, |ending| &word[..word.len() - ending.len()])
}

/// A phrase of a library, ready to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phrase {
    words: Vec<PhraseWord>,
}

/// The phrases of `list`, ready to match; entries without words are dropped.
pub(crate) fn compile(list: &[String]) -> Vec<Phrase> {
    list.iter()
        .filter_map(|entry| {
            let mut phrase_words = Vec::new();
            for chunk in entry.split_whitespace() {
                let star = chunk.ends_with('*');
                let pieces = words(chunk, &[]);
                let count = pieces.len();
                for (at, piece) in pieces.into_iter().enumerate() {
                    // `*` applies to the last word of its chunk (`opt-out*`).
                    let raw = if star && at + 1 == count {
                        format!("{}*", piece.norm)
                    } else {
                        piece.norm
                    };
                    phrase_words.extend(PhraseWord::new(&raw));
                }
            }
            (!phrase_words.is_empty()).then_some(Phrase {
                words: phrase_words,
            })
        })
        .collect()
}

/// How many compiled lists [`compiled`] keeps: six rules, two languages, and room
/// for a workspace's edited lists.
const CACHE_MAX: usize = 24;

/// The phrases of `list`, compiled once and kept: settings rarely change, and
/// compiling the default lists on every keystroke would be most of a lint's time.
/// A list is found again by its entries, so an edited list compiles afresh.
pub(crate) fn compiled(list: &[String]) -> Arc<[Phrase]> {
    /// A list's entries and what they compiled to.
    type Entry = (Vec<String>, Arc<[Phrase]>);
    static CACHE: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    // A panic while holding the lock cannot leave the cache half-written (each
    // entry is pushed whole), so a poisoned lock is still good to use.
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, phrases)) = cache.iter().find(|(entries, _)| entries.as_slice() == list) {
        return Arc::clone(phrases);
    }
    let phrases: Arc<[Phrase]> = compile(list).into();
    if cache.len() >= CACHE_MAX {
        cache.remove(0);
    }
    cache.push((list.to_vec(), Arc::clone(&phrases)));
    phrases
}

/// Where phrases of `phrases` occur among `text_words`: byte ranges from the first
/// matched word's start to the last one's end, in order, not overlapping.
pub(crate) fn find(text_words: &[Word], phrases: &[Phrase]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < text_words.len() {
        let longest = phrases
            .iter()
            .filter(|phrase| {
                phrase.words.len() <= text_words.len() - at
                    && phrase
                        .words
                        .iter()
                        .zip(&text_words[at..])
                        .all(|(want, word)| want.matches(&word.norm))
            })
            .map(|phrase| phrase.words.len())
            .max();
        match longest {
            Some(length) => {
                found.push(text_words[at].bytes.start..text_words[at + length - 1].bytes.end);
                at += length;
            }
            None => at += 1,
        }
    }
    found
}

/// Whether any phrase of `phrases` occurs among `text_words`.
pub(crate) fn contains(text_words: &[Word], phrases: &[Phrase]) -> bool {
    (0..text_words.len()).any(|at| {
        phrases.iter().any(|phrase| {
            phrase.words.len() <= text_words.len() - at
                && phrase
                    .words
                    .iter()
                    .zip(&text_words[at..])
                    .all(|(want, word)| want.matches(&word.norm))
        })
    })
}

fn list(entries: &[&str]) -> Vec<String> {
    entries.iter().map(|entry| (*entry).to_owned()).collect()
}

/// "Why this message is for you" (relevance phrasing).
pub(crate) fn relevance_en() -> Vec<String> {
    list(&[
        "you recently looked at",
        "you looked at",
        "you recently viewed",
        "you viewed",
        "you recently visited",
        "since you bought",
        "since you purchased",
        "since you ordered",
        "you bought",
        "you ordered",
        "left in your cart",
        "in your cart",
        "in your basket",
        "on your wishlist",
        "in your wishlist",
        "you added",
        "you saved",
        "you asked about",
        "you searched for",
        "you showed interest",
        "you were interested in",
        "you liked",
        "based on your",
        "picked for you",
        "selected for you",
        "chosen for you",
        "matches your",
        "in your size",
        "your favourite",
        "your favorite",
        "as a fan of",
    ])
}

pub(crate) fn relevance_ru() -> Vec<String> {
    list(&[
        "недавно вы интересовались",
        "вы недавно интересовались",
        "вы интересовались",
        "вы недавно смотрели",
        "вы смотрели",
        "вы недавно покупали",
        "вы покупали",
        "вы купили",
        "вы заказывали",
        "вы заказали",
        "вы оставили в корзине",
        "в корзин*",
        "в избранн*",
        "вы добавили",
        "вы сохранили",
        "вы спрашивали",
        "вы искали",
        "по вашему запросу",
        "по вашим интересам",
        "с учетом ваших",
        "специально для вас",
        "подобрали для вас",
        "подобрали специально",
        "вам понравил*",
        "в вашем размере",
        "ваш размер",
        "к вашей покупке",
        "к вашему заказу",
    ])
}

/// "You are already our customer / we have talked" (repeat-contact marker). Browsing
/// ("you recently looked at") is relevance, not a relationship, so it is not here.
pub(crate) fn repeat_contact_en() -> Vec<String> {
    list(&[
        "as our customer",
        "as a customer",
        "as our client",
        "as a valued customer",
        "as a member",
        "as a regular",
        "thank you for your order",
        "thanks for your order",
        "thank you for your purchase",
        "thanks for your purchase",
        "thank you for shopping",
        "thanks for shopping",
        "welcome back",
        "for being with us",
        "you have been with us",
        "your last order",
        "your recent order",
        "your previous order",
        "your last purchase",
        "your recent purchase",
        "your last visit",
        "since your last",
        "your order",
        "your purchase",
        "your account",
        "your membership",
        "your subscription",
        "your loyalty",
        "loyalty card",
        "loyalty programme",
        "loyalty program",
        "your bonus*",
        "your points",
        "you bought",
        "you purchased",
        "you ordered",
        "since you bought",
        "you subscribed",
        "you signed up",
        "you asked us",
        "you contacted us",
        "you wrote to us",
    ])
}

pub(crate) fn repeat_contact_ru() -> Vec<String> {
    list(&[
        "вы наш клиент",
        "как наш* клиент*",
        "наш* постоянн* клиент*",
        "постоянн* клиент*",
        "постоянн* покупател*",
        "спасибо за покупку",
        "спасибо за заказ",
        "спасибо что выбираете нас",
        "спасибо что вы с нами",
        "вы с нами",
        "с возвращением",
        "ваш* заказ*",
        "ваш* покупк*",
        "ваш* последн* заказ*",
        "ваш* последн* покупк*",
        "ваш* бонус*",
        "ваш* балл*",
        "бонусн* балл*",
        "ваш* карт*",
        "программ* лояльност*",
        "ваш* личн* кабинет*",
        "ваш* подписк*",
        "вы подписались",
        "вы покупали",
        "вы купили",
        "вы заказывали",
        "вы заказали",
        "вы недавно покупали",
        "вы обращались",
        "вы писали нам",
        "участник* клуба",
    ])
}

/// Unsubscribe wording in the body or footer.
pub(crate) fn opt_out_en() -> Vec<String> {
    list(&[
        "unsubscribe",
        "opt out",
        "reply stop",
        "text stop",
        "send stop",
        "stop promotions",
        "stop receiving",
        "no longer receive",
        "don't want to receive",
        "do not want to receive",
    ])
}

pub(crate) fn opt_out_ru() -> Vec<String> {
    list(&[
        "отписаться",
        "отпишитесь",
        "отписк*",
        "отказаться от рассылк*",
        "отказаться от сообщений",
        "ответьте стоп",
        "напишите стоп",
        "отправьте стоп",
        "чтобы не получать",
        "не хотите получать",
        "больше не получать",
    ])
}

/// Quick-reply labels that are a Stop button.
pub(crate) fn stop_labels_en() -> Vec<String> {
    list(&["stop", "unsubscribe", "opt out", "no more messages"])
}

pub(crate) fn stop_labels_ru() -> Vec<String> {
    list(&[
        "отписаться",
        "отписк*",
        "стоп",
        "не присылать",
        "больше не присылать",
        "отказаться",
    ])
}

/// Debt collection and similar negative context: not marketing.
pub(crate) fn negative_en() -> Vec<String> {
    list(&[
        "debt",
        "debts",
        "indebted",
        "overdue",
        "past due",
        "arrears",
        "collection agency",
        "debt collector*",
        "final notice",
        "final demand",
        "final warning",
        "outstanding balance",
        "unpaid",
        "late payment",
        "missed payment",
        "legal action",
        "bailiff*",
        "repossess*",
        "you owe",
    ])
}

pub(crate) fn negative_ru() -> Vec<String> {
    list(&[
        "долг",
        "задолженност*",
        "просроч*",
        "взыскани*",
        "взыщ*",
        "коллектор*",
        "должник*",
        "неоплачен*",
        "неуплат*",
        "судебн* пристав*",
        "исполнительн* производств*",
        "последнее предупреждение",
    ])
}

/// Promotional words: a utility template with them is likely re-categorised.
pub(crate) fn promotional_en() -> Vec<String> {
    list(&[
        "sale",
        "sales",
        "discount*",
        "promo*",
        "coupon*",
        "special offer",
        "limited time",
        "deal",
        "deals",
        "buy now",
        "shop now",
        "order now",
        "free gift",
        "cashback",
        "clearance",
        "bargain*",
        "black friday",
        "save up to",
        "off everything",
    ])
}

pub(crate) fn promotional_ru() -> Vec<String> {
    list(&[
        "скидк*",
        "акци*",
        "распродаж*",
        "промокод*",
        "купон*",
        "выгодн*",
        "спецпредложени*",
        "специальн* предложени*",
        "кэшбэк*",
        "кешбэк*",
        "в подарок",
        "успейте",
        "только сегодня",
        "купите",
        "закажите сейчас",
        "черная пятница",
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(text: &str, entries: &[&str]) -> Vec<String> {
        let phrases = compile(&list(entries));
        let skip: Vec<Range<usize>> = crate::template::placeholders(text)
            .into_iter()
            .map(|p| p.bytes)
            .collect();
        let text_words = words(text, &skip);
        find(&text_words, &phrases)
            .into_iter()
            .map(|range| text[range].to_owned())
            .collect()
    }

    #[test]
    fn phrases_match_case_insensitively_and_skip_variables() {
        assert_eq!(
            matches("Since you bought {{1}} from us", &["since you bought"]),
            ["Since you bought"],
            "case does not matter"
        );
        assert_eq!(
            matches(
                "Вы, {{1}}, недавно покупали у нас кроссовки",
                &["вы недавно покупали"]
            ),
            ["Вы, {{1}}, недавно покупали"],
            "a variable and commas inside the phrase do not break it"
        );
        assert!(
            matches("You recently looked away", &["you recently looked at"]).is_empty(),
            "every word of the phrase must be there, in order"
        );
    }

    #[test]
    fn russian_words_match_their_forms_but_not_lookalikes() {
        let debt = ["долг"];
        for text in [
            "Ваш долг",
            "погасите долга",
            "по долгу",
            "с долгом",
            "ваших долгов",
        ] {
            assert_eq!(
                matches(text, &debt).len(),
                1,
                "{text:?}: the forms of «долг» are debt"
            );
        }
        for text in [
            "Мы долго ждали",
            "после долгой зимы",
            "долгий путь",
            "долгие годы",
            "долгожданная новинка",
        ] {
            assert!(
                matches(text, &debt).is_empty(),
                "{text:?}: «долго», «долгий», «долгожданный» mean long, not debt"
            );
        }
        assert_eq!(
            matches(
                "Недавно вы интересовалась курткой",
                &["недавно вы интересовались"]
            ),
            ["Недавно вы интересовалась"],
            "a verb's past forms (he, she, they) all match"
        );
        assert_eq!(
            matches("У вас задолженности по оплате", &["задолженност*"]),
            ["задолженности"],
            "a starred word matches any word it begins"
        );
        assert_eq!(
            matches("Ёлки со скидкой", &["скидк*", "елк*"]),
            ["Ёлки", "скидкой"],
            "ё reads as е on both sides"
        );
    }

    #[test]
    fn the_longest_phrase_wins_and_matches_do_not_overlap() {
        assert_eq!(
            matches("Hurry, special offer inside", &["offer", "special offer"]),
            ["special offer"],
            "one finding for one phrase, not one per word of it"
        );
    }

    #[test]
    fn english_defaults_hold_no_russian_and_the_reverse() {
        let lists = [
            (relevance_en(), relevance_ru()),
            (repeat_contact_en(), repeat_contact_ru()),
            (opt_out_en(), opt_out_ru()),
            (stop_labels_en(), stop_labels_ru()),
            (negative_en(), negative_ru()),
            (promotional_en(), promotional_ru()),
        ];
        for (en, ru) in lists {
            assert!(
                en.iter().all(|p| !p.chars().any(is_cyrillic)),
                "English lists are matched against English templates: {en:?}"
            );
            assert!(
                ru.iter().all(|p| p.chars().any(is_cyrillic)),
                "Russian lists are matched against Russian templates: {ru:?}"
            );
            assert!(
                !compile(&en).is_empty() && !compile(&ru).is_empty(),
                "every default list compiles to phrases"
            );
        }
    }
}
