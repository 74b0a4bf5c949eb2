//! `cadence lint PATH...`: templates as code. Each file holds the JSON body of
//! Meta's create-template request (`POST /{WABA_ID}/message_templates`); a folder
//! is searched for `*.json` files, recursively, in sorted order.
//!
//! Findings go to stdout, one line each as `file:field:start-end: severity
//! rule-id: message` (or a JSON array with `--format json`); a file that cannot be
//! read or is not such a request is reported on stderr. The exit status is 1 when
//! any finding is an `error` or any file failed, 0 otherwise.
//!
//! Spelling uses the Hunspell dictionaries compiled into the binary (Debian's
//! `ru_RU` and `en_US`), or the folder named by `CADENCE_DICTIONARIES`, or a
//! LanguageTool server with `--language-tool URL`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cadence_core::Language;
use cadence_core::lint::{self, Finding, LintContext, LintSettings, Severity, Speller};
use cadence_core::template::Template;
use cadence_engine::spelling::{
    DictionarySource, LANGUAGE_TOOL_TIMEOUT, LanguageTool, SpellingError, load,
};
use cadence_whatsapp::wire::TemplateCreateRequest;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Template files (JSON bodies of Meta's create-template request) or folders of
    /// them (every *.json inside, recursively).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// `text`: one line per finding; `json`: one JSON array for tools.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The language of the messages: `en` or `ru` (default: from LC_ALL,
    /// LC_MESSAGES or LANG, else English).
    #[arg(long, value_name = "LANG", value_parser = parse_language)]
    lang: Option<Language>,
    /// The workspace's lint settings as JSON (brand words, team dictionary,
    /// `"spelling": false`…); a field left out keeps its default.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Check spelling with this LanguageTool-compatible server (its /v2/check)
    /// instead of the bundled dictionaries.
    #[arg(long, value_name = "URL", env = "CADENCE_LANGUAGE_TOOL")]
    language_tool: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_language(value: &str) -> Result<Language, cadence_core::Error> {
    // clap shows the error to the user as it is; core's error names the choices.
    value.parse::<Language>()
}

/// One finding as `--format json` prints it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    file: &'a str,
    field: String,
    start: u32,
    end: u32,
    severity: Severity,
    rule: &'a str,
    message: &'a str,
}

/// Why a file produced no findings.
enum FileProblem {
    Read(std::io::Error),
    Parse(serde_json::Error),
    Model(cadence_whatsapp::wire::TemplateModelError),
    Spelling(SpellingError),
}

impl FileProblem {
    fn message(&self, language: Language) -> String {
        match (self, language) {
            (FileProblem::Read(e), Language::En) => format!("cannot read the file: {e}"),
            (FileProblem::Read(e), Language::Ru) => format!("не удаётся прочитать файл: {e}"),
            (FileProblem::Parse(e), Language::En) => {
                format!("not the JSON of Meta's create-template request: {e}")
            }
            (FileProblem::Parse(e), Language::Ru) => {
                format!("это не JSON запроса Meta на создание шаблона: {e}")
            }
            (FileProblem::Model(e), Language::En) => {
                format!("Cadence cannot hold this template: {e}")
            }
            (FileProblem::Model(e), Language::Ru) => {
                format!("Cadence не может принять этот шаблон: {e}")
            }
            (FileProblem::Spelling(e), Language::En) => {
                format!("spelling could not be checked: {e}")
            }
            (FileProblem::Spelling(e), Language::Ru) => {
                format!("орфографию проверить не удалось: {e}")
            }
        }
    }
}

/// How spelling is checked for this run.
enum Spelling {
    Off,
    Dictionaries(cadence_core::spelling::Dictionaries),
    Server(LanguageTool),
}

pub async fn run(args: &LintArgs) -> ExitCode {
    let language = args.lang.unwrap_or_else(locale_language);
    let settings = match &args.settings {
        None => LintSettings::default(),
        Some(path) => match read_settings(path) {
            Ok(settings) => settings,
            Err(message) => {
                eprintln!("error: {}: {message}", path.display());
                return ExitCode::FAILURE;
            }
        },
    };
    let spelling = match spelling(args, &settings).await {
        Ok(spelling) => spelling,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };

    let mut failed = false;
    let mut files = Vec::new();
    for path in &args.paths {
        match template_files(path) {
            Ok(found) => files.extend(found),
            Err(error) => {
                failed = true;
                eprintln!(
                    "error: {}: {}",
                    path.display(),
                    FileProblem::Read(error).message(language)
                );
            }
        }
    }

    let mut rows: Vec<(String, Finding)> = Vec::new();
    for file in &files {
        let shown = file.display().to_string();
        match lint_file(file, &settings, language, &spelling).await {
            Ok(findings) => rows.extend(findings.into_iter().map(|f| (shown.clone(), f))),
            Err(problem) => {
                failed = true;
                eprintln!("error: {shown}: {}", problem.message(language));
            }
        }
    }

    let any_error = rows.iter().any(|(_, f)| f.severity == Severity::Error);
    match args.format {
        Format::Text => {
            for (file, f) in &rows {
                println!(
                    "{file}:{}:{}-{}: {} {}: {}",
                    f.field,
                    f.span.start,
                    f.span.end,
                    severity_word(f.severity),
                    f.rule,
                    f.message
                );
            }
        }
        Format::Json => {
            let json: Vec<Row<'_>> = rows
                .iter()
                .map(|(file, f)| Row {
                    file,
                    field: f.field.to_string(),
                    start: f.span.start,
                    end: f.span.end,
                    severity: f.severity,
                    rule: &f.rule,
                    message: &f.message,
                })
                .collect();
            // Plain strings and numbers: serializing cannot fail.
            let text = serde_json::to_string_pretty(&json).expect("findings serialize to JSON");
            println!("{text}");
        }
    }
    if any_error || failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// The messages' language from the usual locale variables, in their order of
/// precedence; English when none names a language Cadence speaks.
fn locale_language() -> Language {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty());
    Language::from_os_locale(locale.as_deref())
}

/// Why `--settings FILE` could not be used.
#[derive(Debug)]
enum SettingsFileError {
    Read(std::io::Error),
    Json(serde_json::Error),
}

impl std::fmt::Display for SettingsFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingsFileError::Read(error) => write!(f, "cannot read: {error}"),
            SettingsFileError::Json(error) => write!(f, "not lint settings JSON: {error}"),
        }
    }
}

fn read_settings(path: &Path) -> Result<LintSettings, SettingsFileError> {
    let text = std::fs::read_to_string(path).map_err(SettingsFileError::Read)?;
    serde_json::from_str(&text).map_err(SettingsFileError::Json)
}

async fn spelling(args: &LintArgs, settings: &LintSettings) -> Result<Spelling, SpellingError> {
    if !settings.spelling {
        return Ok(Spelling::Off);
    }
    if let Some(url) = &args.language_tool {
        return Ok(Spelling::Server(LanguageTool::new(
            url,
            LANGUAGE_TOOL_TIMEOUT,
        )?));
    }
    let mut dictionaries = load(DictionarySource::from_env()).await?;
    // One lint per file: every misspelling gets its suggestions now, not on a
    // later keystroke as in the editor.
    dictionaries.set_fresh_suggestions_per_check(usize::MAX);
    Ok(Spelling::Dictionaries(dictionaries))
}

/// `path` itself when it is a file; the `*.json` files under it, recursively and
/// sorted, when it is a folder.
fn template_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    let mut folders = vec![path.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let entry_path = entry.path();
            if entry.file_type()?.is_dir() {
                folders.push(entry_path);
            } else if entry_path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                found.push(entry_path);
            }
        }
    }
    found.sort();
    Ok(found)
}

async fn lint_file(
    file: &Path,
    settings: &LintSettings,
    language: Language,
    spelling: &Spelling,
) -> Result<Vec<Finding>, FileProblem> {
    let bytes = std::fs::read(file).map_err(FileProblem::Read)?;
    let request: TemplateCreateRequest =
        serde_json::from_slice(&bytes).map_err(FileProblem::Parse)?;
    let template = Template::try_from(&request).map_err(FileProblem::Model)?;
    let answers;
    let speller: Option<&dyn Speller> = match spelling {
        Spelling::Off => None,
        Spelling::Dictionaries(dictionaries) => Some(dictionaries),
        Spelling::Server(server) => {
            answers = server
                .answers_for(&template, settings)
                .await
                .map_err(FileProblem::Spelling)?;
            Some(&answers)
        }
    };
    let context = LintContext {
        settings,
        language,
        speller,
    };
    Ok(lint::lint(&template, &context))
}
