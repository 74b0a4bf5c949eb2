//! Cadence's pure domain: the vocabulary every other crate speaks.
//!
//! Owns the plain types and rules of the product (languages, workspace modes and,
//! as the product grows, templates, lint rules, the planner, A/B statistics).
//! Must not do I/O and must not depend on `tauri`, `sqlx` or any other Cadence crate.

pub mod audience;
pub mod csvread;
pub mod error;
pub mod language;
pub mod lint;
pub mod secret;
pub mod spelling;
pub mod template;
pub mod time;
mod translit;
pub mod workspace;

pub use error::{Error, Result};
pub use language::Language;
pub use secret::Secret;
pub use workspace::WorkspaceMode;
