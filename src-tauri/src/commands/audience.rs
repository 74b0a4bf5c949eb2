//! The audience commands (a few lines each: DTO in, engine call, DTO out).

// ---------------------------------------------------------------------------
// Import (the import wizard). Owned by the importer: detect → preview → map →
// run with progress events → report → rejected rows as CSV.
// ---------------------------------------------------------------------------

pub mod import_commands {
    use std::path::PathBuf;
    use std::sync::LazyLock;
    use std::time::{SystemTime, UNIX_EPOCH};

    use cadence_core::Language;
    use cadence_core::audience::ColumnMapping;
    use cadence_core::audience::headers::suggest;
    use cadence_core::csvread::{Layout, SniffOptions};
    use cadence_engine::import::preview;
    use cadence_engine::{
        ImportOptions, ImportPreview, ImportProgress, ImportReport, Importer, IpcError,
        MappingPreset, RunningImports,
    };
    use serde::Serialize;
    use tauri::{AppHandle, State};
    use tauri_specta::Event;

    use crate::AppState;

    /// The imports running in this window's process, for the cancel button.
    static RUNNING: LazyLock<RunningImports> = LazyLock::new(RunningImports::default);

    fn unix_now() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }

    /// The open workspace's importer and the language reports are worded in.
    async fn importer(state: &AppState) -> Result<(Importer, Language), IpcError> {
        let session = state.session.read().await;
        let workspace = session.as_ref().map_err(Clone::clone)?.workspace();
        let language = workspace
            .preferences(state.os_locale.as_deref())
            .await?
            .effective_language;
        Ok((Importer::new(workspace.store().clone()), language))
    }

    /// How the file at `path` will be read (with the user's overrides), its first
    /// rows, and a suggested mapping.
    #[tauri::command]
    #[specta::specta]
    pub async fn preview_import(
        path: String,
        layout: SniffOptions,
    ) -> Result<ImportPreview, IpcError> {
        // Reading a file is blocking work: keep it off the async threads.
        tauri::async_runtime::spawn_blocking(move || preview(&PathBuf::from(path), &layout))
            .await
            .map_err(|e| cadence_engine::Error::ImportBug(e.to_string()))?
            .map_err(IpcError::from)
    }

    /// A mapping for `columns`, guessed from their names (and from `sample` rows
    /// when no name says "phone").
    #[tauri::command]
    #[specta::specta]
    pub fn suggest_import_mapping(columns: Vec<String>, sample: Vec<Vec<String>>) -> ColumnMapping {
        suggest(&columns, &sample)
    }

    /// The saved mapping presets, by name.
    #[tauri::command]
    #[specta::specta]
    pub async fn import_presets(
        state: State<'_, AppState>,
    ) -> Result<Vec<MappingPreset>, IpcError> {
        let (importer, _) = importer(&state).await?;
        Ok(importer.presets().await?)
    }

    /// Saves `mapping` under `name` (replacing a preset of that name).
    #[tauri::command]
    #[specta::specta]
    pub async fn save_import_preset(
        state: State<'_, AppState>,
        name: String,
        mapping: ColumnMapping,
    ) -> Result<(), IpcError> {
        let (importer, _) = importer(&state).await?;
        Ok(importer.save_preset(&name, &mapping, unix_now()).await?)
    }

    /// Deletes a preset; false when none had that name.
    #[tauri::command]
    #[specta::specta]
    pub async fn delete_import_preset(
        state: State<'_, AppState>,
        name: String,
    ) -> Result<bool, IpcError> {
        let (importer, _) = importer(&state).await?;
        Ok(importer.delete_preset(&name).await?)
    }

    /// An import that has started: follow it through [`ImportProgressed`] and
    /// [`ImportFinished`] events with this id.
    #[derive(Debug, Clone, Serialize, specta::Type)]
    pub struct ImportStarted {
        pub import_id: i32,
        pub layout: Layout,
    }

    /// Checks the file and mapping and starts the import in the background.
    /// Refused at once (nothing recorded) when the file cannot be read at all.
    #[tauri::command]
    #[specta::specta]
    pub async fn start_import(
        app: AppHandle,
        state: State<'_, AppState>,
        path: String,
        options: ImportOptions,
    ) -> Result<ImportStarted, IpcError> {
        let (importer, language) = importer(&state).await?;
        let job = importer
            .start(&PathBuf::from(path), options, unix_now())
            .await?;
        let import_id = job.id();
        let started = ImportStarted {
            import_id: i32::try_from(import_id).unwrap_or(i32::MAX),
            layout: job.layout().clone(),
        };
        RUNNING.register(import_id, job.cancel_token());
        tauri::async_runtime::spawn(async move {
            let progress_app = app.clone();
            let result = job
                .run(move |progress| {
                    if let Err(error) = ImportProgressed(progress.clone()).emit(&progress_app) {
                        tracing::warn!(%error, "could not send import progress to the window");
                    }
                })
                .await;
            RUNNING.finish(import_id);
            let finished = match result {
                Ok(_) => match importer.report(import_id, language).await {
                    Ok(report) => ImportFinished {
                        import_id: started_id(import_id),
                        report: Some(report),
                        error: None,
                    },
                    Err(error) => ImportFinished {
                        import_id: started_id(import_id),
                        report: None,
                        error: Some(error.into()),
                    },
                },
                Err(error) => ImportFinished {
                    import_id: started_id(import_id),
                    report: None,
                    error: Some(error.into()),
                },
            };
            if let Err(error) = finished.emit(&app) {
                tracing::warn!(%error, "could not tell the window that an import finished");
            }
        });
        Ok(started)
    }

    fn started_id(import_id: i64) -> i32 {
        i32::try_from(import_id).unwrap_or(i32::MAX)
    }

    /// Cancels a running import (nothing of it is applied); false when none runs
    /// with that id.
    #[tauri::command]
    #[specta::specta]
    pub fn cancel_import(import_id: i32) -> bool {
        RUNNING.cancel(i64::from(import_id))
    }

    /// The report of an import, reasons in the interface language.
    #[tauri::command]
    #[specta::specta]
    pub async fn import_report(
        state: State<'_, AppState>,
        import_id: i32,
    ) -> Result<ImportReport, IpcError> {
        let (importer, language) = importer(&state).await?;
        Ok(importer.report(i64::from(import_id), language).await?)
    }

    /// The last imports of the workspace, newest first, with their reports.
    #[tauri::command]
    #[specta::specta]
    pub async fn import_history(state: State<'_, AppState>) -> Result<Vec<ImportReport>, IpcError> {
        let (importer, language) = importer(&state).await?;
        Ok(importer.history(IMPORT_HISTORY_LENGTH, language).await?)
    }

    /// How many past imports the wizard lists.
    const IMPORT_HISTORY_LENGTH: u32 = 20;

    /// Writes every rejected row of an import to `path` as CSV (reasons in the
    /// interface language, formulas neutralised); returns how many.
    #[tauri::command]
    #[specta::specta]
    pub async fn export_import_rejected(
        state: State<'_, AppState>,
        import_id: i32,
        path: String,
    ) -> Result<u32, IpcError> {
        let (importer, language) = importer(&state).await?;
        let written = importer
            .export_rejected(i64::from(import_id), &PathBuf::from(path), language)
            .await?;
        Ok(u32::try_from(written).unwrap_or(u32::MAX))
    }

    /// An import's progress (rows, bytes, rows/s, ETA), at most every 100 ms.
    #[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
    pub struct ImportProgressed(pub ImportProgress);

    /// An import ended: its report (applied, dry run or cancelled), or why it failed.
    #[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
    pub struct ImportFinished {
        pub import_id: i32,
        pub report: Option<ImportReport>,
        pub error: Option<IpcError>,
    }
}

// ---------------------------------------------------------------------------
// Contacts and segments (the contacts table, the detail panel, the segment
// sidebar, the export, the example audience). Owned by the contacts side of
// the audience: each command is DTO in, one engine call, DTO out.
// ---------------------------------------------------------------------------

pub mod contact_commands {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, LazyLock, Mutex, PoisonError};

    use cadence_engine::audience::{
        AudienceFacets, ContactFilter, ContactId, ContactSort, Forgotten, SegmentId, unix_now,
    };
    use cadence_engine::{
        ConsentInput, ContactDetail, ContactPage, ContactQuery, CsvDelimiter, ExportProgress,
        ExportResult, IpcError, Segment, Workspace,
    };
    use serde::Serialize;
    use tauri::{AppHandle, State};
    use tauri_specta::Event;

    use crate::AppState;

    /// The open workspace (a cheap handle: the lock on the session is not held
    /// while a command works, so a long export never blocks switching).
    async fn workspace(state: &AppState) -> Result<Workspace, IpcError> {
        let session = state.session.read().await;
        Ok(session.as_ref().map_err(Clone::clone)?.workspace().clone())
    }

    /// Rows `offset..offset + limit` of the contacts matching the filter, in the
    /// order asked, with the total.
    #[tauri::command]
    #[specta::specta]
    pub async fn contacts_page(
        state: State<'_, AppState>,
        query: ContactQuery,
    ) -> Result<ContactPage, IpcError> {
        Ok(workspace(&state).await?.contacts_page(&query).await?)
    }

    /// How many contacts match the filter.
    #[tauri::command]
    #[specta::specta]
    pub async fn count_contacts(
        state: State<'_, AppState>,
        filter: ContactFilter,
    ) -> Result<u32, IpcError> {
        let total = workspace(&state).await?.count_contacts(&filter).await?;
        Ok(u32::try_from(total).unwrap_or(u32::MAX))
    }

    /// The values the filter menus offer.
    #[tauri::command]
    #[specta::specta]
    pub async fn audience_facets(state: State<'_, AppState>) -> Result<AudienceFacets, IpcError> {
        Ok(workspace(&state).await?.audience_facets().await?)
    }

    #[tauri::command]
    #[specta::specta]
    pub async fn contact_detail(
        state: State<'_, AppState>,
        id: ContactId,
    ) -> Result<ContactDetail, IpcError> {
        Ok(workspace(&state).await?.contact_detail(id.0).await?)
    }

    /// Appends a grant or withdrawal entered by hand; answers the updated detail.
    #[tauri::command]
    #[specta::specta]
    pub async fn record_consent(
        state: State<'_, AppState>,
        id: ContactId,
        input: ConsentInput,
    ) -> Result<ContactDetail, IpcError> {
        Ok(workspace(&state)
            .await?
            .record_consent(id.0, &input, unix_now())
            .await?)
    }

    /// Puts a number on the opt-out list; false when it was there already.
    #[tauri::command]
    #[specta::specta]
    pub async fn suppress_number(
        state: State<'_, AppState>,
        phone: String,
        reason: String,
    ) -> Result<bool, IpcError> {
        Ok(workspace(&state)
            .await?
            .suppress_number(&phone, &reason, unix_now())
            .await?)
    }

    /// Takes a number off the opt-out list; false when it was not on it.
    #[tauri::command]
    #[specta::specta]
    pub async fn unsuppress_number(
        state: State<'_, AppState>,
        phone: String,
    ) -> Result<bool, IpcError> {
        Ok(workspace(&state).await?.unsuppress_number(&phone).await?)
    }

    /// Deletes the contact and everything about them but what the opt-out list
    /// needs.
    #[tauri::command]
    #[specta::specta]
    pub async fn forget_contact(
        state: State<'_, AppState>,
        id: ContactId,
    ) -> Result<Forgotten, IpcError> {
        Ok(workspace(&state)
            .await?
            .forget_contact(id.0, unix_now())
            .await?)
    }

    /// Every segment, by name, with live counts.
    #[tauri::command]
    #[specta::specta]
    pub async fn list_segments(state: State<'_, AppState>) -> Result<Vec<Segment>, IpcError> {
        Ok(workspace(&state).await?.segments().await?)
    }

    /// One segment with fresh counts.
    #[tauri::command]
    #[specta::specta]
    pub async fn segment_counts(
        state: State<'_, AppState>,
        id: SegmentId,
    ) -> Result<Segment, IpcError> {
        Ok(workspace(&state).await?.segment(id.0).await?)
    }

    #[tauri::command]
    #[specta::specta]
    pub async fn create_segment(
        state: State<'_, AppState>,
        name: String,
        filter: ContactFilter,
    ) -> Result<Segment, IpcError> {
        Ok(workspace(&state)
            .await?
            .create_segment(&name, &filter, unix_now())
            .await?)
    }

    #[tauri::command]
    #[specta::specta]
    pub async fn rename_segment(
        state: State<'_, AppState>,
        id: SegmentId,
        name: String,
    ) -> Result<Segment, IpcError> {
        Ok(workspace(&state)
            .await?
            .rename_segment(id.0, &name, unix_now())
            .await?)
    }

    #[tauri::command]
    #[specta::specta]
    pub async fn update_segment_filter(
        state: State<'_, AppState>,
        id: SegmentId,
        filter: ContactFilter,
    ) -> Result<Segment, IpcError> {
        Ok(workspace(&state)
            .await?
            .update_segment_filter(id.0, &filter, unix_now())
            .await?)
    }

    #[tauri::command]
    #[specta::specta]
    pub async fn delete_segment(state: State<'_, AppState>, id: SegmentId) -> Result<(), IpcError> {
        Ok(workspace(&state).await?.delete_segment(id.0).await?)
    }

    /// The running export's stop flag: one export at a time.
    static EXPORT: LazyLock<Mutex<Option<Arc<AtomicBool>>>> = LazyLock::new(Default::default);

    /// Writes the contacts matching the filter, in the table's order, to `path`
    /// as CSV (comma unless asked), with [`ContactsExportProgressed`] events.
    #[tauri::command]
    #[specta::specta]
    pub async fn export_contacts(
        app: AppHandle,
        state: State<'_, AppState>,
        filter: ContactFilter,
        sort: ContactSort,
        path: String,
        delimiter: Option<CsvDelimiter>,
    ) -> Result<ExportResult, IpcError> {
        let workspace = workspace(&state).await?;
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut running = EXPORT.lock().unwrap_or_else(PoisonError::into_inner);
            if running.is_some() {
                return Err(cadence_engine::Error::InvalidField {
                    field: "export",
                    reason: "an export is already running: wait for it or cancel it".into(),
                }
                .into());
            }
            *running = Some(cancel.clone());
        }
        let result = workspace
            .export_contacts(
                &filter,
                sort,
                &PathBuf::from(path),
                delimiter.unwrap_or_default(),
                &cancel,
                |progress| {
                    if let Err(error) = ContactsExportProgressed(progress).emit(&app) {
                        tracing::warn!(%error, "could not send export progress to the window");
                    }
                },
            )
            .await;
        EXPORT.lock().unwrap_or_else(PoisonError::into_inner).take();
        Ok(result?)
    }

    /// Stops the running export (its file is removed); false when none runs.
    #[tauri::command]
    #[specta::specta]
    pub fn cancel_contacts_export() -> bool {
        match &*EXPORT.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(cancel) => {
                cancel.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Generates the example audience (sandbox workspaces only); answers how
    /// many contacts were added (0 when it is already there).
    #[tauri::command]
    #[specta::specta]
    pub async fn add_example_audience(state: State<'_, AppState>) -> Result<u32, IpcError> {
        let added = workspace(&state)
            .await?
            .add_example_audience(unix_now())
            .await?;
        Ok(u32::try_from(added).unwrap_or(u32::MAX))
    }

    /// Removes the example audience; answers how many contacts went.
    #[tauri::command]
    #[specta::specta]
    pub async fn remove_example_audience(state: State<'_, AppState>) -> Result<u32, IpcError> {
        let removed = workspace(&state).await?.remove_example_audience().await?;
        Ok(u32::try_from(removed).unwrap_or(u32::MAX))
    }

    /// How far the running export has come, a few times a second.
    #[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
    pub struct ContactsExportProgressed(pub ExportProgress);
}
