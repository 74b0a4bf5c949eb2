//! The `cadence` binary as scripts use it.

use std::process::{Command, Output};

fn cadence(args: &[&str], env: &[(&str, &std::path::Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cadence"));
    cmd.args(args).env_remove("CADENCE_DATA_DIR");
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().expect("run cadence")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "cadence failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn workspace_info_prints_json_and_creates_the_database_in_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let info = json(&cadence(&["--data-dir", data, "workspace", "info"], &[]));

    let db = tmp.path().join("workspaces/sandbox/cadence.sqlite3");
    assert_eq!(info["data_dir"], data);
    assert_eq!(info["database_path"], db.to_str().unwrap());
    assert!(db.is_file(), "the database exists where the JSON says");
    assert!(info["schema_version"].as_i64().unwrap() >= 20261125000001);
    assert_eq!(info["mode"], "sandbox");
}

#[test]
fn the_environment_variable_chooses_the_data_dir_and_the_flag_wins_over_it() {
    let from_env = tempfile::tempdir().unwrap();
    let from_flag = tempfile::tempdir().unwrap();
    let info = json(&cadence(
        &["workspace", "info"],
        &[("CADENCE_DATA_DIR", from_env.path())],
    ));
    assert_eq!(info["data_dir"], from_env.path().to_str().unwrap());

    let info = json(&cadence(
        &[
            "workspace",
            "info",
            "--data-dir",
            from_flag.path().to_str().unwrap(),
        ],
        &[("CADENCE_DATA_DIR", from_env.path())],
    ));
    assert_eq!(
        info["data_dir"],
        from_flag.path().to_str().unwrap(),
        "--data-dir is more specific than the env"
    );
}

#[test]
fn version_and_help_describe_the_tool() {
    let version = cadence(&["--version"], &[]);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("cadence {}", env!("CARGO_PKG_VERSION"))
    );

    let help = cadence(&["--help"], &[]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("--data-dir") && text.contains("workspace"),
        "help lists the flag and subcommand: {text}"
    );
}

#[test]
fn an_unusable_data_dir_fails_with_a_clear_error_and_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let output = cadence(
        &["--data-dir", file.to_str().unwrap(), "workspace", "info"],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stdout.is_empty(),
        "scripts reading stdout get no half-written JSON"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot create the folder"),
        "stderr: {stderr}"
    );
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let output = cadence(&["workspace", "explode"], &[]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "clap's usage errors exit with 2"
    );
}
