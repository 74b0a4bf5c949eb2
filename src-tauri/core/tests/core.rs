//! The core crate from the outside: the pure domain as the engine, the app and the
//! CLI use it.

/// The linter's rules against the corpus in `tests/lint_corpus/`.
#[path = "core/lint.rs"]
mod lint;

/// The spelling rule with the real bundled dictionaries (Debian's hunspell-ru and
/// hunspell-en-us under `assets/dictionaries/`).
mod spelling {
    use std::sync::OnceLock;

    use cadence_core::Language;
    use cadence_core::lint::{self, LintContext, LintSettings, Speller};
    use cadence_core::spelling::Dictionaries;
    use cadence_core::template::{Button, Field, Header, Template};

    macro_rules! dictionary {
        ($name:literal) => {
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../assets/dictionaries/",
                $name
            ))
        };
    }

    /// Loading the Russian dictionary takes a while in a debug build: once per run.
    fn dictionaries() -> &'static Dictionaries {
        static LOADED: OnceLock<Dictionaries> = OnceLock::new();
        LOADED.get_or_init(|| {
            let mut d = Dictionaries::new();
            d.add("ru", dictionary!("ru_RU.aff"), dictionary!("ru_RU.dic"))
                .expect("the bundled Russian dictionary loads");
            d.add("en", dictionary!("en_US.aff"), dictionary!("en_US.dic"))
                .expect("the bundled English dictionary loads");
            // Tests want every suggestion at once, as `cadence lint` does.
            d.set_fresh_suggestions_per_check(usize::MAX);
            d
        })
    }

    fn misspelled(language: &str, text: &str) -> Vec<String> {
        dictionaries()
            .check(language, text)
            .into_iter()
            .map(|m| m.word)
            .collect()
    }

    fn first_suggestion(language: &str, word: &str) -> Option<String> {
        dictionaries()
            .check(language, word)
            .into_iter()
            .next()
            .and_then(|m| m.suggestions.into_iter().next())
    }

    #[test]
    fn russian_marketing_prose_has_no_false_alarms() {
        let text = "Здравствуйте! Недавно вы интересовались садовой мебелью. Ещё раз \
                    спасибо, что выбрали нас: ёлки и елки, всё и все, по-русски и \
                    что-нибудь. СКИДКА до воскресенья, звоните в любое время. \
                    Ответьте «Стоп», чтобы отписаться.";
        assert_eq!(
            misspelled("ru", text),
            Vec::<String>::new(),
            "capitalised and all-capital words, ё written as е, hyphenated words are right"
        );
    }

    #[test]
    fn english_marketing_prose_has_no_false_alarms() {
        let text = "Hi! You recently looked at our chairs. We'll hold them for you; \
                    don't miss out, you’re on our list. It's a well-known brand. \
                    SALE ends Sunday. Reply STOP to unsubscribe.";
        assert_eq!(
            misspelled("en_US", text),
            Vec::<String>::new(),
            "contractions with either apostrophe, hyphenated words and capitals are right"
        );
    }

    #[test]
    fn real_typos_are_found_with_the_right_word_first() {
        let cases = [
            ("ru", "Превет", "Привет"),
            ("ru", "интересовалсь", "интересовались"),
            ("ru", "скидкв", "скидки"),
            ("en", "recieve", "receive"),
            ("en", "Chiars", "Chairs"),
        ];
        for (language, typo, expected) in cases {
            assert_eq!(
                misspelled(language, typo),
                [typo],
                "{typo:?} is not a {language} word"
            );
            assert_eq!(
                first_suggestion(language, typo).as_deref(),
                Some(expected),
                "the likeliest fix of {typo:?} comes first, in the word's own case"
            );
        }
    }

    #[test]
    fn latin_words_in_a_russian_text_are_checked_in_english() {
        assert_eq!(
            misspelled("ru", "Новый iPhone и скидка на delivry"),
            ["delivry"],
            "a camel-case name passes; an English typo inside Russian text is still caught"
        );
    }

    fn context<'a>(settings: &'a LintSettings, language: Language) -> LintContext<'a> {
        LintContext {
            settings,
            language,
            speller: Some(dictionaries()),
        }
    }

    #[test]
    fn lint_reports_spelling_with_spans_in_each_field() {
        let mut template = Template::draft("autumn_sale", "ru");
        template.header = Some(Header::Text {
            text: "Осенняя распродажя".into(),
            example: None,
        });
        template.body = "{{1}}, недавно вы смотрели стулья на https://shop.example/chairs. \
                         Скидка {{2}} до 5-го числа. Ждём вас в магазинне Lucky Shrub!"
            .into();
        template.footer = Some("Ответьте «Стоп», чтобы отписаться".into());
        template.buttons = vec![Button::QuickReply {
            text: "Отписатся".into(),
        }];
        let settings = LintSettings {
            brand_words: vec!["Lucky Shrub".into()],
            ..LintSettings::default()
        };
        let found: Vec<_> = lint::lint(&template, &context(&settings, Language::Ru))
            .into_iter()
            .filter(|f| f.rule == "spelling")
            .map(|f| {
                let text = template.text(&f.field).unwrap();
                let word: String = text
                    .chars()
                    .skip(f.span.start as usize)
                    .take((f.span.end - f.span.start) as usize)
                    .collect();
                (f.field, word)
            })
            .collect();
        assert_eq!(
            found,
            [
                (Field::HeaderText, "распродажя".to_owned()),
                (Field::Body, "магазинне".to_owned()),
                (Field::ButtonText(0), "Отписатся".to_owned()),
            ],
            "only the typos, with spans that select them in their own field: \
             variables, the URL, the number and the brand are not words to check"
        );
    }

    #[test]
    fn the_fix_replaces_the_word_and_the_dictionary_silences_it() {
        let mut template = Template::draft("t", "en_US");
        template.body = "Your ordr is ready, {{1}}.".into();
        let settings = LintSettings::default();
        let found = lint::lint(&template, &context(&settings, Language::En));
        let finding = found
            .iter()
            .find(|f| f.rule == "spelling")
            .expect("ordr is a typo");
        assert!(
            finding
                .message
                .starts_with("\"ordr\" may be misspelled: did you mean \"order\", "),
            "the message names the likeliest words first: {}",
            finding.message
        );
        let fix = finding.fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].replacement, "order");
        let add = fix.alternatives.last().unwrap();
        assert_eq!(add.add_to_dictionary.as_deref(), Some("ordr"));

        let with_word = LintSettings {
            team_dictionary: vec!["ordr".into()],
            ..LintSettings::default()
        };
        assert!(
            lint::lint(&template, &context(&with_word, Language::En))
                .iter()
                .all(|f| f.rule != "spelling"),
            "once the team adds the word it is no longer a finding"
        );
    }
}
