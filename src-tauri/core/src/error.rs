//! Errors of the pure domain: a value that does not fit a rule.

/// Why a domain value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("unknown language {0:?}: Cadence speaks \"en\" (English) and \"ru\" (Russian)")]
    UnknownLanguage(String),
    #[error("unknown workspace mode {0:?}: expected \"sandbox\" or \"live\"")]
    UnknownWorkspaceMode(String),
    #[error("the variable {key:?} of {field} has no value")]
    MissingVariableValue { field: String, key: String },
    #[error("the value of the variable {key:?} of {field} cannot be sent: {problem}")]
    InvalidVariableValue {
        field: String,
        key: String,
        problem: crate::template::ValueProblemKind,
    },
    #[error("the value cannot be sent as a variable: {problem}")]
    InvalidValue {
        problem: crate::template::ValueProblemKind,
    },
    #[error("the fix edits {field}, which this template does not have")]
    FixFieldMissing { field: String },
    #[error("the fix edits characters {start}..{end} of {field}, which has {length}")]
    FixSpanOutOfRange {
        field: String,
        start: u32,
        end: u32,
        length: u32,
    },
    #[error("the fix makes overlapping edits in {field}")]
    FixEditsOverlap { field: String },
    #[error("the fix inserts a button at {index}, but the template has {count} buttons")]
    FixButtonIndex { index: u32, count: u32 },
    #[error("the {language:?} spelling dictionary cannot be read: {reason}")]
    Dictionary { language: String, reason: String },
    // The audience importer (`csvread`, `audience`).
    #[error("{0}")]
    File(crate::csvread::FileProblem),
    #[error("{0}")]
    Mapping(crate::audience::MappingProblem),
    #[error(
        "unknown encoding {0:?}: Cadence reads utf-8, utf-16le, utf-16be, windows-1251 and koi8-r"
    )]
    UnknownEncoding(String),
    #[error("unknown delimiter {0:?}: expected \",\", \";\", \"tab\" or \"|\"")]
    UnknownDelimiter(String),
    #[error("unknown region {0:?}: give a two-letter country code such as RU, KZ or US")]
    UnknownRegion(String),
    #[error(
        "unknown time zone {0:?}: give an IANA name such as Europe/Moscow, or a UTC offset such as +03:00"
    )]
    UnknownTimeZone(String),
    #[error("unknown import mode {0:?}: expected \"subscribe\" or \"opt-out\"")]
    UnknownImportMode(String),
    #[error("the import counts do not add up: {0}")]
    CountsMismatch(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
