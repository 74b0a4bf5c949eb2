//! The catalogue of lint rules: every rule's stable id, default severity, a
//! one-line description in English and Russian, and whether Meta's review rejects a
//! template that breaks it. The app documents the rules from it; the sandbox's
//! review uses the Meta rules from it.
//!
//! Owns rule identity only: the checks live in the sibling modules.

use serde::Serialize;

use super::Severity;
use super::Severity::{Error, Info, Warning};
use crate::Language;

/// One rule as the app documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct RuleInfo {
    /// Stable, kebab-case: what [`super::Finding::rule`] holds.
    pub id: &'static str,
    pub severity: Severity,
    /// Meta's review (or template creation) refuses a template that breaks it;
    /// otherwise the rule is the channel's guidance.
    pub meta_rejects: bool,
    /// Fires only for templates in a language with a phrase library (ru, en).
    pub needs_phrases: bool,
    pub summary_en: &'static str,
    pub summary_ru: &'static str,
}

impl RuleInfo {
    /// The one-line description in `language`.
    pub fn summary(&self, language: Language) -> &'static str {
        match language {
            Language::En => self.summary_en,
            Language::Ru => self.summary_ru,
        }
    }
}

/// The ids, as constants, so a typo is a compile error rather than a silent miss.
pub mod id {
    pub const NAME_FORMAT: &str = "name-format";
    pub const NAME_TOO_LONG: &str = "name-too-long";
    pub const LANGUAGE_CODE: &str = "language-code";
    pub const BODY_MISSING: &str = "body-missing";
    pub const BODY_TOO_LONG: &str = "body-too-long";
    pub const HEADER_TEXT_MISSING: &str = "header-text-missing";
    pub const HEADER_TOO_LONG: &str = "header-too-long";
    pub const HEADER_TOO_MANY_VARIABLES: &str = "header-too-many-variables";
    pub const FOOTER_TOO_LONG: &str = "footer-too-long";
    pub const FOOTER_VARIABLE: &str = "footer-variable";
    pub const BUTTONS_TOO_MANY: &str = "buttons-too-many";
    pub const BUTTONS_TOO_MANY_URL: &str = "buttons-too-many-url";
    pub const BUTTONS_TOO_MANY_PHONE: &str = "buttons-too-many-phone";
    pub const BUTTONS_TOO_MANY_COPY_CODE: &str = "buttons-too-many-copy-code";
    pub const COPY_CODE_NOT_MARKETING: &str = "copy-code-not-marketing";
    pub const QUICK_REPLIES_NOT_GROUPED: &str = "quick-replies-not-grouped";
    pub const BUTTON_LABEL_MISSING: &str = "button-label-missing";
    pub const BUTTON_LABEL_TOO_LONG: &str = "button-label-too-long";
    pub const URL_BUTTON_FORMAT: &str = "url-button-format";
    pub const URL_BUTTON_VARIABLE: &str = "url-button-variable";
    pub const PHONE_BUTTON_FORMAT: &str = "phone-button-format";
    pub const COPY_CODE_EXAMPLE: &str = "copy-code-example";
    pub const BODY_VARIABLE_AT_START: &str = "body-variable-at-start";
    pub const BODY_VARIABLE_AT_END: &str = "body-variable-at-end";
    pub const VARIABLES_ADJACENT: &str = "variables-adjacent";
    pub const VARIABLE_ALONE_ON_LINE: &str = "variable-alone-on-line";
    pub const VARIABLES_OUT_OF_SEQUENCE: &str = "variables-out-of-sequence";
    pub const VARIABLE_MALFORMED: &str = "variable-malformed";
    pub const VARIABLE_SPECIAL_CHARACTERS: &str = "variable-special-characters";
    pub const VARIABLE_WRONG_FORMAT: &str = "variable-wrong-format";
    pub const VARIABLES_MIXED: &str = "variables-mixed";
    pub const VARIABLES_TOO_DENSE: &str = "variables-too-dense";
    pub const EXAMPLE_MISSING: &str = "example-missing";
    pub const MEDIA_EXAMPLE_MISSING: &str = "media-example-missing";
    pub const EXAMPLE_VALUE_FORMAT: &str = "example-value-format";
    pub const EMOJI_COUNT: &str = "emoji-count";
    pub const EMOJI_HEADER_FOOTER: &str = "emoji-header-footer";
    pub const RELEVANCE_MISSING: &str = "relevance-missing";
    pub const REPEAT_CONTACT_MISSING: &str = "repeat-contact-missing";
    pub const PERSONALISATION_MISSING: &str = "personalisation-missing";
    pub const OPT_OUT_MISSING: &str = "opt-out-missing";
    pub const NEGATIVE_CONTEXT: &str = "negative-context";
    pub const SHOUTING: &str = "shouting";
    pub const PUNCTUATION_RUN: &str = "punctuation-run";
    pub const LINKS_TOO_MANY: &str = "links-too-many";
    pub const URL_SHORTENER: &str = "url-shortener";
    pub const BODY_FOLDS: &str = "body-folds";
    pub const UTILITY_PROMOTIONAL: &str = "utility-promotional";
    pub const SPELLING: &str = "spelling";
}

const fn meta(id: &'static str, summary_en: &'static str, summary_ru: &'static str) -> RuleInfo {
    RuleInfo {
        id,
        severity: Severity::Error,
        meta_rejects: true,
        needs_phrases: false,
        summary_en,
        summary_ru,
    }
}

const fn channel(
    id: &'static str,
    severity: Severity,
    needs_phrases: bool,
    summary_en: &'static str,
    summary_ru: &'static str,
) -> RuleInfo {
    RuleInfo {
        id,
        severity,
        meta_rejects: false,
        needs_phrases,
        summary_en,
        summary_ru,
    }
}

/// Every rule, Meta's first, then the channel's.
pub static RULES: &[RuleInfo] = &[
    meta(
        id::NAME_FORMAT,
        "The name uses only lowercase letters, digits and _, and starts with a letter.",
        "Имя состоит только из строчных латинских букв, цифр и _ и начинается с буквы.",
    ),
    meta(
        id::NAME_TOO_LONG,
        "The name is at most 512 characters.",
        "Имя не длиннее 512 символов.",
    ),
    meta(
        id::LANGUAGE_CODE,
        "The language is a Meta language code such as en, ru or en_US.",
        "Язык задан кодом Meta, например en, ru или en_US.",
    ),
    meta(
        id::BODY_MISSING,
        "The body has text: it is the one required part.",
        "В тексте сообщения есть текст: это единственная обязательная часть.",
    ),
    meta(
        id::BODY_TOO_LONG,
        "The body is at most 1024 characters.",
        "Текст сообщения не длиннее 1024 символов.",
    ),
    meta(
        id::HEADER_TEXT_MISSING,
        "A text header has text.",
        "В текстовом заголовке есть текст.",
    ),
    meta(
        id::HEADER_TOO_LONG,
        "A text header is at most 60 characters.",
        "Текстовый заголовок не длиннее 60 символов.",
    ),
    meta(
        id::HEADER_TOO_MANY_VARIABLES,
        "A text header holds at most one variable.",
        "В текстовом заголовке не больше одной переменной.",
    ),
    meta(
        id::FOOTER_TOO_LONG,
        "The footer is at most 60 characters.",
        "Подпись не длиннее 60 символов.",
    ),
    meta(
        id::FOOTER_VARIABLE,
        "The footer holds no variables.",
        "В подписи нет переменных.",
    ),
    meta(
        id::BUTTONS_TOO_MANY,
        "At most 10 buttons in all.",
        "Всего не больше 10 кнопок.",
    ),
    meta(
        id::BUTTONS_TOO_MANY_URL,
        "At most 2 URL buttons.",
        "Не больше 2 кнопок-ссылок.",
    ),
    meta(
        id::BUTTONS_TOO_MANY_PHONE,
        "At most 1 phone number button.",
        "Не больше 1 кнопки звонка.",
    ),
    meta(
        id::BUTTONS_TOO_MANY_COPY_CODE,
        "At most 1 copy code button.",
        "Не больше 1 кнопки копирования кода.",
    ),
    meta(
        id::COPY_CODE_NOT_MARKETING,
        "Copy code buttons are for marketing templates only.",
        "Кнопка копирования кода есть только в маркетинговых шаблонах.",
    ),
    meta(
        id::QUICK_REPLIES_NOT_GROUPED,
        "Quick reply buttons sit together, not mixed between the other buttons.",
        "Кнопки быстрого ответа идут подряд, не вперемешку с другими кнопками.",
    ),
    meta(
        id::BUTTON_LABEL_MISSING,
        "Every button has a label.",
        "У каждой кнопки есть надпись.",
    ),
    meta(
        id::BUTTON_LABEL_TOO_LONG,
        "A button label is at most 25 characters.",
        "Надпись на кнопке не длиннее 25 символов.",
    ),
    meta(
        id::URL_BUTTON_FORMAT,
        "A URL button opens an http:// or https:// address.",
        "Кнопка-ссылка открывает адрес http:// или https://.",
    ),
    meta(
        id::URL_BUTTON_VARIABLE,
        "A URL button's address has at most one variable, {{1}}, at its very end.",
        "В адресе кнопки-ссылки не больше одной переменной, {{1}}, в самом конце.",
    ),
    meta(
        id::PHONE_BUTTON_FORMAT,
        "A phone number button calls a number in international format (+ and 7 to 15 digits).",
        "Кнопка звонка набирает номер в международном формате (+ и от 7 до 15 цифр).",
    ),
    meta(
        id::COPY_CODE_EXAMPLE,
        "A copy code button has an example code of at most 15 characters.",
        "У кнопки копирования кода есть пример кода не длиннее 15 символов.",
    ),
    meta(
        id::BODY_VARIABLE_AT_START,
        "The body does not start with a variable.",
        "Текст сообщения не начинается с переменной.",
    ),
    meta(
        id::BODY_VARIABLE_AT_END,
        "The body does not end with a variable (punctuation after it still counts as the end).",
        "Текст сообщения не заканчивается переменной (знаки препинания после неё не в счёт).",
    ),
    meta(
        id::VARIABLES_ADJACENT,
        "Two variables always have words between them.",
        "Между двумя переменными всегда есть слова.",
    ),
    meta(
        id::VARIABLE_ALONE_ON_LINE,
        "No line holds only a variable.",
        "Ни одна строка не состоит из одной переменной.",
    ),
    meta(
        id::VARIABLES_OUT_OF_SEQUENCE,
        "Positional variables are numbered {{1}}, {{2}}, … in order, without gaps.",
        "Позиционные переменные пронумерованы {{1}}, {{2}}, … по порядку, без пропусков.",
    ),
    meta(
        id::VARIABLE_MALFORMED,
        "Every placeholder is a well-formed variable: {{1}} or {{first_name}}, no spaces, closed.",
        "Каждая переменная записана правильно: {{1}} или {{first_name}}, без пробелов, закрыта.",
    ),
    meta(
        id::VARIABLE_SPECIAL_CHARACTERS,
        "No #, @, $ or % inside a variable.",
        "Внутри переменной нет #, @, $ и %.",
    ),
    meta(
        id::VARIABLE_WRONG_FORMAT,
        "Variables follow the template's parameter format (positional {{1}} or named {{first_name}}).",
        "Переменные записаны в формате шаблона (позиционные {{1}} или именованные {{first_name}}).",
    ),
    meta(
        id::VARIABLES_MIXED,
        "A template does not mix positional and named variables.",
        "В шаблоне нет смеси позиционных и именованных переменных.",
    ),
    meta(
        id::VARIABLES_TOO_DENSE,
        "The body has at least 2x+1 words besides its x variables.",
        "В тексте сообщения не меньше 2x+1 слов помимо x переменных.",
    ),
    meta(
        id::EXAMPLE_MISSING,
        "Every variable (body, header, URL suffix) has an example value.",
        "У каждой переменной (в тексте, заголовке, адресе ссылки) есть пример значения.",
    ),
    meta(
        id::MEDIA_EXAMPLE_MISSING,
        "A media header has an example file.",
        "У медиазаголовка есть файл-пример.",
    ),
    channel(
        id::EXAMPLE_VALUE_FORMAT,
        Error,
        false,
        "Example values could be sent: not empty, no line breaks or tabs, at most 4 spaces in a row.",
        "Примеры значений можно отправить: не пустые, без переносов строк и табуляции, не больше 4 пробелов подряд.",
    ),
    channel(
        id::EMOJI_COUNT,
        Warning,
        false,
        "The body has few emoji (the workspace sets how many).",
        "В тексте сообщения мало эмодзи (сколько — задаётся в настройках).",
    ),
    channel(
        id::EMOJI_HEADER_FOOTER,
        Warning,
        false,
        "The header and footer have no emoji.",
        "В заголовке и подписи нет эмодзи.",
    ),
    channel(
        id::RELEVANCE_MISSING,
        Warning,
        true,
        "A marketing body says why it is relevant to this person (\"You recently looked at…\").",
        "Маркетинговое сообщение объясняет, почему оно важно получателю («Недавно вы интересовались…»).",
    ),
    channel(
        id::REPEAT_CONTACT_MISSING,
        Warning,
        true,
        "A marketing body makes clear the person already is a customer or has talked to the business.",
        "Маркетинговое сообщение показывает, что получатель уже клиент или уже общался с компанией.",
    ),
    channel(
        id::PERSONALISATION_MISSING,
        Error,
        false,
        "A marketing template has at least one variable: no mass, non-personalised adverts.",
        "В маркетинговом шаблоне есть хотя бы одна переменная: никакой безличной массовой рекламы.",
    ),
    channel(
        id::OPT_OUT_MISSING,
        Error,
        true,
        "A marketing template offers a Stop quick reply or says how to unsubscribe.",
        "Маркетинговый шаблон предлагает кнопку «Отписаться» или объясняет, как отписаться.",
    ),
    channel(
        id::NEGATIVE_CONTEXT,
        Error,
        true,
        "A marketing template has no debt-collection or similar negative vocabulary.",
        "В маркетинговом шаблоне нет лексики взыскания долгов и подобного негатива.",
    ),
    channel(
        id::SHOUTING,
        Warning,
        false,
        "Few words in CAPITALS (the workspace sets how many).",
        "Мало слов ЗАГЛАВНЫМИ буквами (сколько — задаётся в настройках).",
    ),
    channel(
        id::PUNCTUATION_RUN,
        Warning,
        false,
        "No runs of !!! or ???.",
        "Нет серий !!! и ???.",
    ),
    channel(
        id::LINKS_TOO_MANY,
        Warning,
        false,
        "Few links in the text (the workspace sets how many).",
        "Мало ссылок в тексте (сколько — задаётся в настройках).",
    ),
    channel(
        id::URL_SHORTENER,
        Warning,
        false,
        "No URL shorteners (bit.ly, clck.ru, …): they hide where a link goes.",
        "Нет сокращателей ссылок (bit.ly, clck.ru, …): они скрывают, куда ведёт ссылка.",
    ),
    channel(
        id::BODY_FOLDS,
        Info,
        false,
        "The body folds behind \"Read more\" after about 5 lines on the phone.",
        "На телефоне текст сворачивается под «Читать далее» примерно после 5 строк.",
    ),
    channel(
        id::UTILITY_PROMOTIONAL,
        Warning,
        true,
        "A utility template has no promotional words, or Meta will likely re-categorise it as marketing.",
        "В служебном шаблоне нет рекламных слов, иначе Meta, скорее всего, переведёт его в маркетинговые.",
    ),
    channel(
        id::SPELLING,
        Warning,
        false,
        "Words are spelled right (Hunspell dictionaries or a LanguageTool server; brand words and the team dictionary are skipped).",
        "Слова написаны без ошибок (словари Hunspell или сервер LanguageTool; названия брендов и словарь команды не проверяются).",
    ),
];

/// Every rule the linter knows, for the app's documentation and for the sandbox.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

/// The rule with `id`, when there is one.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_described_in_both_languages() {
        for (at, rule) in RULES.iter().enumerate() {
            assert!(
                rule.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !rule.id.starts_with('-')
                    && !rule.id.ends_with('-'),
                "{}: ids are kebab-case so the UI and the CLI can print them as they are",
                rule.id
            );
            assert!(
                RULES[at + 1..].iter().all(|other| other.id != rule.id),
                "{}: an id names one rule only",
                rule.id
            );
            assert!(
                !rule.summary_en.is_empty() && !rule.summary_ru.is_empty(),
                "{}: the app documents every rule in both languages",
                rule.id
            );
            assert!(
                !rule.meta_rejects || rule.severity == Severity::Error,
                "{}: what Meta rejects blocks submission",
                rule.id
            );
        }
    }
}
