//! The simulation: one [`Sandbox`] holds the templates, the limits, the ledger, the
//! agenda of things due later (reviews, statuses, reactions, unpauses) and the outbox
//! of webhooks. Every call takes the simulated `now`; before doing anything, the
//! sandbox catches up with the agenda up to `now`, so the state is always that of
//! `now`. No I/O, no wall clock, no randomness but the seeded streams.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Serialize;

use crate::calls::{CallScope, CallWindow};
use crate::clock::{SimTime, TimeScale};
use crate::error::{Error, MetaError, Result};
use crate::events::{
    InboundContent, InboundMessage, MarketingPreference, MessageStatus, Outbox, Pricing,
    StatusUpdate, TemplateQualityUpdate, TemplateStatusEvent, TemplateStatusUpdate, UserPreference,
    Webhook, WebhookKind,
};
use crate::fault::{self, FaultDecision};
use crate::ledger::{Ledger, LedgerEntry, LedgerOutcome};
use crate::limits::{self, code};
use crate::profile::{AccountState, Faults, MillisRange, Profile};
use crate::quality::{FeedbackWindow, PauseStep, QualityScore, pause_step};
use crate::rng::SeededRng;
use crate::send::{
    self, Accepted, MarketingCount, PairRate, ReachWindow, SendRequest, ThroughputBucket,
};
use crate::templates::{
    self, Category, TemplateDraft, TemplateEvent, TemplateStatus, Violation, reason,
};

/// Template ids look like Meta's (16 digits) and are numbered from here.
const TEMPLATE_ID_BASE: u64 = 1_000_000_000_000_000;

/// Text replies simulated recipients write, picked by the seeded stream.
const REPLY_TEXTS: &[&str] = &[
    "Thanks!",
    "How much is it?",
    "Tell me more, please",
    "Is it still available?",
    "Спасибо, интересно",
];

/// Independent random streams of one seed.
const STREAM_FAULTS: u64 = 1;
const STREAM_IDS: u64 = 2;

/// A template as the sandbox keeps it.
#[derive(Debug, Clone)]
struct StoredTemplate {
    id: u64,
    draft: TemplateDraft,
    status: TemplateStatus,
    quality: QualityScore,
    feedback: FeedbackWindow,
    pauses: u32,
    rejected_reason: Option<String>,
    violations: Vec<Violation>,
}

/// A template as `GET message_templates` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateView {
    pub id: u64,
    pub name: String,
    pub language: String,
    pub category: Category,
    pub status: TemplateStatus,
    pub quality_score: QualityScore,
    /// Meta lists `NONE` for templates that were not rejected.
    pub rejected_reason: String,
    /// Structural problems review found (empty unless rejected for INVALID_FORMAT).
    pub violations: Vec<Violation>,
    pub draft: TemplateDraft,
}

impl From<&StoredTemplate> for TemplateView {
    fn from(stored: &StoredTemplate) -> Self {
        TemplateView {
            id: stored.id,
            name: stored.draft.name.clone(),
            language: stored.draft.language.clone(),
            category: stored.draft.category,
            status: stored.status,
            quality_score: stored.quality,
            rejected_reason: stored
                .rejected_reason
                .clone()
                .unwrap_or_else(|| reason::NONE.to_owned()),
            violations: stored.violations.clone(),
            draft: stored.draft.clone(),
        }
    }
}

/// Something due at a later simulated instant.
#[derive(Debug, Clone, PartialEq)]
enum Scheduled {
    Review {
        template_id: u64,
    },
    Unpause {
        template_id: u64,
    },
    Emit(WebhookKind),
    /// A delivered message's fate is known: it counts in the template's quality.
    Settle {
        template_id: u64,
        negative: bool,
    },
    /// A recipient taps "Stop promotions".
    StopMarketing {
        wa_id: String,
    },
}

/// A recipient's reaction to one delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reaction {
    Reply,
    ButtonTap,
    Stop,
    Block,
    Report,
}

/// Counts of refused requests by Meta error code, for benchmarks and the control API.
pub type RefusalCounts = BTreeMap<u32, u64>;

/// How much of each hourly Graph API budget is spent (the control API's state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallUsage {
    pub waba_calls: u32,
    pub waba_calls_per_hour: u32,
    pub app_calls: u32,
    pub app_calls_per_hour: u32,
    pub template_creations: u32,
    pub template_creations_per_hour: u32,
}

/// The offline Cloud API's state and rules.
#[derive(Debug, Clone)]
pub struct Sandbox {
    profile: Profile,
    seed: u64,
    scale: TimeScale,
    now: SimTime,
    behaviour_rng: SeededRng,
    fault_rng: SeededRng,
    id_rng: SeededRng,
    templates: BTreeMap<u64, StoredTemplate>,
    next_template_id: u64,
    agenda: BTreeMap<(SimTime, u64), Scheduled>,
    agenda_seq: u64,
    throughput: ThroughputBucket,
    pairs: PairRate,
    reach: ReachWindow,
    marketing: MarketingCount,
    /// The account's standing now (starts as the profile's; the control API moves it).
    account_state: AccountState,
    waba_calls: CallWindow,
    app_calls: CallWindow,
    template_creations: CallWindow,
    stopped: BTreeSet<String>,
    ledger: Ledger,
    outbox: Outbox,
    refusals: RefusalCounts,
    message_seq: u64,
}

impl Sandbox {
    /// A fresh sandbox at `start` (simulated time).
    pub fn new(profile: Profile, seed: u64, scale: TimeScale, start: SimTime) -> Self {
        let throughput = ThroughputBucket::new(profile.limits.throughput_per_second, start);
        let pairs = PairRate::new(
            Duration::from_millis(profile.limits.pair_min_gap_ms),
            profile.limits.pair_burst,
        );
        let stopped = profile
            .recipients
            .stopped_marketing
            .iter()
            .filter_map(|number| send::wa_id(number).ok())
            .collect();
        Self {
            seed,
            scale,
            now: start,
            behaviour_rng: SeededRng::new(seed),
            fault_rng: SeededRng::fork(seed, STREAM_FAULTS),
            id_rng: SeededRng::fork(seed, STREAM_IDS),
            templates: BTreeMap::new(),
            next_template_id: TEMPLATE_ID_BASE,
            agenda: BTreeMap::new(),
            agenda_seq: 0,
            throughput,
            pairs,
            reach: ReachWindow::default(),
            marketing: MarketingCount::default(),
            account_state: profile.account.state,
            waba_calls: CallWindow::default(),
            app_calls: CallWindow::default(),
            template_creations: CallWindow::default(),
            stopped,
            ledger: Ledger::default(),
            outbox: Outbox::default(),
            refusals: RefusalCounts::new(),
            message_seq: 0,
            profile,
        }
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn time_scale(&self) -> TimeScale {
        self.scale
    }

    /// The latest simulated instant the sandbox has reached.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// When the next scheduled thing happens, so the HTTP layer can sleep until then.
    pub fn next_due(&self) -> Option<SimTime> {
        self.agenda.keys().next().map(|(at, _)| *at)
    }

    /// Start over with the same profile, seed and scale, at the current time.
    pub fn reset(&mut self) {
        *self = Sandbox::new(self.profile.clone(), self.seed, self.scale, self.now);
    }

    /// Only the profile's access token is accepted (Meta answers 190 otherwise).
    pub fn check_access_token(&self, token: &str) -> Result<()> {
        if token == self.profile.account.access_token {
            Ok(())
        } else {
            Err(Error::AccessToken)
        }
    }

    /// Replace the profile's faults at run time (the control API's switch), so that a
    /// test can set up templates on a healthy API and then make it fail.
    pub fn set_faults(&mut self, faults: Faults) -> Result<()> {
        let mut profile = self.profile.clone();
        profile.faults = faults;
        profile.validate()?;
        self.profile = profile;
        Ok(())
    }

    /// The account's standing now.
    pub fn account_state(&self) -> AccountState {
        self.account_state
    }

    /// The control API's switch: Meta blocks, locks or unblocks the account. The
    /// profile keeps its own state, so a reset returns to it.
    pub fn set_account_state(&mut self, state: AccountState) {
        self.account_state = state;
    }

    /// One Graph API call spending `scope`'s hourly budget: refused with Meta's rate
    /// limit error (80007 for the WABA, 4 for the app) once the budget is spent.
    pub fn count_api_call(&mut self, now: SimTime, scope: CallScope) -> Result<()> {
        self.advance_to(now);
        let now = self.now;
        let window = self.call_window();
        let (calls, limit) = match scope {
            CallScope::Waba => (
                &mut self.waba_calls,
                self.profile.limits.waba_calls_per_hour,
            ),
            CallScope::App => (&mut self.app_calls, self.profile.limits.app_calls_per_hour),
        };
        if !calls.has_room(now, window, limit) {
            let error = Error::CallRateLimit { scope, limit };
            *self.refusals.entry(error.code()).or_default() += 1;
            return Err(error);
        }
        calls.record(now);
        Ok(())
    }

    /// The spent part of each hourly budget at `now`.
    pub fn call_usage(&mut self, now: SimTime) -> CallUsage {
        self.advance_to(now);
        let now = self.now;
        let window = self.call_window();
        let limits = &self.profile.limits;
        CallUsage {
            waba_calls: self.waba_calls.count(now, window),
            waba_calls_per_hour: limits.waba_calls_per_hour,
            app_calls: self.app_calls.count(now, window),
            app_calls_per_hour: limits.app_calls_per_hour,
            template_creations: self.template_creations.count(now, window),
            template_creations_per_hour: limits.template_creations_per_hour,
        }
    }

    /// Meta's hour, shortened by the time scale like the other long windows.
    fn call_window(&self) -> Duration {
        self.scale.shorten(limits::API_CALL_WINDOW)
    }

    /// The fault to inject into one API request, from its own seeded stream (so that
    /// faults do not change which recipients read or block).
    pub fn decide_fault(&mut self) -> FaultDecision {
        fault::decide(&self.profile.faults, &mut self.fault_rng)
    }

    // ----- time -----

    /// Process everything due up to `now`, in time order, and move to `now`. Earlier
    /// instants than the current one are ignored: simulated time never goes back.
    pub fn advance_to(&mut self, now: SimTime) {
        while let Some(entry) = self.agenda.first_entry() {
            let (at, _) = *entry.key();
            if at > now {
                break;
            }
            let item = entry.remove();
            self.now = self.now.max(at);
            self.process(item);
        }
        self.now = self.now.max(now);
    }

    /// The control API's "advance time": jump forward by `duration` of simulated time.
    pub fn advance(&mut self, duration: Duration) -> SimTime {
        let target = self.now.after(duration);
        self.advance_to(target);
        self.now
    }

    fn schedule(&mut self, at: SimTime, item: Scheduled) {
        self.agenda_seq += 1;
        self.agenda.insert((at, self.agenda_seq), item);
    }

    fn process(&mut self, item: Scheduled) {
        match item {
            Scheduled::Review { template_id } => self.review(template_id),
            Scheduled::Unpause { template_id } => self.unpause(template_id),
            Scheduled::Emit(kind) => self.outbox.emit(self.now, kind),
            Scheduled::Settle {
                template_id,
                negative,
            } => self.settle(template_id, negative),
            Scheduled::StopMarketing { wa_id } => {
                self.set_preference(&wa_id, MarketingPreference::Stop)
            }
        }
    }

    // ----- templates -----

    /// `POST message_templates`: the template starts PENDING and is reviewed after the
    /// profile's (scaled) delay.
    pub fn create_template(&mut self, now: SimTime, draft: TemplateDraft) -> Result<TemplateView> {
        self.advance_to(now);
        let result = self.try_create_template(draft);
        if let Err(error) = &result
            && matches!(
                error,
                Error::AccountRestricted { .. } | Error::TemplateCreationLimit { .. }
            )
        {
            *self.refusals.entry(error.code()).or_default() += 1;
        }
        result
    }

    /// The account may create (not blocked or locked), the hourly creations are not
    /// spent, the draft is sound and new: then the template starts PENDING.
    fn try_create_template(&mut self, draft: TemplateDraft) -> Result<TemplateView> {
        if self.account_state.refuses_template_creation() {
            return Err(Error::AccountRestricted {
                state: self.account_state,
            });
        }
        let window = self.call_window();
        let limit = self.profile.limits.template_creations_per_hour;
        if !self.template_creations.has_room(self.now, window, limit) {
            return Err(Error::TemplateCreationLimit { limit });
        }
        draft.check_creatable()?;
        if self
            .templates
            .values()
            .any(|t| t.draft.name == draft.name && t.draft.language == draft.language)
        {
            return Err(Error::DuplicateTemplate {
                name: draft.name,
                language: draft.language,
            });
        }
        self.next_template_id += 1;
        let id = self.next_template_id;
        let stored = StoredTemplate {
            id,
            violations: templates::review(&draft),
            draft,
            status: TemplateStatus::Pending,
            quality: QualityScore::Unknown,
            feedback: FeedbackWindow::default(),
            pauses: 0,
            rejected_reason: None,
        };
        let view = TemplateView::from(&stored);
        self.templates.insert(id, stored);
        self.template_creations.record(self.now);
        let delay = self
            .scale
            .shorten(Duration::from_millis(self.profile.review.delay_ms));
        self.schedule(self.now.after(delay), Scheduled::Review { template_id: id });
        Ok(view)
    }

    /// `GET message_templates`: every template, oldest first.
    pub fn templates(&self) -> Vec<TemplateView> {
        self.templates.values().map(TemplateView::from).collect()
    }

    pub fn template(&self, name: &str, language: &str) -> Option<TemplateView> {
        self.find_template(name, language).map(TemplateView::from)
    }

    /// `DELETE message_templates?name=`: every language of that name. Returns how many
    /// were deleted.
    pub fn delete_template(&mut self, now: SimTime, name: &str) -> Result<usize> {
        self.advance_to(now);
        let before = self.templates.len();
        self.templates.retain(|_, t| t.draft.name != name);
        match before - self.templates.len() {
            0 => Err(Error::TemplateNotFound {
                name: name.to_owned(),
            }),
            deleted => Ok(deleted),
        }
    }

    /// `DELETE message_templates?name=&hsm_id=`: the one template with that id, whose
    /// name must match (Meta refuses an id that belongs to another name).
    pub fn delete_template_by_id(&mut self, now: SimTime, name: &str, id: u64) -> Result<()> {
        self.advance_to(now);
        match self.templates.get(&id) {
            Some(template) if template.draft.name == name => {
                self.templates.remove(&id);
                Ok(())
            }
            _ => Err(Error::TemplateNotFound {
                name: name.to_owned(),
            }),
        }
    }

    fn find_template(&self, name: &str, language: &str) -> Option<&StoredTemplate> {
        self.templates
            .values()
            .find(|t| t.draft.name == name && t.draft.language == language)
    }

    fn transition(
        &mut self,
        template_id: u64,
        event: TemplateEvent,
    ) -> Option<&mut StoredTemplate> {
        let template = self.templates.get_mut(&template_id)?;
        let next = template.status.after(event)?;
        template.status = next;
        Some(template)
    }

    fn review(&mut self, template_id: u64) {
        let Some(template) = self.templates.get(&template_id) else {
            return; // deleted while pending
        };
        let rejection = if let Some(first) = template.violations.first() {
            Some((
                reason::INVALID_FORMAT.to_owned(),
                Some(first.explanation.clone()),
            ))
        } else if let Some(reason) = self.profile.review.reject_names.get(&template.draft.name) {
            Some((reason.clone(), None))
        } else if self.profile.review.reject_rate > 0.0
            && self.behaviour_rng.chance(self.profile.review.reject_rate)
        {
            Some((self.profile.review.reject_reason.clone(), None))
        } else {
            None
        };
        let now = self.now;
        let (event, webhook_event, reason, info) = match rejection {
            Some((reason, info)) => (
                TemplateEvent::Reject,
                TemplateStatusEvent::Rejected,
                reason,
                info,
            ),
            None => (
                TemplateEvent::Approve,
                TemplateStatusEvent::Approved,
                reason::NONE.to_owned(),
                None,
            ),
        };
        let Some(template) = self.transition(template_id, event) else {
            return;
        };
        if event == TemplateEvent::Reject {
            template.rejected_reason = Some(reason.clone());
        }
        let update = status_update(template, webhook_event, reason, now);
        self.outbox.emit(
            now,
            WebhookKind::TemplateStatus(TemplateStatusUpdate {
                rejection_info: info,
                ..update
            }),
        );
    }

    fn unpause(&mut self, template_id: u64) {
        let now = self.now;
        let Some(template) = self.transition(template_id, TemplateEvent::Unpause) else {
            return;
        };
        template.feedback.clear();
        let update = TemplateStatusUpdate {
            other_info: Some((
                "UNPAUSE".to_owned(),
                "Your WhatsApp message template has been unpaused.".to_owned(),
            )),
            ..status_update(
                template,
                TemplateStatusEvent::Approved,
                reason::NONE.into(),
                now,
            )
        };
        self.outbox.emit(now, WebhookKind::TemplateStatus(update));
    }

    fn settle(&mut self, template_id: u64, negative: bool) {
        let now = self.now;
        let rules = self.profile.quality.clone();
        let Some(template) = self.templates.get_mut(&template_id) else {
            return;
        };
        template.feedback.record(negative, rules.window_messages);
        let score = template.feedback.score(&rules);
        // Too little fresh feedback gives no judgement: the last score stands.
        if score == QualityScore::Unknown {
            return;
        }
        if score != template.quality {
            let update = TemplateQualityUpdate {
                template_id,
                name: template.draft.name.clone(),
                language: template.draft.language.clone(),
                previous: template.quality,
                new: score,
                timestamp: now,
            };
            template.quality = score;
            self.outbox.emit(now, WebhookKind::TemplateQuality(update));
        }
        if score == QualityScore::Red && template.status == TemplateStatus::Approved {
            self.fall_to_red(template_id);
        }
    }

    fn fall_to_red(&mut self, template_id: u64) {
        let now = self.now;
        let Some(pauses) = self.templates.get(&template_id).map(|t| t.pauses) else {
            return;
        };
        match pause_step(pauses) {
            PauseStep::Pause { duration, title } => {
                let until = now.after(self.scale.shorten(duration));
                let Some(template) = self.transition(template_id, TemplateEvent::Pause) else {
                    return;
                };
                template.pauses += 1;
                let update = TemplateStatusUpdate {
                    other_info: Some((
                        title.to_owned(),
                        "Your WhatsApp message template has been paused because of low quality."
                            .to_owned(),
                    )),
                    ..status_update(
                        template,
                        TemplateStatusEvent::Paused,
                        reason::NONE.into(),
                        now,
                    )
                };
                self.outbox.emit(now, WebhookKind::TemplateStatus(update));
                self.schedule(until, Scheduled::Unpause { template_id });
            }
            PauseStep::Disable => {
                let Some(template) = self.transition(template_id, TemplateEvent::Disable) else {
                    return;
                };
                let update = TemplateStatusUpdate {
                    disable_date: Some(now),
                    ..status_update(
                        template,
                        TemplateStatusEvent::Disabled,
                        reason::NONE.into(),
                        now,
                    )
                };
                self.outbox.emit(now, WebhookKind::TemplateStatus(update));
            }
        }
    }

    // ----- sending -----

    /// `POST /{phone}/messages` with a template. Checks in Meta's order: the account's
    /// standing (368, 131031, 131042), the request, the template (exists and approved, paused, disabled), its parameters, then
    /// throughput (130429), pair rate (131056) and messaging tier (131048). An
    /// accepted message may still fail later, in its status webhook, as Meta does:
    /// not on WhatsApp (131026), stopped marketing (131050), US +1 marketing (131049),
    /// per-user marketing limit (131049).
    pub fn send_template(&mut self, now: SimTime, request: SendRequest) -> Result<Accepted> {
        self.advance_to(now);
        let result = self.try_send(request);
        if let Err(error) = &result {
            *self.refusals.entry(error.code()).or_default() += 1;
        }
        result
    }

    /// Refused requests so far, by Meta error code.
    pub fn refusals(&self) -> &RefusalCounts {
        &self.refusals
    }

    fn try_send(&mut self, request: SendRequest) -> Result<Accepted> {
        let now = self.now;
        // Meta checks the account before the message: a blocked, locked or unpaid
        // account sends nothing, whatever the request.
        if self.account_state.send_refusal_code().is_some() {
            return Err(Error::AccountRestricted {
                state: self.account_state,
            });
        }
        let wa_id = send::wa_id(&request.to)?;
        send::check_callback_data(request.callback_data.as_deref())?;
        let template = self
            .find_template(&request.template, &request.language)
            .ok_or_else(|| Error::UnknownTemplate {
                name: request.template.clone(),
                language: request.language.clone(),
            })?;
        match template.status {
            TemplateStatus::Approved => {}
            TemplateStatus::Paused => {
                return Err(Error::TemplatePaused {
                    name: request.template,
                });
            }
            TemplateStatus::Disabled => {
                return Err(Error::TemplateDisabled {
                    name: request.template,
                });
            }
            TemplateStatus::Pending | TemplateStatus::Rejected => {
                return Err(Error::UnknownTemplate {
                    name: request.template,
                    language: request.language,
                });
            }
        }
        send::check_parameters(&template.draft, &request)?;
        let template_id = template.id;
        let category = template.draft.category;
        let quick_replies: Vec<String> = template
            .draft
            .quick_replies()
            .into_iter()
            .map(str::to_owned)
            .collect();

        if !self.throughput.has_room(now) {
            return Err(Error::Throughput {
                per_second: self.profile.limits.throughput_per_second,
            });
        }
        if !self.pairs.has_room(&wa_id, now) {
            return Err(Error::PairRate { to: wa_id });
        }
        let day = self.scale.shorten(limits::ROLLING_DAY);
        if let Some(limit) = self.profile.limits.messaging_tier.unique_recipients()
            && !self.reach.contains(&wa_id, now, day)
            && self.reach.unique(now, day) >= limit
        {
            return Err(Error::MessagingLimit { limit });
        }
        self.throughput.take(now);
        self.pairs.take(&wa_id, now);

        let failure = self.failure_for(&wa_id, category, now, day);
        // Only a delivered message reaches someone: a failed one takes no tier place
        // and does not count toward the recipient's marketing limit.
        if failure.is_none() {
            self.reach.record(&wa_id, now);
            if category == Category::Marketing {
                self.marketing.record(&wa_id, now);
            }
        }
        let wamid = self.new_wamid(&wa_id);
        self.ledger.record(LedgerEntry {
            wamid: wamid.clone(),
            to: wa_id.clone(),
            template: request.template.clone(),
            language: request.language.clone(),
            category,
            callback_data: request.callback_data.clone(),
            accepted_at: now,
            outcome: match failure {
                Some((code, _)) => LedgerOutcome::Failed { code },
                None => LedgerOutcome::Delivered,
            },
        });
        let message = AcceptedMessage {
            wamid: wamid.clone(),
            wa_id: wa_id.clone(),
            template_id,
            template_name: request.template.clone(),
            category,
            callback_data: request.callback_data.clone(),
            quick_replies,
            button_payloads: request.buttons.clone(),
        };
        match failure {
            Some((code, details)) => self.schedule_failure(&message, code, details),
            None => self.schedule_delivery(&message),
        }
        Ok(Accepted {
            wamid,
            wa_id,
            input: request.to,
        })
    }

    /// Why an accepted message will fail, in the order Meta's checks run.
    fn failure_for(
        &mut self,
        wa_id: &str,
        category: Category,
        now: SimTime,
        day: Duration,
    ) -> Option<(u32, &'static str)> {
        let marketing = category == Category::Marketing;
        if self.profile.recipients.is_not_on_whatsapp(wa_id) {
            Some((code::UNDELIVERABLE, "the recipient is not on WhatsApp"))
        } else if marketing && self.stopped.contains(wa_id) {
            Some((
                code::USER_STOPPED_MARKETING,
                "the recipient stopped marketing messages from this business",
            ))
        } else if marketing
            && self.profile.recipients.block_us_marketing
            && wa_id.starts_with(limits::US_CALLING_CODE)
        {
            Some((
                code::ECOSYSTEM_LIMIT,
                "marketing templates are not delivered to US (+1) numbers",
            ))
        } else if marketing
            && self.marketing.count(wa_id, now, day)
                >= self.profile.limits.marketing_per_user_per_day
        {
            Some((
                code::ECOSYSTEM_LIMIT,
                "the recipient reached the per-user marketing limit; retry after 24 hours",
            ))
        } else {
            None
        }
    }

    fn new_wamid(&mut self, wa_id: &str) -> String {
        self.message_seq += 1;
        let mut bytes = wa_id.as_bytes().to_vec();
        bytes.extend_from_slice(&self.message_seq.to_be_bytes());
        bytes.extend_from_slice(&self.id_rng.next_u64().to_be_bytes());
        format!("wamid.{}", base64(&bytes))
    }

    fn delay(&mut self, range: MillisRange) -> Duration {
        Duration::from_millis(self.behaviour_rng.between(range.min, range.max))
    }

    fn schedule_failure(&mut self, message: &AcceptedMessage, code: u32, details: &str) {
        let at = self
            .now
            .after(self.delay(self.profile.delivery.sent_after_ms));
        let status = message.status(
            MessageStatus::Failed,
            at,
            Some(MetaError::new(code, details)),
        );
        self.schedule(at, Scheduled::Emit(WebhookKind::Status(status)));
    }

    fn schedule_delivery(&mut self, message: &AcceptedMessage) {
        let delivery = self.profile.delivery.clone();
        let rates = self.profile.rates_for(&message.template_name).clone();
        let sent_at = self.now.after(self.delay(delivery.sent_after_ms));
        let delivered_at = sent_at.after(self.delay(delivery.delivered_after_ms));

        let roll = self.behaviour_rng.next_f64();
        let reactions = [
            (Reaction::Reply, rates.reply),
            (Reaction::ButtonTap, rates.button_tap),
            (Reaction::Stop, rates.stop),
            (Reaction::Block, rates.block),
            (Reaction::Report, rates.report),
        ];
        let mut cumulative = 0.0;
        let reaction = reactions.iter().find_map(|(reaction, p)| {
            cumulative += p;
            (roll < cumulative).then_some(*reaction)
        });
        let read = reaction.is_some() || self.behaviour_rng.chance(rates.read);

        self.schedule(
            sent_at,
            Scheduled::Emit(WebhookKind::Status(message.status(
                MessageStatus::Sent,
                sent_at,
                None,
            ))),
        );
        let delivered = Scheduled::Emit(WebhookKind::Status(message.status(
            MessageStatus::Delivered,
            delivered_at,
            None,
        )));
        if !read {
            self.schedule(delivered_at, delivered);
            self.schedule(
                delivered_at,
                Scheduled::Settle {
                    template_id: message.template_id,
                    negative: false,
                },
            );
            return;
        }
        let read_at = delivered_at.after(self.delay(delivery.read_after_ms));
        // Meta does not promise order: sometimes `delivered` arrives after `read`,
        // still carrying its own (earlier) timestamp.
        if self.behaviour_rng.chance(delivery.out_of_order_rate) {
            let late = read_at.after(Duration::from_millis(self.behaviour_rng.between(1, 2_000)));
            self.schedule(late, delivered);
        } else {
            self.schedule(delivered_at, delivered);
        }
        self.schedule(
            read_at,
            Scheduled::Emit(WebhookKind::Status(message.status(
                MessageStatus::Read,
                read_at,
                None,
            ))),
        );
        let settle_at = match reaction {
            None => read_at,
            Some(reaction) => {
                let at = read_at.after(self.delay(delivery.reaction_after_ms));
                self.schedule_reaction(message, reaction, at);
                at
            }
        };
        self.schedule(
            settle_at,
            Scheduled::Settle {
                template_id: message.template_id,
                negative: matches!(reaction, Some(Reaction::Block | Reaction::Report)),
            },
        );
    }

    fn schedule_reaction(&mut self, message: &AcceptedMessage, reaction: Reaction, at: SimTime) {
        let content = match reaction {
            Reaction::ButtonTap if !message.quick_replies.is_empty() => {
                let index = self.behaviour_rng.index(message.quick_replies.len());
                let text = message.quick_replies[index].clone();
                // The payload is what the send put on that button, else the label.
                let payload = message
                    .button_payloads
                    .iter()
                    .find(|button| button.index == index)
                    .map_or_else(|| text.clone(), |button| button.value.clone());
                InboundContent::Button { payload, text }
            }
            // A tap on a template without quick replies is a typed answer instead.
            Reaction::Reply | Reaction::ButtonTap => InboundContent::Text {
                body: REPLY_TEXTS[self.behaviour_rng.index(REPLY_TEXTS.len())].to_owned(),
            },
            Reaction::Stop => {
                self.schedule(
                    at,
                    Scheduled::StopMarketing {
                        wa_id: message.wa_id.clone(),
                    },
                );
                return;
            }
            // Meta tells the business nothing about blocks and reports: they only
            // count against quality (see `settle`).
            Reaction::Block | Reaction::Report => return,
        };
        let inbound = InboundMessage {
            id: self.new_wamid(&message.wa_id),
            from: message.wa_id.clone(),
            timestamp: at,
            content,
            context: Some(message.wamid.clone()),
        };
        self.schedule(at, Scheduled::Emit(WebhookKind::Inbound(inbound)));
    }

    // ----- control API -----

    /// Inject an inbound message from `from` (text or quick-reply tap), optionally
    /// answering one of the sandbox's messages. Returns the inbound message's id.
    pub fn inject_inbound(
        &mut self,
        now: SimTime,
        from: &str,
        content: InboundContent,
        context: Option<&str>,
    ) -> Result<String> {
        self.advance_to(now);
        let wa_id = send::wa_id(from)?;
        if let Some(wamid) = context
            && self.ledger.get(wamid).is_none()
        {
            return Err(Error::UnknownMessage {
                wamid: wamid.to_owned(),
            });
        }
        let id = self.new_wamid(&wa_id);
        let inbound = InboundMessage {
            id: id.clone(),
            from: wa_id,
            timestamp: self.now,
            content,
            context: context.map(str::to_owned),
        };
        self.outbox.emit(self.now, WebhookKind::Inbound(inbound));
        Ok(id)
    }

    /// Inject a `user_preferences` change: `Stop` makes later marketing sends to this
    /// number fail with 131050; `Resume` lifts it.
    pub fn inject_preference(
        &mut self,
        now: SimTime,
        number: &str,
        value: MarketingPreference,
    ) -> Result<()> {
        self.advance_to(now);
        let wa_id = send::wa_id(number)?;
        self.set_preference(&wa_id, value);
        Ok(())
    }

    fn set_preference(&mut self, wa_id: &str, value: MarketingPreference) {
        match value {
            MarketingPreference::Stop => self.stopped.insert(wa_id.to_owned()),
            MarketingPreference::Resume => self.stopped.remove(wa_id),
        };
        self.outbox.emit(
            self.now,
            WebhookKind::UserPreference(UserPreference {
                wa_id: wa_id.to_owned(),
                timestamp: self.now,
                value,
            }),
        );
    }

    /// Whether `number` has stopped marketing messages.
    pub fn has_stopped_marketing(&self, number: &str) -> bool {
        send::wa_id(number).is_ok_and(|wa_id| self.stopped.contains(&wa_id))
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Take every webhook emitted so far (the HTTP layer signs and delivers them).
    pub fn take_webhooks(&mut self) -> Vec<Webhook> {
        self.outbox.take()
    }

    /// Webhooks emitted and not yet taken.
    pub fn pending_webhooks(&self) -> impl Iterator<Item = &Webhook> {
        self.outbox.pending()
    }
}

/// What scheduling needs to know about an accepted message.
struct AcceptedMessage {
    wamid: String,
    wa_id: String,
    template_id: u64,
    template_name: String,
    category: Category,
    callback_data: Option<String>,
    quick_replies: Vec<String>,
    button_payloads: Vec<send::ButtonParameter>,
}

impl AcceptedMessage {
    fn status(&self, status: MessageStatus, at: SimTime, error: Option<MetaError>) -> StatusUpdate {
        let pricing =
            matches!(status, MessageStatus::Sent | MessageStatus::Delivered).then_some(Pricing {
                billable: true,
                category: self.category,
            });
        StatusUpdate {
            wamid: self.wamid.clone(),
            recipient_id: self.wa_id.clone(),
            status,
            timestamp: at,
            callback_data: self.callback_data.clone(),
            error,
            pricing,
        }
    }
}

fn status_update(
    template: &StoredTemplate,
    event: TemplateStatusEvent,
    reason: String,
    now: SimTime,
) -> TemplateStatusUpdate {
    TemplateStatusUpdate {
        template_id: template.id,
        name: template.draft.name.clone(),
        language: template.draft.language.clone(),
        category: template.draft.category,
        event,
        reason,
        rejection_info: None,
        other_info: None,
        disable_date: None,
        timestamp: now,
    }
}

/// Standard base64 without padding: wamids look like Meta's (`wamid.HBgL…`).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (at, byte)| n | u32::from(*byte) << (16 - 8 * at));
        for at in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * at) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet() {
        let cases: [(&[u8], &str); 4] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input), expected, "base64 of {input:?}");
        }
    }
}
