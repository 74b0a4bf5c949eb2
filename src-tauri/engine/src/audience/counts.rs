//! The count cache: how many contacts a filter matches, kept per workspace and
//! filter so that scrolling, switching back to a filter and listing segments do
//! not count a million contacts again.
//!
//! An entry is used only while nothing it depends on can have changed: the
//! audience tables' fingerprint ([`AudienceStamp`]: new contacts, consent
//! events, opt-out entries, imports, whichever process wrote them) is the same,
//! no deletion went through this process since ([`contacts_changed`]), and it
//! is younger than [`MAX_AGE`] (the bound on what the fingerprint cannot see: a
//! deletion by another process, or a campaign updating `last_message_at`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cadence_store::Store;
use cadence_store::contacts::{AudienceStamp, ContactFilter};

use crate::Result;

/// The longest an entry is trusted without a recount.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Entries kept in all; the oldest go first.
const CAPACITY: usize = 512;

/// Bumped by every change to the audience this process makes that the
/// fingerprint cannot see (a deletion, a suppression removed).
static GENERATION: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// Every match.
    All,
    /// Matches that may receive marketing now.
    Eligible,
}

struct Entry {
    stamp: AudienceStamp,
    generation: u64,
    at: Instant,
    total: u64,
}

type Key = (PathBuf, Kind, String);

static CACHE: LazyLock<Mutex<HashMap<Key, Entry>>> = LazyLock::new(Default::default);

/// Forgets every cached count: call after changing contacts in a way the
/// fingerprint cannot see (deleting, updating fields in place). Cheap.
pub fn contacts_changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

fn key(store: &Store, kind: Kind, filter: &ContactFilter) -> Key {
    // Serializing our own filter cannot fail (strings, numbers, enums).
    let text = serde_json::to_string(filter).expect("a filter serializes to JSON");
    (store.path().to_owned(), kind, text)
}

/// What the cache needs to know before counting: read the stamp and generation
/// first, so that a change made while counting makes the entry stale at once.
pub(crate) struct Snapshot {
    stamp: AudienceStamp,
    generation: u64,
}

pub(crate) async fn snapshot(store: &Store) -> Result<Snapshot> {
    let generation = GENERATION.load(Ordering::SeqCst);
    Ok(Snapshot {
        stamp: store.audience_stamp().await?,
        generation,
    })
}

/// The cached total, if it is still true.
pub(crate) fn lookup(
    store: &Store,
    kind: Kind,
    filter: &ContactFilter,
    now: &Snapshot,
) -> Option<u64> {
    let cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    let entry = cache.get(&key(store, kind, filter))?;
    (entry.stamp == now.stamp && entry.generation == now.generation && entry.at.elapsed() < MAX_AGE)
        .then_some(entry.total)
}

pub(crate) fn remember(
    store: &Store,
    kind: Kind,
    filter: &ContactFilter,
    taken: Snapshot,
    total: u64,
) {
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CAPACITY {
        let oldest = cache
            .iter()
            .min_by_key(|(_, entry)| entry.at)
            .map(|(key, _)| key.clone());
        if let Some(oldest) = oldest {
            cache.remove(&oldest);
        }
    }
    cache.insert(
        key(store, kind, filter),
        Entry {
            stamp: taken.stamp,
            generation: taken.generation,
            at: Instant::now(),
            total,
        },
    );
}

/// One gate per key being counted: a second caller waits for the first count
/// and reads its result from the cache instead of counting again.
static COUNTING: LazyLock<Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(Default::default);

/// The count of `filter`, from the cache when still true, else counted (and
/// remembered). Concurrent calls for the same filter count once.
pub(crate) async fn count(store: &Store, kind: Kind, filter: &ContactFilter) -> Result<u64> {
    let key = key(store, kind, filter);
    let gate = COUNTING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key.clone())
        .or_default()
        .clone();
    let result = {
        let _counting = gate.lock().await;
        count_now(store, kind, filter).await
    };
    let mut gates = COUNTING.lock().unwrap_or_else(PoisonError::into_inner);
    // The map's handle and ours: nobody else waits, the gate can go.
    if Arc::strong_count(&gate) <= 2 {
        gates.remove(&key);
    }
    result
}

async fn count_now(store: &Store, kind: Kind, filter: &ContactFilter) -> Result<u64> {
    let taken = snapshot(store).await?;
    if let Some(total) = lookup(store, kind, filter, &taken) {
        return Ok(total);
    }
    let total = match kind {
        Kind::All => store.count_contacts(filter).await?,
        Kind::Eligible => store.count_eligible(filter).await?,
    };
    remember(store, kind, filter, taken, total);
    Ok(total)
}

/// Starts counting `filter` without waiting: by the time the window asks for
/// the total, it is ready or under way (and the ask joins it).
pub(crate) fn count_in_background(store: &Store, kind: Kind, filter: &ContactFilter) {
    let store = store.clone();
    let filter = filter.clone();
    tokio::spawn(async move {
        if let Err(error) = count(&store, kind, &filter).await {
            tracing::warn!(%error, "counting contacts in the background failed");
        }
    });
}
