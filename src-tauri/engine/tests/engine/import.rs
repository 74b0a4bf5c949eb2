//! The audience importer against real files and a real workspace database.
//!
//! Every malformed file has its expected outcome: a specific error before
//! anything is written, or row errors with their reasons, never a crash; and an
//! import that does not finish (an unreadable file, a cancel, a failure, a
//! dropped task) leaves the contacts exactly as they were.

use std::path::{Path, PathBuf};

use cadence_core::Language;
use cadence_core::audience::{
    ColumnMapping, ColumnRule, ImportMode, MappingProblem, MergeRule, Target,
};
use cadence_core::csvread::{
    BinaryKind, Delimiter, FileProblem, HeaderChoice, SniffOptions, TextEncoding,
};
use cadence_engine::import::{ImportPhase, preview};
use cadence_engine::{Error, ImportOptions, ImportReport, Importer, Workspace};
use cadence_store::ImportStatus;
use sqlx::Row;

use super::data_dir;

/// 2026-01-01T00:00:00Z: the imports' clock.
const NOW: i64 = 1_767_225_600;

struct Fixture {
    dir: tempfile::TempDir,
    workspace: Workspace,
}

impl Fixture {
    async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::open(&data_dir(&dir.path().join("data")), "sandbox")
            .await
            .unwrap();
        Fixture { dir, workspace }
    }

    fn importer(&self) -> Importer {
        Importer::new(self.workspace.store().clone())
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    async fn import(
        &self,
        name: &str,
        bytes: &[u8],
        options: ImportOptions,
    ) -> Result<ImportReport, Error> {
        let path = self.file(name, bytes);
        let job = self.importer().start(&path, options, NOW).await?;
        let report = job.run(|_| {}).await?;
        assert_adds_up(&report);
        Ok(report)
    }

    async fn import_ok(&self, name: &str, bytes: &[u8]) -> ImportReport {
        self.import(name, bytes, ImportOptions::default())
            .await
            .unwrap()
    }

    async fn pool(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect(&format!(
            "sqlite:{}",
            self.workspace.store().path().display()
        ))
        .await
        .unwrap()
    }

    /// Everything an import may change about the audience, as text.
    async fn audience(&self) -> String {
        let pool = self.pool().await;
        let mut text = String::new();
        for query in [
            "SELECT id, phone, first_name, last_name, locale, time_zone, time_zone_inferred, country,
                    attributes, consent, consent_categories, created_at, updated_at FROM contact ORDER BY id",
            "SELECT contact_id, tag FROM contact_tag ORDER BY contact_id, tag",
            "SELECT id, contact_id, kind, occurred_at, source, categories, evidence FROM consent_event ORDER BY id",
            "SELECT phone, reason, source FROM suppression ORDER BY phone",
        ] {
            for row in sqlx::query(query).fetch_all(&pool).await.unwrap() {
                let cells: Vec<String> = (0..row.len())
                    .map(|i| {
                        row.try_get::<Option<String>, _>(i)
                            .ok()
                            .flatten()
                            .or_else(|| row.try_get::<Option<i64>, _>(i).ok().flatten().map(|n| n.to_string()))
                            .unwrap_or_else(|| "NULL".into())
                    })
                    .collect();
                text.push_str(&cells.join("|"));
                text.push('\n');
            }
            text.push_str("--\n");
        }
        pool.close().await;
        text
    }

    async fn scalar(&self, sql: &str) -> i64 {
        let pool = self.pool().await;
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }

    async fn contact(
        &self,
        phone: &str,
    ) -> Option<(Option<String>, Option<String>, String, i64, String, String)> {
        let pool = self.pool().await;
        let row = sqlx::query_as(
            "SELECT first_name, last_name, time_zone, time_zone_inferred, consent, attributes
             FROM contact WHERE phone = ?",
        )
        .bind(phone)
        .fetch_optional(&pool)
        .await
        .unwrap();
        pool.close().await;
        row
    }
}

/// The report's promise: nothing is skipped silently.
fn assert_adds_up(report: &ImportReport) {
    assert_eq!(
        report.read,
        report.created
            + report.updated
            + report.unchanged
            + report.invalid
            + report.duplicates_in_file,
        "read = created + updated + unchanged + invalid + duplicates_in_file, always: {report:?}"
    );
}

fn codes(report: &ImportReport) -> Vec<(u64, String)> {
    report
        .rejected
        .iter()
        .map(|r| (r.line, r.code.clone()))
        .collect()
}

fn encode(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    encoding.encode(text).0.into_owned()
}

fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little_endian {
            b"\xFF\xFE"
        } else {
            b"\xFE\xFF"
        });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

fn file_problem(error: Error) -> FileProblem {
    match error {
        Error::ImportFile { problem, .. } => problem,
        other => panic!("expected a file problem, got {other:?}"),
    }
}

const RUSSIAN: &str = "Телефон;Имя;Фамилия;Город\r\n8 (912) 345-67-89;Иван;Петров;Москва\r\n+7 916 123-45-67;Мария;Смирнова;Новосибирск\r\n";

// ---------------------------------------------------------------------------
// Files that cannot be read at all: a specific error, no run recorded, nothing
// written.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn unreadable_files_are_refused_before_anything_is_written() {
    let fx = Fixture::new().await;
    fx.import_ok("seed.csv", "phone,name\n+79001112233,Seed\n".as_bytes())
        .await;
    let before = fx.audience().await;
    let runs_before = fx.scalar("SELECT count(*) FROM import_run").await;
    let noise: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let cases: Vec<(&str, Vec<u8>, FileProblem)> = vec![
        ("empty.csv", Vec::new(), FileProblem::Empty),
        (
            "blank.csv",
            b"\r\n\r\n   \n\t\n".to_vec(),
            FileProblem::Empty,
        ),
        (
            "noise.bin",
            noise,
            FileProblem::NotText {
                format: BinaryKind::Unknown,
            },
        ),
        (
            "book.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec(),
            FileProblem::NotText {
                format: BinaryKind::Xlsx,
            },
        ),
        (
            "book.xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00".to_vec(),
            FileProblem::NotText {
                format: BinaryKind::Xls,
            },
        ),
        (
            "list.pdf",
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec(),
            FileProblem::NotText {
                format: BinaryKind::Pdf,
            },
        ),
        (
            "header-only.csv",
            "Телефон;Имя;Фамилия\r\n".as_bytes().to_vec(),
            FileProblem::NoDataRows,
        ),
        (
            "header-only-bom.csv",
            b"\xEF\xBB\xBFphone,first_name\n".to_vec(),
            FileProblem::NoDataRows,
        ),
        (
            "utf16-header-only.txt",
            utf16("phone\tname\r\n", true, true),
            FileProblem::NoDataRows,
        ),
    ];
    for (name, bytes, expected) in cases {
        let error = fx
            .import(name, &bytes, ImportOptions::default())
            .await
            .expect_err(name);
        assert_eq!(file_problem(error), expected, "{name}");
    }
    assert_eq!(
        fx.audience().await,
        before,
        "no unreadable file changes the audience"
    );
    assert_eq!(
        fx.scalar("SELECT count(*) FROM import_run").await,
        runs_before,
        "a file refused up front leaves no run behind"
    );
}

#[tokio::test]
async fn a_missing_file_is_an_io_error() {
    let fx = Fixture::new().await;
    let error = fx
        .importer()
        .start(
            Path::new("/nonexistent/contacts.csv"),
            ImportOptions::default(),
            NOW,
        )
        .await
        .expect_err("no such file");
    assert!(matches!(error, Error::ReadFile { .. }), "{error:?}");
    assert_eq!(error.code(), cadence_engine::ErrorCode::Io);
}

#[tokio::test]
async fn mappings_that_cannot_work_are_refused_with_the_reason() {
    let fx = Fixture::new().await;
    // No column called "phone" and no column of numbers: nothing to key contacts on.
    let error = fx
        .import(
            "names.csv",
            "Имя,Фамилия\nИван,Петров\nМария,Смирнова\n".as_bytes(),
            ImportOptions::default(),
        )
        .await
        .expect_err("no phone column");
    assert!(
        matches!(error, Error::ImportMapping(MappingProblem::NoPhone { .. })),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("Имя, Фамилия"),
        "the message lists the columns: {error}"
    );

    // A preset made for another export.
    let options = ImportOptions {
        mapping: Some(ColumnMapping {
            columns: vec![ColumnRule {
                column: "Мобильный".into(),
                target: Target::Phone,
            }],
        }),
        ..ImportOptions::default()
    };
    let error = fx
        .import("other.csv", RUSSIAN.as_bytes(), options)
        .await
        .expect_err("missing column");
    assert!(
        matches!(
            error,
            Error::ImportMapping(MappingProblem::MissingColumn { .. })
        ),
        "{error:?}"
    );

    for (region, zone) in [("XX", None), ("RU", Some("Mars/Base"))] {
        let options = ImportOptions {
            region: region.into(),
            default_time_zone: zone.map(str::to_owned),
            ..ImportOptions::default()
        };
        let error = fx
            .import("ok.csv", RUSSIAN.as_bytes(), options)
            .await
            .expect_err("bad option");
        assert!(
            matches!(error, Error::ImportOption(_)),
            "{region} {zone:?}: {error:?}"
        );
        assert_eq!(error.code(), cadence_engine::ErrorCode::InvalidInput);
    }
    assert_eq!(fx.scalar("SELECT count(*) FROM contact").await, 0);
}

// ---------------------------------------------------------------------------
// Encodings, delimiters, headers: the files spreadsheets really write.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_encoding_a_spreadsheet_writes_reads_the_same_contacts() {
    let text = RUSSIAN;
    let tabbed = text.replace(';', "\t");
    let mut bom_utf8 = b"\xEF\xBB\xBF".to_vec();
    bom_utf8.extend_from_slice(text.as_bytes());
    let cases: Vec<(&str, Vec<u8>, TextEncoding, Delimiter)> = vec![
        (
            "excel-bom-semicolon.csv",
            bom_utf8,
            TextEncoding::Utf8,
            Delimiter::Semicolon,
        ),
        (
            "plain.csv",
            text.as_bytes().to_vec(),
            TextEncoding::Utf8,
            Delimiter::Semicolon,
        ),
        (
            "russian-excel.csv",
            encode(text, encoding_rs::WINDOWS_1251),
            TextEncoding::Windows1251,
            Delimiter::Semicolon,
        ),
        (
            "1c-export.csv",
            encode(text, encoding_rs::KOI8_R),
            TextEncoding::Koi8R,
            Delimiter::Semicolon,
        ),
        (
            "unicode-text-le.txt",
            utf16(&tabbed, true, true),
            TextEncoding::Utf16Le,
            Delimiter::Tab,
        ),
        (
            "unicode-text-be.txt",
            utf16(&tabbed, false, true),
            TextEncoding::Utf16Be,
            Delimiter::Tab,
        ),
        (
            "utf16-le-no-bom.txt",
            utf16(&tabbed, true, false),
            TextEncoding::Utf16Le,
            Delimiter::Tab,
        ),
        (
            "utf16-be-no-bom.txt",
            utf16(&tabbed, false, false),
            TextEncoding::Utf16Be,
            Delimiter::Tab,
        ),
        (
            "pipes.csv",
            text.replace(';', "|").into_bytes(),
            TextEncoding::Utf8,
            Delimiter::Pipe,
        ),
        (
            "commas.csv",
            text.replace(';', ",").into_bytes(),
            TextEncoding::Utf8,
            Delimiter::Comma,
        ),
    ];
    for (name, bytes, encoding, delimiter) in cases {
        let fx = Fixture::new().await;
        let report = fx
            .import(name, &bytes, ImportOptions::default())
            .await
            .expect(name);
        let layout = report
            .details
            .layout
            .clone()
            .expect("the layout is recorded");
        assert_eq!(
            (layout.encoding, layout.delimiter),
            (encoding, delimiter),
            "{name}"
        );
        assert_eq!(
            (report.read, report.created, report.invalid),
            (2, 2, 0),
            "{name}: {report:?}"
        );
        let ivan = fx.contact("+79123456789").await.expect("Иван is imported");
        assert_eq!(
            (ivan.0.as_deref(), ivan.1.as_deref()),
            (Some("Иван"), Some("Петров")),
            "{name}: the Cyrillic survives the round trip"
        );
        assert_eq!(
            ivan.5, r#"{"city":"Москва"}"#,
            "{name}: the city is an attribute"
        );
    }
}

#[tokio::test]
async fn a_wrong_encoding_override_gives_row_errors_not_garbage() {
    let fx = Fixture::new().await;
    let options = ImportOptions {
        layout: SniffOptions {
            encoding: Some(TextEncoding::Windows1251),
            ..SniffOptions::default()
        },
        ..ImportOptions::default()
    };
    // UTF-8 read as Windows-1251: "И" is D0 98, and 0x98 has no letter in 1251.
    let report = fx
        .import(
            "utf8-as-1251.csv",
            "phone,name\n+79123456789,Иван\n+79161234567,Anna\n".as_bytes(),
            options,
        )
        .await
        .unwrap();
    assert_eq!(codes(&report), [(2, "bad_encoding".to_owned())]);
    assert_eq!(
        report.created, 1,
        "the row without the undecodable byte is fine"
    );
}

#[tokio::test]
async fn a_line_in_another_encoding_is_rejected_alone() {
    let fx = Fixture::new().await;
    let mut bytes = "Телефон;Имя\n+79123456789;Иван\n".as_bytes().to_vec();
    bytes.extend(encode("+79161234567;Мария\n", encoding_rs::WINDOWS_1251));
    bytes.extend("+79031234567;Ольга\n".as_bytes());
    let report = fx
        .import("mixed.csv", &bytes, ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        report.details.layout.as_ref().map(|l| l.encoding),
        Some(TextEncoding::Utf8)
    );
    assert_eq!(
        codes(&report),
        [(3, "bad_encoding".to_owned())],
        "only the 1251 line"
    );
    assert_eq!(report.created, 2);
}

#[tokio::test]
async fn a_title_above_the_header_and_excel_padding_are_understood() {
    let fx = Fixture::new().await;
    let text = "Выгрузка клиентов от 01.12.2025;;;\r\n;;;\r\nТелефон;Имя;Фамилия;Теги\r\n89123456789;Иван;;vip, опт\r\n;;;\r\n89161234567;Мария;;\r\n;;;\r\n";
    let report = fx
        .import("titled.csv", text.as_bytes(), ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        report.details.layout.as_ref().map(|l| l.header),
        Some(HeaderChoice::Row { index: 2 })
    );
    assert_eq!((report.read, report.created), (2, 2));
    assert_eq!(
        report.details.blank_lines, 2,
        "padding lines below the header are counted, not read"
    );
    assert_eq!(
        fx.scalar("SELECT count(*) FROM contact_tag").await,
        2,
        "Иван has two tags, Мария none"
    );
}

#[tokio::test]
async fn duplicate_column_names_keep_both_columns() {
    let fx = Fixture::new().await;
    let report = fx
        .import_ok(
            "dup-headers.csv",
            "Телефон,Телефон,Имя\n+79123456789,+79161234567,Иван\n".as_bytes(),
        )
        .await;
    let layout = report.details.layout.clone().unwrap();
    assert_eq!(layout.columns, ["Телефон", "Телефон (2)", "Имя"]);
    assert_eq!(layout.duplicate_columns, ["Телефон"]);
    let ivan = fx
        .contact("+79123456789")
        .await
        .expect("the first column is the phone");
    assert_eq!(
        ivan.5, r#"{"telefon_2":"+79161234567"}"#,
        "the second keeps its value as an attribute"
    );
}

#[tokio::test]
async fn files_without_a_header_find_the_phone_by_its_values() {
    let fx = Fixture::new().await;
    let report = fx
        .import_ok(
            "bare.csv",
            "Иван,8 912 345 67 89\nМария,+79161234567\n".as_bytes(),
        )
        .await;
    assert_eq!(
        report.details.layout.as_ref().map(|l| l.header),
        Some(HeaderChoice::None)
    );
    assert_eq!(report.created, 2);
}

// ---------------------------------------------------------------------------
// Malformed records: row errors with their lines and reasons; the rest imports.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn ragged_rows_are_rejected_and_excel_padding_is_not() {
    let fx = Fixture::new().await;
    let text = "phone,first_name,last_name\n+79123456789,Ivan,Petrov\n+79161234567,Maria\n+79031234567,Olga,Ivanova,extra\n+79051234567,Anna,Smirnova,,\n";
    let report = fx.import_ok("ragged.csv", text.as_bytes()).await;
    assert_eq!(
        codes(&report),
        [(3, "ragged_row".to_owned()), (4, "ragged_row".to_owned())]
    );
    assert!(
        report.rejected[0]
            .reason
            .contains("2 fields where the header has 3"),
        "{}",
        report.rejected[0].reason
    );
    assert_eq!(
        report.created, 2,
        "trailing empty fields are padding, not data"
    );
}

#[tokio::test]
async fn quoted_fields_keep_delimiters_quotes_and_newlines_and_lines_stay_right() {
    let fx = Fixture::new().await;
    let text = "phone,first_name,note\r\n+79123456789,\"Petrov, Ivan\",\"line one\r\nline two, \"\"quoted\"\"\"\r\n\r\nnot a phone,Bad,x\r\n";
    let report = fx.import_ok("quoted.csv", text.as_bytes()).await;
    assert_eq!(
        codes(&report),
        [(5, "invalid_phone".to_owned())],
        "line 5: the quoted line break and the blank line count as lines"
    );
    let ivan = fx.contact("+79123456789").await.unwrap();
    assert_eq!(ivan.0.as_deref(), Some("Petrov, Ivan"));
    assert_eq!(ivan.5, r#"{"note":"line one\r\nline two, \"quoted\""}"#);
}

#[tokio::test]
async fn an_unterminated_quote_is_reported_and_the_rows_before_it_import() {
    let fx = Fixture::new().await;
    let text = "phone,name\n+79123456789,Ivan\n+79161234567,\"Maria\n+79031234567,Olga\n+79051234567,Anna\n";
    let report = fx.import_ok("open-quote.csv", text.as_bytes()).await;
    assert_eq!(codes(&report), [(3, "unterminated_quote".to_owned())]);
    assert!(
        report.rejected[0].reason.contains("up to line 5"),
        "{}",
        report.rejected[0].reason
    );
    assert_eq!(report.created, 1);
}

#[tokio::test]
async fn a_ten_megabyte_field_is_a_row_error_not_a_crash() {
    let fx = Fixture::new().await;
    let mut text = String::from("phone,name,notes\n+79123456789,Ivan,short\n+79161234567,Maria,\"");
    text.push_str(&"x".repeat(10 * 1024 * 1024));
    text.push_str("\"\n+79031234567,Olga,fine\n");
    let report = fx.import_ok("huge-field.csv", text.as_bytes()).await;
    assert_eq!(codes(&report), [(3, "field_too_long".to_owned())]);
    assert!(
        report.rejected[0].raw.chars().count() <= 301,
        "the report keeps only the start of the record"
    );
    assert_eq!(report.created, 2);
}

#[tokio::test]
async fn phones_that_are_not_numbers_say_why() {
    let fx = Fixture::new().await;
    let text = "phone,name\n\
                ,No phone\n\
                7.91E+10,Excel ate digits\n\
                7.9123456789E+10,Excel kept them\n\
                call me,Letters\n\
                12345,Short\n\
                +7 000 000 00 00,Not in plan\n\
                +7 912 345-67-80 доб. 12,Extension\n\
                =1+2,Formula\n\
                =\"89031234567\",Text literal\n";
    let report = fx.import_ok("phones.csv", text.as_bytes()).await;
    assert_eq!(
        codes(&report),
        [
            (2, "missing_phone".to_owned()),
            (3, "scientific_notation".to_owned()),
            (5, "invalid_phone".to_owned()),
            (6, "invalid_phone".to_owned()),
            (7, "invalid_phone".to_owned()),
            (8, "invalid_phone".to_owned()),
            (9, "invalid_phone".to_owned()),
        ]
    );
    assert!(
        report.rejected[1].reason.contains("scientific notation"),
        "{}",
        report.rejected[1].reason
    );
    assert!(
        fx.contact("+79123456789").await.is_some(),
        "an exact 7.9123456789E+10 is read"
    );
    assert!(
        fx.contact("+79031234567").await.is_some(),
        "Excel's =\"…\" text literal is unwrapped"
    );
    assert_eq!((report.invalid, report.created), (7, 2));
}

#[tokio::test]
async fn zones_consent_and_locale_errors_are_row_errors() {
    let fx = Fixture::new().await;
    let text = "phone,time_zone,opted_in_at,consent_categories,locale\n\
                +79123456781,Mars/Base,,,\n\
                +79123456782,,03/04/2025,,\n\
                +79123456783,,вчера,,\n\
                +79123456784,,2030-01-01,,\n\
                +79123456785,,2025-01-01,marketting,\n\
                +79123456786,,,,klingon-empire\n\
                +79123456787,+05:00,2025-01-01 10:00,маркетинг,ru-RU\n";
    let report = fx.import_ok("fields.csv", text.as_bytes()).await;
    let found: Vec<String> = report.rejected.iter().map(|r| r.code.clone()).collect();
    assert_eq!(
        found,
        [
            "invalid_time_zone",
            "invalid_consent",
            "invalid_consent",
            "invalid_consent",
            "invalid_consent",
            "invalid_locale"
        ]
    );
    assert!(
        report.rejected[1].reason.contains("two dates"),
        "{}",
        report.rejected[1].reason
    );
    assert!(
        report.rejected[3].reason.contains("future"),
        "{}",
        report.rejected[3].reason
    );
    let good = fx.contact("+79123456787").await.expect("the good row");
    assert_eq!(
        (good.2.as_str(), good.3, good.4.as_str()),
        ("Etc/GMT-5", 0, "granted")
    );
}

#[tokio::test]
async fn duplicates_in_the_file_keep_the_first_and_name_its_line() {
    let fx = Fixture::new().await;
    let text = "phone,name\n8 (912) 345-67-89,First\n+79161234567,Other\n+7 912 345 67 89,Second\n79123456789,Third\n";
    let report = fx.import_ok("dups.csv", text.as_bytes()).await;
    assert_eq!(
        (report.created, report.duplicates_in_file, report.invalid),
        (2, 2, 0)
    );
    assert_eq!(
        codes(&report),
        [
            (4, "duplicate_in_file".to_owned()),
            (5, "duplicate_in_file".to_owned())
        ]
    );
    assert!(
        report.rejected[0].reason.contains("line 2"),
        "{}",
        report.rejected[0].reason
    );
    assert_eq!(
        fx.contact("+79123456789").await.unwrap().0.as_deref(),
        Some("First"),
        "first wins"
    );
}

#[tokio::test]
async fn formulas_are_stored_as_text_and_neutralised_in_the_report_csv() {
    let fx = Fixture::new().await;
    let text = "phone,name\n+79123456789,=HYPERLINK(\"http://evil\")\n@SUM(A1),Bad\n-1,Minus\n";
    let report = fx.import_ok("formulas.csv", text.as_bytes()).await;
    assert_eq!(
        fx.contact("+79123456789").await.unwrap().0.as_deref(),
        Some("=HYPERLINK(\"http://evil\")"),
        "data is kept as the user wrote it; exports neutralise it"
    );
    let out = fx.dir.path().join("rejected.csv");
    let written = fx
        .importer()
        .export_rejected(report.import_id, &out, Language::En)
        .await
        .unwrap();
    assert_eq!(written, 2);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with('\u{feff}'),
        "a BOM so that Excel reads UTF-8"
    );
    assert!(
        csv.contains("'@SUM(A1),Bad"),
        "a cell starting with @ is neutralised: {csv}"
    );
    assert!(
        csv.contains("'-1,Minus"),
        "a cell starting with - is neutralised: {csv}"
    );
    assert!(
        !csv.contains("\n@") && !csv.contains(",@SUM"),
        "no live formula: {csv}"
    );

    let ru = fx.dir.path().join("rejected-ru.csv");
    fx.importer()
        .export_rejected(report.import_id, &ru, Language::Ru)
        .await
        .unwrap();
    let csv = std::fs::read_to_string(&ru).unwrap();
    assert!(
        csv.contains("строка;код;причина;запись"),
        "Russian headers, ';' for Russian Excel: {csv}"
    );
    assert!(
        csv.contains("не номер телефона"),
        "reasons in Russian: {csv}"
    );
}

// ---------------------------------------------------------------------------
// Happy paths, merges, consent, opt-outs.
// ---------------------------------------------------------------------------

const FULL: &str = "Телефон;Имя;Фамилия;Часовой пояс;Дата согласия;Источник;Категории;Теги;Город\n\
    8 (912) 345-67-89;Иван;Петров;UTC+7;31.01.2025 10:00;форма на сайте;маркетинг, сервисные;vip, опт;Новосибирск\n\
    +49 151 23456789;Anna;Schmidt;;;;;;Berlin\n\
    +7 916 123-45-67;Мария;;;;;;;Москва\n";

#[tokio::test]
async fn a_full_file_becomes_contacts_with_consent_tags_and_zones() {
    let fx = Fixture::new().await;
    let report = fx.import_ok("full.csv", FULL.as_bytes()).await;
    assert_eq!(
        (report.read, report.created, report.status),
        (3, 3, ImportStatus::Applied)
    );
    let ivan = fx.contact("+79123456789").await.unwrap();
    assert_eq!(
        (ivan.2.as_str(), ivan.3, ivan.4.as_str()),
        ("Etc/GMT-7", 0, "granted")
    );
    let anna = fx.contact("+4915123456789").await.unwrap();
    assert_eq!(
        (anna.2.as_str(), anna.3, anna.4.as_str()),
        ("Europe/Berlin", 1, "none"),
        "no consent: imported, ineligible"
    );
    let maria = fx.contact("+79161234567").await.unwrap();
    assert_eq!(
        (maria.2.as_str(), maria.3),
        ("Europe/Moscow", 1),
        "Russia has many zones: the default, flagged"
    );
    let pool = fx.pool().await;
    let event: (String, i64, String, String, i64) = sqlx::query_as(
        "SELECT e.kind, e.occurred_at, e.source, e.categories, e.import_id FROM consent_event e
         JOIN contact c ON c.id = e.contact_id WHERE c.phone = '+79123456789'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        event,
        (
            "granted".into(),
            1_738_292_400,
            "форма на сайте".into(),
            "marketing,utility".into(),
            report.import_id
        ),
        "31.01.2025 10:00 at UTC+7 is 03:00 UTC, linked to the import"
    );
    let categories: Option<String> =
        sqlx::query_scalar("SELECT consent_categories FROM contact WHERE phone = '+79123456789'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(categories.as_deref(), Some("marketing,utility"));
    let tags: Vec<String> = sqlx::query_scalar("SELECT tag FROM contact_tag ORDER BY tag")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(tags, ["vip", "опт"]);
    pool.close().await;
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let fx = Fixture::new().await;
    fx.import_ok("full.csv", FULL.as_bytes()).await;
    let before = fx.audience().await;
    let again = fx.import_ok("full.csv", FULL.as_bytes()).await;
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, 3),
        "{again:?}"
    );
    assert_eq!(
        fx.audience().await,
        before,
        "no new consent event, tag or field"
    );
}

#[tokio::test]
async fn the_merge_rule_decides_what_happens_to_existing_contacts() {
    let fx = Fixture::new().await;
    fx.import_ok("full.csv", FULL.as_bytes()).await;
    let changed = "Телефон;Имя;Фамилия;Теги;Уровень\n89123456789;;Петров-Водкин;новый;gold\n+79161234567;Мария;;;\n";
    let before = fx.audience().await;
    let keep = fx
        .import(
            "changed.csv",
            changed.as_bytes(),
            ImportOptions {
                merge: MergeRule::KeepExisting,
                ..ImportOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((keep.updated, keep.unchanged), (0, 2));
    assert_eq!(
        fx.audience().await,
        before,
        "keep existing: the contacts stay exactly as they were"
    );

    let update = fx.import_ok("changed.csv", changed.as_bytes()).await;
    assert_eq!(
        (update.updated, update.unchanged),
        (1, 1),
        "Мария's row says nothing new"
    );
    let ivan = fx.contact("+79123456789").await.unwrap();
    assert_eq!(
        ivan.0.as_deref(),
        Some("Иван"),
        "an empty cell never erases"
    );
    assert_eq!(ivan.1.as_deref(), Some("Петров-Водкин"));
    assert_eq!(ivan.2, "Etc/GMT-7", "the zone from the first file stays");
    assert_eq!(
        ivan.5, r#"{"city":"Новосибирск","uroven":"gold"}"#,
        "attributes merge"
    );
    assert_eq!(
        fx.scalar("SELECT count(*) FROM contact_tag").await,
        3,
        "a tag is added, none removed"
    );
}

#[tokio::test]
async fn a_dry_run_reports_everything_and_changes_no_contact() {
    let fx = Fixture::new().await;
    fx.import_ok("seed.csv", "phone,name\n+79161234567,Мария\n".as_bytes())
        .await;
    let before = fx.audience().await;
    let dry = fx
        .import(
            "full.csv",
            FULL.as_bytes(),
            ImportOptions {
                dry_run: true,
                ..ImportOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(dry.status, ImportStatus::DryRun);
    assert_eq!(
        (dry.created, dry.updated),
        (2, 1),
        "Мария exists: her row would update her"
    );
    assert_eq!(
        fx.audience().await,
        before,
        "a dry run changes no contact, tag, consent or opt-out"
    );
    let real = fx.import_ok("full.csv", FULL.as_bytes()).await;
    assert_eq!(
        (real.created, real.updated, real.unchanged, real.invalid),
        (dry.created, dry.updated, dry.unchanged, dry.invalid),
        "the dry run predicted the real run"
    );
}

#[tokio::test]
async fn an_opt_out_list_suppresses_numbers_and_withdraws_consent() {
    let fx = Fixture::new().await;
    fx.import_ok("full.csv", FULL.as_bytes()).await;
    let list =
        "phone,opted_out_at\n+79123456789,2025-06-01\n+79990001122,\n+79123456789,\nnonsense,\n";
    let options = ImportOptions {
        mode: ImportMode::OptOut,
        ..ImportOptions::default()
    };
    let report = fx
        .import("stop.csv", list.as_bytes(), options.clone())
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.duplicates_in_file, report.invalid),
        (2, 1, 1),
        "two numbers newly on the opt-out list"
    );
    assert_eq!(report.details.consent_withdrawn, 1);
    assert_eq!(fx.contact("+79123456789").await.unwrap().4, "withdrawn");
    assert!(
        fx.contact("+79990001122").await.is_none(),
        "an opt-out list creates no contact"
    );
    assert_eq!(fx.scalar("SELECT count(*) FROM suppression").await, 2);
    assert_eq!(
        fx.scalar("SELECT count(*) FROM consent_event WHERE kind = 'withdrawn'")
            .await,
        1
    );

    let again = fx
        .import("stop.csv", list.as_bytes(), options)
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, 2),
        "already suppressed and withdrawn"
    );

    // A subscribe file cannot grant consent back to an opted-out number.
    let report = fx
        .import_ok(
            "regrant.csv",
            "phone,opted_in_at\n+79990001122,2025-12-01\n".as_bytes(),
        )
        .await;
    assert_eq!(report.details.grants_skipped_opted_out, 1);
    assert_eq!(
        fx.contact("+79990001122").await.unwrap().4,
        "none",
        "the opt-out list wins over a file"
    );
}

#[tokio::test]
async fn presets_are_saved_loaded_and_used() {
    let fx = Fixture::new().await;
    let importer = fx.importer();
    let mapping = ColumnMapping {
        columns: vec![
            ColumnRule {
                column: "Моб.".into(),
                target: Target::Phone,
            },
            ColumnRule {
                column: "Клиент".into(),
                target: Target::FirstName,
            },
            ColumnRule {
                column: "Лишнее".into(),
                target: Target::Ignore,
            },
        ],
    };
    importer.save_preset("crm", &mapping, NOW).await.unwrap();
    let presets = importer.presets().await.unwrap();
    assert_eq!(presets.len(), 1);
    assert_eq!(
        (presets[0].name.as_str(), &presets[0].mapping),
        ("crm", &mapping)
    );
    let loaded = importer.preset("crm").await.unwrap().expect("saved");
    let report = fx
        .import(
            "crm.csv",
            "Лишнее;Клиент;Моб.\nx;Иван;89123456789\n".as_bytes(),
            ImportOptions {
                mapping: Some(loaded.mapping),
                ..ImportOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.created, 1);
    assert_eq!(
        fx.contact("+79123456789").await.unwrap().5,
        "{}",
        "an ignored column is not an attribute"
    );
    assert!(importer.delete_preset("crm").await.unwrap());
    assert!(importer.presets().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_preview_shows_the_rows_as_they_will_be_read() {
    let fx = Fixture::new().await;
    let path = fx.file("preview.csv", &encode(RUSSIAN, encoding_rs::WINDOWS_1251));
    let shown = preview(&path, &SniffOptions::default()).unwrap();
    assert_eq!(shown.layout.encoding, TextEncoding::Windows1251);
    assert_eq!(shown.rows.len(), 2);
    assert_eq!(shown.rows[0].line, 2);
    assert_eq!(shown.rows[0].fields[1], "Иван");
    assert_eq!(shown.suggested.columns[0].target, Target::Phone);
    let forced = preview(
        &path,
        &SniffOptions {
            delimiter: Some(Delimiter::Comma),
            header: Some(HeaderChoice::None),
            ..SniffOptions::default()
        },
    )
    .unwrap();
    assert_eq!(forced.rows.len(), 3, "no header: the names row is data");
    assert_eq!(
        forced.layout.columns,
        ["#1"],
        "one column when split on commas"
    );
}

#[tokio::test]
async fn reports_are_read_back_in_either_language() {
    let fx = Fixture::new().await;
    let report = fx
        .import_ok("bad.csv", "phone,name\ncall me,X\n".as_bytes())
        .await;
    let ru = fx
        .importer()
        .report(report.import_id, Language::Ru)
        .await
        .unwrap();
    assert!(
        ru.rejected[0].reason.contains("не номер телефона"),
        "{}",
        ru.rejected[0].reason
    );
    assert_eq!(ru.invalid, 1);
    let missing = fx
        .importer()
        .report(999, Language::En)
        .await
        .expect_err("no such import");
    assert_eq!(missing.code(), cadence_engine::ErrorCode::InvalidInput);
}

// ---------------------------------------------------------------------------
// Whole or nothing: cancel, failure, a dropped task.
// ---------------------------------------------------------------------------

/// `rows` distinct valid rows.
fn many_rows(rows: usize) -> String {
    let mut text = String::from("phone,first_name,opted_in_at\n");
    for i in 0..rows {
        text.push_str(&format!("+7912{:07},Name{i},2025-01-01\n", i));
    }
    text
}

#[tokio::test]
async fn a_cancel_mid_import_leaves_the_contacts_exactly_as_before() {
    let fx = Fixture::new().await;
    fx.import_ok("seed.csv", FULL.as_bytes()).await;
    let before = fx.audience().await;
    let path = fx.file("many.csv", many_rows(30_000).as_bytes());
    let job = fx
        .importer()
        .start(&path, ImportOptions::default(), NOW)
        .await
        .unwrap();
    let token = job.cancel_token();
    let mut seen = Vec::new();
    let report = job
        .run(|progress| {
            seen.push(progress.rows_done);
            // Cancel once the first batch is staged.
            token.cancel();
        })
        .await
        .unwrap();
    assert_eq!(report.status, ImportStatus::Cancelled);
    assert!(
        !seen.is_empty() && seen[0] > 0,
        "progress came before the cancel: {seen:?}"
    );
    assert!(
        report.read < 30_000,
        "the import stopped early: {}",
        report.read
    );
    assert_eq!(
        fx.audience().await,
        before,
        "nothing of a cancelled import is applied"
    );
}

#[tokio::test]
async fn a_failure_mid_import_rolls_everything_back() {
    let fx = Fixture::new().await;
    fx.import_ok("seed.csv", FULL.as_bytes()).await;
    let before = fx.audience().await;
    let pool = fx.pool().await;
    // A database that refuses one row deep in the file, as a full disk would.
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON contact WHEN NEW.phone = '+79120012000'
         BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let path = fx.file("many.csv", many_rows(15_000).as_bytes());
    let job = fx
        .importer()
        .start(&path, ImportOptions::default(), NOW)
        .await
        .unwrap();
    let id = job.id();
    let error = job
        .run(|_| {})
        .await
        .expect_err("the database refused a row");
    assert!(matches!(error, Error::Store(_)), "{error:?}");
    assert_eq!(
        fx.audience().await,
        before,
        "rows staged before the failure are rolled back"
    );
    let run = fx.importer().report(id, Language::En).await.unwrap();
    assert_eq!(run.status, ImportStatus::Failed);
    assert!(run.failure.is_some(), "the failure is recorded on the run");
}

#[tokio::test]
async fn an_import_dropped_half_way_leaves_nothing_and_is_marked_failed_later() {
    let fx = Fixture::new().await;
    let before = fx.audience().await;
    let path = fx.file("many.csv", many_rows(30_000).as_bytes());
    let job = fx
        .importer()
        .start(&path, ImportOptions::default(), NOW)
        .await
        .unwrap();
    let id = job.id();
    let (staged, mut first) = tokio::sync::mpsc::unbounded_channel::<()>();
    let run = job.run(move |_| {
        let _ = staged.send(());
    });
    // The task dies (as with a crash of the process) once rows are staged.
    tokio::select! {
        _ = run => panic!("30,000 rows take longer than one batch"),
        _ = first.recv() => {}
    }
    assert_eq!(
        fx.audience().await,
        before,
        "an unfinished import is invisible"
    );
    let run = fx.importer().report(id, Language::En).await.unwrap();
    assert_eq!(run.status, ImportStatus::Running, "until someone notices");
    fx.import_ok("next.csv", "phone\n+79001112233\n".as_bytes())
        .await;
    let run = fx.importer().report(id, Language::En).await.unwrap();
    assert_eq!(
        run.status,
        ImportStatus::Failed,
        "the next import marks the dead one failed"
    );
    assert_eq!(
        fx.scalar("SELECT count(*) FROM contact").await,
        1,
        "and only the next one applied"
    );
}

#[tokio::test]
async fn one_import_at_a_time_per_workspace() {
    let fx = Fixture::new().await;
    let path = fx.file("a.csv", "phone\n+79123456789\n".as_bytes());
    let first = fx
        .importer()
        .start(&path, ImportOptions::default(), NOW)
        .await
        .unwrap();
    let second = fx
        .importer()
        .start(&path, ImportOptions::default(), NOW)
        .await;
    assert!(matches!(second, Err(Error::ImportBusy)), "{second:?}");
    let other = Fixture::new().await;
    let path_there = other.file("b.csv", "phone\n+79123456789\n".as_bytes());
    other
        .importer()
        .start(&path_there, ImportOptions::default(), NOW)
        .await
        .expect("another workspace imports at the same time");
    first.run(|_| {}).await.unwrap();
    fx.importer()
        .start(&path, ImportOptions::default(), NOW)
        .await
        .expect("free again once the first one ended");
}

#[tokio::test]
async fn progress_reports_rows_speed_and_an_estimate() {
    let fx = Fixture::new().await;
    let path = fx.file("many.csv", many_rows(12_000).as_bytes());
    let job = fx
        .importer()
        .start(&path, ImportOptions::default(), NOW)
        .await
        .unwrap();
    let mut events = Vec::new();
    let report = job.run(|p| events.push(p.clone())).await.unwrap();
    assert_eq!(report.created, 12_000);
    let staging: Vec<_> = events
        .iter()
        .filter(|p| p.phase == ImportPhase::Staging)
        .collect();
    assert!(!staging.is_empty(), "at least the first batch is reported");
    assert!(
        staging.len() <= 3,
        "batched, not per row: {}",
        staging.len()
    );
    let first = staging[0];
    assert!(first.rows_done > 0 && first.rows_per_s > 0.0 && first.bytes_done > 0);
    let estimate = first.rows_total_estimate as f64;
    assert!(
        (estimate - 12_000.0).abs() / 12_000.0 < 0.2,
        "the estimate from bytes is close: {estimate}"
    );
    assert_eq!(events.last().map(|p| p.phase), Some(ImportPhase::Applying));
}

// ---------------------------------------------------------------------------
// The corpus: every malformed file with its expected outcome, in one table.
// ---------------------------------------------------------------------------

/// What a file must lead to.
enum Expect {
    /// Refused before anything is written.
    File(FileProblem),
    /// Refused: no usable mapping.
    NoPhone,
    /// Imported: this many contacts created, these row errors (codes, by line).
    Rows(u64, &'static [&'static str]),
}

#[tokio::test]
async fn malformed_files_each_have_their_expected_outcome() {
    let ten_mb = {
        let mut text = String::from("phone,notes\n+79123456789,\"");
        text.push_str(&"y".repeat(10 * 1024 * 1024));
        text.push_str("\"\n+79161234567,ok\n");
        text.into_bytes()
    };
    let mixed = {
        let mut bytes = "Телефон;Имя\n+79123456789;Иван\n".as_bytes().to_vec();
        bytes.extend(encode("+79161234567;Мария\n", encoding_rs::WINDOWS_1251));
        bytes
    };
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_246_822_519) >> 9) as u8)
        .collect();
    let tabbed = RUSSIAN.replace(';', "\t");
    let mut bom_semicolon = b"\xEF\xBB\xBF".to_vec();
    bom_semicolon.extend_from_slice(RUSSIAN.as_bytes());
    let corpus: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("empty.csv", vec![], Expect::File(FileProblem::Empty)),
        (
            "blank-lines.csv",
            b"\n\r\n  \n".to_vec(),
            Expect::File(FileProblem::Empty),
        ),
        (
            "bom-only.csv",
            b"\xEF\xBB\xBF".to_vec(),
            Expect::File(FileProblem::Empty),
        ),
        (
            "only-delimiters.csv",
            b";;;\r\n;;;\r\n".to_vec(),
            Expect::File(FileProblem::Empty),
        ),
        (
            "noise.bin",
            noise,
            Expect::File(FileProblem::NotText {
                format: BinaryKind::Unknown,
            }),
        ),
        (
            "nul-bytes.csv",
            b"phone,name\n+79123456789,Iv\x00an\n".to_vec(),
            Expect::File(FileProblem::NotText {
                format: BinaryKind::Unknown,
            }),
        ),
        (
            "book.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00".to_vec(),
            Expect::File(FileProblem::NotText {
                format: BinaryKind::Xlsx,
            }),
        ),
        (
            "book.xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00".to_vec(),
            Expect::File(FileProblem::NotText {
                format: BinaryKind::Xls,
            }),
        ),
        (
            "scan.pdf",
            b"%PDF-1.4\n".to_vec(),
            Expect::File(FileProblem::NotText {
                format: BinaryKind::Pdf,
            }),
        ),
        (
            "header-only.csv",
            b"phone,first_name\r\n".to_vec(),
            Expect::File(FileProblem::NoDataRows),
        ),
        (
            "header-only-utf16.txt",
            utf16("Телефон\tИмя\r\n", true, true),
            Expect::File(FileProblem::NoDataRows),
        ),
        (
            "no-phone-column.csv",
            "Имя,Город\nИван,Москва\n".as_bytes().to_vec(),
            Expect::NoPhone,
        ),
        (
            "ragged.csv",
            b"phone,a,b\n+79123456789,1,2\n+79161234567,1\n".to_vec(),
            Expect::Rows(1, &["ragged_row"]),
        ),
        (
            "extra-fields.csv",
            b"phone,a\n+79123456789,1,surprise\n+79161234567,1\n+79031234567,2\n".to_vec(),
            Expect::Rows(2, &["ragged_row"]),
        ),
        (
            "unterminated-quote.csv",
            b"phone,a\n+79123456789,\"open\n+79161234567,x\n".to_vec(),
            Expect::Rows(0, &["unterminated_quote"]),
        ),
        (
            "ten-mb-field.csv",
            ten_mb,
            Expect::Rows(1, &["field_too_long"]),
        ),
        (
            "duplicate-headers.csv",
            "Телефон,Телефон\n+79123456789,+79161234567\n"
                .as_bytes()
                .to_vec(),
            Expect::Rows(1, &[]),
        ),
        (
            "excel-bom-semicolon.csv",
            bom_semicolon,
            Expect::Rows(2, &[]),
        ),
        (
            "formulas.csv",
            b"phone,name\n+79123456789,=HYPERLINK(\"x\")\n=1+2,calc\n".to_vec(),
            Expect::Rows(1, &["invalid_phone"]),
        ),
        (
            "scientific.csv",
            b"phone\n7.91E+10\n7.9123456789E+10\n".to_vec(),
            Expect::Rows(1, &["scientific_notation"]),
        ),
        (
            "utf16le-bom.txt",
            utf16(&tabbed, true, true),
            Expect::Rows(2, &[]),
        ),
        (
            "utf16be-bom.txt",
            utf16(&tabbed, false, true),
            Expect::Rows(2, &[]),
        ),
        (
            "utf16le-no-bom.txt",
            utf16(&tabbed, true, false),
            Expect::Rows(2, &[]),
        ),
        (
            "windows-1251.csv",
            encode(RUSSIAN, encoding_rs::WINDOWS_1251),
            Expect::Rows(2, &[]),
        ),
        (
            "koi8-r.csv",
            encode(RUSSIAN, encoding_rs::KOI8_R),
            Expect::Rows(2, &[]),
        ),
        (
            "crlf-embedded-newline.csv",
            b"phone,note\r\n+79123456789,\"a\r\nb\"\r\nbad,x\r\n".to_vec(),
            Expect::Rows(1, &["invalid_phone"]),
        ),
        (
            "mixed-encodings.csv",
            mixed,
            Expect::Rows(1, &["bad_encoding"]),
        ),
        (
            "title-above-header.csv",
            "Клиенты на 01.12.2025;\r\nТелефон;Имя\r\n89123456789;Иван\r\n"
                .as_bytes()
                .to_vec(),
            Expect::Rows(1, &[]),
        ),
        (
            "missing-phone-cells.csv",
            b"phone,name\n,Nobody\n+79123456789,Ivan\n".to_vec(),
            Expect::Rows(1, &["missing_phone"]),
        ),
        (
            "letters-in-phone.csv",
            b"phone\ncall me maybe\n".to_vec(),
            Expect::Rows(0, &["invalid_phone"]),
        ),
        (
            "extension.csv",
            "phone\n+7 912 345-67-89 доб. 5\n".as_bytes().to_vec(),
            Expect::Rows(0, &["invalid_phone"]),
        ),
        (
            "too-short.csv",
            b"phone\n12345\n".to_vec(),
            Expect::Rows(0, &["invalid_phone"]),
        ),
        (
            "duplicates.csv",
            b"phone\n+79123456789\n89123456789\n".to_vec(),
            Expect::Rows(1, &["duplicate_in_file"]),
        ),
        (
            "bad-zone.csv",
            b"phone,time_zone\n+79123456789,Mars/Base\n".to_vec(),
            Expect::Rows(0, &["invalid_time_zone"]),
        ),
        (
            "bad-consent-date.csv",
            b"phone,opted_in_at\n+79123456789,soon\n".to_vec(),
            Expect::Rows(0, &["invalid_consent"]),
        ),
        (
            "ambiguous-date.csv",
            b"phone,opted_in_at\n+79123456789,03/04/2025\n".to_vec(),
            Expect::Rows(0, &["invalid_consent"]),
        ),
        (
            "unknown-category.csv",
            b"phone,opted_in_at,categories\n+79123456789,2025-01-01,spam\n".to_vec(),
            Expect::Rows(0, &["invalid_consent"]),
        ),
        (
            "bad-locale.csv",
            b"phone,language\n+79123456789,elvish-of-rivendell\n".to_vec(),
            Expect::Rows(0, &["invalid_locale"]),
        ),
        (
            "bad-country.csv",
            b"phone,country\n9123456789,Atlantis\n".to_vec(),
            Expect::Rows(0, &["invalid_country"]),
        ),
    ];
    assert!(
        corpus.len() >= 30,
        "the brief asks for at least 30 malformed files"
    );
    let fx = Fixture::new().await;
    fx.import_ok("seed.csv", "phone,name\n+79001112233,Seed\n".as_bytes())
        .await;
    for (name, bytes, expect) in corpus {
        let before = fx.audience().await;
        let outcome = fx.import(name, &bytes, ImportOptions::default()).await;
        match (expect, outcome) {
            (Expect::File(problem), Err(error)) => {
                assert_eq!(file_problem(error), problem, "{name}");
                assert_eq!(
                    fx.audience().await,
                    before,
                    "{name}: a refused file changes nothing"
                );
            }
            (Expect::NoPhone, Err(error)) => {
                assert!(
                    matches!(error, Error::ImportMapping(MappingProblem::NoPhone { .. })),
                    "{name}: {error:?}"
                );
                assert_eq!(
                    fx.audience().await,
                    before,
                    "{name}: a refused file changes nothing"
                );
            }
            (Expect::Rows(created, expected), Ok(report)) => {
                let found: Vec<&str> = report.rejected.iter().map(|r| r.code.as_str()).collect();
                assert_eq!(found, expected, "{name}: row errors");
                assert!(
                    report
                        .rejected
                        .iter()
                        .all(|r| r.line >= 2 && !r.reason.is_empty()),
                    "{name}: each rejected row has its line and reason"
                );
                assert_eq!(report.created, created, "{name}: {report:?}");
                // Let the next file find the numbers free again.
                let pool = fx.pool().await;
                sqlx::query("DELETE FROM contact WHERE phone <> '+79001112233'")
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
            (_, outcome) => panic!("{name}: unexpected outcome {outcome:?}"),
        }
    }
}

#[tokio::test]
async fn past_imports_stay_listed_newest_first_with_their_rejected_rows() {
    let fx = Fixture::new().await;
    let first = fx
        .import_ok(
            "first.csv",
            b"phone,first_name\n+79123456789,Anna\nnope,Bad\n",
        )
        .await;
    let second = fx
        .import_ok("second.csv", b"phone,first_name\n+79123456780,Boris\n")
        .await;
    let history = fx.importer().history(20, Language::En).await.unwrap();
    let ids: Vec<i64> = history.iter().map(|r| r.import_id).collect();
    assert_eq!(
        ids,
        [second.import_id, first.import_id],
        "the wizard lists the latest import first"
    );
    assert_eq!(
        codes(&history[1]),
        [(3, "invalid_phone".to_owned())],
        "a past import keeps its rejected rows for the report"
    );
    let one = fx.importer().history(1, Language::En).await.unwrap();
    assert_eq!(one.len(), 1, "the limit holds");
}
