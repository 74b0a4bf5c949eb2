//! Trusting a webhook: the GET verification handshake and the POST body signature.
//!
//! Both comparisons run in constant time so that response timing does not reveal
//! how much of a guessed token or signature was right.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::error::SignatureError;

type HmacSha256 = Hmac<Sha256>;

/// The header Meta signs every webhook POST with.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";
const SIGNATURE_PREFIX: &str = "sha256=";

/// The query of Meta's verification GET
/// (`?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`); deserializable
/// straight from the query string by any web framework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct VerificationQuery {
    #[serde(rename = "hub.mode", default)]
    pub mode: Option<String>,
    #[serde(rename = "hub.verify_token", default)]
    pub verify_token: Option<String>,
    #[serde(rename = "hub.challenge", default)]
    pub challenge: Option<String>,
}

impl VerificationQuery {
    /// The challenge to echo back (with 200) when the mode is `subscribe` and the token
    /// is the one configured; `None` means answer 403. An empty configured token
    /// verifies nothing.
    pub fn challenge_for(&self, expected_verify_token: &str) -> Option<&str> {
        if self.mode.as_deref() != Some("subscribe") || expected_verify_token.is_empty() {
            return None;
        }
        let given = self.verify_token.as_deref()?;
        if !constant_time_eq(given.as_bytes(), expected_verify_token.as_bytes()) {
            return None;
        }
        self.challenge.as_deref()
    }
}

/// Byte equality whose running time depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Check `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw_body)>`.
/// `raw_body` must be the bytes as received, before any JSON parsing.
pub fn verify_signature(
    app_secret: &[u8],
    raw_body: &[u8],
    header_value: Option<&str>,
) -> Result<(), SignatureError> {
    if app_secret.is_empty() {
        // With no secret anybody could produce a "valid" HMAC: refuse instead.
        return Err(SignatureError::NoAppSecret);
    }
    let header = header_value.ok_or(SignatureError::MissingHeader)?.trim();
    let hex_digest = header
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or(SignatureError::WrongPrefix)?;
    let expected = hex::decode(hex_digest).map_err(|_| SignatureError::BadHex)?;
    let mut mac = new_mac(app_secret);
    mac.update(raw_body);
    // `verify_slice` compares in constant time and refuses a digest of the wrong length.
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The `X-Hub-Signature-256` value Meta would send for this body (the sandbox signs
/// its webhooks with it; tests build vectors with it).
pub fn sign_body(app_secret: &[u8], raw_body: &[u8]) -> String {
    let mut mac = new_mac(app_secret);
    mac.update(raw_body);
    format!(
        "{SIGNATURE_PREFIX}{}",
        hex::encode(mac.finalize().into_bytes())
    )
}

fn new_mac(app_secret: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length, so this cannot fail.
    HmacSha256::new_from_slice(app_secret).expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_matches_an_independent_hmac() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = sign_body(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "the signature is plain HMAC-SHA256 in lowercase hex, as Meta sends it"
        );
    }

    #[test]
    fn handshake_answers_only_subscribe_with_the_right_token() {
        let query = |mode: &str, token: &str| VerificationQuery {
            mode: Some(mode.into()),
            verify_token: Some(token.into()),
            challenge: Some("1158201444".into()),
        };
        assert_eq!(
            query("subscribe", "s3cret").challenge_for("s3cret"),
            Some("1158201444"),
            "Meta expects its challenge echoed back"
        );
        assert_eq!(
            query("subscribe", "wrong").challenge_for("s3cret"),
            None,
            "a wrong token must not subscribe anyone"
        );
        assert_eq!(
            query("unsubscribe", "s3cret").challenge_for("s3cret"),
            None,
            "only hub.mode=subscribe is a verification"
        );
        assert_eq!(
            query("subscribe", "").challenge_for(""),
            None,
            "an unconfigured token verifies nothing"
        );
        assert_eq!(
            VerificationQuery::default().challenge_for("s3cret"),
            None,
            "a bare GET is not a verification"
        );
    }

    #[test]
    fn constant_time_eq_is_plain_equality() {
        assert!(constant_time_eq(b"abc", b"abc"), "equal bytes");
        assert!(!constant_time_eq(b"abc", b"abd"), "one byte differs");
        assert!(!constant_time_eq(b"abc", b"abcd"), "lengths differ");
    }
}
