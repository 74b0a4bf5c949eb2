//! The contact filter ([`ContactFilter`]): what the contacts table shows, what a
//! saved segment selects and what a campaign's audience is made of, and the SQL
//! conditions it becomes.
//!
//! Owns validation (a filter is refused with the field and the reason, never
//! half-applied) and the rendering of each condition as SQL with bound values.
//! Choosing how a query walks the indexes is the caller's (`super`).

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use super::{ConsentState, ContactSortColumn};
use crate::{Error, Result};

/// Limits on the size of a filter: generous for people, small enough that a
/// hostile or buggy caller cannot build a query SQLite refuses (too many bound
/// values) or that runs for minutes.
const MAX_SEARCH_CHARS: usize = 100;
const MAX_LIST_ITEMS: usize = 200;
const MAX_ATTRIBUTE_CONDITIONS: usize = 20;
const MAX_VALUE_CHARS: usize = 500;
const MAX_ATTRIBUTE_KEY_CHARS: usize = 100;

/// Which contacts to show: every field narrows the selection (they combine with
/// AND); an empty list or `null` means "no condition". Saved in segments as
/// JSON, so fields are only ever added, each with a default that selects
/// everyone.
///
/// A field this version does not know is refused rather than ignored: a segment
/// saved by a newer Cadence with, say, an engagement condition must not silently
/// widen to more people than its author chose. Engagement (replies, reads) joins
/// this filter once campaigns record messages; `last_message` is what exists now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default, deny_unknown_fields)]
pub struct ContactFilter {
    /// Phone digits or the start of a name. Digits (with `+`, spaces, dashes or
    /// brackets) match anywhere in the E.164 number, or its beginning when the
    /// text starts with `+`. Words match the start of the first or last name
    /// (two words: first and last name in either order), in the case typed, in
    /// lower case, Capitalised or in CAPITALS.
    pub search: Option<String>,
    /// Any of these current consent states.
    pub consent: Vec<ConsentState>,
    /// Tags the contact must carry: any of them or all of them (`tag_match`).
    pub tags: Vec<String>,
    pub tag_match: TagMatch,
    /// Tags the contact must not carry.
    pub exclude_tags: Vec<String>,
    /// Conditions on imported attributes (all must hold).
    pub attributes: Vec<AttributeCondition>,
    /// Any of these IANA time zones.
    pub time_zones: Vec<String>,
    /// Any of these ISO 3166-1 alpha-2 countries of the number.
    pub countries: Vec<String>,
    /// Any of these locales (the language the person reads).
    pub locales: Vec<String>,
    /// When the contact was added.
    pub created: Option<TimeRange>,
    /// When Cadence last sent them a message.
    pub last_message: Option<LastMessageFilter>,
    /// `true`: only numbers on the opt-out list; `false`: only numbers not on it.
    pub suppressed: Option<bool>,
}

/// Whether a contact needs all of the filter's tags (the default: every part of
/// a filter narrows) or any one of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TagMatch {
    #[default]
    All,
    Any,
}

/// A condition on one attribute (an imported column such as `city`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AttributeCondition {
    /// The attribute's name.
    pub name: String,
    #[serde(default)]
    pub op: AttributeOp,
    /// The value to compare with; ignored by `present` and `missing`.
    #[serde(default)]
    pub value: String,
}

/// How an attribute is compared. Text comparisons accept the value as typed,
/// in lower case, Capitalised or in CAPITALS (SQLite folds only ASCII case).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AttributeOp {
    #[default]
    Equals,
    Contains,
    /// Set and not empty.
    Present,
    /// Not set, or empty.
    Missing,
}

/// A half-open range of Unix seconds: `from` included, `to` excluded; either
/// end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default, deny_unknown_fields)]
pub struct TimeRange {
    #[specta(type = Option<i32>)]
    pub from: Option<i64>,
    #[specta(type = Option<i32>)]
    pub to: Option<i64>,
}

/// A condition on when Cadence last sent the contact a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LastMessageFilter {
    /// Never sent anything.
    Never,
    /// Last message inside the range.
    Between {
        #[specta(type = Option<i32>)]
        from: Option<i64>,
        #[specta(type = Option<i32>)]
        to: Option<i64>,
    },
    /// Nothing sent since `since` (or never): the usual frequency cap.
    NotSince {
        #[specta(type = i32)]
        since: i64,
    },
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidAudience {
        field,
        reason: reason.into(),
    }
}

impl ContactFilter {
    /// Refuses a filter Cadence cannot run as asked, naming the field and why.
    pub fn validate(&self) -> Result<()> {
        if let Some(search) = &self.search
            && search.chars().count() > MAX_SEARCH_CHARS
        {
            return Err(invalid(
                "search",
                format!("at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        let lists: [(&'static str, &[String]); 5] = [
            ("tags", &self.tags),
            ("exclude_tags", &self.exclude_tags),
            ("time_zones", &self.time_zones),
            ("countries", &self.countries),
            ("locales", &self.locales),
        ];
        for (field, values) in lists {
            check_list(field, values)?;
        }
        if self.consent.len() > ConsentState::ALL.len() {
            return Err(invalid("consent", "list each state at most once"));
        }
        if self.attributes.len() > MAX_ATTRIBUTE_CONDITIONS {
            return Err(invalid(
                "attributes",
                format!("at most {MAX_ATTRIBUTE_CONDITIONS} conditions"),
            ));
        }
        for condition in &self.attributes {
            condition.validate()?;
        }
        if let Some(range) = &self.created {
            check_range("created", range.from, range.to)?;
        }
        if let Some(LastMessageFilter::Between { from, to }) = &self.last_message {
            check_range("last_message", *from, *to)?;
        }
        Ok(())
    }
}

impl AttributeCondition {
    fn validate(&self) -> Result<()> {
        let key = self.name.trim();
        if key.is_empty() {
            return Err(invalid("attributes", "an attribute name is empty"));
        }
        if key.chars().count() > MAX_ATTRIBUTE_KEY_CHARS {
            return Err(invalid(
                "attributes",
                format!("attribute names have at most {MAX_ATTRIBUTE_KEY_CHARS} characters"),
            ));
        }
        // The key becomes a quoted JSON path ($."key"); SQLite's path syntax has
        // no escape for these.
        if key.contains(['"', '\\']) || key.chars().any(char::is_control) {
            return Err(invalid(
                "attributes",
                format!("the attribute name {key:?} holds a quote, backslash or control character"),
            ));
        }
        let needs_value = matches!(self.op, AttributeOp::Equals | AttributeOp::Contains);
        if needs_value && self.value.is_empty() {
            return Err(invalid(
                "attributes",
                format!("give a value to compare {key:?} with"),
            ));
        }
        if self.value.chars().count() > MAX_VALUE_CHARS {
            return Err(invalid(
                "attributes",
                format!("values have at most {MAX_VALUE_CHARS} characters"),
            ));
        }
        Ok(())
    }
}

fn check_list(field: &'static str, values: &[String]) -> Result<()> {
    if values.len() > MAX_LIST_ITEMS {
        return Err(invalid(field, format!("at most {MAX_LIST_ITEMS} values")));
    }
    if values.iter().any(|v| v.trim().is_empty()) {
        return Err(invalid(field, "a value is empty"));
    }
    if values.iter().any(|v| v.chars().count() > MAX_VALUE_CHARS) {
        return Err(invalid(
            field,
            format!("values have at most {MAX_VALUE_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_range(field: &'static str, from: Option<i64>, to: Option<i64>) -> Result<()> {
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(invalid(
            field,
            "the start of the range must come before its end",
        ));
    }
    Ok(())
}

/// What a query needs the conditions for: listing rows walks one index in sort
/// order and tests each entry, while counting reads all matches at once, so a
/// tag condition is written for the access each one does best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Usage {
    Rows,
    Count,
}

/// What testing a condition costs while walking a sort index, per entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Walk {
    /// The index entry holds the column: no read at all.
    InIndex,
    /// One lookup in another small index (a tag, the opt-out list).
    Probe,
    /// The contact's table row must be read.
    TableRow,
}

/// One condition of a filter, ready to render as SQL against the table
/// `contact` (no alias, so the same text works in every query shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Term {
    Consent(Vec<ConsentState>),
    /// `column IN (values)` on a plain text column.
    OneOf {
        column: &'static str,
        values: Vec<String>,
    },
    /// The E.164 number starts with this (`+7912`).
    PhonePrefix(String),
    /// The E.164 number contains these digits.
    PhoneDigits(String),
    /// Name prefixes: one list of spellings per word.
    Name(Vec<Vec<String>>),
    TagsAny(Vec<String>),
    TagsAll(Vec<String>),
    TagsNone(Vec<String>),
    Attribute {
        path: String,
        op: AttributeOp,
        values: Vec<String>,
    },
    Created(Option<i64>, Option<i64>),
    LastMessageNever,
    LastMessageBetween(Option<i64>, Option<i64>),
    LastMessageNotSince(i64),
    Suppressed(bool),
    /// The current grant covers the marketing category. With consent granted
    /// and not suppressed: may receive marketing now.
    GrantsMarketing,
}

/// A validated filter as a list of conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub terms: Vec<Term>,
}

impl Plan {
    /// The conditions of `filter` (validated here), plus marketing eligibility
    /// when asked.
    pub fn new(filter: &ContactFilter, eligible_only: bool) -> Result<Plan> {
        filter.validate()?;
        let mut terms = Vec::new();
        if let Some(search) = filter.search.as_deref().and_then(search_term) {
            terms.push(search);
        }
        if !filter.consent.is_empty() {
            let mut states = filter.consent.clone();
            states.sort_by_key(|s| s.as_str());
            states.dedup();
            terms.push(Term::Consent(states));
        }
        match (filter.tags.is_empty(), filter.tag_match) {
            (true, _) => {}
            (false, TagMatch::Any) => terms.push(Term::TagsAny(trimmed(&filter.tags))),
            (false, TagMatch::All) => terms.push(Term::TagsAll(trimmed(&filter.tags))),
        }
        if !filter.exclude_tags.is_empty() {
            terms.push(Term::TagsNone(trimmed(&filter.exclude_tags)));
        }
        for condition in &filter.attributes {
            let values = match condition.op {
                AttributeOp::Equals | AttributeOp::Contains => case_variants(&condition.value),
                AttributeOp::Present | AttributeOp::Missing => Vec::new(),
            };
            terms.push(Term::Attribute {
                path: format!("$.\"{}\"", condition.name.trim()),
                op: condition.op,
                values,
            });
        }
        for (column, values) in [
            ("time_zone", &filter.time_zones),
            ("country", &filter.countries),
            ("locale", &filter.locales),
        ] {
            if !values.is_empty() {
                terms.push(Term::OneOf {
                    column,
                    values: trimmed(values),
                });
            }
        }
        if let Some(range) = filter.created
            && (range.from.is_some() || range.to.is_some())
        {
            terms.push(Term::Created(range.from, range.to));
        }
        match filter.last_message {
            None => {}
            Some(LastMessageFilter::Never) => terms.push(Term::LastMessageNever),
            Some(LastMessageFilter::Between { from, to }) => {
                terms.push(Term::LastMessageBetween(from, to))
            }
            Some(LastMessageFilter::NotSince { since }) => {
                terms.push(Term::LastMessageNotSince(since))
            }
        }
        if let Some(suppressed) = filter.suppressed {
            terms.push(Term::Suppressed(suppressed));
        }
        // May receive marketing now: consent granted for the marketing
        // category and not on the opt-out list. Three plain conditions, so that
        // counting can treat the opt-out part apart (see Store::count_plan).
        if eligible_only {
            terms.push(Term::Consent(vec![ConsentState::Granted]));
            terms.push(Term::GrantsMarketing);
            if filter.suppressed != Some(false) {
                terms.push(Term::Suppressed(false));
            }
        }
        Ok(Plan { terms })
    }

    /// The dearest per-entry test of the plan while walking the index of
    /// `sort` (one table read serves every condition that needs it).
    pub fn walk_cost(&self, sort: ContactSortColumn) -> Walk {
        self.terms
            .iter()
            .map(|term| term.walk_cost(sort))
            .max()
            .unwrap_or(Walk::InIndex)
    }

    /// Appends ` AND <condition>` for every term except `skip` (the term that
    /// already chose the rows).
    pub fn push_conditions(
        &self,
        query: &mut QueryBuilder<'_, Sqlite>,
        usage: Usage,
        skip: Option<usize>,
    ) {
        for (index, term) in self.terms.iter().enumerate() {
            if Some(index) != skip {
                query.push(" AND ");
                term.push_condition(query, usage);
            }
        }
    }
}

fn trimmed(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = values.iter().map(|v| v.trim().to_owned()).collect();
    out.sort();
    out.dedup();
    out
}

/// Reads the search box: phone-like text (digits with `+ - ( ) .` and spaces)
/// searches the number, anything else the names.
fn search_term(text: &str) -> Option<Term> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if phone_like && !digits.is_empty() {
        return Some(if text.starts_with('+') {
            Term::PhonePrefix(format!("+{digits}"))
        } else {
            Term::PhoneDigits(digits)
        });
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    // "Анна Иванова": the first and the last word; middle names are not stored.
    let chosen = match words.as_slice() {
        [] => return None,
        [one] => vec![*one],
        [first, .., last] => vec![*first, *last],
    };
    Some(Term::Name(chosen.into_iter().map(case_variants).collect()))
}

/// The spellings a case-insensitive match accepts: SQLite's own case folding
/// covers ASCII only, and Cadence's audiences write in Cyrillic too, so the
/// common spellings are matched instead (as typed, lower, Capitalised, UPPER).
pub(crate) fn case_variants(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    let capitalised = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    let mut out = vec![text.to_owned(), lower, capitalised, text.to_uppercase()];
    let mut seen = std::collections::HashSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out
}

/// The smallest string greater than every string starting with `prefix`
/// (under SQLite's BINARY collation, which compares UTF-8 bytes): a prefix
/// match as an index range.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

fn push_prefix(query: &mut QueryBuilder<'_, Sqlite>, column: &str, prefix: &str) {
    query
        .push(format!("(contact.{column} >= "))
        .push_bind(prefix.to_owned())
        .push(format!(" AND contact.{column} < "))
        .push_bind(prefix_end(prefix))
        .push(")");
}

/// `(column starts with any of the spellings)`.
fn push_any_prefix(query: &mut QueryBuilder<'_, Sqlite>, column: &str, spellings: &[String]) {
    query.push("(");
    for (i, spelling) in spellings.iter().enumerate() {
        if i > 0 {
            query.push(" OR ");
        }
        push_prefix(query, column, spelling);
    }
    query.push(")");
}

fn push_list<T>(query: &mut QueryBuilder<'_, Sqlite>, values: impl IntoIterator<Item = T>)
where
    T: for<'q> sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + Send + 'static,
{
    query.push("(");
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            query.push(", ");
        }
        query.push_bind(value);
    }
    query.push(")");
}

fn push_range(
    query: &mut QueryBuilder<'_, Sqlite>,
    column: &str,
    from: Option<i64>,
    to: Option<i64>,
) {
    query.push("(1");
    if let Some(from) = from {
        query
            .push(format!(" AND contact.{column} >= "))
            .push_bind(from);
    }
    if let Some(to) = to {
        query
            .push(format!(" AND contact.{column} < "))
            .push_bind(to);
    }
    query.push(")");
}

/// The SQL that tells whether a contact is on the opt-out list.
const SUPPRESSED: &str = "EXISTS (SELECT 1 FROM suppression s WHERE s.phone = contact.phone)";

impl Term {
    /// Appends this condition as a boolean SQL expression.
    pub fn push_condition(&self, query: &mut QueryBuilder<'_, Sqlite>, usage: Usage) {
        match self {
            Term::Consent(states) => {
                query.push("contact.consent IN ");
                push_list(query, states.iter().map(|s| s.as_str().to_owned()));
            }
            Term::OneOf { column, values } => {
                query.push(format!("contact.{column} IN "));
                push_list(query, values.clone());
            }
            Term::PhonePrefix(prefix) => push_prefix(query, "phone", prefix),
            Term::PhoneDigits(digits) => {
                query
                    .push("instr(contact.phone, ")
                    .push_bind(digits.clone())
                    .push(") > 0");
            }
            Term::Name(words) => match words.as_slice() {
                [one] => {
                    query.push("(");
                    push_any_prefix(query, "first_name", one);
                    query.push(" OR ");
                    push_any_prefix(query, "last_name", one);
                    query.push(")");
                }
                [a, b, ..] => {
                    query.push("((");
                    push_any_prefix(query, "first_name", a);
                    query.push(" AND ");
                    push_any_prefix(query, "last_name", b);
                    query.push(") OR (");
                    push_any_prefix(query, "last_name", a);
                    query.push(" AND ");
                    push_any_prefix(query, "first_name", b);
                    query.push("))");
                }
                [] => {
                    query.push("1");
                }
            },
            // Listing walks a sort index and asks, entry by entry, whether the
            // contact has the tag: one primary-key probe each, and the first
            // page is found after a few hundred probes. Counting reads every
            // match, so the tag's own rows (one primary-key range) are read
            // once instead.
            Term::TagsAny(tags) => match usage {
                Usage::Rows => {
                    query.push(
                        "EXISTS (SELECT 1 FROM contact_tag t WHERE t.contact_id = contact.id AND t.tag IN ",
                    );
                    push_list(query, tags.clone());
                    query.push(")");
                }
                Usage::Count => {
                    query.push("contact.id IN (SELECT contact_id FROM contact_tag WHERE tag IN ");
                    push_list(query, tags.clone());
                    query.push(")");
                }
            },
            Term::TagsAll(tags) => match usage {
                Usage::Rows => {
                    query.push("(1");
                    for tag in tags {
                        query
                            .push(" AND EXISTS (SELECT 1 FROM contact_tag t WHERE t.contact_id = contact.id AND t.tag = ")
                            .push_bind(tag.clone())
                            .push(")");
                    }
                    query.push(")");
                }
                Usage::Count => {
                    query.push("contact.id IN (");
                    push_tags_all_ids(query, tags);
                    query.push(")");
                }
            },
            Term::TagsNone(tags) => {
                query.push(
                    "NOT EXISTS (SELECT 1 FROM contact_tag t WHERE t.contact_id = contact.id AND t.tag IN ",
                );
                push_list(query, tags.clone());
                query.push(")");
            }
            Term::Attribute { path, op, values } => {
                let extract = |query: &mut QueryBuilder<'_, Sqlite>| {
                    query
                        .push("json_extract(contact.attributes, ")
                        .push_bind(path.clone())
                        .push(")");
                };
                match op {
                    AttributeOp::Equals => {
                        extract(query);
                        query.push(" IN ");
                        push_list(query, values.clone());
                    }
                    AttributeOp::Contains => {
                        // SQLite keeps the last few JSON texts a statement
                        // parsed, so extracting once per spelling still parses
                        // each row's attributes once.
                        query.push("(");
                        for (i, spelling) in values.iter().enumerate() {
                            if i > 0 {
                                query.push(" OR ");
                            }
                            query.push("instr(");
                            extract(query);
                            query.push(", ").push_bind(spelling.clone()).push(") > 0");
                        }
                        query.push(")");
                    }
                    AttributeOp::Present => {
                        query.push("coalesce(");
                        extract(query);
                        query.push(", '') <> ''");
                    }
                    AttributeOp::Missing => {
                        query.push("coalesce(");
                        extract(query);
                        query.push(", '') = ''");
                    }
                }
            }
            Term::Created(from, to) => push_range(query, "created_at", *from, *to),
            Term::LastMessageNever => {
                query.push("contact.last_message_at IS NULL");
            }
            Term::LastMessageBetween(from, to) => {
                query.push("(contact.last_message_at IS NOT NULL AND ");
                push_range(query, "last_message_at", *from, *to);
                query.push(")");
            }
            Term::LastMessageNotSince(since) => {
                query
                    .push("(contact.last_message_at IS NULL OR contact.last_message_at < ")
                    .push_bind(*since)
                    .push(")");
            }
            Term::Suppressed(true) => {
                query.push(SUPPRESSED);
            }
            Term::Suppressed(false) => {
                query.push(format!("NOT {SUPPRESSED}"));
            }
            Term::GrantsMarketing => {
                // consent_categories is a comma-separated list: framing it in
                // commas makes ",marketing," match the whole word only.
                query.push(
                    "instr(',' || coalesce(contact.consent_categories, '') || ',', ',marketing,') > 0",
                );
            }
        }
    }

    /// What testing this condition costs per entry while walking the index of
    /// `sort` (see [`Walk`]).
    pub fn walk_cost(&self, sort: ContactSortColumn) -> Walk {
        match self {
            // In every sort index but the phone's (see the migration).
            Term::Consent(_) if sort != ContactSortColumn::Phone => Walk::InIndex,
            Term::OneOf { column, .. }
                if *column != "locale" && sort != ContactSortColumn::Phone =>
            {
                Walk::InIndex
            }
            Term::Name(_) if sort == ContactSortColumn::Name => Walk::InIndex,
            Term::PhonePrefix(_) | Term::PhoneDigits(_) if sort == ContactSortColumn::Phone => {
                Walk::InIndex
            }
            Term::Created(..) if sort == ContactSortColumn::CreatedAt => Walk::InIndex,
            // The id is in every index: the tag table is probed, the contact
            // row is not read.
            Term::TagsAny(_) | Term::TagsAll(_) | Term::TagsNone(_) => Walk::Probe,
            _ => Walk::TableRow,
        }
    }

    /// How much finding this condition's contacts on its own costs, when it can
    /// (see [`Term::push_candidates`]): index ranges first, the phone-digits
    /// scan (a pass over the phone index) last.
    pub fn candidate_cost(&self) -> Option<u8> {
        match self {
            Term::PhonePrefix(_)
            | Term::Name(_)
            | Term::TagsAny(_)
            | Term::TagsAll(_)
            | Term::Created(..)
            | Term::LastMessageNever
            | Term::LastMessageBetween(..)
            | Term::Suppressed(true) => Some(1),
            Term::PhoneDigits(_) => Some(2),
            // Consent, country and time zone live in the sort indexes (see
            // the migration), so testing them while walking one costs no
            // table read: there is little to gain from finding them first.
            _ => None,
        }
    }

    /// Appends `SELECT DISTINCT id ... LIMIT limit`: the contacts meeting this
    /// condition alone, through its own index. Returns false (and appends
    /// nothing) for conditions without one.
    pub fn push_candidates(&self, query: &mut QueryBuilder<'_, Sqlite>, limit: i64) -> bool {
        match self {
            Term::PhonePrefix(_)
            | Term::PhoneDigits(_)
            | Term::Name(_)
            | Term::Created(..)
            | Term::LastMessageNever
            | Term::LastMessageBetween(..) => {
                query.push("SELECT contact.id FROM contact WHERE ");
                self.push_condition(query, Usage::Count);
            }
            Term::TagsAny(tags) => {
                query.push("SELECT DISTINCT contact_id FROM contact_tag WHERE tag IN ");
                push_list(query, tags.clone());
            }
            Term::TagsAll(tags) => {
                push_tags_all_ids(query, tags);
            }
            Term::Suppressed(true) => {
                query.push(
                    "SELECT contact.id FROM suppression s JOIN contact ON contact.phone = s.phone",
                );
            }
            _ => return false,
        }
        query.push(" LIMIT ").push_bind(limit);
        true
    }
}

/// `SELECT contact_id ...` of the contacts carrying every tag: the primary
/// key (tag, contact_id) is unique, so a contact with n matching rows has all n.
fn push_tags_all_ids(query: &mut QueryBuilder<'_, Sqlite>, tags: &[String]) {
    query.push("SELECT contact_id FROM contact_tag WHERE tag IN ");
    push_list(query, tags.to_vec());
    query
        .push(" GROUP BY contact_id HAVING count(*) = ")
        .push_bind(tags.len() as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_variants_cover_the_spellings_people_type() {
        assert_eq!(
            case_variants("иван"),
            vec!["иван", "Иван", "ИВАН"],
            "lower-case Cyrillic must also find the Capitalised and CAPITAL spellings"
        );
        assert_eq!(
            case_variants("McD"),
            vec!["McD", "mcd", "Mcd", "MCD"],
            "the spelling as typed comes first and stays"
        );
    }

    #[test]
    fn the_search_box_tells_phone_digits_from_names() {
        assert_eq!(
            search_term("+7 (912) 345"),
            Some(Term::PhonePrefix("+7912345".into())),
            "a leading + means the start of the international number"
        );
        assert_eq!(
            search_term(" 345-67 "),
            Some(Term::PhoneDigits("34567".into())),
            "digits with separators match anywhere in the number"
        );
        assert_eq!(
            search_term("анна   мария иванова"),
            Some(Term::Name(vec![
                case_variants("анна"),
                case_variants("иванова")
            ])),
            "first and last word: a first name and a last name"
        );
        assert_eq!(search_term("   "), None, "blank text is no condition");
    }

    #[test]
    fn a_filter_from_a_newer_cadence_is_refused_not_widened() {
        let error = serde_json::from_str::<ContactFilter>(r#"{"engagement":{"replied":true}}"#)
            .expect_err("an unknown condition must not be dropped silently");
        assert!(
            error.to_string().contains("engagement"),
            "the error names the unknown field: {error}"
        );
        let empty: ContactFilter = serde_json::from_str("{}").unwrap();
        assert_eq!(
            empty,
            ContactFilter::default(),
            "missing fields select everyone"
        );
    }

    #[test]
    fn bad_filters_name_the_field() {
        let cases = [
            (
                ContactFilter {
                    search: Some("x".repeat(101)),
                    ..Default::default()
                },
                "search",
            ),
            (
                ContactFilter {
                    tags: vec![" ".into()],
                    ..Default::default()
                },
                "tags",
            ),
            (
                ContactFilter {
                    attributes: vec![AttributeCondition {
                        name: "ci\"ty".into(),
                        op: AttributeOp::Equals,
                        value: "x".into(),
                    }],
                    ..Default::default()
                },
                "attributes",
            ),
            (
                ContactFilter {
                    attributes: vec![AttributeCondition {
                        name: "city".into(),
                        op: AttributeOp::Contains,
                        value: String::new(),
                    }],
                    ..Default::default()
                },
                "attributes",
            ),
            (
                ContactFilter {
                    created: Some(TimeRange {
                        from: Some(10),
                        to: Some(10),
                    }),
                    ..Default::default()
                },
                "created",
            ),
        ];
        for (filter, field) in cases {
            match filter.validate() {
                Err(Error::InvalidAudience { field: got, .. }) => {
                    assert_eq!(got, field, "{filter:?} must be refused on {field}")
                }
                other => panic!("{filter:?} must be refused on {field}, got {other:?}"),
            }
        }
    }
}
