//! What an imported row does to a contact that already exists: the merge rule
//! (update, or keep the existing contact as it is), the consent ledger's append,
//! and the opt-out list's withdrawals.
//!
//! The ledger is the truth: a contact's current consent is its latest event (by
//! when it happened, then by order of recording), so an old grant found in a file
//! never overrides a newer withdrawal.

use serde::{Deserialize, Serialize};

use super::consent::DEFAULT_CATEGORIES;
use super::row::{ConsentMark, ContactDraft};

/// What to do with a contact that is already in the workspace.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum MergeRule {
    /// The file's non-empty values replace the contact's (an empty cell never
    /// erases), attributes and tags are added, consent events appended.
    #[default]
    Update,
    /// The contact stays exactly as it is: fields, tags and consent.
    KeepExisting,
}

/// `contact.consent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    Granted,
    Withdrawn,
    None,
}

impl ConsentState {
    pub const ALL: [ConsentState; 3] = [
        ConsentState::Granted,
        ConsentState::Withdrawn,
        ConsentState::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentState::Granted => "granted",
            ConsentState::Withdrawn => "withdrawn",
            ConsentState::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<ConsentState> {
        Some(match text {
            "granted" => ConsentState::Granted,
            "withdrawn" => ConsentState::Withdrawn,
            "none" => ConsentState::None,
            _ => return None,
        })
    }
}

/// `consent_event.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    Granted,
    Withdrawn,
}

impl ConsentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Granted => "granted",
            ConsentKind::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<ConsentKind> {
        Some(match text {
            "granted" => ConsentKind::Granted,
            "withdrawn" => ConsentKind::Withdrawn,
            _ => return None,
        })
    }
}

impl std::fmt::Display for ConsentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for ConsentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded consent event, as far as merging needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEvent {
    pub kind: ConsentKind,
    pub occurred_at: i64,
    pub source: String,
    pub categories: String,
}

/// A contact already in the workspace, with its tags and consent ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingContact {
    pub id: i64,
    pub phone: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: String,
    pub time_zone_inferred: bool,
    pub country: Option<String>,
    /// The JSON object of `contact.attributes`.
    pub attributes: String,
    pub consent: ConsentState,
    pub consent_categories: Option<String>,
    pub tags: Vec<String>,
    /// In ledger order: by `occurred_at`, then as recorded.
    pub events: Vec<LedgerEvent>,
}

/// The contact's row after the merge, the tags to add and the event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChange {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: String,
    pub time_zone_inferred: bool,
    pub country: Option<String>,
    pub attributes: String,
    pub consent: ConsentState,
    pub consent_categories: Option<String>,
    /// Whether the `contact` row itself changes (else only tags or the ledger).
    pub row_changed: bool,
    pub new_tags: Vec<String>,
    pub new_event: Option<(ConsentKind, ConsentMark)>,
}

/// What a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Invalid,
    DuplicateInFile,
}

impl ExistingContact {
    fn change(&self) -> ContactChange {
        ContactChange {
            id: self.id,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            locale: self.locale.clone(),
            time_zone: self.time_zone.clone(),
            time_zone_inferred: self.time_zone_inferred,
            country: self.country.clone(),
            attributes: self.attributes.clone(),
            consent: self.consent,
            consent_categories: self.consent_categories.clone(),
            row_changed: false,
            new_tags: Vec::new(),
            new_event: None,
        }
    }

    /// The occurred_at of the latest event, if any.
    fn latest_at(&self) -> Option<i64> {
        self.events.iter().map(|e| e.occurred_at).max()
    }

    /// Appends `kind` to the ledger (unless the very same event is already
    /// there) and recomputes the current consent.
    fn append(&self, change: &mut ContactChange, kind: ConsentKind, mark: &ConsentMark) {
        let recorded = self.events.iter().any(|e| {
            e.kind == kind
                && e.occurred_at == mark.occurred_at
                && e.categories == mark.categories
                && e.source == mark.source
        });
        if recorded {
            return;
        }
        // Recorded after every existing event, so it wins a tie on occurred_at.
        if self
            .latest_at()
            .is_none_or(|latest| mark.occurred_at >= latest)
        {
            let (consent, categories) = match kind {
                ConsentKind::Granted => (ConsentState::Granted, Some(mark.categories.clone())),
                ConsentKind::Withdrawn => (ConsentState::Withdrawn, None),
            };
            if change.consent != consent || change.consent_categories != categories {
                change.consent = consent;
                change.consent_categories = categories;
                change.row_changed = true;
            }
        }
        change.new_event = Some((kind, mark.clone()));
    }
}

/// A subscribe-mode row for an existing contact. `grant_allowed` is false when
/// the number is on the opt-out list: the file's grant is then not recorded.
pub fn merge_subscribe(
    existing: &ExistingContact,
    draft: &ContactDraft,
    rule: MergeRule,
    grant_allowed: bool,
) -> Option<ContactChange> {
    if rule == MergeRule::KeepExisting {
        return None;
    }
    let mut change = existing.change();
    let set = |slot: &mut Option<String>, value: &Option<String>, changed: &mut bool| {
        if let Some(value) = value
            && slot.as_ref() != Some(value)
        {
            *slot = Some(value.clone());
            *changed = true;
        }
    };
    let mut changed = false;
    set(&mut change.first_name, &draft.first_name, &mut changed);
    set(&mut change.last_name, &draft.last_name, &mut changed);
    set(&mut change.locale, &draft.locale, &mut changed);
    set(&mut change.country, &draft.country, &mut changed);
    // A zone from the file beats any; an inferred one never replaces a zone
    // someone gave.
    let zone_differs = change.time_zone != draft.time_zone
        || change.time_zone_inferred != draft.time_zone_inferred;
    if (!draft.time_zone_inferred || existing.time_zone_inferred) && zone_differs {
        change.time_zone = draft.time_zone.clone();
        change.time_zone_inferred = draft.time_zone_inferred;
        changed = true;
    }
    if !draft.attributes.is_empty() {
        let mut map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&existing.attributes).unwrap_or_default();
        let mut attributes_changed = false;
        for (name, value) in &draft.attributes {
            if map.get(name.as_ref()).and_then(|v| v.as_str()) != Some(value.as_str()) {
                map.insert(name.to_string(), serde_json::Value::String(value.clone()));
                attributes_changed = true;
            }
        }
        if attributes_changed {
            change.attributes = serde_json::Value::Object(map).to_string();
            changed = true;
        }
    }
    change.row_changed = changed;
    change.new_tags = draft
        .tags
        .iter()
        .filter(|t| !existing.tags.contains(t))
        .cloned()
        .collect();
    if let (Some(mark), true) = (&draft.consent, grant_allowed) {
        existing.append(&mut change, ConsentKind::Granted, mark);
    }
    let touched = change.row_changed || !change.new_tags.is_empty() || change.new_event.is_some();
    touched.then_some(change)
}

/// An opt-out row for an existing contact: a withdrawal unless the contact's
/// consent is already withdrawn.
pub fn withdraw(existing: &ExistingContact, mark: &ConsentMark) -> Option<ContactChange> {
    if existing.consent == ConsentState::Withdrawn {
        return None;
    }
    let mut change = existing.change();
    let mark = ConsentMark {
        // What was withdrawn: the grant's categories, else marketing.
        categories: existing
            .consent_categories
            .clone()
            .unwrap_or_else(|| DEFAULT_CATEGORIES.to_owned()),
        ..mark.clone()
    };
    existing.append(&mut change, ConsentKind::Withdrawn, &mark);
    change.new_event.is_some().then_some(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn existing() -> ExistingContact {
        ExistingContact {
            id: 7,
            phone: "+79123456789".into(),
            first_name: Some("Иван".into()),
            last_name: None,
            locale: None,
            time_zone: "Asia/Novosibirsk".into(),
            time_zone_inferred: false,
            country: Some("RU".into()),
            attributes: r#"{"city":"Новосибирск"}"#.into(),
            consent: ConsentState::Granted,
            consent_categories: Some("marketing".into()),
            tags: vec!["vip".into()],
            events: vec![LedgerEvent {
                kind: ConsentKind::Granted,
                occurred_at: 1_700_000_000,
                source: "form".into(),
                categories: "marketing".into(),
            }],
        }
    }

    fn draft() -> ContactDraft {
        ContactDraft {
            line: 2,
            phone: "+79123456789".into(),
            phone_key: 79_123_456_789,
            first_name: Some("Иван".into()),
            last_name: None,
            locale: None,
            time_zone: "Europe/Moscow".into(),
            time_zone_inferred: true,
            country: Some("RU".into()),
            attributes: vec![],
            attributes_json: "{}".into(),
            tags: vec!["vip".into()],
            consent: Some(ConsentMark {
                occurred_at: 1_700_000_000,
                source: "form".into(),
                categories: "marketing".into(),
                evidence: None,
            }),
        }
    }

    #[test]
    fn the_same_row_again_changes_nothing() {
        assert_eq!(
            merge_subscribe(&existing(), &draft(), MergeRule::Update, true),
            None,
            "same fields, an inferred zone against a given one, the same grant: unchanged"
        );
    }

    #[test]
    fn keep_existing_never_touches_the_contact() {
        let mut row = draft();
        row.last_name = Some("Петров".into());
        assert_eq!(
            merge_subscribe(&existing(), &row, MergeRule::KeepExisting, true),
            None
        );
    }

    #[test]
    fn update_fills_and_adds_but_never_erases() {
        let mut row = draft();
        row.first_name = None;
        row.last_name = Some("Петров".into());
        row.attributes = vec![("plan".into(), "gold".into())];
        row.tags = vec!["опт".into()];
        let change = merge_subscribe(&existing(), &row, MergeRule::Update, true).expect("changed");
        assert_eq!(
            change.first_name.as_deref(),
            Some("Иван"),
            "an empty cell keeps the name"
        );
        assert_eq!(change.last_name.as_deref(), Some("Петров"));
        assert_eq!(change.attributes, r#"{"city":"Новосибирск","plan":"gold"}"#);
        assert_eq!(change.new_tags, ["опт"]);
        assert_eq!(
            change.time_zone, "Asia/Novosibirsk",
            "an inferred zone does not replace a given one"
        );
        assert!(change.row_changed);
        assert_eq!(
            change.new_event, None,
            "the same grant is not recorded twice"
        );
    }

    #[test]
    fn an_old_grant_does_not_override_a_newer_withdrawal() {
        let mut contact = existing();
        contact.consent = ConsentState::Withdrawn;
        contact.consent_categories = None;
        contact.events.push(LedgerEvent {
            kind: ConsentKind::Withdrawn,
            occurred_at: 1_710_000_000,
            source: "stop-keyword".into(),
            categories: "marketing".into(),
        });
        let mut row = draft();
        row.consent.as_mut().expect("a grant").occurred_at = 1_705_000_000;
        let change = merge_subscribe(&contact, &row, MergeRule::Update, true).expect("an event");
        assert!(change.new_event.is_some(), "the grant joins the ledger");
        assert_eq!(
            change.consent,
            ConsentState::Withdrawn,
            "but the later withdrawal stands"
        );
        row.consent.as_mut().expect("a grant").occurred_at = 1_720_000_000;
        let change = merge_subscribe(&contact, &row, MergeRule::Update, true).expect("an event");
        assert_eq!(change.consent, ConsentState::Granted, "a newer grant wins");
    }

    #[test]
    fn a_suppressed_number_gets_no_grant() {
        let mut row = draft();
        row.consent.as_mut().expect("a grant").occurred_at = 1_720_000_000;
        assert_eq!(
            merge_subscribe(&existing(), &row, MergeRule::Update, false),
            None
        );
    }

    #[test]
    fn opting_out_withdraws_once() {
        let mark = ConsentMark {
            occurred_at: 1_720_000_000,
            source: "import:stop.csv".into(),
            categories: "marketing".into(),
            evidence: None,
        };
        let change = withdraw(&existing(), &mark).expect("a withdrawal");
        assert_eq!(change.consent, ConsentState::Withdrawn);
        assert_eq!(change.consent_categories, None);
        let mut withdrawn = existing();
        withdrawn.consent = ConsentState::Withdrawn;
        assert_eq!(
            withdraw(&withdrawn, &mark),
            None,
            "already withdrawn: nothing to record"
        );
    }
}
