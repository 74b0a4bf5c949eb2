//! A message template as its author edits it: the model the editor, the linter,
//! the preview, the store and the submission all share.
//!
//! It mirrors Meta's create-template request (see `cadence-whatsapp`'s wire types,
//! which convert to and from it) but keeps what the editor needs in one place: the
//! example value of each variable sits beside the text that uses it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A template's category. Meta may re-categorise a template after review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
}

/// How variables are written: `{{1}}` (positional) or `{{first_name}}` (named).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParameterFormat {
    Positional,
    Named,
}

/// The kind of media a media header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaKind {
    Image,
    Video,
    Document,
}

/// The optional header above the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Header {
    /// Text, at most 60 characters and one variable.
    Text {
        text: String,
        /// The example value of the header's variable, when it has one.
        example: Option<String>,
    },
    /// An image, video or document. `example_file` is the local file the author
    /// picked (uploaded at submission); `example_handle` the handle Meta's
    /// resumable upload returned for it, once uploaded.
    Media {
        media: MediaKind,
        example_file: Option<String>,
        example_handle: Option<String>,
    },
    /// A location header: the location is given when sending.
    Location,
}

/// One button under the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Button {
    /// A quick reply: the tap sends `text` back as a reply.
    QuickReply { text: String },
    /// Opens `url`; a `{{1}}` at its end is filled per recipient, with `example`
    /// as the example suffix.
    Url {
        text: String,
        url: String,
        example: Option<String>,
    },
    /// Calls `phone_number` (E.164).
    PhoneNumber { text: String, phone_number: String },
    /// Copies a coupon code; `example` is the example code.
    CopyCode { example: String },
}

impl Button {
    /// The label the phone shows (a copy-code button's label is fixed by WhatsApp).
    pub fn label(&self) -> Option<&str> {
        match self {
            Button::QuickReply { text }
            | Button::Url { text, .. }
            | Button::PhoneNumber { text, .. } => Some(text),
            Button::CopyCode { .. } => None,
        }
    }
}

/// A template as drafted: everything needed to lint, preview and submit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Template {
    /// Lowercase letters, digits and `_`, starting with a letter.
    pub name: String,
    /// Meta's language code: `ru`, `en`, `en_US`, `pt_BR`, …
    pub language: String,
    pub category: Category,
    pub parameter_format: ParameterFormat,
    pub header: Option<Header>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<Button>,
    /// The example value of each body variable, by its key: `"1"`, `"2"` for
    /// positional variables, `"first_name"` for named ones.
    pub body_examples: BTreeMap<String, String>,
}

impl Template {
    /// An empty marketing draft named `name` in `language`.
    pub fn draft(name: impl Into<String>, language: impl Into<String>) -> Template {
        Template {
            name: name.into(),
            language: language.into(),
            category: Category::Marketing,
            parameter_format: ParameterFormat::Positional,
            header: None,
            body: String::new(),
            footer: None,
            buttons: Vec::new(),
            body_examples: BTreeMap::new(),
        }
    }
}

/// A place in a template a finding or an edit points at.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type,
)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum Field {
    Name,
    Language,
    Category,
    HeaderText,
    HeaderMedia,
    Body,
    Footer,
    /// A button's label (`buttons[i].text`).
    ButtonText(u32),
    /// A URL button's address (`buttons[i].url`).
    ButtonUrl(u32),
    /// A phone-number button's number (`buttons[i].phone_number`).
    ButtonPhone(u32),
    /// A button's example (URL suffix or coupon code).
    ButtonExample(u32),
    /// The list of buttons as a whole (their count and order). A span on it counts
    /// buttons, not characters: `2..3` is the third button, `4..4` the place
    /// before the fifth.
    Buttons,
    /// A body variable's example value, by the variable's key (`"1"`,
    /// `"first_name"`; see [`Template::body_examples`]).
    BodyExample(String),
    HeaderExample,
}

impl std::fmt::Display for Field {
    /// The field as `cadence lint` prints it: `body`, `header.text`, `buttons[0].text`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::Name => f.write_str("name"),
            Field::Language => f.write_str("language"),
            Field::Category => f.write_str("category"),
            Field::HeaderText => f.write_str("header.text"),
            Field::HeaderMedia => f.write_str("header.media"),
            Field::Body => f.write_str("body"),
            Field::Footer => f.write_str("footer"),
            Field::ButtonText(i) => write!(f, "buttons[{i}].text"),
            Field::ButtonUrl(i) => write!(f, "buttons[{i}].url"),
            Field::ButtonPhone(i) => write!(f, "buttons[{i}].phone_number"),
            Field::ButtonExample(i) => write!(f, "buttons[{i}].example"),
            Field::Buttons => f.write_str("buttons"),
            Field::BodyExample(key) => write!(f, "body.examples.{key}"),
            Field::HeaderExample => f.write_str("header.example"),
        }
    }
}

impl Template {
    /// The text of `field`, when it is a text this template has: what a finding's
    /// span and a fix's edit point into. `None` for fields that are not text
    /// (category, media, the button list) and for parts the template lacks.
    pub fn text(&self, field: &Field) -> Option<&str> {
        match field {
            Field::Name => Some(&self.name),
            Field::Language => Some(&self.language),
            Field::Body => Some(&self.body),
            Field::Footer => self.footer.as_deref(),
            Field::HeaderText => match &self.header {
                Some(Header::Text { text, .. }) => Some(text),
                _ => None,
            },
            Field::HeaderExample => match &self.header {
                Some(Header::Text { example, .. }) => example.as_deref(),
                _ => None,
            },
            Field::BodyExample(key) => self.body_examples.get(key).map(String::as_str),
            Field::ButtonText(at) => self.button(*at).and_then(Button::label),
            Field::ButtonUrl(at) => match self.button(*at) {
                Some(Button::Url { url, .. }) => Some(url),
                _ => None,
            },
            Field::ButtonPhone(at) => match self.button(*at) {
                Some(Button::PhoneNumber { phone_number, .. }) => Some(phone_number),
                _ => None,
            },
            Field::ButtonExample(at) => match self.button(*at) {
                Some(Button::Url { example, .. }) => example.as_deref(),
                Some(Button::CopyCode { example }) => Some(example),
                _ => None,
            },
            Field::Category | Field::HeaderMedia | Field::Buttons => None,
        }
    }

    /// The text of `field` to change in place; `None` exactly when [`Template::text`]
    /// is `None`.
    pub fn text_mut(&mut self, field: &Field) -> Option<&mut String> {
        match field {
            Field::Name => Some(&mut self.name),
            Field::Language => Some(&mut self.language),
            Field::Body => Some(&mut self.body),
            Field::Footer => self.footer.as_mut(),
            Field::HeaderText => match &mut self.header {
                Some(Header::Text { text, .. }) => Some(text),
                _ => None,
            },
            Field::HeaderExample => match &mut self.header {
                Some(Header::Text { example, .. }) => example.as_mut(),
                _ => None,
            },
            Field::BodyExample(key) => self.body_examples.get_mut(key),
            Field::ButtonText(at) => match self.buttons.get_mut(*at as usize) {
                Some(
                    Button::QuickReply { text }
                    | Button::Url { text, .. }
                    | Button::PhoneNumber { text, .. },
                ) => Some(text),
                _ => None,
            },
            Field::ButtonUrl(at) => match self.buttons.get_mut(*at as usize) {
                Some(Button::Url { url, .. }) => Some(url),
                _ => None,
            },
            Field::ButtonPhone(at) => match self.buttons.get_mut(*at as usize) {
                Some(Button::PhoneNumber { phone_number, .. }) => Some(phone_number),
                _ => None,
            },
            Field::ButtonExample(at) => match self.buttons.get_mut(*at as usize) {
                Some(Button::Url { example, .. }) => example.as_mut(),
                Some(Button::CopyCode { example }) => Some(example),
                _ => None,
            },
            Field::Category | Field::HeaderMedia | Field::Buttons => None,
        }
    }

    fn button(&self, at: u32) -> Option<&Button> {
        self.buttons.get(at as usize)
    }

    /// The example value of every variable, as the author typed them: what the
    /// preview fills a template with before a contact is picked.
    pub fn example_values(&self) -> VariableValues {
        let header = match &self.header {
            Some(Header::Text { example, .. }) => example.clone(),
            _ => None,
        };
        let buttons = self
            .buttons
            .iter()
            .enumerate()
            .filter_map(|(at, button)| match button {
                Button::Url {
                    example: Some(example),
                    ..
                } => Some((at as u32, example.clone())),
                _ => None,
            })
            .collect();
        VariableValues {
            header,
            body: self.body_examples.clone(),
            buttons,
        }
    }

    /// The message a recipient sees with `values` filled in: what sending puts on
    /// the wire and what the preview shows.
    ///
    /// Strict, like Meta at send time: every variable needs a value, and every value
    /// must pass [`check_value`]. Malformed placeholders (`{{ 1 }}`, `{{1}`) are not
    /// variables and stay as written; the linter reports them.
    pub fn render(&self, values: &VariableValues) -> Result<Rendered> {
        let header = match &self.header {
            Some(Header::Text { text, .. }) => Some(fill_strict(text, &Field::HeaderText, |_| {
                values.header.as_deref()
            })?),
            _ => None,
        };
        let body = fill_strict(&self.body, &Field::Body, |key| {
            values.body.get(key).map(String::as_str)
        })?;
        let mut button_urls = BTreeMap::new();
        for (at, button) in self.buttons.iter().enumerate() {
            let Button::Url { url, .. } = button else {
                continue;
            };
            let at = at as u32;
            let filled = fill_strict(url, &Field::ButtonUrl(at), |_| {
                values.buttons.get(&at).map(String::as_str)
            })?;
            button_urls.insert(at, filled);
        }
        Ok(Rendered {
            header,
            body,
            footer: self.footer.clone(),
            button_urls,
        })
    }
}

/// Values for a template's variables: the example values, a contact's attributes,
/// or what a send fills in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct VariableValues {
    /// The text header's variable (a header has at most one).
    pub header: Option<String>,
    /// Body variables by key: `"1"`, `"first_name"`.
    pub body: BTreeMap<String, String>,
    /// The URL suffix of each URL button with a variable, by the button's index.
    pub buttons: BTreeMap<u32, String>,
}

/// A template with its variables filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Rendered {
    /// The text header, when the template has one.
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    /// The address each URL button opens, by the button's index.
    pub button_urls: BTreeMap<u32, String>,
}

/// `text` with each variable replaced by `value(key)`; a variable without a value
/// stays as written. Lenient, for previews of unfinished drafts; sending uses
/// [`Template::render`].
pub fn fill<'v>(text: &str, value: impl Fn(&str) -> Option<&'v str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for placeholder in placeholders(text) {
        let Some(filled) = placeholder.key().and_then(&value) else {
            continue;
        };
        out.push_str(&text[from..placeholder.bytes.start]);
        out.push_str(filled);
        from = placeholder.bytes.end;
    }
    out.push_str(&text[from..]);
    out
}

fn fill_strict<'v>(
    text: &str,
    field: &Field,
    value: impl Fn(&str) -> Option<&'v str>,
) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for placeholder in placeholders(text) {
        let Some(key) = placeholder.key() else {
            continue;
        };
        let filled = value(key).ok_or_else(|| Error::MissingVariableValue {
            field: field.to_string(),
            key: key.to_owned(),
        })?;
        if let Some(problem) = value_problems(filled).first() {
            return Err(Error::InvalidVariableValue {
                field: field.to_string(),
                key: key.to_owned(),
                problem: problem.kind,
            });
        }
        out.push_str(&text[from..placeholder.bytes.start]);
        out.push_str(filled);
        from = placeholder.bytes.end;
    }
    out.push_str(&text[from..]);
    Ok(out)
}

/// Characters Meta forbids inside a placeholder.
pub const PLACEHOLDER_FORBIDDEN: [char; 4] = ['#', '@', '$', '%'];

/// One `{{…}}` in a text (or what was meant to be one), where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'t> {
    /// As written, braces included: `{{1}}`, `{{ name }}`, `{{1}`.
    pub raw: &'t str,
    /// Byte offsets in the text.
    pub bytes: std::ops::Range<usize>,
    /// Character offsets in the text (what spans use).
    pub chars: std::ops::Range<u32>,
    pub kind: PlaceholderKind<'t>,
}

/// What a placeholder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderKind<'t> {
    /// `{{1}}`, `{{2}}`: a positive number without leading zeros.
    Positional(u32),
    /// `{{first_name}}`: a lowercase letter, then lowercase letters and `_`.
    Named(&'t str),
    /// Not a variable Meta accepts.
    Malformed(Malformation),
}

/// Why a placeholder is not a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Malformation {
    /// Spaces around a good key: `{{ 1 }}`.
    Padded,
    /// One of `#`, `@`, `$`, `%` inside: `{{#1}}`.
    SpecialCharacters,
    /// Opened and never closed on its line: `{{1}`, `{{1`.
    Unclosed,
    /// A `}}` with no `{{` before it.
    Unopened,
    /// `{{}}`.
    Empty,
    /// Anything else: `{{FirstName}}`, `{{01}}`, `{{first-name}}`, extra braces.
    BadKey,
}

impl<'t> Placeholder<'t> {
    /// The key of a well-formed variable: `"1"`, `"first_name"`; `None` when malformed.
    pub fn key(&self) -> Option<&'t str> {
        match self.kind {
            PlaceholderKind::Positional(_) | PlaceholderKind::Named(_) => Some(self.inner()),
            PlaceholderKind::Malformed(_) => None,
        }
    }

    /// What sits between the braces, untrimmed.
    pub fn inner(&self) -> &'t str {
        self.raw.trim_start_matches('{').trim_end_matches('}')
    }

    /// A well-formed variable (of either format).
    pub fn is_variable(&self) -> bool {
        !matches!(self.kind, PlaceholderKind::Malformed(_))
    }
}

/// Every placeholder of `text`, in order, with malformed ones included so the
/// linter can point at them.
///
/// A placeholder opens with `{{` and closes with the first `}}` on the same line
/// before the next `{{`. One that never closes runs to the end of its key (and a
/// single `}` right after it, as in `{{1}`). A `}}` outside any placeholder is
/// reported as [`Malformation::Unopened`].
pub fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // Byte and character position, advanced together over the text.
    let mut at = 0usize;
    let mut chars_at = 0u32;
    let char_len = |from: usize, to: usize| text[from..to].chars().count() as u32;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"{{") {
            let open = at;
            let (end, closed) = placeholder_end(text, open);
            let raw = &text[open..end];
            let kind = if closed {
                classify(&raw[2..raw.len() - 2])
            } else {
                PlaceholderKind::Malformed(Malformation::Unclosed)
            };
            let length = char_len(open, end);
            found.push(Placeholder {
                raw,
                bytes: open..end,
                chars: chars_at..chars_at + length,
                kind,
            });
            at = end;
            chars_at += length;
        } else if bytes[at..].starts_with(b"}}") {
            found.push(Placeholder {
                raw: &text[at..at + 2],
                bytes: at..at + 2,
                chars: chars_at..chars_at + 2,
                kind: PlaceholderKind::Malformed(Malformation::Unopened),
            });
            at += 2;
            chars_at += 2;
        } else {
            // Step over one character (ASCII braces never sit inside a multi-byte one).
            let width = text[at..].chars().next().map_or(1, char::len_utf8);
            at += width;
            chars_at += 1;
        }
    }
    found
}

/// Where the placeholder opened at `open` ends (exclusive), and whether it closed.
fn placeholder_end(text: &str, open: usize) -> (usize, bool) {
    let rest = &text[open + 2..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let next_open = rest.find("{{").unwrap_or(rest.len());
    if let Some(close) = rest.find("}}")
        && close < line_end
        && close < next_open
    {
        return (open + 2 + close + 2, true);
    }
    // Unclosed: the key runs until a space, a brace or a line break; a single `}`
    // right after it belongs to the placeholder (`{{1}`).
    let key_len = rest
        .find(|c: char| c.is_whitespace() || c == '{' || c == '}')
        .unwrap_or(rest.len());
    let mut end = open + 2 + key_len;
    if text[end..].starts_with('}') {
        end += 1;
    }
    (end, false)
}

fn classify(inner: &str) -> PlaceholderKind<'_> {
    if inner.is_empty() {
        return PlaceholderKind::Malformed(Malformation::Empty);
    }
    if inner.contains(PLACEHOLDER_FORBIDDEN) {
        return PlaceholderKind::Malformed(Malformation::SpecialCharacters);
    }
    let trimmed = inner.trim();
    match key_kind(trimmed) {
        Some(kind) if trimmed.len() == inner.len() => kind,
        Some(_) => PlaceholderKind::Malformed(Malformation::Padded),
        None if trimmed.is_empty() => PlaceholderKind::Malformed(Malformation::Empty),
        None => PlaceholderKind::Malformed(Malformation::BadKey),
    }
}

/// The kind of a well-formed key, or `None`.
fn key_kind(key: &str) -> Option<PlaceholderKind<'_>> {
    let first = key.chars().next()?;
    if key.bytes().all(|b| b.is_ascii_digit()) {
        // Meta numbers from 1 and writes no leading zeros.
        return match (first, key.parse::<u32>()) {
            ('1'..='9', Ok(n)) => Some(PlaceholderKind::Positional(n)),
            _ => None,
        };
    }
    let named =
        first.is_ascii_lowercase() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    named.then_some(PlaceholderKind::Named(key))
}

/// Is `key` a well-formed variable key (`1`, `first_name`)?
pub fn is_variable_key(key: &str) -> bool {
    key_kind(key).is_some()
}

/// Why a value cannot be sent as a variable (Meta answers error 132018).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ValueProblemKind {
    /// Empty, or only spaces.
    Empty,
    Newline,
    Tab,
    /// More than [`VALUE_SPACES_MAX`] spaces in a row.
    TooManySpaces,
}

/// Longest run of spaces Meta accepts in a variable's value.
pub const VALUE_SPACES_MAX: usize = 4;

/// One problem with a value, at the characters `chars` of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueProblem {
    pub kind: ValueProblemKind,
    pub chars: (u32, u32),
}

/// Every reason `value` cannot be sent as a variable, in order: Meta refuses
/// values that are empty or hold a newline, a tab or more than 4 spaces in a row.
pub fn value_problems(value: &str) -> Vec<ValueProblem> {
    let mut problems = Vec::new();
    if value.trim().is_empty() {
        let length = value.chars().count() as u32;
        problems.push(ValueProblem {
            kind: ValueProblemKind::Empty,
            chars: (0, length),
        });
        return problems;
    }
    let mut spaces_from: Option<u32> = None;
    let mut at = 0u32;
    let close_run = |problems: &mut Vec<ValueProblem>, from: Option<u32>, to: u32| {
        if let Some(from) = from
            && (to - from) as usize > VALUE_SPACES_MAX
        {
            problems.push(ValueProblem {
                kind: ValueProblemKind::TooManySpaces,
                chars: (from, to),
            });
        }
    };
    for c in value.chars() {
        if c == ' ' {
            spaces_from.get_or_insert(at);
        } else {
            close_run(&mut problems, spaces_from.take(), at);
            let kind = match c {
                '\n' | '\r' => Some(ValueProblemKind::Newline),
                '\t' => Some(ValueProblemKind::Tab),
                _ => None,
            };
            if let Some(kind) = kind {
                problems.push(ValueProblem {
                    kind,
                    chars: (at, at + 1),
                });
            }
        }
        at += 1;
    }
    close_run(&mut problems, spaces_from, at);
    problems
}

/// Whether `value` can be sent as a variable: see [`value_problems`].
pub fn check_value(value: &str) -> Result<()> {
    match value_problems(value).first() {
        None => Ok(()),
        Some(problem) => Err(Error::InvalidValue {
            problem: problem.kind,
        }),
    }
}

impl std::fmt::Display for ValueProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ValueProblemKind::Empty => "it is empty",
            ValueProblemKind::Newline => "it holds a line break",
            ValueProblemKind::Tab => "it holds a tab",
            ValueProblemKind::TooManySpaces => "it holds more than 4 spaces in a row",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, PlaceholderKind<'_>)> {
        placeholders(text)
            .into_iter()
            .map(|p| (p.raw, p.kind))
            .collect()
    }

    #[test]
    fn placeholders_are_read_with_their_kind() {
        use Malformation::*;
        use PlaceholderKind::*;
        assert_eq!(
            kinds("Hi {{1}}, {{first_name}} {{ 2 }} {{#x}} {{}} {{FirstName}} {{01}} {{a-b}}"),
            vec![
                ("{{1}}", Positional(1)),
                ("{{first_name}}", Named("first_name")),
                ("{{ 2 }}", Malformed(Padded)),
                ("{{#x}}", Malformed(SpecialCharacters)),
                ("{{}}", Malformed(Empty)),
                ("{{FirstName}}", Malformed(BadKey)),
                ("{{01}}", Malformed(BadKey)),
                ("{{a-b}}", Malformed(BadKey)),
            ],
            "every shape an author types is told apart"
        );
        assert_eq!(
            kinds("Open {{1} now, then {{2 and }} here"),
            vec![
                ("{{1}", Malformed(Unclosed)),
                ("{{2 and }}", Malformed(BadKey))
            ],
            "{{{{1}} never closes before the next {{{{; {{{{2 and }}}} closes, around a bad key"
        );
        assert_eq!(
            kinds("Line {{1\n}} next"),
            vec![("{{1", Malformed(Unclosed)), ("}}", Malformed(Unopened))],
            "a placeholder never spans a line break"
        );
    }

    #[test]
    fn placeholder_spans_count_characters() {
        let found = placeholders("Привет, {{1}}! Ёлка {{имя}}");
        assert_eq!(
            found[0].chars,
            8..13,
            "Cyrillic letters are one character each"
        );
        assert_eq!(found[1].chars, 20..27);
        assert_eq!(
            found[1].kind,
            PlaceholderKind::Malformed(Malformation::BadKey),
            "named variables are Latin lowercase letters and _"
        );
        assert_eq!(found[0].key(), Some("1"));
        assert_eq!(found[1].key(), None, "a malformed placeholder has no key");
    }

    #[test]
    fn value_problems_follow_metas_runtime_rules() {
        let kinds = |value: &str| -> Vec<(ValueProblemKind, (u32, u32))> {
            value_problems(value)
                .into_iter()
                .map(|p| (p.kind, p.chars))
                .collect()
        };
        assert!(kinds("Anna Smith").is_empty(), "an ordinary value is fine");
        assert!(
            kinds("a    b").is_empty(),
            "four spaces in a row are allowed"
        );
        assert_eq!(
            kinds("a     b"),
            vec![(ValueProblemKind::TooManySpaces, (1, 6))],
            "five are not"
        );
        assert_eq!(
            kinds("  "),
            vec![(ValueProblemKind::Empty, (0, 2))],
            "only spaces is empty"
        );
        assert_eq!(
            kinds("Анна\nСмит\t!"),
            vec![
                (ValueProblemKind::Newline, (4, 5)),
                (ValueProblemKind::Tab, (9, 10))
            ],
            "line breaks and tabs are found where they are"
        );
        assert!(check_value("Anna").is_ok());
        assert_eq!(
            check_value(""),
            Err(Error::InvalidValue {
                problem: ValueProblemKind::Empty
            }),
            "Meta never sends an empty value"
        );
    }

    fn offer() -> Template {
        let mut template = Template::draft("offer", "en");
        template.header = Some(Header::Text {
            text: "For {{1}}".into(),
            example: Some("Anna".into()),
        });
        template.body = "Hello {{1}}, your code is {{2}}. Keep {{ 3 }} as is.".into();
        template.body_examples =
            BTreeMap::from([("1".into(), "Anna".into()), ("2".into(), "SPRING".into())]);
        template.footer = Some("Shop".into());
        template.buttons = vec![
            Button::QuickReply {
                text: "Stop".into(),
            },
            Button::Url {
                text: "Open".into(),
                url: "https://shop.example.com/o/{{1}}".into(),
                example: Some("a1b2".into()),
            },
        ];
        template
    }

    #[test]
    fn render_fills_every_variable_and_leaves_malformed_text_alone() {
        let template = offer();
        let rendered = template
            .render(&template.example_values())
            .expect("every variable has a sendable example");
        assert_eq!(rendered.header.as_deref(), Some("For Anna"));
        assert_eq!(
            rendered.body, "Hello Anna, your code is SPRING. Keep {{ 3 }} as is.",
            "variables are filled; {{ 3 }} is not a variable, so it stays as typed"
        );
        assert_eq!(rendered.footer.as_deref(), Some("Shop"));
        assert_eq!(
            rendered.button_urls.get(&1).map(String::as_str),
            Some("https://shop.example.com/o/a1b2"),
            "a URL button's suffix is filled from its own value"
        );
    }

    #[test]
    fn render_refuses_missing_and_unsendable_values() {
        let template = offer();
        let mut values = template.example_values();
        values.body.remove("2");
        assert_eq!(
            template.render(&values),
            Err(Error::MissingVariableValue {
                field: "body".into(),
                key: "2".into()
            }),
            "sending without a value for {{{{2}}}} would fail at Meta"
        );
        let mut values = template.example_values();
        values.buttons.insert(1, "a\tb".into());
        assert_eq!(
            template.render(&values),
            Err(Error::InvalidVariableValue {
                field: "buttons[1].url".into(),
                key: "1".into(),
                problem: ValueProblemKind::Tab
            }),
            "a tab in a value is refused before it reaches Meta"
        );
    }

    #[test]
    fn fill_is_lenient_for_previews() {
        assert_eq!(
            fill("Hi {{1}}, see {{2}}", |key| (key == "1").then_some("Anna")),
            "Hi Anna, see {{2}}",
            "a variable without a value stays visible in a preview"
        );
    }

    #[test]
    fn text_and_text_mut_reach_the_same_fields() {
        let mut template = offer();
        template.buttons.push(Button::PhoneNumber {
            text: "Call".into(),
            phone_number: "+447700900123".into(),
        });
        template.buttons.push(Button::CopyCode {
            example: "CODE".into(),
        });
        let fields = [
            Field::Name,
            Field::Language,
            Field::Category,
            Field::HeaderText,
            Field::HeaderMedia,
            Field::Body,
            Field::Footer,
            Field::ButtonText(0),
            Field::ButtonText(3),
            Field::ButtonUrl(1),
            Field::ButtonUrl(0),
            Field::ButtonPhone(2),
            Field::ButtonExample(1),
            Field::ButtonExample(3),
            Field::ButtonText(9),
            Field::Buttons,
            Field::BodyExample("2".into()),
            Field::BodyExample("9".into()),
            Field::HeaderExample,
        ];
        for field in fields {
            let read = template.text(&field).map(str::to_owned);
            let write = template.text_mut(&field).map(|text| text.clone());
            assert_eq!(
                read, write,
                "{field}: reading and editing see the same text"
            );
        }
        assert_eq!(
            template.text(&Field::ButtonText(3)),
            None,
            "a copy code button has no label"
        );
        assert_eq!(template.text(&Field::ButtonExample(3)), Some("CODE"));
    }
}
