//! The sandbox's behaviour end to end, through its public API, on simulated time:
//! review, limits, failures in status webhooks, the quality pause ladder,
//! determinism and the ledger. No test sleeps: time is passed in.
//!
//! [`http`] drives the same sandbox over HTTP with the typed client (one test binary
//! per crate: one link on a two-core machine).

#[path = "sandbox/http.rs"]
mod http;

use std::time::Duration;

use cadence_sandbox::events::{TemplateStatusEvent, TemplateStatusUpdate};
use cadence_sandbox::profile::{MessagingTier, Rates};
use cadence_sandbox::templates::{Button, Component};
use cadence_sandbox::{
    Category, InboundContent, LedgerOutcome, MarketingPreference, MessageStatus, Profile,
    QualityScore, Sandbox, SendRequest, SimTime, TemplateDraft, TemplateStatus, TimeScale, Webhook,
    WebhookKind,
};

const START: SimTime = SimTime(1_750_000_000_000);
const BODY: &str = "Hello {{1}}, the jacket you looked at is back in stock in your size.";

fn draft(name: &str, category: Category) -> TemplateDraft {
    TemplateDraft {
        name: name.into(),
        language: "en".into(),
        category,
        parameter_format: Default::default(),
        components: vec![
            Component::Body { text: BODY.into() },
            Component::Buttons {
                buttons: vec![
                    Button::QuickReply {
                        text: "Show me".into(),
                    },
                    Button::QuickReply {
                        text: "Stop".into(),
                    },
                ],
            },
        ],
    }
}

/// A UK number (not +1, not ending in 0000): deliverable under the default profile.
fn number(i: u32) -> String {
    format!("+4477009{i:05}")
}

fn offer(to: &str) -> SendRequest {
    SendRequest::new(to, "spring_offer", "en").with_body(&["Ann"])
}

/// A sandbox with `spring_offer` (marketing) approved, at the returned instant.
fn approved(profile: Profile, seed: u64, scale: f64) -> (Sandbox, SimTime) {
    let mut sandbox = Sandbox::new(profile, seed, TimeScale::new(scale), START);
    sandbox
        .create_template(START, draft("spring_offer", Category::Marketing))
        .expect("a sound template is created");
    let now = sandbox.advance(Duration::from_secs(24 * 3600));
    assert_eq!(
        sandbox.template("spring_offer", "en").map(|t| t.status),
        Some(TemplateStatus::Approved),
        "a sound template is approved once review is done"
    );
    sandbox.take_webhooks();
    (sandbox, now)
}

fn statuses_of<'a>(
    webhooks: &'a [Webhook],
    wamid: &str,
) -> Vec<&'a cadence_sandbox::events::StatusUpdate> {
    webhooks
        .iter()
        .filter_map(|w| match &w.kind {
            WebhookKind::Status(status) if status.wamid == wamid => Some(status),
            _ => None,
        })
        .collect()
}

fn template_updates(webhooks: &[Webhook]) -> Vec<&TemplateStatusUpdate> {
    webhooks
        .iter()
        .filter_map(|w| match &w.kind {
            WebhookKind::TemplateStatus(update) => Some(update),
            _ => None,
        })
        .collect()
}

#[test]
fn review_approves_after_the_delay_and_rejects_structural_violations() {
    let mut profile = Profile::default();
    profile.review.delay_ms = 10 * 60_000;
    profile
        .review
        .reject_names
        .insert("easy_money".into(), "SCAM".into());
    let mut sandbox = Sandbox::new(profile, 1, TimeScale::new(10.0), START);

    let created = sandbox
        .create_template(START, draft("spring_offer", Category::Marketing))
        .expect("created");
    assert_eq!(
        created.status,
        TemplateStatus::Pending,
        "new templates start PENDING"
    );
    let mut bad = draft("bad_offer", Category::Marketing);
    bad.components[0] = Component::Body {
        text: "{{1}}, the jacket you looked at is back in stock in your size.".into(),
    };
    sandbox
        .create_template(START, bad)
        .expect("structure is judged at review, not creation");
    sandbox
        .create_template(START, draft("easy_money", Category::Marketing))
        .expect("created");

    // 10 minutes at scale 10 is one minute.
    sandbox.advance_to(START.after(Duration::from_millis(59_999)));
    assert_eq!(
        sandbox.template("spring_offer", "en").map(|t| t.status),
        Some(TemplateStatus::Pending),
        "review is not done before the scaled delay"
    );
    assert!(
        sandbox
            .send_template(sandbox.now(), offer(&number(1)))
            .map_err(|e| e.code())
            == Err(132001),
        "a pending template cannot be sent"
    );
    sandbox.advance_to(START.after(Duration::from_secs(60)));
    let approved = sandbox.template("spring_offer", "en").expect("listed");
    assert_eq!(
        approved.status,
        TemplateStatus::Approved,
        "approved after the delay"
    );
    assert_eq!(
        approved.quality_score,
        QualityScore::Unknown,
        "a new template has no score"
    );
    assert_eq!(
        approved.rejected_reason, "NONE",
        "Meta lists NONE when not rejected"
    );

    let rejected = sandbox.template("bad_offer", "en").expect("listed");
    assert_eq!(
        rejected.status,
        TemplateStatus::Rejected,
        "a variable at the start is rejected"
    );
    assert_eq!(
        rejected.rejected_reason, "INVALID_FORMAT",
        "structural problems are INVALID_FORMAT"
    );
    assert_eq!(
        rejected.violations[0].rule, "body-variable-at-start",
        "review is the core linter's Meta rules"
    );
    assert_eq!(
        sandbox
            .template("easy_money", "en")
            .map(|t| t.rejected_reason),
        Some("SCAM".to_owned()),
        "the profile can script a policy rejection"
    );

    let webhooks = sandbox.take_webhooks();
    let updates = template_updates(&webhooks);
    assert_eq!(updates.len(), 3, "one status webhook per reviewed template");
    let bad_update = updates
        .iter()
        .find(|u| u.name == "bad_offer")
        .expect("sent");
    assert_eq!(bad_update.event, TemplateStatusEvent::Rejected);
    assert!(
        bad_update
            .rejection_info
            .as_deref()
            .is_some_and(|info| info.contains("starts with a variable")),
        "INVALID_FORMAT rejections explain the problem in rejection_info"
    );
}

#[test]
fn creation_refuses_bad_names_and_duplicates_like_meta() {
    let mut sandbox = Sandbox::new(Profile::default(), 1, TimeScale::REAL, START);
    sandbox
        .create_template(START, draft("spring_offer", Category::Marketing))
        .expect("created");
    let duplicate = sandbox
        .create_template(START, draft("spring_offer", Category::Marketing))
        .expect_err("same name and language twice");
    assert_eq!(
        (duplicate.meta().code, duplicate.meta().subcode),
        (100, Some(2_388_024)),
        "Meta answers a duplicate with code 100 and its subcode"
    );
    let mut other_language = draft("spring_offer", Category::Marketing);
    other_language.language = "ru".into();
    assert!(
        sandbox.create_template(START, other_language).is_ok(),
        "the same name in another language is another template"
    );
    let bad_name = sandbox
        .create_template(START, draft("Spring Offer", Category::Marketing))
        .expect_err("uppercase and spaces");
    assert_eq!(bad_name.code(), 100, "bad names are invalid parameters");
    assert_eq!(
        sandbox.delete_template(START, "spring_offer").ok(),
        Some(2),
        "both languages go"
    );
    assert!(
        sandbox.templates().is_empty(),
        "nothing left after the delete"
    );
}

#[test]
fn throughput_refuses_the_81st_send_in_a_second_and_recovers_the_next() {
    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    for i in 0..80 {
        sandbox
            .send_template(now, offer(&number(i + 1)))
            .unwrap_or_else(|e| panic!("send {i} of 80 fits the default 80/s: {e}"));
    }
    let refused = sandbox
        .send_template(now, offer(&number(81)))
        .expect_err("the 81st in the same second is over 80/s");
    assert_eq!(refused.code(), 130429, "throughput refusals carry 130429");
    assert_eq!(refused.meta().http_status, 400);
    assert!(
        sandbox
            .send_template(now.after(Duration::from_secs(1)), offer(&number(81)))
            .is_ok(),
        "a second later the bucket is full again"
    );
    assert_eq!(
        sandbox.ledger().len(),
        81,
        "refused requests are not in the ledger"
    );
    assert_eq!(
        sandbox.refusals().get(&130429),
        Some(&1),
        "the refusal is counted"
    );
}

#[test]
fn a_profile_raises_throughput_to_1000() {
    let mut profile = Profile::default();
    profile.limits.throughput_per_second = 1000;
    profile.limits.messaging_tier = MessagingTier::Unlimited;
    let (mut sandbox, now) = approved(profile, 1, 1.0);
    let accepted = (0..1001)
        .filter(|i| sandbox.send_template(now, offer(&number(i + 1))).is_ok())
        .count();
    assert_eq!(
        accepted, 1000,
        "1000/s: exactly 1000 of 1001 simultaneous sends go"
    );
}

#[test]
fn the_pair_rate_allows_a_small_burst_then_one_per_six_seconds() {
    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    let to = number(1);
    for sent in 0..3 {
        assert!(
            sandbox.send_template(now, offer(&to)).is_ok(),
            "message {sent} of the default burst of 3"
        );
    }
    let refused = sandbox
        .send_template(now, offer(&to))
        .expect_err("burst spent");
    assert_eq!(refused.code(), 131056, "pair rate refusals carry 131056");
    assert!(
        sandbox
            .send_template(now.after(Duration::from_millis(5_999)), offer(&to))
            .is_err(),
        "less than one gap later still refused"
    );
    assert!(
        sandbox
            .send_template(now.after(Duration::from_secs(6)), offer(&to))
            .is_ok(),
        "one 6 s gap later one more goes"
    );
}

#[test]
fn the_messaging_tier_limits_unique_recipients_in_a_rolling_day() {
    let mut profile = Profile::default();
    profile.limits.messaging_tier = MessagingTier::Tier250;
    profile.limits.throughput_per_second = 1000;
    let (mut sandbox, now) = approved(profile, 1, 1.0);
    for i in 0..250 {
        sandbox
            .send_template(now, offer(&number(i + 1)))
            .unwrap_or_else(|e| panic!("recipient {i} fits TIER_250: {e}"));
    }
    let later = now.after(Duration::from_secs(10));
    let refused = sandbox
        .send_template(later, offer(&number(251)))
        .expect_err("a 251st unique recipient is over the tier");
    assert_eq!(
        refused.code(),
        131048,
        "tier overflow answers 131048 (spam rate limit)"
    );
    assert!(
        sandbox.send_template(later, offer(&number(7))).is_ok(),
        "a recipient already reached in the window does not count again"
    );
    let next_day = now.after(Duration::from_secs(24 * 3600));
    assert!(
        sandbox.send_template(next_day, offer(&number(251))).is_ok(),
        "24 hours later the first recipients left the window"
    );
}

#[test]
fn the_per_user_marketing_limit_fails_the_third_marketing_message_in_a_day() {
    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    let to = number(1);
    let mut wamids = Vec::new();
    for n in 0..3u64 {
        let at = now.after(Duration::from_secs(60 * n));
        wamids.push(
            sandbox
                .send_template(at, offer(&to))
                .expect("accepted by the API")
                .wamid,
        );
    }
    let outcomes: Vec<LedgerOutcome> = wamids
        .iter()
        .map(|w| sandbox.ledger().get(w).expect("in ledger").outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            LedgerOutcome::Delivered,
            LedgerOutcome::Delivered,
            LedgerOutcome::Failed { code: 131049 }
        ],
        "the default profile allows 2 marketing templates per recipient per day"
    );
    sandbox.advance(Duration::from_secs(600));
    let webhooks = sandbox.take_webhooks();
    let third = statuses_of(&webhooks, &wamids[2]);
    assert_eq!(third.len(), 1, "a failed message gets exactly one status");
    assert_eq!(third[0].status, MessageStatus::Failed);
    assert_eq!(
        third[0].error.as_ref().map(|e| e.code),
        Some(131049),
        "failed with 131049"
    );
    let next_day = now.after(Duration::from_secs(24 * 3600 + 60));
    let again = sandbox
        .send_template(next_day, offer(&to))
        .expect("accepted");
    assert_eq!(
        sandbox.ledger().get(&again.wamid).map(|e| e.outcome),
        Some(LedgerOutcome::Delivered),
        "after 24 hours the recipient can get marketing again"
    );
}

#[test]
fn undeliverable_stopped_and_us_recipients_fail_in_the_status_webhook() {
    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    sandbox
        .inject_preference(now, &number(2), MarketingPreference::Stop)
        .expect("a valid number");
    let cases = [
        (
            "+447700910000".to_owned(),
            131026,
            "numbers ending in 0000 are not on WhatsApp",
        ),
        (number(2), 131050, "a recipient who stopped marketing"),
        (
            "+12025550123".to_owned(),
            131049,
            "marketing to US +1 numbers is not delivered",
        ),
    ];
    let mut sent = Vec::new();
    for (to, _, why) in &cases {
        let request = offer(to).with_callback_data(&format!("row-{to}"));
        let accepted = sandbox
            .send_template(now, request)
            .unwrap_or_else(|e| panic!("Meta accepts the request first ({why}): {e}"));
        sent.push(accepted.wamid);
    }
    sandbox.advance(Duration::from_secs(60));
    let webhooks = sandbox.take_webhooks();
    for ((to, code, why), wamid) in cases.iter().zip(&sent) {
        let statuses = statuses_of(&webhooks, wamid);
        assert_eq!(statuses.len(), 1, "one failed status only: {why}");
        let status = statuses[0];
        assert_eq!(status.status, MessageStatus::Failed, "{why}");
        assert_eq!(status.error.as_ref().map(|e| e.code), Some(*code), "{why}");
        assert_eq!(
            status.callback_data.as_deref(),
            Some(format!("row-{to}").as_str()),
            "the callback data is echoed so the client can reconcile ({why})"
        );
    }
    assert!(
        webhooks.iter().any(|w| matches!(&w.kind, WebhookKind::UserPreference(p) if p.value == MarketingPreference::Stop)),
        "an injected stop is reported as a user_preferences webhook"
    );
    sandbox
        .inject_preference(now, &number(2), MarketingPreference::Resume)
        .expect("a valid number");
    assert!(
        !sandbox.has_stopped_marketing(&number(2)),
        "resume lifts the stop"
    );
}

#[test]
fn a_delivered_message_is_sent_delivered_and_maybe_read_with_callback_data() {
    let (mut sandbox, now) = approved(Profile::default(), 5, 1.0);
    let mut wamids = Vec::new();
    for i in 0..50 {
        let request = offer(&number(i + 1)).with_callback_data(&format!("row-{i}"));
        wamids.push(sandbox.send_template(now, request).expect("accepted").wamid);
    }
    sandbox.advance(Duration::from_secs(3600));
    let webhooks = sandbox.take_webhooks();
    let mut read = 0;
    for (i, wamid) in wamids.iter().enumerate() {
        let statuses = statuses_of(&webhooks, wamid);
        let kinds: Vec<MessageStatus> = statuses.iter().map(|s| s.status).collect();
        assert!(
            kinds.contains(&MessageStatus::Sent),
            "every delivered message is sent"
        );
        assert!(kinds.contains(&MessageStatus::Delivered), "and delivered");
        assert!(
            statuses
                .iter()
                .all(|s| s.callback_data.as_deref() == Some(format!("row-{i}").as_str())),
            "every status echoes biz_opaque_callback_data"
        );
        read += usize::from(kinds.contains(&MessageStatus::Read));
    }
    assert!(
        (15..=48).contains(&read),
        "about 60% or more are read under the default rates, got {read} of 50"
    );
}

#[test]
fn delivered_can_arrive_after_read_as_meta_sends_it() {
    let mut profile = Profile::default();
    profile.delivery.out_of_order_rate = 1.0;
    profile.behaviour.default.read = 1.0;
    let (mut sandbox, now) = approved(profile, 1, 1.0);
    let wamid = sandbox
        .send_template(now, offer(&number(1)))
        .expect("accepted")
        .wamid;
    sandbox.advance(Duration::from_secs(3600));
    let webhooks = sandbox.take_webhooks();
    let statuses = statuses_of(&webhooks, &wamid);
    let order: Vec<MessageStatus> = statuses.iter().map(|s| s.status).collect();
    let read_at = order
        .iter()
        .position(|s| *s == MessageStatus::Read)
        .expect("read");
    let delivered_at = order
        .iter()
        .position(|s| *s == MessageStatus::Delivered)
        .expect("delivered");
    assert!(
        delivered_at > read_at,
        "delivered is emitted after read: {order:?}"
    );
    assert!(
        statuses[delivered_at].timestamp < statuses[read_at].timestamp,
        "the late delivered still carries its own earlier timestamp"
    );
}

#[test]
fn a_template_with_many_blocks_goes_red_and_climbs_the_pause_ladder() {
    let mut profile = Profile::default();
    profile.behaviour.templates.insert(
        "spring_offer".into(),
        Rates {
            block: 0.5,
            ..Rates::default()
        },
    );
    profile.quality.min_messages = 10;
    profile.quality.window_messages = 20;
    profile.limits.messaging_tier = MessagingTier::Unlimited;
    // At 3600×, the 3 h pause lasts 3 s and the 6 h pause 6 s.
    let (mut sandbox, mut now) = approved(profile, 1, 3600.0);
    let mut recipient = 0;
    let expected = [
        (TemplateStatusEvent::Paused, Some(3_000)),
        (TemplateStatusEvent::Paused, Some(6_000)),
        (TemplateStatusEvent::Disabled, None),
    ];
    for (round, (event, pause_ms)) in expected.into_iter().enumerate() {
        for _ in 0..20 {
            recipient += 1;
            sandbox
                .send_template(now, offer(&number(recipient)))
                .unwrap_or_else(|e| panic!("round {round}: an approved template sends: {e}"));
        }
        // Step through simulated time until the RED judgement lands (reactions come
        // within minutes), so the scaled pause is observed while it runs.
        let mut waited = 0;
        while sandbox.template("spring_offer", "en").map(|t| t.status)
            == Some(TemplateStatus::Approved)
        {
            assert!(
                waited < 6_000,
                "round {round}: RED must come within 10 minutes of blocks"
            );
            sandbox.advance(Duration::from_millis(100));
            waited += 1;
        }
        let webhooks = sandbox.take_webhooks();
        assert_eq!(
            sandbox
                .template("spring_offer", "en")
                .map(|t| t.quality_score),
            Some(QualityScore::Red),
            "round {round}: half the recipients block, so quality is RED"
        );
        if round == 0 {
            assert!(
                webhooks.iter().any(|w| matches!(&w.kind,
                    WebhookKind::TemplateQuality(q) if q.new == QualityScore::Red)),
                "the first fall to RED is reported as a quality update"
            );
        }
        let update = *template_updates(&webhooks).last().expect("a status change");
        assert_eq!(update.event, event, "round {round}: the ladder's step");
        let refused = sandbox
            .send_template(sandbox.now(), offer(&number(9_999)))
            .expect_err("not sendable");
        match pause_ms {
            Some(pause_ms) => {
                assert_eq!(
                    refused.code(),
                    132015,
                    "round {round}: a paused template refuses with 132015"
                );
                let title = update.other_info.as_ref().map(|(title, _)| title.as_str());
                assert_eq!(
                    title,
                    Some(if round == 0 {
                        "FIRST_PAUSE"
                    } else {
                        "SECOND_PAUSE"
                    })
                );
                let paused_at = update.timestamp;
                let resumes_at = paused_at.after(Duration::from_millis(pause_ms));
                assert!(
                    resumes_at > sandbox.now(),
                    "round {round}: scaled pause is still running"
                );
                sandbox.advance_to(resumes_at.before(Duration::from_millis(1)));
                assert_eq!(
                    sandbox.template("spring_offer", "en").map(|t| t.status),
                    Some(TemplateStatus::Paused),
                    "round {round}: still paused 1 ms before {pause_ms} ms"
                );
                sandbox.advance_to(resumes_at);
                assert_eq!(
                    sandbox.template("spring_offer", "en").map(|t| t.status),
                    Some(TemplateStatus::Approved),
                    "round {round}: approved again once the scaled pause is over"
                );
                let unpause = sandbox.take_webhooks();
                assert!(
                    template_updates(&unpause)
                        .iter()
                        .any(|u| u.other_info.as_ref().is_some_and(|(t, _)| t == "UNPAUSE")),
                    "round {round}: the unpause is reported"
                );
                now = sandbox.now();
            }
            None => {
                assert_eq!(
                    refused.code(),
                    132016,
                    "a disabled template refuses with 132016"
                );
                assert!(update.disable_date.is_some(), "a disable carries its date");
                sandbox.advance(Duration::from_secs(24 * 3600));
                assert_eq!(
                    sandbox.template("spring_offer", "en").map(|t| t.status),
                    Some(TemplateStatus::Disabled),
                    "disabled is final"
                );
            }
        }
    }
}

#[test]
fn per_template_rates_give_an_ab_test_a_real_winner() {
    let mut profile = Profile::default();
    profile.limits.messaging_tier = MessagingTier::Unlimited;
    profile.limits.throughput_per_second = 1000;
    profile.behaviour.templates.insert(
        "variant_a".into(),
        Rates {
            reply: 0.30,
            ..Rates::default()
        },
    );
    profile.behaviour.templates.insert(
        "variant_b".into(),
        Rates {
            reply: 0.02,
            button_tap: 0.0,
            ..Rates::default()
        },
    );
    let mut sandbox = Sandbox::new(profile, 9, TimeScale::REAL, START);
    for name in ["variant_a", "variant_b"] {
        sandbox
            .create_template(START, draft(name, Category::Marketing))
            .expect("created");
    }
    let now = sandbox.advance(Duration::from_secs(3600));
    let mut wamid_variant = std::collections::HashMap::new();
    for i in 0..400 {
        let name = if i % 2 == 0 { "variant_a" } else { "variant_b" };
        let request = SendRequest::new(&number(i + 1), name, "en").with_body(&["Ann"]);
        let wamid = sandbox.send_template(now, request).expect("accepted").wamid;
        wamid_variant.insert(wamid, name);
    }
    sandbox.advance(Duration::from_secs(3600));
    let (mut a, mut b) = (0, 0);
    for webhook in sandbox.take_webhooks() {
        if let WebhookKind::Inbound(inbound) = webhook.kind
            && let InboundContent::Text { .. } = inbound.content
        {
            match inbound
                .context
                .as_deref()
                .and_then(|c| wamid_variant.get(c))
            {
                Some(&"variant_a") => a += 1,
                Some(_) => b += 1,
                None => panic!("a simulated reply answers a message the sandbox sent"),
            }
        }
    }
    assert!(
        a > 3 * b,
        "variant A (30% replies) clearly beats B (2%): {a} vs {b}"
    );
}

#[test]
fn injected_replies_answer_a_known_message() {
    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    let wamid = sandbox
        .send_template(now, offer(&number(1)))
        .expect("accepted")
        .wamid;
    sandbox.take_webhooks();
    let id = sandbox
        .inject_inbound(
            now,
            &number(1),
            InboundContent::Button {
                payload: "Stop".into(),
                text: "Stop".into(),
            },
            Some(&wamid),
        )
        .expect("context is a sandbox message");
    let webhooks = sandbox.take_webhooks();
    assert!(
        matches!(&webhooks[..], [w] if matches!(&w.kind, WebhookKind::Inbound(m) if m.id == id && m.context.as_deref() == Some(wamid.as_str()))),
        "the injected tap is emitted at once with context.id = the answered wamid"
    );
    let unknown = sandbox
        .inject_inbound(
            now,
            &number(1),
            InboundContent::Text { body: "hi".into() },
            Some("wamid.nope"),
        )
        .expect_err("unknown context");
    assert_eq!(
        unknown.code(),
        100,
        "the control API refuses a context it never sent"
    );
}

/// A small campaign with every kind of outcome, for comparing runs.
fn campaign(seed: u64) -> (Vec<cadence_sandbox::LedgerEntry>, Vec<Webhook>) {
    let mut profile = Profile::default();
    profile.behaviour.default = Rates {
        read: 0.5,
        reply: 0.1,
        button_tap: 0.1,
        stop: 0.05,
        block: 0.02,
        report: 0.02,
    };
    let (mut sandbox, now) = approved(profile, seed, 60.0);
    for i in 0..120 {
        let at = now.after(Duration::from_millis(u64::from(i) * 20));
        let request = offer(&number(i % 100 + 1)).with_callback_data(&format!("row-{i}"));
        let _ = sandbox.send_template(at, request);
    }
    sandbox.advance(Duration::from_secs(2 * 3600));
    (sandbox.ledger().entries().to_vec(), sandbox.take_webhooks())
}

#[test]
fn one_seed_replays_one_run_and_another_seed_differs() {
    let first = campaign(42);
    let again = campaign(42);
    assert_eq!(first.0, again.0, "the same seed must give the same ledger");
    assert_eq!(
        first.1, again.1,
        "the same seed must give the same webhooks, in the same order"
    );
    let other = campaign(43);
    assert_eq!(
        first.0.len(),
        other.0.len(),
        "acceptance depends on limits, not on the seed"
    );
    assert_ne!(
        first.1, other.1,
        "another seed must give other recipient behaviour"
    );
}

#[test]
fn the_ledger_proves_nothing_was_sent_twice() {
    let (ledger, webhooks) = campaign(7);
    assert_eq!(ledger.len(), 120, "every row was accepted once");
    let mut sandbox_ledger = cadence_sandbox::Ledger::default();
    for entry in &ledger {
        sandbox_ledger.record(entry.clone());
    }
    assert!(
        sandbox_ledger.duplicates().is_empty(),
        "one accepted message per callback data: {:?}",
        sandbox_ledger.duplicates()
    );
    let mut wamids: Vec<&str> = ledger.iter().map(|e| e.wamid.as_str()).collect();
    wamids.sort_unstable();
    wamids.dedup();
    assert_eq!(wamids.len(), 120, "every wamid is unique");
    assert!(
        webhooks.iter().all(|w| match &w.kind {
            WebhookKind::Status(s) => ledger.iter().any(|e| e.wamid == s.wamid),
            _ => true,
        }),
        "every status webhook is about a message in the ledger"
    );

    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    for to in [number(1), number(2)] {
        sandbox
            .send_template(now, offer(&to).with_callback_data("row-1"))
            .expect("the sandbox accepts a resend: only the ledger can tell");
    }
    let duplicates = sandbox.ledger().duplicates();
    assert_eq!(duplicates.len(), 1, "a resend of row-1 is caught");
    assert_eq!(duplicates[0].callback_data, "row-1");
    assert_eq!(duplicates[0].wamids.len(), 2);
}

#[test]
fn paused_and_unknown_templates_are_refused_before_any_limit() {
    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    let unknown = sandbox
        .send_template(now, SendRequest::new(&number(1), "no_such", "en"))
        .expect_err("unknown template");
    assert_eq!((unknown.code(), unknown.meta().http_status), (132001, 404));
    let wrong_count = sandbox
        .send_template(now, SendRequest::new(&number(1), "spring_offer", "en"))
        .expect_err("the body needs one parameter");
    assert_eq!(wrong_count.code(), 132000, "parameter count mismatch");
    let long = "x".repeat(513);
    let too_long = sandbox
        .send_template(now, offer(&number(1)).with_callback_data(&long))
        .expect_err("callback data over 512");
    assert_eq!(too_long.code(), 131009);
    assert!(
        sandbox.ledger().is_empty(),
        "refusals never reach the ledger"
    );
}

#[test]
fn reset_starts_over_at_the_current_time() {
    let (mut sandbox, now) = approved(Profile::default(), 1, 1.0);
    sandbox
        .send_template(now, offer(&number(1)))
        .expect("accepted");
    sandbox.reset();
    assert!(sandbox.ledger().is_empty(), "reset empties the ledger");
    assert!(sandbox.templates().is_empty(), "and the templates");
    assert_eq!(sandbox.now(), now, "but time does not go back");
    assert!(sandbox.check_access_token("sandbox-access-token").is_ok());
    assert_eq!(
        sandbox.check_access_token("wrong").map_err(|e| e.code()),
        Err(190)
    );
}
