//! Secret values (access tokens, app secrets) that must never be shown.
//!
//! `Debug` and `Display` print a fixed placeholder, so a secret that slips into a
//! log line, an error or a panic message reveals nothing. The value itself is
//! reachable only through [`Secret::expose`], which makes every use visible in
//! review.

use std::fmt;

/// A secret string. Deliberately neither `Serialize` nor `PartialEq`-printable.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_their_value() {
        let secret = Secret::new("EAAG-very-secret-token");
        for shown in [
            format!("{secret}"),
            format!("{secret:?}"),
            format!("{:?}", Some(&secret)),
        ] {
            assert!(
                !shown.contains("EAAG"),
                "a printed secret must not reveal it: {shown}"
            );
        }
        assert_eq!(
            secret.expose(),
            "EAAG-very-secret-token",
            "the value is still there for its one use"
        );
    }
}
