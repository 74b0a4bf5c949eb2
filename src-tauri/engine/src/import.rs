//! The audience importer: a CSV file into contacts, consent and opt-outs.
//!
//! Detect → preview → map → stage → apply. [`preview`] reads the head of a file
//! and shows how it will be read (every detection overridable) with a suggested
//! column mapping; [`Importer::start`] checks the file and the mapping and
//! records the run; [`ImportJob::run`] streams the file and applies it.
//!
//! # How a run works
//!
//! Two threads share the work, one per core. A blocking thread reads the file in
//! chunks, decodes it, splits records and normalises each row (phone, zone,
//! consent), finds duplicates within the file, and hands batches of a few
//! thousand rows over a bounded channel (so a slow disk or a slow database never
//! lets the other side run away with memory). The async side looks each batch's
//! numbers up among the existing contacts, merges, and writes it into the open
//! import transaction (see `cadence_store::import`), where nothing is visible
//! until the commit. Progress is reported once per batch at most every 100 ms;
//! cancelling is checked between batches and rolls everything back.
//!
//! A dry run does all of it, reads the existing contacts to classify every row,
//! and records the report, but writes no contact, tag, consent event or opt-out.
//!
//! Must not depend on `tauri`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cadence_core::Language;
use cadence_core::audience::headers::suggest;
use cadence_core::audience::merge::{ContactChange, merge_subscribe, withdraw};
use cadence_core::audience::row::raw_text;
use cadence_core::audience::zone::{default_zone_for_region, zone_option};
use cadence_core::audience::{
    ColumnMapping, ConsentKind, ConsentState, ContactDraft, ImportCounts, ImportMode, MergeRule,
    Outcome, Region, RejectedCsv, RejectedRow, ResolvedMapping, RowError, RowNormalizer,
    RowProblem, RowSettings,
};
use cadence_core::csvread::{FileProblem, HeaderChoice, Layout, RecordReader, SniffOptions, sniff};
use cadence_store::import::{ContactInsert, EventInsert};
use cadence_store::{ImportStatus, ImportWriter, NewImportRun, Store};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::{Error, Result};

/// How much of a file's head detection reads.
pub const SNIFF_BYTES: usize = 256 * 1024;
/// Rows the preview shows.
pub const PREVIEW_ROWS: usize = 20;
/// A preview cell longer than this is cut (the preview is for eyes, not data).
const PREVIEW_CELL_CHARS: usize = 200;
/// Rows per batch between the reading thread and the writer.
const BATCH_ROWS: usize = 5_000;
/// Batches in flight: the reader may be this far ahead of the writer.
const BATCHES_IN_FLIGHT: usize = 4;
/// Progress at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Rejected rows a report carries inline; all of them are in the CSV export.
pub const REPORT_REJECTED_ROWS: u32 = 1_000;
/// The region national numbers are read in when none is given.
pub const DEFAULT_REGION: &str = "RU";

/// How to import a file. Every field has a default except the mapping's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ImportOptions {
    /// Overrides of the detected encoding, delimiter and header row.
    #[serde(default)]
    pub layout: SniffOptions,
    /// Which column feeds what; `null` takes the suggested mapping.
    #[serde(default)]
    pub mapping: Option<ColumnMapping>,
    /// Two letters: the country of numbers written without a country code.
    #[serde(default = "default_region")]
    pub region: String,
    /// The zone of contacts whose zone is not in the file and whose country has
    /// several (an IANA name or an offset); `null`: the region's main zone.
    #[serde(default)]
    pub default_time_zone: Option<String>,
    #[serde(default)]
    pub mode: ImportMode,
    #[serde(default)]
    pub merge: MergeRule,
    /// Report what would happen without changing any contact.
    #[serde(default)]
    pub dry_run: bool,
}

fn default_region() -> String {
    DEFAULT_REGION.to_owned()
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            layout: SniffOptions::default(),
            mapping: None,
            region: default_region(),
            default_time_zone: None,
            mode: ImportMode::Subscribe,
            merge: MergeRule::Update,
            dry_run: false,
        }
    }
}

/// One record as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PreviewRow {
    pub line: u32,
    pub fields: Vec<String>,
}

/// How a file will be read, and a mapping to start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ImportPreview {
    pub file_name: String,
    // 64-bit integers would be BigInt in TypeScript: counts, ids and Unix times
    // are declared as plain numbers, which holds them exactly.
    #[specta(type = u32)]
    pub bytes: u64,
    pub layout: Layout,
    /// The first data rows, as they will be read.
    pub rows: Vec<PreviewRow>,
    pub suggested: ColumnMapping,
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    /// Reading, checking and staging rows.
    Staging,
    /// All rows are staged; the transaction is being committed.
    Applying,
}

/// Progress of a running import, at most every 100 ms.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ImportProgress {
    #[specta(type = i32)]
    pub import_id: i64,
    pub phase: ImportPhase,
    #[specta(type = u32)]
    pub rows_done: u64,
    #[specta(type = u32)]
    pub bytes_done: u64,
    #[specta(type = u32)]
    pub bytes_total: u64,
    /// Rows the whole file holds, estimated from the bytes read so far.
    #[specta(type = u32)]
    pub rows_total_estimate: u64,
    pub rows_per_s: f64,
    /// Seconds left at the current speed; `null` before the speed is known.
    pub eta_s: Option<f64>,
}

/// A rejected row in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RejectedRowView {
    #[specta(type = u32)]
    pub line: u64,
    /// `invalid_phone`, `scientific_notation`, `duplicate_in_file`, … (stable).
    pub code: String,
    /// In the language the report was asked in.
    pub reason: String,
    /// The record as read.
    pub raw: String,
}

impl From<RejectedRow> for RejectedRowView {
    fn from(row: RejectedRow) -> RejectedRowView {
        RejectedRowView {
            line: row.line,
            code: row.code,
            reason: row.reason,
            raw: row.raw,
        }
    }
}

/// What an import found beyond the counts (stored in `import_run.details`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ImportDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    pub region: String,
    pub default_time_zone: String,
    pub dry_run: bool,
    /// Lines that held only delimiters or spaces: not rows, not counted.
    #[specta(type = u32)]
    pub blank_lines: u64,
    /// Grants in a subscribe file not recorded because the number is on the
    /// opt-out list (the opt-out wins over a file).
    #[specta(type = u32)]
    pub grants_skipped_opted_out: u64,
    /// Opt-out mode: existing contacts whose consent was withdrawn.
    #[specta(type = u32)]
    pub consent_withdrawn: u64,
    #[specta(type = u32)]
    pub elapsed_ms: u64,
}

/// The report of an import: the counts (`read` = `created` + `updated` +
/// `unchanged` + `invalid` + `duplicates_in_file`, always), how the file was
/// read, and the first rejected rows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ImportReport {
    #[specta(type = i32)]
    pub import_id: i64,
    pub file_name: String,
    pub mode: ImportMode,
    pub status: ImportStatus,
    #[specta(type = u32)]
    pub read: u64,
    #[specta(type = u32)]
    pub created: u64,
    #[specta(type = u32)]
    pub updated: u64,
    #[specta(type = u32)]
    pub unchanged: u64,
    #[specta(type = u32)]
    pub invalid: u64,
    #[specta(type = u32)]
    pub duplicates_in_file: u64,
    pub details: ImportDetails,
    /// Why a failed import stopped.
    pub failure: Option<String>,
    #[specta(type = i32)]
    pub started_at: i64,
    #[specta(type = Option<i32>)]
    pub finished_at: Option<i64>,
    /// The first [`REPORT_REJECTED_ROWS`] rejected rows, by line.
    pub rejected: Vec<RejectedRowView>,
    /// All rejected rows (invalid and duplicates); the CSV export has them all.
    #[specta(type = u32)]
    pub rejected_total: u64,
}

/// Cancels a running import from anywhere (another task, a UI command).
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::ReadFile {
        path: path.to_owned(),
        source,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The head of a file, and whether it is the whole file.
fn read_head(path: &Path) -> Result<(Vec<u8>, bool, u64)> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let total = file.metadata().map_err(|e| read_error(path, e))?.len();
    let mut head = Vec::with_capacity(SNIFF_BYTES.min(total as usize));
    file.take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| read_error(path, e))?;
    let complete = (head.len() as u64) >= total;
    Ok((head, complete, total))
}

fn file_problem(path: &Path, problem: FileProblem) -> Error {
    Error::ImportFile {
        path: path.to_owned(),
        problem,
    }
}

/// Detects how `path` is laid out (with the user's overrides) and reads its first
/// rows as the import will, with a suggested mapping.
pub fn preview(path: &Path, overrides: &SniffOptions) -> Result<ImportPreview> {
    let (head, complete, bytes) = read_head(path)?;
    let layout = sniff(&head, complete, overrides).map_err(|p| file_problem(path, p))?;
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let mut reader = RecordReader::new(file, &layout);
    let mut rows = Vec::new();
    while rows.len() < PREVIEW_ROWS {
        let Some(row) = reader.next_row().map_err(|p| file_problem(path, p))? else {
            break;
        };
        rows.push(PreviewRow {
            line: u32::try_from(row.line).unwrap_or(u32::MAX),
            fields: row
                .fields
                .iter()
                .map(|f| {
                    let mut cell: String = f.chars().take(PREVIEW_CELL_CHARS).collect();
                    if f.chars().count() > PREVIEW_CELL_CHARS {
                        cell.push('…');
                    }
                    cell
                })
                .collect(),
        });
    }
    let sample: Vec<Vec<String>> = rows.iter().map(|r| r.fields.clone()).collect();
    let suggested = suggest(&layout.columns, &sample);
    Ok(ImportPreview {
        file_name: file_name(path),
        bytes,
        layout,
        rows,
        suggested,
    })
}

/// Starts imports into one workspace.
#[derive(Debug, Clone)]
pub struct Importer {
    store: Store,
}

impl Importer {
    pub fn new(store: Store) -> Importer {
        Importer { store }
    }

    /// Checks the file (readable, with rows), the options and the mapping, and
    /// records the run. Nothing is imported until [`ImportJob::run`]. A file that
    /// cannot be read or a mapping that cannot be used is refused here, before
    /// any record of a run exists.
    pub async fn start(&self, path: &Path, options: ImportOptions, now: i64) -> Result<ImportJob> {
        let (head, complete, bytes_total) = read_head(path)?;
        let layout = sniff(&head, complete, &options.layout).map_err(|p| file_problem(path, p))?;
        if complete && matches!(layout.header, HeaderChoice::Row { .. }) {
            // A file that fits the sample can be checked for rows right away:
            // a header and nothing else is a mistake (the wrong sheet exported).
            let mut reader = RecordReader::new(&head[..], &layout);
            if reader
                .next_row()
                .map_err(|p| file_problem(path, p))?
                .is_none()
            {
                return Err(file_problem(path, FileProblem::NoDataRows));
            }
        }
        let region: Region = options.region.parse().map_err(Error::ImportOption)?;
        let default_zone = match &options.default_time_zone {
            Some(text) => zone_option(text).map_err(Error::ImportOption)?,
            None => default_zone_for_region(region.code()),
        };
        let mapping = match &options.mapping {
            Some(mapping) => mapping.clone(),
            None => {
                let sample = preview_sample(path, &layout)?;
                suggest(&layout.columns, &sample)
            }
        };
        let resolved = mapping
            .resolve(&layout.columns)
            .map_err(Error::ImportMapping)?;
        let name = file_name(path);
        let recorded = RecordedOptions {
            options: &options,
            layout: &layout,
            mapping: &mapping,
        };
        let options_json =
            serde_json::to_string(&recorded).map_err(|e| Error::ImportBug(e.to_string()))?;
        // One import per workspace at a time: each holds the write lock for its
        // whole run, so a second would only wait and fail.
        let active = ActiveImport::claim(self.store.path())?;
        self.store.fail_stale_import_runs(now).await?;
        let id = self
            .store
            .start_import_run(&NewImportRun {
                file_name: name.clone(),
                mode: options.mode.as_str(),
                options: options_json,
                started_at: now,
            })
            .await?;
        tracing::info!(import_id = id, file = %name, mode = %options.mode, dry_run = options.dry_run, "import started");
        Ok(ImportJob {
            store: self.store.clone(),
            id,
            path: path.to_owned(),
            file_name: name,
            bytes_total,
            settings: RowSettings {
                mode: options.mode,
                region,
                default_zone,
                now,
                default_source: format!("import:{}", file_name(path)),
            },
            layout,
            resolved,
            options,
            now,
            cancel: CancelToken::default(),
            _active: active,
        })
    }

    /// The latest `limit` imports, newest first, each with its report (the first
    /// rejected rows included), so the wizard can show past imports after a restart.
    pub async fn history(&self, limit: u32, language: Language) -> Result<Vec<ImportReport>> {
        let mut reports = Vec::new();
        for run in self.store.import_runs(limit).await? {
            reports.push(self.report(run.id, language).await?);
        }
        Ok(reports)
    }

    /// The report of a finished (or failed, or cancelled) import, reasons in
    /// `language`.
    pub async fn report(&self, import_id: i64, language: Language) -> Result<ImportReport> {
        let run = self.store.import_run(import_id).await?;
        let rejected = self
            .store
            .row_errors(import_id, 0, REPORT_REJECTED_ROWS, language)
            .await?;
        let rejected_total = self.store.count_row_errors(import_id).await?;
        let details: ImportDetails = run
            .details
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default();
        Ok(ImportReport {
            import_id: run.id,
            file_name: run.file_name,
            mode: if run.mode == ImportMode::OptOut.as_str() {
                ImportMode::OptOut
            } else {
                ImportMode::Subscribe
            },
            status: run.status,
            read: run.counts.read,
            created: run.counts.created,
            updated: run.counts.updated,
            unchanged: run.counts.unchanged,
            invalid: run.counts.invalid,
            duplicates_in_file: run.counts.duplicates_in_file,
            details,
            failure: run.failure,
            started_at: run.started_at,
            finished_at: run.finished_at,
            rejected: rejected.into_iter().map(RejectedRowView::from).collect(),
            rejected_total,
        })
    }

    /// Writes every rejected row of an import to `path` as CSV (see
    /// `cadence_core::audience::RejectedCsv`); returns how many.
    pub async fn export_rejected(
        &self,
        import_id: i64,
        path: &Path,
        language: Language,
    ) -> Result<u64> {
        // Fail on an unknown import before creating a file.
        self.store.import_run(import_id).await?;
        let write_error = |source| Error::WriteFile {
            path: path.to_owned(),
            source,
        };
        let file = File::create(path).map_err(write_error)?;
        let mut csv =
            RejectedCsv::new(std::io::BufWriter::new(file), language).map_err(write_error)?;
        let written = self
            .store
            .for_each_row_error(import_id, language, |row| csv.write(&row))
            .await
            .map_err(|error| match error {
                cadence_store::Error::Write(source) => write_error(source),
                other => Error::Store(other),
            })?;
        let mut out = csv.finish().map_err(write_error)?;
        std::io::Write::flush(&mut out).map_err(write_error)?;
        Ok(written)
    }
}

/// A saved column mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MappingPreset {
    pub name: String,
    pub mapping: ColumnMapping,
    #[specta(type = i32)]
    pub updated_at: i64,
}

impl Importer {
    /// The saved presets, by name. A preset whose JSON no longer reads (written
    /// by a newer Cadence) is left out and logged.
    pub async fn presets(&self) -> Result<Vec<MappingPreset>> {
        let rows = self.store.mapping_presets().await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match ColumnMapping::from_json(&row.mapping) {
                Ok(mapping) => Some(MappingPreset {
                    name: row.name,
                    mapping,
                    updated_at: row.updated_at,
                }),
                Err(problem) => {
                    tracing::warn!(preset = %row.name, %problem, "a mapping preset does not read");
                    None
                }
            })
            .collect())
    }

    /// The preset called `name`, if saved.
    pub async fn preset(&self, name: &str) -> Result<Option<MappingPreset>> {
        match self.store.mapping_preset(name).await? {
            Some(row) => Ok(Some(MappingPreset {
                mapping: ColumnMapping::from_json(&row.mapping).map_err(Error::ImportMapping)?,
                name: row.name,
                updated_at: row.updated_at,
            })),
            None => Ok(None),
        }
    }

    /// Saves `mapping` as `name` (replacing a preset of that name).
    pub async fn save_preset(&self, name: &str, mapping: &ColumnMapping, now: i64) -> Result<()> {
        let json = serde_json::to_string(mapping).map_err(|e| Error::ImportBug(e.to_string()))?;
        self.store.save_mapping_preset(name, &json, now).await?;
        Ok(())
    }

    /// Deletes a preset; false when none had that name.
    pub async fn delete_preset(&self, name: &str) -> Result<bool> {
        Ok(self.store.delete_mapping_preset(name).await?)
    }
}

/// The imports running in this process, so that one can be cancelled by id
/// (the app's cancel button arrives as a separate command).
#[derive(Debug, Clone, Default)]
pub struct RunningImports(Arc<std::sync::Mutex<HashMap<i64, CancelToken>>>);

impl RunningImports {
    pub fn register(&self, import_id: i64, token: CancelToken) {
        if let Ok(mut running) = self.0.lock() {
            running.insert(import_id, token);
        }
    }

    /// Cancels a running import; false when none runs by that id.
    pub fn cancel(&self, import_id: i64) -> bool {
        match self
            .0
            .lock()
            .ok()
            .and_then(|running| running.get(&import_id).cloned())
        {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Forgets a finished import.
    pub fn finish(&self, import_id: i64) {
        if let Ok(mut running) = self.0.lock() {
            running.remove(&import_id);
        }
    }
}

/// The first rows of a file, for suggesting a mapping when none is given.
fn preview_sample(path: &Path, layout: &Layout) -> Result<Vec<Vec<String>>> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let mut reader = RecordReader::new(file, layout);
    let mut sample = Vec::new();
    while sample.len() < PREVIEW_ROWS {
        match reader.next_row().map_err(|p| file_problem(path, p))? {
            Some(row) => sample.push(row.fields.iter().map(str::to_owned).collect()),
            None => break,
        }
    }
    Ok(sample)
}

/// What `import_run.options` records.
#[derive(Serialize)]
struct RecordedOptions<'a> {
    options: &'a ImportOptions,
    layout: &'a Layout,
    mapping: &'a ColumnMapping,
}

/// An import that is checked and recorded, ready to run.
#[derive(Debug)]
pub struct ImportJob {
    store: Store,
    id: i64,
    path: PathBuf,
    file_name: String,
    bytes_total: u64,
    layout: Layout,
    resolved: ResolvedMapping,
    settings: RowSettings,
    options: ImportOptions,
    now: i64,
    cancel: CancelToken,
    /// Released when the job is dropped (after its run, or never run).
    _active: ActiveImport,
}

/// The databases with an import running in this process.
static ACTIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A workspace's claim to its one running import.
#[derive(Debug)]
struct ActiveImport(PathBuf);

impl ActiveImport {
    fn claim(database: &Path) -> Result<ActiveImport> {
        let mut active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        if active.iter().any(|p| p == database) {
            return Err(Error::ImportBusy);
        }
        active.push(database.to_owned());
        Ok(ActiveImport(database.to_owned()))
    }
}

impl Drop for ActiveImport {
    fn drop(&mut self) {
        let mut active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        active.retain(|p| p != &self.0);
    }
}

/// Rows the reading thread hands to the writer.
struct Batch {
    drafts: Vec<ContactDraft>,
    /// Invalid rows and duplicates, in file order.
    errors: Vec<RowError>,
    /// Raw bytes of the file read when the batch was cut.
    bytes: u64,
}

/// What the reading thread saw in all.
struct ReadTotals {
    rows: u64,
    blank: u64,
}

impl ImportJob {
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The file's name (without its folder).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// How the file is being read.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// A token that cancels this import when it runs.
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Reads, checks and applies the whole file, as one transaction, calling
    /// `progress` as it goes. A cancel returns the report with status
    /// `cancelled` (contacts untouched); a failure is recorded on the run and
    /// returned as the error.
    pub async fn run(
        self,
        mut progress: impl FnMut(&ImportProgress) + Send,
    ) -> Result<ImportReport> {
        let started = Instant::now();
        let mut details = ImportDetails {
            layout: Some(self.layout.clone()),
            region: self.settings.region.to_string(),
            default_time_zone: self.settings.default_zone.name().to_owned(),
            dry_run: self.options.dry_run,
            ..ImportDetails::default()
        };
        let mut counts = ImportCounts::default();
        let outcome = self
            .apply(&mut counts, &mut details, &mut progress, started)
            .await;
        details.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let details_json = serde_json::to_string(&details).ok();
        let finished_at = self.now + started.elapsed().as_secs() as i64;
        let importer = Importer::new(self.store.clone());
        let committed = match outcome {
            Ok(Some(writer)) => {
                let status = if self.options.dry_run {
                    ImportStatus::DryRun
                } else {
                    ImportStatus::Applied
                };
                progress(&self.progress(ImportPhase::Applying, &counts, self.bytes_total, started));
                let committing = Instant::now();
                let committed = writer
                    .commit(status, &counts, details_json.as_deref(), finished_at)
                    .await
                    .map_err(Error::from);
                tracing::debug!(
                    import_id = self.id,
                    commit_ms = committing.elapsed().as_millis() as u64,
                    "committed"
                );
                committed
            }
            Ok(None) => {
                tracing::info!(
                    import_id = self.id,
                    rows = counts.read,
                    "import cancelled: nothing applied"
                );
                self.store
                    .end_import_run(
                        self.id,
                        ImportStatus::Cancelled,
                        &counts,
                        details_json.as_deref(),
                        None,
                        finished_at,
                    )
                    .await?;
                return importer.report(self.id, Language::En).await;
            }
            Err(error) => Err(error),
        };
        if let Err(error) = committed {
            tracing::warn!(import_id = self.id, %error, "import failed: nothing applied");
            let failure = error.to_string();
            if let Err(record) = self
                .store
                .end_import_run(
                    self.id,
                    ImportStatus::Failed,
                    &counts,
                    details_json.as_deref(),
                    Some(&failure),
                    finished_at,
                )
                .await
            {
                tracing::error!(import_id = self.id, error = %record, "could not record the failed import");
            }
            return Err(error);
        }
        tracing::info!(
            import_id = self.id,
            ?counts,
            elapsed_ms = details.elapsed_ms,
            "import applied"
        );
        importer.report(self.id, Language::En).await
    }

    fn progress(
        &self,
        phase: ImportPhase,
        counts: &ImportCounts,
        bytes: u64,
        started: Instant,
    ) -> ImportProgress {
        let elapsed = started.elapsed().as_secs_f64();
        let rows_per_s = if elapsed > 0.0 {
            counts.read as f64 / elapsed
        } else {
            0.0
        };
        let rows_total_estimate = if bytes > 0 {
            ((counts.read as f64) * (self.bytes_total as f64) / (bytes as f64)).round() as u64
        } else {
            0
        };
        let eta_s = (rows_per_s > 0.0)
            .then(|| rows_total_estimate.saturating_sub(counts.read) as f64 / rows_per_s);
        ImportProgress {
            import_id: self.id,
            phase,
            rows_done: counts.read,
            bytes_done: bytes,
            bytes_total: self.bytes_total,
            rows_total_estimate,
            rows_per_s,
            eta_s,
        }
    }

    /// Stages every row into the import transaction. `Ok(None)` when cancelled
    /// (already rolled back); the writer, ready to commit, otherwise.
    async fn apply(
        &self,
        counts: &mut ImportCounts,
        details: &mut ImportDetails,
        progress: &mut (impl FnMut(&ImportProgress) + Send),
        started: Instant,
    ) -> Result<Option<ImportWriter>> {
        let file = File::open(&self.path).map_err(|e| read_error(&self.path, e))?;
        let (sender, mut batches) = mpsc::channel::<Batch>(BATCHES_IN_FLIGHT);
        let normalizer = RowNormalizer::new(
            self.resolved.clone(),
            self.layout.columns.clone(),
            char::from(self.layout.delimiter.byte()),
            self.settings.clone(),
        );
        let layout = self.layout.clone();
        let cancel = self.cancel.clone();
        let expected_rows = (self.bytes_total / 64) as usize;
        let reading = tokio::task::spawn_blocking(move || {
            read_batches(file, &layout, normalizer, &sender, &cancel, expected_rows)
        });
        let mut writer = self.store.begin_import(self.id).await?;
        // The first batch is reported at once, then at most every PROGRESS_EVERY.
        let mut last_progress: Option<Instant> = None;
        let mut applied = Ok(());
        // Where the time goes, for the log: waiting for the reading thread
        // (reading is the bottleneck) or writing (the database is).
        let (mut waiting, mut writing) = (Duration::ZERO, Duration::ZERO);
        let mut waited_since = Instant::now();
        while let Some(batch) = batches.recv().await {
            waiting += waited_since.elapsed();
            if self.cancel.is_cancelled() {
                break;
            }
            let write_started = Instant::now();
            applied = self.apply_batch(&mut writer, &batch, counts, details).await;
            writing += write_started.elapsed();
            waited_since = Instant::now();
            if applied.is_err() {
                break;
            }
            if last_progress.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY) {
                last_progress = Some(Instant::now());
                progress(&self.progress(ImportPhase::Staging, counts, batch.bytes, started));
            }
        }
        tracing::debug!(
            import_id = self.id,
            waiting_for_rows_ms = waiting.as_millis() as u64,
            writing_ms = writing.as_millis() as u64,
            "staging done"
        );
        // Closing our end stops the reading thread at its next batch, whatever
        // made us stop.
        drop(batches);
        let totals = match reading.await {
            Ok(totals) => totals,
            Err(stopped) => {
                writer.rollback().await?;
                return Err(Error::ImportBug(format!(
                    "the file reading thread stopped: {stopped}"
                )));
            }
        };
        if self.cancel.is_cancelled() {
            writer.rollback().await?;
            return Ok(None);
        }
        if let Err(error) = applied {
            writer.rollback().await?;
            return Err(error);
        }
        let totals = match totals {
            Ok(totals) => totals,
            Err(problem) => {
                writer.rollback().await?;
                return Err(file_problem(&self.path, problem));
            }
        };
        details.blank_lines = totals.blank;
        // Two independent counts of the rows: the reader's and the outcomes'.
        let checked = counts.check().and_then(|()| {
            if totals.rows == counts.read {
                Ok(())
            } else {
                Err(cadence_core::Error::CountsMismatch(format!(
                    "the file had {} rows but {} were counted",
                    totals.rows, counts.read
                )))
            }
        });
        if let Err(error) = checked {
            writer.rollback().await?;
            return Err(Error::ImportBug(error.to_string()));
        }
        Ok(Some(writer))
    }

    async fn apply_batch(
        &self,
        writer: &mut ImportWriter,
        batch: &Batch,
        counts: &mut ImportCounts,
        details: &mut ImportDetails,
    ) -> Result<()> {
        for error in &batch.errors {
            counts.add(if error.problem.is_duplicate() {
                Outcome::DuplicateInFile
            } else {
                Outcome::Invalid
            });
        }
        writer.insert_row_errors(&batch.errors).await?;
        let phones: Vec<&str> = batch.drafts.iter().map(|d| d.phone.as_str()).collect();
        let existing = writer.existing(&phones).await?;
        let suppressed = writer.suppressed(&phones).await?;
        let now = self.now;
        let dry_run = self.options.dry_run;
        match self.options.mode {
            ImportMode::Subscribe => {
                let new = batch
                    .drafts
                    .iter()
                    .filter(|d| !existing.contains_key(&d.phone))
                    .count();
                let mut next_id = writer.allocate_ids(new);
                let mut inserts: Vec<ContactInsert<'_>> = Vec::with_capacity(new);
                let mut changes: Vec<ContactChange> = Vec::new();
                for draft in &batch.drafts {
                    let opted_out = suppressed.contains(&draft.phone);
                    if opted_out && draft.consent.is_some() {
                        details.grants_skipped_opted_out += 1;
                    }
                    match existing.get(&draft.phone) {
                        Some(contact) => {
                            match merge_subscribe(contact, draft, self.options.merge, !opted_out) {
                                Some(change) => {
                                    counts.add(Outcome::Updated);
                                    changes.push(change);
                                }
                                None => counts.add(Outcome::Unchanged),
                            }
                        }
                        None => {
                            let grant = draft.consent.as_ref().filter(|_| !opted_out);
                            inserts.push(ContactInsert {
                                id: next_id,
                                draft,
                                consent: if grant.is_some() {
                                    ConsentState::Granted
                                } else {
                                    ConsentState::None
                                },
                                consent_categories: grant.map(|g| g.categories.as_str()),
                            });
                            next_id += 1;
                            counts.add(Outcome::Created);
                        }
                    }
                }
                if dry_run {
                    return Ok(());
                }
                let mut events: Vec<EventInsert<'_>> = Vec::with_capacity(inserts.len());
                let mut tags: Vec<(i64, &str)> = Vec::new();
                for insert in &inserts {
                    if insert.consent == ConsentState::Granted
                        && let Some(mark) = &insert.draft.consent
                    {
                        events.push(EventInsert {
                            contact_id: insert.id,
                            kind: ConsentKind::Granted,
                            mark,
                        });
                    }
                    tags.extend(insert.draft.tags.iter().map(|t| (insert.id, t.as_str())));
                }
                for change in &changes {
                    if let Some((kind, mark)) = &change.new_event {
                        events.push(EventInsert {
                            contact_id: change.id,
                            kind: *kind,
                            mark,
                        });
                    }
                    tags.extend(change.new_tags.iter().map(|t| (change.id, t.as_str())));
                }
                writer.insert_contacts(&inserts, now).await?;
                let refs: Vec<&ContactChange> = changes.iter().collect();
                writer.update_contacts(&refs, now).await?;
                writer.insert_tags(&tags).await?;
                writer.insert_consent_events(&events, now).await?;
            }
            ImportMode::OptOut => {
                let mut newly: Vec<&str> = Vec::new();
                let mut changes: Vec<ContactChange> = Vec::new();
                for draft in &batch.drafts {
                    let change = match (existing.get(&draft.phone), &draft.consent) {
                        (Some(contact), Some(mark)) => withdraw(contact, mark),
                        _ => None,
                    };
                    if !suppressed.contains(&draft.phone) {
                        newly.push(&draft.phone);
                        counts.add(Outcome::Created);
                    } else if change.is_some() {
                        counts.add(Outcome::Updated);
                    } else {
                        counts.add(Outcome::Unchanged);
                    }
                    if let Some(change) = change {
                        details.consent_withdrawn += 1;
                        changes.push(change);
                    }
                }
                if dry_run {
                    return Ok(());
                }
                let events: Vec<EventInsert<'_>> = changes
                    .iter()
                    .filter_map(|c| {
                        c.new_event.as_ref().map(|(kind, mark)| EventInsert {
                            contact_id: c.id,
                            kind: *kind,
                            mark,
                        })
                    })
                    .collect();
                writer
                    .insert_suppressions(&newly, &self.settings.default_source, now)
                    .await?;
                let refs: Vec<&ContactChange> = changes.iter().collect();
                writer.update_contacts(&refs, now).await?;
                writer.insert_consent_events(&events, now).await?;
            }
        }
        Ok(())
    }
}

/// The reading thread: records → rows → batches, duplicates found by number
/// (the first row with a number wins). Stops early when the writer hangs up or
/// the import is cancelled.
fn read_batches(
    file: File,
    layout: &Layout,
    mut normalizer: RowNormalizer,
    sender: &mpsc::Sender<Batch>,
    cancel: &CancelToken,
    expected_rows: usize,
) -> std::result::Result<ReadTotals, FileProblem> {
    let delimiter = char::from(layout.delimiter.byte());
    let mut reader = RecordReader::new(file, layout);
    // E.164 numbers fit in a u64: a million of them with their first line take
    // about 24 MB here, far less than as strings.
    let mut seen: HashMap<u64, u32> = HashMap::with_capacity(expected_rows.min(2_000_000));
    let mut rows = 0u64;
    let new_batch = || Batch {
        drafts: Vec::with_capacity(BATCH_ROWS),
        errors: Vec::new(),
        bytes: 0,
    };
    let mut batch = new_batch();
    while let Some(row) = reader.next_row()? {
        rows += 1;
        match normalizer.normalize(&row) {
            Ok(draft) => match seen.entry(draft.phone_key) {
                Entry::Occupied(first) => batch.errors.push(RowError {
                    line: draft.line,
                    problem: RowProblem::DuplicateInFile {
                        first_line: *first.get(),
                    },
                    raw: raw_text(&row, delimiter),
                }),
                Entry::Vacant(slot) => {
                    slot.insert(u32::try_from(draft.line).unwrap_or(u32::MAX));
                    batch.drafts.push(draft);
                }
            },
            Err(error) => batch.errors.push(error),
        }
        if batch.drafts.len() + batch.errors.len() >= BATCH_ROWS {
            batch.bytes = reader.bytes_consumed();
            let full = std::mem::replace(&mut batch, new_batch());
            if cancel.is_cancelled() || sender.blocking_send(full).is_err() {
                return Ok(ReadTotals {
                    rows,
                    blank: reader.blank_records(),
                });
            }
        }
    }
    batch.bytes = reader.bytes_consumed();
    if !batch.drafts.is_empty() || !batch.errors.is_empty() {
        // The writer may have stopped already; then it no longer needs rows.
        let _ = sender.blocking_send(batch);
    }
    Ok(ReadTotals {
        rows,
        blank: reader.blank_records(),
    })
}
