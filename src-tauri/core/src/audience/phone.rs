//! Phone numbers as people type them, to E.164 (`+79123456789`), with a default
//! region for numbers written the national way («8 (912) 345-67-89» in Russia).
//!
//! Validity is libphonenumber's (the `phonenumber` crate): the number must fit a
//! real numbering plan, not only have the right count of digits.
//!
//! Excel's scientific notation (`7.91E+10`) has lost the number's last digits:
//! such a cell is a row error, unless the mantissa still holds every digit
//! (`7.9123456789E+10` is exactly 79123456789), in which case it is read.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use serde::{Deserialize, Serialize};

use crate::Error;

/// A country whose numbering plan reads national numbers (ISO 3166-1 alpha-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(Id);

impl Region {
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

impl FromStr for Region {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        // "001" (non-geographic) is a calling-code group, not a country.
        if code.len() != 2 {
            return Err(Error::UnknownRegion(s.to_owned()));
        }
        Id::from_str(&code)
            .map(Region)
            .map_err(|_| Error::UnknownRegion(s.to_owned()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A number in E.164, with the country it belongs to when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+` and up to 15 digits.
    pub e164: String,
    /// The E.164 digits as a number: a compact key for finding duplicates.
    pub key: u64,
    /// The country (RU, KZ) when the number belongs to one.
    pub country: Option<Region>,
}

/// Why a phone cell was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PhoneProblem {
    /// Letters or other characters no phone number has.
    NotANumber,
    /// Excel wrote the number as `7.91E+10` and dropped its last digits.
    ScientificNotation,
    TooShort,
    TooLong,
    /// Digits that fit no numbering plan (of `region` when it was written without
    /// a country code).
    NotInPlan {
        region: String,
    },
    /// An extension (`доб. 123`, `ext. 5`): WhatsApp reaches a whole number only.
    HasExtension,
}

/// The shortest and longest E.164 numbers (without the `+`).
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

/// One type of number of a numbering plan (mobile, fixed line, toll free…):
/// phonenumber's pattern compiled once, anchored at the start.
#[derive(Debug)]
struct NumberPattern {
    /// `^(?:pattern)`: phonenumber asks for a match that starts at 0, which is
    /// exactly what an anchored search answers, without its regex cache.
    regex: regex::Regex,
    lengths: Vec<u16>,
}

impl NumberPattern {
    fn new(descriptor: &phonenumber::metadata::Descriptor) -> Option<NumberPattern> {
        Some(NumberPattern {
            regex: anchored(descriptor.national_number().as_str())?,
            lengths: descriptor.possible_length().to_vec(),
        })
    }

    fn is_match(&self, value: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(value.len() as u16)))
            && self.regex.is_match(value)
    }
}

/// A metadata pattern compiled as phonenumber compiles it (whitespace in the
/// pattern is layout), anchored at the start.
fn anchored(source: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(&format!("^(?:{source})"))
        .ignore_whitespace(true)
        .build()
        .ok()
}

/// A region's numbering plan as phonenumber's validator reads it.
#[derive(Debug)]
struct Plan {
    /// The country, parsed once (phonenumber's `Id::from_str` walks every
    /// country's name).
    country: Option<Id>,
    leading_digits: Option<regex::Regex>,
    general: NumberPattern,
    /// Every other type: a number is valid when the general pattern and any of
    /// these match (phonenumber's `number_type(..) != Unknown`).
    types: Vec<NumberPattern>,
}

impl Plan {
    fn new(meta: &'static phonenumber::Metadata) -> Option<Plan> {
        let d = meta.descriptors();
        let types = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ]
        .into_iter()
        .flatten()
        .map(NumberPattern::new)
        .collect::<Option<Vec<_>>>()?;
        let leading_digits = match meta.leading_digits() {
            Some(pattern) => Some(anchored(pattern.as_str())?),
            None => None,
        };
        Some(Plan {
            country: meta.id().parse().ok(),
            leading_digits,
            general: NumberPattern::new(d.general())?,
            types,
        })
    }

    fn is_valid(&self, national: &str) -> bool {
        self.general.is_match(national) && self.types.iter().any(|t| t.is_match(national))
    }
}

/// The plans of every country calling code met so far, compiled on first use.
///
/// phonenumber's own `is_valid` looks each pattern up in a shared, locked LRU
/// of compiled regexes on every call, which made validation the costliest part
/// of importing a row (about 2 µs of 5). This reproduces its validator
/// (`validator::is_valid_with`, `source_for` and `number_type`) over the same
/// metadata patterns, compiled once; a test checks it agrees with phonenumber.
#[derive(Debug, Default)]
struct Plans {
    by_code: std::collections::HashMap<u16, Vec<Plan>>,
}

impl Plans {
    fn for_code(&mut self, code: u16) -> &[Plan] {
        self.by_code.entry(code).or_insert_with(|| {
            let db = &*phonenumber::metadata::DATABASE;
            db.region(&code)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|id| {
                    let meta: &'static phonenumber::Metadata = if id == "001" {
                        db.by_code(&code)?.into_iter().next()?
                    } else {
                        db.by_id(id)?
                    };
                    Plan::new(meta)
                })
                .collect()
        })
    }

    /// The plan a national number belongs to (phonenumber's `source_for`).
    fn source_for(&mut self, code: u16, national: &str) -> Option<&Plan> {
        let plans = self.for_code(code);
        if plans.len() == 1 {
            return plans.first();
        }
        plans.iter().find(|plan| match &plan.leading_digits {
            Some(leading) => leading.is_match(national),
            None => plan.is_valid(national),
        })
    }
}

/// Normalises the numbers of one file, reading national numbers as `region`'s.
#[derive(Debug)]
pub struct PhoneNormalizer {
    region: Region,
    plans: Plans,
}

impl Clone for PhoneNormalizer {
    fn clone(&self) -> PhoneNormalizer {
        PhoneNormalizer::new(self.region)
    }
}

impl PhoneNormalizer {
    pub fn new(region: Region) -> PhoneNormalizer {
        PhoneNormalizer {
            region,
            plans: Plans::default(),
        }
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// The number in `cell` in E.164, reading national numbers as the default
    /// region's (or `region` when the row names its own country).
    pub fn normalize(&mut self, cell: &str, region: Option<Region>) -> Result<Phone, PhoneProblem> {
        let region = region.unwrap_or(self.region);
        let cell = cell.trim();
        let mut plain = String::with_capacity(cell.len());
        let mut digits = 0usize;
        let mut letters = false;
        for c in cell.chars() {
            match c {
                '0'..='9' => {
                    digits += 1;
                    plain.push(c);
                }
                '+' if plain.is_empty() => plain.push('+'),
                // What people and spreadsheets put between digits.
                ' ' | '\u{a0}' | '\u{202f}' | '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '('
                | ')' | '.' | '/' | '\t' => {}
                _ => letters = true,
            }
        }
        if letters {
            if let Some(digits) = scientific(cell) {
                return self.normalize(&digits, Some(region));
            }
            if looks_scientific(cell) {
                return Err(PhoneProblem::ScientificNotation);
            }
            if has_extension(cell) {
                return Err(PhoneProblem::HasExtension);
            }
            return Err(PhoneProblem::NotANumber);
        }
        if digits < MIN_DIGITS {
            return Err(PhoneProblem::TooShort);
        }
        // A national number with a trunk prefix is one digit longer than E.164
        // allows at most; anything longer is not a phone number.
        if digits > MAX_DIGITS + 1 {
            return Err(PhoneProblem::TooLong);
        }
        let parsed = phonenumber::parse(Some(region.0), &plain).map_err(|error| match error {
            phonenumber::ParseError::TooLong => PhoneProblem::TooLong,
            phonenumber::ParseError::TooShortNsn | phonenumber::ParseError::TooShortAfterIdd => {
                PhoneProblem::TooShort
            }
            _ => PhoneProblem::NotInPlan {
                region: region.to_string(),
            },
        })?;
        let national = parsed.national();
        let code = parsed.code().value();
        let mut with_zeros = String::with_capacity(16);
        for _ in 0..national.zeros() {
            with_zeros.push('0');
        }
        with_zeros.push_str(&national.value().to_string());
        let valid = self
            .plans
            .source_for(code, &with_zeros)
            .is_some_and(|plan| plan.is_valid(&with_zeros));
        if !valid {
            return Err(PhoneProblem::NotInPlan {
                region: region.to_string(),
            });
        }
        let mut e164 = String::with_capacity(16);
        e164.push('+');
        e164.push_str(&code.to_string());
        e164.push_str(&with_zeros);
        if e164.len() - 1 > MAX_DIGITS {
            return Err(PhoneProblem::TooLong);
        }
        let key = e164[1..]
            .parse::<u64>()
            .map_err(|_| PhoneProblem::TooLong)?;
        // phonenumber names the country from the number without its leading
        // zeros (`Country::id` → `metadata` → `source_for`).
        let plain_national = national.value().to_string();
        let country = self
            .plans
            .source_for(code, &plain_national)
            .and_then(|plan| plan.country)
            .map(Region);
        Ok(Phone { e164, key, country })
    }
}

/// `7.9123456789E+10` (or with a decimal comma) when the mantissa holds every
/// digit of the integer it stands for: those digits. `None` when the notation
/// dropped digits or the cell is not scientific notation.
fn scientific(cell: &str) -> Option<String> {
    let (mantissa, exponent) = split_scientific(cell)?;
    let (whole, fraction) = match mantissa.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Exact only when the exponent shifts the point right past the last written
    // digit, with no zeros to invent: 7.9123456789E+10 is; 7.91E+10 is not.
    if exponent != fraction.len() || exponent == 0 {
        return None;
    }
    Some(format!("{whole}{fraction}"))
}

fn split_scientific(cell: &str) -> Option<(&str, usize)> {
    let upper = cell.find(['E', 'e'])?;
    let (mantissa, rest) = cell.split_at(upper);
    let exponent = rest[1..].trim_start_matches('+');
    if exponent.is_empty() || !exponent.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((mantissa.trim(), exponent.parse().ok()?))
}

fn looks_scientific(cell: &str) -> bool {
    split_scientific(cell).is_some_and(|(mantissa, _)| {
        !mantissa.is_empty()
            && mantissa
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    })
}

fn has_extension(cell: &str) -> bool {
    let lower = cell.to_lowercase();
    ["доб", "ext", "x", "#"].iter().any(|mark| {
        lower.find(mark).is_some_and(|at| {
            lower[..at].chars().filter(char::is_ascii_digit).count() >= MIN_DIGITS
        })
    })
}

impl PhoneProblem {
    /// The problem in words for the row report.
    pub fn message(&self, language: crate::Language, value: &str) -> String {
        use crate::Language::{En, Ru};
        match (self, language) {
            (PhoneProblem::NotANumber, En) => {
                format!("{value:?} is not a phone number (it has letters or symbols)")
            }
            (PhoneProblem::NotANumber, Ru) => {
                format!("«{value}» — не номер телефона (в нём буквы или знаки)")
            }
            (PhoneProblem::ScientificNotation, En) => format!(
                "{value:?} is a number Excel wrote in scientific notation, which dropped its last digits: format the column as Text in Excel and export again"
            ),
            (PhoneProblem::ScientificNotation, Ru) => format!(
                "«{value}» — Excel записал номер в экспоненциальной форме и потерял последние цифры: задайте столбцу формат «Текстовый» и выгрузите файл заново"
            ),
            (PhoneProblem::TooShort, En) => {
                format!("{value:?} has too few digits for a phone number")
            }
            (PhoneProblem::TooShort, Ru) => {
                format!("в «{value}» слишком мало цифр для номера телефона")
            }
            (PhoneProblem::TooLong, En) => {
                format!("{value:?} has too many digits for a phone number")
            }
            (PhoneProblem::TooLong, Ru) => {
                format!("в «{value}» слишком много цифр для номера телефона")
            }
            (PhoneProblem::NotInPlan { region }, En) => format!(
                "{value:?} is not a valid number (read as {region} when written without a country code)"
            ),
            (PhoneProblem::NotInPlan { region }, Ru) => format!(
                "«{value}» — несуществующий номер (без кода страны читается как номер {region})"
            ),
            (PhoneProblem::HasExtension, En) => {
                format!("{value:?} has an extension: WhatsApp reaches whole numbers only")
            }
            (PhoneProblem::HasExtension, Ru) => {
                format!("у «{value}» добавочный номер: WhatsApp работает только с полными номерами")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ru() -> PhoneNormalizer {
        PhoneNormalizer::new("RU".parse().expect("RU is a region"))
    }

    #[test]
    fn russian_numbers_in_every_usual_shape_become_e164() {
        for cell in [
            "8 (912) 345-67-89",
            "+7 912 345 67 89",
            "79123456789",
            "+79123456789",
            "9123456789",
            "8-912-345-67-89",
            "8.912.345.67.89",
            " +7\u{a0}(912)\u{a0}345-67-89 ",
        ] {
            let phone = ru().normalize(cell, None).expect(cell);
            assert_eq!(phone.e164, "+79123456789", "{cell:?} with region RU");
            assert_eq!(phone.country.map(|c| c.to_string()).as_deref(), Some("RU"));
            assert_eq!(phone.key, 79_123_456_789);
        }
    }

    #[test]
    fn international_numbers_keep_their_country() {
        let kz = ru()
            .normalize("+7 701 234 5678", None)
            .expect("a Kazakh mobile");
        assert_eq!(
            kz.country.map(|c| c.to_string()).as_deref(),
            Some("KZ"),
            "+7 7xx belongs to Kazakhstan"
        );
        let de = ru()
            .normalize("+49 151 23456789", None)
            .expect("a German mobile");
        assert_eq!(de.e164, "+4915123456789");
        assert_eq!(de.country.map(|c| c.to_string()).as_deref(), Some("DE"));
        let it = ru()
            .normalize("+39 06 6982 1234", None)
            .expect("a Rome landline");
        assert_eq!(
            it.e164, "+390669821234",
            "Italian numbers keep their leading zero"
        );
    }

    #[test]
    fn a_row_region_reads_its_national_numbers() {
        let de: Region = "de".parse().expect("DE");
        let phone = ru()
            .normalize("0151 23456789", Some(de))
            .expect("German national");
        assert_eq!(phone.e164, "+4915123456789");
    }

    #[test]
    fn scientific_notation_is_read_only_when_exact() {
        assert_eq!(
            ru().normalize("7.91E+10", None),
            Err(PhoneProblem::ScientificNotation),
            "three significant digits cannot give back an eleven-digit number"
        );
        assert_eq!(
            ru().normalize("7,91235E+10", None),
            Err(PhoneProblem::ScientificNotation),
            "a decimal comma (Russian Excel) is the same loss"
        );
        assert_eq!(
            ru().normalize("7.9123456789E+10", None).map(|p| p.e164),
            Ok("+79123456789".to_owned()),
            "every digit is still there"
        );
    }

    #[test]
    fn bad_cells_say_why() {
        let cases = [
            ("call me", PhoneProblem::NotANumber),
            ("12345", PhoneProblem::TooShort),
            ("+7 912 345 67 89 12 34 56 78", PhoneProblem::TooLong),
            (
                "+7 000 000 00 00",
                PhoneProblem::NotInPlan {
                    region: "RU".into(),
                },
            ),
            ("+7 912 345-67-89 доб. 12", PhoneProblem::HasExtension),
        ];
        for (cell, expected) in cases {
            assert_eq!(ru().normalize(cell, None), Err(expected), "{cell:?}");
        }
    }

    #[test]
    fn validation_agrees_with_phonenumber() {
        // Numbers of many shapes and countries, valid and not: the compiled plans
        // must say exactly what phonenumber's own validator says.
        let mut cells: Vec<String> = Vec::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for prefix in [
            "+7", "+7 7", "+7 9", "8", "+1", "+44", "+49", "+39 0", "+39 3", "+33", "+380", "+375",
            "+998", "+86", "+91", "+971", "+90", "+800", "+882", "+262", "+590", "+61",
        ] {
            for _ in 0..300 {
                let digits = 6 + (next() % 7) as usize;
                let tail: String = (0..digits)
                    .map(|_| char::from(b'0' + (next() % 10) as u8))
                    .collect();
                cells.push(format!("{prefix}{tail}"));
            }
        }
        let region: Region = "RU".parse().expect("RU");
        let mut ours = PhoneNormalizer::new(region);
        let mut agreed = 0;
        for cell in &cells {
            let theirs = phonenumber::parse(Some(Id::RU), cell)
                .ok()
                .filter(phonenumber::is_valid)
                .map(|p| {
                    (
                        p.country().id().map(|id| id.as_ref().to_owned()),
                        p.format().mode(phonenumber::Mode::E164).to_string(),
                    )
                });
            let mine = ours
                .normalize(cell, None)
                .ok()
                .map(|p| (p.country.map(|c| c.to_string()), p.e164));
            assert_eq!(mine, theirs, "{cell}");
            agreed += usize::from(mine.is_some());
        }
        assert!(
            agreed > 500,
            "the sample holds valid numbers too ({agreed})"
        );
    }

    #[test]
    fn regions_parse_from_two_letters() {
        assert_eq!(
            "ru".parse::<Region>().map(|r| r.to_string()),
            Ok("RU".to_owned())
        );
        assert!("RUS".parse::<Region>().is_err());
        assert!("ZZ".parse::<Region>().is_err());
    }
}
