//! The template studio's tables on a fresh SQLite file: drafts, submitted
//! versions, the status and quality histories, webhook reading, lint settings.

use cadence_core::lint::LintSettings;
use cadence_core::template::{Button, Category, Template};
use cadence_store::templates::{
    ChangeSource, Deleted, NewSubmission, QualityRating, StatusReport, TemplateFilter,
    TemplateReport, TemplateStatus,
};
use cadence_store::{
    Error, NewWebhookEvent, SignatureCheck, Store, WebhookEventKind, WebhookSource,
};

use super::fresh_store;

const T0: &str = "2026-11-25T10:00:00.000Z";
const T1: &str = "2026-11-25T10:01:00.000Z";
const T2: &str = "2026-11-25T10:02:00.000Z";
const T3: &str = "2026-11-25T10:03:00.000Z";

fn offer(name: &str, language: &str) -> Template {
    let mut template = Template::draft(name, language);
    template.body = "Hello {{1}}, you recently looked at our jackets: they are back.".into();
    template.body_examples.insert("1".into(), "Anna".into());
    template.buttons.push(Button::QuickReply {
        text: "Stop promotions".into(),
    });
    template
}

async fn submit(store: &Store, id: i64, meta_id: &str, at: &str) {
    let row = store.template(id).await.unwrap();
    store
        .record_submission(
            id,
            &NewSubmission {
                content: &row.draft,
                request: r#"{"name":"x"}"#,
                meta_template_id: meta_id,
                status: TemplateStatus::Pending,
                meta_category: Some(Category::Marketing),
                at,
            },
        )
        .await
        .unwrap();
}

fn report(meta_id: &str, status: TemplateStatus, source: ChangeSource, at: &str) -> TemplateReport {
    TemplateReport {
        meta_template_id: Some(meta_id.into()),
        name: String::new(),
        language: String::new(),
        status: Some(StatusReport {
            status,
            reason: None,
            detail: None,
        }),
        quality: None,
        category: None,
        source,
        at: at.into(),
        webhook_event_id: None,
    }
}

#[tokio::test]
async fn a_draft_keeps_every_keystroke_whatever_its_shape() {
    let (_dir, store) = fresh_store().await;
    let created = store
        .create_template(&Template::draft("", "ru"), T0, false)
        .await
        .unwrap();
    assert_eq!(created.status, TemplateStatus::Draft);
    assert_eq!(created.quality, None, "no quality before Meta rates it");

    // Half-typed text, an invalid name, stray braces: a draft is saved as typed.
    let mut typing = Template::draft("Not A Valid Name!", "ru");
    typing.body = "Здравствуйте, {{1 и ещё {{".into();
    typing.category = Category::Utility;
    let saved = store
        .save_template_draft(created.id, &typing, T1)
        .await
        .unwrap();
    assert_eq!(saved.draft, typing, "the draft comes back exactly as typed");
    assert_eq!(saved.updated_at, T1);
    assert_eq!(saved.created_at, T0, "creation time does not move");
    let listed = store
        .templates(&TemplateFilter {
            category: Some(Category::Utility),
            ..TemplateFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id).collect::<Vec<_>>(),
        [created.id],
        "the list filters on the category copied out of the draft"
    );

    let missing = store.save_template_draft(999, &typing, T1).await;
    assert!(
        matches!(missing, Err(Error::TemplateNotFound(999))),
        "saving a template that does not exist says so: {missing:?}"
    );
}

#[tokio::test]
async fn the_list_filters_and_hides_archived_templates() {
    let (_dir, store) = fresh_store().await;
    let en = store
        .create_template(&offer("offer", "en"), T0, false)
        .await
        .unwrap();
    let ru = store
        .create_template(&offer("offer", "ru"), T1, false)
        .await
        .unwrap();
    let mut utility = offer("receipt_ready", "en");
    utility.category = Category::Utility;
    let util = store.create_template(&utility, T2, false).await.unwrap();
    submit(&store, en.id, "1001", T2).await;

    let ids = |rows: Vec<cadence_store::templates::TemplateRow>| {
        rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    let all = ids(store.templates(&TemplateFilter::default()).await.unwrap());
    assert_eq!(all, [util.id, ru.id, en.id], "most recently edited first");
    let cases = [
        (
            TemplateFilter {
                language: Some("ru".into()),
                ..Default::default()
            },
            vec![ru.id],
            "by language",
        ),
        (
            TemplateFilter {
                status: Some(TemplateStatus::Pending),
                ..Default::default()
            },
            vec![en.id],
            "by status",
        ),
        (
            TemplateFilter {
                category: Some(Category::Marketing),
                language: Some("en".into()),
                ..Default::default()
            },
            vec![en.id],
            "filters combine",
        ),
        (
            TemplateFilter {
                name_contains: Some("IPT_R".into()),
                ..Default::default()
            },
            vec![util.id],
            "by a part of the name, any case, `_` taken literally",
        ),
    ];
    for (filter, expected, why) in cases {
        assert_eq!(
            ids(store.templates(&filter).await.unwrap()),
            expected,
            "{why}"
        );
    }

    store.set_template_archived(ru.id, Some(T3)).await.unwrap();
    let active = TemplateFilter {
        archived: Some(false),
        ..Default::default()
    };
    assert_eq!(
        ids(store.templates(&active).await.unwrap()),
        [util.id, en.id],
        "archived templates leave the active list"
    );
    let archived = store
        .templates(&TemplateFilter {
            archived: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        archived
            .iter()
            .map(|t| (t.id, t.archived_at.as_deref()))
            .collect::<Vec<_>>(),
        [(ru.id, Some(T3))],
        "and are listed on their own, with their archive time"
    );
    assert_eq!(
        store
            .templates(&TemplateFilter::default())
            .await
            .unwrap()
            .len(),
        3,
        "no filter lists every template"
    );
    let restored = store.set_template_archived(ru.id, None).await.unwrap();
    assert_eq!(restored.archived_at, None, "unarchiving brings it back");
}

#[tokio::test]
async fn a_submission_is_a_read_only_version_and_edits_make_a_new_draft() {
    let (dir, store) = fresh_store().await;
    let row = store
        .create_template(&offer("offer", "en"), T0, false)
        .await
        .unwrap();
    assert!(
        !row.unsubmitted_changes,
        "nothing to compare before a submission"
    );
    submit(&store, row.id, "1001", T1).await;

    let submitted = store.template(row.id).await.unwrap();
    assert_eq!(submitted.status, TemplateStatus::Pending);
    assert_eq!(submitted.meta_template_id.as_deref(), Some("1001"));
    assert_eq!(
        submitted.quality,
        Some(QualityRating::Unknown),
        "a new template is not rated yet"
    );
    assert_eq!(submitted.versions, 1);
    assert!(!submitted.unsubmitted_changes);

    let again = store
        .record_submission(
            row.id,
            &NewSubmission {
                content: &submitted.draft,
                request: "{}",
                meta_template_id: "1002",
                status: TemplateStatus::Pending,
                meta_category: None,
                at: T2,
            },
        )
        .await;
    assert!(
        matches!(
            again,
            Err(Error::TemplateTransition {
                from: TemplateStatus::Pending,
                to: TemplateStatus::Pending,
                ..
            })
        ),
        "a version in review cannot be submitted again: {again:?}"
    );

    store
        .apply_template_report(&report(
            "1001",
            TemplateStatus::Approved,
            ChangeSource::Webhook,
            T2,
        ))
        .await
        .unwrap();
    let mut edited = submitted.draft.clone();
    edited.body = "Hello {{1}}, the jackets you looked at are back in your size.".into();
    let after_edit = store
        .save_template_draft(row.id, &edited, T3)
        .await
        .unwrap();
    assert_eq!(
        after_edit.status,
        TemplateStatus::Approved,
        "editing does not change what Meta approved"
    );
    assert!(
        after_edit.unsubmitted_changes,
        "the edit waits to be submitted as a new version"
    );

    let versions = store.template_versions(row.id).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(
        versions[0].content, submitted.draft,
        "the submitted version keeps the text Meta reviewed"
    );
    assert_eq!(versions[0].meta_template_id, "1001");

    // Even a direct UPDATE cannot change a submitted version.
    let path = dir.path().join("cadence.sqlite3");
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite:{}",
        path.display()
    ))
    .await
    .unwrap();
    let tampered = sqlx::query("UPDATE template_version SET content = '{}'")
        .execute(&mut conn)
        .await;
    assert!(tampered.is_err(), "submitted versions are read-only");
}

#[tokio::test]
async fn status_and_quality_changes_are_recorded_with_time_and_source() {
    let (_dir, store) = fresh_store().await;
    let row = store
        .create_template(&offer("offer", "en"), T0, false)
        .await
        .unwrap();
    submit(&store, row.id, "1001", T1).await;

    let mut approved = report("1001", TemplateStatus::Approved, ChangeSource::Webhook, T2);
    approved.quality = Some(QualityRating::Green);
    let applied = store
        .apply_template_report(&approved)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        applied.status,
        Some((TemplateStatus::Pending, TemplateStatus::Approved))
    );
    assert_eq!(
        applied.quality,
        Some((Some(QualityRating::Unknown), QualityRating::Green))
    );
    let repeat = store
        .apply_template_report(&approved)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (repeat.status, repeat.quality),
        (None, None),
        "Meta retries webhooks: the same news twice changes nothing"
    );

    let late = report("1001", TemplateStatus::Pending, ChangeSource::Webhook, T3);
    let refused = store.apply_template_report(&late).await.unwrap().unwrap();
    assert_eq!(
        refused.refused_status,
        Some(TemplateStatus::Pending),
        "a late PENDING webhook does not undo the approval"
    );
    assert_eq!(
        store.template(row.id).await.unwrap().status,
        TemplateStatus::Approved
    );

    let mut paused = report("1001", TemplateStatus::Paused, ChangeSource::Refresh, T3);
    paused.status.as_mut().unwrap().reason = Some("NONE".into());
    paused.quality = Some(QualityRating::Red);
    store.apply_template_report(&paused).await.unwrap();

    let statuses: Vec<(TemplateStatus, TemplateStatus, ChangeSource, String)> = store
        .template_status_history(row.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.from, c.to, c.source, c.changed_at))
        .collect();
    assert_eq!(
        statuses,
        [
            (
                TemplateStatus::Draft,
                TemplateStatus::Pending,
                ChangeSource::Submission,
                T1.into()
            ),
            (
                TemplateStatus::Pending,
                TemplateStatus::Approved,
                ChangeSource::Webhook,
                T2.into()
            ),
            (
                TemplateStatus::Approved,
                TemplateStatus::Paused,
                ChangeSource::Refresh,
                T3.into()
            ),
        ],
        "every status change, in order, with its time and source"
    );
    let qualities: Vec<(Option<QualityRating>, QualityRating, ChangeSource)> = store
        .template_quality_history(row.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.from, c.to, c.source))
        .collect();
    assert_eq!(
        qualities,
        [
            (None, QualityRating::Unknown, ChangeSource::Submission),
            (
                Some(QualityRating::Unknown),
                QualityRating::Green,
                ChangeSource::Webhook
            ),
            (
                Some(QualityRating::Green),
                QualityRating::Red,
                ChangeSource::Refresh
            ),
        ],
        "every quality change, in order, with its source"
    );

    let unknown = store
        .apply_template_report(&report(
            "555",
            TemplateStatus::Approved,
            ChangeSource::Webhook,
            T3,
        ))
        .await
        .unwrap();
    assert_eq!(
        unknown, None,
        "news about a template made elsewhere changes nothing here"
    );
}

#[tokio::test]
async fn a_rejection_keeps_metas_reason_until_the_template_moves_on() {
    let (_dir, store) = fresh_store().await;
    let row = store
        .create_template(&offer("offer", "en"), T0, false)
        .await
        .unwrap();
    submit(&store, row.id, "1001", T1).await;
    let mut rejected = report("1001", TemplateStatus::Rejected, ChangeSource::Webhook, T2);
    rejected.status = Some(StatusReport {
        status: TemplateStatus::Rejected,
        reason: Some("INVALID_FORMAT".into()),
        detail: Some("The body starts with a variable.".into()),
    });
    store.apply_template_report(&rejected).await.unwrap();
    let stored = store.template(row.id).await.unwrap();
    assert_eq!(
        (
            stored.rejected_reason.as_deref(),
            stored.rejection_detail.as_deref()
        ),
        (
            Some("INVALID_FORMAT"),
            Some("The body starts with a variable.")
        ),
        "the user sees Meta's reason and its explanation"
    );
    let history = store.template_status_history(row.id).await.unwrap();
    assert_eq!(
        history.last().unwrap().reason.as_deref(),
        Some("INVALID_FORMAT")
    );

    // Fixed and submitted again: the new version is in review, the old reason goes.
    submit(&store, row.id, "1002", T3).await;
    let resubmitted = store.template(row.id).await.unwrap();
    assert_eq!(resubmitted.status, TemplateStatus::Pending);
    assert_eq!(resubmitted.rejected_reason, None);
    assert_eq!(resubmitted.meta_template_id.as_deref(), Some("1002"));
    assert_eq!(resubmitted.versions, 2);
}

#[tokio::test]
async fn deleting_removes_a_draft_and_keeps_a_submitted_templates_history() {
    let (_dir, store) = fresh_store().await;
    let draft = store
        .create_template(&offer("draft", "en"), T0, false)
        .await
        .unwrap();
    assert_eq!(
        store.delete_template(draft.id, T1).await.unwrap(),
        Deleted::Removed
    );
    assert!(matches!(
        store.template(draft.id).await,
        Err(Error::TemplateNotFound(_))
    ));

    let sent = store
        .create_template(&offer("sent", "en"), T0, false)
        .await
        .unwrap();
    submit(&store, sent.id, "1001", T1).await;
    assert_eq!(
        store.delete_template(sent.id, T2).await.unwrap(),
        Deleted::MarkedDeleted {
            from: TemplateStatus::Pending
        }
    );
    assert!(
        matches!(
            store.template(sent.id).await,
            Err(Error::TemplateNotFound(_))
        ),
        "a deleted template is gone for the user"
    );
    assert!(
        store
            .templates(&TemplateFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let history = store.template_status_history(sent.id).await.unwrap();
    assert_eq!(
        history.last().map(|c| (c.to, c.source)),
        Some((TemplateStatus::Deleted, ChangeSource::Deletion)),
        "its history says when and why it ended"
    );
    let refresh = report(
        "1001",
        TemplateStatus::PendingDeletion,
        ChangeSource::Refresh,
        T3,
    );
    let applied = store
        .apply_template_report(&refresh)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        applied.status, None,
        "Meta still listing it while it deletes does not bring it back"
    );
}

#[tokio::test]
async fn template_webhook_events_are_read_once_in_order() {
    let (_dir, store) = fresh_store().await;
    let event = |kind, payload: &str| NewWebhookEvent {
        kind,
        wamid: None,
        occurred_at: None,
        payload: payload.into(),
    };
    store
        .record_webhook(
            WebhookSource::Sandbox,
            SignatureCheck::Verified,
            b"first",
            Ok(&[
                event(WebhookEventKind::TemplateStatus, r#"{"n":1}"#),
                event(WebhookEventKind::MessageStatus, r#"{"n":2}"#),
                event(WebhookEventKind::TemplateQuality, r#"{"n":3}"#),
            ]),
        )
        .await
        .unwrap();
    let pending = store.unapplied_template_webhook_events(10).await.unwrap();
    assert_eq!(
        pending
            .iter()
            .map(|e| e.payload.as_str())
            .collect::<Vec<_>>(),
        [r#"{"n":1}"#, r#"{"n":3}"#],
        "only template events, oldest first"
    );
    assert!(
        pending[0].received_at.ends_with('Z'),
        "with the delivery's time"
    );

    // One is applied (to no template: the cursor still moves), one is skipped.
    let mut first = report("1", TemplateStatus::Approved, ChangeSource::Webhook, T0);
    first.webhook_event_id = Some(pending[0].id);
    assert_eq!(store.apply_template_report(&first).await.unwrap(), None);
    assert_eq!(
        store
            .unapplied_template_webhook_events(10)
            .await
            .unwrap()
            .len(),
        1
    );
    store
        .skip_template_webhook_event(pending[1].id)
        .await
        .unwrap();
    assert!(
        store
            .unapplied_template_webhook_events(10)
            .await
            .unwrap()
            .is_empty(),
        "nothing is read twice"
    );
    assert_eq!(
        store
            .template_studio_state()
            .await
            .unwrap()
            .applied_event_id,
        pending[1].id
    );
}

#[tokio::test]
async fn examples_are_seeded_once_ever() {
    let (_dir, store) = fresh_store().await;
    let examples = [offer("example_offer", "en"), offer("example_offer", "ru")];
    assert!(store.seed_example_templates(&examples, T0).await.unwrap());
    let seeded = store.templates(&TemplateFilter::default()).await.unwrap();
    assert_eq!(seeded.len(), 2);
    assert!(
        seeded.iter().all(|t| t.example),
        "examples are marked as such"
    );
    for row in &seeded {
        store.delete_template(row.id, T1).await.unwrap();
    }
    assert!(
        !store.seed_example_templates(&examples, T2).await.unwrap(),
        "a user who deleted the examples does not get them back"
    );
    assert!(
        store
            .templates(&TemplateFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .template_studio_state()
            .await
            .unwrap()
            .examples_seeded_at
            .as_deref(),
        Some(T0)
    );
}

#[tokio::test]
async fn lint_settings_default_then_persist_with_the_team_dictionary() {
    let (_dir, store) = fresh_store().await;
    assert_eq!(
        store.lint_settings().await.unwrap(),
        LintSettings::default(),
        "a new workspace lints with the defaults"
    );
    let changed = LintSettings {
        spelling: false,
        team_dictionary: vec!["Кейденс".into(), "  ".into(), "jacketly".into()],
        ..LintSettings::default()
    };
    let saved = store.save_lint_settings(&changed, T0).await.unwrap();
    assert!(!saved.spelling);
    assert_eq!(
        saved.team_dictionary,
        ["jacketly", "Кейденс"],
        "blank words are dropped; the rest kept, sorted"
    );

    let added = store.add_team_dictionary_word(" Zara ", T1).await.unwrap();
    assert_eq!(added.team_dictionary, ["Zara", "jacketly", "Кейденс"]);
    let twice = store.add_team_dictionary_word("Zara", T1).await.unwrap();
    assert_eq!(twice.team_dictionary.len(), 3, "a word is kept once");
    assert!(!twice.spelling, "adding a word keeps the other settings");

    let removed = store
        .save_lint_settings(
            &LintSettings {
                team_dictionary: vec!["Zara".into()],
                ..saved
            },
            T2,
        )
        .await
        .unwrap();
    assert_eq!(
        removed.team_dictionary,
        ["Zara"],
        "saving the settings can remove words"
    );
}
