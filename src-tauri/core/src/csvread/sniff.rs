//! Detecting a file's layout from its first kilobytes: encoding, delimiter, the
//! header row and the column names. Every guess can be overridden.

use serde::{Deserialize, Serialize};

use super::FileProblem;
use super::encoding::{TextEncoding, decode_sample, detect_encoding};

/// The field separators spreadsheets write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    Comma,
    /// Russian and most European Excel locales (the comma is their decimal mark).
    Semicolon,
    Tab,
    Pipe,
}

impl Delimiter {
    /// In order of preference when two fit a sample equally well: a tab or a
    /// semicolon rarely appears inside values, a comma often does.
    pub const ALL: [Delimiter; 4] = [
        Delimiter::Tab,
        Delimiter::Semicolon,
        Delimiter::Comma,
        Delimiter::Pipe,
    ];

    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
            Delimiter::Pipe => b'|',
        }
    }

    /// `,` `;` `\t` (or the word `tab`) `|`.
    pub fn parse(text: &str) -> Result<Delimiter, crate::Error> {
        Ok(match text {
            "," | "comma" => Delimiter::Comma,
            ";" | "semicolon" => Delimiter::Semicolon,
            "\t" | "\\t" | "tab" => Delimiter::Tab,
            "|" | "pipe" => Delimiter::Pipe,
            other => return Err(crate::Error::UnknownDelimiter(other.to_owned())),
        })
    }
}

/// Which record holds the column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HeaderChoice {
    /// No header: columns are called `#1`, `#2`, … and every record is data.
    None,
    /// The record at `index` (0 = the first record of the file) holds the names;
    /// records before it (a title, an export date) are not data.
    Row { index: u32 },
}

/// What the user overrides; `None` keeps the detected value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SniffOptions {
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<Delimiter>,
    pub header: Option<HeaderChoice>,
}

/// How a file will be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Layout {
    pub encoding: TextEncoding,
    /// The file starts with its encoding's byte order mark (Excel's "CSV UTF-8" does).
    pub bom: bool,
    pub delimiter: Delimiter,
    pub header: HeaderChoice,
    /// The column names, made unique: a repeated name gets " (2)", " (3)"; an
    /// empty one is `#n`.
    pub columns: Vec<String>,
    /// Names that appeared more than once in the header row, as written.
    pub duplicate_columns: Vec<String>,
    /// Which of the three were detected rather than given.
    pub detected_encoding: bool,
    pub detected_delimiter: bool,
    pub detected_header: bool,
}

/// How many records of the sample the delimiter and header detection look at.
const SNIFF_RECORDS: usize = 200;
/// How far down a header row is looked for (titles and export dates above it).
const HEADER_SEARCH: usize = 10;

/// Detects the layout of a file from its first bytes. `complete` says the sample
/// is the whole file (else its last, possibly cut, line is not judged).
pub fn sniff(sample: &[u8], complete: bool, options: &SniffOptions) -> Result<Layout, FileProblem> {
    let (encoding, detected_encoding) = match options.encoding {
        Some(encoding) => {
            if sample.is_empty() {
                return Err(FileProblem::Empty);
            }
            (encoding, false)
        }
        None => (detect_encoding(sample)?.encoding, true),
    };
    let bom = encoding.has_bom(sample);
    let text = decode_sample(sample, encoding, complete);
    let text = if complete {
        text.as_str()
    } else {
        // Judge whole lines only: the last one may be cut by the sample's end.
        match text.rfind('\n') {
            Some(end) => &text[..=end],
            None => text.as_str(),
        }
    };
    // Nothing but spaces, line breaks and delimiters (Excel's empty sheet).
    let blank = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '\t' | '|' | '"');
    if text.chars().all(blank) {
        return Err(FileProblem::Empty);
    }
    let (delimiter, detected_delimiter) = match options.delimiter {
        Some(delimiter) => (delimiter, false),
        None => (detect_delimiter(text), true),
    };
    let records = sample_records(text, delimiter);
    let (header, detected_header) = match options.header {
        Some(header) => (header, false),
        None => (detect_header(&records), true),
    };
    let width = modal_width(&records).unwrap_or(1);
    let (columns, duplicate_columns) = match header {
        HeaderChoice::Row { index } => match records.get(index as usize) {
            Some(names) => unique_names(names, width),
            None => (numbered(width), Vec::new()),
        },
        HeaderChoice::None => (numbered(width), Vec::new()),
    };
    Ok(Layout {
        encoding,
        bom,
        delimiter,
        header,
        columns,
        duplicate_columns,
        detected_encoding,
        detected_delimiter,
        detected_header,
    })
}

/// The first records of the sample as `delimiter` splits them.
fn sample_records(text: &str, delimiter: Delimiter) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .take(SNIFF_RECORDS)
        .filter_map(|r| r.ok())
        .map(|r| r.iter().map(|f| f.trim().to_owned()).collect())
        .collect()
}

/// The delimiter under which the records agree best on their number of fields
/// (more than one); ties go to the larger number of fields, then to
/// [`Delimiter::ALL`]'s order.
fn detect_delimiter(text: &str) -> Delimiter {
    let mut best = (Delimiter::Comma, 0.0f64, 0usize);
    for delimiter in Delimiter::ALL {
        let records = sample_records(text, delimiter);
        let Some(width) = modal_width(&records) else {
            continue;
        };
        if width < 2 {
            continue;
        }
        let counted: Vec<&Vec<String>> = records.iter().filter(|r| !is_blank(r)).collect();
        let agreeing = counted.iter().filter(|r| r.len() == width).count();
        let consistency = agreeing as f64 / counted.len().max(1) as f64;
        let better =
            consistency > best.1 + 1e-9 || ((consistency - best.1).abs() <= 1e-9 && width > best.2);
        if better {
            best = (delimiter, consistency, width);
        }
    }
    best.0
}

fn is_blank(record: &[String]) -> bool {
    record.iter().all(|f| f.is_empty())
}

/// The most common number of fields among non-blank records (the larger on a tie).
fn modal_width(records: &[Vec<String>]) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for record in records.iter().filter(|r| !is_blank(r)) {
        match counts.iter_mut().find(|(w, _)| *w == record.len()) {
            Some((_, n)) => *n += 1,
            None => counts.push((record.len(), 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(width, n)| (n, width))
        .map(|(width, _)| width)
}

/// A record's width without its trailing empty fields (spreadsheets pad rows
/// with delimiters, and a row may carry more of them than the header).
fn filled_width(record: &[String]) -> usize {
    record
        .iter()
        .rposition(|f| !f.is_empty())
        .map_or(0, |i| i + 1)
}

/// The header is the first record near the top that is at least as wide as
/// most records (not counting trailing empty fields: a title is narrower) with at
/// least half of its cells filled, and that holds no phone number; such a
/// record holding one means the file has no header.
fn detect_header(records: &[Vec<String>]) -> HeaderChoice {
    let trimmed: Vec<Vec<String>> = records
        .iter()
        .map(|r| r[..filled_width(r)].to_vec())
        .collect();
    let Some(width) = modal_width(&trimmed) else {
        return HeaderChoice::None;
    };
    for (index, record) in trimmed.iter().enumerate().take(HEADER_SEARCH) {
        let filled = record.iter().filter(|f| !f.is_empty()).count();
        if record.is_empty() || record.len() < width || filled * 2 < record.len() {
            continue;
        }
        if record.iter().any(|f| looks_like_phone(f)) {
            return HeaderChoice::None;
        }
        return HeaderChoice::Row {
            index: index as u32,
        };
    }
    HeaderChoice::None
}

/// Seven to fifteen digits with only phone punctuation around them, or a number
/// in Excel's scientific notation: a data cell, never a column name.
pub(crate) fn looks_like_phone(field: &str) -> bool {
    let mut digits = 0;
    for c in field.chars() {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '+' | '-' | '(' | ')' | '.' | ',' | '\u{a0}' | '=' | '"' | 'E' | 'e' => {}
            _ => return false,
        }
    }
    (7..=15).contains(&digits) || (digits >= 2 && field.to_ascii_uppercase().contains("E+"))
}

fn numbered(width: usize) -> Vec<String> {
    (1..=width).map(|n| format!("#{n}")).collect()
}

/// Column names as the header row gives them, each unique; padded with `#n` to
/// the width of the data when the header is shorter.
fn unique_names(header: &[String], width: usize) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = Vec::with_capacity(width.max(header.len()));
    let mut duplicates = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let base = if raw.is_empty() {
            format!("#{}", i + 1)
        } else {
            raw.clone()
        };
        let mut name = base.clone();
        let mut n = 1;
        while names.iter().any(|existing| existing == &name) {
            n += 1;
            name = format!("{base} ({n})");
        }
        if n > 1 && !duplicates.contains(&base) {
            duplicates.push(base);
        }
        names.push(name);
    }
    for i in names.len()..width {
        names.push(format!("#{}", i + 1));
    }
    (names, duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str) -> Layout {
        sniff(text.as_bytes(), true, &SniffOptions::default()).expect("a readable sample")
    }

    #[test]
    fn delimiters_are_detected() {
        let cases = [
            ("phone,name\n+79123456789,Ivan\n", Delimiter::Comma),
            ("Телефон;Имя\n+79123456789;Иван\n", Delimiter::Semicolon),
            ("phone\tname\n+79123456789\tIvan\n", Delimiter::Tab),
            ("phone|name\n+79123456789|Ivan\n", Delimiter::Pipe),
            // Commas inside quoted names and as decimal marks must not win over ';'.
            (
                "Телефон;ФИО;Сумма\n+79123456789;\"Иванов, Иван\";1,5\n89161234567;\"Петров, Пётр\";2,75\n",
                Delimiter::Semicolon,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(layout(text).delimiter, expected, "in {text:?}");
        }
    }

    #[test]
    fn the_header_row_is_found_below_a_title() {
        let text =
            "Выгрузка клиентов от 01.02.2025;;\n;;\nТелефон;Имя;Город\n+79123456789;Иван;Москва\n";
        let found = layout(text);
        assert_eq!(
            found.header,
            HeaderChoice::Row { index: 2 },
            "a title and a padded empty line sit above the names"
        );
        assert_eq!(found.columns, ["Телефон", "Имя", "Город"]);
    }

    #[test]
    fn a_file_of_numbers_has_no_header() {
        let found = layout("+79123456789,Ivan\n89161234567,Maria\n");
        assert_eq!(
            found.header,
            HeaderChoice::None,
            "the first record holds a phone"
        );
        assert_eq!(found.columns, ["#1", "#2"]);
    }

    #[test]
    fn repeated_and_empty_names_are_made_unique() {
        let found = layout("Телефон,Телефон,,Имя\n+79123456789,+79161234567,x,Иван\n");
        assert_eq!(found.columns, ["Телефон", "Телефон (2)", "#3", "Имя"]);
        assert_eq!(found.duplicate_columns, ["Телефон"]);
    }

    #[test]
    fn overrides_win() {
        let options = SniffOptions {
            encoding: Some(TextEncoding::Koi8R),
            delimiter: Some(Delimiter::Pipe),
            header: Some(HeaderChoice::None),
        };
        let found = sniff(b"a,b\n1,2\n", true, &options).expect("readable");
        assert_eq!(found.encoding, TextEncoding::Koi8R);
        assert_eq!(found.delimiter, Delimiter::Pipe);
        assert_eq!(found.header, HeaderChoice::None);
        assert!(!found.detected_encoding && !found.detected_delimiter && !found.detected_header);
    }

    #[test]
    fn blank_text_is_empty() {
        assert_eq!(
            sniff(b"\r\n\r\n  \n", true, &SniffOptions::default()),
            Err(FileProblem::Empty)
        );
    }
}
