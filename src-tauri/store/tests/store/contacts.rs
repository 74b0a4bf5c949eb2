//! The contacts queries on a fresh SQLite file, against an oracle: 25,000
//! contacts are inserted, then every filter, every sort and several offsets are
//! asked of the store and compared with the same question answered in plain
//! Rust over the inserted data. The data is shaped so that both ways of finding
//! a page are taken (a selective condition choosing the rows; a walk over the
//! sort index when every condition matches more than the candidate limit).
//! Then consent, the opt-out list, forgetting and the facets.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::ControlFlow;

use cadence_store::contacts::{
    AttributeCondition, AttributeOp, CANDIDATE_LIMIT, ConsentKind, ConsentState, ContactFilter,
    ContactSort, ContactSortColumn, LastMessageFilter, NewConsent, NewContact, TagMatch, TimeRange,
};
use cadence_store::{Error, Store};
use sqlx::{Connection, SqliteConnection};

use super::fresh_store;

const T0: i64 = 1_760_000_000;
const NOW: i64 = T0 + 400 * 86_400;
const PEOPLE: usize = 25_000;

const FIRST: [&str; 8] = [
    "Иван",
    "Анна",
    "Мария",
    "Ivan",
    "Anna",
    "Олег",
    "john",
    "Zoë",
];
const LAST: [&str; 7] = [
    "Иванова",
    "Петров",
    "Smith",
    "Anderson",
    "Müller",
    "smith",
    "Ким",
];
const CITIES: [&str; 5] = ["Москва", "Санкт-Петербург", "Berlin", "London", "москва"];
const RU_ZONES: [&str; 4] = [
    "Europe/Moscow",
    "Asia/Vladivostok",
    "Asia/Yekaterinburg",
    "Europe/Kaliningrad",
];

fn grant(at: i64, categories: &[&str]) -> NewConsent {
    NewConsent {
        kind: ConsentKind::Granted,
        occurred_at: at,
        source: "import:crm.csv".into(),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        evidence: Some("checkbox on the order form".into()),
    }
}

fn withdraw(at: i64) -> NewConsent {
    NewConsent {
        kind: ConsentKind::Withdrawn,
        occurred_at: at,
        source: "stop-keyword".into(),
        categories: vec!["marketing".into()],
        evidence: None,
    }
}

/// A deterministic, varied audience (see the module comment). Contact `i` gets
/// id `i + 1` in a fresh database.
fn people() -> Vec<NewContact> {
    (0..PEOPLE)
        .map(|i| {
            // 7919 is prime to 10: i ↦ i·7919 mod 10^k is a permutation, so
            // every number is unique and numbers do not follow insertion order.
            let scrambled = (i as u64 * 7919) % 1_000_000_000;
            let (phone, country, time_zone) = match (i / 5) % 10 {
                0..=6 => (
                    format!("+79{scrambled:09}"),
                    Some("RU"),
                    RU_ZONES[i % RU_ZONES.len()],
                ),
                7 => (
                    format!("+4915{:08}", scrambled % 100_000_000),
                    Some("DE"),
                    "Europe/Berlin",
                ),
                8 => (format!("+447{:09}", scrambled), Some("GB"), "Europe/London"),
                _ => (
                    format!("+9715{:08}", scrambled % 100_000_000),
                    None,
                    "Asia/Dubai",
                ),
            };
            let mut attributes = BTreeMap::new();
            if i % 6 != 0 {
                attributes.insert("city".to_owned(), CITIES[i % CITIES.len()].to_owned());
            }
            match i % 4 {
                0 => {
                    attributes.insert("level".into(), "gold".into());
                }
                1 => {
                    attributes.insert("level".into(), String::new());
                }
                _ => {}
            }
            let mut tags = Vec::new();
            // "common" on 96%: more contacts than the candidate limit, so a
            // tag filter on it walks the sort index.
            if i % 25 != 0 {
                tags.push("common".to_owned());
            }
            if i % 500 == 3 {
                tags.push("rare".to_owned());
            }
            if i % 9 == 0 {
                tags.push("vip".to_owned());
            }
            let created_at = T0 + ((i as i64 * 7919) % PEOPLE as i64) / 2 * 60;
            let consent = match i % 5 {
                0 => vec![],
                1 if i % 15 == 1 => vec![grant(created_at, &["utility"])],
                1..=3 => vec![grant(created_at, &["marketing", "utility"])],
                // An old grant found after a newer withdrawal: the ledger is by
                // time, so the withdrawal stays in force.
                _ if i % 50 == 4 => vec![
                    withdraw(created_at + 100),
                    grant(created_at, &["marketing"]),
                ],
                _ => vec![
                    grant(created_at, &["marketing"]),
                    withdraw(created_at + 100),
                ],
            };
            NewContact {
                phone,
                first_name: (i % 17 != 0).then(|| FIRST[i % FIRST.len()].to_owned()),
                last_name: (i % 13 != 0).then(|| LAST[i % LAST.len()].to_owned()),
                locale: match i % 3 {
                    0 => Some("ru".into()),
                    1 => Some("en".into()),
                    _ => None,
                },
                time_zone: time_zone.to_owned(),
                time_zone_inferred: i % 2 == 0,
                country: country.map(str::to_owned),
                attributes,
                tags,
                consent,
                suppression: (i % 40 == 7).then(|| ("asked to stop".into(), "opt-out list".into())),
                created_at,
                last_message_at: (i % 3 != 0).then(|| T0 + (i as i64 % 100) * 3_600),
            }
        })
        .collect()
}

/// A contact as the oracle sees it: the inserted data and its id.
struct Person {
    id: i64,
    c: NewContact,
}

impl Person {
    fn consent(&self) -> (ConsentState, Option<String>) {
        let latest = self
            .c
            .consent
            .iter()
            .enumerate()
            .max_by_key(|(i, e)| (e.occurred_at, *i))
            .map(|(_, e)| e);
        match latest {
            None => (ConsentState::None, None),
            Some(e) if e.kind == ConsentKind::Granted => {
                (ConsentState::Granted, Some(e.categories.join(",")))
            }
            Some(_) => (ConsentState::Withdrawn, None),
        }
    }

    fn has_tag(&self, tag: &str) -> bool {
        self.c.tags.iter().any(|t| t == tag)
    }

    fn eligible(&self) -> bool {
        let (state, categories) = self.consent();
        state == ConsentState::Granted
            && categories.is_some_and(|c| c.split(',').any(|x| x == "marketing"))
            && self.c.suppression.is_none()
    }
}

/// The same spellings the store accepts (as typed, lower, Capitalised, UPPER).
fn spellings(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    let capitalised: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    vec![text.to_owned(), lower, capitalised, text.to_uppercase()]
}

fn starts(value: &Option<String>, word: &str) -> bool {
    value
        .as_deref()
        .is_some_and(|v| spellings(word).iter().any(|s| v.starts_with(s.as_str())))
}

fn in_range(value: i64, from: Option<i64>, to: Option<i64>) -> bool {
    from.is_none_or(|f| value >= f) && to.is_none_or(|t| value < t)
}

/// The oracle: does `p` match `f`, by the filter's documented meaning.
fn matches(p: &Person, f: &ContactFilter) -> bool {
    let c = &p.c;
    if let Some(search) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let phone_like = search
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +-().".contains(ch));
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        let hit = if phone_like && !digits.is_empty() {
            if search.starts_with('+') {
                c.phone.starts_with(&format!("+{digits}"))
            } else {
                c.phone.contains(&digits)
            }
        } else {
            let words: Vec<&str> = search.split_whitespace().collect();
            match words.as_slice() {
                [one] => starts(&c.first_name, one) || starts(&c.last_name, one),
                [a, .., b] => {
                    (starts(&c.first_name, a) && starts(&c.last_name, b))
                        || (starts(&c.last_name, a) && starts(&c.first_name, b))
                }
                [] => true,
            }
        };
        if !hit {
            return false;
        }
    }
    if !f.consent.is_empty() && !f.consent.contains(&p.consent().0) {
        return false;
    }
    if !f.tags.is_empty() {
        let ok = match f.tag_match {
            TagMatch::All => f.tags.iter().all(|t| p.has_tag(t)),
            TagMatch::Any => f.tags.iter().any(|t| p.has_tag(t)),
        };
        if !ok {
            return false;
        }
    }
    if f.exclude_tags.iter().any(|t| p.has_tag(t)) {
        return false;
    }
    for condition in &f.attributes {
        let value = c.attributes.get(&condition.name);
        let ok = match condition.op {
            AttributeOp::Equals => value.is_some_and(|v| spellings(&condition.value).contains(v)),
            AttributeOp::Contains => value.is_some_and(|v| {
                spellings(&condition.value)
                    .iter()
                    .any(|s| v.contains(s.as_str()))
            }),
            AttributeOp::Present => value.is_some_and(|v| !v.is_empty()),
            AttributeOp::Missing => value.is_none_or(|v| v.is_empty()),
        };
        if !ok {
            return false;
        }
    }
    let one_of = |list: &[String], value: Option<&str>| {
        list.is_empty() || value.is_some_and(|v| list.iter().any(|x| x == v))
    };
    if !one_of(&f.time_zones, Some(&c.time_zone))
        || !one_of(&f.countries, c.country.as_deref())
        || !one_of(&f.locales, c.locale.as_deref())
    {
        return false;
    }
    if let Some(range) = f.created
        && !in_range(c.created_at, range.from, range.to)
    {
        return false;
    }
    let last_message_ok = match f.last_message {
        None => true,
        Some(LastMessageFilter::Never) => c.last_message_at.is_none(),
        Some(LastMessageFilter::Between { from, to }) => {
            c.last_message_at.is_some_and(|t| in_range(t, from, to))
        }
        Some(LastMessageFilter::NotSince { since }) => c.last_message_at.is_none_or(|t| t < since),
    };
    if !last_message_ok {
        return false;
    }
    if let Some(suppressed) = f.suppressed
        && suppressed != c.suppression.is_some()
    {
        return false;
    }
    true
}

/// The oracle's order: the column (NULL lowest, text by UTF-8 bytes as SQLite's
/// BINARY collation), then id, all reversed for descending.
fn compare(a: &Person, b: &Person, sort: ContactSort) -> Ordering {
    let key = |p: &Person| -> Vec<Option<String>> {
        match sort.column {
            ContactSortColumn::Phone => vec![Some(p.c.phone.clone())],
            ContactSortColumn::Name => vec![p.c.last_name.clone(), p.c.first_name.clone()],
            ContactSortColumn::CreatedAt => vec![Some(format!("{:020}", p.c.created_at))],
            ContactSortColumn::TimeZone => vec![Some(p.c.time_zone.clone())],
            ContactSortColumn::Country => vec![p.c.country.clone()],
            ContactSortColumn::Consent => vec![Some(p.consent().0.as_str().to_owned())],
        }
    };
    let order = key(a).cmp(&key(b)).then(a.id.cmp(&b.id));
    if sort.descending {
        order.reverse()
    } else {
        order
    }
}

fn expected(people: &[Person], filter: &ContactFilter, sort: ContactSort) -> Vec<i64> {
    let mut chosen: Vec<&Person> = people.iter().filter(|p| matches(p, filter)).collect();
    chosen.sort_by(|a, b| compare(a, b, sort));
    chosen.iter().map(|p| p.id).collect()
}

const COLUMNS: [ContactSortColumn; 6] = [
    ContactSortColumn::Phone,
    ContactSortColumn::Name,
    ContactSortColumn::CreatedAt,
    ContactSortColumn::TimeZone,
    ContactSortColumn::Country,
    ContactSortColumn::Consent,
];

fn sorts() -> Vec<ContactSort> {
    COLUMNS
        .iter()
        .flat_map(|&column| [false, true].map(|descending| ContactSort { column, descending }))
        .collect()
}

fn attribute(name: &str, op: AttributeOp, value: &str) -> AttributeCondition {
    AttributeCondition {
        name: name.into(),
        op,
        value: value.into(),
    }
}

/// Every condition of the filter, alone and combined, with names saying what
/// each exercises.
fn filters(people: &[Person]) -> Vec<(&'static str, ContactFilter)> {
    let some_phone = &people[1234].c.phone;
    let fragment = some_phone[4..10].to_owned();
    let mid = T0 + 3_000 * 60;
    vec![
        ("everyone", ContactFilter::default()),
        (
            "phone digits anywhere",
            ContactFilter {
                search: Some(format!(" {}-{} ", &fragment[..3], &fragment[3..])),
                ..Default::default()
            },
        ),
        (
            "phone prefix",
            ContactFilter {
                search: Some("+44 7".into()),
                ..Default::default()
            },
        ),
        (
            "name prefix in lower-case Cyrillic",
            ContactFilter {
                search: Some("иван".into()),
                ..Default::default()
            },
        ),
        (
            "first and last name in either order",
            ContactFilter {
                search: Some("smith ANNA".into()),
                ..Default::default()
            },
        ),
        (
            "consent granted",
            ContactFilter {
                consent: vec![ConsentState::Granted],
                ..Default::default()
            },
        ),
        (
            "consent withdrawn or none in DE or GB",
            ContactFilter {
                consent: vec![ConsentState::Withdrawn, ConsentState::None],
                countries: vec!["DE".into(), "GB".into()],
                ..Default::default()
            },
        ),
        (
            "a tag on more contacts than the candidate limit",
            ContactFilter {
                tags: vec!["common".into()],
                ..Default::default()
            },
        ),
        (
            "any of two tags",
            ContactFilter {
                tags: vec!["rare".into(), "vip".into()],
                tag_match: TagMatch::Any,
                ..Default::default()
            },
        ),
        (
            "all of two tags",
            ContactFilter {
                tags: vec!["common".into(), "vip".into()],
                ..Default::default()
            },
        ),
        (
            "without a tag",
            ContactFilter {
                exclude_tags: vec!["common".into()],
                ..Default::default()
            },
        ),
        (
            "attribute equals, any case",
            ContactFilter {
                attributes: vec![attribute("city", AttributeOp::Equals, "МОСКВА")],
                ..Default::default()
            },
        ),
        (
            "attribute contains",
            ContactFilter {
                attributes: vec![attribute("city", AttributeOp::Contains, "петер")],
                ..Default::default()
            },
        ),
        (
            "attribute present",
            ContactFilter {
                attributes: vec![attribute("level", AttributeOp::Present, "")],
                ..Default::default()
            },
        ),
        (
            "attribute missing or empty",
            ContactFilter {
                attributes: vec![attribute("level", AttributeOp::Missing, "")],
                ..Default::default()
            },
        ),
        (
            "time zones with consent",
            ContactFilter {
                time_zones: vec!["Asia/Vladivostok".into(), "Europe/Berlin".into()],
                consent: vec![ConsentState::Granted],
                ..Default::default()
            },
        ),
        (
            "locale",
            ContactFilter {
                locales: vec!["en".into()],
                ..Default::default()
            },
        ),
        (
            "created in a range",
            ContactFilter {
                created: Some(TimeRange {
                    from: Some(mid),
                    to: Some(mid + 600 * 60),
                }),
                ..Default::default()
            },
        ),
        (
            "never messaged",
            ContactFilter {
                last_message: Some(LastMessageFilter::Never),
                ..Default::default()
            },
        ),
        (
            "last message in a range",
            ContactFilter {
                last_message: Some(LastMessageFilter::Between {
                    from: Some(T0 + 10 * 3_600),
                    to: Some(T0 + 12 * 3_600),
                }),
                ..Default::default()
            },
        ),
        (
            "nothing sent since",
            ContactFilter {
                last_message: Some(LastMessageFilter::NotSince {
                    since: T0 + 50 * 3_600,
                }),
                ..Default::default()
            },
        ),
        (
            "on the opt-out list",
            ContactFilter {
                suppressed: Some(true),
                ..Default::default()
            },
        ),
        (
            "not on the opt-out list, granted",
            ContactFilter {
                suppressed: Some(false),
                consent: vec![ConsentState::Granted],
                ..Default::default()
            },
        ),
        (
            "everything at once",
            ContactFilter {
                search: Some("+79".into()),
                tags: vec!["vip".into(), "rare".into()],
                tag_match: TagMatch::Any,
                consent: vec![ConsentState::Granted, ConsentState::Withdrawn],
                created: Some(TimeRange {
                    from: Some(T0),
                    to: None,
                }),
                attributes: vec![attribute("city", AttributeOp::Present, "")],
                ..Default::default()
            },
        ),
    ]
}

async fn audience() -> (tempfile::TempDir, Store, Vec<Person>) {
    let (dir, store) = fresh_store().await;
    let contacts = people();
    let inserted = store.insert_contacts(&contacts, None, NOW).await.unwrap();
    assert_eq!(
        (inserted.inserted, inserted.first_id, inserted.last_id),
        (PEOPLE as u64, Some(1), Some(PEOPLE as i64)),
        "a fresh database numbers the contacts 1..n in insertion order"
    );
    let people = contacts
        .into_iter()
        .enumerate()
        .map(|(i, c)| Person {
            id: i as i64 + 1,
            c,
        })
        .collect();
    (dir, store, people)
}

async fn page_ids(
    store: &Store,
    filter: &ContactFilter,
    sort: ContactSort,
    offset: u64,
    limit: u32,
) -> Vec<i64> {
    store
        .contacts_page(filter, sort, offset, limit)
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id)
        .collect()
}

#[tokio::test]
async fn every_filter_sort_and_offset_matches_the_oracle() {
    let (_dir, store, people) = audience().await;
    assert_eq!(
        store.consent_drift().await.unwrap(),
        0,
        "bulk insertion derives consent exactly as the ledger says"
    );
    let all_sorts = sorts();
    for (n, (name, filter)) in filters(&people).iter().enumerate() {
        let count = store.count_contacts(filter).await.unwrap();
        let sample_sort = all_sorts[n % all_sorts.len()];
        let full = expected(&people, filter, sample_sort);
        assert_eq!(count, full.len() as u64, "{name}: the count must be exact");
        assert!(
            !full.is_empty(),
            "{name}: the test data must give this filter something to find"
        );
        // The filters with the most ways to go wrong get every order; the
        // others two orders each, so that each order is still met many times.
        let chosen: Vec<ContactSort> = if n % 7 == 0 {
            all_sorts.clone()
        } else {
            vec![sample_sort, all_sorts[(n * 5 + 3) % all_sorts.len()]]
        };
        for sort in chosen {
            let want = expected(&people, filter, sort);
            let last = want.len().saturating_sub(30) as u64;
            for offset in [0, 97, last] {
                let got = page_ids(&store, filter, sort, offset, 100).await;
                let start = (offset as usize).min(want.len());
                let end = (start + 100).min(want.len());
                assert_eq!(
                    got,
                    want[start..end],
                    "{name}, {sort:?}, offset {offset}: rows and order must match the oracle"
                );
            }
        }
    }
}

#[tokio::test]
async fn both_ways_of_finding_a_page_are_exercised() {
    let (_dir, store, people) = audience().await;
    let common = ContactFilter {
        tags: vec!["common".into()],
        ..Default::default()
    };
    let vip = ContactFilter {
        tags: vec!["vip".into()],
        ..Default::default()
    };
    let in_common = people.iter().filter(|p| matches(p, &common)).count();
    let in_vip = people.iter().filter(|p| matches(p, &vip)).count();
    assert!(
        in_common > CANDIDATE_LIMIT && in_vip < CANDIDATE_LIMIT,
        "the data must put one tag above the candidate limit ({in_common}) and one below ({in_vip})"
    );
    // A candidate set alone gives its total with the page, for free.
    let page = store
        .contacts_page(&vip, ContactSort::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(
        page.total,
        Some(in_vip as u64),
        "one selective condition: its candidates are the total"
    );
    let page = store
        .contacts_page(&common, ContactSort::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(
        page.total, None,
        "walking the sort index gives no total; the count is asked separately"
    );
}

#[tokio::test]
async fn paging_a_whole_selection_neither_skips_nor_repeats() {
    let (_dir, store, people) = audience().await;
    let filter = ContactFilter {
        tags: vec!["vip".into()],
        consent: vec![ConsentState::Granted, ConsentState::None],
        ..Default::default()
    };
    let sort = ContactSort {
        column: ContactSortColumn::Name,
        descending: false,
    };
    let want = expected(&people, &filter, sort);
    let mut got = Vec::new();
    let mut offset = 0;
    loop {
        let page = page_ids(&store, &filter, sort, offset, 500).await;
        if page.is_empty() {
            break;
        }
        offset += page.len() as u64;
        got.extend(page);
    }
    assert_eq!(
        got, want,
        "pages laid end to end are the whole selection in order"
    );

    let mut streamed = Vec::new();
    let visited = store
        .for_each_contact(&ContactFilter::default(), sort, |row| {
            streamed.push(row.id);
            ControlFlow::Continue(())
        })
        .await
        .unwrap();
    assert_eq!(visited, PEOPLE as u64, "an export visits every contact");
    assert_eq!(
        streamed,
        expected(&people, &ContactFilter::default(), sort),
        "an export reads in the table's order"
    );
    let mut first_three = Vec::new();
    store
        .for_each_contact(&filter, sort, |row| {
            first_three.push(row.id);
            if first_three.len() == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .await
        .unwrap();
    assert_eq!(first_three, want[..3], "Break stops the export early");
}

#[tokio::test]
async fn rows_carry_what_the_table_shows() {
    let (_dir, store, people) = audience().await;
    let p = &people[7];
    let row = store.contact(p.id).await.unwrap();
    assert_eq!(row.phone, p.c.phone);
    assert_eq!(row.first_name, p.c.first_name);
    assert_eq!(row.time_zone, p.c.time_zone);
    assert_eq!(
        row.attributes, p.c.attributes,
        "attributes come back as a map"
    );
    let mut tags = p.c.tags.clone();
    tags.sort();
    assert_eq!(row.tags, tags, "tags come back sorted");
    assert!(row.suppressed, "contact 7 is on the opt-out list");
    assert_eq!(row.consent, p.consent().0);
    assert_eq!(
        row.consent_categories,
        vec!["marketing".to_owned(), "utility".to_owned()]
    );

    let eligible: Vec<i64> = people
        .iter()
        .filter(|p| p.eligible())
        .map(|p| p.id)
        .collect();
    let mut got = Vec::new();
    let mut after = 0;
    loop {
        let batch = store
            .contact_ids_after(&ContactFilter::default(), true, after, 1_000)
            .await
            .unwrap();
        let Some(&last) = batch.last() else { break };
        after = last;
        got.extend(batch);
    }
    assert_eq!(
        got, eligible,
        "eligible: granted for marketing and not on the opt-out list, by id, resumable"
    );
    assert_eq!(
        store
            .count_eligible(&ContactFilter::default())
            .await
            .unwrap(),
        eligible.len() as u64
    );
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_field() {
    let (_dir, store) = fresh_store().await;
    for limit in [0, 501] {
        match store
            .contacts_page(&ContactFilter::default(), ContactSort::default(), 0, limit)
            .await
        {
            Err(Error::InvalidAudience { field: "limit", .. }) => {}
            other => panic!("a page of {limit} rows must be refused, got {other:?}"),
        }
    }
    let bad = ContactFilter {
        time_zones: vec![String::new()],
        ..Default::default()
    };
    assert!(
        matches!(
            store.count_contacts(&bad).await,
            Err(Error::InvalidAudience {
                field: "time_zones",
                ..
            })
        ),
        "an empty time zone is refused, not matched against nothing"
    );
    assert!(matches!(
        store.contact(42).await,
        Err(Error::ContactNotFound(42))
    ));
}

/// A contact inserted for the consent and forget tests.
fn one(phone: &str, consent: Vec<NewConsent>, tags: &[&str]) -> NewContact {
    NewContact {
        phone: phone.into(),
        first_name: Some("Анна".into()),
        last_name: Some("Иванова".into()),
        locale: Some("ru".into()),
        time_zone: "Europe/Moscow".into(),
        time_zone_inferred: false,
        country: Some("RU".into()),
        attributes: BTreeMap::from([("city".to_owned(), "Казань".to_owned())]),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        consent,
        suppression: None,
        created_at: T0,
        last_message_at: None,
    }
}

#[tokio::test]
async fn consent_follows_the_ledger_by_time_not_by_arrival() {
    let (_dir, store) = fresh_store().await;
    store
        .insert_contacts(&[one("+79123456789", vec![], &[])], None, NOW)
        .await
        .unwrap();
    let id = 1;
    assert_eq!(store.contact(id).await.unwrap().consent, ConsentState::None);

    let state = store
        .record_consent(id, &grant(T0 + 10, &["Marketing", "utility"]), NOW)
        .await
        .unwrap();
    assert_eq!(state, ConsentState::Granted);
    let row = store.contact(id).await.unwrap();
    assert_eq!(
        row.consent_categories,
        vec!["marketing", "utility"],
        "categories are stored lower-case"
    );

    let state = store
        .record_consent(id, &withdraw(T0 + 20), NOW)
        .await
        .unwrap();
    assert_eq!(state, ConsentState::Withdrawn);
    assert!(
        store
            .contact(id)
            .await
            .unwrap()
            .consent_categories
            .is_empty(),
        "a withdrawal leaves no granted categories"
    );

    // A paper form signed before the withdrawal, entered afterwards.
    let state = store
        .record_consent(id, &grant(T0 + 15, &["marketing"]), NOW)
        .await
        .unwrap();
    assert_eq!(
        state,
        ConsentState::Withdrawn,
        "an older grant is recorded but the newer withdrawal stays in force"
    );

    let history = store.consent_history(id).await.unwrap();
    let times: Vec<i64> = history.iter().map(|e| e.occurred_at).collect();
    assert_eq!(times, [T0 + 20, T0 + 15, T0 + 10], "newest first");
    assert_eq!(history[0].source, "stop-keyword");
    assert_eq!(
        history[1].evidence.as_deref(),
        Some("checkbox on the order form"),
        "the evidence is kept with its event"
    );
    assert_eq!(store.consent_drift().await.unwrap(), 0);

    for (consent, field) in [
        (grant(NOW + 3_600, &["marketing"]), "occurred_at"),
        (grant(T0, &[]), "categories"),
        (
            NewConsent {
                source: "  ".into(),
                ..grant(T0, &["marketing"])
            },
            "source",
        ),
    ] {
        match store.record_consent(id, &consent, NOW).await {
            Err(Error::InvalidAudience { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{consent:?} must be refused on {field}, got {other:?}"),
        }
    }
    assert!(matches!(
        store
            .record_consent(99, &grant(T0, &["marketing"]), NOW)
            .await,
        Err(Error::ContactNotFound(99))
    ));
}

#[tokio::test]
async fn the_consent_ledger_cannot_be_rewritten() {
    let (dir, store) = fresh_store().await;
    store
        .insert_contacts(
            &[one("+79123456789", vec![grant(T0, &["marketing"])], &[])],
            None,
            NOW,
        )
        .await
        .unwrap();
    let mut conn = raw(&dir).await;
    let error = sqlx::query("UPDATE consent_event SET kind = 'withdrawn'")
        .execute(&mut conn)
        .await
        .expect_err("the ledger is append-only");
    assert!(
        error.to_string().contains("append-only"),
        "the trigger says why: {error}"
    );
}

#[tokio::test]
async fn the_opt_out_list_takes_international_numbers() {
    let (_dir, store) = fresh_store().await;
    assert!(
        store
            .suppress("+79123456789", "asked by phone", "ui", NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .suppress("+79123456789", "again", "ui", NOW + 1)
            .await
            .unwrap(),
        "a second entry for the same number changes nothing"
    );
    let entry = store.suppression("+79123456789").await.unwrap().unwrap();
    assert_eq!(
        (entry.reason.as_str(), entry.added_at),
        ("asked by phone", NOW),
        "the first reason and date are the evidence and stay"
    );
    assert!(matches!(
        store.suppress("8 912 345-67-89", "x", "ui", NOW).await,
        Err(Error::InvalidAudience { field: "phone", .. })
    ));
    assert!(matches!(
        store.suppress("+79123456780", " ", "ui", NOW).await,
        Err(Error::InvalidAudience {
            field: "reason",
            ..
        })
    ));
    assert!(store.unsuppress("+79123456789").await.unwrap());
    assert!(!store.unsuppress("+79123456789").await.unwrap());
    assert!(store.suppression("+79123456789").await.unwrap().is_none());
}

async fn raw(dir: &tempfile::TempDir) -> SqliteConnection {
    SqliteConnection::connect(&format!(
        "sqlite:{}",
        dir.path().join("cadence.sqlite3").display()
    ))
    .await
    .unwrap()
}

/// Rows in each table that could hold something about a person.
async fn table_counts(conn: &mut SqliteConnection) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in [
        "contact",
        "contact_tag",
        "consent_event",
        "suppression",
        "import_row_error",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        out.push((table, n));
    }
    out
}

#[tokio::test]
async fn forgetting_leaves_only_what_the_opt_out_list_needs() {
    let (dir, store) = fresh_store().await;
    store
        .insert_contacts(
            &[
                one(
                    "+79123456789",
                    vec![grant(T0, &["marketing"]), withdraw(T0 + 60)],
                    &["vip", "newsletter"],
                ),
                one("+79001112233", vec![grant(T0, &["marketing"])], &["vip"]),
            ],
            None,
            NOW,
        )
        .await
        .unwrap();
    let mut conn = raw(&dir).await;
    // A rejected row of an earlier import quoting the first number in a
    // national format, and one about somebody else.
    sqlx::query(
        "INSERT INTO import_run (id, file_name, mode, status, options, started_at)
         VALUES (1, 'old.csv', 'subscribe', 'applied', '{}', 0);
         INSERT INTO import_row_error (import_id, line, code, reason, raw) VALUES
             (1, 2, 'invalid_time_zone', 'unknown zone', 'Анна;8 (912) 345-67-89;Mars/Olympus'),
             (1, 3, 'invalid_phone', 'too short', 'Пётр;12345;Europe/Moscow');",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    let outcome = store.forget_contact(1, NOW).await.unwrap();
    assert!(
        outcome.kept_on_opt_out_list,
        "they had withdrawn: the number must stay on the opt-out list"
    );
    assert_eq!(
        table_counts(&mut conn).await,
        [
            ("contact", 1),
            ("contact_tag", 1),
            ("consent_event", 1),
            ("suppression", 1),
            ("import_row_error", 1),
        ],
        "only the other contact's rows, the opt-out entry and the unrelated rejected row remain"
    );
    let entry = store.suppression("+79123456789").await.unwrap().unwrap();
    assert_eq!(entry.source, "forget");
    assert!(
        !entry.reason.contains("Анна") && !entry.reason.contains("Иванова"),
        "the opt-out entry holds no name: {}",
        entry.reason
    );
    assert!(matches!(
        store.contact_detail(1).await,
        Err(Error::ContactNotFound(1))
    ));

    let outcome = store.forget_contact(2, NOW).await.unwrap();
    assert!(
        !outcome.kept_on_opt_out_list,
        "a person who never opted out leaves nothing behind"
    );
    assert_eq!(
        table_counts(&mut conn).await,
        [
            ("contact", 0),
            ("contact_tag", 0),
            ("consent_event", 0),
            ("suppression", 1),
            ("import_row_error", 1),
        ]
    );
    assert!(matches!(
        store.forget_contact(2, NOW).await,
        Err(Error::ContactNotFound(2))
    ));
}

#[tokio::test]
async fn the_detail_holds_the_ledger_and_the_opt_out_entry() {
    let (_dir, store) = fresh_store().await;
    let mut contact = one(
        "+79123456789",
        vec![grant(T0, &["marketing"]), withdraw(T0 + 60)],
        &["vip"],
    );
    contact.suppression = Some(("replied STOP".into(), "webhook".into()));
    store.insert_contacts(&[contact], None, NOW).await.unwrap();
    let detail = store.contact_detail(1).await.unwrap();
    assert_eq!(detail.contact.consent, ConsentState::Withdrawn);
    assert_eq!(
        detail
            .consent_history
            .iter()
            .map(|e| e.kind)
            .collect::<Vec<_>>(),
        [ConsentKind::Withdrawn, ConsentKind::Granted],
        "newest first"
    );
    assert_eq!(
        detail.suppression.map(|s| s.reason),
        Some("replied STOP".to_owned())
    );
}

#[tokio::test]
async fn facets_list_the_values_in_use() {
    let (_dir, store) = fresh_store().await;
    let empty = store.audience_facets().await.unwrap();
    assert!(
        empty.tags.is_empty() && empty.time_zones.is_empty() && empty.example_contacts == 0,
        "an empty workspace offers nothing"
    );
    let mut berlin = one("+4915112345678", vec![], &["b2b"]);
    berlin.time_zone = "Europe/Berlin".into();
    berlin.country = Some("DE".into());
    berlin.attributes.insert("level".into(), "gold".into());
    let mut stateless = one("+9715012345678", vec![], &[]);
    stateless.country = None;
    store
        .insert_contacts(
            &[
                one("+79123456789", vec![], &["vip", "b2b"]),
                berlin,
                stateless,
            ],
            None,
            NOW,
        )
        .await
        .unwrap();
    let facets = store.audience_facets().await.unwrap();
    assert_eq!(facets.tags, ["b2b", "vip"], "each tag once, sorted");
    assert_eq!(facets.time_zones, ["Europe/Berlin", "Europe/Moscow"]);
    assert_eq!(
        facets.countries,
        ["DE", "RU"],
        "a missing country is no choice"
    );
    assert_eq!(facets.attribute_names, ["city", "level"]);
}

#[tokio::test]
async fn a_number_that_already_has_a_contact_is_skipped_in_bulk() {
    let (_dir, store) = fresh_store().await;
    store
        .insert_contacts(&[one("+79123456789", vec![], &["vip"])], None, NOW)
        .await
        .unwrap();
    let again = store
        .insert_contacts(
            &[
                one("+79123456789", vec![grant(T0, &["marketing"])], &["new"]),
                one("+79123456780", vec![], &[]),
            ],
            None,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!((again.inserted, again.skipped), (1, 1));
    let kept = store.contact(1).await.unwrap();
    assert_eq!(
        (kept.tags, kept.consent),
        (vec!["vip".to_owned()], ConsentState::None),
        "the existing contact is left exactly as it was"
    );
}
