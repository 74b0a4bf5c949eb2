//! The README's commands, for Linux, macOS and Windows developers alike:
//!
//! - `cargo xtask run`: install what is missing, build the UI and the app, open
//!   Cadence in its sandbox workspace;
//! - `cargo xtask test`: install what is missing and run every check (formatting,
//!   clippy, Rust tests, bindings freshness, svelte-check, eslint, prettier, Vitest and the
//!   end-to-end tests of the real window), then print a summary line;
//! - `cargo xtask bindings`: regenerate `ui/src/lib/bindings.ts`.
//!
//! Standard library only, so it builds in seconds on a fresh machine.

mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    cargo_bin_on_path();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_app(&root),
        Some("test") => return run_tests(&root),
        Some("bindings") => regenerate_bindings(&root),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run                  install what is missing and start Cadence (sandbox workspace)\n  test                 install what is missing and run every check\n  bindings             regenerate ui/src/lib/bindings.ts from the Rust commands"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Why a step failed, in words for the person at the terminal.
#[derive(Debug)]
struct Failure(String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T = ()> = std::result::Result<T, Failure>;

/// Puts cargo's bin folder on PATH, so that a freshly `cargo install`ed
/// `tauri-driver` is found by the tests even when the shell's PATH lacks it.
fn cargo_bin_on_path() {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(bin) = cargo_home.map(|home| home.join("bin")) else {
        return;
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|p| p == bin) {
        return;
    }
    let joined = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&path)));
    if let Ok(joined) = joined {
        // SAFETY: called first thing in main, before any other thread exists.
        unsafe { std::env::set_var("PATH", joined) };
    }
}

/// The repository root: the xtask crate sits at `src-tauri/xtask`.
fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .expect("xtask lives two folders below the root")
        .to_owned()
}

/// Runs a command to completion, echoing it first; an error names the command.
fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| Failure(format!("cannot start `{}`: {e}", describe(cmd))))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("`{}` failed ({status})", describe(cmd))))
    }
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn npm(root: &Path) -> Command {
    let mut cmd = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
    cmd.current_dir(root.join("ui"));
    cmd
}

/// The debug app binary with the UI embedded (what `tauri build` would embed).
fn build_app(root: &Path) -> Result<PathBuf> {
    run(npm(root).args(["run", "build"]))?;
    run(cargo().current_dir(root).args([
        "build",
        "--package",
        "cadence-desktop",
        "--features",
        "custom-protocol",
    ]))?;
    Ok(target_dir(root).join("debug").join(exe("cadence-desktop")))
}

/// A binary's file name on this OS.
fn exe(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_owned()
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn run_app(root: &Path) -> Result {
    setup::system_packages(setup::Purpose::Run)?;
    setup::rust_toolchain()?;
    setup::node_packages(root)?;
    let app = build_app(root)?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err(Failure(format!(
            "no display: run this from a desktop session (or under Xvfb: `Xvfb :99 & DISPLAY=:99 {}`)",
            app.display()
        )));
    }
    run(&mut Command::new(app))
}

fn regenerate_bindings(root: &Path) -> Result {
    run(cargo()
        .current_dir(root)
        .env("CADENCE_UPDATE_BINDINGS", "1")
        .args([
            "test",
            "--package",
            "cadence-desktop",
            "--lib",
            "committed_bindings_are_fresh",
        ]))
}

/// One check of `cargo xtask test`.
struct Check {
    name: &'static str,
    outcome: Result,
    took: Duration,
}

fn run_tests(root: &Path) -> ExitCode {
    let prepared = setup::system_packages(setup::Purpose::Test)
        .and_then(|()| setup::rust_toolchain())
        .and_then(|()| setup::tauri_driver())
        .and_then(|()| setup::node_packages(root));
    if let Err(message) = prepared {
        eprintln!("xtask: cannot prepare the machine: {message}");
        println!("checks: 0 passed, 1 failed");
        return ExitCode::FAILURE;
    }

    let mut checks = Vec::new();
    let mut check = |name: &'static str, f: &mut dyn FnMut() -> Result| {
        eprintln!("\n=== {name}");
        let start = Instant::now();
        let outcome = f();
        if let Err(message) = &outcome {
            eprintln!("--- {name} FAILED: {message}");
        }
        checks.push(Check {
            name,
            outcome,
            took: start.elapsed(),
        });
    };

    check("cargo fmt", &mut || {
        run(cargo().current_dir(root).args(["fmt", "--all", "--check"]))
    });
    check("cargo clippy", &mut || {
        run(cargo().current_dir(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    // Includes `committed_bindings_are_fresh`: stale TypeScript bindings fail here.
    check("cargo test", &mut || {
        run(cargo().current_dir(root).args(["test", "--workspace"]))
    });
    check(
        "svelte-check",
        &mut || run(npm(root).args(["run", "check"])),
    );
    check("eslint", &mut || run(npm(root).args(["run", "lint"])));
    check("prettier", &mut || {
        run(npm(root).args(["run", "format:check"]))
    });
    check("vitest", &mut || run(npm(root).args(["test"])));
    check("end-to-end", &mut || {
        let app = build_app(root)?;
        // The sandbox binary stands in for Meta's Graph API in the tests.
        run(cargo().current_dir(root).args([
            "build",
            "--package",
            "cadence-sandbox",
            "--bin",
            "cadence-sandbox",
        ]))?;
        let sandbox = target_dir(root).join("debug").join(exe("cadence-sandbox"));
        run(npm(root)
            .args(["run", "e2e"])
            .env("CADENCE_E2E_APP", &app)
            .env("CADENCE_E2E_SANDBOX", &sandbox))
    });

    eprintln!("\nSummary:");
    for c in &checks {
        let verdict = if c.outcome.is_ok() {
            "ok    "
        } else {
            "FAILED"
        };
        eprintln!("  {verdict} {:<14} {:>6.1} s", c.name, c.took.as_secs_f64());
    }
    let failed = checks.iter().filter(|c| c.outcome.is_err()).count();
    println!("checks: {} passed, {failed} failed", checks.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
