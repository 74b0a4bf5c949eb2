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

mod webhooks_import {
    use std::process::Command;

    use cadence_whatsapp::webhook::sign_body;

    use super::json;

    const SECRET: &str = "import-test-secret";

    fn body(wamid: &str, status: &str) -> String {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550000000","phone_number_id":"2"}},"statuses":[{{"id":"{wamid}","status":"{status}","timestamp":"1750263773","recipient_id":"16505551234"}}]}}}}]}}]}}"#
        )
    }

    fn signed_line(body: &str, secret: &str) -> String {
        serde_json::json!({ "signature": sign_body(secret.as_bytes(), body.as_bytes()), "body": body }).to_string()
    }

    fn import(
        data: &std::path::Path,
        file: &std::path::Path,
        extra: &[&str],
    ) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_cadence"))
            .args([
                "--data-dir",
                data.to_str().unwrap(),
                "webhooks",
                "import",
                file.to_str().unwrap(),
            ])
            .args(extra)
            .env("CADENCE_TEST_APP_SECRET", SECRET)
            .env_remove("CADENCE_DATA_DIR")
            .output()
            .unwrap()
    }

    #[test]
    fn signed_lines_are_stored_once_and_every_other_line_is_accounted_for() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("hooks.jsonl");
        let delivered = body("wamid.1", "delivered");
        let lines = [
            signed_line(&delivered, SECRET),
            String::new(),
            signed_line(&body("wamid.1", "read"), "someone-else"),
            body("wamid.2", "sent"),
            signed_line(&delivered, SECRET),
        ];
        std::fs::write(&file, lines.join("\n")).unwrap();

        let output = import(
            tmp.path(),
            &file,
            &["--app-secret-env", "CADENCE_TEST_APP_SECRET"],
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "refused lines make the import exit 1 so scripts notice"
        );
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary["lines"], 5);
        assert_eq!(summary["blank"], 1);
        assert_eq!(summary["stored"], 1, "the good delivery is stored");
        assert_eq!(summary["duplicates"], 1, "its repeat changes nothing");
        let refused: Vec<u64> = summary["refused"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect();
        assert_eq!(
            refused,
            [3, 4],
            "a wrong signature and a bare body are refused by line number"
        );
        let reasons = summary["refused"].to_string();
        assert!(
            reasons.contains("does not match") && reasons.contains("--unsigned"),
            "each refusal says why: {reasons}"
        );
        assert!(
            !String::from_utf8_lossy(&output.stderr).contains(SECRET),
            "the secret is never printed"
        );
    }

    #[test]
    fn unsigned_imports_keep_unreadable_bodies_flagged() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("hooks.jsonl");
        std::fs::write(
            &file,
            format!("{}\n{{\"not\": \"meta\"}}\n", body("wamid.9", "sent")),
        )
        .unwrap();
        let summary = json(&import(tmp.path(), &file, &["--unsigned"]));
        assert_eq!(summary["stored"], 2, "with --unsigned both bodies are kept");
        assert_eq!(summary["events"], 1);
        assert_eq!(
            summary["unparsed"], 1,
            "the body that is not Meta's envelope is kept and flagged"
        );
        assert_eq!(summary["refused"].as_array().unwrap().len(), 0);

        let again = json(&import(tmp.path(), &file, &["--unsigned"]));
        assert_eq!(
            again["duplicates"], 2,
            "running the import again after an interruption is harmless"
        );
        assert_eq!(again["stored"], 0);
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let output = import(tmp.path(), &tmp.path().join("nope.jsonl"), &["--unsigned"]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("cannot read") && stderr.contains("nope.jsonl"),
            "stderr: {stderr}"
        );
    }
}
