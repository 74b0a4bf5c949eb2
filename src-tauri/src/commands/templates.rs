//! The templates commands (a few lines each: DTO in, engine call, DTO out).

use cadence_core::Language;
use cadence_core::lint::{self, Finding, LintContext, LintSettings};
use cadence_core::template::Template;

/// Lints a template with the default settings, messages in `language`.
#[tauri::command]
#[specta::specta]
pub fn lint_template(template: Template, language: Language) -> Vec<Finding> {
    let settings = LintSettings::default();
    let context = LintContext {
        settings: &settings,
        language,
        speller: None,
    };
    lint::lint(&template, &context)
}
