//! Errors of the pure domain: a value that does not fit a rule.

/// Why a domain value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("unknown language {0:?}: Cadence speaks \"en\" (English) and \"ru\" (Russian)")]
    UnknownLanguage(String),
    #[error("unknown workspace mode {0:?}: expected \"sandbox\" or \"live\"")]
    UnknownWorkspaceMode(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
