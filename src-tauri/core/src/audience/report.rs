//! The counts of an import and the downloadable CSV of its rejected rows.

use std::borrow::Cow;
use std::io::Write;

use serde::{Deserialize, Serialize};

use super::merge::Outcome;
use crate::{Error, Language};

/// How many rows went where. `read` always equals the sum of the other five:
/// nothing is skipped silently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub read: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub invalid: u64,
    pub duplicates_in_file: u64,
}

impl ImportCounts {
    /// Counts one row.
    pub fn add(&mut self, outcome: Outcome) {
        self.read += 1;
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Invalid => self.invalid += 1,
            Outcome::DuplicateInFile => self.duplicates_in_file += 1,
        }
    }

    /// Adds another batch's counts.
    pub fn merge(&mut self, other: &ImportCounts) {
        self.read += other.read;
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.invalid += other.invalid;
        self.duplicates_in_file += other.duplicates_in_file;
    }

    /// Fails when `read` is not the sum of the outcomes: a bug that must stop
    /// the import before it commits, never a report that does not add up.
    pub fn check(&self) -> Result<(), Error> {
        let sum =
            self.created + self.updated + self.unchanged + self.invalid + self.duplicates_in_file;
        if sum == self.read {
            Ok(())
        } else {
            Err(Error::CountsMismatch(format!(
                "read {} but created {} + updated {} + unchanged {} + invalid {} + duplicates {} = {sum}",
                self.read,
                self.created,
                self.updated,
                self.unchanged,
                self.invalid,
                self.duplicates_in_file
            )))
        }
    }
}

/// A cell as a spreadsheet may open it safely: one starting with `=`, `+`, `-`,
/// `@` (or a tab or carriage return, which some spreadsheets skip before such a
/// sign) gets a leading apostrophe, so that it is shown as text and never run
/// as a formula.
pub fn neutralize_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A rejected row as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: u64,
    pub code: String,
    pub reason: String,
    pub raw: String,
}

/// The rejected rows as CSV for a spreadsheet, written row by row: a UTF-8 BOM
/// (so that Excel reads the Cyrillic right), `;` for Russian (Russian Excel
/// splits on it) and `,` for English, every cell neutralised against formula
/// injection.
pub struct RejectedCsv<W: Write> {
    writer: csv::Writer<W>,
}

fn io_error(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> RejectedCsv<W> {
    /// Starts the file: the BOM and the header row in `language`.
    pub fn new(mut out: W, language: Language) -> std::io::Result<RejectedCsv<W>> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let delimiter = match language {
            Language::En => b',',
            Language::Ru => b';',
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(out);
        let header = match language {
            Language::En => ["line", "code", "reason", "record"],
            Language::Ru => ["строка", "код", "причина", "запись"],
        };
        writer.write_record(header).map_err(io_error)?;
        Ok(RejectedCsv { writer })
    }

    pub fn write(&mut self, row: &RejectedRow) -> std::io::Result<()> {
        let line = row.line.to_string();
        self.writer
            .write_record([
                line.as_str(),
                &neutralize_cell(&row.code),
                &neutralize_cell(&row.reason),
                &neutralize_cell(&row.raw),
            ])
            .map_err(io_error)
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> std::io::Result<W> {
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

/// Writes all `rows` (see [`RejectedCsv`]).
pub fn write_rejected_csv<W: Write>(
    out: W,
    rows: impl IntoIterator<Item = RejectedRow>,
    language: Language,
) -> std::io::Result<W> {
    let mut csv = RejectedCsv::new(out, language)?;
    for row in rows {
        csv.write(&row)?;
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_must_add_up() {
        let mut counts = ImportCounts::default();
        for outcome in [
            Outcome::Created,
            Outcome::Updated,
            Outcome::Unchanged,
            Outcome::Invalid,
            Outcome::DuplicateInFile,
            Outcome::Created,
        ] {
            counts.add(outcome);
        }
        assert_eq!(counts.read, 6);
        assert!(
            counts.check().is_ok(),
            "every added row lands in one bucket"
        );
        counts.created += 1;
        assert!(
            counts.check().is_err(),
            "a row in no bucket or two is caught"
        );
    }

    #[test]
    fn formulas_are_neutralised() {
        for (cell, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+79123456789", "'+79123456789"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("Иван", "Иван"),
            ("", ""),
        ] {
            assert_eq!(neutralize_cell(cell), expected, "{cell:?}");
        }
    }

    #[test]
    fn the_report_csv_is_excel_friendly() {
        let mut out = Vec::new();
        let rows = vec![RejectedRow {
            line: 3,
            code: "invalid_phone".into(),
            reason: "нет номера".into(),
            raw: "=cmd|' /C calc'!A0;Иван".into(),
        }];
        write_rejected_csv(&mut out, rows, Language::Ru).expect("in memory");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "строка;код;причина;запись\n3;invalid_phone;нет номера;\"'=cmd|' /C calc'!A0;Иван\"\n"
        );
    }
}
