//! The sandbox: an offline WhatsApp Cloud API that behaves like Meta's.
//!
//! This crate is the simulation core: template review and statuses, quality and the
//! pause ladder, throughput, pair rate, messaging tier and per-user marketing limits,
//! undeliverable and opted-out recipients, the account's standing (policy block,
//! lock, payment problem), the Graph API call rate limits ([`calls`]), status
//! webhooks (sometimes out of order), simulated replies, fault decisions, the ledger of accepted messages, and Resumable
//! Upload sessions with the media handles they issue ([`uploads`]). The core is
//! pure: time is passed in ([`SimTime`]), randomness is seeded, nothing does I/O.
//!
//! [`http`] puts it on the network: Meta's Graph API paths, the control API, injected
//! faults and signed webhook delivery ([`webhook_body`] writes Meta's JSON). Run it
//! in-process with [`serve`], or as the `cadence-sandbox` binary.
//!
//! Depends on `cadence-core` and `cadence-whatsapp` (its wire types, so the sandbox
//! speaks exactly what the client sends); must not depend on `tauri`, the store or
//! the engine.

pub mod calls;
pub mod clock;
pub mod error;
pub mod events;
pub mod fault;
pub mod http;
pub mod ledger;
pub mod limits;
pub mod profile;
pub mod quality;
pub mod rng;
pub mod sandbox;
pub mod send;
pub mod templates;
pub mod uploads;
pub mod webhook_body;

pub use calls::CallScope;
pub use clock::{SimClock, SimTime, TimeScale};
pub use error::{Error, MetaError, Result, ServeError};
pub use events::{InboundContent, MarketingPreference, MessageStatus, Webhook, WebhookKind};
pub use fault::{Fault, FaultDecision};
pub use http::{
    ManualWallClock, RetryPolicy, RunningSandbox, ServerConfig, SystemWallClock, WallClock, serve,
};
pub use ledger::{Ledger, LedgerEntry, LedgerOutcome};
pub use profile::{AccountState, Profile};
pub use quality::QualityScore;
pub use sandbox::{Sandbox, TemplateView};
pub use send::{Accepted, SendRequest};
pub use templates::{Category, TemplateDraft, TemplateStatus};
