//! The workspace's secrets (Meta access token, app secret) in the OS keyring.
//!
//! Secrets never touch SQLite, logs, exports or error text: they go from the
//! Settings screen straight into the OS's own store, keyed by workspace, and come
//! back only as [`Secret`]s, which print as `***`.

use cadence_core::Secret;

use crate::paths::APP_IDENTIFIER;
use crate::{Error, Result};

/// Which secret of a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The Cloud API access token (a system user's token).
    AccessToken,
    /// The Meta app secret, which signs webhook deliveries.
    AppSecret,
    /// The token Meta echoes when it verifies the webhook subscription.
    VerifyToken,
}

impl SecretKind {
    pub const ALL: [SecretKind; 3] = [
        SecretKind::AccessToken,
        SecretKind::AppSecret,
        SecretKind::VerifyToken,
    ];

    fn account(self) -> &'static str {
        match self {
            SecretKind::AccessToken => "access-token",
            SecretKind::AppSecret => "app-secret",
            SecretKind::VerifyToken => "verify-token",
        }
    }
}

impl std::fmt::Display for SecretKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecretKind::AccessToken => "access token",
            SecretKind::AppSecret => "app secret",
            SecretKind::VerifyToken => "verify token",
        })
    }
}

/// One workspace's entries in the OS keyring.
#[derive(Debug, Clone)]
pub struct SecretStore {
    /// The keyring "service": Cadence's identifier and the workspace, so that two
    /// workspaces (a sandbox and a real account) never share a token.
    service: String,
}

impl SecretStore {
    pub fn for_workspace(workspace: &str) -> SecretStore {
        SecretStore {
            service: format!("{APP_IDENTIFIER}/{workspace}"),
        }
    }

    /// Stores (or replaces) a secret.
    pub fn save(&self, kind: SecretKind, value: &Secret) -> Result<()> {
        if value.is_empty() {
            return Err(Error::EmptySecret(kind));
        }
        self.entry(kind)?
            .set_password(value.expose())
            .map_err(|e| keyring_error(kind, "store", e))
    }

    /// The secret, or `None` when none was stored.
    pub fn load(&self, kind: SecretKind) -> Result<Option<Secret>> {
        match self.entry(kind)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(kind, "read", e)),
        }
    }

    /// Forgets a secret; forgetting one that is not there is not an error.
    pub fn delete(&self, kind: SecretKind) -> Result<()> {
        match self.entry(kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(kind, "delete", e)),
        }
    }

    fn entry(&self, kind: SecretKind) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, kind.account())
            .map_err(|e| keyring_error(kind, "open", e))
    }
}

/// keyring's errors describe the platform store, never the secret's value, so
/// their text is safe to keep.
fn keyring_error(kind: SecretKind, action: &'static str, error: keyring::Error) -> Error {
    Error::Keyring {
        kind,
        action,
        reason: error.to_string(),
    }
}
