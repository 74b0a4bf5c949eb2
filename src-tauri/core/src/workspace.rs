//! What kind of WhatsApp a workspace talks to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Whether a workspace's sends reach the offline sandbox or real people.
///
/// The UI shows it as a badge on every screen: nobody should ever wonder whether a
/// click will message real people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum WorkspaceMode {
    /// Talks to Cadence's local Cloud API simulator: nothing leaves the machine.
    Sandbox,
    /// Talks to Meta's Cloud API with a real WhatsApp Business account.
    Live,
}

impl WorkspaceMode {
    /// The value stored in SQLite (the `workspace.mode` CHECK constraint lists these).
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceMode::Sandbox => "sandbox",
            WorkspaceMode::Live => "live",
        }
    }
}

impl fmt::Display for WorkspaceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WorkspaceMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sandbox" => Ok(WorkspaceMode::Sandbox),
            "live" => Ok(WorkspaceMode::Live),
            other => Err(Error::UnknownWorkspaceMode(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_through_their_stored_text() {
        for mode in [WorkspaceMode::Sandbox, WorkspaceMode::Live] {
            assert_eq!(mode.as_str().parse::<WorkspaceMode>(), Ok(mode));
        }
        assert!(
            "production".parse::<WorkspaceMode>().is_err(),
            "only the two modes the CHECK constraint allows may be read back"
        );
    }
}
