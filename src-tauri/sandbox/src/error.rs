//! Why the sandbox refused something: every refusal a Cloud API client can see,
//! each carrying Meta's error code, text and HTTP status (see [`Error::meta`]), and
//! [`ServeError`], why the HTTP server could not start.

use serde::Serialize;

use crate::calls::CallScope;
use crate::limits::{self, code};
use crate::profile::AccountState;

/// A refusal, or a profile the sandbox cannot run with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the access token is not the one in the sandbox profile")]
    AccessToken,
    #[error(
        "template name {name:?} is invalid: lowercase letters, digits and `_`, starting with a letter, at most {max} characters",
        max = cadence_core::lint::limits::NAME_MAX
    )]
    InvalidTemplateName { name: String },
    #[error("a template needs exactly one BODY component")]
    MissingBody,
    #[error("a template named {name:?} already exists in language {language:?}")]
    DuplicateTemplate { name: String, language: String },
    #[error("no template named {name:?}")]
    TemplateNotFound { name: String },
    #[error("template {name:?} does not exist in {language:?} or is not approved")]
    UnknownTemplate { name: String, language: String },
    #[error("template {name:?} is paused because of low quality")]
    TemplatePaused { name: String },
    #[error("template {name:?} is disabled because of low quality")]
    TemplateDisabled { name: String },
    #[error("the {component} expects {expected} parameters, the request has {given}")]
    ParameterCount {
        component: &'static str,
        expected: usize,
        given: usize,
    },
    #[error("parameter refused: {reason}")]
    ParameterFormat { reason: String },
    #[error("recipient {to:?} is not a phone number")]
    InvalidRecipient { to: String },
    #[error(
        "biz_opaque_callback_data holds {length} characters, at most {max} are allowed",
        max = cadence_whatsapp::limits::BIZ_OPAQUE_CALLBACK_DATA_MAX_CHARS
    )]
    CallbackDataTooLong { length: usize },
    #[error("throughput of {per_second} messages per second exceeded")]
    Throughput { per_second: u32 },
    #[error("pair rate exceeded for recipient {to}")]
    PairRate { to: String },
    #[error(
        "{} (the messaging limit of {limit} unique recipients in a rolling 24 hours is reached)",
        limits::details::SPAM_RATE_LIMIT
    )]
    MessagingLimit { limit: u64 },
    #[error("{}", account_details(*state))]
    AccountRestricted { state: AccountState },
    #[error(
        "{} (the sandbox's limit: {limit} calls per hour)",
        match scope {
            CallScope::Waba => limits::details::WABA_RATE_LIMIT,
            CallScope::App => limits::details::API_TOO_MANY_CALLS,
        }
    )]
    CallRateLimit { scope: CallScope, limit: u32 },
    #[error(
        "{} (the sandbox's limit: {limit} message templates created per hour)",
        limits::details::WABA_RATE_LIMIT
    )]
    TemplateCreationLimit { limit: u32 },
    #[error("no message {wamid:?} was sent by the sandbox")]
    UnknownMessage { wamid: String },
    #[error("upload refused: {reason}")]
    UploadParameter { reason: String },
    #[error(
        "file_type {file_type:?} is not one the Resumable Upload API accepts (application/pdf, image/jpeg, image/jpg, image/png, video/mp4)"
    )]
    UploadFileType { file_type: String },
    #[error("file_offset {given} does not match the {expected} bytes the upload session holds")]
    UploadOffset { given: u64, expected: u64 },
    #[error("the upload session's signature (sig) is missing or does not match")]
    UploadSignature,
    #[error(
        "Templates with {format} header type need an example/sample, but it was not provided: give example.header_handle with the handle of a file uploaded through the Resumable Upload API"
    )]
    MediaExampleMissing { format: &'static str },
    #[error("the {format} header's example handle {reason}")]
    MediaHandle {
        format: &'static str,
        reason: String,
    },
    #[error("the profile is not valid JSON for the sandbox: {0}")]
    ProfileJson(#[from] serde_json::Error),
    #[error("the profile is not usable: {0}")]
    InvalidProfile(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Meta's details for a refusal caused by the account's standing.
fn account_details(state: AccountState) -> &'static str {
    match state {
        AccountState::PolicyBlocked => limits::details::POLICY_BLOCKED,
        AccountState::Locked => limits::details::ACCOUNT_LOCKED,
        AccountState::PaymentIssue => limits::details::PAYMENT_ISSUE,
        // Never built for an active account; the most general of the texts.
        AccountState::Active => limits::details::POLICY_BLOCKED,
    }
}

/// Why the HTTP server could not start or be reconfigured.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("the webhook URL {url:?} is not an absolute http(s) URL")]
    WebhookUrl { url: String },
    #[error("cannot build the webhook client: {0}")]
    WebhookClient(#[source] reqwest::Error),
    #[error(transparent)]
    Profile(#[from] Error),
}

/// An error as Meta would answer it: what the HTTP layer serialises into
/// `{"error":{"message","type","code","error_subcode","error_data":{"details"}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaError {
    pub http_status: u16,
    pub code: u32,
    pub subcode: Option<u32>,
    /// Meta's short text for the code (`error.message`, `errors[].title`).
    pub title: String,
    /// What exactly was wrong (`error_data.details`).
    pub details: String,
}

impl MetaError {
    /// Meta's answer for `code` with the sandbox's explanation as details.
    pub fn new(code: u32, details: impl Into<String>) -> Self {
        let (title, http_status) = limits::describe(code);
        Self {
            http_status,
            code,
            subcode: None,
            title: title.to_owned(),
            details: details.into(),
        }
    }
}

impl Error {
    /// Meta's error code for this refusal.
    pub fn code(&self) -> u32 {
        match self {
            Error::AccessToken => code::ACCESS_TOKEN,
            Error::InvalidTemplateName { .. }
            | Error::MissingBody
            | Error::DuplicateTemplate { .. }
            | Error::TemplateNotFound { .. }
            | Error::UnknownMessage { .. }
            | Error::UploadParameter { .. }
            | Error::UploadFileType { .. }
            | Error::UploadOffset { .. }
            | Error::MediaExampleMissing { .. } => code::INVALID_PARAMETER,
            Error::UploadSignature => code::INCORRECT_SIGNATURE,
            Error::MediaHandle { .. } => code::PARAMETER_VALUE_INVALID,
            Error::UnknownTemplate { .. } => code::TEMPLATE_MISSING,
            Error::TemplatePaused { .. } => code::TEMPLATE_PAUSED,
            Error::TemplateDisabled { .. } => code::TEMPLATE_DISABLED,
            Error::ParameterCount { .. } => code::PARAMETER_COUNT,
            Error::ParameterFormat { .. } => code::PARAMETER_FORMAT,
            Error::InvalidRecipient { .. } | Error::CallbackDataTooLong { .. } => {
                code::PARAMETER_VALUE_INVALID
            }
            Error::Throughput { .. } => code::THROUGHPUT,
            Error::PairRate { .. } => code::PAIR_RATE,
            Error::MessagingLimit { .. } => code::SPAM_RATE_LIMIT,
            Error::AccountRestricted { state } => {
                state.send_refusal_code().unwrap_or(code::POLICY_BLOCKED)
            }
            Error::CallRateLimit {
                scope: CallScope::Waba,
                ..
            }
            | Error::TemplateCreationLimit { .. } => code::WABA_RATE_LIMIT,
            Error::CallRateLimit {
                scope: CallScope::App,
                ..
            } => code::API_TOO_MANY_CALLS,
            Error::ProfileJson(_) | Error::InvalidProfile(_) => code::UNKNOWN,
        }
    }

    /// The whole answer Meta would give for this refusal.
    pub fn meta(&self) -> MetaError {
        let mut meta = MetaError::new(self.code(), self.to_string());
        meta.subcode = match self {
            Error::DuplicateTemplate { .. } => Some(limits::SUBCODE_DUPLICATE_TEMPLATE),
            Error::MediaExampleMissing { .. } => Some(limits::SUBCODE_MEDIA_EXAMPLE_MISSING),
            Error::MediaHandle { .. } => Some(limits::SUBCODE_MEDIA_HANDLE_INVALID),
            _ => None,
        };
        meta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_metas_codes_and_statuses() {
        let cases = [
            (Error::Throughput { per_second: 80 }, 130429, 400),
            (Error::PairRate { to: "1".into() }, 131056, 400),
            (Error::TemplatePaused { name: "a".into() }, 132015, 400),
            (Error::TemplateDisabled { name: "a".into() }, 132016, 400),
            (
                Error::UnknownTemplate {
                    name: "a".into(),
                    language: "en".into(),
                },
                132001,
                404,
            ),
            (Error::AccessToken, 190, 401),
            (Error::MessagingLimit { limit: 250 }, 131048, 400),
            (
                Error::AccountRestricted {
                    state: AccountState::PolicyBlocked,
                },
                368,
                403,
            ),
            (
                Error::AccountRestricted {
                    state: AccountState::Locked,
                },
                131031,
                403,
            ),
            (
                Error::AccountRestricted {
                    state: AccountState::PaymentIssue,
                },
                131042,
                400,
            ),
            (
                Error::CallRateLimit {
                    scope: CallScope::Waba,
                    limit: 1,
                },
                80007,
                400,
            ),
            (
                Error::CallRateLimit {
                    scope: CallScope::App,
                    limit: 1,
                },
                4,
                400,
            ),
            (Error::TemplateCreationLimit { limit: 100 }, 80007, 400),
            (Error::UploadSignature, 104, 400),
            (
                Error::UploadOffset {
                    given: 0,
                    expected: 3,
                },
                100,
                400,
            ),
            (
                Error::MediaHandle {
                    format: "IMAGE",
                    reason: "x".into(),
                },
                131009,
                400,
            ),
        ];
        for (error, code, status) in cases {
            let meta = error.meta();
            assert_eq!(meta.code, code, "{error} must carry Meta's code {code}");
            assert_eq!(
                meta.http_status, status,
                "{error} must answer HTTP {status}"
            );
        }
    }

    #[test]
    fn a_duplicate_template_carries_the_subcode() {
        let meta = Error::DuplicateTemplate {
            name: "a".into(),
            language: "en".into(),
        }
        .meta();
        assert_eq!(
            (meta.code, meta.subcode),
            (100, Some(2_388_024)),
            "clients recognise a duplicate by code 100 with its subcode"
        );
    }
}
