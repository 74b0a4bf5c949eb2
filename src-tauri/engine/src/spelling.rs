//! Spelling with I/O: the Hunspell dictionaries loaded once and off the calling
//! thread, and the LanguageTool-compatible speller that asks a server.
//!
//! The linter in `cadence-core` is synchronous and pure: it calls
//! [`Speller::check`] and cannot wait for a network. So a LanguageTool lint runs in
//! two steps: [`LanguageTool::answers_for`] first asks the server, asynchronously,
//! about exactly the texts the spelling rule will check
//! ([`cadence_core::spelling::texts_to_check`]) and returns [`Answers`], a speller
//! that holds the server's replies; the lint then runs with it as its speller and
//! finds every reply ready. [`lint_with_language_tool`] does both.
//!
//! Dictionaries: Debian's `ru_RU` and `en_US` Hunspell files (under
//! `assets/dictionaries/`) are compiled into the binary, about 4.4 MB of text, so
//! the app and the CLI spell-check wherever they run, with no install step and no
//! path to get wrong. A folder of other `.aff`/`.dic` pairs can replace them
//! ([`DictionarySource::Folder`], or the [`DICTIONARIES_ENV`] variable).
//!
//! Must not depend on `tauri`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cadence_core::lint::{self, Finding, LintContext, LintSettings, Misspelling, Span, Speller};
use cadence_core::spelling::{Dictionaries, texts_to_check};
use cadence_core::template::Template;
use cadence_core::{Error as CoreError, Language};
use reqwest::Url;
use serde::Deserialize;

use crate::ErrorCode;

/// An environment variable naming a folder of Hunspell dictionaries to use instead
/// of the bundled ones (each language as `xx_YY.aff` + `xx_YY.dic`).
pub const DICTIONARIES_ENV: &str = "CADENCE_DICTIONARIES";

/// How long one LanguageTool check may take, connection included, by default.
pub const LANGUAGE_TOOL_TIMEOUT: Duration = Duration::from_secs(10);

/// Suggestions kept from one LanguageTool match.
const LANGUAGE_TOOL_SUGGESTIONS: usize = 5;

macro_rules! bundled {
    ($file:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/dictionaries/",
            $file
        ))
    };
}

/// The dictionaries compiled into the binary: (language, `.aff`, `.dic`).
const BUNDLED: [(&str, &str, &str); 2] = [
    ("ru", bundled!("ru_RU.aff"), bundled!("ru_RU.dic")),
    ("en", bundled!("en_US.aff"), bundled!("en_US.dic")),
];

/// Why spelling could not be set up or a spelling server could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SpellingError {
    #[error("cannot read the spelling dictionaries at {path}: {source}")]
    ReadDictionary {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no dictionary in {0}: put a language's two Hunspell files there, such as ru_RU.aff and ru_RU.dic"
    )]
    NoDictionaryIn(PathBuf),
    #[error(transparent)]
    Dictionary(#[from] CoreError),
    #[error("loading the dictionaries stopped unexpectedly: {0}")]
    LoadInterrupted(String),
    #[error(
        "invalid LanguageTool server address {0:?}: give an http(s) URL such as http://localhost:8081"
    )]
    InvalidServerUrl(String),
    #[error("the LanguageTool server at {url} did not answer within {} s", .timeout.as_secs_f32())]
    Timeout { url: String, timeout: Duration },
    #[error("cannot reach the LanguageTool server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the LanguageTool server at {url} answered HTTP {status}: {excerpt}")]
    Status {
        url: String,
        status: u16,
        excerpt: String,
    },
    #[error(
        "the LanguageTool server at {url} sent an answer that is not LanguageTool's JSON: {reason}"
    )]
    BadAnswer { url: String, reason: String },
}

impl SpellingError {
    /// The code the UI sees for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            SpellingError::ReadDictionary { .. } => ErrorCode::Io,
            SpellingError::NoDictionaryIn(_) | SpellingError::InvalidServerUrl(_) => {
                ErrorCode::InvalidInput
            }
            // The bundled dictionaries always parse, so a broken one is a user's.
            SpellingError::Dictionary(_) => ErrorCode::InvalidInput,
            SpellingError::LoadInterrupted(_) => ErrorCode::Internal,
            SpellingError::Timeout { .. }
            | SpellingError::Unreachable { .. }
            | SpellingError::Status { .. }
            | SpellingError::BadAnswer { .. } => ErrorCode::Network,
        }
    }
}

/// Where the Hunspell dictionaries come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DictionarySource {
    /// Debian's `ru_RU` and `en_US`, compiled into the binary.
    Bundled,
    /// Every `xx_YY.aff` + `xx_YY.dic` pair in a folder (language `xx`).
    Folder(PathBuf),
}

impl DictionarySource {
    /// The folder in [`DICTIONARIES_ENV`] when it is set and not empty, else the
    /// bundled dictionaries.
    pub fn from_env() -> DictionarySource {
        match std::env::var_os(DICTIONARIES_ENV) {
            Some(folder) if !folder.is_empty() => DictionarySource::Folder(folder.into()),
            _ => DictionarySource::Bundled,
        }
    }
}

/// Builds the dictionaries on this thread: about 0.1 s for Russian in a release
/// build, seconds in a debug one. Prefer [`load`] from async code.
pub fn load_blocking(source: &DictionarySource) -> Result<Dictionaries, SpellingError> {
    let mut dictionaries = Dictionaries::new();
    match source {
        DictionarySource::Bundled => {
            for (language, aff, dic) in BUNDLED {
                dictionaries.add(language, aff, dic)?;
            }
        }
        DictionarySource::Folder(folder) => {
            let pairs = dictionary_pairs(folder)?;
            if pairs.is_empty() {
                return Err(SpellingError::NoDictionaryIn(folder.clone()));
            }
            for (language, aff, dic) in pairs {
                dictionaries.add(&language, &read(&aff)?, &read(&dic)?)?;
            }
        }
    }
    Ok(dictionaries)
}

/// Builds the dictionaries on a blocking thread, leaving the caller's (the UI's
/// event loop, the runtime's workers) free.
pub async fn load(source: DictionarySource) -> Result<Dictionaries, SpellingError> {
    tokio::task::spawn_blocking(move || load_blocking(&source))
        .await
        .map_err(|e| SpellingError::LoadInterrupted(e.to_string()))?
}

fn read(path: &Path) -> Result<String, SpellingError> {
    std::fs::read_to_string(path).map_err(|source| SpellingError::ReadDictionary {
        path: path.to_owned(),
        source,
    })
}

/// `(language, aff, dic)` for each `.aff` in `folder` with a `.dic` beside it,
/// sorted by file name.
fn dictionary_pairs(folder: &Path) -> Result<Vec<(String, PathBuf, PathBuf)>, SpellingError> {
    let entries = std::fs::read_dir(folder).map_err(|source| SpellingError::ReadDictionary {
        path: folder.to_owned(),
        source,
    })?;
    let mut pairs = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| SpellingError::ReadDictionary {
                path: folder.to_owned(),
                source,
            })?
            .path();
        if path.extension().is_some_and(|e| e == "aff") {
            let dic = path.with_extension("dic");
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            if dic.is_file() && !stem.is_empty() {
                pairs.push((stem.to_owned(), path.clone(), dic));
            }
        }
    }
    pairs.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(pairs)
}

/// The dictionaries, loaded once for the whole process and shared: the first
/// caller of [`SharedDictionaries::get`] (or [`SharedDictionaries::preload`])
/// starts the load, everyone else waits for that same load.
#[derive(Clone)]
pub struct SharedDictionaries {
    inner: Arc<SharedInner>,
}

struct SharedInner {
    source: DictionarySource,
    loaded: tokio::sync::OnceCell<Arc<Dictionaries>>,
}

impl SharedDictionaries {
    pub fn new(source: DictionarySource) -> SharedDictionaries {
        SharedDictionaries {
            inner: Arc::new(SharedInner {
                source,
                loaded: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// Starts loading in the background and returns at once (call it at start-up,
    /// inside a Tokio runtime). A failure is logged; the next [`get`] retries.
    ///
    /// [`get`]: SharedDictionaries::get
    pub fn preload(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(error) = this.get().await {
                tracing::warn!(%error, "spelling dictionaries did not load");
            }
        });
    }

    /// The dictionaries, loading them first if no one has.
    pub async fn get(&self) -> Result<Arc<Dictionaries>, SpellingError> {
        self.inner
            .loaded
            .get_or_try_init(|| async {
                let started = std::time::Instant::now();
                let dictionaries = load(self.inner.source.clone()).await?;
                tracing::info!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "spelling dictionaries loaded"
                );
                Ok(Arc::new(dictionaries))
            })
            .await
            .cloned()
    }

    /// The dictionaries when they are loaded, without waiting: a lint on a
    /// keystroke uses them when ready and skips spelling until then.
    pub fn ready(&self) -> Option<Arc<Dictionaries>> {
        self.inner.loaded.get().cloned()
    }
}

/// A speller holding a LanguageTool server's answers for known texts: what
/// [`LanguageTool::answers_for`] returns and the synchronous linter reads. A text
/// it was not asked about has no misspelling.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    by_text: HashMap<(String, String), Vec<Misspelling>>,
}

impl Answers {
    pub fn insert(&mut self, language: &str, text: &str, misspellings: Vec<Misspelling>) {
        self.by_text
            .insert((language.to_owned(), text.to_owned()), misspellings);
    }

    /// How many texts it holds answers for.
    pub fn len(&self) -> usize {
        self.by_text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_text.is_empty()
    }
}

impl Speller for Answers {
    fn check(&self, language: &str, text: &str) -> Vec<Misspelling> {
        self.by_text
            .get(&(language.to_owned(), text.to_owned()))
            .cloned()
            .unwrap_or_default()
    }
}

/// A LanguageTool-compatible server (LanguageTool itself, self-hosted or not, or
/// anything speaking its `/v2/check`). Cheap to clone.
#[derive(Clone)]
pub struct LanguageTool {
    http: reqwest::Client,
    check_url: Url,
    /// The server as error messages show it: no user name or password.
    shown: String,
    /// The address as configured, to tell whether the settings changed it
    /// (never shown: it may hold a password).
    configured: String,
    timeout: Duration,
}

impl std::fmt::Debug for LanguageTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LanguageTool")
            .field("server", &self.shown)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `POST /v2/check` answer, reduced to what Cadence reads.
#[derive(Debug, Deserialize)]
struct CheckAnswer {
    matches: Vec<Match>,
}

#[derive(Debug, Deserialize)]
struct Match {
    /// UTF-16 code units from the start of the text (LanguageTool is Java).
    offset: usize,
    /// UTF-16 code units.
    length: usize,
    #[serde(default)]
    replacements: Vec<Replacement>,
    rule: Rule,
}

#[derive(Debug, Deserialize)]
struct Replacement {
    value: String,
}

#[derive(Debug, Deserialize)]
struct Rule {
    #[serde(rename = "issueType", default)]
    issue_type: String,
}

impl LanguageTool {
    /// A speller for the server at `base_url` (`http://localhost:8081`, or with a
    /// path prefix such as `https://example.org/languagetool`); each check may take
    /// `timeout` at most.
    pub fn new(base_url: &str, timeout: Duration) -> Result<LanguageTool, SpellingError> {
        let invalid = || SpellingError::InvalidServerUrl(base_url.to_owned());
        let mut base = Url::parse(base_url.trim()).map_err(|_| invalid())?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(invalid());
        }
        // A base without a trailing slash would lose its last segment in `join`.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let check_url = base.join("v2/check").map_err(|_| invalid())?;
        let mut shown = base.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("cadence/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SpellingError::Unreachable {
                url: shown.to_string(),
                reason: e.to_string(),
            })?;
        Ok(LanguageTool {
            http,
            check_url,
            shown: shown.to_string(),
            configured: base_url.trim().to_owned(),
            timeout,
        })
    }

    /// The address this speller was built from, as configured.
    pub fn base_url(&self) -> &str {
        &self.configured
    }

    /// The misspellings the server finds in `text`, a template in Meta's
    /// `language` (`ru`, `en_US`). Grammar and style matches are left out: the
    /// spelling rule reports spelling.
    pub async fn check(
        &self,
        language: &str,
        text: &str,
    ) -> Result<Vec<Misspelling>, SpellingError> {
        let response = self
            .http
            .post(self.check_url.clone())
            .form(&[("text", text), ("language", &language_tool_code(language))])
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| self.transport(e))?;
        if !status.is_success() {
            let excerpt: String = String::from_utf8_lossy(&body).chars().take(200).collect();
            return Err(SpellingError::Status {
                url: self.shown.clone(),
                status: status.as_u16(),
                excerpt,
            });
        }
        let answer: CheckAnswer =
            serde_json::from_slice(&body).map_err(|e| SpellingError::BadAnswer {
                url: self.shown.clone(),
                reason: e.to_string(),
            })?;
        Ok(misspellings(text, answer))
    }

    /// Asks the server about every text the spelling rule will check in
    /// `template`, one request after another, and returns the answers as a speller
    /// for [`lint::lint`].
    pub async fn answers_for(
        &self,
        template: &Template,
        settings: &LintSettings,
    ) -> Result<Answers, SpellingError> {
        let mut answers = Answers::default();
        for text in texts_to_check(template, settings) {
            let found = self.check(&template.language, &text).await?;
            answers.insert(&template.language, &text, found);
        }
        Ok(answers)
    }

    fn transport(&self, error: reqwest::Error) -> SpellingError {
        if error.is_timeout() {
            SpellingError::Timeout {
                url: self.shown.clone(),
                timeout: self.timeout,
            }
        } else {
            SpellingError::Unreachable {
                url: self.shown.clone(),
                reason: error.to_string(),
            }
        }
    }
}

/// Lints `template` with a LanguageTool server as its speller: the server is
/// asked first, then the synchronous linter runs on its answers.
pub async fn lint_with_language_tool(
    template: &Template,
    settings: &LintSettings,
    language: Language,
    server: &LanguageTool,
) -> Result<Vec<Finding>, SpellingError> {
    let answers = server.answers_for(template, settings).await?;
    let context = LintContext {
        settings,
        language,
        speller: Some(&answers),
    };
    Ok(lint::lint(template, &context))
}

/// LanguageTool's code for Meta's: `en_US` → `en-US`. English and a few other
/// languages need a variant before LanguageTool checks their spelling, so a bare
/// code gets the usual one (`en` → `en-US`).
fn language_tool_code(meta: &str) -> String {
    let mut parts = meta.split(['_', '-']);
    let primary = parts.next().unwrap_or_default().to_lowercase();
    match parts.next() {
        Some(region) if !region.is_empty() => format!("{primary}-{}", region.to_uppercase()),
        _ => match primary.as_str() {
            "en" => "en-US".to_owned(),
            "de" => "de-DE".to_owned(),
            "pt" => "pt-PT".to_owned(),
            "ru" => "ru-RU".to_owned(),
            _ => primary,
        },
    }
}

/// The answer's spelling matches as misspellings of `text`, with UTF-16 offsets
/// turned into character spans. A match that does not fall on character
/// boundaries inside the text is dropped: it was not about this text.
fn misspellings(text: &str, answer: CheckAnswer) -> Vec<Misspelling> {
    // utf16_to_char[u] is the character index at UTF-16 offset u, where a
    // character starts there (or the text ends there).
    let mut utf16_to_char: HashMap<usize, usize> = HashMap::new();
    let mut units = 0;
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        utf16_to_char.insert(units, i);
        units += c.len_utf16();
    }
    utf16_to_char.insert(units, chars.len());

    answer
        .matches
        .into_iter()
        .filter(|m| m.rule.issue_type.eq_ignore_ascii_case("misspelling"))
        .filter_map(|m| {
            let start = *utf16_to_char.get(&m.offset)?;
            let end = *utf16_to_char.get(&(m.offset + m.length))?;
            if start >= end {
                return None;
            }
            Some(Misspelling {
                span: Span {
                    start: start as u32,
                    end: end as u32,
                },
                word: chars[start..end].iter().collect(),
                suggestions: m
                    .replacements
                    .into_iter()
                    .map(|r| r.value)
                    .filter(|v| !v.is_empty())
                    .take(LANGUAGE_TOOL_SUGGESTIONS)
                    .collect(),
            })
        })
        .collect()
}

/// reqwest is built without a TLS crypto provider (see `cadence-whatsapp`); an
/// https LanguageTool server needs one. Installing twice is harmless.
fn install_crypto_provider() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_codes_become_language_tool_codes() {
        for (meta, expected) in [
            ("en_US", "en-US"),
            ("en_GB", "en-GB"),
            ("en", "en-US"),
            ("ru", "ru-RU"),
            ("pt_BR", "pt-BR"),
            ("uk", "uk"),
        ] {
            assert_eq!(
                language_tool_code(meta),
                expected,
                "LanguageTool spells English only with a variant"
            );
        }
    }

    fn answer(json: serde_json::Value) -> CheckAnswer {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn utf16_offsets_become_character_spans() {
        // "👍" is one character but two UTF-16 units; "Превет" follows it.
        let text = "👍 Превет и ошибкаа";
        let found = misspellings(
            text,
            answer(serde_json::json!({"matches": [
                {"offset": 3, "length": 6, "replacements": [{"value": "Привет"}],
                 "rule": {"id": "MORFOLOGIK_RULE_RU_RU", "issueType": "misspelling"}},
                {"offset": 12, "length": 7, "replacements": [],
                 "rule": {"id": "X", "issueType": "misspelling"}},
                {"offset": 0, "length": 2, "replacements": [],
                 "rule": {"id": "STYLE", "issueType": "style"}},
            ]})),
        );
        assert_eq!(
            found,
            [
                Misspelling {
                    span: Span { start: 2, end: 8 },
                    word: "Превет".into(),
                    suggestions: vec!["Привет".into()],
                },
                Misspelling {
                    span: Span { start: 11, end: 18 },
                    word: "ошибкаа".into(),
                    suggestions: vec![],
                },
            ],
            "offsets count UTF-16 units, spans count characters; style matches are not spelling"
        );
    }

    #[test]
    fn a_match_off_the_text_is_dropped() {
        let found = misspellings(
            "👍 ok",
            answer(serde_json::json!({"matches": [
                {"offset": 1, "length": 2, "rule": {"issueType": "misspelling"}},
                {"offset": 3, "length": 40, "rule": {"issueType": "misspelling"}},
            ]})),
        );
        assert!(
            found.is_empty(),
            "half an emoji or past the end cannot be mapped: {found:?}"
        );
    }

    #[test]
    fn server_addresses_are_checked_and_credentials_never_shown() {
        assert!(matches!(
            LanguageTool::new("ftp://lt.example", LANGUAGE_TOOL_TIMEOUT),
            Err(SpellingError::InvalidServerUrl(_))
        ));
        assert!(matches!(
            LanguageTool::new("localhost:8081", LANGUAGE_TOOL_TIMEOUT),
            Err(SpellingError::InvalidServerUrl(_))
        ));
        let server =
            LanguageTool::new("https://me:pw@lt.example/api", LANGUAGE_TOOL_TIMEOUT).unwrap();
        assert_eq!(
            server.check_url.as_str(),
            "https://me:pw@lt.example/api/v2/check",
            "a path prefix is kept"
        );
        assert!(
            !format!("{server:?}").contains("pw"),
            "the password never reaches logs: {server:?}"
        );
    }
}
