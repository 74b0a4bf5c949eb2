//! The languages Cadence's interface, lint rules and dictionaries come in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// A language of the interface. Stored as its ISO 639-1 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Ru,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Ru];

    /// The ISO 639-1 code, as stored and as sent to the UI.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
        }
    }

    /// The language to open with when the user has not chosen one: the OS locale's
    /// language when Cadence speaks it, English otherwise.
    ///
    /// Accepts the shapes operating systems report: `ru-RU`, `ru_RU.UTF-8`, `RU`,
    /// `en-US`, `C`, `POSIX`.
    pub fn from_os_locale(locale: Option<&str>) -> Language {
        let Some(locale) = locale else {
            return Language::En;
        };
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        primary.parse().unwrap_or(Language::En)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Language::En),
            "ru" => Ok(Language::Ru),
            other => Err(Error::UnknownLanguage(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_locale_picks_the_default_language() {
        let cases = [
            (Some("ru-RU"), Language::Ru),
            (Some("ru_RU.UTF-8"), Language::Ru),
            (Some("RU"), Language::Ru),
            (Some("en-US"), Language::En),
            (Some("en_GB.UTF-8"), Language::En),
            // Languages Cadence does not speak fall back to English.
            (Some("de-DE"), Language::En),
            (Some("C"), Language::En),
            (Some("POSIX"), Language::En),
            (Some(""), Language::En),
            (None, Language::En),
        ];
        for (locale, expected) in cases {
            assert_eq!(
                Language::from_os_locale(locale),
                expected,
                "OS locale {locale:?} should open Cadence in {expected}"
            );
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for language in Language::ALL {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
        }
        assert_eq!(
            "de".parse::<Language>(),
            Err(Error::UnknownLanguage("de".into())),
            "a language Cadence has no catalog for must be refused, not guessed"
        );
    }
}
