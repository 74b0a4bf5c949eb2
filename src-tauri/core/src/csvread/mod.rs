//! Reading the CSV files spreadsheets and CRMs export: which encoding, which
//! delimiter, which row is the header, and then the records one by one with the
//! line each starts on.
//!
//! Pure: it reads from any [`std::io::Read`] handed to it and never opens a file
//! (the engine does). Must not depend on the store, the engine or `tauri`.

pub mod encoding;
pub mod reader;
pub mod sniff;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Language;
pub use encoding::{BinaryKind, DecodingReader, EncodingGuess, TextEncoding, detect_encoding};
pub use reader::{RecordReader, Row};
pub use sniff::{Delimiter, HeaderChoice, Layout, SniffOptions, sniff};

/// Why a file cannot be read as CSV at all. A closed set, so that the UI can word
/// each in the user's language ([`FileProblem::message`] does it for the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileProblem {
    /// Zero bytes, or only blank lines.
    Empty,
    /// A workbook, a PDF or other binary data instead of CSV text.
    NotText { format: BinaryKind },
    /// A header row and nothing under it.
    NoDataRows,
    /// The file could not be read (the system's words).
    Read { detail: String },
}

impl FileProblem {
    /// The problem in words, with what to do about it.
    pub fn message(&self, language: Language) -> String {
        match (self, language) {
            (FileProblem::Empty, Language::En) => "the file is empty: there is nothing to import".into(),
            (FileProblem::Empty, Language::Ru) => "файл пуст: импортировать нечего".into(),
            (FileProblem::NotText { format }, Language::En) => match format {
                BinaryKind::Xlsx | BinaryKind::Xls => "this is an Excel workbook, not CSV: in Excel choose File → Save As → \"CSV UTF-8\" and import that file".into(),
                BinaryKind::Pdf => "this is a PDF document, not CSV: export the list from its source as CSV".into(),
                BinaryKind::Unknown => "the file is not text (binary data): choose a CSV file".into(),
            },
            (FileProblem::NotText { format }, Language::Ru) => match format {
                BinaryKind::Xlsx | BinaryKind::Xls => "это книга Excel, а не CSV: в Excel выберите «Файл → Сохранить как → CSV UTF-8» и импортируйте этот файл".into(),
                BinaryKind::Pdf => "это документ PDF, а не CSV: выгрузите список из источника в формате CSV".into(),
                BinaryKind::Unknown => "файл не текстовый (двоичные данные): выберите файл CSV".into(),
            },
            (FileProblem::NoDataRows, Language::En) => "the file has a header row but no data rows under it".into(),
            (FileProblem::NoDataRows, Language::Ru) => "в файле есть строка заголовков, но нет ни одной строки данных".into(),
            (FileProblem::Read { detail }, Language::En) => format!("the file could not be read: {detail}"),
            (FileProblem::Read { detail }, Language::Ru) => format!("не удалось прочитать файл: {detail}"),
        }
    }

    /// A stable code for scripts and logs.
    pub fn code(&self) -> &'static str {
        match self {
            FileProblem::Empty => "empty_file",
            FileProblem::NotText { .. } => "not_text",
            FileProblem::NoDataRows => "no_data_rows",
            FileProblem::Read { .. } => "read_failed",
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Language::En))
    }
}
