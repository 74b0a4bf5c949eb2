//! The typed IPC surface: every command and event the window may use, and the
//! TypeScript file generated from them (`ui/src/lib/bindings.ts`, committed).
//!
//! The test below fails when that file is stale; regenerate it with
//! `cargo xtask bindings`.

use specta_typescript::Typescript;
use tauri_specta::{Builder, collect_commands, collect_events};

use crate::commands;

/// Where the generated TypeScript lives, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

/// The commands and events of the app.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // One TypeScript type per Rust type: our DTOs travel one way each, so the
        // separate "serialize" and "deserialize" shapes would only add names.
        .disable_serde_phases()
        .commands(collect_commands![
            commands::workspace_info,
            commands::preferences,
            commands::set_language,
            commands::list_workspaces,
            commands::switch_workspace,
            commands::create_live_workspace,
            commands::connection,
            commands::save_connection,
            commands::test_connection,
            // Templates
            commands::templates::list_templates,
            commands::templates::get_template,
            commands::templates::create_draft,
            commands::templates::save_draft,
            commands::templates::duplicate_template,
            commands::templates::set_archived,
            commands::templates::delete_template,
            commands::templates::lint_template,
            commands::templates::submit_template,
            commands::templates::refresh_templates,
            commands::templates::lint_settings,
            commands::templates::save_lint_settings,
            commands::templates::add_to_team_dictionary,
            commands::templates::lint_rules,
            // Audience
            commands::audience::import_commands::preview_import,
            commands::audience::import_commands::suggest_import_mapping,
            commands::audience::import_commands::import_presets,
            commands::audience::import_commands::save_import_preset,
            commands::audience::import_commands::delete_import_preset,
            commands::audience::import_commands::start_import,
            commands::audience::import_commands::cancel_import,
            commands::audience::import_commands::import_report,
            commands::audience::import_commands::import_history,
            commands::audience::import_commands::export_import_rejected,
            commands::audience::contact_commands::contacts_page,
            commands::audience::contact_commands::count_contacts,
            commands::audience::contact_commands::audience_facets,
            commands::audience::contact_commands::contact_detail,
            commands::audience::contact_commands::record_consent,
            commands::audience::contact_commands::suppress_number,
            commands::audience::contact_commands::unsuppress_number,
            commands::audience::contact_commands::forget_contact,
            commands::audience::contact_commands::list_segments,
            commands::audience::contact_commands::segment_counts,
            commands::audience::contact_commands::create_segment,
            commands::audience::contact_commands::rename_segment,
            commands::audience::contact_commands::update_segment_filter,
            commands::audience::contact_commands::delete_segment,
            commands::audience::contact_commands::export_contacts,
            commands::audience::contact_commands::cancel_contacts_export,
            commands::audience::contact_commands::add_example_audience,
            commands::audience::contact_commands::remove_example_audience,
        ])
        .events(collect_events![
            commands::PreferencesChanged,
            commands::templates::TemplateStatusChanged,
            commands::audience::import_commands::ImportProgressed,
            commands::audience::import_commands::ImportFinished,
            commands::audience::contact_commands::ContactsExportProgressed
        ])
}

/// Writes the TypeScript bindings to `path`.
pub fn export(path: &std::path::Path) -> Result<(), specta_typescript::Error> {
    builder().export(
        Typescript::default().header(
            "// Generated from the Rust commands by `cargo xtask bindings`. Do not edit.\n",
        ),
        path,
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The committed bindings must match the Rust commands, or the UI is type-checked
    /// against an API that no longer exists. `CADENCE_UPDATE_BINDINGS=1` rewrites them.
    #[test]
    fn committed_bindings_are_fresh() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let committed_path = root.join(BINDINGS_PATH);
        if std::env::var_os("CADENCE_UPDATE_BINDINGS").is_some() {
            export(&committed_path).expect("bindings export");
            return;
        }
        let fresh_dir = tempfile::tempdir().expect("temp dir");
        let fresh_path = fresh_dir.path().join("bindings.ts");
        export(&fresh_path).expect("bindings export");
        let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh bindings");
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        assert!(
            fresh == committed,
            "{BINDINGS_PATH} is stale: the Rust commands, DTOs or events changed. Run `cargo xtask bindings` and commit it."
        );
    }
}
