//! Meta's numbers, in one place: error codes, the structural limits of a template,
//! the messaging tiers and the pause ladder.
//!
//! Every figure comes from `WHATSAPP.md` or Meta's public pages (noted where a partner
//! page was the only source). Behaviour that a profile may change (rates, delays,
//! thresholds) lives in `profile`; what lives here is what Meta fixes for everyone.
//! Must not depend on the rest of the crate.

use std::time::Duration;

/// Meta's error codes, as the Cloud API returns them in `error.code` or in a failed
/// status webhook's `errors[].code`.
pub mod code {
    /// Any unexpected server-side failure ("An unknown error occurred").
    pub const UNKNOWN: u32 = 1;
    /// Temporary outage ("Service temporarily unavailable").
    pub const SERVICE_UNAVAILABLE: u32 = 2;
    /// The app's Graph API call rate limit ("API Too Many Calls"; the Graph API's
    /// message is "Application request limit reached").
    pub const API_TOO_MANY_CALLS: u32 = 4;
    /// Generic invalid parameter (bad template name, duplicate template, …).
    pub const INVALID_PARAMETER: u32 = 100;
    /// A request's signature does not match (the `sig` of an upload session id): one of
    /// the errors Meta's Application Uploads reference lists.
    pub const INCORRECT_SIGNATURE: u32 = 104;
    /// Bad or expired access token.
    pub const ACCESS_TOKEN: u32 = 190;
    /// The WhatsApp Business Account is restricted or disabled for a policy violation.
    pub const POLICY_BLOCKED: u32 = 368;
    /// The WhatsApp Business Account's call rate limit ("Rate limit issues").
    pub const WABA_RATE_LIMIT: u32 = 80007;
    /// Throughput of the phone number exceeded.
    pub const THROUGHPUT: u32 = 130429;
    /// "Something went wrong": used for injected 5xx answers.
    pub const GENERIC_USER_ERROR: u32 = 131000;
    /// A parameter value is not valid (recipient, callback data).
    pub const PARAMETER_VALUE_INVALID: u32 = 131009;
    /// The message could not be delivered (for example: not on WhatsApp).
    pub const UNDELIVERABLE: u32 = 131026;
    /// The WhatsApp Business Account is locked.
    pub const ACCOUNT_LOCKED: u32 = 131031;
    /// The WhatsApp Business Account has a problem with its payment method.
    pub const PAYMENT_ISSUE: u32 = 131042;
    /// Spam rate limit: Meta restricts how many messages the phone number may send,
    /// because too many were blocked or flagged as spam; also what a send beyond the
    /// messaging tier gets (partner documentation quotes this code for tier overflow;
    /// Meta has no separate code).
    pub const SPAM_RATE_LIMIT: u32 = 131048;
    /// Meta chose not to deliver (per-user marketing limit; US +1 marketing).
    pub const ECOSYSTEM_LIMIT: u32 = 131049;
    /// The user stopped marketing messages from this business.
    pub const USER_STOPPED_MARKETING: u32 = 131050;
    /// Too many messages to the same user in a short time (pair rate).
    pub const PAIR_RATE: u32 = 131056;
    /// Parameter count does not match the template.
    pub const PARAMETER_COUNT: u32 = 132000;
    /// Template does not exist (in that language) or is not approved.
    pub const TEMPLATE_MISSING: u32 = 132001;
    /// Template paused because of low quality.
    pub const TEMPLATE_PAUSED: u32 = 132015;
    /// Template disabled because of low quality.
    pub const TEMPLATE_DISABLED: u32 = 132016;
    /// Parameter format problem (newline, tab, more than 4 spaces, empty).
    pub const PARAMETER_FORMAT: u32 = 132018;
}

/// `error_subcode` Meta returns when a template with the same name and language
/// already exists (seen by partners as "duplicate" on `POST message_templates`).
pub const SUBCODE_DUPLICATE_TEMPLATE: u32 = 2_388_024;

/// `error_subcode` (with code 100) when a media header comes without an example handle,
/// or with something that is not a handle (a URL): "Templates with IMAGE header type
/// need an example/sample, but it was not provided" (as partners quote it).
pub const SUBCODE_MEDIA_EXAMPLE_MISSING: u32 = 2_388_273;

/// `error_subcode` (with code 131009) when a media header's example handle is not a
/// valid uploaded file ("The uploaded media handle is not valid", as partners quote it).
pub const SUBCODE_MEDIA_HANDLE_INVALID: u32 = 2_494_102;

/// Meta's title, text and HTTP status for an error code: what the HTTP layer puts in
/// `error.message` / `errors[].title` and the answer's status line.
pub fn describe(code: u32) -> (&'static str, u16) {
    match code {
        code::UNKNOWN => ("An unknown error occurred", 500),
        code::SERVICE_UNAVAILABLE => ("Service temporarily unavailable", 503),
        code::API_TOO_MANY_CALLS => ("Application request limit reached", 400),
        code::INVALID_PARAMETER => ("Invalid parameter", 400),
        code::INCORRECT_SIGNATURE => ("Incorrect signature", 400),
        code::ACCESS_TOKEN => (
            "Invalid OAuth access token - Cannot parse access token",
            401,
        ),
        code::POLICY_BLOCKED => ("Temporarily blocked for policies violations", 403),
        code::WABA_RATE_LIMIT => ("Rate limit issues", 400),
        code::THROUGHPUT => ("Rate limit hit", 400),
        code::GENERIC_USER_ERROR => ("Something went wrong", 500),
        code::PARAMETER_VALUE_INVALID => ("Parameter value is not valid", 400),
        code::UNDELIVERABLE => ("Message undeliverable", 400),
        code::ACCOUNT_LOCKED => ("Business Account locked", 403),
        code::PAYMENT_ISSUE => ("Business eligibility payment issue", 400),
        code::SPAM_RATE_LIMIT => ("Spam rate limit hit", 400),
        code::ECOSYSTEM_LIMIT => (
            "This message was not delivered to maintain healthy ecosystem engagement.",
            400,
        ),
        code::USER_STOPPED_MARKETING => ("User has stopped receiving marketing messages", 400),
        code::PAIR_RATE => (
            "(Business Account, Consumer Account) pair rate limit hit",
            400,
        ),
        code::PARAMETER_COUNT => (
            "Number of parameters does not match the expected number of params",
            400,
        ),
        code::TEMPLATE_MISSING => ("Template name does not exist in the translation", 404),
        code::TEMPLATE_PAUSED => ("Template is paused due to low quality", 400),
        code::TEMPLATE_DISABLED => ("Template has been disabled due to low quality", 400),
        code::PARAMETER_FORMAT => (
            "There was an issue with the parameters in your template.",
            400,
        ),
        _ => ("An unknown error occurred", 500),
    }
}

/// How long a template whose quality fell to RED is paused, by how many times it was
/// paused before; the entry after the last one disables it.
pub const PAUSE_LADDER: [Duration; 2] =
    [Duration::from_secs(3 * 3600), Duration::from_secs(6 * 3600)];

/// The rolling window of the messaging tier and of the per-user marketing limit.
pub const ROLLING_DAY: Duration = Duration::from_secs(24 * 3600);

/// The rolling window of the Graph API call limits (per WABA, per app) and of the
/// template creations per WABA: Meta counts calls per hour.
pub const API_CALL_WINDOW: Duration = Duration::from_secs(3600);

/// Meta's `error_data.details` for the refusals a client cannot explain from its own
/// request, word for word as Meta's error-code table gives them (quoted by partner
/// troubleshooting pages, which note they were checked against the live table).
pub mod details {
    /// 131048.
    pub const SPAM_RATE_LIMIT: &str = "Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.";
    /// 368.
    pub const POLICY_BLOCKED: &str = "The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy.";
    /// 131031.
    pub const ACCOUNT_LOCKED: &str = "The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy, or we were unable to verify data included in the request against data set on the WhatsApp Business Account (e.g, the two-step pin included in the request is incorrect).";
    /// 131042.
    pub const PAYMENT_ISSUE: &str = "Message failed to send because there were one or more errors related to your payment method.";
    /// 4.
    pub const API_TOO_MANY_CALLS: &str = "The app has reached its API call rate limit.";
    /// 80007.
    pub const WABA_RATE_LIMIT: &str = "The WhatsApp Business Account has reached its rate limit.";
}

/// Throughput is measured per second.
pub const THROUGHPUT_WINDOW: Duration = Duration::from_secs(1);

/// Country calling code whose marketing templates Meta stopped delivering (April 2025).
pub const US_CALLING_CODE: &str = "1";
