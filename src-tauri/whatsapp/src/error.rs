//! The crate's errors and the one table that says what an error code means for sending.
//!
//! [`RETRY_TABLE`] is the only place that maps a Cloud API error code to a
//! [`RetryClass`]; the sender, the sandbox and the status webhooks all go through
//! [`RetryClass::for_code`]. Waiting times live in [`crate::limits`].
//!
//! No error text ever holds the access token: the client scrubs it from anything
//! Meta or a proxy echoes back before an [`Error`] is built.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::limits;
use crate::wire::MetaErrorBody;

/// What the sender must do after an error, by Cloud API error code (see [`RETRY_TABLE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryClass {
    /// Transient on Meta's side or a throughput burst: retry with a short exponential back-off.
    RetrySoon,
    /// Too many messages to this one recipient: retry that recipient after `4^n` seconds.
    PairRate,
    /// API call rate limit: back off for minutes before any further call.
    BackOffMinutes,
    /// The recipient's per-user marketing limit: retry no sooner than 24 hours, a bounded number of times.
    RetryAfter24h,
    /// The template is paused: hold its sends until it is approved again.
    HoldTemplate,
    /// Spam rate limit: stop the campaign and look at quality.
    StopCampaign,
    /// Policy block, locked account or payment problem: stop every send from this account.
    HaltAllSending,
    /// The recipient stopped marketing messages: never retry, mark the contact opted out.
    NeverRetryOptOut,
    /// The request cannot succeed as it is (bad template, data, recipient): never retry.
    NeverRetry,
    /// The request may not have reached Meta (timeout, reset connection, 5xx without a
    /// Meta body): retry with back-off, reconciling via `biz_opaque_callback_data`.
    Transport,
}

impl RetryClass {
    /// The class of a Cloud API error code. Codes not in [`RETRY_TABLE`] are
    /// [`RetryClass::NeverRetry`]: an unknown error repeated blindly only burns quality.
    pub fn for_code(code: i64) -> Self {
        RETRY_TABLE
            .iter()
            .find(|rule| rule.code == code)
            .map_or(Self::NeverRetry, |rule| rule.class)
    }

    /// The stable snake_case name (what the store keeps in a TEXT column).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetrySoon => "retry_soon",
            Self::PairRate => "pair_rate",
            Self::BackOffMinutes => "back_off_minutes",
            Self::RetryAfter24h => "retry_after24h",
            Self::HoldTemplate => "hold_template",
            Self::StopCampaign => "stop_campaign",
            Self::HaltAllSending => "halt_all_sending",
            Self::NeverRetryOptOut => "never_retry_opt_out",
            Self::NeverRetry => "never_retry",
            Self::Transport => "transport",
        }
    }

    /// Whether the same message may be sent again later without fixing anything.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::RetrySoon
                | Self::PairRate
                | Self::BackOffMinutes
                | Self::RetryAfter24h
                | Self::Transport
        )
    }

    /// How long to wait before the `attempt`-th retry (1 for the first retry), for the
    /// classes whose remedy is waiting; `None` for the classes that need a decision
    /// (hold, stop, halt, never).
    pub fn retry_delay(self, attempt: u32) -> Option<Duration> {
        let n = attempt.max(1);
        match self {
            Self::RetrySoon | Self::Transport => Some(exponential(
                limits::RETRY_SOON_BASE,
                2,
                n - 1,
                limits::RETRY_SOON_MAX,
            )),
            Self::PairRate => Some(exponential(
                Duration::from_secs(1),
                limits::PAIR_RATE_BACKOFF_BASE,
                n,
                limits::PAIR_RATE_BACKOFF_MAX,
            )),
            Self::BackOffMinutes => Some(exponential(
                limits::API_RATE_LIMIT_BACKOFF_BASE,
                2,
                n - 1,
                limits::API_RATE_LIMIT_BACKOFF_MAX,
            )),
            Self::RetryAfter24h => Some(limits::MARKETING_LIMIT_RETRY_AFTER),
            Self::HoldTemplate
            | Self::StopCampaign
            | Self::HaltAllSending
            | Self::NeverRetryOptOut
            | Self::NeverRetry => None,
        }
    }
}

/// `base * factor^exponent`, saturating, never above `max`.
fn exponential(base: Duration, factor: u64, exponent: u32, max: Duration) -> Duration {
    let multiplier = factor.checked_pow(exponent).unwrap_or(u64::MAX);
    let secs = base.as_secs().saturating_mul(multiplier);
    Duration::from_secs(secs).min(max)
}

impl fmt::Display for RetryClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of [`RETRY_TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryRule {
    pub code: i64,
    pub class: RetryClass,
    /// Meta's meaning of the code, for logs and the UI's explanation.
    pub meaning: &'static str,
}

const fn rule(code: i64, class: RetryClass, meaning: &'static str) -> RetryRule {
    RetryRule {
        code,
        class,
        meaning,
    }
}

/// Every Cloud API error code Cadence acts on, and what to do (`shared/WHATSAPP.md`,
/// "Errors and what to do"). The one place this mapping lives.
pub const RETRY_TABLE: &[RetryRule] = &[
    rule(130429, RetryClass::RetrySoon, "throughput exceeded"),
    rule(131056, RetryClass::PairRate, "pair rate limit hit"),
    rule(
        4,
        RetryClass::BackOffMinutes,
        "API call rate limit (application)",
    ),
    rule(
        80007,
        RetryClass::BackOffMinutes,
        "API call rate limit (account)",
    ),
    rule(1, RetryClass::RetrySoon, "unknown API error"),
    rule(
        2,
        RetryClass::RetrySoon,
        "API service temporarily unavailable",
    ),
    rule(131000, RetryClass::RetrySoon, "something went wrong"),
    rule(131016, RetryClass::RetrySoon, "service unavailable"),
    rule(131057, RetryClass::RetrySoon, "account in maintenance mode"),
    rule(
        131049,
        RetryClass::RetryAfter24h,
        "per-user marketing limit",
    ),
    rule(131048, RetryClass::StopCampaign, "spam rate limit hit"),
    rule(
        131050,
        RetryClass::NeverRetryOptOut,
        "user stopped marketing messages",
    ),
    rule(131026, RetryClass::NeverRetry, "message undeliverable"),
    rule(131047, RetryClass::NeverRetry, "outside the 24-hour window"),
    rule(
        132000,
        RetryClass::NeverRetry,
        "template parameter count mismatch",
    ),
    rule(132001, RetryClass::NeverRetry, "template does not exist"),
    rule(132005, RetryClass::NeverRetry, "translated text too long"),
    rule(
        132007,
        RetryClass::NeverRetry,
        "template format character policy violated",
    ),
    rule(
        132012,
        RetryClass::NeverRetry,
        "template parameter format mismatch",
    ),
    rule(132018, RetryClass::NeverRetry, "template parameter problem"),
    rule(
        132015,
        RetryClass::HoldTemplate,
        "template paused for low quality",
    ),
    rule(
        132016,
        RetryClass::NeverRetry,
        "template disabled for low quality",
    ),
    rule(
        368,
        RetryClass::HaltAllSending,
        "temporarily blocked for policy violations",
    ),
    rule(
        131031,
        RetryClass::HaltAllSending,
        "business account locked",
    ),
    rule(
        131042,
        RetryClass::HaltAllSending,
        "business eligibility payment issue",
    ),
];

/// Meta's `{"error": {...}}` answer, with the HTTP status it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaError {
    /// The client method that got it (`send_template`, …), for the log.
    pub operation: &'static str,
    pub http_status: u16,
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
    /// Meta's `type`, e.g. `OAuthException`.
    pub error_type: Option<String>,
    /// `error_data.details`: the most specific explanation Meta gives.
    pub details: Option<String>,
    pub fbtrace_id: Option<String>,
}

impl MetaError {
    /// Build from a parsed error body, scrubbing `secret` (the access token) from every
    /// text Meta may have echoed.
    pub(crate) fn from_body(
        operation: &'static str,
        http_status: u16,
        body: MetaErrorBody,
        secret: &str,
    ) -> Self {
        let e = body.error;
        Self {
            operation,
            http_status,
            code: e.code,
            subcode: e.error_subcode,
            message: redact(&e.message, secret),
            error_type: e.error_type.map(|t| redact(&t, secret)),
            details: e
                .error_data
                .and_then(|d| d.details)
                .map(|d| redact(&d, secret)),
            fbtrace_id: e.fbtrace_id,
        }
    }

    /// What to do about this error. The code decides when it is in [`RETRY_TABLE`];
    /// an unknown code is judged by the HTTP status: 5xx is Meta's trouble
    /// ([`RetryClass::RetrySoon`]), 429 a rate limit ([`RetryClass::BackOffMinutes`]),
    /// any other status [`RetryClass::NeverRetry`].
    pub fn retry_class(&self) -> RetryClass {
        if RETRY_TABLE.iter().any(|rule| rule.code == self.code) {
            return RetryClass::for_code(self.code);
        }
        match self.http_status {
            500..=599 => RetryClass::RetrySoon,
            429 => RetryClass::BackOffMinutes,
            _ => RetryClass::NeverRetry,
        }
    }
}

impl fmt::Display for MetaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: Meta error {}", self.operation, self.code)?;
        if let Some(sub) = self.subcode {
            write!(f, "/{sub}")?;
        }
        write!(f, " (HTTP {}): {}", self.http_status, self.message)?;
        if let Some(details) = &self.details {
            write!(f, ": {details}")?;
        }
        if let Some(trace) = &self.fbtrace_id {
            write!(f, " [fbtrace_id {trace}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for MetaError {}

/// Why a request never got a usable HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The connect or total timeout ran out.
    Timeout,
    /// No connection could be made (refused, DNS, TLS handshake).
    Connect,
    /// The connection broke while sending or reading.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::Connect => "could not connect",
            Self::Other => "connection failed",
        })
    }
}

/// Everything that can go wrong talking to the Cloud API or reading its webhooks.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Meta answered with its JSON error body (boxed: it is by far the largest variant,
    /// and every `Result` of the crate would otherwise carry its size).
    #[error(transparent)]
    Meta(Box<MetaError>),
    /// A non-2xx answer without a Meta error body (a proxy page, an HTML 503…).
    #[error("{operation}: HTTP {status} without a Meta error body: {body_excerpt:?}")]
    Http {
        operation: &'static str,
        status: u16,
        /// The first bytes of the body, token scrubbed, for the log.
        body_excerpt: String,
    },
    /// The request got no usable answer (timeout, refused or reset connection).
    #[error("{operation}: {kind}: {source}")]
    Transport {
        operation: &'static str,
        kind: TransportKind,
        #[source]
        source: reqwest::Error,
    },
    /// A 2xx answer whose body is not the documented shape. For a send this is
    /// ambiguous (the message may be out): the status webhooks settle it.
    #[error("{operation}: unexpected response body: {source}")]
    Decode {
        operation: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The caller gave something the request cannot carry (a bad MIME type, base URL…).
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        operation: &'static str,
        reason: &'static str,
    },
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot build the HTTP client: {0}")]
    ClientBuild(#[source] reqwest::Error),
    /// A webhook body that is not JSON in Meta's envelope (`object`, `entry[]`).
    #[error("webhook body is not a WhatsApp Business Account notification: {0}")]
    WebhookPayload(#[source] serde_json::Error),
}

impl Error {
    /// What the sender must do about this error.
    pub fn retry_class(&self) -> RetryClass {
        match self {
            Self::Meta(meta) => meta.retry_class(),
            Self::Http { status, .. } => match status {
                500..=599 => RetryClass::Transport,
                429 => RetryClass::BackOffMinutes,
                _ => RetryClass::NeverRetry,
            },
            Self::Transport { .. } => RetryClass::Transport,
            // A body we cannot read will not become readable by asking again, and for a
            // send a retry could duplicate the message: webhooks reconcile it instead.
            Self::Decode { .. } => RetryClass::NeverRetry,
            Self::InvalidRequest { .. } | Self::ClientBuild(_) | Self::WebhookPayload(_) => {
                RetryClass::NeverRetry
            }
        }
    }

    /// Meta's error, when Meta answered with one.
    pub fn meta(&self) -> Option<&MetaError> {
        match self {
            Self::Meta(meta) => Some(meta),
            _ => None,
        }
    }

    /// The HTTP status, when an answer came back.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Meta(meta) => Some(meta.http_status),
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a webhook's `X-Hub-Signature-256` was refused (answer 401 for all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no app secret is configured, so no webhook can be trusted")]
    NoAppSecret,
    #[error("the X-Hub-Signature-256 header is missing")]
    MissingHeader,
    #[error("the X-Hub-Signature-256 header does not start with \"sha256=\"")]
    WrongPrefix,
    #[error("the X-Hub-Signature-256 header is not a hex SHA-256 digest")]
    BadHex,
    #[error("the X-Hub-Signature-256 signature does not match the body")]
    Mismatch,
}

/// `text` with every occurrence of `secret` replaced by a marker. An empty or very
/// short secret is not searched for (it would match everywhere and mean nothing).
pub(crate) fn redact(text: &str, secret: &str) -> String {
    if secret.len() < 4 {
        return text.to_owned();
    }
    text.replace(secret, "[redacted]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use RetryClass::*;

    /// `shared/WHATSAPP.md`'s table, transcribed independently of [`RETRY_TABLE`].
    const EXPECTED: &[(i64, RetryClass)] = &[
        (130429, RetrySoon),
        (131056, PairRate),
        (4, BackOffMinutes),
        (80007, BackOffMinutes),
        (1, RetrySoon),
        (2, RetrySoon),
        (131000, RetrySoon),
        (131016, RetrySoon),
        (131057, RetrySoon),
        (131049, RetryAfter24h),
        (131048, StopCampaign),
        (131050, NeverRetryOptOut),
        (131026, NeverRetry),
        (131047, NeverRetry),
        (132000, NeverRetry),
        (132001, NeverRetry),
        (132005, NeverRetry),
        (132007, NeverRetry),
        (132012, NeverRetry),
        (132018, NeverRetry),
        (132015, HoldTemplate),
        (132016, NeverRetry),
        (368, HaltAllSending),
        (131031, HaltAllSending),
        (131042, HaltAllSending),
    ];

    #[test]
    fn every_documented_code_has_its_class() {
        for &(code, class) in EXPECTED {
            assert_eq!(
                RetryClass::for_code(code),
                class,
                "WHATSAPP.md says code {code} means {class}"
            );
        }
    }

    #[test]
    fn the_table_holds_exactly_the_documented_codes_once() {
        assert_eq!(
            RETRY_TABLE.len(),
            EXPECTED.len(),
            "a code added to one table must be added to the other"
        );
        for rule in RETRY_TABLE {
            assert!(
                EXPECTED.iter().any(|&(code, _)| code == rule.code),
                "code {} is in RETRY_TABLE but not in WHATSAPP.md's table",
                rule.code
            );
            assert_eq!(
                RETRY_TABLE.iter().filter(|r| r.code == rule.code).count(),
                1,
                "code {} must appear once, or the first row would silently win",
                rule.code
            );
        }
    }

    #[test]
    fn unknown_codes_are_never_retried_on_4xx_and_retried_on_5xx() {
        let meta = |http_status, code| MetaError {
            operation: "send_template",
            http_status,
            code,
            subcode: None,
            message: "x".into(),
            error_type: None,
            details: None,
            fbtrace_id: None,
        };
        assert_eq!(RetryClass::for_code(999_999), NeverRetry, "unknown code");
        assert_eq!(
            meta(400, 999_999).retry_class(),
            NeverRetry,
            "an unknown 4xx is our request's fault: repeating it changes nothing"
        );
        assert_eq!(
            meta(503, 999_999).retry_class(),
            RetrySoon,
            "an unknown 5xx is Meta's trouble: it passes"
        );
        assert_eq!(
            meta(503, 131050).retry_class(),
            NeverRetryOptOut,
            "a known code wins over the HTTP status"
        );
        assert_eq!(
            meta(429, 999_999).retry_class(),
            BackOffMinutes,
            "429 is a rate limit"
        );
    }

    #[test]
    fn delays_follow_the_documented_back_offs() {
        assert_eq!(
            PairRate.retry_delay(1),
            Some(Duration::from_secs(4)),
            "4^1 s"
        );
        assert_eq!(
            PairRate.retry_delay(2),
            Some(Duration::from_secs(16)),
            "4^2 s"
        );
        assert_eq!(
            PairRate.retry_delay(3),
            Some(Duration::from_secs(64)),
            "4^3 s"
        );
        assert_eq!(
            PairRate.retry_delay(60),
            Some(limits::PAIR_RATE_BACKOFF_MAX),
            "the back-off is capped, not overflowed"
        );
        assert_eq!(
            RetryAfter24h.retry_delay(1),
            Some(limits::MARKETING_LIMIT_RETRY_AFTER),
            "per-user marketing limit waits a day"
        );
        assert!(
            BackOffMinutes.retry_delay(1).unwrap() >= Duration::from_secs(60),
            "API rate limits back off minutes"
        );
        for class in [
            HoldTemplate,
            StopCampaign,
            HaltAllSending,
            NeverRetryOptOut,
            NeverRetry,
        ] {
            assert_eq!(
                class.retry_delay(1),
                None,
                "{class} needs a decision, not a wait"
            );
            assert!(!class.is_retryable(), "{class} is not retried as is");
        }
    }

    #[test]
    fn class_names_round_trip_through_serde() {
        for &(_, class) in EXPECTED {
            let json = serde_json::to_string(&class).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", class.as_str()),
                "serde and as_str agree"
            );
            let back: RetryClass = serde_json::from_str(&json).unwrap();
            assert_eq!(back, class, "the stored name reads back");
        }
    }

    #[test]
    fn redaction_removes_every_copy_of_the_secret() {
        let out = redact("token EAAB123 and again EAAB123.", "EAAB123");
        assert!(
            !out.contains("EAAB123"),
            "the token must not survive: {out}"
        );
    }
}
