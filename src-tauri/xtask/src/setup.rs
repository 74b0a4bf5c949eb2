//! Installing what a fresh machine lacks: Debian/Ubuntu packages, Rust components,
//! `tauri-driver` and the UI's npm packages. Each step checks first and only
//! installs what is missing, so a prepared machine pays a few milliseconds.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::{Failure, Result, run};

/// What the machine is being prepared for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Run,
    Test,
}

/// Packages Tauri needs to build and show a window (DESIGN.md, Debian 12).
const BUILD_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "pkg-config",
    "build-essential",
    "curl",
    "file",
];

/// Packages the tests add: a virtual display, D-Bus, the WebKit WebDriver that
/// `tauri-driver` drives, screenshots, a Secret Service keyring, and the `sqlite3`
/// shell whose plain `.import` `cadence bench import` measures itself against, and
/// a colour emoji font so that screenshots show templates' emoji as a desktop does.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "dbus-x11",
    "webkit2gtk-driver",
    "imagemagick",
    "gnome-keyring",
    "libsecret-tools",
    "keyutils",
    "sqlite3",
    "fonts-noto-color-emoji",
];

/// The oldest Node.js that Vite 8 runs on.
const MIN_NODE: (u32, u32) = (20, 19);

/// Installs the missing Debian/Ubuntu packages (Linux with dpkg only; on macOS
/// and Windows Tauri needs no system packages beyond the OS's web view).
pub fn system_packages(purpose: Purpose) -> Result {
    if !cfg!(target_os = "linux") || !has("dpkg-query") {
        return Ok(());
    }
    let mut wanted: Vec<&str> = BUILD_PACKAGES.to_vec();
    if purpose == Purpose::Test {
        wanted.extend_from_slice(TEST_PACKAGES);
    }
    if !has("node") || !has("npm") {
        wanted.extend_from_slice(&["nodejs", "npm"]);
    }
    let missing: Vec<&str> = wanted.into_iter().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("installing system packages: {}", missing.join(" "));
    let sudo: &[&str] = if is_root() {
        &[]
    } else if has("sudo") {
        &["sudo"]
    } else {
        return Err(Failure(format!(
            "missing system packages (run as root or install sudo): apt-get install {}",
            missing.join(" ")
        )));
    };
    let apt = |args: &[&str]| {
        let mut cmd = Command::new(sudo.first().copied().unwrap_or("apt-get"));
        if !sudo.is_empty() {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update", "-qq"]))?;
    run(apt(&["install", "-y", "-qq", "--no-install-recommends"]).args(&missing))
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Checks the Rust toolchain has rustfmt and clippy, adding them with rustup.
pub fn rust_toolchain() -> Result {
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        let present = crate::cargo()
            .args([probe, "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !present {
            if !has("rustup") {
                return Err(Failure(format!(
                    "cargo {probe} is missing and rustup is not installed to add {component}"
                )));
            }
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// Installs `tauri-driver` (the WebDriver server for the real window) when missing.
pub fn tauri_driver() -> Result {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    if has("tauri-driver") {
        return Ok(());
    }
    run(crate::cargo().args(["install", "tauri-driver", "--version", "2.1.0", "--locked"]))
}

/// Checks Node.js and installs the UI's npm packages when the lock file changed.
pub fn node_packages(root: &Path) -> Result {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|_| {
            Failure("Node.js is not installed: install Node.js 20.19 or newer".to_owned())
        })?;
    let text = String::from_utf8_lossy(&version.stdout)
        .trim()
        .trim_start_matches('v')
        .to_owned();
    let mut parts = text.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < MIN_NODE {
        return Err(Failure(format!(
            "Node.js {text} is too old: Vite 8 needs {}.{} or newer (Debian's nodejs is 18; use NodeSource or nvm)",
            MIN_NODE.0, MIN_NODE.1
        )));
    }
    let ui = root.join("ui");
    let lock = ui.join("package-lock.json");
    let stamp = ui.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(lock), Ok(stamp)) => stamp.modified().ok() >= lock.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    run(crate::npm(root).args(["ci", "--no-audit", "--no-fund"]))
}
