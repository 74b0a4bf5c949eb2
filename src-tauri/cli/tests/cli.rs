//! The `cadence` binary as scripts use it.

use std::process::{Command, Output};

#[path = "cli/import.rs"]
mod import;

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

/// `cadence lint`: templates as code, in the JSON of Meta's create-template request.
mod lint {
    use std::path::Path;
    use std::process::{Command, Output};

    use serde_json::{Value, json};

    /// Runs `cadence lint ARGS` with no locale and no dictionary folder from the
    /// environment, so messages and dictionaries are the same on every machine.
    fn lint(args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_cadence"))
            .arg("lint")
            .args(args)
            .env_remove("CADENCE_DATA_DIR")
            .env_remove("CADENCE_DICTIONARIES")
            .env_remove("CADENCE_LANGUAGE_TOOL")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .output()
            .expect("run cadence lint")
    }

    fn stdout(output: &Output) -> String {
        String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
    }

    fn stderr(output: &Output) -> String {
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// A marketing template Meta would accept and the channel's rules like:
    /// personal, relevant, says how to stop, with examples for its variables.
    fn clean_en() -> Value {
        json!({
            "name": "garden_chairs_offer",
            "language": "en_US",
            "category": "MARKETING",
            "parameter_format": "POSITIONAL",
            "components": [
                {"type": "BODY",
                 "text": "Hello {{1}}, you recently looked at our garden chairs. As our customer, you get {{2}} off them this week.",
                 "example": {"body_text": [["Anna", "20%"]]}},
                {"type": "FOOTER", "text": "Reply STOP to unsubscribe"},
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop promotions"}]}
            ]
        })
    }

    /// The Russian counterpart, with one typo in the body: «магазинне».
    fn ru_with_typo() -> Value {
        json!({
            "name": "garden_chairs_offer_ru",
            "language": "ru",
            "category": "MARKETING",
            "parameter_format": "POSITIONAL",
            "components": [
                {"type": "BODY",
                 "text": "Здравствуйте, {{1}}! Недавно вы интересовались садовыми стульями в нашем магазинне. Для вас как нашего покупателя скидка {{2}} до воскресенья.",
                 "example": {"body_text": [["Анна", "20%"]]}},
                {"type": "FOOTER", "text": "Ответьте «Стоп», чтобы отписаться"},
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Отписаться"}]}
            ]
        })
    }

    fn write(path: &Path, value: &Value) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    }

    /// The characters `start..end` of `text`.
    fn chars(text: &str, start: usize, end: usize) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    #[test]
    fn a_clean_file_exits_0_with_nothing_to_say() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("clean.json");
        write(&file, &clean_en());
        let output = lint(&[file.to_str().unwrap(), "--lang", "en"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "no error finding, no unreadable file: stdout {} stderr {}",
            stdout(&output),
            stderr(&output)
        );
        assert!(
            !stdout(&output).contains(": error "),
            "a clean template has no error: {}",
            stdout(&output)
        );
        assert!(stderr(&output).is_empty(), "stderr: {}", stderr(&output));
    }

    #[test]
    fn a_misspelling_is_one_line_in_the_documented_format() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("typo.json");
        write(&file, &ru_with_typo());
        let output = lint(&[file.to_str().unwrap(), "--lang", "ru"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "a spelling warning alone does not fail the run: {}",
            stderr(&output)
        );
        let out = stdout(&output);
        let line = out
            .lines()
            .find(|line| line.contains(" spelling: "))
            .unwrap_or_else(|| panic!("a spelling line is printed: {out}"));
        // file:field:start-end: severity rule-id: message
        let prefix = format!("{}:body:", file.display());
        let rest = line
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("the line starts with file:field: {line}"));
        let (range, rest) = rest.split_once(": ").unwrap();
        let (start, end) = range.split_once('-').unwrap();
        let body = ru_with_typo()["components"][0]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            chars(&body, start.parse().unwrap(), end.parse().unwrap()),
            "магазинне",
            "start-end are the characters of the misspelled word in the body"
        );
        assert!(
            rest.starts_with(
                "warning spelling: Возможно, в слове «магазинне» ошибка: может быть, «магазине»"
            ),
            "severity, rule id, then the message in the --lang language, likeliest word first: {rest}"
        );
    }

    #[test]
    fn an_error_finding_exits_1() {
        // Depends on the structural rules: a body that starts with a variable is
        // one Meta rejects (`body-variable-at-start`).
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("starts_with_variable.json");
        let mut template = clean_en();
        template["components"][0]["text"] = json!(
            "{{1}}, you recently looked at our garden chairs. As our customer, you get {{2}} off them this week."
        );
        write(&file, &template);
        let output = lint(&[file.to_str().unwrap(), "--lang", "en"]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "an error finding fails the run so CI stops: {}",
            stdout(&output)
        );
        let expected = format!(
            "{}:body:0-5: error body-variable-at-start: ",
            file.display()
        );
        assert!(
            stdout(&output)
                .lines()
                .any(|line| line.starts_with(&expected)),
            "the error points at the variable: {}",
            stdout(&output)
        );
    }

    #[test]
    fn a_folder_is_searched_recursively_in_sorted_order() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("templates");
        write(&folder.join("b_typo.json"), &ru_with_typo());
        write(&folder.join("a_clean.json"), &clean_en());
        write(&folder.join("nested/c_typo.json"), &ru_with_typo());
        std::fs::write(folder.join("notes.txt"), "not a template").unwrap();
        let output = lint(&[folder.to_str().unwrap(), "--lang", "en"]);
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let files: Vec<String> = stdout(&output)
            .lines()
            .filter(|line| line.contains(" spelling: "))
            .map(|line| line.split(":body:").next().unwrap().to_owned())
            .collect();
        assert_eq!(
            files,
            [
                folder.join("b_typo.json").display().to_string(),
                folder.join("nested/c_typo.json").display().to_string(),
            ],
            "every *.json under the folder, sorted; other files are skipped"
        );
        assert!(
            stdout(&output).contains("\"магазинне\" may be misspelled"),
            "--lang en words the messages in English"
        );
    }

    #[test]
    fn json_format_is_an_array_of_findings_for_tools() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("typo.json");
        write(&file, &ru_with_typo());
        let output = lint(&[file.to_str().unwrap(), "--format", "json", "--lang", "en"]);
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        let findings: Vec<Value> =
            serde_json::from_slice(&output.stdout).expect("--format json prints one JSON array");
        let spelling = findings
            .iter()
            .find(|f| f["rule"] == "spelling")
            .expect("the misspelling is in the array");
        let keys: Vec<&str> = spelling
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "end", "field", "file", "message", "rule", "severity", "start"
            ],
            "exactly the documented keys"
        );
        assert_eq!(spelling["file"], file.display().to_string());
        assert_eq!(spelling["field"], "body");
        assert_eq!(spelling["severity"], "warning");
        assert!(spelling["start"].as_u64() < spelling["end"].as_u64());
    }

    #[test]
    fn unreadable_and_unusable_files_exit_1_with_a_reason_on_stderr() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("missing.json");
        let broken = tmp.path().join("broken.json");
        std::fs::write(&broken, "{\"name\": ").unwrap();
        let two_bodies = tmp.path().join("two_bodies.json");
        write(
            &two_bodies,
            &json!({"name": "x", "language": "en", "category": "MARKETING", "components": [
                {"type": "BODY", "text": "Hi {{1}} there"}, {"type": "BODY", "text": "Again"}]}),
        );
        let good = tmp.path().join("good.json");
        write(&good, &clean_en());
        let output = lint(&[
            missing.to_str().unwrap(),
            broken.to_str().unwrap(),
            two_bodies.to_str().unwrap(),
            good.to_str().unwrap(),
            "--lang",
            "en",
        ]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "a file that cannot be linted fails the run"
        );
        let err = stderr(&output);
        for (file, reason) in [
            (&missing, "cannot read the file"),
            (&broken, "not the JSON of Meta's create-template request"),
            (&two_bodies, "more than one BODY component"),
        ] {
            let expected = format!("error: {}: ", file.display());
            assert!(
                err.lines()
                    .any(|line| line.starts_with(&expected) && line.contains(reason)),
                "{} is reported with {reason:?}: {err}",
                file.display()
            );
        }
        assert!(
            !err.contains(&good.display().to_string()),
            "the good file is still linted, not reported: {err}"
        );
    }

    #[test]
    fn the_bench_prints_its_figures_as_json_last() {
        let tmp = tempfile::tempdir().unwrap();
        let saved = tmp.path().join("lint.json");
        let output = Command::new(env!("CARGO_BIN_EXE_cadence"))
            .args([
                "bench",
                "lint",
                "--iterations",
                "5",
                "--warmup",
                "1",
                "--output",
            ])
            .arg(&saved)
            .env_remove("CADENCE_DICTIONARIES")
            .output()
            .unwrap();
        assert!(output.status.success(), "stderr: {}", stderr(&output));
        let out = stdout(&output);
        let last: Value = serde_json::from_str(out.lines().last().unwrap())
            .expect("the last line is one JSON object");
        assert_eq!(last["lints"], 10, "5 timed lints for each of ru and en");
        assert!(last["median_us"].as_f64().unwrap() > 0.0);
        assert!(last["p99_us"].as_f64().unwrap() >= last["median_us"].as_f64().unwrap());
        assert_eq!(last["body_chars"], 1024);
        assert!(out.lines().count() > 1, "human-readable figures come first");
        let written: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
        assert_eq!(written, last, "--output writes the same figures");
    }
}

/// `cadence bench contacts` (the contacts side of the audience).
#[test]
fn the_contacts_bench_prints_its_figures_as_json_last() {
    let tmp = tempfile::tempdir().unwrap();
    let output = cadence(
        &[
            "bench",
            "contacts",
            "--rows",
            "400",
            "--repeat",
            "1",
            "--data-dir",
            tmp.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = String::from_utf8_lossy(&output.stdout);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap())
        .expect("the last line is one JSON object");
    assert_eq!(
        last["contacts"], 400,
        "the workspace holds the rows asked for"
    );
    for key in ["page_query_ms", "count_ms"] {
        assert!(
            last[key].as_f64().is_some_and(|ms| ms >= 0.0),
            "{key} is a duration in milliseconds: {last}"
        );
    }
    assert!(
        last["queries"].as_array().is_some_and(|q| q.len() >= 5),
        "each representative query has its figures"
    );
    assert!(
        !tmp.path().join("workspaces/bench-contacts").exists(),
        "without --keep the benchmark workspace is removed"
    );
}

#[test]
fn contacts_export_writes_a_csv_and_names_a_missing_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let file = tmp.path().join("contacts.csv");
    let summary = json(&cadence(
        &[
            "--data-dir",
            data,
            "contacts",
            "export",
            file.to_str().unwrap(),
        ],
        &[],
    ));
    assert_eq!(summary["rows"], 0, "a new workspace has no contacts");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("\u{feff}phone,first_name,"),
        "a BOM, then the header: {text:?}"
    );

    let missing = cadence(
        &[
            "--data-dir",
            data,
            "contacts",
            "export",
            "--segment",
            "7",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!missing.status.success(), "an unknown segment is an error");
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("segment 7 does not exist"),
        "the error names the segment: {}",
        String::from_utf8_lossy(&missing.stderr)
    );
}
