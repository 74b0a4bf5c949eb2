//! The records of a file, streamed: decoded on the fly, split by the `csv` crate
//! (quoted fields with delimiters, quotes and newlines inside, CRLF), each with
//! the line it starts on.

use std::io::Read;

use csv::StringRecord;

use super::FileProblem;
use super::encoding::DecodingReader;
use super::sniff::{HeaderChoice, Layout};

/// Bytes the CSV parser asks the decoder for at a time.
const PARSE_BUFFER: usize = 256 * 1024;

/// One data record.
#[derive(Debug)]
pub struct Row<'r> {
    /// The line of the file the record starts on (1 = the first line).
    pub line: u64,
    pub fields: &'r StringRecord,
    /// Set when the record runs to the end of the file inside a quoted field that
    /// never closes: the value is the last line the quote swallowed.
    pub unterminated_quote_until: Option<u64>,
}

/// Streams the data records of a file laid out as `layout` says: records above
/// and at the header row, and blank records, are passed over (and counted).
pub struct RecordReader<R: Read> {
    csv: csv::Reader<DecodingReader<R>>,
    delimiter: char,
    current: StringRecord,
    ahead: StringRecord,
    ahead_valid: bool,
    started: bool,
    /// The index of the next record the parser yields.
    index: u64,
    header: Option<u64>,
    blank: u64,
}

impl<R: Read> RecordReader<R> {
    pub fn new(inner: R, layout: &Layout) -> RecordReader<R> {
        let csv = csv::ReaderBuilder::new()
            .delimiter(layout.delimiter.byte())
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(PARSE_BUFFER)
            .from_reader(DecodingReader::new(inner, layout.encoding).with_line_index());
        RecordReader {
            csv,
            delimiter: char::from(layout.delimiter.byte()),
            current: StringRecord::new(),
            ahead: StringRecord::new(),
            ahead_valid: false,
            started: false,
            index: 0,
            header: match layout.header {
                HeaderChoice::None => None,
                HeaderChoice::Row { index } => Some(u64::from(index)),
            },
            blank: 0,
        }
    }

    /// The next data record, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, FileProblem> {
        loop {
            if !self.started {
                self.started = true;
                self.ahead_valid = self.read_ahead()?;
            }
            if !self.ahead_valid {
                return Ok(None);
            }
            std::mem::swap(&mut self.current, &mut self.ahead);
            // Reading one record ahead is how the last record is known to be the
            // last, which is where an unclosed quote ends up.
            self.ahead_valid = self.read_ahead()?;
            let index = self.index;
            self.index += 1;
            if self.header.is_some_and(|header| index <= header) {
                continue;
            }
            if self.current.iter().all(|f| f.trim().is_empty()) {
                self.blank += 1;
                continue;
            }
            let byte = self.current.position().map(|p| p.byte()).unwrap_or(0);
            let line = self.csv.get_mut().line_at(byte);
            let unterminated_quote_until = if self.ahead_valid {
                None
            } else {
                self.unclosed_quote(line)
            };
            return Ok(Some(Row {
                line,
                fields: &self.current,
                unterminated_quote_until,
            }));
        }
    }

    fn read_ahead(&mut self) -> Result<bool, FileProblem> {
        self.csv
            .read_record(&mut self.ahead)
            .map_err(|error| FileProblem::Read {
                detail: error.to_string(),
            })
    }

    /// The last record of a file swallowed the rest of it when its last field
    /// spans lines and either ends with the line break (a closed quote would have
    /// come after it) or holds whole lines with delimiters (other records).
    fn unclosed_quote(&self, line: u64) -> Option<u64> {
        let last = self.current.iter().next_back()?;
        if !last.contains('\n') {
            return None;
        }
        let ends_open = last.ends_with('\n') || last.ends_with('\r');
        let holds_records = last.lines().skip(1).any(|l| l.contains(self.delimiter));
        if !(ends_open || holds_records) {
            return None;
        }
        let feeds = self.csv.get_ref().line_feeds();
        // A file ending in a line break has as many lines as line feeds.
        let last_line = if ends_open { feeds } else { feeds + 1 };
        Some(last_line.max(line))
    }

    /// Raw bytes read from the file so far (for progress).
    pub fn bytes_consumed(&self) -> u64 {
        self.csv.get_ref().bytes_consumed()
    }

    /// Records that held only empty fields (a line of delimiters), passed over.
    pub fn blank_records(&self) -> u64 {
        self.blank
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csvread::sniff::{SniffOptions, sniff};

    fn rows(text: &str) -> Vec<(u64, Vec<String>, Option<u64>)> {
        let layout = sniff(text.as_bytes(), true, &SniffOptions::default()).expect("readable");
        let mut reader = RecordReader::new(text.as_bytes(), &layout);
        let mut out = Vec::new();
        while let Some(row) = reader.next_row().expect("reading from memory") {
            out.push((
                row.line,
                row.fields.iter().map(str::to_owned).collect(),
                row.unterminated_quote_until,
            ));
        }
        out
    }

    #[test]
    fn records_carry_the_line_they_start_on() {
        let text = "phone,note\r\n+79123456789,\"two\r\nlines, and a comma\"\r\n\r\n+79161234567,\"say \"\"hi\"\"\"\r\n";
        let read = rows(text);
        assert_eq!(read.len(), 2, "the header and the blank line are not data");
        assert_eq!(read[0].0, 2);
        assert_eq!(
            read[0].1[1], "two\r\nlines, and a comma",
            "quotes keep delimiters and newlines"
        );
        assert_eq!(
            read[1].0, 5,
            "the quoted line break counts as a line of the file"
        );
        assert_eq!(read[1].1[1], "say \"hi\"");
        assert!(read.iter().all(|r| r.2.is_none()));
    }

    #[test]
    fn an_unclosed_quote_is_reported_with_the_lines_it_swallowed() {
        let text = "phone,name\n+79123456789,\"Ivan\n+79161234567,Petr\n+79031234567,Anna\n";
        let read = rows(text);
        assert_eq!(
            read.len(),
            1,
            "the quote swallowed the two following records"
        );
        assert_eq!(read[0].0, 2);
        assert_eq!(read[0].2, Some(4), "lines 2 to 4 were read as one field");
    }

    #[test]
    fn delimiter_only_lines_are_blank() {
        let text = "Телефон;Имя\n+79123456789;Иван\n;\n;;\n";
        let layout = sniff(text.as_bytes(), true, &SniffOptions::default()).expect("readable");
        let mut reader = RecordReader::new(text.as_bytes(), &layout);
        let mut n = 0;
        while reader.next_row().expect("in memory").is_some() {
            n += 1;
        }
        assert_eq!(n, 1);
        assert_eq!(
            reader.blank_records(),
            2,
            "Excel's padding lines are counted, not read"
        );
    }
}
