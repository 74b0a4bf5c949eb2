//! The example templates a new sandbox workspace starts with: in English and
//! Russian, one written the way the channel wants (personal, relevant, to an
//! existing customer, with a way out) and one with the mistakes the linter is
//! there to catch. Plain drafts: the user may edit, submit or delete them.

use cadence_core::template::{Button, Category, ParameterFormat, Template};

/// The four examples, clean ones first.
pub fn sandbox_examples() -> Vec<Template> {
    vec![
        clean(
            "en",
            "Hello {{1}}, you recently looked at our winter jackets. As a customer who \
             has shopped with us before, you get 10% off your next order until Sunday. \
             Tap below to see the collection.",
            "See the collection",
            "Stop promotions",
        ),
        clean(
            "ru",
            "Здравствуйте, {{1}}! Недавно вы интересовались нашими зимними куртками. \
             Вы уже делали у нас покупки, поэтому дарим вам скидку 10% на следующий \
             заказ до воскресенья. Нажмите кнопку ниже, чтобы посмотреть коллекцию.",
            "Смотреть коллекцию",
            "Отписаться",
        ),
        with_findings(
            "en",
            "{{1}} HUGE SALE!!! EVERYTHING MUST GO 🔥🔥🔥🔥 Buy now before its too late {{2}}",
        ),
        with_findings(
            "ru",
            "{{1}} ОГРОМНАЯ РАСПРОДАЖА!!! ВСЁ ДОЛЖНО УЙТИ 🔥🔥🔥🔥 Покупайте скарее {{2}}",
        ),
    ]
}

fn clean(language: &str, body: &str, link: &str, stop: &str) -> Template {
    let mut template = Template::draft("example_winter_offer", language);
    template.category = Category::Marketing;
    template.parameter_format = ParameterFormat::Positional;
    template.body = body.to_owned();
    template.body_examples.insert(
        "1".into(),
        if language == "ru" { "Анна" } else { "Anna" }.into(),
    );
    template.buttons = vec![
        Button::Url {
            text: link.to_owned(),
            url: "https://shop.example.com/winter".to_owned(),
            example: None,
        },
        Button::QuickReply {
            text: stop.to_owned(),
        },
    ];
    template
}

/// A mass advert: variables at both ends, shouting, `!!!`, four emoji, a
/// misspelling, no reason why it concerns the reader and no way out.
fn with_findings(language: &str, body: &str) -> Template {
    let mut template = Template::draft("example_flash_sale", language);
    template.category = Category::Marketing;
    template.body = body.to_owned();
    template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_a_clean_example_and_one_with_mistakes() {
        let examples = sandbox_examples();
        for language in ["en", "ru"] {
            let names: Vec<&str> = examples
                .iter()
                .filter(|t| t.language == language)
                .map(|t| t.name.as_str())
                .collect();
            assert_eq!(
                names,
                ["example_winter_offer", "example_flash_sale"],
                "{language}: one clean example and one with findings"
            );
        }
        for template in &examples {
            assert!(
                template
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}: a name Meta accepts, so the clean one can be submitted as it is",
                template.name
            );
        }
        let clean = &examples[0];
        assert!(
            clean
                .buttons
                .iter()
                .any(|b| matches!(b, Button::QuickReply { text } if text == "Stop promotions")),
            "the clean example shows the opt-out button"
        );
        assert_eq!(
            clean.body_examples.get("1").map(String::as_str),
            Some("Anna"),
            "every variable of the clean example has its example value"
        );
    }
}
