//! A contact's time zone: from the file (an IANA name or a UTC offset), else
//! inferred from the number's country when the country has one zone, else the
//! workspace default. Campaigns use it to keep marketing out of the night.
//!
//! Which zones a country has comes from the IANA database's `zone.tab` (a copy
//! from tzdata 2025b sits beside this file), read once.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::TimeZone;
use chrono_tz::Tz;

use crate::Error;

/// A zone as stored: its IANA name and whether it was inferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactZone {
    pub name: String,
    pub inferred: bool,
}

/// Reads a time-zone cell: an IANA name in any letter case (`Europe/Moscow`), a
/// UTC offset (`+03:00`, `+3`, `UTC+3`, `GMT-05:00`, `+0530`), `UTC`/`Z`, or
/// Moscow time the Russian way (`МСК`, `МСК+4`, `MSK-1`).
///
/// A whole-hour offset becomes the fixed zone `Etc/GMT-3` (POSIX signs: that is
/// UTC+3); the usual half- and quarter-hour offsets become the zone that uses
/// them (+05:30 is Asia/Kolkata). `None` when the cell is none of these.
pub fn parse_zone(cell: &str) -> Option<Tz> {
    let text = cell.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(tz) = Tz::from_str_insensitive(text) {
        return Some(tz);
    }
    let upper = text.to_uppercase();
    let compact: String = upper.chars().filter(|c| !c.is_whitespace()).collect();
    if matches!(
        compact.as_str(),
        "Z" | "UTC" | "GMT" | "UTC+0" | "GMT+0" | "UTC±0"
    ) {
        return Some(Tz::UTC);
    }
    for moscow in ["МСК", "MSK"] {
        if let Some(rest) = compact.strip_prefix(moscow) {
            if rest.is_empty() {
                return Some(Tz::Europe__Moscow);
            }
            let (sign, hours, minutes) = parse_offset(rest)?;
            // Moscow is UTC+3 all year: МСК+4 is UTC+7.
            return offset_zone(180 + sign_offset(sign, hours, minutes));
        }
    }
    let rest = compact
        .strip_prefix("UTC")
        .or_else(|| compact.strip_prefix("GMT"))
        .unwrap_or(&compact);
    let (sign, hours, minutes) = parse_offset(rest)?;
    offset_zone(sign_offset(sign, hours, minutes))
}

fn sign_offset(sign: i32, hours: i32, minutes: i32) -> i32 {
    sign * (hours * 60 + minutes)
}

/// `+3`, `+03`, `+03:00`, `+0300`, `-5:30`: (sign, hours, minutes).
fn parse_offset(text: &str) -> Option<(i32, i32, i32)> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    if hours.is_empty()
        || hours.len() > 2
        || minutes.len() > 2
        || !hours
            .bytes()
            .chain(minutes.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if minutes >= 60 {
        return None;
    }
    Some((sign, hours, minutes))
}

/// The zone for a fixed offset east of UTC, in minutes.
fn offset_zone(minutes: i32) -> Option<Tz> {
    if minutes % 60 == 0 {
        let hours = minutes / 60;
        if !(-12..=14).contains(&hours) {
            return None;
        }
        if hours == 0 {
            return Some(Tz::UTC);
        }
        // POSIX inverts the sign in the Etc zones: Etc/GMT-3 is three hours east.
        let name = format!(
            "Etc/GMT{}{}",
            if hours > 0 { '-' } else { '+' },
            hours.abs()
        );
        return Tz::from_str(&name).ok();
    }
    // No Etc zone exists for these: the zone that keeps the offset all year.
    Some(match minutes {
        -570 => Tz::Pacific__Marquesas,
        -210 => Tz::America__St_Johns,
        210 => Tz::Asia__Tehran,
        270 => Tz::Asia__Kabul,
        330 => Tz::Asia__Kolkata,
        345 => Tz::Asia__Kathmandu,
        390 => Tz::Asia__Yangon,
        525 => Tz::Australia__Eucla,
        570 => Tz::Australia__Darwin,
        630 => Tz::Australia__Lord_Howe,
        765 => Tz::Pacific__Chatham,
        _ => return None,
    })
}

/// The zones of each country (ISO 3166-1 alpha-2), from `zone.tab`.
fn country_zones() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static ZONES: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    ZONES.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for line in include_str!("zone.tab").lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut columns = line.split('\t');
            if let (Some(country), Some(_), Some(zone)) =
                (columns.next(), columns.next(), columns.next())
            {
                map.entry(country).or_default().push(zone);
            }
        }
        map
    })
}

/// The zone of a country that keeps one time: all its zones (zone.tab lists
/// Büsingen beside Berlin, Ceuta beside Madrid) agree on the offset in winter
/// and in summer. The country's principal zone (listed first) then.
pub fn single_zone_of(country: &str) -> Option<&'static str> {
    static SINGLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    SINGLE
        .get_or_init(|| {
            country_zones()
                .iter()
                .filter_map(|(&country, zones)| {
                    let first = *zones.first()?;
                    let offsets = |name: &str| -> Option<[i32; 2]> {
                        let tz = Tz::from_str(name).ok()?;
                        // Mid-January and mid-July 2025: winter and summer time.
                        Some([1_736_899_200, 1_752_537_600].map(|at| {
                            let instant = chrono::DateTime::from_timestamp(at, 0)
                                .unwrap_or_default()
                                .naive_utc();
                            chrono::Offset::fix(&tz.offset_from_utc_datetime(&instant))
                                .local_minus_utc()
                        }))
                    };
                    let reference = offsets(first)?;
                    zones
                        .iter()
                        .all(|z| offsets(z) == Some(reference))
                        .then_some((country, first))
                })
                .collect()
        })
        .get(country)
        .copied()
}

/// Picks each contact's zone for one import.
#[derive(Debug, Clone)]
pub struct ZoneResolver {
    default: Tz,
}

impl ZoneResolver {
    /// `default` is the workspace's zone for contacts whose country has several.
    pub fn new(default: Tz) -> ZoneResolver {
        ZoneResolver { default }
    }

    /// The zone named in the file, else the country's only zone, else the default.
    pub fn resolve(&self, from_file: Option<Tz>, country: Option<&str>) -> ContactZone {
        if let Some(tz) = from_file {
            return ContactZone {
                name: tz.name().to_owned(),
                inferred: false,
            };
        }
        let name = country
            .and_then(single_zone_of)
            .unwrap_or_else(|| self.default.name());
        ContactZone {
            name: name.to_owned(),
            inferred: true,
        }
    }
}

/// The default zone for a region's workspace: its only zone, or its capital's for
/// the countries that span several, else UTC.
pub fn default_zone_for_region(region: &str) -> Tz {
    if let Some(only) = single_zone_of(region)
        && let Ok(tz) = Tz::from_str(only)
    {
        return tz;
    }
    match region {
        "RU" => Tz::Europe__Moscow,
        "KZ" => Tz::Asia__Almaty,
        "UA" => Tz::Europe__Kyiv,
        "US" => Tz::America__New_York,
        "CA" => Tz::America__Toronto,
        "BR" => Tz::America__Sao_Paulo,
        "MX" => Tz::America__Mexico_City,
        "AU" => Tz::Australia__Sydney,
        "ID" => Tz::Asia__Jakarta,
        "ES" => Tz::Europe__Madrid,
        "PT" => Tz::Europe__Lisbon,
        "DE" => Tz::Europe__Berlin,
        "AR" => Tz::America__Argentina__Buenos_Aires,
        "CN" => Tz::Asia__Shanghai,
        "MN" => Tz::Asia__Ulaanbaatar,
        "UZ" => Tz::Asia__Tashkent,
        _ => Tz::UTC,
    }
}

/// Reads a zone given as an option (the workspace default): the same shapes as a
/// cell.
pub fn zone_option(text: &str) -> Result<Tz, Error> {
    parse_zone(text).ok_or_else(|| Error::UnknownTimeZone(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_offsets_become_iana_zones() {
        let cases = [
            ("Europe/Moscow", "Europe/Moscow"),
            ("europe/moscow", "Europe/Moscow"),
            ("Asia/Yekaterinburg", "Asia/Yekaterinburg"),
            ("+03:00", "Etc/GMT-3"),
            ("+3", "Etc/GMT-3"),
            ("UTC+3", "Etc/GMT-3"),
            ("UTC +05:00", "Etc/GMT-5"),
            ("GMT-5", "Etc/GMT+5"),
            ("+0530", "Asia/Kolkata"),
            ("UTC", "UTC"),
            ("Z", "UTC"),
            ("МСК", "Europe/Moscow"),
            ("МСК+4", "Etc/GMT-7"),
            ("msk-1", "Etc/GMT-2"),
        ];
        for (cell, expected) in cases {
            assert_eq!(
                parse_zone(cell).map(|tz| tz.name()),
                Some(expected),
                "{cell:?}"
            );
        }
        for bad in ["Mars/Olympus", "+25", "+03:75", "три", "UTC+", ""] {
            assert_eq!(parse_zone(bad), None, "{bad:?} names no zone");
        }
    }

    #[test]
    fn every_zone_tab_name_is_known_to_chrono_tz() {
        for zones in country_zones().values() {
            for zone in zones {
                assert!(Tz::from_str(zone).is_ok(), "{zone} from zone.tab");
            }
        }
    }

    #[test]
    fn a_country_has_one_zone_when_all_its_zones_keep_the_same_time() {
        assert_eq!(
            single_zone_of("DE"),
            Some("Europe/Berlin"),
            "Büsingen keeps Berlin's time"
        );
        assert_eq!(single_zone_of("FR"), Some("Europe/Paris"));
        assert_eq!(single_zone_of("BY"), Some("Europe/Minsk"));
        assert_eq!(single_zone_of("RU"), None, "eleven zones");
        assert_eq!(
            single_zone_of("ES"),
            None,
            "the Canaries are an hour behind"
        );
        assert_eq!(single_zone_of("US"), None);
        assert_eq!(single_zone_of("XX"), None);
    }

    #[test]
    fn inference_uses_the_only_zone_else_the_default() {
        let resolver = ZoneResolver::new(Tz::Europe__Moscow);
        assert_eq!(
            resolver.resolve(None, Some("DE")),
            ContactZone {
                name: "Europe/Berlin".into(),
                inferred: true
            },
            "Germany has one zone"
        );
        assert_eq!(
            resolver.resolve(None, Some("RU")),
            ContactZone {
                name: "Europe/Moscow".into(),
                inferred: true
            },
            "Russia has eleven: the workspace default, flagged as inferred"
        );
        assert_eq!(
            resolver.resolve(Some(Tz::Asia__Novosibirsk), Some("RU")),
            ContactZone {
                name: "Asia/Novosibirsk".into(),
                inferred: false
            },
            "the file's zone wins and is not inferred"
        );
    }
}
