//! Meta's WhatsApp Cloud API as Cadence uses it: wire types, the typed client,
//! error classes, webhook parsing and signature checks.
//!
//! - [`wire`]: serde types for every request and response body Cadence exchanges
//!   with the Graph API (shared with the sandbox, which speaks the same JSON).
//! - [`client`]: the async `reqwest` client; one method per endpoint.
//! - [`error`]: the crate's errors, Meta's error bodies and the one table that maps
//!   an error code to what the sender must do ([`RetryClass`]).
//! - [`webhook`]: webhook bodies normalised into [`WebhookEvent`]s, the GET
//!   verification handshake and `X-Hub-Signature-256` checks.
//! - [`limits`]: every WhatsApp number (rates, tiers, lengths) in one place.
//!
//! Depends on `cadence-core` only; must not depend on `tauri`, the store or the engine.

#[macro_use]
mod open_enum;

pub mod client;
pub mod error;
pub mod limits;
pub mod webhook;
pub mod wire;

pub use client::{AccessToken, Client, ClientBuilder, DEFAULT_API_VERSION, DEFAULT_BASE_URL};
pub use error::{Error, MetaError, Result, RetryClass, SignatureError, TransportKind};
pub use webhook::{VerificationQuery, WebhookEvent, parse_webhook, sign_body, verify_signature};
