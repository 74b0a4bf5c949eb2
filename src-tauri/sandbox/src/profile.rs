//! The sandbox profile: the account it pretends to be, its limits, how its simulated
//! recipients behave, which faults it injects and when quality falls.
//!
//! A profile is JSON (`--profile FILE`); every field has a default, so a file only
//! names what it changes. `Profile::default()` is what `--print-default-profile` prints.
//! Meta's fixed numbers live in `limits`; here is only what a profile may choose.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Everything a sandbox run is configured with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    pub account: Account,
    pub review: Review,
    pub limits: SendLimits,
    pub recipients: Recipients,
    pub behaviour: Behaviour,
    pub delivery: Delivery,
    pub faults: Faults,
    pub quality: QualityRules,
}

impl Profile {
    /// A profile from JSON, checked for values the simulation cannot use.
    pub fn from_json(json: &str) -> Result<Profile> {
        let profile: Profile = serde_json::from_str(json)?;
        profile.validate()?;
        Ok(profile)
    }

    /// The profile as pretty JSON (what `--print-default-profile` prints).
    pub fn to_json(&self) -> String {
        // A struct of plain fields and string-keyed maps always serialises.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Refuse what would make the simulation meaningless rather than misbehave later.
    pub fn validate(&self) -> Result<()> {
        if self.account.app_id.is_empty() || self.account.app_id.contains(['/', '?', '#']) {
            return Err(Error::InvalidProfile(
                "account.app_id must be a non-empty id (it is a path segment)".into(),
            ));
        }
        if self.limits.throughput_per_second == 0 {
            return Err(Error::InvalidProfile(
                "limits.throughput_per_second must be at least 1".into(),
            ));
        }
        let hourly = [
            (
                "limits.waba_calls_per_hour",
                self.limits.waba_calls_per_hour,
            ),
            ("limits.app_calls_per_hour", self.limits.app_calls_per_hour),
            (
                "limits.template_creations_per_hour",
                self.limits.template_creations_per_hour,
            ),
        ];
        for (field, value) in hourly {
            if value == 0 {
                return Err(Error::InvalidProfile(format!(
                    "{field} must be at least 1 (a WABA that can make no call cannot be simulated)"
                )));
            }
        }
        if self.limits.pair_burst == 0 {
            return Err(Error::InvalidProfile(
                "limits.pair_burst must be at least 1".into(),
            ));
        }
        let rates = std::iter::once(("behaviour.default", &self.behaviour.default)).chain(
            self.behaviour
                .templates
                .iter()
                .map(|(name, rates)| (name.as_str(), rates)),
        );
        for (owner, rates) in rates {
            if !rates.is_valid() {
                return Err(Error::InvalidProfile(format!(
                    "rates of {owner}: every rate is in [0, 1] and reply + button_tap + stop + block + report is at most 1"
                )));
            }
        }
        let probabilities = [
            ("review.reject_rate", self.review.reject_rate),
            (
                "delivery.out_of_order_rate",
                self.delivery.out_of_order_rate,
            ),
            ("faults.server_error_rate", self.faults.server_error_rate),
            ("faults.timeout_rate", self.faults.timeout_rate),
            (
                "faults.dropped_connection_rate",
                self.faults.dropped_connection_rate,
            ),
            ("quality.yellow_rate", self.quality.yellow_rate),
            ("quality.red_rate", self.quality.red_rate),
        ];
        for (field, value) in probabilities {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::InvalidProfile(format!(
                    "{field} is a probability in [0, 1], got {value}"
                )));
            }
        }
        let reasons =
            std::iter::once(&self.review.reject_reason).chain(self.review.reject_names.values());
        for reason in reasons {
            if !crate::templates::reason::ALL.contains(&reason.as_str()) {
                return Err(Error::InvalidProfile(format!(
                    "review reason {reason:?} is not one of Meta's: {}",
                    crate::templates::reason::ALL.join(", ")
                )));
            }
        }
        if self.quality.yellow_rate > self.quality.red_rate {
            return Err(Error::InvalidProfile(
                "quality.yellow_rate must not exceed quality.red_rate".into(),
            ));
        }
        if self.quality.window_messages == 0 || self.quality.min_messages == 0 {
            return Err(Error::InvalidProfile(
                "quality.window_messages and quality.min_messages must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The behaviour rates of one template: its override, else the default.
    pub fn rates_for(&self, template_name: &str) -> &Rates {
        self.behaviour
            .templates
            .get(template_name)
            .unwrap_or(&self.behaviour.default)
    }
}

/// The account the sandbox pretends to be, and the credentials it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Account {
    pub waba_id: String,
    pub phone_number_id: String,
    pub display_phone_number: String,
    pub verified_name: String,
    /// Signs the webhooks (`X-Hub-Signature-256`).
    pub app_secret: String,
    /// Answers the webhook verification handshake.
    pub verify_token: String,
    /// The bearer token the API accepts.
    pub access_token: String,
    /// The Meta app whose Resumable Upload API (`/{APP_ID}/uploads`) issues the
    /// handles a media header's example needs.
    pub app_id: String,
    /// Whether Meta lets the account send: a run can start with the account blocked,
    /// locked or unpaid (the control API changes it later; a reset returns to this).
    pub state: AccountState,
}

/// The standing of the WhatsApp Business Account with Meta. Anything but `Active`
/// refuses every send (the sender must halt all sending, not retry).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    #[default]
    Active,
    /// Restricted or disabled for a policy violation (368).
    PolicyBlocked,
    /// Locked by Meta (131031).
    Locked,
    /// The payment method has a problem (131042).
    PaymentIssue,
}

impl AccountState {
    /// Meta's error code for a send from an account in this state, `None` when active.
    pub fn send_refusal_code(self) -> Option<u32> {
        match self {
            AccountState::Active => None,
            AccountState::PolicyBlocked => Some(crate::limits::code::POLICY_BLOCKED),
            AccountState::Locked => Some(crate::limits::code::ACCOUNT_LOCKED),
            AccountState::PaymentIssue => Some(crate::limits::code::PAYMENT_ISSUE),
        }
    }

    /// Whether Meta refuses new templates too. A policy block or a lock restricts the
    /// whole account; a payment problem only stops paid messaging (templates are
    /// reviewed for free).
    pub fn refuses_template_creation(self) -> bool {
        matches!(self, AccountState::PolicyBlocked | AccountState::Locked)
    }
}

impl Default for Account {
    fn default() -> Self {
        // Obviously fake values: the sandbox must never be mistaken for a real account.
        Self {
            waba_id: "100000000000001".into(),
            phone_number_id: "200000000000001".into(),
            display_phone_number: "+1 555 010 0001".into(),
            verified_name: "Cadence Sandbox".into(),
            app_secret: "sandbox-app-secret".into(),
            verify_token: "sandbox-verify-token".into(),
            access_token: "sandbox-access-token".into(),
            app_id: "400000000000001".into(),
            state: AccountState::Active,
        }
    }
}

/// How template review behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Review {
    /// How long review takes before the time scale; Meta usually answers in minutes.
    pub delay_ms: u64,
    /// Probability that a structurally sound template is rejected anyway (policy).
    pub reject_rate: f64,
    /// The reason given for such a policy rejection (one of Meta's `reason` values).
    pub reject_reason: String,
    /// Templates rejected by name whatever their content, with the reason to give:
    /// lets a test script a `SCAM` or `TAG_CONTENT_MISMATCH` rejection.
    pub reject_names: BTreeMap<String, String>,
}

impl Default for Review {
    fn default() -> Self {
        Self {
            delay_ms: 60_000,
            reject_rate: 0.0,
            reject_reason: "PROMOTIONAL".into(),
            reject_names: BTreeMap::new(),
        }
    }
}

/// Meta's messaging limit: unique recipients reached with templates in a rolling 24 h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessagingTier {
    #[serde(rename = "TIER_250")]
    Tier250,
    #[serde(rename = "TIER_2K")]
    Tier2K,
    #[serde(rename = "TIER_10K")]
    Tier10K,
    #[serde(rename = "TIER_100K")]
    Tier100K,
    #[serde(rename = "TIER_UNLIMITED")]
    Unlimited,
}

impl MessagingTier {
    /// The number of unique recipients, `None` when unlimited.
    pub fn unique_recipients(self) -> Option<u64> {
        match self {
            MessagingTier::Tier250 => Some(250),
            MessagingTier::Tier2K => Some(2_000),
            MessagingTier::Tier10K => Some(10_000),
            MessagingTier::Tier100K => Some(100_000),
            MessagingTier::Unlimited => None,
        }
    }
}

/// The sending limits of the phone number and the business.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SendLimits {
    /// Messages per second the phone number accepts (Meta: 80, upgraded to 1,000).
    pub throughput_per_second: u32,
    /// Minimum gap between two messages to the same recipient, once the burst is spent.
    pub pair_min_gap_ms: u64,
    /// How many messages to one recipient may go back to back before the gap applies.
    pub pair_burst: u32,
    /// The messaging tier. Default `TIER_2K`: Meta's tier for a business that has
    /// verified its portfolio, and the smallest one that lets a demo campaign run;
    /// a profile sets `TIER_250` to rehearse a new, unverified account.
    pub messaging_tier: MessagingTier,
    /// Marketing templates one recipient may get in a rolling 24 h before Meta
    /// refuses to deliver more (131049). Meta does not publish the number; 2 keeps
    /// the limit visible in small tests.
    pub marketing_per_user_per_day: u32,
    /// WhatsApp Business Management API calls (templates, the phone number, analytics)
    /// the WABA may make in a rolling hour before Meta answers 80007. Meta: 5,000 for
    /// an active WABA with a registered phone number (200 otherwise). Message sends and
    /// media uploads are not counted: throughput governs them.
    pub waba_calls_per_hour: u32,
    /// Graph API calls to the app itself (the Resumable Upload API: `/{APP_ID}/uploads`
    /// and `upload:` sessions) in a rolling hour before Meta answers 4. Meta publishes
    /// no fixed figure for a system user's app; the WABA's 5,000 is used.
    pub app_calls_per_hour: u32,
    /// Templates the WABA may create in a rolling hour (WHATSAPP.md: 100). Meta does
    /// not document the code of this refusal; the sandbox answers the WABA rate-limit
    /// code 80007.
    pub template_creations_per_hour: u32,
}

impl Default for SendLimits {
    fn default() -> Self {
        Self {
            throughput_per_second: 80,
            pair_min_gap_ms: 6_000,
            pair_burst: 3,
            messaging_tier: MessagingTier::Tier2K,
            marketing_per_user_per_day: 2,
            waba_calls_per_hour: 5_000,
            app_calls_per_hour: 5_000,
            template_creations_per_hour: 100,
        }
    }
}

/// Which recipients cannot get a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Recipients {
    /// Numbers (digits, no `+`) ending in one of these are not on WhatsApp (131026).
    pub not_on_whatsapp_suffixes: Vec<String>,
    /// Numbers starting with one of these are not on WhatsApp (131026).
    pub not_on_whatsapp_prefixes: Vec<String>,
    /// Numbers that stopped marketing messages before the run starts (131050).
    pub stopped_marketing: Vec<String>,
    /// Fail marketing templates to +1 numbers, as Meta has since April 2025 (131049).
    pub block_us_marketing: bool,
}

impl Default for Recipients {
    fn default() -> Self {
        Self {
            not_on_whatsapp_suffixes: vec!["0000".into()],
            not_on_whatsapp_prefixes: Vec::new(),
            stopped_marketing: Vec::new(),
            block_us_marketing: true,
        }
    }
}

impl Recipients {
    /// Whether `wa_id` (digits only) is, by the profile's rule, not on WhatsApp.
    pub fn is_not_on_whatsapp(&self, wa_id: &str) -> bool {
        self.not_on_whatsapp_suffixes
            .iter()
            .any(|suffix| !suffix.is_empty() && wa_id.ends_with(suffix.as_str()))
            || self
                .not_on_whatsapp_prefixes
                .iter()
                .any(|prefix| !prefix.is_empty() && wa_id.starts_with(prefix.as_str()))
    }
}

/// How simulated recipients react to a delivered message, per template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Behaviour {
    pub default: Rates,
    /// Overrides by template name, so that an A/B test has a real winner.
    pub templates: BTreeMap<String, Rates>,
}

/// Probabilities for one delivered message. At most one reaction (reply, button tap,
/// stop, block, report) happens, drawn by these probabilities; a reaction implies the
/// message was read; without one, it is read with probability `read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rates {
    pub read: f64,
    pub reply: f64,
    pub button_tap: f64,
    pub stop: f64,
    pub block: f64,
    pub report: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Self {
            read: 0.6,
            reply: 0.05,
            button_tap: 0.08,
            stop: 0.01,
            block: 0.004,
            report: 0.002,
        }
    }
}

impl Rates {
    fn is_valid(&self) -> bool {
        let all = [
            self.read,
            self.reply,
            self.button_tap,
            self.stop,
            self.block,
            self.report,
        ];
        let reactions = self.reply + self.button_tap + self.stop + self.block + self.report;
        all.iter().all(|p| (0.0..=1.0).contains(p)) && reactions <= 1.0 + 1e-9
    }
}

/// A range of milliseconds, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MillisRange {
    pub min: u64,
    pub max: u64,
}

impl MillisRange {
    pub const fn new(min: u64, max: u64) -> Self {
        Self { min, max }
    }
}

/// When status webhooks happen after a send (not scaled: seconds in real life too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Delivery {
    /// From acceptance to `sent` (or to `failed`).
    pub sent_after_ms: MillisRange,
    /// From `sent` to `delivered`.
    pub delivered_after_ms: MillisRange,
    /// From `delivered` to `read`.
    pub read_after_ms: MillisRange,
    /// From `read` to the reaction (reply, tap, stop, block, report).
    pub reaction_after_ms: MillisRange,
    /// Probability that `delivered` is emitted after `read`, as Meta sometimes does.
    pub out_of_order_rate: f64,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            sent_after_ms: MillisRange::new(100, 800),
            delivered_after_ms: MillisRange::new(300, 3_000),
            read_after_ms: MillisRange::new(2_000, 120_000),
            reaction_after_ms: MillisRange::new(1_000, 60_000),
            out_of_order_rate: 0.02,
        }
    }
}

/// Faults to inject into API answers; the core only decides, the HTTP layer acts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Probability of a 5xx answer.
    pub server_error_rate: f64,
    /// Probability that the request hangs past any sensible client timeout.
    pub timeout_rate: f64,
    /// Probability that the connection is closed without an answer.
    pub dropped_connection_rate: f64,
    /// Latency added to every answer, drawn uniformly.
    pub latency_ms: MillisRange,
    /// How long a "timeout" hangs before the connection is closed.
    pub timeout_hang_ms: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            server_error_rate: 0.0,
            timeout_rate: 0.0,
            dropped_connection_rate: 0.0,
            latency_ms: MillisRange::new(0, 0),
            timeout_hang_ms: 60_000,
        }
    }
}

/// When a template's quality moves, judged on its most recent delivered messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityRules {
    /// How many of the latest settled messages the judgement looks at.
    pub window_messages: u32,
    /// Messages needed in the window before a score is given (UNKNOWN until then).
    pub min_messages: u32,
    /// Block + report rate at or above which quality is YELLOW.
    pub yellow_rate: f64,
    /// Block + report rate at or above which quality is RED (and the template paused).
    pub red_rate: f64,
}

impl Default for QualityRules {
    fn default() -> Self {
        Self {
            window_messages: 200,
            min_messages: 30,
            yellow_rate: 0.02,
            red_rate: 0.05,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_profile_round_trips_through_json() {
        let json = Profile::default().to_json();
        let back = Profile::from_json(&json).expect("the printed default profile must load");
        assert_eq!(
            back,
            Profile::default(),
            "scripts read --print-default-profile and may feed it back"
        );
    }

    #[test]
    fn a_profile_file_names_only_what_it_changes() {
        let profile = Profile::from_json(r#"{"limits":{"throughput_per_second":1000}}"#)
            .expect("a partial profile is valid");
        assert_eq!(
            profile.limits.throughput_per_second, 1000,
            "the change is kept"
        );
        assert_eq!(
            profile.limits.pair_min_gap_ms, 6_000,
            "everything else keeps its default"
        );
    }

    #[test]
    fn unusable_profiles_are_refused() {
        let cases = [
            r#"{"limits":{"throughput_per_second":0}}"#,
            r#"{"behaviour":{"default":{"block":1.5}}}"#,
            r#"{"behaviour":{"templates":{"a":{"reply":0.6,"block":0.6}}}}"#,
            r#"{"quality":{"yellow_rate":0.5,"red_rate":0.1}}"#,
            r#"{"faults":{"timeout_rate":-0.1}}"#,
            r#"{"unknown_field":1}"#,
            r#"{"review":{"reject_names":{"a":"BECAUSE"}}}"#,
            r#"{"account":{"app_id":""}}"#,
            r#"{"account":{"state":"suspended"}}"#,
            r#"{"limits":{"waba_calls_per_hour":0}}"#,
            r#"{"limits":{"template_creations_per_hour":0}}"#,
        ];
        for json in cases {
            assert!(
                Profile::from_json(json).is_err(),
                "{json} must be refused: it cannot describe a simulation"
            );
        }
    }

    #[test]
    fn the_not_on_whatsapp_rule_matches_suffixes_and_prefixes() {
        let mut recipients = Recipients::default();
        recipients.not_on_whatsapp_prefixes.push("999".into());
        assert!(
            recipients.is_not_on_whatsapp("447700900000"),
            "ends in 0000"
        );
        assert!(recipients.is_not_on_whatsapp("99912345"), "starts with 999");
        assert!(!recipients.is_not_on_whatsapp("447700900123"), "neither");
    }

    #[test]
    fn account_states_carry_metas_codes() {
        let profile = Profile::from_json(r#"{"account":{"state":"payment_issue"}}"#)
            .expect("a profile may start with the account unpaid");
        assert_eq!(profile.account.state, AccountState::PaymentIssue);
        let cases = [
            (AccountState::Active, None, false),
            (AccountState::PolicyBlocked, Some(368), true),
            (AccountState::Locked, Some(131031), true),
            (AccountState::PaymentIssue, Some(131042), false),
        ];
        for (state, code, refuses_templates) in cases {
            assert_eq!(state.send_refusal_code(), code, "{state:?} refuses sends");
            assert_eq!(
                state.refuses_template_creation(),
                refuses_templates,
                "{state:?}: only a restricted account loses template creation"
            );
        }
    }

    #[test]
    fn tiers_count_metas_unique_recipients() {
        assert_eq!(MessagingTier::Tier250.unique_recipients(), Some(250));
        assert_eq!(MessagingTier::Tier2K.unique_recipients(), Some(2_000));
        assert_eq!(MessagingTier::Unlimited.unique_recipients(), None);
    }
}
