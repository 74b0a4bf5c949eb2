//! `cadence import`: the report as JSON, exit 1 for a file that cannot be read.

use super::{cadence, json};

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn an_import_prints_the_counts_the_detection_and_the_rejected_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let data = data.to_str().unwrap();
    let file = write(
        tmp.path(),
        "contacts.csv",
        "Телефон;Имя\n8 (912) 345-67-89;Иван\n7.91E+10;Excel\n+79123456789;Повтор\n".as_bytes(),
    );
    let report = json(&cadence(
        &["--data-dir", data, "import", &file, "--region", "RU"],
        &[],
    ));
    for (key, expected) in [
        ("read", 3),
        ("created", 1),
        ("updated", 0),
        ("unchanged", 0),
        ("invalid", 1),
        ("duplicates_in_file", 1),
    ] {
        assert_eq!(report[key], expected, "{key} in {report}");
    }
    assert_eq!(report["detection"]["delimiter"], "semicolon");
    assert_eq!(report["detection"]["encoding"], "utf-8");
    assert_eq!(report["rejected"][0]["line"], 3);
    assert_eq!(report["rejected"][0]["code"], "scientific_notation");
    assert_eq!(report["rejected"][1]["code"], "duplicate_in_file");

    // A dry run of the same file: every row would now be unchanged.
    let again = json(&cadence(
        &["--data-dir", data, "import", &file, "--dry-run"],
        &[],
    ));
    assert_eq!(
        (again["unchanged"].as_u64(), again["status"].as_str()),
        (Some(1), Some("dry_run"))
    );
}

#[test]
fn a_file_that_cannot_be_read_exits_1_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let data = data.to_str().unwrap();
    for (name, bytes, words) in [
        ("empty.csv", &b""[..], "empty"),
        (
            "book.xlsx",
            &b"PK\x03\x04\x14\x00\x06\x00"[..],
            "Excel workbook",
        ),
        ("header.csv", &b"phone,name\n"[..], "no data rows"),
    ] {
        let file = write(tmp.path(), name, bytes);
        let output = cadence(&["--data-dir", data, "import", &file], &[]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(words), "{name}: {stderr}");
        assert!(output.stdout.is_empty(), "{name}: no report on stdout");
    }
}

#[test]
fn mappings_come_from_a_file_and_opt_out_lists_suppress() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let data = data.to_str().unwrap();
    let mapping = write(
        tmp.path(),
        "mapping.json",
        r#"{"Номер": "phone", "Клиент": "first_name"}"#.as_bytes(),
    );
    let file = write(
        tmp.path(),
        "crm.csv",
        "Клиент,Номер\nИван,89123456789\n".as_bytes(),
    );
    let report = json(&cadence(
        &["--data-dir", data, "import", &file, "--mapping", &mapping],
        &[],
    ));
    assert_eq!(report["created"], 1);

    let stop = write(
        tmp.path(),
        "stop.csv",
        "phone\n+79123456789\n+79161234567\n".as_bytes(),
    );
    let report = json(&cadence(
        &["--data-dir", data, "import", &stop, "--mode", "opt-out"],
        &[],
    ));
    assert_eq!(
        (report["created"].as_u64(), report["mode"].as_str()),
        (Some(2), Some("opt_out"))
    );
    assert_eq!(
        report["details"]["consent_withdrawn"], 1,
        "Иван's opt-out joins his ledger even though he never opted in"
    );

    let output = cadence(
        &[
            "--data-dir",
            data,
            "import",
            &file,
            "--mapping",
            "no-such-preset",
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "an unknown preset that is no file either"
    );
}
