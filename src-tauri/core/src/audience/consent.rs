//! Consent as spreadsheets write it: when the person opted in (a date in one of
//! the usual shapes), a yes/no column, the categories they agreed to.
//!
//! Dates without an offset are read in the contact's own time zone: «31.01.2025
//! 10:00» for a contact in Novosibirsk is 03:00 UTC.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The categories of messages a person can agree to, in Meta's terms.
pub const CATEGORIES: [&str; 3] = ["marketing", "utility", "authentication"];

/// The categories recorded when the file says "yes" but names none: the
/// importer exists to send marketing templates.
pub const DEFAULT_CATEGORIES: &str = "marketing";

/// Why a consent cell was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConsentProblem {
    /// Not a date in any shape Cadence reads.
    NotADate,
    /// `03/04/2025`: the 3rd of April or March the 4th.
    AmbiguousDate,
    /// Later than the import itself.
    InTheFuture,
    /// A year before 1970 or after 2100: a spreadsheet's empty date.
    ImplausibleYear,
    /// Neither yes nor no.
    NotYesOrNo,
    /// A category Cadence does not know (it lists the ones it does).
    UnknownCategory { category: String },
}

impl ConsentProblem {
    pub fn message(&self, language: crate::Language, value: &str) -> String {
        use crate::Language::{En, Ru};
        match (self, language) {
            (ConsentProblem::NotADate, En) => format!(
                "{value:?} is not a date: write it as 2025-01-31, 2025-01-31 10:00 or 31.01.2025"
            ),
            (ConsentProblem::NotADate, Ru) => format!(
                "«{value}» — не дата: запишите её как 31.01.2025, 31.01.2025 10:00 или 2025-01-31"
            ),
            (ConsentProblem::AmbiguousDate, En) => format!(
                "{value:?} can be read as two dates (day/month or month/day): write it as 2025-01-31"
            ),
            (ConsentProblem::AmbiguousDate, Ru) => format!(
                "«{value}» можно прочитать как две разные даты (день/месяц или месяц/день): запишите её как 31.01.2025"
            ),
            (ConsentProblem::InTheFuture, En) => {
                format!("the consent date {value:?} is in the future")
            }
            (ConsentProblem::InTheFuture, Ru) => {
                format!("дата согласия «{value}» ещё не наступила")
            }
            (ConsentProblem::ImplausibleYear, En) => {
                format!("the consent date {value:?} has an implausible year")
            }
            (ConsentProblem::ImplausibleYear, Ru) => {
                format!("у даты согласия «{value}» невозможный год")
            }
            (ConsentProblem::NotYesOrNo, En) => format!("{value:?} is neither yes nor no"),
            (ConsentProblem::NotYesOrNo, Ru) => format!("«{value}» — не «да» и не «нет»"),
            (ConsentProblem::UnknownCategory { category }, En) => format!(
                "unknown consent category {category:?}: use marketing, utility or authentication"
            ),
            (ConsentProblem::UnknownCategory { category }, Ru) => format!(
                "неизвестная категория согласия «{category}»: используйте «маркетинг», «сервисные» или «авторизация»"
            ),
        }
    }
}

/// A date cell as Unix seconds (UTC). Reads `2025-01-31`, `2025-01-31 10:00`,
/// `2025-01-31T10:00:00Z`, `2025-01-31T10:00:00+03:00`, `31.01.2025`,
/// `31.01.2025 10:00:15`, `31/01/2025` (and `01/31/2025` when the day is
/// above 12), and Unix seconds or milliseconds. Without an offset the time is
/// local to `zone`; a date alone is its midnight.
pub fn parse_instant(cell: &str, zone: Tz, now: i64) -> Result<i64, ConsentProblem> {
    let text = cell.trim();
    let seconds = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        match text.len() {
            9 | 10 => text.parse::<i64>().map_err(|_| ConsentProblem::NotADate)?,
            13 => text.parse::<i64>().map_err(|_| ConsentProblem::NotADate)? / 1000,
            _ => return Err(ConsentProblem::NotADate),
        }
    } else {
        parse_calendar(text, zone)?
    };
    // A day of slack: the file's clock and ours may disagree about "today".
    if seconds > now + 86_400 {
        return Err(ConsentProblem::InTheFuture);
    }
    Ok(seconds)
}

fn parse_calendar(text: &str, zone: Tz) -> Result<i64, ConsentProblem> {
    let split = text
        .char_indices()
        .find(|&(_, c)| c == 'T' || c == 't' || c == ' ')
        .map(|(i, _)| i);
    let (date_text, rest) = match split {
        Some(i) => (&text[..i], text[i + 1..].trim()),
        None => (text, ""),
    };
    let date = parse_date(date_text)?;
    if !(1970..=2100).contains(&chrono::Datelike::year(&date)) {
        return Err(ConsentProblem::ImplausibleYear);
    }
    let (time, offset) = parse_time_and_offset(rest)?;
    let local = NaiveDateTime::new(date, time);
    if let Some(offset_seconds) = offset {
        return Ok(local.and_utc().timestamp() - i64::from(offset_seconds));
    }
    // A local time skipped by a daylight-saving change is read an hour later;
    // one that happens twice is read as the earlier.
    let resolved = zone
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .ok_or(ConsentProblem::NotADate)?;
    Ok(resolved.timestamp())
}

fn number(text: &str) -> Result<u32, ConsentProblem> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConsentProblem::NotADate);
    }
    text.parse().map_err(|_| ConsentProblem::NotADate)
}

fn full_year(text: &str) -> Result<i32, ConsentProblem> {
    let year = number(text)? as i32;
    Ok(match text.len() {
        4 => year,
        // 31.01.25: this century.
        2 => 2000 + year,
        _ => return Err(ConsentProblem::NotADate),
    })
}

fn parse_date(text: &str) -> Result<NaiveDate, ConsentProblem> {
    let ymd =
        |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or(ConsentProblem::NotADate);
    let parts: Vec<&str> = text.split(['-', '.', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(ConsentProblem::NotADate);
    };
    if a.len() == 4 {
        // 2025-01-31, 2025.01.31, 2025/01/31.
        return ymd(number(a)? as i32, number(b)?, number(c)?);
    }
    let year = full_year(c)?;
    let (first, second) = (number(a)?, number(b)?);
    if text.contains('/') {
        // Both orders are common with slashes; read only what cannot be misread.
        return match (first > 12, second > 12) {
            (true, false) => ymd(year, second, first),
            (false, true) => ymd(year, first, second),
            (false, false) if first == second => ymd(year, first, first),
            (false, false) => Err(ConsentProblem::AmbiguousDate),
            (true, true) => Err(ConsentProblem::NotADate),
        };
    }
    // 31.01.2025 and 31-01-2025: day first, as in Russia and most of Europe.
    ymd(year, second, first)
}

/// `10:00`, `10:00:15`, `10:00:15.250`, each optionally followed by `Z`, `UTC`,
/// `+03:00`, `+0300` or `+03`.
fn parse_time_and_offset(text: &str) -> Result<(NaiveTime, Option<i32>), ConsentProblem> {
    if text.is_empty() {
        return Ok((NaiveTime::MIN, None));
    }
    let zone_at = text
        .find(['Z', 'z', '+', '-', ' ', 'U'])
        .unwrap_or(text.len());
    let (clock, zone) = text.split_at(zone_at);
    let mut parts = clock.split(':');
    let hour = number(parts.next().unwrap_or_default())?;
    let minute = number(parts.next().ok_or(ConsentProblem::NotADate)?)?;
    let second_text = parts.next().unwrap_or("0");
    let second = number(second_text.split('.').next().unwrap_or("0"))?;
    if parts.next().is_some() {
        return Err(ConsentProblem::NotADate);
    }
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or(ConsentProblem::NotADate)?;
    let zone = zone.trim();
    let offset = match zone {
        "" => None,
        "Z" | "z" | "UTC" | "GMT" => Some(0),
        _ => {
            let (sign, digits) = match zone.as_bytes()[0] {
                b'+' => (1, &zone[1..]),
                b'-' => (-1, &zone[1..]),
                _ => return Err(ConsentProblem::NotADate),
            };
            let (h, m) = match digits.split_once(':') {
                Some((h, m)) => (h, m),
                None if digits.len() == 4 => digits.split_at(2),
                None => (digits, "0"),
            };
            let (h, m) = (number(h)?, number(m)?);
            if h > 14 || m >= 60 {
                return Err(ConsentProblem::NotADate);
            }
            Some(sign * (h as i32 * 3600 + m as i32 * 60))
        }
    };
    Ok((time, offset))
}

/// A yes/no cell: `Some(true)`, `Some(false)`, or `None` when empty.
pub fn parse_yes_no(cell: &str) -> Result<Option<bool>, ConsentProblem> {
    let text = cell.trim().to_lowercase();
    Ok(match text.as_str() {
        "" => None,
        "yes" | "y" | "true" | "1" | "+" | "✓" | "✔" | "x" | "х" | "on" | "subscribed"
        | "opted in" | "opt-in" | "optin" | "да" | "д" | "согласен" | "согласна" | "согласие"
        | "подписан" | "подписана" | "есть" | "истина" => Some(true),
        "no"
        | "n"
        | "false"
        | "0"
        | "-"
        | "off"
        | "unsubscribed"
        | "opted out"
        | "opt-out"
        | "optout"
        | "нет"
        | "н"
        | "не согласен"
        | "не согласна"
        | "отказ"
        | "отписан"
        | "отписана"
        | "ложь" => Some(false),
        _ => return Err(ConsentProblem::NotYesOrNo),
    })
}

/// The categories in a cell (split on `,` `;` `|` `/`), in Meta's words and in
/// a fixed order: `marketing,utility`. `None` when the cell is empty.
pub fn parse_categories(cell: &str) -> Result<Option<String>, ConsentProblem> {
    let mut found = [false; 3];
    let mut any = false;
    for part in cell.split([',', ';', '|', '/']) {
        let word = part.trim().to_lowercase().replace('ё', "е");
        if word.is_empty() {
            continue;
        }
        let index = match word.as_str() {
            "marketing"
            | "promo"
            | "promotional"
            | "promotions"
            | "маркетинг"
            | "маркетинговые"
            | "реклама"
            | "рекламные"
            | "акции" => 0,
            "utility"
            | "service"
            | "transactional"
            | "notifications"
            | "сервисные"
            | "сервис"
            | "уведомления"
            | "транзакционные"
            | "сервисные уведомления" => 1,
            "authentication"
            | "auth"
            | "otp"
            | "авторизация"
            | "аутентификация"
            | "коды"
            | "коды подтверждения" => 2,
            _ => {
                return Err(ConsentProblem::UnknownCategory {
                    category: part.trim().to_owned(),
                });
            }
        };
        found[index] = true;
        any = true;
    }
    if !any {
        return Ok(None);
    }
    let names: Vec<&str> = CATEGORIES
        .iter()
        .zip(found)
        .filter(|(_, on)| *on)
        .map(|(name, _)| *name)
        .collect();
    Ok(Some(names.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    #[test]
    fn dates_in_the_usual_shapes() {
        let moscow = Tz::Europe__Moscow;
        let cases = [
            ("2025-01-31T10:00:00Z", 1_738_317_600),
            ("2025-01-31T13:00:00+03:00", 1_738_317_600),
            ("2025-01-31 13:00", 1_738_317_600),
            ("31.01.2025 13:00", 1_738_317_600),
            ("31.01.2025 13:00:00", 1_738_317_600),
            ("31.01.2025", 1_738_270_800),
            ("2025-01-31", 1_738_270_800),
            ("31/01/2025", 1_738_270_800),
            ("01/31/2025", 1_738_270_800),
            ("1738317600", 1_738_317_600),
            ("1738317600000", 1_738_317_600),
        ];
        for (cell, expected) in cases {
            assert_eq!(
                parse_instant(cell, moscow, NOW),
                Ok(expected),
                "{cell:?} in Moscow"
            );
        }
        assert_eq!(
            parse_instant("31.01.2025 10:00", Tz::Asia__Novosibirsk, NOW),
            Ok(1_738_292_400),
            "a local time is the contact's own (UTC+7)"
        );
    }

    #[test]
    fn bad_dates_say_why() {
        let moscow = Tz::Europe__Moscow;
        assert_eq!(
            parse_instant("03/04/2025", moscow, NOW),
            Err(ConsentProblem::AmbiguousDate)
        );
        assert_eq!(
            parse_instant("вчера", moscow, NOW),
            Err(ConsentProblem::NotADate)
        );
        assert_eq!(
            parse_instant("31.02.2025", moscow, NOW),
            Err(ConsentProblem::NotADate)
        );
        assert_eq!(
            parse_instant("2030-01-01", moscow, NOW),
            Err(ConsentProblem::InTheFuture)
        );
        assert_eq!(
            parse_instant("00.01.1900", moscow, NOW),
            Err(ConsentProblem::NotADate)
        );
        assert_eq!(
            parse_instant("01.01.1900", moscow, NOW),
            Err(ConsentProblem::ImplausibleYear)
        );
    }

    #[test]
    fn yes_and_no_in_both_languages() {
        for yes in ["да", "Yes", "1", "TRUE", "✓", "согласен"] {
            assert_eq!(parse_yes_no(yes), Ok(Some(true)), "{yes:?}");
        }
        for no in ["нет", "No", "0", "false", "отказ"] {
            assert_eq!(parse_yes_no(no), Ok(Some(false)), "{no:?}");
        }
        assert_eq!(parse_yes_no("  "), Ok(None));
        assert_eq!(parse_yes_no("может быть"), Err(ConsentProblem::NotYesOrNo));
    }

    #[test]
    fn categories_become_meta_words_in_order() {
        assert_eq!(
            parse_categories("Сервисные; маркетинг"),
            Ok(Some("marketing,utility".into()))
        );
        assert_eq!(
            parse_categories("marketing,marketing"),
            Ok(Some("marketing".into()))
        );
        assert_eq!(parse_categories(" , "), Ok(None));
        assert_eq!(
            parse_categories("marketting"),
            Err(ConsentProblem::UnknownCategory {
                category: "marketting".into()
            }),
            "a typo must not silently drop the marketing grant"
        );
    }
}
