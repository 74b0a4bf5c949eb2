//! The ledger: every message the sandbox accepted, in acceptance order. Tests and
//! benchmarks read it to prove that nothing was sent twice.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::clock::SimTime;
use crate::templates::Category;

/// What the simulation decided for an accepted message when it accepted it; the
/// status webhooks that follow tell the client the same story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LedgerOutcome {
    Delivered,
    /// Accepted by the API, then failed in the status webhook with this code.
    Failed {
        code: u32,
    },
}

/// One accepted message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub wamid: String,
    /// The recipient's `wa_id` (digits).
    pub to: String,
    pub template: String,
    pub language: String,
    pub category: Category,
    pub callback_data: Option<String>,
    pub accepted_at: SimTime,
    #[serde(flatten)]
    pub outcome: LedgerOutcome,
}

/// A callback data value that more than one accepted message carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub callback_data: String,
    pub wamids: Vec<String>,
}

/// Every accepted message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    #[serde(skip)]
    by_wamid: HashMap<String, usize>,
}

impl Ledger {
    pub fn record(&mut self, entry: LedgerEntry) {
        self.by_wamid
            .insert(entry.wamid.clone(), self.entries.len());
        self.entries.push(entry);
    }

    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, wamid: &str) -> Option<&LedgerEntry> {
        self.by_wamid.get(wamid).map(|at| &self.entries[*at])
    }

    pub fn for_recipient<'a>(&'a self, wa_id: &'a str) -> impl Iterator<Item = &'a LedgerEntry> {
        self.entries.iter().filter(move |entry| entry.to == wa_id)
    }

    pub fn for_callback_data<'a>(&'a self, data: &'a str) -> impl Iterator<Item = &'a LedgerEntry> {
        self.entries
            .iter()
            .filter(move |entry| entry.callback_data.as_deref() == Some(data))
    }

    /// Entries accepted at or after `since`: what a benchmark reads after a run.
    pub fn since(&self, since: SimTime) -> &[LedgerEntry] {
        let first = self
            .entries
            .partition_point(|entry| entry.accepted_at < since);
        &self.entries[first..]
    }

    /// Callback data carried by more than one accepted message, sorted. The client puts
    /// its outbox row id there, so an empty answer proves no row was sent twice.
    pub fn duplicates(&self) -> Vec<Duplicate> {
        let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for entry in &self.entries {
            if let Some(data) = &entry.callback_data {
                seen.entry(data).or_default().push(entry.wamid.clone());
            }
        }
        seen.into_iter()
            .filter(|(_, wamids)| wamids.len() > 1)
            .map(|(data, wamids)| Duplicate {
                callback_data: data.to_owned(),
                wamids,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(wamid: &str, callback: Option<&str>, at: u64) -> LedgerEntry {
        LedgerEntry {
            wamid: wamid.into(),
            to: "447700900123".into(),
            template: "t".into(),
            language: "en".into(),
            category: Category::Marketing,
            callback_data: callback.map(str::to_owned),
            accepted_at: SimTime(at),
            outcome: LedgerOutcome::Delivered,
        }
    }

    #[test]
    fn duplicates_name_callback_data_sent_twice() {
        let mut ledger = Ledger::default();
        ledger.record(entry("w1", Some("row-1"), 1));
        ledger.record(entry("w2", Some("row-2"), 2));
        ledger.record(entry("w3", None, 3));
        ledger.record(entry("w4", None, 4));
        assert!(
            ledger.duplicates().is_empty(),
            "distinct rows, and messages without callback data, are not duplicates"
        );
        ledger.record(entry("w5", Some("row-1"), 5));
        assert_eq!(
            ledger.duplicates(),
            vec![Duplicate {
                callback_data: "row-1".into(),
                wamids: vec!["w1".into(), "w5".into()],
            }],
            "row-1 was accepted twice"
        );
        assert_eq!(ledger.get("w2").map(|e| e.accepted_at), Some(SimTime(2)));
        assert_eq!(
            ledger.since(SimTime(4)).len(),
            2,
            "w4 and w5 are at or after 4"
        );
    }
}
