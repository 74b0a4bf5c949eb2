//! The contacts side of the audience, as the app and the CLI use it: the
//! contacts table (pages with their total), filter choices, a contact's
//! detail, recording consent by hand, the opt-out list, forgetting a person,
//! saved segments with live counts and the ids a campaign sends to, the CSV
//! export, the example audience of sandbox workspaces and the contact
//! generator behind it and the benchmark.
//!
//! Owns the count cache ([`counts`]) and the rules above the store's (who may
//! get the example audience; how a consent entered in the UI is recorded).
//! SQL lives in `cadence-store`; the importer is `crate::import`. Must not
//! depend on `tauri`. Times are Unix seconds passed in by the caller, whose
//! clock is injected (house rule 8); [`unix_now`] is the wall clock.

pub mod counts;
mod example;
mod export;
pub mod generate;

use cadence_store::Store;
use cadence_store::contacts::NewConsent;
use cadence_store::segments::SegmentRow;
use serde::{Deserialize, Serialize};

use crate::{Result, Workspace};

// The store's audience types the window sees, so that front ends need no
// dependency on the store.
pub use cadence_store::contacts::{
    AttributeCondition, AttributeOp, AudienceFacets, ConsentEventRow, ConsentKind, ConsentState,
    ContactFilter, ContactRow, ContactSort, ContactSortColumn, Forgotten, LastMessageFilter,
    SuppressionRow, TagMatch, TimeRange,
};
pub use counts::contacts_changed;
pub use example::{EXAMPLE_AUDIENCE_SIZE, example_contacts};
pub use export::{CsvDelimiter, ExportProgress, ExportResult, neutralise_cell};
pub use generate::{ContactGenerator, GeneratorOptions};

/// Seconds since the Unix epoch, by the system clock.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A contact's id as the window passes it back (a plain number in TypeScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub struct ContactId(#[specta(type = i32)] pub i64);

/// A segment's id as the window passes it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub struct SegmentId(#[specta(type = i32)] pub i64);

/// A request for rows `offset..offset + limit` of the contacts table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ContactQuery {
    #[serde(default)]
    pub filter: ContactFilter,
    #[serde(default)]
    pub sort: ContactSort,
    #[serde(default)]
    pub offset: u32,
    /// 1 to 500 (see `cadence_store::contacts::MAX_PAGE_ROWS`).
    pub limit: u32,
}

/// One page of the contacts table, and how many contacts the filter matches
/// in all when that is known without waiting.
///
/// Why the total may be missing: a page takes milliseconds, while counting
/// some filters exactly reads every contact (an attribute, "never messaged":
/// up to a second on a million). The page does not wait for it. When the
/// total is not cached (see [`counts`]) nor free (a search counts its own
/// candidates), the page starts counting in the background and says `null`;
/// `count_contacts` then answers (joining that count, not starting another),
/// and every later page of the same filter carries the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ContactPage {
    pub rows: Vec<ContactRow>,
    #[specta(type = Option<i32>)]
    pub total: Option<u64>,
}

/// Everything the detail panel shows about one contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ContactDetail {
    pub contact: ContactRow,
    /// The consent ledger, newest first, with source and evidence.
    pub consent_history: Vec<ConsentEventRow>,
    /// Set when the number is on the opt-out list.
    pub suppression: Option<SuppressionRow>,
    /// Messages Cadence sent them, newest first. Empty until campaigns record
    /// their messages (no message table exists yet).
    pub messages: Vec<ContactMessage>,
    /// Messages they sent back, newest first. Empty until campaigns link
    /// replies to contacts.
    pub replies: Vec<ContactReply>,
}

/// A message Cadence sent to a contact (filled by campaigns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ContactMessage {
    #[specta(type = i32)]
    pub id: i64,
    pub template_name: String,
    pub campaign_name: Option<String>,
    #[specta(type = i32)]
    pub sent_at: i64,
    /// The latest status: queued, accepted, delivered, read, failed, …
    pub status: String,
}

/// A message a contact sent back (filled by campaigns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ContactReply {
    #[specta(type = i32)]
    pub id: i64,
    #[specta(type = i32)]
    pub received_at: i64,
    pub text: String,
}

/// A grant or withdrawal entered by hand in the detail panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ConsentInput {
    pub kind: ConsentKind,
    /// marketing, utility. A withdrawal naming none withdraws marketing.
    pub categories: Vec<String>,
    /// How the person said so ("phone call", "signed form"); recorded as
    /// `ui:<this>` so the ledger shows it was entered by hand.
    pub source: String,
    pub evidence: Option<String>,
    /// When the person said so; `null`: now.
    #[serde(default)]
    #[specta(type = Option<i32>)]
    pub occurred_at: Option<i64>,
}

/// A saved segment with how many contacts it matches now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Segment {
    #[specta(type = i32)]
    pub id: i64,
    pub name: String,
    pub filter: ContactFilter,
    /// Contacts matching the filter.
    #[specta(type = i32)]
    pub count: u64,
    /// Of those, how many may receive marketing now (consent granted for
    /// marketing, not on the opt-out list): what a campaign would reach.
    #[specta(type = i32)]
    pub eligible: u64,
    #[specta(type = i32)]
    pub created_at: i64,
    #[specta(type = i32)]
    pub updated_at: i64,
}

/// The contacts of a segment as a campaign reads them: ids in batches, by id,
/// resumable from the last id handled (a crash or a pause resumes there). The
/// filter is read once, when the campaign starts: editing the segment later
/// does not change a campaign already planned.
#[derive(Debug, Clone)]
pub struct SegmentAudience {
    store: Store,
    filter: ContactFilter,
    eligible_only: bool,
    after: i64,
    batch: u32,
}

impl SegmentAudience {
    /// Continues after `id` (a checkpoint saved earlier).
    pub fn resume_after(mut self, id: i64) -> SegmentAudience {
        self.after = id;
        self
    }

    /// Ids per batch (at least 1).
    pub fn batch_size(mut self, batch: u32) -> SegmentAudience {
        self.batch = batch.max(1);
        self
    }

    /// The last id handed out: save it to resume.
    pub fn checkpoint(&self) -> i64 {
        self.after
    }

    /// The next ids in order; empty when all have been read.
    pub async fn next_batch(&mut self) -> Result<Vec<i64>> {
        let ids = self
            .store
            .contact_ids_after(&self.filter, self.eligible_only, self.after, self.batch)
            .await?;
        if let Some(&last) = ids.last() {
            self.after = last;
        }
        Ok(ids)
    }
}

/// Ids per batch of a [`SegmentAudience`] unless asked otherwise.
const AUDIENCE_BATCH: u32 = 5_000;

/// The phone as the user may type it in international format: spaces, dashes,
/// dots and brackets go; the store then insists on E.164.
fn compact_phone(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect()
}

impl Workspace {
    /// Rows `offset..offset + limit` of the contacts matching the query's
    /// filter, in its order, with the total when known (see [`ContactPage`]).
    pub async fn contacts_page(&self, query: &ContactQuery) -> Result<ContactPage> {
        let store = self.store();
        // Before reading: a change made meanwhile leaves the total stale at once.
        let taken = counts::snapshot(store).await?;
        let page = store
            .contacts_page(
                &query.filter,
                query.sort,
                u64::from(query.offset),
                query.limit,
            )
            .await?;
        let total = match page.total {
            Some(total) => {
                counts::remember(store, counts::Kind::All, &query.filter, taken, total);
                Some(total)
            }
            None => {
                let cached = counts::lookup(store, counts::Kind::All, &query.filter, &taken);
                if cached.is_none() {
                    counts::count_in_background(store, counts::Kind::All, &query.filter);
                }
                cached
            }
        };
        Ok(ContactPage {
            rows: page.rows,
            total,
        })
    }

    /// How many contacts match `filter` (cached per filter).
    pub async fn count_contacts(&self, filter: &ContactFilter) -> Result<u64> {
        counts::count(self.store(), counts::Kind::All, filter).await
    }

    /// The values the filter menus offer.
    pub async fn audience_facets(&self) -> Result<AudienceFacets> {
        Ok(self.store().audience_facets().await?)
    }

    /// One contact with its consent ledger, opt-out entry, messages and replies.
    pub async fn contact_detail(&self, id: i64) -> Result<ContactDetail> {
        let detail = self.store().contact_detail(id).await?;
        Ok(ContactDetail {
            contact: detail.contact,
            consent_history: detail.consent_history,
            suppression: detail.suppression,
            messages: Vec::new(),
            replies: Vec::new(),
        })
    }

    /// Appends a consent event entered by hand and answers the updated detail.
    pub async fn record_consent(
        &self,
        id: i64,
        input: &ConsentInput,
        now: i64,
    ) -> Result<ContactDetail> {
        let how = input.source.trim();
        let source = if how.is_empty() {
            "ui".to_owned()
        } else {
            format!("ui:{how}")
        };
        // "Stop sending me offers" names no category: it withdraws marketing.
        let categories = if input.categories.is_empty() && input.kind == ConsentKind::Withdrawn {
            vec!["marketing".to_owned()]
        } else {
            input.categories.clone()
        };
        let consent = NewConsent {
            kind: input.kind,
            occurred_at: input.occurred_at.unwrap_or(now),
            source,
            categories,
            evidence: input.evidence.clone(),
        };
        self.store().record_consent(id, &consent, now).await?;
        self.contact_detail(id).await
    }

    /// Puts a number (international format) on the opt-out list. Returns false
    /// when it was there already.
    pub async fn suppress_number(&self, phone: &str, reason: &str, now: i64) -> Result<bool> {
        Ok(self
            .store()
            .suppress(&compact_phone(phone), reason, "ui", now)
            .await?)
    }

    /// Takes a number off the opt-out list. Returns false when it was not on it.
    pub async fn unsuppress_number(&self, phone: &str) -> Result<bool> {
        let removed = self.store().unsuppress(&compact_phone(phone)).await?;
        // A deletion: the count cache's fingerprint cannot see it.
        contacts_changed();
        Ok(removed)
    }

    /// Forgets a person at their request (see `Store::forget_contact`).
    pub async fn forget_contact(&self, id: i64, now: i64) -> Result<Forgotten> {
        let forgotten = self.store().forget_contact(id, now).await?;
        contacts_changed();
        tracing::info!(
            contact = id,
            kept_on_opt_out_list = forgotten.kept_on_opt_out_list,
            "forgot a contact at their request"
        );
        Ok(forgotten)
    }

    async fn segment_view(&self, row: SegmentRow) -> Result<Segment> {
        let store = self.store();
        let count = counts::count(store, counts::Kind::All, &row.filter).await?;
        let eligible = counts::count(store, counts::Kind::Eligible, &row.filter).await?;
        Ok(Segment {
            id: row.id,
            name: row.name,
            filter: row.filter,
            count,
            eligible,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    /// Every segment, by name, with live counts.
    pub async fn segments(&self) -> Result<Vec<Segment>> {
        let rows = self.store().segments().await?;
        let mut segments = Vec::with_capacity(rows.len());
        for row in rows {
            segments.push(self.segment_view(row).await?);
        }
        Ok(segments)
    }

    /// One segment with live counts.
    pub async fn segment(&self, id: i64) -> Result<Segment> {
        let row = self.store().segment(id).await?;
        self.segment_view(row).await
    }

    pub async fn create_segment(
        &self,
        name: &str,
        filter: &ContactFilter,
        now: i64,
    ) -> Result<Segment> {
        let row = self.store().create_segment(name, filter, now).await?;
        self.segment_view(row).await
    }

    pub async fn rename_segment(&self, id: i64, name: &str, now: i64) -> Result<Segment> {
        let row = self.store().rename_segment(id, name, now).await?;
        self.segment_view(row).await
    }

    pub async fn update_segment_filter(
        &self,
        id: i64,
        filter: &ContactFilter,
        now: i64,
    ) -> Result<Segment> {
        let row = self.store().update_segment_filter(id, filter, now).await?;
        self.segment_view(row).await
    }

    pub async fn delete_segment(&self, id: i64) -> Result<()> {
        Ok(self.store().delete_segment(id).await?)
    }

    /// The contacts a campaign on segment `id` reads (see [`SegmentAudience`]);
    /// with `eligible_only`, only those who may receive marketing now.
    pub async fn segment_audience(&self, id: i64, eligible_only: bool) -> Result<SegmentAudience> {
        let segment = self.store().segment(id).await?;
        Ok(SegmentAudience {
            store: self.store().clone(),
            filter: segment.filter,
            eligible_only,
            after: 0,
            batch: AUDIENCE_BATCH,
        })
    }

    /// How many contacts of the segment may receive marketing now (cached).
    pub async fn segment_eligible_count(&self, id: i64) -> Result<u64> {
        let segment = self.store().segment(id).await?;
        counts::count(self.store(), counts::Kind::Eligible, &segment.filter).await
    }
}

#[cfg(test)]
mod tests {
    use super::compact_phone;

    #[test]
    fn typed_separators_leave_the_international_number() {
        assert_eq!(compact_phone("+7 (912) 345-67.89"), "+79123456789");
        assert_eq!(
            compact_phone("8 912 345 67 89"),
            "89123456789",
            "a national number stays national: the store refuses it with a clear message"
        );
    }
}
