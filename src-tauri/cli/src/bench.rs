//! `cadence bench KIND`: benchmarks as programs that print their figures.
//!
//! Each kind prints human-readable figures to stdout and, as its last line, one
//! JSON object for tools (and writes that object to `--output FILE` when asked).
//! Kinds are variants of [`BenchKind`]; each owns its arguments and its run.
//!
//! `cadence bench lint`: the editor lints on every keystroke, so a lint of a full
//! 1,024-character marketing body with spelling on must stay within p99 ≤ 2 ms in
//! a release build. The run loads the bundled dictionaries once (timed apart),
//! warms up, then lints a Russian and an English template in turn and reports the
//! median and 99th percentile of one lint.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use cadence_core::Language;
use cadence_core::lint::{self, LintContext, LintSettings};
use cadence_core::template::{Button, Template};
use cadence_engine::spelling::{DictionarySource, load};
use serde::Serialize;

/// The benchmarks.
#[derive(Debug, clap::Subcommand)]
pub enum BenchKind {
    /// Lint a 1,024-character Russian and English marketing body with spelling on,
    /// many times: median and p99 per lint (target p99 ≤ 2 ms in a release build).
    Lint(LintBenchArgs),
    /// Generate a 1,000,000-row CSV, import it into a fresh workspace, and time
    /// the sqlite3 shell's plain `.import` of the same file: rows/s, peak RSS and
    /// the ratio (targets ≥ 150,000 rows/s, ≤ 300 MB, ≤ 3×; release build).
    Import(crate::bench_import::ImportBenchArgs),
    /// Fill a fresh workspace with 1,000,000 generated contacts, then time pages
    /// of 100 rows and exact counts under representative filters and orders
    /// (target ≤ 50 ms a page; release build).
    Contacts(crate::bench_contacts::ContactsBenchArgs),
}

pub async fn run(kind: &BenchKind) -> ExitCode {
    match kind {
        BenchKind::Lint(args) => lint_bench(args).await,
        // Needs the data folder: main.rs calls crate::bench_import::run itself.
        BenchKind::Import(args) => crate::bench_import::run(args, None).await,
        // Needs the data folder too: main.rs calls crate::bench_contacts::run itself.
        BenchKind::Contacts(args) => crate::bench_contacts::run(args, None).await,
    }
}

#[derive(Debug, clap::Args)]
pub struct LintBenchArgs {
    /// Timed lints per language (after the warm-up).
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..))]
    iterations: u32,
    /// Untimed lints per language first, so caches and allocations settle.
    #[arg(long, default_value_t = 200)]
    warmup: u32,
    /// Also write the JSON figures to this file.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The bench's figures: the last line of its output.
#[derive(Debug, Serialize)]
struct LintFigures {
    median_us: f64,
    p99_us: f64,
    lints: usize,
    mean_us: f64,
    max_us: f64,
    /// The same lints in this thread's CPU time (Unix only): what the lint costs
    /// without the time spent waiting for a CPU on a busy machine.
    cpu_median_us: Option<f64>,
    cpu_p99_us: Option<f64>,
    ru_median_us: f64,
    ru_p99_us: f64,
    en_median_us: f64,
    en_p99_us: f64,
    body_chars: usize,
    dictionaries_load_ms: f64,
    /// `release` or `debug`: the target holds for release builds only.
    build: &'static str,
    /// The machine's 1-minute load average when the run ended (Linux only): on a
    /// busy machine the p99 measures the scheduler more than the linter.
    load_average: Option<f64>,
    cpus: usize,
}

/// A marketing body of exactly 1,024 characters (Meta's limit), correctly spelled,
/// with two variables: what an author has in the editor when the body is full.
const RU_BODY: &str = "Здравствуйте, {{1}}! Недавно вы интересовались садовой мебелью в нашем магазине, и мы подготовили для вас персональное предложение. До конца недели на кресла, столы и шезлонги из коллекции «Лето» действует скидка {{2}}. Всё, что вы отложили, уже ждёт вас в корзине: осталось только оформить заказ.\n\
\n\
Как постоянный покупатель вы получаете бесплатную доставку по городу и сборку мебели в удобное для вас время. Если вы ещё не решили, что выбрать, наши консультанты помогут подобрать комплект под размер вашего балкона, террасы или сада. Позвоните нам или напишите в ответ на это сообщение, и мы быстро ответим.\n\
\n\
Напоминаем, что в прошлый раз вы покупали у нас гамак и садовые фонари. К ним отлично подойдут новые подушки и пледы из водоотталкивающей ткани: они не выгорают на солнце и легко стираются. Для вас мы сохранили размеры и цвета из прошлого заказа, чтобы было проще выбрать.\n\
\n\
Предложение действует до воскресенья. Количество товаров ограничено, поэтому советуем не откладывать покупку. Спасибо, что остаётесь с нами!";

/// The English counterpart of [`RU_BODY`].
const EN_BODY: &str = "Hello {{1}}, you recently looked at our garden furniture, so we put together an offer just for you. Until the end of the week, chairs, tables and loungers from the Summer collection are {{2}} off. Everything you saved to your wish list is already waiting in your cart: all that's left is to order.\n\
\n\
As a returning customer, you get free delivery across the city and free assembly at a time that suits you. If you haven't decided yet, our team will help you choose a set that fits your balcony, terrace or garden. Give us a call or reply to this message, and we'll get back to you within an hour.\n\
\n\
Last time you bought a hammock and garden lanterns from us. They go perfectly with our new cushions and throws made from water-repellent fabric: they don't fade in the sun and they're easy to wash. We've kept the sizes and colors from your last order to make choosing easier.\n\
\n\
The offer is valid until Sunday inclusive. Stock is limited, so we'd suggest not putting it off too long. Thank you for staying with us. See you soon!";

/// The benchmark's template: `body` with the footer and opt-out button a
/// marketing template carries, so every field the linter reads has text.
fn template(language: &str, body: &str, footer: &str, stop: &str) -> Template {
    let mut template = Template::draft(format!("bench_{language}"), language);
    template.body = body.to_owned();
    template.footer = Some(footer.to_owned());
    template.buttons = vec![Button::QuickReply {
        text: stop.to_owned(),
    }];
    template.body_examples = [("1", "Anna"), ("2", "20%")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    template
}

fn micros(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e7).round() / 10.0
}

/// The value at quantile `q` of sorted `samples` (nearest rank).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn lint_bench(args: &LintBenchArgs) -> ExitCode {
    let started = Instant::now();
    // The editor's dictionaries: default suggestion allowance per check.
    let dictionaries = match load(DictionarySource::from_env()).await {
        Ok(dictionaries) => dictionaries,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let load_time = started.elapsed();

    let cases = [
        (
            "ru",
            template(
                "ru",
                RU_BODY,
                "Ответьте «Стоп», чтобы отписаться",
                "Отписаться",
            ),
            Language::Ru,
        ),
        (
            "en",
            template(
                "en_US",
                EN_BODY,
                "Reply STOP to unsubscribe",
                "Stop promotions",
            ),
            Language::En,
        ),
    ];
    let settings = LintSettings::default();
    let context = |language| LintContext {
        settings: &settings,
        language,
        speller: Some(&dictionaries),
    };

    for (_, template, language) in &cases {
        for _ in 0..args.warmup {
            std::hint::black_box(lint::lint(template, &context(*language)));
        }
    }
    let mut per_language: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    let mut cpu: Vec<Duration> = Vec::new();
    // Interleaved, so that a slow moment of the machine hits both languages alike.
    for _ in 0..args.iterations {
        for (i, (_, template, language)) in cases.iter().enumerate() {
            let cpu_start = thread_cpu_time();
            let start = Instant::now();
            let findings = lint::lint(template, &context(*language));
            per_language[i].push(start.elapsed());
            if let (Some(from), Some(to)) = (cpu_start, thread_cpu_time()) {
                cpu.push(to.saturating_sub(from));
            }
            std::hint::black_box(findings);
        }
    }
    cpu.sort();

    let mut all: Vec<Duration> = per_language.iter().flatten().copied().collect();
    all.sort();
    for samples in &mut per_language {
        samples.sort();
    }
    let mean = all.iter().sum::<Duration>() / all.len() as u32;
    let figures = LintFigures {
        median_us: micros(quantile(&all, 0.5)),
        p99_us: micros(quantile(&all, 0.99)),
        lints: all.len(),
        mean_us: micros(mean),
        cpu_median_us: (!cpu.is_empty()).then(|| micros(quantile(&cpu, 0.5))),
        cpu_p99_us: (!cpu.is_empty()).then(|| micros(quantile(&cpu, 0.99))),
        max_us: micros(all[all.len() - 1]),
        ru_median_us: micros(quantile(&per_language[0], 0.5)),
        ru_p99_us: micros(quantile(&per_language[0], 0.99)),
        en_median_us: micros(quantile(&per_language[1], 0.5)),
        en_p99_us: micros(quantile(&per_language[1], 0.99)),
        body_chars: RU_BODY.chars().count(),
        dictionaries_load_ms: (load_time.as_secs_f64() * 1e4).round() / 10.0,
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        load_average: load_average(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };

    println!(
        "lint with spelling, {}-character marketing bodies ({} build)",
        figures.body_chars, figures.build
    );
    println!(
        "  dictionaries (ru, en) loaded in {:.1} ms",
        figures.dictionaries_load_ms
    );
    println!(
        "  {} lints after {} warm-up lints per language",
        figures.lints, args.warmup
    );
    for (i, (name, template, language)) in cases.iter().enumerate() {
        let found = lint::lint(template, &context(*language));
        println!(
            "  {name}: median {:.1} µs, p99 {:.1} µs ({} findings)",
            micros(quantile(&per_language[i], 0.5)),
            micros(quantile(&per_language[i], 0.99)),
            found.len()
        );
    }
    println!(
        "  all: median {:.1} µs, p99 {:.1} µs, mean {:.1} µs, max {:.1} µs (target p99 ≤ 2000 µs)",
        figures.median_us, figures.p99_us, figures.mean_us, figures.max_us
    );
    if let (Some(median), Some(p99)) = (figures.cpu_median_us, figures.cpu_p99_us) {
        println!("  CPU time of one lint: median {median:.1} µs, p99 {p99:.1} µs");
    }
    if let Some(load) = figures.load_average {
        println!(
            "  machine: {} CPUs, load average {load:.2}{}",
            figures.cpus,
            if load > figures.cpus as f64 {
                " (busier than its CPUs: the p99 includes waiting for one)"
            } else {
                ""
            }
        );
    }
    // Plain numbers and strings: serializing cannot fail.
    let json = serde_json::to_string(&figures).expect("figures serialize to JSON");
    if let Some(path) = &args.output
        && let Err(error) = std::fs::write(path, format!("{json}\n"))
    {
        eprintln!("error: cannot write {}: {error}", path.display());
        println!("{json}");
        return ExitCode::FAILURE;
    }
    println!("{json}");
    ExitCode::SUCCESS
}

/// The CPU time this thread has used, where the OS can tell.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the duration of the call,
    // and CLOCK_THREAD_CPUTIME_ID is a clock every Unix Cadence runs on provides.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    (status == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

/// The 1-minute load average, where the OS tells it (`/proc/loadavg`).
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bodies_are_exactly_metas_limit() {
        assert_eq!(
            RU_BODY.chars().count(),
            1024,
            "the bench promises 1,024 characters"
        );
        assert_eq!(
            EN_BODY.chars().count(),
            1024,
            "the bench promises 1,024 characters"
        );
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        assert_eq!(quantile(&samples, 0.5), Duration::from_micros(50));
        assert_eq!(quantile(&samples, 0.99), Duration::from_micros(99));
        assert_eq!(quantile(&samples[..1], 0.99), Duration::from_micros(1));
    }
}
