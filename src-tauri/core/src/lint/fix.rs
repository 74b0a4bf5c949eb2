//! Applying a quick fix: its edits (character spans of text fields) and the button
//! it inserts, all or nothing; and the word it adds to the team dictionary.

use super::text::CharIndex;
use super::{Edit, Fix, LintSettings};
use crate::error::{Error, Result};
use crate::template::{Field, Template};

impl Fix {
    /// Makes this fix's edits and button insertion in `template`. All or nothing: on
    /// an error (an edit of a field the template lacks, a span past its text,
    /// overlapping edits, a button index past the end) `template` is unchanged.
    /// The dictionary word is a settings change: see [`Fix::apply_to_settings`].
    /// Alternatives are separate fixes and are not applied.
    pub fn apply(&self, template: &mut Template) -> Result<()> {
        let mut changed = template.clone();
        let mut fields: Vec<&Field> = Vec::new();
        for edit in &self.edits {
            if !fields.contains(&&edit.field) {
                fields.push(&edit.field);
            }
        }
        for field in fields {
            let mut edits: Vec<&Edit> = self.edits.iter().filter(|e| &e.field == field).collect();
            edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
            let text = changed
                .text_mut(field)
                .ok_or_else(|| Error::FixFieldMissing {
                    field: field.to_string(),
                })?;
            *text = edited(text, field, &edits)?;
        }
        if let Some(insert) = &self.insert_button {
            let count = changed.buttons.len() as u32;
            if insert.index > count {
                return Err(Error::FixButtonIndex {
                    index: insert.index,
                    count,
                });
            }
            changed
                .buttons
                .insert(insert.index as usize, insert.button.clone());
        }
        *template = changed;
        Ok(())
    }

    /// Adds this fix's dictionary word to the team dictionary; `true` when it was
    /// not there yet.
    pub fn apply_to_settings(&self, settings: &mut LintSettings) -> bool {
        let Some(word) = &self.add_to_dictionary else {
            return false;
        };
        if settings.team_dictionary.iter().any(|known| known == word) {
            return false;
        }
        settings.team_dictionary.push(word.clone());
        true
    }
}

/// `text` with `edits` (sorted by span) made.
fn edited(text: &str, field: &Field, edits: &[&Edit]) -> Result<String> {
    let index = CharIndex::new(text);
    let length = index.chars();
    let mut out = String::with_capacity(text.len());
    let mut from_char = 0u32;
    for edit in edits {
        let span = edit.span;
        if span.start > span.end || span.end > length {
            return Err(Error::FixSpanOutOfRange {
                field: field.to_string(),
                start: span.start,
                end: span.end,
                length,
            });
        }
        if span.start < from_char {
            return Err(Error::FixEditsOverlap {
                field: field.to_string(),
            });
        }
        out.push_str(&text[index.byte_at(from_char)..index.byte_at(span.start)]);
        out.push_str(&edit.replacement);
        from_char = span.end;
    }
    out.push_str(&text[index.byte_at(from_char)..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{ButtonInsert, Span};
    use crate::template::Button;

    fn edit(field: Field, start: u32, end: u32, replacement: &str) -> Edit {
        Edit {
            field,
            span: Span { start, end },
            replacement: replacement.into(),
        }
    }

    #[test]
    fn edits_count_characters_and_apply_together() {
        let mut template = Template::draft("x", "ru");
        template.body = "Привет, {{ 1 }}!!!".into();
        let fix = Fix::new(
            "fix",
            vec![
                edit(Field::Body, 15, 18, "!"),
                edit(Field::Body, 8, 15, "{{1}}"),
            ],
        );
        fix.apply(&mut template).expect("both edits fit the body");
        assert_eq!(
            template.body, "Привет, {{1}}!",
            "spans are characters of the text before the fix, in any order"
        );
    }

    #[test]
    fn a_fix_that_does_not_fit_changes_nothing() {
        let mut template = Template::draft("x", "en");
        template.body = "Hello".into();
        let before = template.clone();
        let past_end = Fix::new(
            "fix",
            vec![edit(Field::Body, 0, 1, "J"), edit(Field::Body, 4, 9, "")],
        );
        assert!(
            matches!(
                past_end.apply(&mut template),
                Err(Error::FixSpanOutOfRange { .. })
            ),
            "a span past the text is refused"
        );
        let overlapping = Fix::new(
            "fix",
            vec![edit(Field::Body, 0, 3, ""), edit(Field::Body, 2, 4, "")],
        );
        assert!(
            matches!(
                overlapping.apply(&mut template),
                Err(Error::FixEditsOverlap { .. })
            ),
            "overlapping edits have no single meaning"
        );
        let footer = Fix::new("fix", vec![edit(Field::Footer, 0, 0, "x")]);
        assert!(
            matches!(
                footer.apply(&mut template),
                Err(Error::FixFieldMissing { .. })
            ),
            "a template without a footer has nothing to edit there"
        );
        assert_eq!(
            template, before,
            "a refused fix leaves the template as it was"
        );
    }

    #[test]
    fn a_fix_inserts_its_button_and_its_dictionary_word_goes_to_settings() {
        let mut template = Template::draft("x", "ru");
        template.buttons = vec![Button::Url {
            text: "Открыть".into(),
            url: "https://shop.ru".into(),
            example: None,
        }];
        let mut fix = Fix::new("add", Vec::new());
        fix.insert_button = Some(ButtonInsert {
            index: 1,
            button: Button::QuickReply {
                text: "Отписаться".into(),
            },
        });
        fix.apply(&mut template)
            .expect("index 1 is the end of one button");
        assert_eq!(template.buttons.len(), 2, "the button was added");
        fix.insert_button.as_mut().expect("set above").index = 5;
        assert!(
            matches!(fix.apply(&mut template), Err(Error::FixButtonIndex { .. })),
            "an index past the end is refused"
        );

        let mut settings = LintSettings::default();
        let mut word = Fix::new("add word", Vec::new());
        word.add_to_dictionary = Some("Кроссовочки".into());
        assert!(word.apply_to_settings(&mut settings), "a new word is added");
        assert!(
            !word.apply_to_settings(&mut settings),
            "a known word is not added twice"
        );
    }
}
