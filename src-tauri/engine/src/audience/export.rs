//! The contacts export: the contacts a filter matches, in the table's order,
//! streamed to a CSV file that Excel opens right and cannot be tricked by.
//!
//! - UTF-8 with a byte order mark: without it Excel reads Cyrillic as
//!   Windows-1252 mojibake. Lines end in CRLF.
//! - Comma or semicolon: Excel in a Russian (or German, French…) locale splits
//!   a double-clicked CSV on semicolons, so the UI offers both.
//! - Formula injection neutralised ([`neutralise_cell`]): a cell that starts
//!   with `=`, `+`, `-`, `@`, a tab or a carriage return (or their full-width
//!   forms) gets a leading apostrophe, so a name like `=HYPERLINK(...)` stays
//!   text. Phone numbers start with `+`: they get one too, which also keeps
//!   Excel from turning +79123456789 into 7.91E+10.
//! - Written to a hidden file beside the target and renamed at the end: a
//!   cancelled or failed export never leaves half a file under the chosen name.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cadence_core::time::rfc3339_from_unix;
use cadence_store::contacts::{ContactFilter, ContactRow, ContactSort};
use serde::{Deserialize, Serialize};

use super::counts;
use crate::{Error, Result, Workspace};

/// The separator between cells.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CsvDelimiter {
    #[default]
    Comma,
    /// What Excel expects in locales whose decimal separator is a comma.
    Semicolon,
}

/// How far an export has come.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ExportProgress {
    #[specta(type = i32)]
    pub rows: u64,
    #[specta(type = i32)]
    pub total: u64,
    /// `null` until there is enough to measure.
    pub rows_per_s: Option<f64>,
    pub eta_s: Option<f64>,
}

/// What an export wrote. A cancelled export removes its file and says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ExportResult {
    pub path: String,
    #[specta(type = i32)]
    pub rows: u64,
    pub cancelled: bool,
}

/// Progress is reported at most this often (and at the end).
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// The fixed columns, before one column per attribute.
const COLUMNS: [&str; 13] = [
    "phone",
    "first_name",
    "last_name",
    "locale",
    "time_zone",
    "time_zone_inferred",
    "country",
    "consent",
    "consent_categories",
    "tags",
    "opted_out",
    "created_at",
    "last_message_at",
];

/// A cell as it is safe to write: a leading character that a spreadsheet
/// would read as the start of a formula (or that hides one: tab, carriage
/// return) gets an apostrophe in front, which spreadsheets show as text and
/// do not display.
pub fn neutralise_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// The cells of one contact, before neutralising.
fn cells(row: &ContactRow, attribute_names: &[String]) -> Vec<String> {
    let mut out = vec![
        row.phone.clone(),
        row.first_name.clone().unwrap_or_default(),
        row.last_name.clone().unwrap_or_default(),
        row.locale.clone().unwrap_or_default(),
        row.time_zone.clone(),
        yes_no(row.time_zone_inferred).to_owned(),
        row.country.clone().unwrap_or_default(),
        row.consent.as_str().to_owned(),
        row.consent_categories.join(","),
        row.tags.join(", "),
        yes_no(row.suppressed).to_owned(),
        rfc3339_from_unix(row.created_at),
        row.last_message_at
            .map(rfc3339_from_unix)
            .unwrap_or_default(),
    ];
    out.extend(
        attribute_names
            .iter()
            .map(|name| row.attributes.get(name).cloned().unwrap_or_default()),
    );
    out
}

/// The header: the fixed columns, then the attribute names (one that repeats
/// a fixed column's name is prefixed `attribute:`).
fn header(attribute_names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    out.extend(attribute_names.iter().map(|name| {
        if COLUMNS.contains(&name.as_str()) {
            format!("attribute:{name}")
        } else {
            name.clone()
        }
    }));
    out
}

/// Where the file is written until it is complete: hidden, beside the target
/// (the same file system, so the final rename is atomic).
fn partial_path(target: &Path) -> Result<PathBuf> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::InvalidField {
            field: "path",
            reason: format!("{} names no file", target.display()),
        })?;
    Ok(target.with_file_name(format!(".{name}.partial")))
}

fn check_target(target: &Path) -> Result<()> {
    if target.is_dir() {
        return Err(Error::InvalidField {
            field: "path",
            reason: format!("{} is a folder: choose a file name", target.display()),
        });
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::InvalidField {
            field: "path",
            reason: format!("the folder {} does not exist", parent.display()),
        });
    }
    Ok(())
}

impl Workspace {
    /// Writes the contacts matching `filter`, in `sort` order, to `target` as
    /// CSV (see the module comment), calling `progress` a few times a second.
    /// Setting `cancel` stops it: the partial file is removed and the result
    /// says `cancelled`.
    pub async fn export_contacts(
        &self,
        filter: &ContactFilter,
        sort: ContactSort,
        target: &Path,
        delimiter: CsvDelimiter,
        cancel: &AtomicBool,
        mut progress: impl FnMut(ExportProgress) + Send,
    ) -> Result<ExportResult> {
        check_target(target)?;
        filter.validate()?;
        let store = self.store();
        let total = counts::count(store, counts::Kind::All, filter).await?;
        let attribute_names = store.attribute_keys(filter).await?;
        let partial = partial_path(target)?;
        let write_error = |source: std::io::Error| Error::WriteFile {
            path: target.to_owned(),
            source,
        };
        let file = File::create(&partial).map_err(write_error)?;
        let mut buffered = BufWriter::with_capacity(1 << 16, file);
        buffered
            .write_all("\u{feff}".as_bytes())
            .map_err(write_error)?;
        let mut csv = csv::WriterBuilder::new()
            .delimiter(match delimiter {
                CsvDelimiter::Comma => b',',
                CsvDelimiter::Semicolon => b';',
            })
            .terminator(csv::Terminator::CRLF)
            .from_writer(buffered);

        let started = Instant::now();
        let mut last_report = started;
        let mut rows = 0u64;
        let mut failure: Option<std::io::Error> = None;
        let mut cancelled = false;
        let report = |rows: u64, progress: &mut dyn FnMut(ExportProgress)| {
            let elapsed = started.elapsed().as_secs_f64();
            let rate = (elapsed >= 0.5 && rows > 0).then(|| rows as f64 / elapsed);
            progress(ExportProgress {
                rows,
                total: total.max(rows),
                rows_per_s: rate.map(|r| r.round()),
                eta_s: rate.map(|r| (total.saturating_sub(rows) as f64 / r).ceil()),
            });
        };

        let header_written = write_cells(&mut csv, &header(&attribute_names));
        if let Err(error) = header_written {
            failure = Some(error);
        } else {
            store
                .for_each_contact(filter, sort, |row| {
                    if cancel.load(Ordering::Relaxed) {
                        cancelled = true;
                        return ControlFlow::Break(());
                    }
                    if let Err(error) = write_cells(&mut csv, &cells(&row, &attribute_names)) {
                        failure = Some(error);
                        return ControlFlow::Break(());
                    }
                    rows += 1;
                    if last_report.elapsed() >= PROGRESS_EVERY {
                        last_report = Instant::now();
                        report(rows, &mut progress);
                    }
                    ControlFlow::Continue(())
                })
                .await
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&partial);
                })?;
        }

        let finished = match (failure, cancelled) {
            (Some(error), _) => Err(write_error(error)),
            (None, true) => Ok(false),
            (None, false) => finish(csv, &partial, target)
                .map(|()| true)
                .map_err(write_error),
        };
        match finished {
            Ok(true) => {
                report(rows, &mut progress);
                tracing::info!(rows, path = %target.display(), "exported contacts");
                Ok(ExportResult {
                    path: target.display().to_string(),
                    rows,
                    cancelled: false,
                })
            }
            Ok(false) => {
                let _ = std::fs::remove_file(&partial);
                Ok(ExportResult {
                    path: target.display().to_string(),
                    rows,
                    cancelled: true,
                })
            }
            Err(error) => {
                let _ = std::fs::remove_file(&partial);
                Err(error)
            }
        }
    }
}

/// Writes one record, every cell neutralised.
fn write_cells(csv: &mut csv::Writer<BufWriter<File>>, cells: &[String]) -> std::io::Result<()> {
    for cell in cells {
        csv.write_field(neutralise_cell(cell).as_bytes())
            .map_err(csv_io)?;
    }
    // An empty record ends the one the fields above began.
    csv.write_record(None::<&[u8]>).map_err(csv_io)
}

fn csv_io(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Flushes everything to disk, then gives the file its name.
fn finish(csv: csv::Writer<BufWriter<File>>, partial: &Path, target: &Path) -> std::io::Result<()> {
    let buffered = csv
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let file = buffered.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(partial, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_a_formula_become_text() {
        for (cell, want) in [
            ("=1+1", "'=1+1"),
            ("+79123456789", "'+79123456789"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=cmd", "'\t=cmd"),
            ("\r=cmd", "'\r=cmd"),
            ("＝HYPERLINK(\"x\")", "'＝HYPERLINK(\"x\")"),
            ("Анна", "Анна"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(
                neutralise_cell(cell),
                want,
                "{cell:?}: only a leading formula character is neutralised"
            );
        }
    }

    #[test]
    fn an_attribute_named_like_a_column_gets_a_prefix() {
        let names = vec!["city".to_owned(), "phone".to_owned()];
        let header = header(&names);
        assert_eq!(&header[13..], ["city", "attribute:phone"]);
    }
}
