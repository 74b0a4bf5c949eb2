//! The sandbox: an offline WhatsApp Cloud API that behaves like Meta's.
//!
//! This crate is the simulation core: template review and statuses, quality and the
//! pause ladder, throughput, pair rate, messaging tier and per-user marketing limits,
//! undeliverable and opted-out recipients, status webhooks (sometimes out of order),
//! simulated replies, fault decisions and the ledger of accepted messages. It is pure:
//! time is passed in ([`SimTime`]), randomness is seeded, nothing does I/O. The HTTP
//! layer (Meta's paths, signing, retries) calls [`Sandbox`] with plain values.
//!
//! Depends on `cadence-core` (and, once the HTTP layer lands, `cadence-whatsapp`);
//! must not depend on `tauri`, the store or the engine.

pub mod clock;
pub mod error;
pub mod events;
pub mod fault;
pub mod ledger;
pub mod limits;
pub mod profile;
pub mod quality;
pub mod rng;
pub mod sandbox;
pub mod send;
pub mod templates;

pub use clock::{SimClock, SimTime, TimeScale};
pub use error::{Error, MetaError, Result};
pub use events::{InboundContent, MarketingPreference, MessageStatus, Webhook, WebhookKind};
pub use fault::{Fault, FaultDecision};
pub use ledger::{Ledger, LedgerEntry, LedgerOutcome};
pub use profile::Profile;
pub use quality::QualityScore;
pub use sandbox::{Sandbox, TemplateView};
pub use send::{Accepted, SendRequest};
pub use templates::{Category, TemplateDraft, TemplateStatus};
