//! The example audience of sandbox workspaces: a couple of thousand generated
//! contacts across several countries and time zones, so that a newcomer can
//! filter, plan and send at once, offline. Seeded on the first run of a
//! sandbox workspace only (removing it does not bring it back at the next
//! start), again on request, and removed with one call.
//!
//! Never in a live workspace: its contacts are real people, and an example
//! contact there could be messaged for real.

use cadence_core::WorkspaceMode;
use cadence_store::contacts::{EXAMPLE_SOURCE, EXAMPLE_TAG};

use super::counts::contacts_changed;
use super::generate::{ContactGenerator, GeneratorOptions};
use crate::{Error, Result, Workspace};

/// How many contacts the example audience has.
pub const EXAMPLE_AUDIENCE_SIZE: usize = 2_000;
/// The generator's seed: every sandbox gets the same people.
const EXAMPLE_SEED: u64 = 20_261_125;
/// The import record's file name (shown in the import history).
const EXAMPLE_FILE_NAME: &str = "example audience";

/// The example audience as generated at `now` (deterministic).
pub fn example_contacts(now: i64) -> Vec<cadence_store::contacts::NewContact> {
    ContactGenerator::new(GeneratorOptions {
        seed: EXAMPLE_SEED,
        now,
        message_history: false,
        extra_tags: vec![EXAMPLE_TAG.to_owned()],
        suppression_source: EXAMPLE_SOURCE.to_owned(),
    })
    .batch(EXAMPLE_AUDIENCE_SIZE)
}

impl Workspace {
    async fn seed_example(&self, first_time_only: bool, now: i64) -> Result<u64> {
        let mut details = serde_json::Map::new();
        details.insert("seed".into(), EXAMPLE_SEED.into());
        details.insert("size".into(), (EXAMPLE_AUDIENCE_SIZE as u64).into());
        let seeded = self
            .store()
            .seed_example(
                EXAMPLE_FILE_NAME,
                details,
                &example_contacts(now),
                first_time_only,
                now,
            )
            .await?;
        Ok(match seeded {
            Some((run, inserted)) => {
                tracing::info!(
                    import = run.import_id,
                    contacts = inserted.inserted,
                    "seeded the example audience"
                );
                inserted.inserted
            }
            None => 0,
        })
    }

    /// The first run of a sandbox workspace: seeds the example audience unless
    /// it was seeded before (even if removed since). Does nothing in a live
    /// workspace. Returns how many contacts were added.
    pub async fn ensure_example_audience(&self, now: i64) -> Result<u64> {
        if self.mode().await? != WorkspaceMode::Sandbox {
            return Ok(0);
        }
        self.seed_example(true, now).await
    }

    /// "Add example audience": seeds it when none of it is present (0 when it
    /// is). Sandbox workspaces only.
    pub async fn add_example_audience(&self, now: i64) -> Result<u64> {
        if self.mode().await? != WorkspaceMode::Sandbox {
            return Err(Error::ExampleNeedsSandbox);
        }
        self.seed_example(false, now).await
    }

    /// "Remove example data": deletes the example contacts with everything
    /// about them. Returns how many went.
    pub async fn remove_example_audience(&self) -> Result<u64> {
        let removed = self.store().remove_example().await?;
        contacts_changed();
        tracing::info!(contacts = removed, "removed the example audience");
        Ok(removed)
    }
}
