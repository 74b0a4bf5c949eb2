// The import wizard's state, kept at module level: an import keeps running, and
// the wizard keeps its place, while the user looks at another screen. The
// navigation reads `importInProgress()` / `importFlow.progress` for its indicator.
//
// The past imports it lists are this window's: the backend records every run
// and answers any one's report (importReport), but has no command that lists
// them yet.
import {
  BackendError,
  backend,
  type ColumnMapping,
  type ImportFinished,
  type ImportMode,
  type ImportOptions,
  type ImportPreview,
  type ImportProgress,
  type ImportReport,
  type Layout,
  type MappingPreset,
  type MergeRule,
  type SniffOptions,
} from "../../lib/backend";
import { t } from "../../lib/i18n/index.svelte";
import { screen } from "../../lib/router.svelte";
import { count, formatNumber } from "./format";
import { applyPreset, mappingProblems, rulesFor } from "./mapping";

export type ImportStep = "file" | "read" | "mapping" | "consent" | "check" | "import" | "report";

/** The steps in order, as the wizard's step list shows them. */
export const importSteps: ImportStep[] = [
  "file",
  "read",
  "mapping",
  "consent",
  "check",
  "import",
  "report",
];

/** The importer's region when none is given (cadence_engine::import::DEFAULT_REGION). */
export const DEFAULT_REGION = "RU";

/** ISO 3166-1 alpha-2, the region for numbers written without a country code. */
export function regionValid(region: string): boolean {
  return /^[A-Za-z]{2}$/.test(region.trim());
}

const noOverrides = (): SniffOptions => ({ encoding: null, delimiter: null, header: null });

export class ImportFlow {
  /** The wizard is on screen (instead of the contacts table). */
  shown = $state(false);
  step = $state<ImportStep>("file");
  /** The file as typed, picked or dropped. */
  path = $state("");
  /** The file as it will be read, with the overrides. */
  preview = $state<ImportPreview | null>(null);
  /** What detection found, before any override. */
  detected = $state<Layout | null>(null);
  overrides = $state<SniffOptions>(noOverrides());
  /** A rule for every column of the file, in its order. */
  mapping = $state<ColumnMapping | null>(null);
  mode = $state<ImportMode>("subscribe");
  merge = $state<MergeRule>("update");
  region = $state(DEFAULT_REGION);
  /** For numbers whose country has several zones; empty: the region's main zone. */
  defaultTimeZone = $state("");
  presets = $state<MappingPreset[]>([]);
  /** Which preset was applied last and how many columns it matched. */
  presetApplied = $state<{ name: string; matched: number; of: number } | null>(null);
  /** A preview or a preset call is on its way. */
  busy = $state(false);
  /** The import (or dry run) running now; its id once the backend gave it. */
  running = $state<{ dryRun: boolean; fileName: string; importId: number | null } | null>(null);
  progress = $state<ImportProgress | null>(null);
  cancelling = $state(false);
  /** The latest dry run of the current settings. */
  dryRun = $state<ImportReport | null>(null);
  /** The report on the report step (this import's, or a past one's). */
  report = $state<ImportReport | null>(null);
  error = $state<BackendError | null>(null);
  /** The imports (and dry runs) finished in this window, newest first. */
  history = $state<ImportReport[]>([]);
  /** Bumped when an import changed the contacts: the table reloads. */
  applied = $state(0);

  /** Starts over with a file: detection from scratch, its suggested mapping. */
  async open(path: string): Promise<void> {
    this.path = path;
    this.overrides = noOverrides();
    this.dryRun = null;
    this.presetApplied = null;
    if (await this.#read(true)) this.step = "read";
  }

  /** Reads the file again with the overrides; the mapping stays unless the columns changed. */
  async reread(): Promise<void> {
    await this.#read(false);
  }

  async #read(fresh: boolean): Promise<boolean> {
    const path = this.path.trim();
    this.error = null;
    if (!path) {
      this.error = new BackendError("invalid_input", "name a file to import");
      return false;
    }
    this.busy = true;
    try {
      const preview = await backend().previewImport(path, $state.snapshot(this.overrides));
      const columns = preview.layout.columns;
      const sameColumns =
        !fresh &&
        this.mapping !== null &&
        JSON.stringify(this.mapping.columns.map((rule) => rule.column)) === JSON.stringify(columns);
      this.preview = preview;
      if (fresh) this.detected = preview.layout;
      if (!sameColumns) this.mapping = { columns: rulesFor(columns, preview.suggested) };
      this.dryRun = null;
      return true;
    } catch (error) {
      this.error = BackendError.from(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async loadPresets(): Promise<void> {
    try {
      this.presets = await backend().importPresets();
    } catch (error) {
      this.error = BackendError.from(error);
    }
  }

  applyPreset(name: string): void {
    const preset = this.presets.find((p) => p.name === name);
    if (!preset || !this.preview) return;
    const columns = $state.snapshot(this.preview.layout.columns);
    const { mapping, matched } = applyPreset(columns, $state.snapshot(preset.mapping));
    this.mapping = mapping;
    this.presetApplied = { name, matched, of: columns.length };
    this.dryRun = null;
  }

  /** Deletes a saved preset (the mapping on screen stays as it is). */
  async deletePreset(name: string): Promise<boolean> {
    this.error = null;
    this.busy = true;
    try {
      const deleted = await backend().deleteImportPreset(name);
      await this.loadPresets();
      return deleted;
    } catch (error) {
      this.error = BackendError.from(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Puts the importer's own suggestion back (after a preset or edits). */
  async resetMapping(): Promise<void> {
    if (!this.preview) return;
    const columns = $state.snapshot(this.preview.layout.columns);
    const sample = this.preview.rows.map((row) => $state.snapshot(row.fields));
    this.error = null;
    try {
      const suggested = await backend().suggestImportMapping(columns, sample);
      this.mapping = { columns: rulesFor(columns, suggested) };
      this.presetApplied = null;
      this.dryRun = null;
    } catch (error) {
      this.error = BackendError.from(error);
    }
  }

  async savePreset(name: string): Promise<boolean> {
    if (!this.mapping) return false;
    this.error = null;
    this.busy = true;
    try {
      await backend().saveImportPreset(name, $state.snapshot(this.mapping));
      await this.loadPresets();
      return true;
    } catch (error) {
      this.error = BackendError.from(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** The options the current wizard state stands for, or `null` while incomplete. */
  options(dryRun: boolean): ImportOptions | null {
    if (!this.preview || !this.mapping || !regionValid(this.region)) return null;
    if (mappingProblems(this.mapping).length > 0) return null;
    return {
      layout: $state.snapshot(this.overrides),
      mapping: $state.snapshot(this.mapping),
      region: this.region.trim().toUpperCase(),
      default_time_zone: this.defaultTimeZone.trim() || null,
      mode: this.mode,
      merge: this.merge,
      dry_run: dryRun,
    };
  }

  /** Starts the dry run or the import and follows its events to the end. */
  async run(dryRun: boolean): Promise<void> {
    const options = this.options(dryRun);
    if (!options || this.running) return;
    const fileName = this.preview?.file_name ?? this.path;
    this.error = null;
    this.progress = null;
    this.cancelling = false;
    this.running = { dryRun, fileName, importId: null };
    this.step = dryRun ? "check" : "import";
    // Listen before starting: a small file may finish before the start answers.
    const early: ImportFinished[] = [];
    let wanted: number | null = null;
    let deliver: ((finished: ImportFinished) => void) | null = null;
    const stops: (() => void)[] = [];
    try {
      stops.push(
        await backend().onImportProgressed((progress) => {
          if (wanted === null || progress.import_id === wanted) this.progress = progress;
        }),
      );
      stops.push(
        await backend().onImportFinished((finished) => {
          if (finished.import_id === wanted && deliver) deliver(finished);
          else early.push(finished);
        }),
      );
      const started = await backend().startImport(this.path.trim(), options);
      wanted = started.import_id;
      this.running = { dryRun, fileName, importId: started.import_id };
      const finished =
        early.find((finished) => finished.import_id === started.import_id) ??
        (await new Promise<ImportFinished>((resolve) => (deliver = resolve)));
      if (finished.error || !finished.report) {
        this.error = BackendError.from(
          finished.error ?? { code: "internal", message: "the import ended without a report" },
        );
        // The run is recorded as failed: list it, with the reason it gives.
        const failed = await backend()
          .importReport(started.import_id)
          .catch(() => null);
        if (failed) this.#remember(failed);
        return;
      }
      const report = finished.report;
      this.#remember(report);
      if (dryRun) {
        this.dryRun = report;
      } else {
        this.report = report;
        this.step = "report";
        if (report.status === "applied") this.applied++;
        this.#notify(report);
      }
    } catch (error) {
      this.error = BackendError.from(error);
    } finally {
      stops.forEach((stop) => stop());
      this.running = null;
      this.cancelling = false;
    }
  }

  /** Tells a user who looks at another screen (or window) that the import ended. */
  #notify(report: ImportReport): void {
    const away = screen() !== "audience" || !this.shown;
    const hidden = typeof document !== "undefined" && document.hidden;
    if (!away && !hidden) return;
    const body =
      report.status === "applied"
        ? t("audience.notify.appliedBody", {
            file: report.file_name,
            created: formatNumber(count(report.created)),
            updated: formatNumber(count(report.updated)),
            invalid: formatNumber(count(report.invalid)),
          })
        : t("audience.notify.endedBody", { file: report.file_name });
    // A notification is a courtesy: when the OS refuses it, the report still waits here.
    backend()
      .notify(t("audience.notify.title"), body)
      .catch(() => {});
  }

  async cancel(): Promise<void> {
    const importId = this.running?.importId;
    if (importId === null || importId === undefined) return;
    this.cancelling = true;
    try {
      // False when it had just ended: its report arrives through the finished event.
      await backend().cancelImport(importId);
    } catch (error) {
      this.error = BackendError.from(error);
      this.cancelling = false;
    }
  }

  /** Adds an import's report to the list, newest first (a newer copy replaces an older). */
  #remember(report: ImportReport): void {
    this.history = [report, ...this.history.filter((r) => r.import_id !== report.import_id)].sort(
      (a, b) =>
        count(b.started_at) - count(a.started_at) || count(b.import_id) - count(a.import_id),
    );
  }

  /** Lists the workspace's past imports (from earlier sessions too). */
  async loadHistory(): Promise<void> {
    try {
      for (const report of await backend().importHistory()) this.#remember(report);
    } catch (error) {
      this.error = BackendError.from(error);
    }
  }

  /** Opens a past import's report. */
  async showReport(importId: number): Promise<void> {
    this.error = null;
    try {
      this.report = await backend().importReport(importId);
      this.step = "report";
    } catch (error) {
      this.error = BackendError.from(error);
    }
  }

  /** Back to the first step for another file (a running import goes on). */
  startOver(): void {
    if (this.running) return;
    this.step = "file";
    this.path = "";
    this.preview = null;
    this.detected = null;
    this.mapping = null;
    this.overrides = noOverrides();
    this.dryRun = null;
    this.report = null;
    this.error = null;
    this.progress = null;
    this.presetApplied = null;
    this.mode = "subscribe";
    this.merge = "update";
  }

  /** Forgets everything, this window's imports included (tests start from here). */
  reset(): void {
    this.running = null;
    this.startOver();
    this.shown = false;
    this.history = [];
    this.region = DEFAULT_REGION;
    this.defaultTimeZone = "";
  }
}

/** The one import flow of the window. */
export const importFlow = new ImportFlow();

/** Whether an import (or its dry run) is running: the navigation shows an indicator. */
export function importInProgress(): boolean {
  return importFlow.running !== null;
}
