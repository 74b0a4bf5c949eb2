//! `cadence bench import`: the importer on a million rows.
//!
//! Generates a CSV of `--rows` contacts (phones in mixed Russian national and
//! international formats, names, time zones as names, offsets and blanks,
//! consent date, source and categories, three attributes), imports it into a
//! fresh workspace and, on the same file, times the `sqlite3` shell's plain
//! `.import` into a bare table: the floor of "reading a CSV into SQLite".
//! Targets (release build, 2 cores): ≥ 150,000 rows/s, peak RSS ≤ 300 MB, at
//! most 3× the shell's time.
//!
//! Prints human-readable figures, then one JSON line with `rows`, `rows_per_s`,
//! `wall_s`, `peak_rss_mb`, `sqlite_import_s` and `ratio_vs_sqlite`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use cadence_engine::paths::DataDir;
use cadence_engine::{ImportOptions, Importer, Workspace};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct ImportBenchArgs {
    /// Rows to generate and import.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    rows: u64,
    /// The sqlite3 shell to compare with.
    #[arg(long, default_value = "/usr/bin/sqlite3", value_name = "PATH")]
    sqlite3: PathBuf,
    /// Keep the generated CSV and databases (they are deleted otherwise).
    #[arg(long)]
    keep: bool,
    /// Also write the JSON figures to this file.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The last line of the output.
#[derive(Debug, Serialize)]
struct Figures {
    rows: u64,
    rows_per_s: f64,
    wall_s: f64,
    peak_rss_mb: Option<f64>,
    sqlite_import_s: Option<f64>,
    ratio_vs_sqlite: Option<f64>,
    /// CPU seconds the import used (user + system, all threads): on a shared
    /// machine, wall time above this much over two cores is time waited.
    import_cpu_s: Option<f64>,
    csv_mb: f64,
    created: u64,
    invalid: u64,
    build: &'static str,
}

/// `--data-dir` (the global option) when given, else a folder under the system's
/// temporary folder; the workspace is always a new one.
pub async fn run(args: &ImportBenchArgs, data_dir: Option<&Path>) -> ExitCode {
    let stamp = crate::import::unix_now();
    let root = match data_dir {
        Some(dir) => dir.to_owned(),
        None => std::env::temp_dir().join(format!(
            "cadence-bench-import-{stamp}-{}",
            std::process::id()
        )),
    };
    let result = bench(args, &root, stamp).await;
    if !args.keep {
        if data_dir.is_some() {
            let _ = std::fs::remove_dir_all(root.join("workspaces").join(workspace_name(stamp)));
            let _ = std::fs::remove_file(root.join(CSV_NAME));
            let _ = std::fs::remove_file(root.join(SQLITE_DB_NAME));
        } else {
            let _ = std::fs::remove_dir_all(&root);
        }
    }
    match result {
        Ok(figures) => {
            // Serializing plain numbers cannot fail.
            let line = serde_json::to_string(&figures).expect("figures serialize");
            if let Some(path) = &args.output
                && let Err(error) = std::fs::write(path, format!("{line}\n"))
            {
                eprintln!("error: cannot write {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
            println!("{line}");
            if figures.sqlite_import_s.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

const CSV_NAME: &str = "bench-import.csv";
const SQLITE_DB_NAME: &str = "bench-sqlite-import.sqlite3";

fn workspace_name(stamp: i64) -> String {
    format!("bench-import-{stamp}")
}

/// Why the import benchmark produced no figures.
#[derive(Debug)]
enum BenchFailure {
    /// A file or folder could not be written.
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Cadence refused: opening the workspace or the import itself.
    Engine(Box<dyn std::error::Error + Send + Sync>),
    /// The import did not read the whole generated file.
    Incomplete { read: u64, rows: u64 },
}

impl std::fmt::Display for BenchFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BenchFailure::File { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
            BenchFailure::Engine(error) => error.fmt(f),
            BenchFailure::Incomplete { read, rows } => write!(
                f,
                "the import read {read} rows of {rows}: the benchmark's file is broken"
            ),
        }
    }
}

fn engine(error: impl std::error::Error + Send + Sync + 'static) -> BenchFailure {
    BenchFailure::Engine(Box::new(error))
}

/// Why the `sqlite3` shell's import could not be timed.
#[derive(Debug)]
enum Sqlite3Failure {
    /// The shell could not be started or talked to.
    Run(std::io::Error),
    /// It ran and reported an error.
    Failed(String),
}

impl std::fmt::Display for Sqlite3Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sqlite3Failure::Run(error) => write!(f, "cannot run sqlite3: {error}"),
            Sqlite3Failure::Failed(stderr) => write!(f, "sqlite3 failed: {stderr}"),
        }
    }
}

async fn bench(args: &ImportBenchArgs, root: &Path, stamp: i64) -> Result<Figures, BenchFailure> {
    std::fs::create_dir_all(root).map_err(|source| BenchFailure::File {
        path: root.to_owned(),
        source,
    })?;
    let csv = root.join(CSV_NAME);
    let generated = Instant::now();
    let bytes = generate(&csv, args.rows).map_err(|source| BenchFailure::File {
        path: csv.clone(),
        source,
    })?;
    println!(
        "generated {} rows, {:.1} MB, in {:.2} s: {}",
        args.rows,
        bytes as f64 / 1e6,
        generated.elapsed().as_secs_f64(),
        csv.display()
    );

    let dir = DataDir::resolve(Some(root.to_owned())).map_err(engine)?;
    let workspace = Workspace::open(&dir, &workspace_name(stamp))
        .await
        .map_err(engine)?;
    let importer = Importer::new(workspace.store().clone());
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let job = importer
        .start(&csv, ImportOptions::default(), stamp)
        .await
        .map_err(engine)?;
    let report = job.run(|_| {}).await.map_err(engine)?;
    let wall_s = started.elapsed().as_secs_f64();
    let import_cpu_s = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    workspace.close().await;
    let peak_rss_mb = peak_rss_mb();
    println!(
        "imported: read {} created {} updated {} unchanged {} invalid {} duplicates {} in {wall_s:.2} s ({:.0} rows/s, {} s of CPU), peak RSS {}",
        report.read,
        report.created,
        report.updated,
        report.unchanged,
        report.invalid,
        report.duplicates_in_file,
        report.read as f64 / wall_s,
        import_cpu_s
            .map(|s| format!("{s:.1}"))
            .unwrap_or_else(|| "?".into()),
        peak_rss_mb
            .map(|m| format!("{m:.0} MB"))
            .unwrap_or_else(|| "unknown".into()),
    );
    if report.read != args.rows {
        return Err(BenchFailure::Incomplete {
            read: report.read,
            rows: args.rows,
        });
    }

    let sqlite_import_s = match sqlite_import(&args.sqlite3, &csv, &root.join(SQLITE_DB_NAME)) {
        Ok(seconds) => {
            println!(
                "sqlite3 .import of the same file: {seconds:.2} s ({:.2}× faster than the import)",
                wall_s / seconds
            );
            Some(seconds)
        }
        Err(error) => {
            eprintln!(
                "error: the sqlite3 comparison did not run: {error} (install Debian's sqlite3 package)"
            );
            None
        }
    };
    Ok(Figures {
        rows: report.read,
        rows_per_s: round(report.read as f64 / wall_s, 0),
        wall_s: round(wall_s, 3),
        peak_rss_mb: peak_rss_mb.map(|m| round(m, 1)),
        sqlite_import_s: sqlite_import_s.map(|s| round(s, 3)),
        ratio_vs_sqlite: sqlite_import_s.map(|s| round(wall_s / s, 2)),
        import_cpu_s: import_cpu_s.map(|s| round(s, 2)),
        csv_mb: round(bytes as f64 / 1e6, 1),
        created: report.created,
        invalid: report.invalid,
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    })
}

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// CPU time of the whole process so far (Linux: utime + stime in
/// /proc/self/stat, in clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces: fields are counted after its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The process's peak resident memory (Linux: VmHWM in /proc/self/status).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The shell's `.import` of the CSV into a new bare table, timed from start to
/// exit (so the shell's start-up counts, a few milliseconds).
fn sqlite_import(sqlite3: &Path, csv: &Path, db: &Path) -> Result<f64, Sqlite3Failure> {
    let _ = std::fs::remove_file(db);
    let script = format!(
        ".mode csv\n.import '{}' bare\n",
        csv.display().to_string().replace('\'', "''")
    );
    let started = Instant::now();
    let mut child = Command::new(sqlite3)
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Sqlite3Failure::Run)?;
    // `spawn` with a piped stdin always gives it.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(script.as_bytes())
        .map_err(Sqlite3Failure::Run)?;
    drop(stdin);
    let output = child.wait_with_output().map_err(Sqlite3Failure::Run)?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() || !output.stderr.is_empty() {
        return Err(Sqlite3Failure::Failed(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    Ok(seconds)
}

/// A small deterministic generator (xorshift64*): the same file every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const FIRST_NAMES: [&str; 12] = [
    "Иван",
    "Мария",
    "Пётр",
    "Ольга",
    "Сергей",
    "Наталья",
    "Дмитрий",
    "Елена",
    "Anna",
    "John",
    "Алексей",
    "Татьяна",
];
const LAST_NAMES: [&str; 10] = [
    "Иванов",
    "Петрова",
    "Сидоров",
    "Кузнецова",
    "Смирнов",
    "Попова",
    "Соколов",
    "Smith",
    "Brown",
    "Волкова",
];
const ZONES: [&str; 8] = [
    "Europe/Moscow",
    "Asia/Yekaterinburg",
    "+03:00",
    "UTC+7",
    "",
    "Asia/Novosibirsk",
    "МСК+2",
    "",
];
const CITIES: [&str; 6] = [
    "Москва",
    "Екатеринбург",
    "Новосибирск",
    "Казань",
    "Самара",
    "Санкт-Петербург",
];
const LEVELS: [&str; 4] = ["bronze", "silver", "gold", "platinum"];
const SOURCES: [&str; 3] = ["форма на сайте", "магазин", "web form"];
const CATEGORIES: [&str; 3] = ["маркетинг", "marketing,utility", "marketing"];

/// Writes the benchmark's CSV; returns its size in bytes.
fn generate(path: &Path, rows: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    out.write_all(
        b"phone,first_name,last_name,time_zone,opted_in_at,consent_source,consent_categories,city,loyalty,orders\n",
    )?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bytes = 0u64;
    let mut line = String::with_capacity(256);
    for i in 0..rows {
        // Distinct Russian mobile numbers: 9xx xxx xx xx, spread by an odd step.
        let n = 9_000_000_000u64 + (i * 7_919) % 1_000_000_000;
        let d = n.to_string();
        line.clear();
        match i % 6 {
            0 => line.push_str(&format!(
                "8 ({}) {}-{}-{}",
                &d[0..3],
                &d[3..6],
                &d[6..8],
                &d[8..10]
            )),
            1 => line.push_str(&format!(
                "+7 {} {} {} {}",
                &d[0..3],
                &d[3..6],
                &d[6..8],
                &d[8..10]
            )),
            2 => line.push_str(&format!("7{d}")),
            3 => line.push_str(&format!("+7{d}")),
            4 => line.push_str(&d),
            _ => line.push_str(&format!(
                "8-{}-{}-{}-{}",
                &d[0..3],
                &d[3..6],
                &d[6..8],
                &d[8..10]
            )),
        }
        line.push(',');
        line.push_str(rng.pick(&FIRST_NAMES));
        line.push(',');
        line.push_str(rng.pick(&LAST_NAMES));
        line.push(',');
        line.push_str(rng.pick(&ZONES));
        line.push(',');
        if !rng.next().is_multiple_of(5) {
            let day = 1 + rng.next() % 28;
            let month = 1 + rng.next() % 12;
            let year = 2021 + rng.next() % 4;
            let hour = rng.next() % 24;
            if i % 2 == 0 {
                line.push_str(&format!("{day:02}.{month:02}.{year} {hour:02}:15"));
            } else {
                line.push_str(&format!("{year}-{month:02}-{day:02}T{hour:02}:15:00Z"));
            }
            line.push(',');
            line.push_str(rng.pick(&SOURCES));
            line.push_str(",\"");
            line.push_str(rng.pick(&CATEGORIES));
            line.push('"');
        } else {
            line.push_str(",,");
        }
        line.push(',');
        line.push_str(rng.pick(&CITIES));
        line.push(',');
        line.push_str(rng.pick(&LEVELS));
        line.push(',');
        line.push_str(&(rng.next() % 200).to_string());
        line.push('\n');
        out.write_all(line.as_bytes())?;
        bytes += line.len() as u64;
    }
    out.flush()?;
    Ok(bytes)
}
