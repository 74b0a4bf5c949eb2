//! The template studio: drafts saved as the author types, linting with the
//! workspace's settings, submission to Meta (or the sandbox) behind the lint
//! gate, deletion there too, and the status and quality Meta reports back,
//! from webhooks and a periodic refresh ([`TemplateSync`]).
//!
//! Owns the rules of submitting (the lint gate, one template per name and
//! language on Meta, the media header example upload). Storage is
//! `cadence-store`'s `templates` module; the review itself is Meta's. Must not
//! depend on `tauri`: changes are published on a channel the app forwards.

mod dto;
mod examples;
mod media;
mod reports;
mod sync;

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use cadence_core::Language;
use cadence_core::lint::{self, Finding, LintContext, LintSettings, Severity, Speller};
use cadence_core::template::{Header, Template};
use cadence_store::Store;
use cadence_store::templates::{
    AppliedReport, ChangeSource, Deleted, NewSubmission, TemplateRow, TemplateStatus,
};
use cadence_whatsapp::wire::{TemplateCreateRequest, TemplateListQuery};
use cadence_whatsapp::{Client, WebhookEvent};
use tokio::sync::broadcast;

use crate::spelling::{
    DictionarySource, LanguageTool, SharedDictionaries, lint_with_language_tool,
};
use crate::{Error, Result};

pub use dto::{
    LintRule, QualityChange, StatusChange, StoredTemplate, SubmittedVersion, TemplateChange,
    TemplateFilter, TemplateId, TemplateSummary,
};
pub use examples::sandbox_examples;
pub use sync::{SyncSettings, TemplateSync};

/// How many change events wait for a slow listener before the oldest are
/// dropped (the window then refreshes its list anyway).
const CHANGE_BUFFER: usize = 256;
/// Template webhook events read per batch.
const WEBHOOK_BATCH: u32 = 200;
/// Templates per page when reading Meta's list (Meta's maximum is larger, but
/// smaller pages keep each answer quick).
const LIST_PAGE_SIZE: u32 = 100;

/// Wall time, injected (house rule 8) so that tests control every stored time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// `2026-11-25T10:00:00.123Z`: the shape of every time the studio stores (the
/// same as SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ')`, so all of them sort as text).
pub fn rfc3339_millis(unix_ms: i64) -> String {
    let seconds = cadence_core::time::rfc3339_from_unix(unix_ms.div_euclid(1000));
    let whole = seconds.strip_suffix('Z').unwrap_or(&seconds);
    format!("{whole}.{:03}Z", unix_ms.rem_euclid(1000))
}

/// How long a keystroke's lint waits for a LanguageTool server before it spells
/// with the dictionaries instead.
const LANGUAGE_TOOL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The process's spelling dictionaries, shared by every workspace opened. They
/// load (off the calling thread) when a studio first lints, so a CLI command
/// that never lints never pays for them.
pub fn shared_dictionaries() -> SharedDictionaries {
    static SHARED: std::sync::OnceLock<SharedDictionaries> = std::sync::OnceLock::new();
    SHARED
        .get_or_init(|| SharedDictionaries::new(DictionarySource::from_env()))
        .clone()
}

/// Where the studio's templates go: a Cloud API client (Meta's or the
/// sandbox's) and the account's ids.
#[derive(Debug, Clone)]
pub struct MetaLink {
    pub client: Client,
    pub waba_id: String,
    /// The Meta app's id, which media header examples are uploaded through.
    pub app_id: Option<String>,
}

/// The template studio of one open workspace. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct TemplateStudio {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    /// `None` for a live workspace whose connection is not saved yet.
    link: RwLock<Option<MetaLink>>,
    /// The Hunspell dictionaries; until they are loaded the spelling rule is
    /// skipped (a lint never waits for them).
    dictionaries: RwLock<Option<SharedDictionaries>>,
    /// Whether this studio asked for the dictionaries to load.
    dictionaries_asked: std::sync::atomic::AtomicBool,
    /// A LanguageTool-compatible server the user configured: asked instead of
    /// the dictionaries while it answers.
    language_tool: RwLock<Option<LanguageTool>>,
    /// Read on every keystroke's lint: kept in memory, replaced on every save.
    settings: RwLock<Option<LintSettings>>,
    /// `None` once the studio is closed: listeners then see the channel end.
    changes: Mutex<Option<broadcast::Sender<TemplateChange>>>,
    /// One conversation with Meta at a time (submit, delete, refresh): a refresh
    /// must not read Meta's list while a submission is half recorded, or it
    /// would take the new template for one deleted.
    meta_calls: tokio::sync::Mutex<()>,
    /// One reader of the webhook events at a time.
    webhook_reading: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for TemplateStudio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateStudio")
            .field("db", &self.inner.store.path())
            .finish_non_exhaustive()
    }
}

impl TemplateStudio {
    /// A studio over `store`, not linked to Meta yet (see [`TemplateStudio::set_link`]).
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> TemplateStudio {
        let (changes, _) = broadcast::channel(CHANGE_BUFFER);
        TemplateStudio {
            inner: Arc::new(Inner {
                store,
                clock,
                link: RwLock::new(None),
                dictionaries: RwLock::new(None),
                dictionaries_asked: std::sync::atomic::AtomicBool::new(false),
                language_tool: RwLock::new(None),
                settings: RwLock::new(None),
                changes: Mutex::new(Some(changes)),
                meta_calls: tokio::sync::Mutex::new(()),
                webhook_reading: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Points the studio at Meta (or the sandbox); `None` when the workspace
    /// has no usable connection.
    pub fn set_link(&self, link: Option<MetaLink>) {
        *self
            .inner
            .link
            .write()
            .unwrap_or_else(PoisonError::into_inner) = link;
    }

    /// Gives the spelling rule its dictionaries (used once they are loaded).
    pub fn set_dictionaries(&self, dictionaries: SharedDictionaries) {
        *self
            .inner
            .dictionaries
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(dictionaries);
    }

    /// Spells with a LanguageTool-compatible server instead of the dictionaries
    /// (`None`: back to the dictionaries).
    pub fn set_language_tool(&self, server: Option<LanguageTool>) {
        *self
            .inner
            .language_tool
            .write()
            .unwrap_or_else(PoisonError::into_inner) = server;
    }

    /// The spelling server to ask: one set with [`TemplateStudio::set_language_tool`],
    /// else the one in the workspace's settings (built once per address, not per
    /// keystroke).
    fn language_tool_for(&self, settings: &LintSettings) -> Option<LanguageTool> {
        let current = self
            .inner
            .language_tool
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let Some(url) = settings.language_tool_url.as_deref().map(str::trim) else {
            return current;
        };
        if url.is_empty() {
            return current;
        }
        if let Some(server) = current.filter(|server| server.base_url() == url) {
            return Some(server);
        }
        match LanguageTool::new(url, LANGUAGE_TOOL_TIMEOUT) {
            Ok(server) => {
                self.set_language_tool(Some(server.clone()));
                Some(server)
            }
            Err(error) => {
                tracing::warn!(%error, "the spelling server address in the lint settings is unusable");
                None
            }
        }
    }

    /// Every status or quality change from now on. The channel ends when the
    /// studio is closed.
    pub fn subscribe(&self) -> broadcast::Receiver<TemplateChange> {
        let changes = self
            .inner
            .changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match changes.as_ref() {
            Some(sender) => sender.subscribe(),
            // Closed: a receiver whose sender is already gone ends at once.
            None => broadcast::channel(1).1,
        }
    }

    /// Ends the change channel (the workspace is closing).
    pub fn close(&self) {
        self.inner
            .changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    fn now(&self) -> String {
        rfc3339_millis(self.inner.clock.now_ms())
    }

    fn link(&self) -> Result<MetaLink> {
        self.inner
            .link
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(Error::NotConnected)
    }

    fn has_link(&self) -> bool {
        self.inner
            .link
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// The templates `filter` lets through, most recently edited first.
    pub async fn list(&self, filter: &TemplateFilter) -> Result<Vec<TemplateSummary>> {
        let rows = self.store().templates(&filter.into()).await?;
        Ok(rows.iter().map(TemplateSummary::from).collect())
    }

    /// One template with its versions and histories.
    pub async fn get(&self, id: TemplateId) -> Result<StoredTemplate> {
        let row = self.store().template(id.0).await?;
        self.stored(&row).await
    }

    async fn stored(&self, row: &TemplateRow) -> Result<StoredTemplate> {
        let store = self.store();
        Ok(StoredTemplate::new(
            row,
            store.template_versions(row.id).await?,
            store.template_status_history(row.id).await?,
            store.template_quality_history(row.id).await?,
        ))
    }

    /// Stores a new draft. A name already used in the same language by another
    /// template is refused, since Meta keeps one template per name and language.
    pub async fn create(&self, template: Template) -> Result<StoredTemplate> {
        let name = template.name.trim();
        if !name.is_empty() {
            let taken = self
                .store()
                .templates(&cadence_store::templates::TemplateFilter {
                    language: Some(template.language.clone()),
                    ..Default::default()
                })
                .await?
                .iter()
                .any(|row| row.draft.name == template.name);
            if taken {
                return Err(Error::TemplateNameTaken {
                    name: template.name.clone(),
                    language: template.language.clone(),
                });
            }
        }
        let row = self
            .store()
            .create_template(&template, &self.now(), false)
            .await?;
        tracing::info!(template = row.id, "created a template draft");
        self.stored(&row).await
    }

    /// Saves the draft as the author types: one write, any shape accepted (the
    /// linter judges it; a draft is never refused for what it says).
    pub async fn save_draft(&self, id: TemplateId, template: Template) -> Result<TemplateSummary> {
        let row = self
            .store()
            .save_template_draft(id.0, &template, &self.now())
            .await?;
        Ok(TemplateSummary::from(&row))
    }

    /// A new draft with the same content, named `<name>_copy`, `<name>_copy_2`, …
    /// whichever is free.
    pub async fn duplicate(&self, id: TemplateId) -> Result<StoredTemplate> {
        let source = self.store().template(id.0).await?;
        let names = self.store().template_names().await?;
        let mut copy = source.draft.clone();
        copy.name = copy_name(&source.draft.name, &names);
        let row = self
            .store()
            .create_template(&copy, &self.now(), false)
            .await?;
        tracing::info!(template = row.id, from = id.0, "duplicated a template");
        self.stored(&row).await
    }

    /// Archives (hides) or brings back a template. Meta is not told: an
    /// archived template stays usable there.
    pub async fn set_archived(&self, id: TemplateId, archived: bool) -> Result<TemplateSummary> {
        let at = archived.then(|| self.now());
        let row = self
            .store()
            .set_template_archived(id.0, at.as_deref())
            .await?;
        Ok(TemplateSummary::from(&row))
    }

    /// Deletes a template: on Meta first when it was submitted (every version
    /// still there), then here. A submitted template's history is kept.
    pub async fn delete(&self, id: TemplateId) -> Result<()> {
        let _meta = self.inner.meta_calls.lock().await;
        let row = self.store().template(id.0).await?;
        if row.meta_template_id.is_some() && row.status != TemplateStatus::Deleted {
            let link = self.link()?;
            let versions = self.store().template_versions(id.0).await?;
            let mut done: Vec<&str> = Vec::new();
            for version in versions.iter().rev() {
                if done.contains(&version.meta_template_id.as_str()) {
                    continue;
                }
                delete_on_meta(&link, &version.content.name, &version.meta_template_id).await?;
                done.push(&version.meta_template_id);
            }
        }
        let at = self.now();
        match self.store().delete_template(id.0, &at).await? {
            Deleted::Removed => tracing::info!(template = id.0, "deleted a draft"),
            Deleted::MarkedDeleted { from } => {
                tracing::info!(template = id.0, "deleted a template, on Meta too");
                self.publish(TemplateChange {
                    id,
                    name: row.draft.name.clone(),
                    language: row.draft.language.clone(),
                    status: TemplateStatus::Deleted,
                    previous_status: Some(from),
                    quality: row.quality,
                    previous_quality: None,
                    rejection_reason: None,
                    rejection_detail: None,
                    at,
                    source: ChangeSource::Deletion,
                });
            }
        }
        Ok(())
    }

    /// Lints `template` with the workspace's settings, the loaded dictionaries,
    /// messages in `language` (the interface's).
    pub async fn lint(&self, template: &Template, language: Language) -> Result<Vec<Finding>> {
        let settings = self.lint_settings().await?;
        Ok(self.lint_with(template, &settings, language).await)
    }

    async fn lint_with(
        &self,
        template: &Template,
        settings: &LintSettings,
        language: Language,
    ) -> Vec<Finding> {
        let server = self.language_tool_for(settings);
        if let Some(server) = server.filter(|_| settings.spelling) {
            match lint_with_language_tool(template, settings, language, &server).await {
                Ok(findings) => return findings,
                Err(error) => tracing::warn!(
                    %error,
                    "the spelling server did not answer; spelling with the dictionaries instead"
                ),
            }
        }
        let shared = self
            .inner
            .dictionaries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let dictionaries = shared.as_ref().and_then(|shared| {
            let ready = shared.ready();
            // The first lint starts the load and goes on without spelling: a
            // keystroke never waits for the dictionaries.
            if ready.is_none()
                && !self
                    .inner
                    .dictionaries_asked
                    .swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                shared.preload();
            }
            ready
        });
        let context = LintContext {
            settings,
            language,
            speller: dictionaries.as_deref().map(|d| d as &dyn Speller),
        };
        lint::lint(template, &context)
    }

    /// The workspace's lint settings with its team dictionary.
    pub async fn lint_settings(&self) -> Result<LintSettings> {
        if let Some(cached) = self
            .inner
            .settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            return Ok(cached);
        }
        let settings = self.store().lint_settings().await?;
        self.cache_settings(&settings);
        Ok(settings)
    }

    fn cache_settings(&self, settings: &LintSettings) {
        *self
            .inner
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(settings.clone());
    }

    /// Saves the lint settings (the team dictionary becomes the one given).
    pub async fn save_lint_settings(&self, settings: &LintSettings) -> Result<LintSettings> {
        let saved = self
            .store()
            .save_lint_settings(settings, &self.now())
            .await?;
        self.cache_settings(&saved);
        Ok(saved)
    }

    /// Adds a word to the team dictionary: the spelling rule stops flagging it.
    pub async fn add_to_team_dictionary(&self, word: &str) -> Result<LintSettings> {
        if word.trim().is_empty() || word.trim().chars().any(char::is_whitespace) {
            return Err(Error::InvalidField {
                field: "team dictionary word",
                reason: format!("{word:?} is not one word"),
            });
        }
        let saved = self
            .store()
            .add_team_dictionary_word(word, &self.now())
            .await?;
        self.cache_settings(&saved);
        Ok(saved)
    }

    /// Submits the template's draft to Meta (or the sandbox) for review.
    ///
    /// Refused while the linter finds an `error` ([`Error::TemplateHasErrors`],
    /// messages in `language`), while an earlier version is in review, and when
    /// Meta already holds another template of this name and language. A media
    /// header's example is uploaded first when it has no handle yet. A rejected
    /// version of the same name is deleted on Meta and submitted anew (Meta
    /// refuses a second template with the same name and language).
    pub async fn submit(&self, id: TemplateId, language: Language) -> Result<StoredTemplate> {
        let _meta = self.inner.meta_calls.lock().await;
        let row = self.store().template(id.0).await?;
        match row.status {
            TemplateStatus::Pending => {
                return Err(Error::TemplateInReview {
                    name: row.draft.name.clone(),
                });
            }
            TemplateStatus::Draft | TemplateStatus::Rejected | TemplateStatus::Deleted => {}
            TemplateStatus::LimitExceeded => {}
            status if !row.unsubmitted_changes => {
                return Err(Error::TemplateUnchanged { status });
            }
            _ => {}
        }
        let link = self.link()?;
        let settings = self.lint_settings().await?;
        let errors: Vec<Finding> = self
            .lint_with(&row.draft, &settings, language)
            .await
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(Error::TemplateHasErrors { findings: errors });
        }

        let mut template = row.draft.clone();
        let retire = self.check_name_on_meta(&row, &template).await?;
        if let Some(uploaded) = self.upload_header_example(&link, &template).await? {
            template.header = Some(uploaded);
            // Kept at once: the upload is not repeated if the create fails.
            self.store()
                .save_template_draft(id.0, &template, &self.now())
                .await?;
        }
        if let Some((name, meta_id)) = retire {
            delete_on_meta(&link, &name, &meta_id).await?;
            tracing::info!(
                template = id.0,
                meta_id,
                "deleted the rejected version on Meta to submit anew"
            );
        }
        let request = TemplateCreateRequest::from(&template);
        let created = link
            .client
            .create_template(&link.waba_id, &request)
            .await
            .map_err(Error::Meta)?;
        let status = reports::status_of_wire(&created.status).unwrap_or(TemplateStatus::Pending);
        let at = self.now();
        // Serializing our own wire type cannot fail: plain data only.
        let request_json =
            serde_json::to_string(&request).expect("a create request serializes to JSON");
        self.store()
            .record_submission(
                id.0,
                &NewSubmission {
                    content: &template,
                    request: &request_json,
                    meta_template_id: &created.id,
                    status,
                    meta_category: reports::category_of_wire(&created.category),
                    at: &at,
                },
            )
            .await?;
        tracing::info!(template = id.0, meta_id = %created.id, %status, "submitted a template");
        let stored = self.get(id).await?;
        self.publish(TemplateChange {
            id,
            name: template.name.clone(),
            language: template.language.clone(),
            status: stored.summary.status,
            previous_status: Some(row.status),
            quality: stored.summary.quality,
            previous_quality: row.quality,
            rejection_reason: None,
            rejection_detail: None,
            at,
            source: ChangeSource::Submission,
        });
        Ok(stored)
    }

    /// Meta keeps one template per name and language. Another template of this
    /// workspace holding them refuses the submission; this template's own
    /// earlier version does too, unless it was rejected (or never accepted):
    /// that one is deleted on Meta and the name reused. Returns the version to
    /// delete first, as (name, Meta id).
    async fn check_name_on_meta(
        &self,
        row: &TemplateRow,
        template: &Template,
    ) -> Result<Option<(String, String)>> {
        let on_meta = self.store().submitted_templates().await?;
        let same = |t: &&cadence_store::templates::SubmittedTemplate| {
            t.name == template.name
                && t.language == template.language
                && t.status != TemplateStatus::Deleted
        };
        if on_meta.iter().filter(same).any(|t| t.id != row.id) {
            return Err(Error::TemplateNameTaken {
                name: template.name.clone(),
                language: template.language.clone(),
            });
        }
        let Some(mine) = on_meta.iter().filter(same).find(|t| t.id == row.id) else {
            return Ok(None);
        };
        match mine.status {
            TemplateStatus::Rejected | TemplateStatus::LimitExceeded => {
                Ok(Some((mine.name.clone(), mine.meta_template_id.clone())))
            }
            status => Err(Error::TemplateNeedsNewName {
                name: template.name.clone(),
                language: template.language.clone(),
                status,
            }),
        }
    }

    /// Uploads a media header's example file when the header has no handle yet;
    /// returns the header with its new handle.
    async fn upload_header_example(
        &self,
        link: &MetaLink,
        template: &Template,
    ) -> Result<Option<Header>> {
        let Some(Header::Media {
            media,
            example_file,
            example_handle: None,
        }) = &template.header
        else {
            return Ok(None);
        };
        let Some(file) = example_file.as_deref().filter(|f| !f.trim().is_empty()) else {
            return Err(Error::InvalidField {
                field: "header example",
                reason: "a media header needs an example file: choose one before submitting".into(),
            });
        };
        let app_id = link.app_id.clone().ok_or(Error::MissingAppId)?;
        let path = Path::new(file);
        let mime = media::example_mime_type(*media, path)?;
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|source| Error::ReadFile {
                path: path.to_owned(),
                source,
            })?;
        let handle = link
            .client
            .upload_header_example(&app_id, bytes, mime, &media::file_name(path))
            .await
            .map_err(Error::Meta)?;
        tracing::info!(mime, "uploaded a header example");
        Ok(Some(Header::Media {
            media: *media,
            example_file: example_file.clone(),
            example_handle: Some(handle.into_string()),
        }))
    }

    /// Reads every submitted template's status and quality from Meta and
    /// records what changed; then lists the templates.
    pub async fn refresh(&self) -> Result<Vec<TemplateSummary>> {
        let link = self.link()?;
        self.refresh_with(&link).await?;
        self.list(&TemplateFilter::default()).await
    }

    /// The periodic refresh: nothing at all when there is no link or nothing on
    /// Meta to ask about (no call is made for an empty workspace).
    pub(crate) async fn refresh_if_useful(&self) -> Result<usize> {
        if !self.has_link() || self.store().submitted_templates().await?.is_empty() {
            return Ok(0);
        }
        let link = self.link()?;
        self.refresh_with(&link).await
    }

    async fn refresh_with(&self, link: &MetaLink) -> Result<usize> {
        let _meta = self.inner.meta_calls.lock().await;
        let submitted = self.store().submitted_templates().await?;
        let mut changes = 0;
        if !submitted.is_empty() {
            let listed = link
                .client
                .list_all_templates(&link.waba_id, Some(LIST_PAGE_SIZE))
                .await
                .map_err(Error::Meta)?;
            let at = self.now();
            for template in &submitted {
                let report = match listed.iter().find(|t| t.id == template.meta_template_id) {
                    Some(info) => reports::from_listing(info, &at),
                    None => reports::gone(&template.meta_template_id, &at),
                };
                if let Some(applied) = self.store().apply_template_report(&report).await? {
                    changes += usize::from(self.announce(&applied, &report).await?);
                }
            }
        }
        self.store().mark_templates_refreshed(&self.now()).await?;
        tracing::debug!(
            templates = submitted.len(),
            changes,
            "refreshed the templates from Meta"
        );
        Ok(changes)
    }

    /// Applies the template webhook events received since the last look (the
    /// receiver wakes [`TemplateSync`] for this). Returns how many changed a
    /// template.
    pub async fn apply_webhook_events(&self) -> Result<usize> {
        let _reading = self.inner.webhook_reading.lock().await;
        let mut changes = 0;
        loop {
            let events = self
                .store()
                .unapplied_template_webhook_events(WEBHOOK_BATCH)
                .await?;
            if events.is_empty() {
                return Ok(changes);
            }
            for event in events {
                let report = serde_json::from_str::<WebhookEvent>(&event.payload)
                    .ok()
                    .and_then(|parsed| {
                        reports::from_webhook(&parsed, event.id, &event.received_at)
                    });
                let Some(report) = report else {
                    self.store().skip_template_webhook_event(event.id).await?;
                    continue;
                };
                match self.store().apply_template_report(&report).await? {
                    Some(applied) => {
                        changes += usize::from(self.announce(&applied, &report).await?);
                    }
                    None => tracing::debug!(
                        meta_id = ?report.meta_template_id,
                        "a template webhook about a template this workspace does not have"
                    ),
                }
            }
        }
    }

    /// Publishes what a report changed; false when it changed nothing.
    async fn announce(
        &self,
        applied: &AppliedReport,
        report: &cadence_store::templates::TemplateReport,
    ) -> Result<bool> {
        if let Some(refused) = applied.refused_status {
            tracing::info!(
                template = applied.template_id,
                reported = %refused,
                "ignored a template status that would move it backwards (a late or repeated webhook)"
            );
        }
        if applied.status.is_none() && applied.quality.is_none() {
            return Ok(false);
        }
        let row = match self.store().template(applied.template_id).await {
            Ok(row) => row,
            // Deleted by the user: nobody is looking at it any more.
            Err(cadence_store::Error::TemplateNotFound(_)) => return Ok(true),
            Err(other) => return Err(other.into()),
        };
        self.publish(TemplateChange {
            id: TemplateId(row.id),
            name: row.draft.name.clone(),
            language: row.draft.language.clone(),
            status: row.status,
            previous_status: applied.status.map(|(from, _)| from),
            quality: row.quality,
            previous_quality: applied.quality.and_then(|(from, _)| from),
            rejection_reason: row.rejected_reason.clone(),
            rejection_detail: row.rejection_detail.clone(),
            at: report.at.clone(),
            source: report.source,
        });
        Ok(true)
    }

    fn publish(&self, change: TemplateChange) {
        let changes = self
            .inner
            .changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = changes.as_ref() {
            // No listener is not an error: the change is in the store anyway.
            let _ = sender.send(change);
        }
    }

    /// Adds the example templates to a sandbox workspace the first time it is
    /// opened (never again, even after the user deleted them).
    pub async fn seed_sandbox_examples(&self) -> Result<bool> {
        let seeded = self
            .store()
            .seed_example_templates(&sandbox_examples(), &self.now())
            .await?;
        if seeded {
            tracing::info!("added the example templates to the sandbox workspace");
        }
        Ok(seeded)
    }
}

/// The linter's rules, each described in `language`.
pub fn lint_rules(language: Language) -> Vec<LintRule> {
    lint::rules()
        .iter()
        .map(|rule| LintRule {
            rule: rule.id.to_owned(),
            severity: rule.severity,
            summary: rule.summary(language).to_owned(),
            meta_rejects: rule.meta_rejects,
        })
        .collect()
}

/// Deletes one Meta template by name and id. A template Meta no longer has
/// counts as deleted: Meta's refusal is checked against its list.
async fn delete_on_meta(link: &MetaLink, name: &str, meta_id: &str) -> Result<()> {
    match link
        .client
        .delete_template(&link.waba_id, name, Some(meta_id))
        .await
    {
        Ok(_) => Ok(()),
        Err(error) if error.meta().is_some() => {
            let query = TemplateListQuery {
                name: Some(name.to_owned()),
                ..TemplateListQuery::default()
            };
            let listed = link
                .client
                .list_templates(&link.waba_id, &query)
                .await
                .map_err(Error::Meta)?;
            if listed.data.iter().any(|t| t.id == meta_id) {
                Err(Error::Meta(error))
            } else {
                tracing::info!(meta_id, "the template was already gone from Meta");
                Ok(())
            }
        }
        Err(error) => Err(Error::Meta(error)),
    }
}

/// `<name>_copy`, then `<name>_copy_2`, `<name>_copy_3`, … : the first not in `taken`.
fn copy_name(name: &str, taken: &[String]) -> String {
    let first = format!("{name}_copy");
    if !taken.contains(&first) {
        return first;
    }
    (2..)
        .map(|n| format!("{name}_copy_{n}"))
        .find(|candidate| !taken.contains(candidate))
        .expect("an unbounded range has a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_take_the_first_free_name() {
        let taken = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let cases = [
            (taken(&["offer"]), "offer_copy"),
            (taken(&["offer", "offer_copy"]), "offer_copy_2"),
            (
                taken(&["offer", "offer_copy", "offer_copy_2", "offer_copy_4"]),
                "offer_copy_3",
            ),
        ];
        for (names, expected) in cases {
            assert_eq!(copy_name("offer", &names), expected, "taken: {names:?}");
        }
    }

    #[test]
    fn stored_times_have_milliseconds_and_sort_as_text() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(1_764_064_800_123),
            "2025-11-25T10:00:00.123Z"
        );
        assert_eq!(rfc3339_millis(-1), "1969-12-31T23:59:59.999Z");
        assert!(
            rfc3339_millis(1_000) < rfc3339_millis(1_001),
            "a millisecond later sorts later"
        );
    }
}
