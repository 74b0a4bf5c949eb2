//! Every number WhatsApp imposes that Cadence relies on, in one place.
//!
//! Meta changes these from time to time: when it does, this file is the only one to
//! edit. Figures come from Meta's Cloud API documentation (see `shared/WHATSAPP.md`).
//! The retry table (which error code means what) lives in [`crate::error`]; the
//! waiting times it implies live here.

use std::time::Duration;

// ---- Throughput and pacing -------------------------------------------------------

/// Messages per second one business phone number may send by default (error 130429 above it).
pub const DEFAULT_THROUGHPUT_PER_SECOND: u32 = 80;
/// Messages per second after Meta's automatic upgrade to higher throughput.
pub const UPGRADED_THROUGHPUT_PER_SECOND: u32 = 1_000;
/// About one message per this interval to the same user (bursts allowed); error 131056 above it.
pub const PAIR_RATE_INTERVAL: Duration = Duration::from_secs(6);
/// Base of the pair-rate back-off: the n-th retry to one recipient waits `4^n` seconds.
pub const PAIR_RATE_BACKOFF_BASE: u64 = 4;
/// Longest pair-rate back-off: past it the recipient is retried at this interval.
pub const PAIR_RATE_BACKOFF_MAX: Duration = Duration::from_secs(60 * 60);
/// First wait after a transient error (1, 2, 131000, 131016, 131057, 130429, transport);
/// doubled on each further attempt.
pub const RETRY_SOON_BASE: Duration = Duration::from_secs(2);
/// Longest wait after a transient error.
pub const RETRY_SOON_MAX: Duration = Duration::from_secs(5 * 60);
/// First wait after an API call rate limit (codes 4, 80007): "back off minutes".
pub const API_RATE_LIMIT_BACKOFF_BASE: Duration = Duration::from_secs(60);
/// Longest wait after an API call rate limit.
pub const API_RATE_LIMIT_BACKOFF_MAX: Duration = Duration::from_secs(30 * 60);
/// The per-user marketing limit (131049): retry no sooner than this.
pub const MARKETING_LIMIT_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

// ---- Messaging limits (unique users reached with templates in a moving 24 hours) --

/// The moving window over which the messaging limit counts unique users.
pub const MESSAGING_LIMIT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// Messaging tiers in order; `None` is the unlimited tier.
pub const MESSAGING_TIERS: [Option<u32>; 5] =
    [Some(250), Some(2_000), Some(10_000), Some(100_000), None];
/// The tiers Meta names in `whatsapp_business_manager_messaging_limit` and webhooks, with
/// their unique-user counts; older tiers (50, 1K) still appear on old numbers.
pub const MESSAGING_TIER_NAMES: [(&str, u32); 7] = [
    ("TIER_50", 50),
    ("TIER_250", 250),
    ("TIER_1K", 1_000),
    ("TIER_2K", 2_000),
    ("TIER_10K", 10_000),
    ("TIER_100K", 100_000),
    ("TIER_UNLIMITED", u32::MAX),
];

// ---- Templates -----------------------------------------------------------------

/// Template creations per WhatsApp Business Account per hour.
pub const TEMPLATE_CREATIONS_PER_HOUR: u32 = 100;
// The structure limits of a template (name, header, body, footer, buttons) are
// in `cadence_core::lint::limits`, beside the rules that enforce them.
/// Largest image header (bytes): about 5 MB.
pub const IMAGE_HEADER_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Largest video header (bytes): about 16 MB.
pub const VIDEO_HEADER_MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Largest document header (bytes): 100 MB.
pub const DOCUMENT_HEADER_MAX_BYTES: u64 = 100 * 1024 * 1024;
/// MIME types the Resumable Upload API takes as `file_type` (Meta's "Upload a file"
/// guide), with the largest file each may be as a template header example: the header
/// caps above (JPEG and PNG images, MP4 video, PDF documents; WhatsApp's other media
/// types, such as 3GPP video or Word documents, cannot be uploaded this way).
pub const HEADER_EXAMPLE_TYPES: [(&str, u64); 5] = [
    ("image/jpeg", IMAGE_HEADER_MAX_BYTES),
    ("image/jpg", IMAGE_HEADER_MAX_BYTES),
    ("image/png", IMAGE_HEADER_MAX_BYTES),
    ("video/mp4", VIDEO_HEADER_MAX_BYTES),
    ("application/pdf", DOCUMENT_HEADER_MAX_BYTES),
];

/// The largest header example of this MIME type, `None` when the Resumable Upload API
/// does not take the type. Types compare case-insensitively, as MIME types do.
pub fn header_example_max_bytes(mime_type: &str) -> Option<u64> {
    HEADER_EXAMPLE_TYPES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(mime_type.trim()))
        .map(|&(_, max)| max)
}

/// A template whose quality falls to RED is paused this long the first time…
pub const TEMPLATE_FIRST_PAUSE: Duration = Duration::from_secs(3 * 60 * 60);
/// …this long the second time, and disabled the third.
pub const TEMPLATE_SECOND_PAUSE: Duration = Duration::from_secs(6 * 60 * 60);
/// Pauses after which a template is disabled.
pub const TEMPLATE_PAUSES_BEFORE_DISABLE: u32 = 2;

// ---- Sending ---------------------------------------------------------------------

/// Longest `biz_opaque_callback_data`, echoed back in status webhooks.
pub const BIZ_OPAQUE_CALLBACK_DATA_MAX_CHARS: usize = 512;
/// Most spaces in a row a runtime parameter value may hold (no newline, no tab, never empty).
pub const PARAMETER_MAX_CONSECUTIVE_SPACES: usize = 4;

// ---- Analytics and webhooks --------------------------------------------------------

/// How far back `template_analytics` answers; older figures must come from stored events.
pub const ANALYTICS_LOOKBACK_DAYS: u32 = 90;
/// Template ids one `template_analytics` call accepts.
pub const ANALYTICS_MAX_TEMPLATE_IDS: usize = 10;
/// How long Meta keeps retrying a webhook that was not answered 200 (about a day).
pub const WEBHOOK_RETRY_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messaging_tiers_grow_and_end_unlimited() {
        let limited: Vec<u32> = MESSAGING_TIERS.iter().filter_map(|t| *t).collect();
        assert!(
            limited.windows(2).all(|w| w[0] < w[1]),
            "tiers are steps up: each must be larger than the one before"
        );
        assert_eq!(
            MESSAGING_TIERS.last(),
            Some(&None),
            "the top tier is unlimited"
        );
    }

    #[test]
    fn header_examples_take_only_the_documented_types() {
        assert_eq!(
            header_example_max_bytes("IMAGE/JPEG"),
            Some(IMAGE_HEADER_MAX_BYTES),
            "MIME types are case-insensitive"
        );
        assert_eq!(
            header_example_max_bytes("application/pdf"),
            Some(DOCUMENT_HEADER_MAX_BYTES),
            "documents have their own, larger cap"
        );
        for refused in ["image/webp", "video/3gpp", "text/plain", ""] {
            assert_eq!(
                header_example_max_bytes(refused),
                None,
                "{refused:?} is not a file_type the Resumable Upload API accepts"
            );
        }
    }

    #[test]
    fn upgraded_throughput_exceeds_default() {
        const {
            assert!(
                UPGRADED_THROUGHPUT_PER_SECOND > DEFAULT_THROUGHPUT_PER_SECOND,
                "an upgrade must raise throughput"
            )
        };
    }
}
