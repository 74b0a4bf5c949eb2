//! The audience's pure rules: how a spreadsheet row becomes a contact.
//!
//! Phones to E.164 ([`phone`]), time zones from a name, an offset or the
//! number's country ([`zone`]), consent columns ([`consent`]), column names in
//! Russian and English ([`headers`]), the column mapping ([`mapping`]), a whole
//! row ([`row`]), what a row does to an existing contact ([`merge`]) and the
//! report ([`report`]). No I/O: the engine reads the file and the store writes.

pub mod consent;
pub mod headers;
pub mod mapping;
pub mod merge;
pub mod phone;
pub mod report;
pub mod row;
pub mod zone;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use mapping::{ColumnMapping, ColumnRule, MappingProblem, ResolvedMapping, Target};
pub use merge::{ConsentKind, ConsentState, ExistingContact, LedgerEvent, MergeRule, Outcome};
pub use phone::{Phone, PhoneNormalizer, PhoneProblem, Region};
pub use report::{ImportCounts, RejectedCsv, RejectedRow, neutralize_cell, write_rejected_csv};
pub use row::{ConsentMark, ContactDraft, RowError, RowNormalizer, RowProblem, RowSettings};

/// What an import does with the numbers in a file.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Contacts are created or updated, consent granted where the file says so.
    #[default]
    Subscribe,
    /// The file is an opt-out list: every number goes onto the suppression list,
    /// and an existing contact's consent is withdrawn.
    OptOut,
}

impl ImportMode {
    /// The value in `import_run.mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Subscribe => "subscribe",
            ImportMode::OptOut => "opt_out",
        }
    }
}

impl fmt::Display for ImportMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportMode {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "subscribe" => Ok(ImportMode::Subscribe),
            "opt-out" | "opt_out" => Ok(ImportMode::OptOut),
            other => Err(crate::Error::UnknownImportMode(other.to_owned())),
        }
    }
}
