//! Import runs, their rejected rows, mapping presets and the import writer's
//! whole-or-nothing transaction.

use cadence_core::Language;
use cadence_core::audience::{
    ConsentKind, ConsentMark, ConsentState, ContactDraft, ImportCounts, RowError, RowProblem,
};
use cadence_store::import::{ContactInsert, EventInsert};
use cadence_store::{Error, ImportStatus, NewImportRun};

use super::fresh_store;

const NOW: i64 = 1_767_225_600;

fn run(file: &str) -> NewImportRun {
    NewImportRun {
        file_name: file.into(),
        mode: "subscribe",
        options: "{}".into(),
        started_at: NOW,
    }
}

fn draft(phone: &str, name: &str) -> ContactDraft {
    ContactDraft {
        line: 2,
        phone: phone.into(),
        phone_key: phone[1..].parse().unwrap(),
        first_name: Some(name.into()),
        last_name: None,
        locale: None,
        time_zone: "Europe/Moscow".into(),
        time_zone_inferred: true,
        country: Some("RU".into()),
        attributes: vec![("city".into(), "Москва".into())],
        attributes_json: r#"{"city":"Москва"}"#.into(),
        tags: vec!["vip".into()],
        consent: Some(ConsentMark {
            occurred_at: NOW - 86_400,
            source: "import:test.csv".into(),
            categories: "marketing".into(),
            evidence: None,
        }),
    }
}

async fn count(store: &cadence_store::Store, table: &str) -> i64 {
    let path = store.path().display().to_string();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}"))
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn a_committed_import_writes_contacts_events_tags_and_its_record_together() {
    let (_dir, store) = fresh_store().await;
    let id = store.start_import_run(&run("a.csv")).await.unwrap();
    let mut writer = store.begin_import(id).await.unwrap();
    assert!(writer.contacts_empty());
    let first = writer.allocate_ids(2);
    let (ivan, maria) = (
        draft("+79123456789", "Иван"),
        draft("+79161234567", "Мария"),
    );
    let inserts = [
        ContactInsert {
            id: first,
            draft: &ivan,
            consent: ConsentState::Granted,
            consent_categories: Some("marketing"),
        },
        ContactInsert {
            id: first + 1,
            draft: &maria,
            consent: ConsentState::None,
            consent_categories: None,
        },
    ];
    writer.insert_contacts(&inserts, NOW).await.unwrap();
    let mark = ivan.consent.clone().unwrap();
    writer
        .insert_consent_events(
            &[EventInsert {
                contact_id: first,
                kind: ConsentKind::Granted,
                mark: &mark,
            }],
            NOW,
        )
        .await
        .unwrap();
    writer
        .insert_tags(&[(first, "vip"), (first, "vip"), (first + 1, "опт")])
        .await
        .unwrap();
    writer
        .insert_row_errors(&[RowError {
            line: 4,
            problem: RowProblem::MissingPhone,
            raw: ",Nobody".into(),
        }])
        .await
        .unwrap();
    let existing = writer
        .existing(&["+79123456789", "+79990000000"])
        .await
        .unwrap();
    assert!(
        existing.is_empty(),
        "the table was empty when the import began: no lookups are made"
    );
    let counts = ImportCounts {
        read: 3,
        created: 2,
        invalid: 1,
        ..ImportCounts::default()
    };
    writer
        .commit(ImportStatus::Applied, &counts, None, NOW + 1)
        .await
        .unwrap();
    assert_eq!(count(&store, "contact").await, 2);
    assert_eq!(count(&store, "consent_event").await, 1);
    assert_eq!(
        count(&store, "contact_tag").await,
        2,
        "a repeated tag is kept once"
    );
    let record = store.import_run(id).await.unwrap();
    assert_eq!(
        (record.status, record.counts),
        (ImportStatus::Applied, counts)
    );
    let rejected = store.row_errors(id, 0, 10, Language::Ru).await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        rejected[0].reason, "не указан телефон",
        "reasons are worded at read time"
    );

    // The next import sees them, with tags and ledger.
    let id = store.start_import_run(&run("b.csv")).await.unwrap();
    let mut writer = store.begin_import(id).await.unwrap();
    let existing = writer
        .existing(&["+79123456789", "+79990000000"])
        .await
        .unwrap();
    let ivan = &existing["+79123456789"];
    assert_eq!(
        (ivan.tags.clone(), ivan.events.len()),
        (vec!["vip".to_owned()], 1)
    );
    assert_eq!(ivan.consent, ConsentState::Granted);
    assert!(!existing.contains_key("+79990000000"));
    assert_eq!(
        writer.allocate_ids(1),
        first + 2,
        "new ids continue after the largest"
    );
    writer.rollback().await.unwrap();
}

#[tokio::test]
async fn an_import_that_is_not_committed_leaves_nothing() {
    let (_dir, store) = fresh_store().await;
    let id = store.start_import_run(&run("a.csv")).await.unwrap();
    let ivan = draft("+79123456789", "Иван");
    for end in ["rollback", "drop"] {
        let mut writer = store.begin_import(id).await.unwrap();
        let first = writer.allocate_ids(1);
        writer
            .insert_contacts(
                &[ContactInsert {
                    id: first,
                    draft: &ivan,
                    consent: ConsentState::None,
                    consent_categories: None,
                }],
                NOW,
            )
            .await
            .unwrap();
        if end == "rollback" {
            writer.rollback().await.unwrap();
        } else {
            drop(writer);
        }
        assert_eq!(
            count(&store, "contact").await,
            0,
            "{end}: nothing is applied"
        );
    }
    let counts = ImportCounts {
        read: 1,
        created: 1,
        ..ImportCounts::default()
    };
    store
        .end_import_run(id, ImportStatus::Cancelled, &counts, None, None, NOW)
        .await
        .unwrap();
    assert_eq!(
        store.import_run(id).await.unwrap().status,
        ImportStatus::Cancelled
    );
}

#[tokio::test]
async fn counts_that_do_not_add_up_are_never_committed() {
    let (_dir, store) = fresh_store().await;
    let id = store.start_import_run(&run("a.csv")).await.unwrap();
    let writer = store.begin_import(id).await.unwrap();
    let wrong = ImportCounts {
        read: 2,
        created: 1,
        ..ImportCounts::default()
    };
    let error = writer
        .commit(ImportStatus::Applied, &wrong, None, NOW)
        .await
        .expect_err("2 read, 1 accounted for");
    assert!(matches!(error, Error::ImportCountsMismatch(_)), "{error:?}");
    assert_eq!(
        store.import_run(id).await.unwrap().status,
        ImportStatus::Running
    );
}

#[tokio::test]
async fn runs_left_running_are_marked_failed() {
    let (_dir, store) = fresh_store().await;
    let id = store.start_import_run(&run("a.csv")).await.unwrap();
    assert_eq!(store.fail_stale_import_runs(NOW).await.unwrap(), 1);
    let record = store.import_run(id).await.unwrap();
    assert_eq!(record.status, ImportStatus::Failed);
    assert!(
        record
            .failure
            .unwrap()
            .contains("nothing of it was applied")
    );
    assert!(matches!(
        store.import_run(999).await,
        Err(Error::ImportNotFound(999))
    ));
}

#[tokio::test]
async fn presets_are_saved_replaced_listed_and_deleted() {
    let (_dir, store) = fresh_store().await;
    store
        .save_mapping_preset("crm", r#"{"columns":[]}"#, NOW)
        .await
        .unwrap();
    store
        .save_mapping_preset("crm", r#"{"Телефон":"phone"}"#, NOW + 1)
        .await
        .unwrap();
    store
        .save_mapping_preset("1c", r#"{"Тел":"phone"}"#, NOW)
        .await
        .unwrap();
    let names: Vec<String> = store
        .mapping_presets()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["1c", "crm"]);
    let crm = store.mapping_preset("crm").await.unwrap().unwrap();
    assert_eq!(
        (crm.mapping.as_str(), crm.updated_at),
        (r#"{"Телефон":"phone"}"#, NOW + 1)
    );
    assert!(matches!(
        store.save_mapping_preset("  ", "{}", NOW).await,
        Err(Error::InvalidAudience { field: "name", .. })
    ));
    assert!(store.delete_mapping_preset("crm").await.unwrap());
    assert!(!store.delete_mapping_preset("crm").await.unwrap());
}
