//! What a send request holds, and the limits a send must pass: throughput per second,
//! the pair rate per recipient, the messaging tier and the per-user marketing limit.
//!
//! Each limit is a small pure structure fed the simulated time; `sandbox` applies
//! them in Meta's order. A refused request consumes nothing: only an accepted message
//! takes a token, a pair credit, a tier place.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::{SimTime, millis};
use crate::error::{Error, Result};
use crate::templates::{Header, TemplateDraft, variables};
use cadence_whatsapp::limits as limit;

/// A template message to send, in plain values (what `POST /{phone}/messages` holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRequest {
    /// The recipient, E.164 with or without `+`.
    pub to: String,
    pub template: String,
    pub language: String,
    #[serde(default)]
    pub header: Vec<Parameter>,
    #[serde(default)]
    pub body: Vec<Parameter>,
    #[serde(default)]
    pub buttons: Vec<ButtonParameter>,
    /// `biz_opaque_callback_data`, echoed in every status webhook.
    #[serde(default)]
    pub callback_data: Option<String>,
}

impl SendRequest {
    /// A request without parameters.
    pub fn new(to: &str, template: &str, language: &str) -> Self {
        Self {
            to: to.to_owned(),
            template: template.to_owned(),
            language: language.to_owned(),
            header: Vec::new(),
            body: Vec::new(),
            buttons: Vec::new(),
            callback_data: None,
        }
    }

    /// Add positional body text parameters.
    pub fn with_body(mut self, values: &[&str]) -> Self {
        self.body
            .extend(values.iter().map(|value| Parameter::text(value)));
        self
    }

    pub fn with_callback_data(mut self, data: &str) -> Self {
        self.callback_data = Some(data.to_owned());
        self
    }
}

/// One header or body parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    /// `parameter_name` for NAMED templates.
    #[serde(default)]
    pub name: Option<String>,
    pub value: ParameterValue,
}

impl Parameter {
    pub fn text(value: &str) -> Self {
        Self {
            name: None,
            value: ParameterValue::Text(value.to_owned()),
        }
    }

    pub fn named(name: &str, value: &str) -> Self {
        Self {
            name: Some(name.to_owned()),
            value: ParameterValue::Text(value.to_owned()),
        }
    }
}

/// What a parameter carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterValue {
    Text(String),
    /// A media header: an uploaded media id or a link.
    Media(String),
}

/// A button parameter: a quick reply's payload or a URL button's suffix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonParameter {
    pub index: usize,
    pub value: String,
}

/// The answer to an accepted send (`messages[0].id`, `contacts[0].wa_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub wamid: String,
    /// The recipient as Meta normalises it: digits only.
    pub wa_id: String,
    /// The recipient as the request wrote it (`contacts[0].input`).
    pub input: String,
}

/// The recipient's WhatsApp id: digits only, 8 to 15 of them (E.164).
pub fn wa_id(to: &str) -> Result<String> {
    let digits: String = to
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
        .collect();
    if (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(Error::InvalidRecipient { to: to.to_owned() })
    }
}

/// `biz_opaque_callback_data` is at most 512 characters.
pub fn check_callback_data(data: Option<&str>) -> Result<()> {
    match data {
        Some(data) if data.chars().count() > limit::BIZ_OPAQUE_CALLBACK_DATA_MAX_CHARS => {
            Err(Error::CallbackDataTooLong {
                length: data.chars().count(),
            })
        }
        _ => Ok(()),
    }
}

/// The parameters must match the template's variables, and every text value must be
/// one Meta accepts (no newline, no tab, at most 4 spaces in a row, not empty).
pub fn check_parameters(template: &TemplateDraft, request: &SendRequest) -> Result<()> {
    let body_variables = template.body().map(variables).unwrap_or_default();
    check_component("body", &body_variables, &request.body)?;
    match template
        .components
        .iter()
        .find_map(|component| match component {
            crate::templates::Component::Header(header) => Some(header),
            _ => None,
        }) {
        Some(Header::Text { text }) => {
            check_component("header", &variables(text), &request.header)?
        }
        Some(Header::Image | Header::Video | Header::Document) => {
            let media = request
                .header
                .iter()
                .filter(|p| matches!(p.value, ParameterValue::Media(_)))
                .count();
            if media != 1 || request.header.len() != 1 {
                return Err(Error::ParameterCount {
                    component: "header",
                    expected: 1,
                    given: request.header.len(),
                });
            }
        }
        Some(Header::Location) | None => {}
    }
    for parameter in request.header.iter().chain(&request.body) {
        if let ParameterValue::Text(text) = &parameter.value {
            check_text_value(text)?;
        }
    }
    Ok(())
}

fn check_component(
    component: &'static str,
    variables: &[String],
    given: &[Parameter],
) -> Result<()> {
    if variables.len() != given.len() {
        return Err(Error::ParameterCount {
            component,
            expected: variables.len(),
            given: given.len(),
        });
    }
    for parameter in given {
        if let Some(name) = &parameter.name
            && !variables.contains(name)
        {
            return Err(Error::ParameterFormat {
                reason: format!("the {component} has no variable named {name:?}"),
            });
        }
    }
    Ok(())
}

fn check_text_value(text: &str) -> Result<()> {
    let reason = if text.trim().is_empty() {
        Some("a parameter is empty".to_owned())
    } else if text.contains(['\n', '\t']) {
        Some("a parameter holds a newline or a tab".to_owned())
    } else if text.contains(&" ".repeat(limit::PARAMETER_MAX_CONSECUTIVE_SPACES + 1)) {
        Some(format!(
            "a parameter holds more than {} spaces in a row",
            limit::PARAMETER_MAX_CONSECUTIVE_SPACES
        ))
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::ParameterFormat { reason }),
        None => Ok(()),
    }
}

/// Throughput of the phone number: a token bucket holding one second of messages,
/// refilled continuously. Counted in thousandths of a token so that integer
/// arithmetic is exact: a second refills exactly `per_second` tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThroughputBucket {
    per_second: u32,
    milli_tokens: u64,
    last: SimTime,
}

impl ThroughputBucket {
    const MILLI_PER_TOKEN: u64 = 1_000;

    /// A full bucket at `now`.
    pub fn new(per_second: u32, now: SimTime) -> Self {
        Self {
            per_second,
            milli_tokens: u64::from(per_second) * Self::MILLI_PER_TOKEN,
            last: now,
        }
    }

    fn refill(&mut self, now: SimTime) {
        let capacity = u64::from(self.per_second) * Self::MILLI_PER_TOKEN;
        // per_second tokens per 1000 ms is per_second thousandths per millisecond.
        let gained = now
            .since(self.last)
            .saturating_mul(u64::from(self.per_second));
        self.milli_tokens = self.milli_tokens.saturating_add(gained).min(capacity);
        self.last = self.last.max(now);
    }

    /// Whether a message may go at `now`.
    pub fn has_room(&mut self, now: SimTime) -> bool {
        self.refill(now);
        self.milli_tokens >= Self::MILLI_PER_TOKEN
    }

    /// Spend one message (call after [`Self::has_room`] said yes).
    pub fn take(&mut self, now: SimTime) {
        self.refill(now);
        self.milli_tokens = self.milli_tokens.saturating_sub(Self::MILLI_PER_TOKEN);
    }
}

/// The pair rate: per recipient, a bucket of `burst` messages refilled one per `gap`.
/// Credits are milliseconds of gap: a message costs one gap, time earns credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRate {
    gap_ms: u64,
    burst: u32,
    credits: HashMap<String, (u64, SimTime)>,
}

impl PairRate {
    pub fn new(gap: Duration, burst: u32) -> Self {
        Self {
            gap_ms: millis(gap),
            burst,
            credits: HashMap::new(),
        }
    }

    fn capacity(&self) -> u64 {
        self.gap_ms.saturating_mul(u64::from(self.burst))
    }

    fn credits_at(&self, wa_id: &str, now: SimTime) -> u64 {
        match self.credits.get(wa_id) {
            Some((credits, last)) => credits
                .saturating_add(now.since(*last))
                .min(self.capacity()),
            None => self.capacity(),
        }
    }

    pub fn has_room(&self, wa_id: &str, now: SimTime) -> bool {
        self.credits_at(wa_id, now) >= self.gap_ms
    }

    pub fn take(&mut self, wa_id: &str, now: SimTime) {
        let left = self.credits_at(wa_id, now).saturating_sub(self.gap_ms);
        self.credits.insert(wa_id.to_owned(), (left, now));
    }
}

/// Recipients reached with a template in a rolling window: the messaging tier counts
/// them, and a recipient already reached in the window does not count again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReachWindow {
    /// Last time each recipient was reached.
    last_reached: HashMap<String, SimTime>,
    /// Every reach in time order; stale entries (superseded by a later reach of the
    /// same recipient) are skipped when they fall out.
    order: VecDeque<(SimTime, String)>,
}

impl ReachWindow {
    fn expire(&mut self, now: SimTime, window: Duration) {
        let horizon = now.before(window);
        while let Some((at, _)) = self.order.front() {
            if *at > horizon {
                break;
            }
            if let Some((at, wa_id)) = self.order.pop_front()
                && self.last_reached.get(&wa_id) == Some(&at)
            {
                self.last_reached.remove(&wa_id);
            }
        }
    }

    /// Unique recipients reached in the window ending at `now`.
    pub fn unique(&mut self, now: SimTime, window: Duration) -> u64 {
        self.expire(now, window);
        self.last_reached.len() as u64
    }

    /// Whether `wa_id` was reached in the window ending at `now`.
    pub fn contains(&mut self, wa_id: &str, now: SimTime, window: Duration) -> bool {
        self.expire(now, window);
        self.last_reached.contains_key(wa_id)
    }

    pub fn record(&mut self, wa_id: &str, now: SimTime) {
        self.last_reached.insert(wa_id.to_owned(), now);
        self.order.push_back((now, wa_id.to_owned()));
    }
}

/// Marketing templates delivered to each recipient in a rolling window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketingCount {
    delivered: HashMap<String, VecDeque<SimTime>>,
}

impl MarketingCount {
    pub fn count(&mut self, wa_id: &str, now: SimTime, window: Duration) -> u32 {
        let horizon = now.before(window);
        match self.delivered.get_mut(wa_id) {
            Some(times) => {
                while times.front().is_some_and(|at| *at <= horizon) {
                    times.pop_front();
                }
                times.len() as u32
            }
            None => 0,
        }
    }

    pub fn record(&mut self, wa_id: &str, now: SimTime) {
        self.delivered
            .entry(wa_id.to_owned())
            .or_default()
            .push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::{Category, Component, ParameterFormat};

    #[test]
    fn the_throughput_bucket_refills_per_second() {
        let mut bucket = ThroughputBucket::new(80, SimTime(0));
        for sent in 0..80 {
            assert!(
                bucket.has_room(SimTime(500)),
                "message {sent} fits in the first second"
            );
            bucket.take(SimTime(500));
        }
        assert!(
            !bucket.has_room(SimTime(500)),
            "the 81st in the same second does not"
        );
        assert!(
            !bucket.has_room(SimTime(512)),
            "12 ms refill less than one token at 80/s"
        );
        assert!(
            bucket.has_room(SimTime(513)),
            "12.5 ms refill one token at 80/s"
        );
        assert!(
            bucket.has_room(SimTime(1_500)),
            "a second later the bucket is full"
        );
    }

    #[test]
    fn the_pair_rate_allows_a_burst_then_one_per_gap() {
        let mut pair = PairRate::new(Duration::from_secs(6), 2);
        let t = SimTime(10_000);
        for _ in 0..2 {
            assert!(
                pair.has_room("447700900123", t),
                "the burst goes back to back"
            );
            pair.take("447700900123", t);
        }
        assert!(!pair.has_room("447700900123", t), "the burst is spent");
        assert!(
            pair.has_room("447700900124", t),
            "another recipient is not affected"
        );
        assert!(
            !pair.has_room("447700900123", SimTime(15_999)),
            "less than one gap later"
        );
        assert!(
            pair.has_room("447700900123", SimTime(16_000)),
            "one gap later"
        );
    }

    #[test]
    fn the_reach_window_counts_unique_recipients() {
        let day = Duration::from_secs(86_400);
        let mut reach = ReachWindow::default();
        reach.record("1", SimTime(0));
        reach.record("2", SimTime(1_000));
        reach.record("1", SimTime(2_000));
        assert_eq!(
            reach.unique(SimTime(3_000), day),
            2,
            "a repeat does not count twice"
        );
        assert_eq!(
            reach.unique(SimTime(86_400_500), day),
            2,
            "recipient 1 was reached again at 2 s, so still inside"
        );
        assert_eq!(
            reach.unique(SimTime(86_401_000), day),
            1,
            "recipient 2 fell out"
        );
        assert_eq!(
            reach.unique(SimTime(86_402_000), day),
            0,
            "everyone fell out"
        );
    }

    #[test]
    fn parameters_must_match_the_template() {
        let template = TemplateDraft {
            name: "t".into(),
            language: "en".into(),
            category: Category::Marketing,
            parameter_format: ParameterFormat::Positional,
            components: vec![Component::Body {
                text: "Hello {{1}}, your order {{2}} is ready to collect today.".into(),
            }],
        };
        let request =
            |values: &[&str]| SendRequest::new("447700900123", "t", "en").with_body(values);
        let cases: &[(&[&str], Option<u32>)] = &[
            (&["Ann", "A-1"], None),
            (&["Ann"], Some(132000)),
            (&["Ann", "A-1", "x"], Some(132000)),
            (&["Ann", "line\nbreak"], Some(132018)),
            (&["Ann", "tab\there"], Some(132018)),
            (&["Ann", "five     spaces"], Some(132018)),
            (&["Ann", " "], Some(132018)),
        ];
        for (values, code) in cases {
            let got = check_parameters(&template, &request(values))
                .err()
                .map(|e| e.code());
            assert_eq!(got, *code, "parameters {values:?}");
        }
    }

    #[test]
    fn recipients_are_normalised_to_digits() {
        assert_eq!(
            wa_id("+44 7700-900123").ok().as_deref(),
            Some("447700900123")
        );
        assert!(wa_id("hello").is_err(), "letters are not a phone number");
        assert!(wa_id("+123").is_err(), "too short for E.164");
    }
}
