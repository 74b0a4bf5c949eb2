//! `cadence import FILE`: a CSV file into the workspace's audience, the report as
//! JSON on stdout. Exits 1 when the file cannot be read at all (or the options
//! or mapping are refused); rejected rows are part of a successful report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use cadence_core::Language;
use cadence_core::audience::{ColumnMapping, ImportMode, MergeRule};
use cadence_core::csvread::{Delimiter, HeaderChoice, Layout, SniffOptions, TextEncoding};
use cadence_engine::import::{ImportDetails, RejectedRowView};
use cadence_engine::{Error, ImportOptions, ImportReport, Importer, Workspace};
use cadence_store::ImportStatus;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV file (UTF-8, UTF-16, Windows-1251 or KOI8-R; `,` `;` tab or `|`).
    pub file: PathBuf,
    /// Country of numbers written without a country code (two letters).
    #[arg(long, default_value = cadence_engine::import::DEFAULT_REGION)]
    pub region: String,
    /// A saved preset's name, or a JSON mapping file (default: the suggested mapping).
    #[arg(long, value_name = "PRESET|FILE")]
    pub mapping: Option<String>,
    /// `subscribe` (contacts and consent) or `opt-out` (the file is an opt-out list).
    #[arg(long, default_value = "subscribe", value_parser = parse_mode)]
    pub mode: ImportMode,
    /// Existing contacts: `update` them or `keep-existing` as they are.
    #[arg(long, default_value = "update", value_parser = parse_merge)]
    pub merge: MergeRule,
    /// Report what would happen; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Zone for contacts whose zone is not in the file and whose country has
    /// several (default: the region's main zone).
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    /// Override the detected encoding (utf-8, utf-16le, utf-16be, windows-1251, koi8-r).
    #[arg(long, value_parser = parse_encoding)]
    pub encoding: Option<TextEncoding>,
    /// Override the detected delimiter (`,` `;` `tab` `|`).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<Delimiter>,
    /// Override the detected header row: its record number (1 = first), or `none`.
    #[arg(long, value_parser = parse_header)]
    pub header: Option<HeaderChoice>,
    /// Also write every rejected row to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejected_csv: Option<PathBuf>,
}

fn parse_mode(text: &str) -> Result<ImportMode, cadence_core::Error> {
    text.parse()
}

/// A command-line value that is none of the accepted ones (clap prints it).
#[derive(Debug)]
pub struct BadValue {
    given: String,
    expected: &'static str,
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: expected {}", self.given, self.expected)
    }
}

impl std::error::Error for BadValue {}

fn parse_merge(text: &str) -> Result<MergeRule, BadValue> {
    match text {
        "update" => Ok(MergeRule::Update),
        "keep-existing" | "keep_existing" => Ok(MergeRule::KeepExisting),
        other => Err(BadValue {
            given: other.to_owned(),
            expected: "update or keep-existing",
        }),
    }
}

fn parse_encoding(text: &str) -> Result<TextEncoding, cadence_core::Error> {
    text.parse()
}

fn parse_delimiter(text: &str) -> Result<Delimiter, cadence_core::Error> {
    Delimiter::parse(text)
}

fn parse_header(text: &str) -> Result<HeaderChoice, BadValue> {
    if text == "none" {
        return Ok(HeaderChoice::None);
    }
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(HeaderChoice::Row { index: n - 1 }),
        _ => Err(BadValue {
            given: text.to_owned(),
            expected: "the header's record number (1 = first) or none",
        }),
    }
}

/// The report as printed.
#[derive(Debug, Serialize)]
struct Printed {
    import_id: i64,
    file: String,
    status: ImportStatus,
    mode: ImportMode,
    dry_run: bool,
    read: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
    invalid: u64,
    duplicates_in_file: u64,
    detection: Option<Layout>,
    details: ImportDetails,
    failure: Option<String>,
    rejected_total: u64,
    /// The first rejected rows (all of them with --rejected-csv).
    rejected: Vec<RejectedRowView>,
}

impl Printed {
    fn from(report: ImportReport) -> Printed {
        Printed {
            import_id: report.import_id,
            file: report.file_name,
            status: report.status,
            mode: report.mode,
            dry_run: report.details.dry_run,
            read: report.read,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            invalid: report.invalid,
            duplicates_in_file: report.duplicates_in_file,
            detection: report.details.layout.clone(),
            details: ImportDetails {
                layout: None,
                ..report.details
            },
            failure: report.failure,
            rejected_total: report.rejected_total,
            rejected: report.rejected,
        }
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A preset by name, else a mapping file at that path.
async fn load_mapping(workspace: &Workspace, text: &str) -> cadence_engine::Result<ColumnMapping> {
    if let Some(preset) = workspace.store().mapping_preset(text).await? {
        return ColumnMapping::from_json(&preset.mapping).map_err(Error::ImportMapping);
    }
    let path = Path::new(text);
    let json = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    ColumnMapping::from_json(&json).map_err(Error::ImportMapping)
}

pub async fn run(workspace: &Workspace, args: &ImportArgs) -> cadence_engine::Result<ExitCode> {
    let mapping = match &args.mapping {
        Some(text) => Some(load_mapping(workspace, text).await?),
        None => None,
    };
    let options = ImportOptions {
        layout: SniffOptions {
            encoding: args.encoding,
            delimiter: args.delimiter,
            header: args.header,
        },
        mapping,
        region: args.region.clone(),
        default_time_zone: args.time_zone.clone(),
        mode: args.mode,
        merge: args.merge,
        dry_run: args.dry_run,
    };
    let importer = Importer::new(workspace.store().clone());
    let job = importer.start(&args.file, options, unix_now()).await?;
    let report = job
        .run(|progress| {
            tracing::info!(
                rows = progress.rows_done,
                rows_per_s = progress.rows_per_s.round(),
                eta_s = progress.eta_s.map(|s| s.round()),
                "importing"
            );
        })
        .await?;
    if let Some(path) = &args.rejected_csv {
        importer
            .export_rejected(report.import_id, path, Language::En)
            .await?;
    }
    crate::print_json(&Printed::from(report));
    Ok(ExitCode::SUCCESS)
}
