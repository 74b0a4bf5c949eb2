//! The contacts side of the audience through the engine: the example audience
//! of sandbox workspaces, the CSV export, the count cache, segments with their
//! counts, consent entered by hand and the ids a campaign reads.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use cadence_core::WorkspaceMode;
use cadence_engine::audience::{
    EXAMPLE_AUDIENCE_SIZE, GeneratorOptions, example_contacts, neutralise_cell,
};
use cadence_engine::{
    ConsentInput, ContactQuery, CsvDelimiter, Error, ErrorCode, ExportProgress, Workspace,
};
use cadence_store::contacts::{
    ConsentKind, ConsentState, ContactFilter, ContactSort, ContactSortColumn, NewConsent,
    NewContact,
};

use super::data_dir;

const NOW: i64 = 1_764_000_000;

async fn sandbox(tmp: &tempfile::TempDir) -> Workspace {
    Workspace::open(&data_dir(tmp.path()), "sandbox")
        .await
        .unwrap()
}

fn person(phone: &str, first: &str, last: &str, tags: &[&str]) -> NewContact {
    NewContact {
        phone: phone.into(),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        locale: Some("ru".into()),
        time_zone: "Europe/Moscow".into(),
        time_zone_inferred: false,
        country: Some("RU".into()),
        attributes: BTreeMap::new(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        consent: vec![NewConsent {
            kind: ConsentKind::Granted,
            occurred_at: NOW - 100,
            source: "form".into(),
            categories: vec!["marketing".into()],
            evidence: None,
        }],
        suppression: None,
        created_at: NOW - 100,
        last_message_at: None,
    }
}

#[tokio::test]
async fn a_sandbox_gets_its_example_audience_once_and_loses_it_in_one_call() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = sandbox(&tmp).await;
    let added = workspace.ensure_example_audience(NOW).await.unwrap();
    assert_eq!(
        added, EXAMPLE_AUDIENCE_SIZE as u64,
        "the first run seeds the example"
    );
    assert_eq!(
        workspace.ensure_example_audience(NOW + 60).await.unwrap(),
        0,
        "seeded once: a second start adds nothing"
    );
    let facets = workspace.audience_facets().await.unwrap();
    assert_eq!(facets.example_contacts, EXAMPLE_AUDIENCE_SIZE as u64);
    assert!(
        facets.time_zones.len() >= 8,
        "several time zones for the planner to show: {:?}",
        facets.time_zones
    );
    assert!(facets.tags.contains(&"example".to_owned()));
    assert_eq!(
        workspace.store().consent_drift().await.unwrap(),
        0,
        "the example's consent agrees with its ledger"
    );
    let granted = workspace
        .count_contacts(&ContactFilter {
            consent: vec![ConsentState::Granted],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        granted > 1_000 && granted < EXAMPLE_AUDIENCE_SIZE as u64,
        "most of the example consented, not all: {granted}"
    );
    let opted_out = workspace
        .count_contacts(&ContactFilter {
            suppressed: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        opted_out > 0,
        "the example shows what an opt-out looks like"
    );

    // A contact of the user's own, even tagged "example", is not example data.
    workspace
        .store()
        .insert_contacts(
            &[person("+79990001122", "Ольга", "Петрова", &["example"])],
            None,
            NOW,
        )
        .await
        .unwrap();
    let removed = workspace.remove_example_audience().await.unwrap();
    assert_eq!(removed, EXAMPLE_AUDIENCE_SIZE as u64);
    let left = workspace
        .contacts_page(&ContactQuery {
            filter: ContactFilter::default(),
            sort: ContactSort::default(),
            offset: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(
        left.rows
            .iter()
            .map(|r| r.phone.as_str())
            .collect::<Vec<_>>(),
        ["+79990001122"],
        "only the user's contact remains"
    );
    let suppressed_left = workspace
        .count_contacts(&ContactFilter {
            suppressed: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        suppressed_left, 0,
        "the example's opt-out entries went with it"
    );

    assert_eq!(
        workspace.ensure_example_audience(NOW + 120).await.unwrap(),
        0,
        "removed stays removed at the next start"
    );
    assert_eq!(
        workspace.add_example_audience(NOW + 180).await.unwrap(),
        EXAMPLE_AUDIENCE_SIZE as u64,
        "asked for again, it comes back"
    );
    assert_eq!(
        workspace.add_example_audience(NOW + 240).await.unwrap(),
        0,
        "never twice at once"
    );
}

#[tokio::test]
async fn the_example_audience_is_the_same_everywhere_and_never_live() {
    assert_eq!(
        example_contacts(NOW),
        example_contacts(NOW),
        "deterministic: every sandbox gets the same people"
    );
    let tmp = tempfile::tempdir().unwrap();
    let live = Workspace::create(&data_dir(tmp.path()), "acme", WorkspaceMode::Live)
        .await
        .unwrap();
    assert_eq!(
        live.ensure_example_audience(NOW).await.unwrap(),
        0,
        "a live workspace's first run adds no made-up people"
    );
    let error = live.add_example_audience(NOW).await.unwrap_err();
    assert!(matches!(error, Error::ExampleNeedsSandbox));
    assert_eq!(error.code(), ErrorCode::InvalidInput);
}

/// Reads an exported file: checks the BOM, splits the records.
fn read_export(path: &std::path::Path, delimiter: u8) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 with a BOM, so that Excel reads Cyrillic right"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(&bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn an_export_neutralises_formulas_and_keeps_cyrillic() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = sandbox(&tmp).await;
    let mut hostile = person(
        "+79123456789",
        "=HYPERLINK(\"http://evil\")",
        "@Иванова",
        &["vip"],
    );
    hostile
        .attributes
        .insert("note".into(), "\t=cmd|' /C calc'!A0".into());
    hostile.attributes.insert("phone".into(), "-2+3".into());
    workspace
        .store()
        .insert_contacts(
            &[hostile, person("+79001112233", "Анна", "Смирнова", &[])],
            None,
            NOW,
        )
        .await
        .unwrap();
    let path = tmp.path().join("contacts.csv");
    let mut reports: Vec<ExportProgress> = Vec::new();
    let result = workspace
        .export_contacts(
            &ContactFilter::default(),
            ContactSort {
                column: ContactSortColumn::Phone,
                descending: false,
            },
            &path,
            CsvDelimiter::Semicolon,
            &AtomicBool::new(false),
            |p| reports.push(p),
        )
        .await
        .unwrap();
    assert_eq!((result.rows, result.cancelled), (2, false));
    assert_eq!(
        reports.last().map(|p| (p.rows, p.total)),
        Some((2, 2)),
        "the last progress report is the whole export"
    );
    let records = read_export(&path, b';');
    assert_eq!(records.len(), 3, "a header and two contacts");
    let header = &records[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        header[13..],
        ["note", "attribute:phone"],
        "attributes follow the fixed columns, sorted; one named like a column is told apart"
    );
    let anna = &records[1];
    assert_eq!(
        anna[column("phone")],
        "'+79001112233",
        "by phone: +7900… first"
    );
    assert_eq!(
        anna[column("first_name")],
        "Анна",
        "Cyrillic is written as is"
    );
    let hostile = &records[2];
    assert_eq!(
        hostile[column("first_name")],
        "'=HYPERLINK(\"http://evil\")"
    );
    assert_eq!(hostile[column("last_name")], "'@Иванова");
    assert_eq!(hostile[column("note")], "'\t=cmd|' /C calc'!A0");
    assert_eq!(hostile[column("attribute:phone")], "'-2+3");
    assert_eq!(hostile[column("tags")], "vip");
    assert_eq!(hostile[column("consent")], "granted");
    for record in &records {
        for cell in record {
            assert_eq!(
                neutralise_cell(cell),
                *cell,
                "no cell of the file may start a formula: {cell:?}"
            );
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "the partial file was renamed: {leftovers:?}"
    );
}

#[tokio::test]
async fn a_cancelled_or_impossible_export_leaves_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = sandbox(&tmp).await;
    workspace.ensure_example_audience(NOW).await.unwrap();
    let path = tmp.path().join("cancelled.csv");
    let result = workspace
        .export_contacts(
            &ContactFilter::default(),
            ContactSort::default(),
            &path,
            CsvDelimiter::Comma,
            &AtomicBool::new(true),
            |_| {},
        )
        .await
        .unwrap();
    assert!(result.cancelled, "the result says it was cancelled");
    assert!(!path.exists(), "a cancelled export leaves no file");
    assert!(
        !tmp.path().join(".cancelled.csv.partial").exists(),
        "nor its partial file"
    );

    let nowhere = tmp.path().join("no such folder").join("x.csv");
    let error = workspace
        .export_contacts(
            &ContactFilter::default(),
            ContactSort::default(),
            &nowhere,
            CsvDelimiter::Comma,
            &AtomicBool::new(false),
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidField { field: "path", .. }),
        "a missing folder is named: {error}"
    );

    // A filter: only the matching contacts, and the count agrees.
    let vip = ContactFilter {
        tags: vec!["vip".into()],
        ..Default::default()
    };
    let path = tmp.path().join("vip.csv");
    let result = workspace
        .export_contacts(
            &vip,
            ContactSort::default(),
            &path,
            CsvDelimiter::Comma,
            &AtomicBool::new(false),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(result.rows, workspace.count_contacts(&vip).await.unwrap());
    assert_eq!(read_export(&path, b',').len() as u64, result.rows + 1);
}

#[tokio::test]
async fn counts_follow_every_change_to_the_audience() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = sandbox(&tmp).await;
    let store = workspace.store();
    let everyone = ContactFilter::default();
    assert_eq!(workspace.count_contacts(&everyone).await.unwrap(), 0);

    // Written below the engine, as an import in another process would.
    store
        .insert_contacts(
            &[
                person("+79000000001", "Анна", "Иванова", &["vip"]),
                person("+79000000002", "Иван", "Петров", &[]),
            ],
            None,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        workspace.count_contacts(&everyone).await.unwrap(),
        2,
        "new contacts change the fingerprint: the cached 0 is not used"
    );
    let granted = ContactFilter {
        consent: vec![ConsentState::Granted],
        ..Default::default()
    };
    assert_eq!(workspace.count_contacts(&granted).await.unwrap(), 2);
    workspace
        .record_consent(
            1,
            &ConsentInput {
                kind: ConsentKind::Withdrawn,
                categories: vec!["marketing".into()],
                source: "phone call".into(),
                evidence: Some("asked the shop to stop".into()),
                occurred_at: None,
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        workspace.count_contacts(&granted).await.unwrap(),
        1,
        "a consent event changes the fingerprint"
    );
    workspace.forget_contact(2, NOW).await.unwrap();
    assert_eq!(
        workspace.count_contacts(&everyone).await.unwrap(),
        1,
        "a deletion through the engine drops the cached counts"
    );
    let page = workspace
        .contacts_page(&ContactQuery {
            filter: everyone.clone(),
            sort: ContactSort::default(),
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(page.total, Some(1), "a page carries the cached total");

    // A filter never counted: the page does not wait for its total, and the
    // count it started in the background is what count_contacts answers.
    let moscow = ContactFilter {
        time_zones: vec!["Europe/Moscow".into()],
        ..Default::default()
    };
    let page = workspace
        .contacts_page(&ContactQuery {
            filter: moscow.clone(),
            sort: ContactSort::default(),
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(
        page.total, None,
        "not counted yet: no total rather than a wait"
    );
    assert_eq!(workspace.count_contacts(&moscow).await.unwrap(), 1);
    let page = workspace
        .contacts_page(&ContactQuery {
            filter: moscow,
            sort: ContactSort::default(),
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(page.total, Some(1), "once counted, every page carries it");
}

#[tokio::test]
async fn consent_entered_by_hand_says_so_in_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = sandbox(&tmp).await;
    workspace
        .store()
        .insert_contacts(&[person("+79000000001", "Анна", "Иванова", &[])], None, NOW)
        .await
        .unwrap();
    let detail = workspace
        .record_consent(
            1,
            &ConsentInput {
                kind: ConsentKind::Withdrawn,
                categories: vec!["marketing".into()],
                source: "phone call".into(),
                evidence: Some("call on 25 November".into()),
                occurred_at: Some(NOW - 10),
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(detail.contact.consent, ConsentState::Withdrawn);
    let latest = &detail.consent_history[0];
    assert_eq!(
        (
            latest.source.as_str(),
            latest.occurred_at,
            latest.recorded_at
        ),
        ("ui:phone call", NOW - 10, NOW),
        "the source shows it was entered by hand, and how the person said so"
    );
    assert!(
        detail.messages.is_empty() && detail.replies.is_empty(),
        "no message table exists yet: the lists are empty, not missing"
    );

    assert!(
        workspace
            .suppress_number("+7 (900) 000-00-01", "asked in the shop", NOW)
            .await
            .unwrap()
    );
    let detail = workspace.contact_detail(1).await.unwrap();
    assert!(detail.contact.suppressed && detail.suppression.is_some());
    let error = workspace
        .suppress_number("8 900 000 00 01", "x", NOW)
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(
        error.to_string().contains("+79123456789"),
        "the message shows the expected format: {error}"
    );
    assert!(workspace.unsuppress_number("+79000000001").await.unwrap());
}

#[tokio::test]
async fn segments_carry_live_counts_and_feed_campaigns_in_batches() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = sandbox(&tmp).await;
    let added = workspace
        .add_generated_contacts(
            3_000,
            GeneratorOptions {
                seed: 5,
                now: NOW,
                message_history: true,
                extra_tags: vec![],
                suppression_source: "opt-out list".into(),
            },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(added, 3_000);
    let filter = ContactFilter {
        countries: vec!["RU".into()],
        ..Default::default()
    };
    let segment = workspace
        .create_segment("Россия", &filter, NOW)
        .await
        .unwrap();
    assert_eq!(
        segment.count,
        workspace.count_contacts(&filter).await.unwrap()
    );
    assert!(
        segment.eligible > 0 && segment.eligible < segment.count,
        "eligible: a part of the segment ({} of {})",
        segment.eligible,
        segment.count
    );

    let mut audience = workspace
        .segment_audience(segment.id, true)
        .await
        .unwrap()
        .batch_size(400);
    let mut first = audience.next_batch().await.unwrap();
    let checkpoint = audience.checkpoint();
    assert_eq!(first.len(), 400);
    // A crash here: a new reader resumes from the saved checkpoint.
    let mut resumed = workspace
        .segment_audience(segment.id, true)
        .await
        .unwrap()
        .batch_size(400)
        .resume_after(checkpoint);
    loop {
        let batch = resumed.next_batch().await.unwrap();
        if batch.is_empty() {
            break;
        }
        first.extend(batch);
    }
    assert_eq!(
        first.len() as u64,
        segment.eligible,
        "the batches hold each eligible contact once"
    );
    assert!(first.windows(2).all(|w| w[0] < w[1]), "by id, no repeats");

    let listed = workspace.segments().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].count, segment.count);
    let renamed = workspace
        .rename_segment(segment.id, "Russia", NOW + 1)
        .await
        .unwrap();
    assert_eq!(renamed.name, "Russia");
    workspace.delete_segment(segment.id).await.unwrap();
    let error = workspace.segment(segment.id).await.unwrap_err();
    assert_eq!(
        error.code(),
        ErrorCode::InvalidInput,
        "a deleted segment is the user's mistake to see, not a storage failure"
    );
}
