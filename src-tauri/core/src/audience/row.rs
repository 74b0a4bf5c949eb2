//! One record of a file to one contact, or to the reason it cannot be one.
//!
//! Everything a row can get wrong is found here, before anything is written:
//! the number, the zone, the consent columns, the shape of the record itself.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ImportMode;
use super::consent::{self, ConsentProblem, DEFAULT_CATEGORIES};
use super::mapping::ResolvedMapping;
use super::phone::{PhoneNormalizer, PhoneProblem, Region};
use super::zone::{ZoneResolver, parse_zone};
use crate::Language;
use crate::csvread::Row;

/// A cell longer than this is not a contact's data (64 KiB).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// How much of a rejected record the report keeps.
pub const RAW_CHARS: usize = 300;

/// A contact as one row of a file describes it, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    /// The line the record starts on.
    pub line: u64,
    /// E.164.
    pub phone: String,
    /// The E.164 digits as a number (duplicates are found by it).
    pub phone_key: u64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    /// IANA name.
    pub time_zone: String,
    pub time_zone_inferred: bool,
    /// ISO 3166-1 alpha-2 of the number.
    pub country: Option<String>,
    /// Non-empty mapped attributes, sorted by name (the names are shared by
    /// every row of an import).
    pub attributes: Vec<(Arc<str>, String)>,
    /// The attributes as the JSON object stored in `contact.attributes`.
    pub attributes_json: String,
    pub tags: Vec<String>,
    /// Subscribe mode: the grant the row records. Opt-out mode: when and how the
    /// person opted out.
    pub consent: Option<ConsentMark>,
}

/// A consent event as a row states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentMark {
    /// Unix seconds.
    pub occurred_at: i64,
    pub source: String,
    /// `marketing,utility`.
    pub categories: String,
    pub evidence: Option<String>,
}

/// Why a row was not imported. A closed set with a stable code each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowProblem {
    /// The phone cell is empty.
    MissingPhone,
    Phone {
        value: String,
        problem: PhoneProblem,
    },
    /// More or fewer fields than the header has.
    Ragged {
        found: u32,
        expected: u32,
    },
    /// A quote opened on this line never closes: lines up to `last_line` were
    /// read as one field.
    UnterminatedQuote {
        last_line: u32,
    },
    /// Bytes that are not valid in the file's encoding.
    BadEncoding,
    FieldTooLong {
        column: String,
        bytes: u32,
    },
    TimeZone {
        value: String,
    },
    Consent {
        column: String,
        value: String,
        problem: ConsentProblem,
    },
    Locale {
        value: String,
    },
    Country {
        value: String,
    },
    /// The same number appeared on `first_line`, which was imported instead.
    DuplicateInFile {
        first_line: u32,
    },
}

impl RowProblem {
    /// Stored in `import_row_error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            RowProblem::MissingPhone => "missing_phone",
            RowProblem::Phone {
                problem: PhoneProblem::ScientificNotation,
                ..
            } => "scientific_notation",
            RowProblem::Phone { .. } => "invalid_phone",
            RowProblem::Ragged { .. } => "ragged_row",
            RowProblem::UnterminatedQuote { .. } => "unterminated_quote",
            RowProblem::BadEncoding => "bad_encoding",
            RowProblem::FieldTooLong { .. } => "field_too_long",
            RowProblem::TimeZone { .. } => "invalid_time_zone",
            RowProblem::Consent { .. } => "invalid_consent",
            RowProblem::Locale { .. } => "invalid_locale",
            RowProblem::Country { .. } => "invalid_country",
            RowProblem::DuplicateInFile { .. } => "duplicate_in_file",
        }
    }

    /// Whether the row counts as a duplicate rather than as invalid.
    pub fn is_duplicate(&self) -> bool {
        matches!(self, RowProblem::DuplicateInFile { .. })
    }

    pub fn message(&self, language: Language) -> String {
        use Language::{En, Ru};
        match (self, language) {
            (RowProblem::MissingPhone, En) => "the phone cell is empty".into(),
            (RowProblem::MissingPhone, Ru) => "не указан телефон".into(),
            (RowProblem::Phone { value, problem }, language) => problem.message(language, value),
            (RowProblem::Ragged { found, expected }, En) => format!("the row has {found} fields where the header has {expected}: a delimiter is missing or extra, or a value with the delimiter is not in quotes"),
            (RowProblem::Ragged { found, expected }, Ru) => format!("в строке {found} полей, а в заголовке {expected}: пропущен или лишний разделитель, либо значение с разделителем не взято в кавычки"),
            (RowProblem::UnterminatedQuote { last_line }, En) => format!("a quote opened on this line is never closed: everything up to line {last_line} was read as one value; close the quote and import again"),
            (RowProblem::UnterminatedQuote { last_line }, Ru) => format!("открытая в этой строке кавычка не закрыта: всё до строки {last_line} прочитано как одно значение; закройте кавычку и импортируйте снова"),
            (RowProblem::BadEncoding, En) => "the row has bytes that are not valid in the file's encoding (a line pasted from a file in another encoding?): fix or retype it".into(),
            (RowProblem::BadEncoding, Ru) => "в строке есть байты, недопустимые в кодировке файла (строка вставлена из файла в другой кодировке?): исправьте или наберите её заново".into(),
            (RowProblem::FieldTooLong { column, bytes }, En) => format!("the value in {column:?} is {bytes} bytes long, more than a contact's value can be (64 KiB)"),
            (RowProblem::FieldTooLong { column, bytes }, Ru) => format!("значение в «{column}» длиной {bytes} байт — больше, чем допустимо для контакта (64 КиБ)"),
            (RowProblem::TimeZone { value }, En) => format!("{value:?} is not a time zone: use an IANA name such as Europe/Moscow or an offset such as +03:00"),
            (RowProblem::TimeZone { value }, Ru) => format!("«{value}» — не часовой пояс: укажите название вроде Europe/Moscow или смещение вроде +03:00"),
            (RowProblem::Consent { column, value, problem }, language) => {
                let prefix = match language {
                    En => format!("{column}: "),
                    Ru => format!("{column}: "),
                };
                prefix + &problem.message(language, value)
            }
            (RowProblem::Locale { value }, En) => format!("{value:?} is not a language: use a code such as ru, en or en_US"),
            (RowProblem::Locale { value }, Ru) => format!("«{value}» — не язык: укажите код вроде ru, en или en_US"),
            (RowProblem::Country { value }, En) => format!("{value:?} is not a country: use a two-letter code such as RU or KZ"),
            (RowProblem::Country { value }, Ru) => format!("«{value}» — не страна: укажите двухбуквенный код вроде RU или KZ"),
            (RowProblem::DuplicateInFile { first_line }, En) => format!("the same number is on line {first_line}, which was imported instead"),
            (RowProblem::DuplicateInFile { first_line }, Ru) => format!("этот же номер есть в строке {first_line}, импортирована она"),
        }
    }
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub problem: RowProblem,
    /// The record as read, fields joined by the delimiter, cut to [`RAW_CHARS`].
    pub raw: String,
}

/// What every row of one import shares.
#[derive(Debug, Clone)]
pub struct RowSettings {
    pub mode: ImportMode,
    pub region: Region,
    pub default_zone: Tz,
    /// The import's own time (Unix seconds): consent without a date is recorded
    /// at it, and consent dates after it are refused.
    pub now: i64,
    /// The consent source when the file has none: `import:<file name>`.
    pub default_source: String,
}

/// Turns records into contacts for one file.
pub struct RowNormalizer {
    mapping: ResolvedMapping,
    columns: Vec<String>,
    phones: PhoneNormalizer,
    zones: ZoneResolver,
    settings: RowSettings,
    delimiter: char,
    /// The mapped attributes' names, shared by every row's draft.
    attribute_names: Vec<(Arc<str>, usize)>,
    /// Zone cells repeat (a few zones for a whole file): parse each text once.
    zone_cache: HashMap<String, Option<Tz>>,
}

/// How many distinct zone texts are remembered: more is not a zone column.
const ZONE_CACHE_LIMIT: usize = 10_000;

impl RowNormalizer {
    pub fn new(
        mapping: ResolvedMapping,
        columns: Vec<String>,
        delimiter: char,
        settings: RowSettings,
    ) -> RowNormalizer {
        RowNormalizer {
            attribute_names: mapping
                .attributes
                .iter()
                .map(|(name, index)| (Arc::from(name.as_str()), *index))
                .collect(),
            phones: PhoneNormalizer::new(settings.region),
            zones: ZoneResolver::new(settings.default_zone),
            mapping,
            columns,
            settings,
            delimiter,
            zone_cache: HashMap::new(),
        }
    }

    /// The contact a record describes, or why it cannot be imported.
    pub fn normalize(&mut self, row: &Row<'_>) -> Result<ContactDraft, RowError> {
        self.check_shape(row)
            .and_then(|()| self.contact(row))
            .map_err(|problem| RowError {
                line: row.line,
                problem,
                raw: raw_text(row, self.delimiter),
            })
    }

    fn check_shape(&self, row: &Row<'_>) -> Result<(), RowProblem> {
        if let Some(last_line) = row.unterminated_quote_until {
            return Err(RowProblem::UnterminatedQuote {
                last_line: clamp(last_line),
            });
        }
        let expected = self.columns.len();
        let found = row.fields.len();
        // Trailing empty fields are Excel's padding, not data.
        let extra_filled = row
            .fields
            .iter()
            .skip(expected)
            .any(|f| !f.trim().is_empty());
        if found < expected || extra_filled {
            return Err(RowProblem::Ragged {
                found: clamp(found as u64),
                expected: clamp(expected as u64),
            });
        }
        for (i, field) in row.fields.iter().enumerate() {
            if field.len() > MAX_FIELD_BYTES {
                return Err(RowProblem::FieldTooLong {
                    column: self.columns.get(i).cloned().unwrap_or_default(),
                    bytes: clamp(field.len() as u64),
                });
            }
            if field.chars().any(undecodable) {
                return Err(RowProblem::BadEncoding);
            }
        }
        Ok(())
    }

    fn contact(&mut self, row: &Row<'_>) -> Result<ContactDraft, RowProblem> {
        let m = &self.mapping;
        let get = |index: Option<usize>| {
            index
                .map(|i| cell(row.fields.get(i).unwrap_or("")))
                .filter(|v| !v.is_empty())
        };
        let phone_cell = get(Some(m.phone)).ok_or(RowProblem::MissingPhone)?;
        let row_region = match get(m.country) {
            Some(value) => Some(parse_country(value).ok_or_else(|| RowProblem::Country {
                value: value.to_owned(),
            })?),
            None => None,
        };
        let phone = self
            .phones
            .normalize(phone_cell, row_region)
            .map_err(|problem| RowProblem::Phone {
                value: phone_cell.to_owned(),
                problem,
            })?;
        let country = phone.country.map(|c| c.to_string());
        let zone_cell = get(m.time_zone);
        let from_file = match zone_cell {
            Some(text) => Some(self.zone(text).ok_or_else(|| RowProblem::TimeZone {
                value: text.to_owned(),
            })?),
            None => None,
        };
        let zone = self.zones.resolve(from_file, country.as_deref());
        let m = &self.mapping;
        let get = |index: Option<usize>| {
            index
                .map(|i| cell(row.fields.get(i).unwrap_or("")))
                .filter(|v| !v.is_empty())
        };
        let tz: Tz = from_file
            .or_else(|| zone.name.parse().ok())
            .unwrap_or(self.settings.default_zone);
        let consent = self.consent(row, tz)?;
        if self.settings.mode == ImportMode::OptOut {
            // An opt-out list only names numbers: nothing else is read or judged.
            return Ok(ContactDraft {
                line: row.line,
                phone: phone.e164,
                phone_key: phone.key,
                first_name: None,
                last_name: None,
                locale: None,
                time_zone: zone.name,
                time_zone_inferred: zone.inferred,
                country,
                attributes: Vec::new(),
                attributes_json: "{}".into(),
                tags: Vec::new(),
                consent,
            });
        }
        let locale = match get(m.locale) {
            Some(value) => Some(normalize_locale(value).ok_or_else(|| RowProblem::Locale {
                value: value.to_owned(),
            })?),
            None => None,
        };
        let mut attributes = Vec::with_capacity(self.attribute_names.len());
        for (name, index) in &self.attribute_names {
            if let Some(value) = get(Some(*index)) {
                attributes.push((Arc::clone(name), value.to_owned()));
            }
        }
        let attributes_json = attributes_json(&attributes);
        let mut tags: Vec<String> = Vec::new();
        for &index in &m.tags {
            if let Some(value) = get(Some(index)) {
                for tag in value.split([',', ';', '|']) {
                    let tag = tag.trim();
                    if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
                        tags.push(tag.to_owned());
                    }
                }
            }
        }
        Ok(ContactDraft {
            line: row.line,
            phone: phone.e164,
            phone_key: phone.key,
            first_name: get(m.first_name).map(str::to_owned),
            last_name: get(m.last_name).map(str::to_owned),
            locale,
            time_zone: zone.name,
            time_zone_inferred: zone.inferred,
            country,
            attributes,
            attributes_json,
            tags,
            consent,
        })
    }

    fn zone(&mut self, text: &str) -> Option<Tz> {
        if let Some(known) = self.zone_cache.get(text) {
            return *known;
        }
        let parsed = parse_zone(text);
        if self.zone_cache.len() < ZONE_CACHE_LIMIT {
            self.zone_cache.insert(text.to_owned(), parsed);
        }
        parsed
    }

    /// The consent the row states (see [`ConsentMark`]), or `None`.
    fn consent(&self, row: &Row<'_>, zone: Tz) -> Result<Option<ConsentMark>, RowProblem> {
        let m = &self.mapping;
        let get = |index: Option<usize>| {
            index
                .map(|i| cell(row.fields.get(i).unwrap_or("")))
                .filter(|v| !v.is_empty())
        };
        let problem = |index: usize, value: &str, problem: ConsentProblem| RowProblem::Consent {
            column: self.columns.get(index).cloned().unwrap_or_default(),
            value: value.to_owned(),
            problem,
        };
        // A "consent" column often holds the date the person agreed instead of a
        // yes: a date there is a yes given on that date.
        let mut given_on = None;
        let given = match (m.consent_given, get(m.consent_given)) {
            (Some(index), Some(value)) => match consent::parse_yes_no(value) {
                Ok(answer) => answer,
                Err(not_yes_no) => match consent::parse_instant(value, zone, self.settings.now) {
                    Ok(at) => {
                        given_on = Some(at);
                        Some(true)
                    }
                    Err(_) => return Err(problem(index, value, not_yes_no)),
                },
            },
            _ => None,
        };
        let at = match (m.consent_at, get(m.consent_at)) {
            (Some(index), Some(value)) => Some(
                consent::parse_instant(value, zone, self.settings.now)
                    .map_err(|p| problem(index, value, p))?,
            ),
            _ => given_on,
        };
        let categories = match (m.consent_categories, get(m.consent_categories)) {
            (Some(index), Some(value)) => {
                consent::parse_categories(value).map_err(|p| problem(index, value, p))?
            }
            _ => None,
        };
        let stated = match self.settings.mode {
            // Every row of an opt-out list is an opt-out.
            ImportMode::OptOut => true,
            ImportMode::Subscribe => match given {
                Some(answer) => answer,
                None => at.is_some(),
            },
        };
        if !stated {
            return Ok(None);
        }
        Ok(Some(ConsentMark {
            occurred_at: at.unwrap_or(self.settings.now),
            source: get(m.consent_source)
                .map(str::to_owned)
                .unwrap_or_else(|| self.settings.default_source.clone()),
            categories: categories.unwrap_or_else(|| DEFAULT_CATEGORIES.to_owned()),
            evidence: get(m.consent_evidence).map(str::to_owned),
        }))
    }
}

/// A character no spreadsheet writes: the decoder's replacement for bytes
/// invalid in the encoding, a C1 control (what UTF-8 letters become when read as
/// Windows-1251: «И» is D0 98, and 98 is a control there), or a C0 control
/// other than tab and line breaks (binary data).
fn undecodable(c: char) -> bool {
    c == '\u{FFFD}'
        || ('\u{80}'..='\u{9f}').contains(&c)
        || (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A cell trimmed, with Excel's text-literal wrapper `="…"` removed (exports use
/// it to keep leading zeros and long numbers intact).
pub fn cell(raw: &str) -> &str {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    match trimmed
        .strip_prefix("=\"")
        .and_then(|r| r.strip_suffix('"'))
    {
        Some(inner) if !inner.contains('"') => inner.trim(),
        _ => trimmed,
    }
}

/// The record as the report shows it: fields joined by the delimiter, cut to
/// [`RAW_CHARS`] characters.
pub fn raw_text(row: &Row<'_>, delimiter: char) -> String {
    let mut raw = String::new();
    for (i, field) in row.fields.iter().enumerate() {
        if i > 0 {
            raw.push(delimiter);
        }
        let room = RAW_CHARS.saturating_sub(raw.chars().count());
        if room == 0 {
            break;
        }
        raw.extend(field.chars().take(room));
    }
    if raw.chars().count() >= RAW_CHARS {
        raw.push('…');
    }
    raw
}

/// `{"city":"Москва","plan":"gold"}`, keys in order.
pub fn attributes_json<K: AsRef<str>>(attributes: &[(K, String)]) -> String {
    let mut json = String::with_capacity(2 + attributes.len() * 24);
    json.push('{');
    for (i, (name, value)) in attributes.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_json_string(&mut json, name.as_ref());
        json.push(':');
        push_json_string(&mut json, value);
    }
    json.push('}');
    json
}

fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `ru`, `RU`, `ru-RU`, `en_us`, «русский», "English" → `ru`, `ru_RU`, `en_US`, `en`.
pub fn normalize_locale(text: &str) -> Option<String> {
    let lower = text.trim().to_lowercase();
    let named = match lower.as_str() {
        "русский" | "рус" | "russian" => Some("ru"),
        "английский" | "англ" | "english" => Some("en"),
        "казахский" | "kazakh" => Some("kk"),
        "узбекский" | "uzbek" => Some("uz"),
        "украинский" | "ukrainian" => Some("uk"),
        _ => None,
    };
    if let Some(code) = named {
        return Some(code.to_owned());
    }
    let (language, region) = match lower.split_once(['-', '_']) {
        Some((l, r)) => (l, Some(r)),
        None => (lower.as_str(), None),
    };
    if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    match region {
        None => Some(language.to_owned()),
        Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_lowercase()) => {
            Some(format!("{language}_{}", r.to_ascii_uppercase()))
        }
        Some(_) => None,
    }
}

/// A country cell: a two-letter code, or the name of a country Cadence's users
/// often write out.
pub fn parse_country(text: &str) -> Option<Region> {
    let lower = text.trim().to_lowercase().replace('ё', "е");
    let code = match lower.as_str() {
        "россия" | "рф" | "russia" | "russian federation" => "RU",
        "казахстан" | "kazakhstan" => "KZ",
        "беларусь" | "белоруссия" | "belarus" => "BY",
        "украина" | "ukraine" => "UA",
        "узбекистан" | "uzbekistan" => "UZ",
        "кыргызстан" | "киргизия" | "kyrgyzstan" => "KG",
        "таджикистан" | "tajikistan" => "TJ",
        "армения" | "armenia" => "AM",
        "грузия" | "georgia" => "GE",
        "азербайджан" | "azerbaijan" => "AZ",
        "молдова" | "moldova" => "MD",
        "германия" | "germany" => "DE",
        "сша" | "usa" | "united states" => "US",
        "великобритания" | "uk" | "united kingdom" => "GB",
        "турция" | "turkey" | "türkiye" => "TR",
        "оаэ" | "uae" | "united arab emirates" => "AE",
        other => other,
    };
    code.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::mapping::{ColumnMapping, ColumnRule, Target};
    use crate::csvread::{RecordReader, SniffOptions, sniff};

    const NOW: i64 = 1_767_225_600;

    fn normalize_all(text: &str, mode: ImportMode) -> Vec<Result<ContactDraft, RowError>> {
        let layout = sniff(text.as_bytes(), true, &SniffOptions::default()).expect("readable");
        let mapping = super::super::headers::suggest(&layout.columns, &[]);
        let resolved = mapping.resolve(&layout.columns).expect("a phone column");
        let settings = RowSettings {
            mode,
            region: "RU".parse().expect("RU"),
            default_zone: Tz::Europe__Moscow,
            now: NOW,
            default_source: "import:test.csv".into(),
        };
        let mut normalizer = RowNormalizer::new(
            resolved,
            layout.columns.clone(),
            char::from(layout.delimiter.byte()),
            settings,
        );
        let mut reader = RecordReader::new(text.as_bytes(), &layout);
        let mut out = Vec::new();
        while let Some(row) = reader.next_row().expect("in memory") {
            out.push(normalizer.normalize(&row));
        }
        out
    }

    #[test]
    fn a_full_row_becomes_a_contact() {
        let text = "Телефон;Имя;Фамилия;Часовой пояс;Дата согласия;Источник;Категории;Теги;Город\n\
                    8 (912) 345-67-89;Иван;Петров;UTC+7;31.01.2025 10:00;форма на сайте;маркетинг, сервисные;vip, опт;Новосибирск\n";
        let rows = normalize_all(text, ImportMode::Subscribe);
        let contact = rows[0].clone().expect("a valid row");
        assert_eq!(contact.phone, "+79123456789");
        assert_eq!(contact.first_name.as_deref(), Some("Иван"));
        assert_eq!(contact.time_zone, "Etc/GMT-7");
        assert!(!contact.time_zone_inferred);
        assert_eq!(contact.country.as_deref(), Some("RU"));
        assert_eq!(contact.tags, ["vip", "опт"]);
        assert_eq!(contact.attributes_json, r#"{"city":"Новосибирск"}"#);
        assert_eq!(
            contact.consent,
            Some(ConsentMark {
                occurred_at: 1_738_292_400,
                source: "форма на сайте".into(),
                categories: "marketing,utility".into(),
                evidence: None,
            }),
            "10:00 in UTC+7 is 03:00 UTC"
        );
    }

    #[test]
    fn a_row_without_consent_is_still_a_contact() {
        let rows = normalize_all("phone,name\n+4915123456789,Anna\n", ImportMode::Subscribe);
        let contact = rows[0].clone().expect("valid");
        assert_eq!(
            contact.consent, None,
            "no consent columns: consent 'none', not dropped"
        );
        assert_eq!(contact.time_zone, "Europe/Berlin", "Germany has one zone");
        assert!(contact.time_zone_inferred);
    }

    #[test]
    fn bad_rows_say_what_is_wrong() {
        let text = "phone,name,time zone,consent\n\
                    ,Nobody,,\n\
                    7.91E+10,Excel,,\n\
                    +79123456789,Short\n\
                    +79123456780,Zone,Mars/Base,\n\
                    +79123456781,Consent,,maybe\n\
                    =\"89123456782\",Text literal,,yes\n";
        let rows = normalize_all(text, ImportMode::Subscribe);
        let codes: Vec<&str> = rows
            .iter()
            .map(|r| match r {
                Ok(_) => "ok",
                Err(e) => e.problem.code(),
            })
            .collect();
        assert_eq!(
            codes,
            [
                "missing_phone",
                "scientific_notation",
                "ragged_row",
                "invalid_time_zone",
                "invalid_consent",
                "ok"
            ]
        );
        let literal = rows[5]
            .clone()
            .expect("Excel's =\"…\" wrapper is unwrapped");
        assert_eq!(literal.phone, "+79123456782");
        assert_eq!(
            literal
                .consent
                .map(|c| (c.occurred_at, c.categories, c.source)),
            Some((NOW, "marketing".into(), "import:test.csv".into())),
            "yes without a date is recorded at the import, for marketing, from the file"
        );
        let error = rows[0].clone().expect_err("no phone");
        assert_eq!(error.line, 2);
        assert_eq!(error.raw, ",Nobody,,");
    }

    #[test]
    fn a_date_in_the_consent_column_is_a_yes_on_that_date() {
        let text = "Телефон;Согласие\n89123456789;2025-03-01\n89123456780;нет\n";
        let rows = normalize_all(text, ImportMode::Subscribe);
        let given = rows[0].clone().expect("a date is a valid consent answer");
        assert_eq!(
            given.consent.map(|c| c.occurred_at),
            Some(1_740_776_400),
            "granted on 1 March 2025, midnight Moscow time (21:00 UTC the day before)"
        );
        let refused = rows[1].clone().expect("«нет» is a valid answer");
        assert_eq!(refused.consent, None, "no consent: imported, ineligible");
    }

    #[test]
    fn opt_out_rows_need_only_a_number() {
        let mapping = ColumnMapping {
            columns: vec![ColumnRule {
                column: "phone".into(),
                target: Target::Phone,
            }],
        };
        assert!(mapping.resolve(&["phone".into()]).is_ok());
        let rows = normalize_all(
            "phone,locale\n+79123456789,not-a-locale-at-all\n",
            ImportMode::OptOut,
        );
        let contact = rows[0]
            .clone()
            .expect("an opt-out ignores the other columns");
        assert_eq!(contact.consent.map(|c| c.occurred_at), Some(NOW));
    }

    #[test]
    fn locales_and_countries_normalise() {
        assert_eq!(normalize_locale("ru-RU").as_deref(), Some("ru_RU"));
        assert_eq!(normalize_locale("EN").as_deref(), Some("en"));
        assert_eq!(normalize_locale("Русский").as_deref(), Some("ru"));
        assert_eq!(normalize_locale("klingon-empire"), None);
        assert_eq!(
            parse_country("Казахстан").map(|r| r.to_string()).as_deref(),
            Some("KZ")
        );
        assert_eq!(
            parse_country("de").map(|r| r.to_string()).as_deref(),
            Some("DE")
        );
        assert_eq!(parse_country("Атлантида"), None);
    }

    #[test]
    fn attribute_json_escapes() {
        assert_eq!(
            attributes_json(&[("note", "say \"hi\"\n\\".to_owned())]),
            r#"{"note":"say \"hi\"\n\\"}"#
        );
    }
}
