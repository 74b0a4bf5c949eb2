//! Which character encoding a spreadsheet export is in, and decoding it as a stream.
//!
//! Real exports come as UTF-8 (with Excel's byte order mark or without), UTF-16
//! (Excel's "Unicode text", usually with a BOM), Windows-1251 (Russian Excel) and
//! KOI8-R (old 1C and Unix exports). The two 8-bit Cyrillic encodings use the same
//! byte range for different letters, so they are told apart by how Russian the
//! decoded letters look.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::FileProblem;

/// A character encoding Cadence reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub enum TextEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    #[serde(rename = "windows-1251")]
    Windows1251,
    #[serde(rename = "koi8-r")]
    Koi8R,
}

impl TextEncoding {
    pub const ALL: [TextEncoding; 5] = [
        TextEncoding::Utf8,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
        TextEncoding::Windows1251,
        TextEncoding::Koi8R,
    ];

    /// The WHATWG label (what `--encoding` and the UI's override accept).
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1251 => "windows-1251",
            TextEncoding::Koi8R => "koi8-r",
        }
    }

    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Windows1251 => encoding_rs::WINDOWS_1251,
            TextEncoding::Koi8R => encoding_rs::KOI8_R,
        }
    }

    /// The byte order mark this encoding may start with.
    fn bom(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8 => b"\xEF\xBB\xBF",
            TextEncoding::Utf16Le => b"\xFF\xFE",
            TextEncoding::Utf16Be => b"\xFE\xFF",
            TextEncoding::Windows1251 | TextEncoding::Koi8R => b"",
        }
    }

    /// Whether `bytes` start with this encoding's byte order mark.
    pub fn has_bom(self, bytes: &[u8]) -> bool {
        let bom = self.bom();
        !bom.is_empty() && bytes.starts_with(bom)
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for TextEncoding {
    type Err = crate::Error;

    /// Accepts the labels above and the usual aliases (`utf8`, `cp1251`, `koi8r`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Ok(match key.as_str() {
            "utf8" => TextEncoding::Utf8,
            "utf16le" | "utf16" | "unicode" => TextEncoding::Utf16Le,
            "utf16be" => TextEncoding::Utf16Be,
            "windows1251" | "cp1251" | "win1251" | "1251" => TextEncoding::Windows1251,
            "koi8r" | "koi8" => TextEncoding::Koi8R,
            _ => return Err(crate::Error::UnknownEncoding(s.to_owned())),
        })
    }
}

/// What the first bytes of a file say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingGuess {
    pub encoding: TextEncoding,
    /// The file starts with a byte order mark (the guess is then certain).
    pub bom: bool,
}

/// Guesses the encoding of a file from its first bytes (a few kilobytes or more;
/// `sample` may end in the middle of a character). Refuses what is not text.
pub fn detect_encoding(sample: &[u8]) -> Result<EncodingGuess, FileProblem> {
    if sample.is_empty() {
        return Err(FileProblem::Empty);
    }
    for encoding in [
        TextEncoding::Utf8,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
    ] {
        if encoding.has_bom(sample) {
            return Ok(EncodingGuess {
                encoding,
                bom: true,
            });
        }
    }
    if let Some(kind) = known_binary_format(sample) {
        return Err(FileProblem::NotText { format: kind });
    }
    if let Some(encoding) = utf16_without_bom(sample) {
        return Ok(EncodingGuess {
            encoding,
            bom: false,
        });
    }
    if looks_binary(sample) {
        return Err(FileProblem::NotText {
            format: BinaryKind::Unknown,
        });
    }
    let encoding = if mostly_utf8(sample) {
        TextEncoding::Utf8
    } else {
        cyrillic_8bit(sample)
    };
    Ok(EncodingGuess {
        encoding,
        bom: false,
    })
}

/// A file that is certainly not CSV, named so that the user knows what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum BinaryKind {
    /// An .xlsx workbook (a ZIP archive) or another ZIP file.
    Xlsx,
    /// An old .xls workbook (OLE compound file).
    Xls,
    Pdf,
    /// Something else that is not text.
    Unknown,
}

fn known_binary_format(sample: &[u8]) -> Option<BinaryKind> {
    if sample.starts_with(b"PK\x03\x04") {
        Some(BinaryKind::Xlsx)
    } else if sample.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Some(BinaryKind::Xls)
    } else if sample.starts_with(b"%PDF") {
        Some(BinaryKind::Pdf)
    } else {
        None
    }
}

/// UTF-16 without a BOM: one byte of every pair is the high byte, which for the
/// text of a contact list is 0x00 (Latin, digits, punctuation) or 0x04 (Cyrillic).
fn utf16_without_bom(sample: &[u8]) -> Option<TextEncoding> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let high = |b: u8| b == 0x00 || b == 0x04;
    let mut even = 0usize;
    let mut odd = 0usize;
    for pair in sample.chunks_exact(2) {
        even += usize::from(high(pair[0]));
        odd += usize::from(high(pair[1]));
    }
    // Text has few bytes 0x00/0x04 in the low byte position; 60% high bytes in one
    // position and under 10% in the other is far from any 8-bit or UTF-8 text.
    let ratio = |n: usize| n as f64 / pairs as f64;
    if ratio(odd) > 0.6 && ratio(even) < 0.1 {
        Some(TextEncoding::Utf16Le)
    } else if ratio(even) > 0.6 && ratio(odd) < 0.1 {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// NUL bytes, or more than 1% control characters other than tab, CR, LF and form
/// feed: no spreadsheet export looks like that.
fn looks_binary(sample: &[u8]) -> bool {
    let mut control = 0usize;
    for &b in sample {
        if b == 0 {
            return true;
        }
        if (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F {
            control += 1;
        }
    }
    control * 100 > sample.len()
}

/// Valid UTF-8, allowing a character cut at the end of the sample and a few bad
/// bytes among many good multi-byte characters (a file mostly in UTF-8 with a few
/// lines pasted from elsewhere: those lines become row errors, the rest reads).
fn mostly_utf8(sample: &[u8]) -> bool {
    let mut rest = sample;
    let mut good_multibyte = 0usize;
    let mut bad = 0usize;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                good_multibyte += text.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                // Only valid UTF-8 up to here: counting cannot fail.
                good_multibyte += std::str::from_utf8(valid)
                    .map(|t| t.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                match error.error_len() {
                    Some(len) => {
                        bad += len;
                        rest = &after[len..];
                    }
                    // A character cut by the end of the sample.
                    None => break,
                }
            }
        }
    }
    // Windows-1251 and KOI8-R letters are never UTF-8 continuation bytes, so a
    // Cyrillic 8-bit file has almost no valid multi-byte sequences: more good
    // ones than bad bytes is UTF-8 with some lines from elsewhere.
    bad == 0 || good_multibyte > bad
}

/// Windows-1251 or KOI8-R: decode with both and keep the one whose Cyrillic letters
/// look like Russian text (frequent letters, lower case inside words).
fn cyrillic_8bit(sample: &[u8]) -> TextEncoding {
    let score = |encoding: TextEncoding| {
        let (text, _) = encoding.codec().decode_without_bom_handling(sample);
        russian_score(&text)
    };
    if score(TextEncoding::Koi8R) > score(TextEncoding::Windows1251) {
        TextEncoding::Koi8R
    } else {
        TextEncoding::Windows1251
    }
}

/// How Russian a text's letters look: each lower-case Cyrillic letter adds its
/// frequency in Russian text (per mille), an upper-case one half of it. Reading
/// one 8-bit encoding as the other swaps the cases and scrambles the letters, so
/// the right reading scores several times higher.
pub(crate) fn russian_score(text: &str) -> u64 {
    text.chars()
        .map(|c| {
            if let Some(f) = letter_frequency(c) {
                u64::from(f) * 2
            } else {
                let lower = c.to_lowercase().next().unwrap_or(c);
                if lower != c {
                    letter_frequency(lower).map(u64::from).unwrap_or(0)
                } else {
                    0
                }
            }
        })
        .sum()
}

/// Frequency of a lower-case Russian letter in running text, per mille.
fn letter_frequency(c: char) -> Option<u16> {
    Some(match c {
        'о' => 110,
        'е' => 85,
        'а' => 80,
        'и' => 74,
        'н' => 67,
        'т' => 63,
        'с' => 55,
        'р' => 47,
        'в' => 45,
        'л' => 44,
        'к' => 35,
        'м' => 32,
        'д' => 30,
        'п' => 28,
        'у' => 26,
        'я' => 20,
        'ы' => 19,
        'ь' => 17,
        'г' => 17,
        'з' => 17,
        'б' => 16,
        'ч' => 14,
        'й' => 12,
        'х' => 10,
        'ж' => 9,
        'ш' => 7,
        'ю' => 6,
        'ц' => 5,
        'щ' => 4,
        'э' => 3,
        'ф' => 3,
        'ъ' | 'ё' => 1,
        _ => return None,
    })
}

/// Reads a file in `encoding` as a stream of UTF-8, without holding it whole.
///
/// The encoding's own BOM is dropped. Bytes that are not valid in the encoding
/// become U+FFFD (the record reader turns a row holding one into a row error),
/// so reading never stops in the middle of a file.
pub struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Box<[u8]>,
    start: usize,
    end: usize,
    /// Decoded bytes that did not fit the caller's buffer.
    spill: Vec<u8>,
    spill_start: usize,
    eof: bool,
    finished: bool,
    consumed: u64,
    lines: Option<LineIndex>,
}

/// Where the line breaks of the decoded text are, for turning the CSV parser's
/// byte positions into line numbers (its own line count does not survive CRLF
/// and blank lines).
///
/// Kept as runs of `\r`/`\n` bytes; runs the reader has moved past are folded
/// into a count, so the index stays as small as the parser's look-ahead.
#[derive(Debug, Default)]
struct LineIndex {
    /// (first byte, one past the last byte, line feeds in the run).
    runs: std::collections::VecDeque<(u64, u64, u64)>,
    /// The run still open at the end of the text decoded so far.
    open: Option<(u64, u64)>,
    /// Line feeds in the runs already folded.
    passed: u64,
    /// Bytes of decoded text so far.
    decoded: u64,
    /// Line feeds so far.
    total: u64,
}

impl LineIndex {
    fn scan(&mut self, text: &[u8]) {
        // Jump from line break to line break (memchr), not byte by byte: most
        // bytes of a CSV are not line breaks.
        let base = self.decoded;
        // One past the last byte seen to be part of the open run.
        let mut run_end = base;
        for i in memchr::memchr2_iter(b'\n', b'\r', text) {
            let at = base + i as u64;
            if let Some((start, n)) = self.open
                && at != run_end
            {
                self.runs.push_back((start, run_end, n));
                self.open = None;
            }
            let feeds = u64::from(text[i] == b'\n');
            self.total += feeds;
            match &mut self.open {
                Some((_, n)) => *n += feeds,
                None => self.open = Some((at, feeds)),
            }
            run_end = at + 1;
        }
        self.decoded += text.len() as u64;
        // A run that stops before the end of this text is closed.
        if let Some((start, n)) = self.open
            && run_end != self.decoded
        {
            self.runs.push_back((start, run_end, n));
            self.open = None;
        }
    }

    /// The line of the first character at or after `byte` that is not a line
    /// break (a record the parser says starts at `byte` starts there).
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(_, end, n)) = self.runs.front() {
            if end > byte {
                break;
            }
            self.passed += n;
            self.runs.pop_front();
        }
        let within = match self.runs.front() {
            Some(&(start, _, n)) if start <= byte => n,
            _ => match self.open {
                Some((start, n)) if start <= byte => n,
                _ => 0,
            },
        };
        1 + self.passed + within
    }
}

const INPUT_CHUNK: usize = 64 * 1024;

impl<R: Read> DecodingReader<R> {
    pub fn new(inner: R, encoding: TextEncoding) -> DecodingReader<R> {
        DecodingReader {
            inner,
            decoder: encoding.codec().new_decoder_with_bom_removal(),
            input: vec![0; INPUT_CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
            spill: Vec::new(),
            spill_start: 0,
            eof: false,
            finished: false,
            consumed: 0,
            lines: None,
        }
    }

    /// Also keeps track of line breaks, for [`DecodingReader::line_at`].
    pub fn with_line_index(mut self) -> DecodingReader<R> {
        self.lines = Some(LineIndex::default());
        self
    }

    /// The line (1 = first) on which a record that the CSV parser says starts at
    /// decoded byte `byte` really starts. Calls must come in increasing `byte`
    /// order. 0 without a line index.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        self.lines.as_mut().map(|l| l.line_at(byte)).unwrap_or(0)
    }

    /// Line feeds decoded so far (0 without a line index).
    pub fn line_feeds(&self) -> u64 {
        self.lines.as_ref().map(|l| l.total).unwrap_or(0)
    }

    /// How many bytes of the underlying file were read so far (for progress).
    pub fn bytes_consumed(&self) -> u64 {
        self.consumed
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.start == self.end && !self.eof {
            let n = loop {
                match self.inner.read(&mut self.input) {
                    Ok(n) => break n,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => return Err(error),
                }
            };
            self.start = 0;
            self.end = n;
            self.consumed += n as u64;
            self.eof = n == 0;
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.spill_start < self.spill.len() {
                let n = (self.spill.len() - self.spill_start).min(buf.len());
                buf[..n].copy_from_slice(&self.spill[self.spill_start..self.spill_start + n]);
                self.spill_start += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            self.fill()?;
            let last = self.eof;
            // A UTF-8 character needs up to 4 bytes: a smaller buffer goes through
            // the spill so that the decoder can always make progress.
            let direct = buf.len() >= 16;
            let (result, read, written) = if direct {
                let (result, read, written, _) =
                    self.decoder
                        .decode_to_utf8(&self.input[self.start..self.end], buf, last);
                (result, read, written)
            } else {
                self.spill.resize(64, 0);
                self.spill_start = 0;
                let (result, read, written, _) = self.decoder.decode_to_utf8(
                    &self.input[self.start..self.end],
                    &mut self.spill,
                    last,
                );
                self.spill.truncate(written);
                (result, read, written)
            };
            self.start += read;
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
            if let Some(lines) = &mut self.lines {
                let text = if direct {
                    &buf[..written]
                } else {
                    &self.spill[..]
                };
                lines.scan(text);
            }
            if direct && written > 0 {
                return Ok(written);
            }
        }
    }
}

/// Decodes a whole sample (the head of a file) for sniffing. `complete` says
/// whether the sample is the whole file; otherwise a character cut at its end is
/// left out.
pub fn decode_sample(sample: &[u8], encoding: TextEncoding, complete: bool) -> String {
    let mut decoder = encoding.codec().new_decoder_with_bom_removal();
    let capacity = decoder
        .max_utf8_buffer_length(sample.len())
        .unwrap_or(sample.len() * 3);
    let mut out = String::with_capacity(capacity);
    let _ = decoder.decode_to_string(sample, &mut out, complete);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, encoding: TextEncoding) -> Vec<u8> {
        match encoding {
            TextEncoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            TextEncoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            other => other.codec().encode(text).0.into_owned(),
        }
    }

    const RUSSIAN: &str = "Телефон;Имя;Фамилия;Город\n+79123456789;Иван;Петров;Москва\n89161234567;Мария;Смирнова;Новосибирск\n";

    #[test]
    fn byte_order_marks_decide() {
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend_from_slice(RUSSIAN.as_bytes());
        let mut le = b"\xFF\xFE".to_vec();
        le.extend(encode(RUSSIAN, TextEncoding::Utf16Le));
        let mut be = b"\xFE\xFF".to_vec();
        be.extend(encode(RUSSIAN, TextEncoding::Utf16Be));
        for (bytes, expected) in [
            (utf8, TextEncoding::Utf8),
            (le, TextEncoding::Utf16Le),
            (be, TextEncoding::Utf16Be),
        ] {
            assert_eq!(
                detect_encoding(&bytes),
                Ok(EncodingGuess {
                    encoding: expected,
                    bom: true
                }),
                "a BOM names its encoding with certainty"
            );
        }
    }

    #[test]
    fn encodings_without_a_bom_are_recognised() {
        for encoding in [
            TextEncoding::Utf8,
            TextEncoding::Utf16Le,
            TextEncoding::Utf16Be,
            TextEncoding::Windows1251,
            TextEncoding::Koi8R,
        ] {
            let bytes = encode(RUSSIAN, encoding);
            assert_eq!(
                detect_encoding(&bytes).map(|g| g.encoding),
                Ok(encoding),
                "{encoding} without a BOM must be told from the others by its bytes"
            );
        }
        let latin = encode("phone,name\n+15551234567,John\n", TextEncoding::Utf16Le);
        assert_eq!(
            detect_encoding(&latin).map(|g| g.encoding),
            Ok(TextEncoding::Utf16Le),
            "Latin-only UTF-16 has a zero high byte in every pair"
        );
    }

    #[test]
    fn short_cyrillic_words_are_told_apart() {
        for word in ["Иван", "Мария Петрова", "Москва"] {
            for encoding in [TextEncoding::Windows1251, TextEncoding::Koi8R] {
                let bytes = encode(word, encoding);
                assert_eq!(
                    detect_encoding(&bytes).map(|g| g.encoding),
                    Ok(encoding),
                    "{word:?} in {encoding} must read as Russian only in {encoding}"
                );
            }
        }
    }

    #[test]
    fn what_is_not_text_is_refused_by_kind() {
        assert_eq!(detect_encoding(b""), Err(FileProblem::Empty));
        assert_eq!(
            detect_encoding(b"PK\x03\x04\x14\x00\x06\x00"),
            Err(FileProblem::NotText {
                format: BinaryKind::Xlsx
            })
        );
        assert_eq!(
            detect_encoding(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"),
            Err(FileProblem::NotText {
                format: BinaryKind::Xls
            })
        );
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(
            detect_encoding(&noise),
            Err(FileProblem::NotText {
                format: BinaryKind::Unknown
            }),
            "random bytes are not a spreadsheet export"
        );
    }

    #[test]
    fn a_few_bad_bytes_in_utf8_keep_it_utf8() {
        let mut bytes = RUSSIAN.repeat(5).into_bytes();
        bytes.extend(encode(
            "+79001112233;Пётр;Иванов;Казань\n",
            TextEncoding::Windows1251,
        ));
        assert_eq!(
            detect_encoding(&bytes).map(|g| g.encoding),
            Ok(TextEncoding::Utf8),
            "one pasted Windows-1251 line must not turn a UTF-8 file into 1251"
        );
    }

    #[test]
    fn the_decoding_reader_streams_and_drops_the_bom() {
        for encoding in TextEncoding::ALL {
            let mut bytes = encoding.bom().to_vec();
            let text = RUSSIAN.repeat(3000);
            bytes.extend(encode(&text, encoding));
            let mut reader = DecodingReader::new(&bytes[..], encoding);
            // Odd buffer sizes exercise characters cut between reads.
            let mut out = Vec::new();
            let mut buf = [0u8; 7];
            loop {
                let n = reader.read(&mut buf).expect("reading from memory");
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(
                String::from_utf8(out).expect("the reader yields UTF-8"),
                text,
                "{encoding} decodes to the original text without its BOM"
            );
            assert_eq!(reader.bytes_consumed(), bytes.len() as u64);
        }
    }

    #[test]
    fn labels_and_aliases_parse() {
        assert_eq!("cp1251".parse(), Ok(TextEncoding::Windows1251));
        assert_eq!("KOI8-R".parse(), Ok(TextEncoding::Koi8R));
        assert_eq!("UTF-8".parse(), Ok(TextEncoding::Utf8));
        for encoding in TextEncoding::ALL {
            assert_eq!(encoding.label().parse(), Ok(encoding), "labels round-trip");
        }
        assert!("latin1".parse::<TextEncoding>().is_err());
    }
}
