//! Saved segments on a fresh SQLite file: names, filters, the ids a campaign
//! reads, and a filter saved by a newer Cadence.

use cadence_store::Error;
use cadence_store::contacts::{ConsentState, ContactFilter, NewContact, TagMatch};
use sqlx::{Connection, SqliteConnection};

use super::fresh_store;

const NOW: i64 = 1_760_000_000;

fn vip_filter() -> ContactFilter {
    ContactFilter {
        tags: vec!["vip".into()],
        consent: vec![ConsentState::Granted, ConsentState::None],
        ..Default::default()
    }
}

#[tokio::test]
async fn segments_are_named_saved_filters() {
    let (_dir, store) = fresh_store().await;
    let vip = store
        .create_segment("  VIP в Москве ", &vip_filter(), NOW)
        .await
        .unwrap();
    assert_eq!(vip.name, "VIP в Москве", "names are trimmed");
    assert_eq!(vip.filter, vip_filter(), "the filter comes back as saved");

    assert!(
        matches!(
            store.create_segment("VIP в Москве", &ContactFilter::default(), NOW).await,
            Err(Error::SegmentNameTaken(name)) if name == "VIP в Москве"
        ),
        "two segments cannot share a name"
    );
    for bad in ["", "   ", "line\nbreak"] {
        assert!(
            matches!(
                store
                    .create_segment(bad, &ContactFilter::default(), NOW)
                    .await,
                Err(Error::InvalidAudience { field: "name", .. })
            ),
            "{bad:?} is not a segment name"
        );
    }
    let bad_filter = ContactFilter {
        tags: vec![" ".into()],
        ..Default::default()
    };
    assert!(
        matches!(
            store.create_segment("blank tag", &bad_filter, NOW).await,
            Err(Error::InvalidAudience { field: "tags", .. })
        ),
        "a filter is validated before it is saved"
    );

    let all = store
        .create_segment("Everyone", &ContactFilter::default(), NOW)
        .await
        .unwrap();
    let names: Vec<String> = store
        .segments()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Everyone", "VIP в Москве"], "listed by name");

    let renamed = store
        .rename_segment(all.id, "All contacts", NOW + 5)
        .await
        .unwrap();
    assert_eq!(
        (
            renamed.name.as_str(),
            renamed.updated_at,
            renamed.created_at
        ),
        ("All contacts", NOW + 5, NOW)
    );
    assert!(matches!(
        store.rename_segment(all.id, "VIP в Москве", NOW).await,
        Err(Error::SegmentNameTaken(_))
    ));

    let narrower = ContactFilter {
        tags: vec!["vip".into(), "b2b".into()],
        tag_match: TagMatch::Any,
        ..Default::default()
    };
    let updated = store
        .update_segment_filter(vip.id, &narrower, NOW + 9)
        .await
        .unwrap();
    assert_eq!(updated.filter, narrower);
    assert_eq!(
        updated.name, "VIP в Москве",
        "updating the filter keeps the name"
    );

    store.delete_segment(all.id).await.unwrap();
    for result in [
        store.delete_segment(all.id).await.map(|_| ()),
        store.segment(all.id).await.map(|_| ()),
        store.rename_segment(all.id, "x", NOW).await.map(|_| ()),
        store
            .update_segment_filter(all.id, &narrower, NOW)
            .await
            .map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(Error::SegmentNotFound(id)) if id == all.id),
            "a deleted segment is gone for every call"
        );
    }
}

#[tokio::test]
async fn a_campaign_reads_the_segments_eligible_contacts_in_batches() {
    let (_dir, store) = fresh_store().await;
    let contacts: Vec<NewContact> = (0..30)
        .map(|i| NewContact {
            phone: format!("+7912000{i:04}"),
            first_name: None,
            last_name: None,
            locale: None,
            time_zone: "Europe/Moscow".into(),
            time_zone_inferred: true,
            country: Some("RU".into()),
            attributes: Default::default(),
            tags: if i % 2 == 0 {
                vec!["vip".into()]
            } else {
                vec![]
            },
            consent: if i % 3 == 0 {
                vec![]
            } else {
                vec![cadence_store::contacts::NewConsent {
                    kind: cadence_store::contacts::ConsentKind::Granted,
                    occurred_at: NOW - 10,
                    source: "form".into(),
                    categories: vec!["marketing".into()],
                    evidence: None,
                }]
            },
            suppression: (i == 4).then(|| ("replied STOP".into(), "webhook".into())),
            created_at: NOW,
            last_message_at: None,
        })
        .collect();
    store.insert_contacts(&contacts, None, NOW).await.unwrap();
    let segment = store
        .create_segment("VIP", &vip_filter(), NOW)
        .await
        .unwrap();

    let mut eligible = Vec::new();
    let mut after = 0;
    loop {
        let batch = store
            .segment_contact_ids(segment.id, true, after, 4)
            .await
            .unwrap();
        let Some(&last) = batch.last() else { break };
        assert!(batch.len() <= 4, "a batch holds at most the limit");
        after = last;
        eligible.extend(batch);
    }
    // vip = even i; granted = i not divisible by 3; i = 4 is suppressed.
    let want: Vec<i64> = (0..30)
        .filter(|i| i % 2 == 0 && i % 3 != 0 && *i != 4)
        .map(|i| i + 1)
        .collect();
    assert_eq!(
        eligible, want,
        "eligible members: in the segment, granted for marketing, not opted out"
    );
    let members = store
        .segment_contact_ids(segment.id, false, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        members.len(),
        15,
        "without eligibility: every vip contact the filter's consent states allow"
    );
}

#[tokio::test]
async fn a_filter_saved_by_a_newer_cadence_is_refused() {
    let (dir, store) = fresh_store().await;
    let segment = store
        .create_segment("Engaged", &ContactFilter::default(), NOW)
        .await
        .unwrap();
    let mut conn = SqliteConnection::connect(&format!(
        "sqlite:{}",
        dir.path().join("cadence.sqlite3").display()
    ))
    .await
    .unwrap();
    sqlx::query(
        "UPDATE segment SET filter = '{\"engagement\":{\"replied_within_days\":30}}' WHERE id = ?",
    )
    .bind(segment.id)
    .execute(&mut conn)
    .await
    .unwrap();
    assert!(
        matches!(store.segment(segment.id).await, Err(Error::Json { .. })),
        "an unknown condition must not be read as 'everyone'"
    );
    assert!(
        store
            .segment_contact_ids(segment.id, true, 0, 10)
            .await
            .is_err(),
        "a campaign cannot read a segment it does not understand"
    );
}
