//! A workspace's connection to Meta's Cloud API: the account ids and webhook
//! address (in SQLite), the three secrets (in the OS keyring), and "Test
//! connection", which asks Meta about the phone number.

use std::net::SocketAddr;

use cadence_core::Secret;
use cadence_store::{ConnectionRow, NewConnection};
use cadence_whatsapp::Client;
use cadence_whatsapp::client::DEFAULT_API_VERSION;
use serde::{Deserialize, Serialize};

use crate::{Error, Result, SecretKind, SecretStore, Workspace};

/// Where the webhook receiver listens unless the user says otherwise: loopback,
/// so that only a tunnel or reverse proxy on this machine can reach it.
pub const DEFAULT_WEBHOOK_LISTEN: &str = "127.0.0.1:8787";

/// What the user typed in Settings → Connection. A secret left `None` keeps the
/// one already in the keyring (the screen never shows a stored secret back).
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ConnectionInput {
    pub waba_id: String,
    pub phone_number_id: String,
    /// The Meta app's id, needed to upload media header examples; optional.
    pub app_id: Option<String>,
    pub api_version: Option<String>,
    pub webhook_listen: Option<String>,
    pub access_token: Option<String>,
    pub app_secret: Option<String>,
    pub verify_token: Option<String>,
}

/// The saved connection, as Settings shows it: ids, and whether each secret is
/// stored, never the secrets themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ConnectionSettings {
    pub waba_id: String,
    pub phone_number_id: String,
    pub app_id: Option<String>,
    pub api_version: String,
    pub webhook_listen: String,
    pub access_token_saved: bool,
    pub app_secret_saved: bool,
    pub verify_token_saved: bool,
}

/// What Meta says about the phone number: the answer to "Test connection".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PhoneNumberStatus {
    pub phone_number_id: String,
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
    /// GREEN, YELLOW, RED or UNKNOWN (or a newer value Meta adds).
    pub quality_rating: Option<String>,
    /// STANDARD (80 messages/s) or HIGH (1,000 messages/s).
    pub throughput_level: Option<String>,
    /// Unique users reachable in a moving 24 hours, such as TIER_2K.
    pub messaging_limit: Option<String>,
}

impl Workspace {
    /// The saved connection, or `None` before the user saved one.
    pub async fn connection_settings(
        &self,
        secrets: &SecretStore,
    ) -> Result<Option<ConnectionSettings>> {
        let Some(row) = self.store().connection().await? else {
            return Ok(None);
        };
        Ok(Some(settings_from(row, secrets)?))
    }

    /// Checks and saves the connection: ids into the database, secrets into the
    /// keyring. Nothing is saved when any field is wrong.
    pub async fn save_connection(
        &self,
        input: ConnectionInput,
        secrets: &SecretStore,
    ) -> Result<ConnectionSettings> {
        let checked = CheckedInput::from(input)?;
        for (kind, value) in [
            (SecretKind::AccessToken, &checked.access_token),
            (SecretKind::AppSecret, &checked.app_secret),
            (SecretKind::VerifyToken, &checked.verify_token),
        ] {
            if let Some(value) = value {
                secrets.save(kind, value)?;
            }
        }
        let row = self.store().save_connection(&checked.connection).await?;
        tracing::info!(waba_id = %row.waba_id, phone_number_id = %row.phone_number_id, "saved the connection");
        settings_from(row, secrets)
    }

    /// Asks Meta (at `base_url`: Meta's host, or the sandbox's) about the saved
    /// phone number with `access_token`. Meta's refusal comes back word for word.
    pub async fn test_connection(
        &self,
        base_url: &str,
        access_token: &Secret,
    ) -> Result<PhoneNumberStatus> {
        let row = self
            .store()
            .connection()
            .await?
            .ok_or(Error::NotConnected)?;
        check_phone_number(
            base_url,
            &row.api_version,
            &row.phone_number_id,
            access_token,
        )
        .await
    }
}

/// Reads the phone number's quality rating, throughput and messaging limit.
pub async fn check_phone_number(
    base_url: &str,
    api_version: &str,
    phone_number_id: &str,
    access_token: &Secret,
) -> Result<PhoneNumberStatus> {
    let client = Client::builder(access_token.clone())
        .base_url(base_url)
        .api_version(api_version)
        .build()
        .map_err(Error::Meta)?;
    let info = client
        .phone_number_info(phone_number_id)
        .await
        .map_err(Error::Meta)?;
    Ok(PhoneNumberStatus {
        phone_number_id: phone_number_id.to_owned(),
        display_phone_number: info.display_phone_number.clone(),
        verified_name: info.verified_name.clone(),
        quality_rating: info.quality_rating.as_ref().map(|q| q.as_str().to_owned()),
        throughput_level: info
            .throughput
            .as_ref()
            .map(|t| t.level.as_str().to_owned()),
        messaging_limit: info.messaging_limit().map(|l| l.as_str().to_owned()),
    })
}

fn settings_from(row: ConnectionRow, secrets: &SecretStore) -> Result<ConnectionSettings> {
    Ok(ConnectionSettings {
        waba_id: row.waba_id,
        phone_number_id: row.phone_number_id,
        app_id: row.app_id,
        api_version: row.api_version,
        webhook_listen: row.webhook_listen,
        access_token_saved: secrets.load(SecretKind::AccessToken)?.is_some(),
        app_secret_saved: secrets.load(SecretKind::AppSecret)?.is_some(),
        verify_token_saved: secrets.load(SecretKind::VerifyToken)?.is_some(),
    })
}

/// The input after every rule held.
struct CheckedInput {
    connection: NewConnection,
    access_token: Option<Secret>,
    app_secret: Option<Secret>,
    verify_token: Option<Secret>,
}

impl CheckedInput {
    fn from(input: ConnectionInput) -> Result<CheckedInput> {
        let invalid = |field: &'static str, reason: &str| Error::InvalidField {
            field,
            reason: reason.to_owned(),
        };
        let waba_id = meta_id(&input.waba_id)
            .ok_or_else(|| invalid("WABA id", "Meta's ids are digits only"))?;
        let phone_number_id = meta_id(&input.phone_number_id)
            .ok_or_else(|| invalid("phone number id", "Meta's ids are digits only"))?;
        let api_version = input
            .api_version
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        let api_version = api_version.unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        if !is_api_version(&api_version) {
            return Err(invalid(
                "API version",
                "write it as Meta does, such as v23.0",
            ));
        }
        let webhook_listen = input
            .webhook_listen
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        let webhook_listen = webhook_listen.unwrap_or_else(|| DEFAULT_WEBHOOK_LISTEN.to_owned());
        if webhook_listen.parse::<SocketAddr>().is_err() {
            return Err(invalid(
                "webhook address",
                "write an IP address and a port, such as 127.0.0.1:8787",
            ));
        }
        let secret = |value: Option<String>| {
            value
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .map(Secret::new)
        };
        let app_id = match input
            .app_id
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => None,
            Some(value) => Some(
                meta_id(value).ok_or_else(|| invalid("app id", "Meta's ids are digits only"))?,
            ),
        };
        Ok(CheckedInput {
            connection: NewConnection {
                waba_id,
                phone_number_id,
                app_id,
                api_version,
                webhook_listen,
            },
            access_token: secret(input.access_token),
            app_secret: secret(input.app_secret),
            verify_token: secret(input.verify_token),
        })
    }
}

/// Meta's object ids: 1 to 20 decimal digits (spaces around are forgiven).
fn meta_id(value: &str) -> Option<String> {
    let value = value.trim();
    let ok = (1..=20).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| value.to_owned())
}

/// `v23.0`: a `v`, digits, a dot, digits.
fn is_api_version(value: &str) -> bool {
    let Some(rest) = value.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next()) && digits(parts.next()) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ConnectionInput {
        ConnectionInput {
            waba_id: " 102290129340398 ".into(),
            phone_number_id: "106540352242922".into(),
            app_id: Some("  ".into()),
            api_version: None,
            webhook_listen: None,
            access_token: Some("  ".into()),
            app_secret: None,
            verify_token: Some("verify".into()),
        }
    }

    #[test]
    fn input_is_trimmed_defaulted_and_blank_secrets_keep_the_stored_ones() {
        let checked = CheckedInput::from(input()).unwrap();
        assert_eq!(checked.connection.waba_id, "102290129340398");
        assert_eq!(checked.connection.api_version, DEFAULT_API_VERSION);
        assert_eq!(checked.connection.webhook_listen, DEFAULT_WEBHOOK_LISTEN);
        assert_eq!(checked.connection.app_id, None, "the app id is optional");
        assert!(
            checked.access_token.is_none(),
            "a blank field keeps the stored token"
        );
        assert_eq!(
            checked
                .verify_token
                .map(|s| s.expose().to_owned())
                .as_deref(),
            Some("verify")
        );
    }

    #[test]
    fn each_wrong_field_is_named() {
        type Spoil = fn(&mut ConnectionInput);
        let cases: [(Spoil, &str); 5] = [
            (|i| i.app_id = Some("my-app".into()), "app id"),
            (|i| i.waba_id = "abc".into(), "WABA id"),
            (|i| i.phone_number_id = "".into(), "phone number id"),
            (|i| i.api_version = Some("23".into()), "API version"),
            (
                |i| i.webhook_listen = Some("localhost".into()),
                "webhook address",
            ),
        ];
        for (spoil, field) in cases {
            let mut bad = input();
            spoil(&mut bad);
            let err = CheckedInput::from(bad).err().expect("refused");
            assert!(
                err.to_string().contains(field),
                "the message names the field {field}: {err}"
            );
        }
    }

    #[test]
    fn api_versions_look_like_metas() {
        for good in ["v23.0", "v9.1", "v100.25"] {
            assert!(is_api_version(good), "{good}");
        }
        for bad in ["23.0", "v23", "v23.", "v.0", "v23.0.1", "V23.0", "v2a.0"] {
            assert!(!is_api_version(bad), "{bad}");
        }
    }
}
