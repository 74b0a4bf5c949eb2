//! The contacts side of the audience tables: `contact`, `contact_tag`,
//! `consent_event` and `suppression` as the contacts screen, segments, exports
//! and campaigns read them.
//!
//! Owns the contacts table queries for a million people (filter, sort, page,
//! count: see "How a page is found" below), a contact's detail, forgetting a
//! person, bulk insertion of prepared contacts (generated data, the example
//! audience) and the consent ledger with the opt-out list ([`consent`]).
//! Does not read CSV files or parse national phone formats (the importer does)
//! and must not depend on the engine or `tauri`.
//!
//! # How a page is found
//!
//! The screen asks for "rows offset..offset+100 of this filter in this order".
//! Three facts make that fast on a million contacts:
//!
//! 1. Every sort key has an index that lists contacts in exactly the page order
//!    (key, then id) and, but for the phone's, also carries consent, country
//!    and time zone (see the migration). Walking it in order and testing those
//!    filters in the index itself reads no table row until the page is known:
//!    a full walk of a million entries costs tens of milliseconds, the first
//!    page well under one.
//! 2. Conditions with an index of their own (a search, tags, a date range) may
//!    select few contacts. Each is asked first for at most [`CANDIDATE_LIMIT`]
//!    ids through its own index; when one answers with fewer, the page may be
//!    sorted from those candidates instead of walking the sort index past
//!    a million non-matching entries. Which is cheaper is estimated from the
//!    candidates' share of the table, the offset and what testing one index
//!    entry costs (see `walk_is_cheaper`).
//! 3. Only the 100 ids of the page are joined back to the table for their
//!    columns, tags and opt-out state ("late row lookup"): rows skipped by the
//!    offset are never read.
//!
//! Counting is the other half: exact, in the same two shapes, and cached by the
//! engine per filter (a count only changes when the audience does).

mod consent;
mod filter;

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

pub use consent::{
    ConsentEventRow, ConsentKind, ConsentState, NewConsent, SuppressionRow, check_e164,
    derive_consent,
};
pub use filter::{
    AttributeCondition, AttributeOp, ContactFilter, LastMessageFilter, TagMatch, TimeRange,
};

use crate::{Error, Result, Store};
use filter::{Plan, Term, Usage};

/// The most rows one page may ask for.
pub const MAX_PAGE_ROWS: u32 = 500;

/// How many ids a selective condition may yield and still choose the rows
/// itself: sorting this many candidates costs about as much as walking a whole
/// sort index (tens of milliseconds), so above it the walk wins.
pub const CANDIDATE_LIMIT: usize = 20_000;

/// The tag every contact of the example audience carries.
pub const EXAMPLE_TAG: &str = "example";
/// The `source` of the example audience's opt-out entries.
pub const EXAMPLE_SOURCE: &str = "example";

/// The columns the contacts table sorts by.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ContactSortColumn {
    Phone,
    /// Last name, then first name. Contacts without a name come first in
    /// ascending order (SQLite sorts NULL lowest).
    Name,
    TimeZone,
    Country,
    Consent,
    #[default]
    CreatedAt,
}

/// An order for the contacts table (newest first by default). Ties are broken
/// by id in the same direction, so every order is total and pages never
/// overlap or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(default, deny_unknown_fields)]
pub struct ContactSort {
    pub column: ContactSortColumn,
    pub descending: bool,
}

impl Default for ContactSort {
    fn default() -> ContactSort {
        ContactSort {
            column: ContactSortColumn::CreatedAt,
            descending: true,
        }
    }
}

impl ContactSortColumn {
    /// The index whose order is this column's page order (see the migration).
    fn index(self) -> &'static str {
        match self {
            // The UNIQUE (phone) constraint's own index: SQLite names the
            // index of a table's first UNIQUE constraint so (see the migration
            // for why there is no wider one).
            ContactSortColumn::Phone => "sqlite_autoindex_contact_1",
            ContactSortColumn::Name => "contact_name",
            ContactSortColumn::CreatedAt => "contact_created",
            ContactSortColumn::TimeZone => "contact_time_zone",
            ContactSortColumn::Country => "contact_country",
            ContactSortColumn::Consent => "contact_consent",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            // Unique: no tie to break.
            ContactSortColumn::Phone => &["phone"],
            ContactSortColumn::Name => &["last_name", "first_name", "id"],
            ContactSortColumn::CreatedAt => &["created_at", "id"],
            ContactSortColumn::TimeZone => &["time_zone", "id"],
            ContactSortColumn::Country => &["country", "id"],
            ContactSortColumn::Consent => &["consent", "id"],
        }
    }
}

impl ContactSort {
    /// `ORDER BY` terms on `table`, every column in the same direction so that
    /// SQLite can read the index forwards or backwards.
    fn order_by(self, table: &str) -> String {
        let direction = if self.descending { "DESC" } else { "ASC" };
        self.column
            .columns()
            .iter()
            .map(|column| format!("{table}.{column} {direction}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A contact as the contacts table shows it.
///
/// Ids, times (Unix seconds) and counts of the audience types are typed as a
/// plain TypeScript `number` with `#[specta(type = i32)]`: specta refuses
/// 64-bit integers, and `f64` would make them `number | null`. The values
/// themselves travel whole and stay far inside a JavaScript number's exact
/// range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ContactRow {
    #[specta(type = i32)]
    pub id: i64,
    /// E.164.
    pub phone: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    /// IANA name.
    pub time_zone: String,
    /// The zone was not in the file but inferred from the number or the default.
    pub time_zone_inferred: bool,
    pub country: Option<String>,
    pub consent: ConsentState,
    /// The categories of the current grant (empty unless granted).
    pub consent_categories: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    /// Sorted.
    pub tags: Vec<String>,
    /// On the opt-out list.
    pub suppressed: bool,
    #[specta(type = i32)]
    pub created_at: i64,
    #[specta(type = i32)]
    pub updated_at: i64,
    #[specta(type = Option<i32>)]
    pub last_message_at: Option<i64>,
}

/// One page of the contacts table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPage {
    pub rows: Vec<ContactRow>,
    /// The exact number of matches when it came for free with the page (one
    /// selective condition alone, such as a search); `None` otherwise.
    pub total: Option<u64>,
}

/// Everything the store knows about one contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ContactDetail {
    pub contact: ContactRow,
    /// Newest first.
    pub consent_history: Vec<ConsentEventRow>,
    pub suppression: Option<SuppressionRow>,
}

/// What forgetting a contact left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Forgotten {
    /// The number stays on the opt-out list (the person had withdrawn consent
    /// or was already on it), so that they are never messaged again. Nothing
    /// else about them remains.
    pub kept_on_opt_out_list: bool,
}

/// A contact to insert in bulk (generated data, the example audience).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub phone: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: String,
    pub time_zone_inferred: bool,
    pub country: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub tags: Vec<String>,
    /// The ledger, oldest first; the current consent is derived from it.
    pub consent: Vec<NewConsent>,
    /// Put the number on the opt-out list with this reason and source.
    pub suppression: Option<(String, String)>,
    pub created_at: i64,
    pub last_message_at: Option<i64>,
}

/// What a bulk insert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inserted {
    pub inserted: u64,
    /// Numbers that already had a contact (left as they were).
    pub skipped: u64,
    /// The ids given to the new contacts (consecutive: SQLite gives each new
    /// row the largest id plus one).
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
}

/// A fingerprint of the audience tables that changes whenever contacts are
/// added, consent is recorded, a number is suppressed or an import runs,
/// whichever process did it. Each part is one index lookup. Deletions do not
/// change it: the engine counts its own (see its count cache).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceStamp {
    pub last_contact: Option<i64>,
    pub last_consent_event: Option<i64>,
    pub last_suppression: Option<i64>,
    pub last_import: Option<(i64, String)>,
}

/// The values the filter controls offer, each list sorted, and how many
/// contacts belong to the example audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AudienceFacets {
    pub tags: Vec<String>,
    /// From the newest [`ATTRIBUTE_NAME_SAMPLE`] contacts: reading every
    /// contact's attributes takes seconds on a million.
    pub attribute_names: Vec<String>,
    pub time_zones: Vec<String>,
    pub countries: Vec<String>,
    #[specta(type = i32)]
    pub example_contacts: u64,
}

/// How many of the newest contacts [`Store::audience_facets`] reads attribute
/// names from.
pub const ATTRIBUTE_NAME_SAMPLE: i64 = 10_000;

/// One seeding of the example audience, recorded as an import: its contacts are
/// those with ids in `first_contact_id..=last_contact_id` that carry
/// [`EXAMPLE_TAG`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExampleRun {
    pub import_id: i64,
    pub first_contact_id: Option<i64>,
    pub last_contact_id: Option<i64>,
}

/// The example runs' imports, with their id ranges (SQL shared by the queries
/// below).
const EXAMPLE_RUNS: &str = "SELECT id,
        json_extract(options, '$.example_audience.first_contact_id') AS first_id,
        json_extract(options, '$.example_audience.last_contact_id') AS last_id
    FROM import_run WHERE json_extract(options, '$.example_audience') IS NOT NULL";

/// The ids of the example audience's contacts still present.
const EXAMPLE_CONTACT_IDS: &str = "SELECT t.contact_id FROM contact_tag t
    WHERE t.tag = 'example' AND EXISTS (
        SELECT 1 FROM import_run r
        WHERE json_extract(r.options, '$.example_audience') IS NOT NULL
          AND t.contact_id BETWEEN json_extract(r.options, '$.example_audience.first_contact_id')
                               AND json_extract(r.options, '$.example_audience.last_contact_id'))";

/// The contact columns in the order [`RawContact`] reads them, from `table`,
/// with the tags and the opt-out state (one index lookup each per row).
fn contact_columns(table: &str) -> String {
    format!(
        "{t}.id, {t}.phone, {t}.first_name, {t}.last_name, {t}.locale, {t}.time_zone,
         {t}.time_zone_inferred, {t}.country, {t}.consent, {t}.consent_categories,
         {t}.attributes, {t}.created_at, {t}.updated_at, {t}.last_message_at,
         (SELECT group_concat(ct.tag, char(31)) FROM contact_tag ct WHERE ct.contact_id = {t}.id) AS tags,
         EXISTS (SELECT 1 FROM suppression sp WHERE sp.phone = {t}.phone) AS suppressed",
        t = table
    )
}

#[derive(sqlx::FromRow)]
struct RawContact {
    id: i64,
    phone: String,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    time_zone: String,
    time_zone_inferred: bool,
    country: Option<String>,
    consent: String,
    consent_categories: Option<String>,
    attributes: String,
    created_at: i64,
    updated_at: i64,
    last_message_at: Option<i64>,
    tags: Option<String>,
    suppressed: bool,
}

impl TryFrom<RawContact> for ContactRow {
    type Error = Error;

    fn try_from(raw: RawContact) -> Result<ContactRow> {
        let json: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&raw.attributes).map_err(|source| Error::Json {
                what: "a contact's attributes",
                source,
            })?;
        // The importer stores strings; anything else is shown as its JSON text
        // rather than refused, so one odd value never hides a contact.
        let attributes = json
            .into_iter()
            .map(|(key, value)| match value {
                serde_json::Value::String(text) => (key, text),
                other => (key, other.to_string()),
            })
            .collect();
        let mut tags: Vec<String> = raw
            .tags
            .as_deref()
            .unwrap_or("")
            .split('\u{1f}')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        tags.sort();
        Ok(ContactRow {
            id: raw.id,
            phone: raw.phone,
            first_name: raw.first_name,
            last_name: raw.last_name,
            locale: raw.locale,
            time_zone: raw.time_zone,
            time_zone_inferred: raw.time_zone_inferred,
            country: raw.country,
            consent: consent::parse_state(&raw.consent)?,
            consent_categories: consent::split_categories(raw.consent_categories.as_deref()),
            attributes,
            tags,
            suppressed: raw.suppressed,
            created_at: raw.created_at,
            updated_at: raw.updated_at,
            last_message_at: raw.last_message_at,
        })
    }
}

/// The ids one selective condition chose (see "How a page is found").
struct Candidates {
    term: usize,
    ids: Vec<i64>,
}

impl Candidates {
    /// The ids as a JSON array, which `json_each` turns back into rows: one
    /// bound value however many ids there are (SQLite limits bound values).
    fn json(&self) -> String {
        serde_json::Value::from(self.ids.clone()).to_string()
    }
}

/// Asks each selective condition, cheapest first, for at most
/// [`CANDIDATE_LIMIT`] + 1 ids; the first that has no more than the limit
/// chooses the rows. `None`: every condition matches too many, walk an index.
async fn find_candidates(conn: &mut SqliteConnection, plan: &Plan) -> Result<Option<Candidates>> {
    let mut order: Vec<(u8, usize)> = plan
        .terms
        .iter()
        .enumerate()
        .filter_map(|(i, term)| term.candidate_cost().map(|cost| (cost, i)))
        .collect();
    order.sort();
    for (_, term) in order {
        let mut query = QueryBuilder::<Sqlite>::new("");
        if !plan.terms[term].push_candidates(&mut query, CANDIDATE_LIMIT as i64 + 1) {
            continue;
        }
        let ids: Vec<i64> = query.build_query_scalar().fetch_all(&mut *conn).await?;
        if ids.len() <= CANDIDATE_LIMIT {
            return Ok(Some(Candidates { term, ids }));
        }
    }
    Ok(None)
}

/// Rough costs of the two ways to find a page, in microseconds, measured on
/// a million generated contacts (release build, two cores): reading one
/// candidate by id and sorting it; testing one entry of a sort index with
/// nothing to read, with a probe of the tag table, with a read of the row.
const COST_CANDIDATE_US: f64 = 4.0;
const COST_IN_INDEX_US: f64 = 0.04;
const COST_PROBE_US: f64 = 0.5;
const COST_TABLE_ROW_US: f64 = 1.5;

/// Whether walking the sort index beats sorting the candidates. The walk
/// stops after `offset + limit` matches; the candidates' share of the table
/// says how many entries that takes (an optimistic guess when other
/// conditions narrow further, which the offset then bounds). A search for
/// "Смирн" sorted by date: 14,000 candidates cost ~55 ms to sort, while its 1.4%
/// share finds the first 100 within ~7,000 entries of the date index (~10 ms).
async fn walk_is_cheaper(
    conn: &mut SqliteConnection,
    plan: &Plan,
    sort: ContactSort,
    offset: u64,
    limit: u32,
    found: &Candidates,
) -> Result<bool> {
    // max(id) is one index lookup and close to the number of contacts.
    let contacts: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM contact")
        .fetch_one(&mut *conn)
        .await?;
    let contacts = contacts.unwrap_or(0).max(1) as f64;
    let candidates = found.ids.len().max(1) as f64;
    let per_entry = match plan.walk_cost(sort.column) {
        filter::Walk::InIndex => COST_IN_INDEX_US,
        filter::Walk::Probe => COST_PROBE_US,
        filter::Walk::TableRow => COST_TABLE_ROW_US,
    };
    let wanted = (offset + u64::from(limit)) as f64;
    let entries = match (&plan.terms[found.term], sort.column) {
        // A range on the sort column itself: the walk starts at the range.
        (Term::PhonePrefix(_), ContactSortColumn::Phone)
        | (Term::Created(..), ContactSortColumn::CreatedAt) => wanted,
        // A name search in name order: the matches lie together, somewhere in
        // the index, and an OR of prefixes on two columns cannot seek there:
        // the walk may cross most of the index (testing eight prefixes at each
        // entry) before the first match. Sorting the candidates is bounded.
        (Term::Name(_), ContactSortColumn::Name) => return Ok(false),
        // Otherwise assume the matches spread evenly along the index.
        _ => (wanted * contacts / candidates).min(contacts),
    };
    Ok(entries * per_entry < candidates * COST_CANDIDATE_US)
}

/// The exact count of a plan, in the caller's transaction (see
/// [`Store::count_contacts`]).
async fn count_in(conn: &mut SqliteConnection, plan: &Plan) -> Result<u64> {
    let candidates = find_candidates(&mut *conn, plan).await?;
    let count: i64 = match candidates {
        Some(found) if plan.terms.len() == 1 => found.ids.len() as i64,
        Some(found) => {
            let mut query = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM json_each(");
            query
                .push_bind(found.json())
                .push(") AS d CROSS JOIN contact ON contact.id = d.value WHERE 1");
            plan.push_conditions(&mut query, Usage::Count, Some(found.term));
            query.build_query_scalar().fetch_one(&mut *conn).await?
        }
        // Left to SQLite's planner: for counting, narrowing by the most
        // selective index is exactly right.
        None => {
            let mut query = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM contact WHERE 1");
            plan.push_conditions(&mut query, Usage::Count, None);
            query.build_query_scalar().fetch_one(&mut *conn).await?
        }
    };
    Ok(count as u64)
}

fn check_limit(limit: u32) -> Result<()> {
    if limit == 0 || limit > MAX_PAGE_ROWS {
        return Err(Error::InvalidAudience {
            field: "limit",
            reason: format!("ask for 1 to {MAX_PAGE_ROWS} rows"),
        });
    }
    Ok(())
}

impl Store {
    /// Rows `offset..offset + limit` of the contacts matching `filter` in
    /// `sort` order.
    pub async fn contacts_page(
        &self,
        filter: &ContactFilter,
        sort: ContactSort,
        offset: u64,
        limit: u32,
    ) -> Result<ContactPage> {
        check_limit(limit)?;
        let plan = Plan::new(filter, false)?;
        // One read transaction: the candidates and the page are read from the
        // same snapshot, whatever an import writes meanwhile.
        let mut tx = self.pool().begin().await?;
        let found = find_candidates(&mut tx, &plan).await?;
        let total = match &found {
            Some(found) if plan.terms.len() == 1 => Some(found.ids.len() as u64),
            _ => None,
        };
        let candidates = match found {
            Some(found) if walk_is_cheaper(&mut tx, &plan, sort, offset, limit, &found).await? => {
                None
            }
            other => other,
        };
        let mut query =
            QueryBuilder::<Sqlite>::new(format!("SELECT {} FROM (", contact_columns("c")));
        match &candidates {
            // CROSS JOIN keeps SQLite from reordering the join: the candidates
            // drive, each is found by its id, and the survivors are sorted.
            Some(found) => {
                query
                    .push("SELECT contact.id AS id FROM json_each(")
                    .push_bind(found.json())
                    .push(") AS d CROSS JOIN contact ON contact.id = d.value WHERE 1");
                plan.push_conditions(&mut query, Usage::Rows, Some(found.term));
            }
            // INDEXED BY: walk the sort key's own index. Left to itself SQLite
            // prefers an index that narrows the filter (country = 'RU') and then
            // sorts 600,000 rows to return 100.
            None => {
                query.push(format!(
                    "SELECT contact.id AS id FROM contact INDEXED BY {} WHERE 1",
                    sort.column.index()
                ));
                plan.push_conditions(&mut query, Usage::Rows, None);
            }
        }
        query
            .push(format!(" ORDER BY {} LIMIT ", sort.order_by("contact")))
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
        // Only now read the 100 rows themselves (late row lookup), and put them
        // back in order: a join does not promise to keep it.
        query.push(format!(
            ") AS page CROSS JOIN contact AS c ON c.id = page.id ORDER BY {}",
            sort.order_by("c")
        ));
        let raw: Vec<RawContact> = query.build_query_as().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(ContactPage {
            rows: raw
                .into_iter()
                .map(ContactRow::try_from)
                .collect::<Result<_>>()?,
            total,
        })
    }

    /// How many contacts match `filter`, exactly.
    pub async fn count_contacts(&self, filter: &ContactFilter) -> Result<u64> {
        let plan = Plan::new(filter, false)?;
        self.count_plan(&plan).await
    }

    async fn count_plan(&self, plan: &Plan) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        // "Not on the opt-out list" is tested by the contact's phone, so
        // counting it row by row reads every matching row (a second on half a
        // million). The list is short beside the contacts: count the matches
        // without it, then subtract the matches that are on it, found from
        // the list's side.
        let count = match plan
            .terms
            .iter()
            .position(|t| *t == Term::Suppressed(false))
        {
            Some(i) => {
                let mut rest = plan.clone();
                rest.terms.remove(i);
                let all = count_in(&mut tx, &rest).await?;
                let mut query = QueryBuilder::<Sqlite>::new(
                    "SELECT count(*) FROM suppression s CROSS JOIN contact ON contact.phone = s.phone WHERE 1",
                );
                rest.push_conditions(&mut query, Usage::Count, None);
                let listed: i64 = query.build_query_scalar().fetch_one(&mut *tx).await?;
                all.saturating_sub(listed as u64)
            }
            None => count_in(&mut tx, plan).await?,
        };
        tx.commit().await?;
        Ok(count)
    }

    /// Hands every contact matching `filter`, in `sort` order, to `visit` until
    /// it answers `Break`; returns how many it was given. One statement, one
    /// snapshot: an export is consistent even while an import writes, and
    /// reading the selection once in order costs the same as its pages would
    /// without their offsets.
    pub async fn for_each_contact(
        &self,
        filter: &ContactFilter,
        sort: ContactSort,
        mut visit: impl FnMut(ContactRow) -> ControlFlow<()> + Send,
    ) -> Result<u64> {
        let plan = Plan::new(filter, false)?;
        let mut tx = self.pool().begin().await?;
        let candidates = find_candidates(&mut tx, &plan).await?;
        let mut query =
            QueryBuilder::<Sqlite>::new(format!("SELECT {} FROM ", contact_columns("contact")));
        // The same two shapes as a page (see contacts_page), without the offset.
        match &candidates {
            Some(found) => {
                query
                    .push("json_each(")
                    .push_bind(found.json())
                    .push(") AS d CROSS JOIN contact ON contact.id = d.value WHERE 1");
                plan.push_conditions(&mut query, Usage::Rows, Some(found.term));
            }
            None => {
                query.push(format!(
                    "contact INDEXED BY {} WHERE 1",
                    sort.column.index()
                ));
                plan.push_conditions(&mut query, Usage::Rows, None);
            }
        }
        query.push(format!(" ORDER BY {}", sort.order_by("contact")));
        let mut visited = 0;
        {
            let mut rows = query.build_query_as::<RawContact>().fetch(&mut *tx);
            while let Some(raw) = rows.try_next().await? {
                visited += 1;
                if visit(raw.try_into()?).is_break() {
                    break;
                }
            }
        }
        tx.commit().await?;
        Ok(visited)
    }

    /// Up to `limit` ids of contacts matching `filter` above `after_id`, by id;
    /// with `eligible_only`, only those who may receive marketing now (consent
    /// granted for marketing, not on the opt-out list).
    pub async fn contact_ids_after(
        &self,
        filter: &ContactFilter,
        eligible_only: bool,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<i64>> {
        let plan = Plan::new(filter, eligible_only)?;
        let mut query =
            QueryBuilder::<Sqlite>::new("SELECT contact.id FROM contact WHERE contact.id > ");
        query.push_bind(after_id);
        plan.push_conditions(&mut query, Usage::Rows, None);
        query
            .push(" ORDER BY contact.id LIMIT ")
            .push_bind(i64::from(limit.max(1)));
        Ok(query.build_query_scalar().fetch_all(self.pool()).await?)
    }

    /// How many contacts match `filter` and may receive marketing now.
    pub async fn count_eligible(&self, filter: &ContactFilter) -> Result<u64> {
        let plan = Plan::new(filter, true)?;
        self.count_plan(&plan).await
    }

    /// Every attribute name used by the contacts matching `filter`, sorted (an
    /// export's columns). Reads every matching contact's attributes.
    pub async fn attribute_keys(&self, filter: &ContactFilter) -> Result<Vec<String>> {
        let plan = Plan::new(filter, false)?;
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT DISTINCT j.key FROM contact, json_each(contact.attributes) AS j WHERE 1",
        );
        plan.push_conditions(&mut query, Usage::Rows, None);
        query.push(" ORDER BY j.key");
        Ok(query.build_query_scalar().fetch_all(self.pool()).await?)
    }

    /// One contact.
    pub async fn contact(&self, id: i64) -> Result<ContactRow> {
        let raw: Option<RawContact> = sqlx::query_as(&format!(
            "SELECT {} FROM contact WHERE contact.id = ?",
            contact_columns("contact")
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        raw.ok_or(Error::ContactNotFound(id))?.try_into()
    }

    /// A contact with its consent ledger (newest first) and opt-out entry.
    pub async fn contact_detail(&self, id: i64) -> Result<ContactDetail> {
        let mut tx = self.pool().begin().await?;
        let raw: Option<RawContact> = sqlx::query_as(&format!(
            "SELECT {} FROM contact WHERE contact.id = ?",
            contact_columns("contact")
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let contact: ContactRow = raw.ok_or(Error::ContactNotFound(id))?.try_into()?;
        let consent_history = consent::consent_history(&mut tx, id).await?;
        let suppression: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT phone, reason, source, added_at FROM suppression WHERE phone = ?",
        )
        .bind(&contact.phone)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ContactDetail {
            contact,
            consent_history,
            suppression: suppression.map(|(phone, reason, source, added_at)| SuppressionRow {
                phone,
                reason,
                source,
                added_at,
            }),
        })
    }

    /// Forgets a person at their request: deletes the contact with its tags and
    /// consent ledger (and, as campaigns add them, its message rows, through
    /// their foreign keys), and the rejected import rows that quote the number.
    /// When they had withdrawn consent or were on the opt-out list, the number
    /// stays (or is put) on the opt-out list, with no name and no history: it
    /// is what keeps them from ever being messaged again.
    pub async fn forget_contact(&self, id: i64, now: i64) -> Result<Forgotten> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT phone, consent FROM contact WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (phone, consent) = row.ok_or(Error::ContactNotFound(id))?;
        let already_suppressed: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM suppression WHERE phone = ?)")
                .bind(&phone)
                .fetch_one(&mut *tx)
                .await?;
        let withdrawn = consent::parse_state(&consent)? == ConsentState::Withdrawn;
        if withdrawn && !already_suppressed {
            sqlx::query(
                "INSERT INTO suppression (phone, reason, source, added_at) VALUES (?, ?, 'forget', ?)",
            )
            .bind(&phone)
            .bind("withdrew consent, then asked to be forgotten")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // ON DELETE CASCADE takes contact_tag and consent_event rows along (the
        // ledger's append-only trigger guards UPDATE, not DELETE).
        sqlx::query("DELETE FROM contact WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Rejected rows keep the record as it was in the file, in whatever
        // format: compare digits only, on the number's last nine digits (the
        // national part whichever way the file wrote the country code).
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let tail = &digits[digits.len().saturating_sub(9)..];
        sqlx::query(
            "DELETE FROM import_row_error WHERE instr(
                 replace(replace(replace(replace(replace(replace(replace(raw,
                     ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), char(160), ''),
                 ?) > 0",
        )
        .bind(tail)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Forgotten {
            kept_on_opt_out_list: withdrawn || already_suppressed,
        })
    }

    /// Inserts prepared contacts with their tags, consent ledgers and opt-out
    /// entries in one transaction; a number that already has a contact is
    /// skipped. `import_id` links the ledger events to an import record.
    pub async fn insert_contacts(
        &self,
        contacts: &[NewContact],
        import_id: Option<i64>,
        now: i64,
    ) -> Result<Inserted> {
        let mut bulk = self.begin_bulk_insert().await?;
        let inserted = bulk.insert(contacts, import_id, now).await?;
        bulk.commit().await?;
        Ok(inserted)
    }

    /// Opens one write transaction for many batches of contacts (a generated
    /// million): committing once writes each index page once, where a commit
    /// per batch would write the same pages again and again.
    pub async fn begin_bulk_insert(&self) -> Result<BulkInsert> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        // A bigger page cache while inserting: new keys land at random places
        // in eight indexes, and with SQLite's default 2 MB each page is read
        // back from the OS again and again. Set back at commit, before the
        // connection returns to the pool.
        let cache_size: i64 = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))
            .execute(&mut *tx)
            .await?;
        Ok(BulkInsert { tx, cache_size })
    }

    /// See [`AudienceStamp`].
    pub async fn audience_stamp(&self) -> Result<AudienceStamp> {
        type Raw = (
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
        );
        let (last_contact, last_consent_event, last_suppression, import_id, import_status): Raw =
            sqlx::query_as(
                "SELECT (SELECT max(id) FROM contact), (SELECT max(id) FROM consent_event),
                        (SELECT max(rowid) FROM suppression), (SELECT max(id) FROM import_run),
                        (SELECT status FROM import_run ORDER BY id DESC LIMIT 1)",
            )
            .fetch_one(self.pool())
            .await?;
        Ok(AudienceStamp {
            last_contact,
            last_consent_event,
            last_suppression,
            last_import: import_id.zip(import_status),
        })
    }

    /// The choices for the filter controls (see [`AudienceFacets`]).
    pub async fn audience_facets(&self) -> Result<AudienceFacets> {
        let mut tx = self.pool().begin().await?;
        // The distinct values of an indexed column by "skip scan": each step
        // asks the index for the smallest value above the previous one, so a
        // million contacts in twenty time zones cost twenty index lookups, not
        // a walk over a million entries.
        let distinct = |table: &str, column: &str| {
            format!(
                "WITH RECURSIVE v(value) AS (
                     SELECT min({column}) FROM {table}
                     UNION ALL
                     SELECT (SELECT min({column}) FROM {table} WHERE {column} > v.value)
                     FROM v WHERE v.value IS NOT NULL)
                 SELECT value FROM v WHERE value IS NOT NULL"
            )
        };
        let tags = sqlx::query_scalar(&distinct("contact_tag", "tag"))
            .fetch_all(&mut *tx)
            .await?;
        let time_zones = sqlx::query_scalar(&distinct("contact", "time_zone"))
            .fetch_all(&mut *tx)
            .await?;
        let countries = sqlx::query_scalar(&distinct("contact", "country"))
            .fetch_all(&mut *tx)
            .await?;
        let attribute_names = sqlx::query_scalar(
            "SELECT DISTINCT j.key
             FROM (SELECT attributes FROM contact ORDER BY id DESC LIMIT ?) AS c, json_each(c.attributes) AS j
             ORDER BY j.key LIMIT 500",
        )
        .bind(ATTRIBUTE_NAME_SAMPLE)
        .fetch_all(&mut *tx)
        .await?;
        let example_contacts: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM ({EXAMPLE_CONTACT_IDS})"))
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(AudienceFacets {
            tags,
            attribute_names,
            time_zones,
            countries,
            example_contacts: example_contacts as u64,
        })
    }

    /// Every seeding of the example audience, oldest first. They stay after the
    /// example is removed: the record that it was seeded once.
    pub async fn example_runs(&self) -> Result<Vec<ExampleRun>> {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> =
            sqlx::query_as(&format!("{EXAMPLE_RUNS} ORDER BY id"))
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(
                |(import_id, first_contact_id, last_contact_id)| ExampleRun {
                    import_id,
                    first_contact_id,
                    last_contact_id,
                },
            )
            .collect())
    }

    /// How many contacts of the example audience are present.
    pub async fn example_contacts(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM ({EXAMPLE_CONTACT_IDS})"))
            .fetch_one(self.pool())
            .await?;
        Ok(n as u64)
    }

    /// Seeds the example audience, recorded as an import named `file_name`
    /// whose options hold `details` and the ids given, all in one transaction.
    /// With `first_time_only` nothing happens when it was ever seeded (the
    /// first run of a sandbox workspace); otherwise nothing happens while
    /// example contacts are present (the user's "add example audience").
    /// `None`: nothing was seeded.
    pub async fn seed_example(
        &self,
        file_name: &str,
        details: serde_json::Map<String, serde_json::Value>,
        contacts: &[NewContact],
        first_time_only: bool,
        now: i64,
    ) -> Result<Option<(ExampleRun, Inserted)>> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let blocking = if first_time_only {
            format!("SELECT EXISTS ({EXAMPLE_RUNS})")
        } else {
            format!("SELECT EXISTS ({EXAMPLE_CONTACT_IDS})")
        };
        let blocked: bool = sqlx::query_scalar(&blocking).fetch_one(&mut *tx).await?;
        if blocked {
            return Ok(None);
        }
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO import_run (file_name, mode, status, options, started_at)
             VALUES (?, 'subscribe', 'running', '{}', ?) RETURNING id",
        )
        .bind(file_name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let inserted = insert_contacts(&mut tx, contacts, Some(import_id), now).await?;
        let mut example = details;
        example.insert("first_contact_id".into(), inserted.first_id.into());
        example.insert("last_contact_id".into(), inserted.last_id.into());
        let options = serde_json::json!({ "example_audience": example });
        // read = created + unchanged: a generated number that already had a
        // contact is left as it was, like an import's "keep existing".
        sqlx::query(
            "UPDATE import_run SET status = 'applied', options = ?, finished_at = ?,
                 read = ?, created = ?, unchanged = ?
             WHERE id = ?",
        )
        .bind(options.to_string())
        .bind(now)
        .bind(contacts.len() as i64)
        .bind(inserted.inserted as i64)
        .bind(inserted.skipped as i64)
        .bind(import_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some((
            ExampleRun {
                import_id,
                first_contact_id: inserted.first_id,
                last_contact_id: inserted.last_id,
            },
            inserted,
        )))
    }

    /// Removes the example audience: its contacts (with everything about them)
    /// and their opt-out entries. A contact the user added is never touched: it
    /// lies outside every example's ids or lacks the example tag. Returns how
    /// many contacts went.
    pub async fn remove_example(&self) -> Result<u64> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(&format!(
            "DELETE FROM suppression WHERE source = ?
             AND phone IN (SELECT phone FROM contact WHERE id IN ({EXAMPLE_CONTACT_IDS}))"
        ))
        .bind(EXAMPLE_SOURCE)
        .execute(&mut *tx)
        .await?;
        let removed = sqlx::query(&format!(
            "DELETE FROM contact WHERE id IN ({EXAMPLE_CONTACT_IDS})"
        ))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(removed)
    }
}

/// An open bulk insert (see [`Store::begin_bulk_insert`]). Dropping it without
/// [`BulkInsert::commit`] rolls every batch back.
pub struct BulkInsert {
    tx: sqlx::Transaction<'static, Sqlite>,
    cache_size: i64,
}

impl BulkInsert {
    /// Inserts a batch (see [`Store::insert_contacts`]).
    pub async fn insert(
        &mut self,
        contacts: &[NewContact],
        import_id: Option<i64>,
        now: i64,
    ) -> Result<Inserted> {
        insert_contacts(&mut self.tx, contacts, import_id, now).await
    }

    pub async fn commit(mut self) -> Result<()> {
        sqlx::query(&format!("PRAGMA cache_size = {}", self.cache_size))
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// The page cache of a bulk insert, in KiB.
const BULK_CACHE_KIB: i64 = 128 * 1024;

/// Rows per multi-row INSERT: 13 columns × 500 stays far below SQLite's limit
/// of 32,766 bound values, and large enough that the per-statement cost vanishes.
const INSERT_CHUNK: usize = 500;

fn check_new_contact(contact: &NewContact) -> Result<()> {
    check_e164(&contact.phone)?;
    if contact.time_zone.trim().is_empty() {
        return Err(Error::InvalidAudience {
            field: "time_zone",
            reason: format!("the contact {} has no time zone", contact.phone),
        });
    }
    if contact
        .tags
        .iter()
        .any(|t| t.trim().is_empty() || t.contains('\u{1f}'))
    {
        return Err(Error::InvalidAudience {
            field: "tags",
            reason: format!(
                "the contact {} has an empty or unreadable tag",
                contact.phone
            ),
        });
    }
    Ok(())
}

/// The current consent a ledger (oldest first) gives: its latest event by time,
/// the later-listed of two at the same second, as [`derive_consent`] reads it.
fn derived(ledger: &[NewConsent]) -> Result<(ConsentState, Option<String>)> {
    let latest = ledger
        .iter()
        .enumerate()
        .max_by_key(|(i, event)| (event.occurred_at, *i))
        .map(|(_, event)| event);
    Ok(match latest {
        None => (ConsentState::None, None),
        Some(event) => match event.kind {
            ConsentKind::Granted => (
                ConsentState::Granted,
                Some(consent::categories_text(&event.categories)?),
            ),
            ConsentKind::Withdrawn => (ConsentState::Withdrawn, None),
        },
    })
}

async fn insert_contacts(
    conn: &mut SqliteConnection,
    contacts: &[NewContact],
    import_id: Option<i64>,
    now: i64,
) -> Result<Inserted> {
    let mut inserted = Inserted {
        inserted: 0,
        skipped: 0,
        first_id: None,
        last_id: None,
    };
    for chunk in contacts.chunks(INSERT_CHUNK) {
        let mut prepared = Vec::with_capacity(chunk.len());
        for contact in chunk {
            check_new_contact(contact)?;
            for event in &contact.consent {
                event.validate(now)?;
            }
            let attributes =
                serde_json::to_string(&contact.attributes).map_err(|source| Error::Json {
                    what: "a contact's attributes",
                    source,
                })?;
            prepared.push((contact, attributes, derived(&contact.consent)?));
        }
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO contact (phone, first_name, last_name, locale, time_zone, time_zone_inferred,
                 country, attributes, consent, consent_categories, created_at, updated_at, last_message_at) ",
        );
        query.push_values(
            &prepared,
            |mut row, (c, attributes, (state, categories))| {
                row.push_bind(c.phone.clone())
                    .push_bind(c.first_name.clone())
                    .push_bind(c.last_name.clone())
                    .push_bind(c.locale.clone())
                    .push_bind(c.time_zone.clone())
                    .push_bind(c.time_zone_inferred)
                    .push_bind(c.country.clone())
                    .push_bind(attributes.clone())
                    .push_bind(state.as_str())
                    .push_bind(categories.clone())
                    .push_bind(c.created_at)
                    .push_bind(c.created_at)
                    .push_bind(c.last_message_at);
            },
        );
        query.push(" ON CONFLICT (phone) DO NOTHING RETURNING id, phone");
        let ids: Vec<(i64, String)> = query.build_query_as().fetch_all(&mut *conn).await?;
        inserted.inserted += ids.len() as u64;
        inserted.skipped += (chunk.len() - ids.len()) as u64;
        for (id, _) in &ids {
            inserted.first_id = Some(inserted.first_id.map_or(*id, |f| f.min(*id)));
            inserted.last_id = Some(inserted.last_id.map_or(*id, |l| l.max(*id)));
        }
        let by_phone: HashMap<&str, i64> = ids.iter().map(|(id, p)| (p.as_str(), *id)).collect();
        let new: Vec<(i64, &NewContact)> = chunk
            .iter()
            .filter_map(|c| by_phone.get(c.phone.as_str()).map(|id| (*id, c)))
            .collect();
        insert_details(conn, &new, import_id, now).await?;
    }
    Ok(inserted)
}

/// The tags, ledger events and opt-out entries of newly inserted contacts.
async fn insert_details(
    conn: &mut SqliteConnection,
    new: &[(i64, &NewContact)],
    import_id: Option<i64>,
    now: i64,
) -> Result<()> {
    let tags: Vec<(i64, &str)> = new
        .iter()
        .flat_map(|(id, c)| c.tags.iter().map(move |t| (*id, t.trim())))
        .collect();
    for chunk in tags.chunks(INSERT_CHUNK * 4) {
        let mut query =
            QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO contact_tag (tag, contact_id) ");
        query.push_values(chunk, |mut row, (id, tag)| {
            row.push_bind(tag.to_string()).push_bind(*id);
        });
        query.build().execute(&mut *conn).await?;
    }
    let events: Vec<(i64, &NewConsent)> = new
        .iter()
        .flat_map(|(id, c)| c.consent.iter().map(move |e| (*id, e)))
        .collect();
    for chunk in events.chunks(INSERT_CHUNK) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO consent_event (contact_id, kind, occurred_at, recorded_at, source, categories, evidence, import_id) ",
        );
        let mut rows = Vec::with_capacity(chunk.len());
        for (id, event) in chunk {
            rows.push((*id, *event, consent::categories_text(&event.categories)?));
        }
        query.push_values(rows, |mut row, (id, event, categories)| {
            row.push_bind(id)
                .push_bind(event.kind.as_str())
                .push_bind(event.occurred_at)
                .push_bind(now)
                .push_bind(event.source.clone())
                .push_bind(categories)
                .push_bind(event.evidence.clone())
                .push_bind(import_id);
        });
        query.build().execute(&mut *conn).await?;
    }
    let suppressions: Vec<(&str, &str, &str, i64)> = new
        .iter()
        .filter_map(|(_, c)| {
            c.suppression.as_ref().map(|(reason, source)| {
                (
                    c.phone.as_str(),
                    reason.as_str(),
                    source.as_str(),
                    c.created_at,
                )
            })
        })
        .collect();
    for chunk in suppressions.chunks(INSERT_CHUNK) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO suppression (phone, reason, source, added_at) ",
        );
        query.push_values(chunk, |mut row, (phone, reason, source, added_at)| {
            row.push_bind(phone.to_string())
                .push_bind(reason.to_string())
                .push_bind(source.to_string())
                .push_bind(*added_at);
        });
        query.push(" ON CONFLICT (phone) DO NOTHING");
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}
