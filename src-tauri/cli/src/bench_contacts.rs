//! `cadence bench contacts`: the contacts table on a million people.
//!
//! Fills a fresh workspace with `--rows` generated contacts (the generator of
//! the example audience: several countries and time zones, consent ledgers,
//! opt-outs, tags, attributes, message dates), then asks the store for pages
//! of 100 rows under representative filters and orders (the first page, a
//! page deep in the table, searches, tags, attributes, combinations) and for
//! the exact counts of the same filters, each several times. The count cache
//! of the engine is bypassed: these are the uncached costs.
//! Target (release build, 2 cores): a page ≤ 50 ms.
//!
//! Prints one line per query, then one JSON line with `contacts`,
//! `page_query_ms` (the median over the queries of each query's median),
//! `count_ms` (the same for counts) and the details.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use cadence_core::WorkspaceMode;
use cadence_engine::Workspace;
use cadence_engine::audience::GeneratorOptions;
use cadence_engine::paths::DataDir;
use cadence_store::contacts::{
    AttributeCondition, AttributeOp, ConsentState, ContactFilter, ContactSort, ContactSortColumn,
    LastMessageFilter,
};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct ContactsBenchArgs {
    /// Contacts to generate.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    rows: u64,
    /// Timed runs of each query (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Reuse the benchmark workspace left by an earlier `--keep` run when it
    /// holds exactly `--rows` contacts, instead of generating them again.
    #[arg(long)]
    reuse: bool,
    /// Keep the benchmark workspace (it is deleted otherwise).
    #[arg(long)]
    keep: bool,
    /// Also write the JSON figures to this file.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The benchmark's workspace in the data folder.
const WORKSPACE: &str = "bench-contacts";
/// A fixed "now", so that every run generates the same contacts.
const NOW: i64 = 1_764_000_000;
const SEED: u64 = 1_000_003;

#[derive(Debug, Serialize)]
struct QueryFigures {
    name: &'static str,
    page_ms: f64,
    count_ms: f64,
    total: u64,
}

/// The last line of the output.
#[derive(Debug, Serialize)]
struct Figures {
    contacts: u64,
    page_query_ms: f64,
    count_ms: f64,
    page_query_max_ms: f64,
    count_max_ms: f64,
    generate_s: Option<f64>,
    queries: Vec<QueryFigures>,
    build: &'static str,
}

/// The queries: what the contacts screen asks most, and its hard cases.
fn queries() -> Vec<(&'static str, ContactFilter, ContactSort, u64)> {
    let sort = |column, descending| ContactSort { column, descending };
    vec![
        (
            "everyone, newest first",
            ContactFilter::default(),
            ContactSort::default(),
            0,
        ),
        (
            "everyone by name, row 500,000",
            ContactFilter::default(),
            sort(ContactSortColumn::Name, false),
            500_000,
        ),
        (
            "consent granted, by phone",
            ContactFilter {
                consent: vec![ConsentState::Granted],
                ..Default::default()
            },
            sort(ContactSortColumn::Phone, false),
            0,
        ),
        (
            "RU + granted + Moscow time, newest first, row 10,000",
            ContactFilter {
                countries: vec!["RU".into()],
                consent: vec![ConsentState::Granted],
                time_zones: vec!["Europe/Moscow".into()],
                ..Default::default()
            },
            ContactSort::default(),
            10_000,
        ),
        (
            "tag vip, by name",
            ContactFilter {
                tags: vec!["vip".into()],
                ..Default::default()
            },
            sort(ContactSortColumn::Name, false),
            0,
        ),
        (
            "search «смирн», by name",
            ContactFilter {
                search: Some("смирн".into()),
                ..Default::default()
            },
            sort(ContactSortColumn::Name, false),
            0,
        ),
        (
            "search phone digits «4567», by phone",
            ContactFilter {
                search: Some("4567".into()),
                ..Default::default()
            },
            sort(ContactSortColumn::Phone, false),
            0,
        ),
        (
            "attribute city = Казань, newest first",
            ContactFilter {
                attributes: vec![AttributeCondition {
                    name: "city".into(),
                    op: AttributeOp::Equals,
                    value: "Казань".into(),
                }],
                ..Default::default()
            },
            ContactSort::default(),
            0,
        ),
        (
            "never messaged, not opted out, by time zone",
            ContactFilter {
                last_message: Some(LastMessageFilter::Never),
                suppressed: Some(false),
                ..Default::default()
            },
            sort(ContactSortColumn::TimeZone, false),
            0,
        ),
        (
            "DE or AE, withdrawn or none, by consent, row 2,000",
            ContactFilter {
                countries: vec!["DE".into(), "AE".into()],
                consent: vec![ConsentState::Withdrawn, ConsentState::None],
                ..Default::default()
            },
            sort(ContactSortColumn::Consent, true),
            2_000,
        ),
    ]
}

fn millis(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1_000.0
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len().is_multiple_of(2) {
        (samples[mid - 1] + samples[mid]) / 2.0
    } else {
        samples[mid]
    }
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// `--data-dir` (the global option) when given, else a folder under the
/// system's temporary folder.
pub async fn run(args: &ContactsBenchArgs, data_dir: Option<&Path>) -> ExitCode {
    let temporary = data_dir.is_none();
    let root = match data_dir {
        Some(dir) => dir.to_owned(),
        None => std::env::temp_dir().join(format!("cadence-bench-contacts-{}", std::process::id())),
    };
    let result = bench(args, &root).await;
    if !args.keep {
        let _ = std::fs::remove_dir_all(if temporary {
            root.clone()
        } else {
            root.join("workspaces").join(WORKSPACE)
        });
    }
    match result {
        Ok(figures) => {
            // Plain numbers and strings: serializing cannot fail.
            let line = serde_json::to_string(&figures).expect("figures serialize");
            if let Some(path) = &args.output
                && let Err(error) = std::fs::write(path, format!("{line}\n"))
            {
                eprintln!("error: cannot write {}: {error}", path.display());
                println!("{line}");
                return ExitCode::FAILURE;
            }
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn bench(args: &ContactsBenchArgs, root: &Path) -> cadence_engine::Result<Figures> {
    let data_dir = DataDir::resolve(Some(root.to_owned()))?;
    let mut generate_s = None;
    let workspace = match reusable(&data_dir, args).await? {
        Some(workspace) => {
            println!(
                "reusing {} contacts in {}",
                args.rows,
                workspace.store().path().display()
            );
            workspace
        }
        None => {
            let folder = data_dir.workspace_dir(WORKSPACE);
            if folder.exists() {
                std::fs::remove_dir_all(&folder).map_err(|source| {
                    cadence_engine::Error::WriteFile {
                        path: folder.clone(),
                        source,
                    }
                })?;
            }
            let workspace = Workspace::create(&data_dir, WORKSPACE, WorkspaceMode::Sandbox).await?;
            let started = Instant::now();
            let options = GeneratorOptions {
                seed: SEED,
                now: NOW,
                message_history: true,
                extra_tags: vec![],
                suppression_source: "opt-out list".into(),
            };
            let rows = args.rows as usize;
            let added = workspace
                .add_generated_contacts(rows, options, |added| {
                    if added.is_multiple_of(200_000) {
                        eprintln!("  generated {added} contacts");
                    }
                })
                .await?;
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "generated {added} contacts in {seconds:.1} s ({:.0} contacts/s)",
                added as f64 / seconds
            );
            generate_s = Some(round(seconds));
            workspace
        }
    };

    let store = workspace.store();
    let mut figures = Vec::new();
    for (name, filter, sort, offset) in queries() {
        let mut pages = Vec::new();
        let mut counts = Vec::new();
        let mut total = 0;
        // One untimed run first: the first statement of a shape is prepared.
        store.contacts_page(&filter, sort, offset, 100).await?;
        for _ in 0..args.repeat {
            let start = Instant::now();
            let page = store.contacts_page(&filter, sort, offset, 100).await?;
            pages.push(millis(start));
            std::hint::black_box(page);
            let start = Instant::now();
            total = store.count_contacts(&filter).await?;
            counts.push(millis(start));
        }
        let query = QueryFigures {
            name,
            page_ms: round(median(pages)),
            count_ms: round(median(counts)),
            total,
        };
        println!(
            "  {:>8.2} ms page, {:>8.2} ms count ({:>7} contacts): {name}",
            query.page_ms, query.count_ms, query.total
        );
        figures.push(query);
    }
    let contacts = store.count_contacts(&ContactFilter::default()).await?;
    let pages: Vec<f64> = figures.iter().map(|q| q.page_ms).collect();
    let counts: Vec<f64> = figures.iter().map(|q| q.count_ms).collect();
    let result = Figures {
        contacts,
        page_query_ms: round(median(pages.clone())),
        count_ms: round(median(counts.clone())),
        page_query_max_ms: pages.iter().copied().fold(0.0, f64::max),
        count_max_ms: counts.iter().copied().fold(0.0, f64::max),
        generate_s,
        queries: figures,
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    };
    println!(
        "page of 100: median {:.2} ms, max {:.2} ms (target ≤ 50 ms); count: median {:.2} ms, max {:.2} ms ({} build)",
        result.page_query_ms,
        result.page_query_max_ms,
        result.count_ms,
        result.count_max_ms,
        result.build
    );
    workspace.close().await;
    Ok(result)
}

/// The workspace of an earlier run, when asked to reuse it and it holds
/// exactly the contacts asked for.
async fn reusable(
    data_dir: &DataDir,
    args: &ContactsBenchArgs,
) -> cadence_engine::Result<Option<Workspace>> {
    if !args.reuse || !data_dir.database_path(WORKSPACE).exists() {
        return Ok(None);
    }
    let workspace = Workspace::open(data_dir, WORKSPACE).await?;
    let contacts = workspace
        .store()
        .count_contacts(&ContactFilter::default())
        .await?;
    if contacts == args.rows {
        Ok(Some(workspace))
    } else {
        workspace.close().await;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_an_even_count_is_the_middle_pair_s_mean() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
