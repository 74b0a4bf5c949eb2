// The Tauri audience backend calls each generated command by its Rust name with
// the Rust argument names, turns `{code, message}` into BackendError, and hears
// the export and import events. Tauri's IPC is mocked (@tauri-apps/api/mocks):
// no window.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ColumnMapping,
  ExportProgress,
  ImportFinished,
  ImportProgress,
  ImportReport,
} from "../bindings";
import { BackendError } from "./index";
import { tauriAudience } from "./tauri-audience";

const mapping: ColumnMapping = { columns: [{ column: "Телефон", target: { kind: "phone" } }] };
const layout = { encoding: null, delimiter: "semicolon" as const, header: null };

let calls: { cmd: string; args: unknown }[];

/** What each command answers (the Rust side's shapes, trimmed to what the test reads). */
const answers: Record<string, unknown> = {
  contacts_page: { rows: [], total: null },
  count_contacts: 1234,
  suppress_number: true,
  unsuppress_number: false,
  forget_contact: { kept_on_opt_out_list: true },
  delete_segment: null,
  save_import_preset: null,
  delete_import_preset: true,
  cancel_import: false,
  cancel_contacts_export: true,
  suggest_import_mapping: mapping,
  export_import_rejected: 3,
  add_example_audience: 2000,
  remove_example_audience: 2000,
};

beforeEach(() => {
  calls = [];
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "start_import") {
        // What a refused command rejects with: the IpcError, as plain data.
        throw {
          code: "invalid_input",
          message: "another import into this workspace is running: wait for it to finish",
        };
      }
      return cmd in answers ? answers[cmd] : {};
    },
    { shouldMockEvents: true },
  );
});

afterEach(() => clearMocks());

describe("tauriAudience", () => {
  it("calls each contacts and segments command with the Rust names", async () => {
    const filter = { consent: ["granted" as const] };
    const sort = { column: "phone" as const, descending: false };
    const page = await tauriAudience.contactsPage({ filter, sort, offset: 100, limit: 100 });
    expect(page.total, "a page that does not wait for its count says null").toBeNull();
    expect(await tauriAudience.countContacts(filter)).toBe(1234);
    await tauriAudience.audienceFacets();
    await tauriAudience.contactDetail(7);
    await tauriAudience.recordConsent(7, {
      kind: "withdrawn",
      categories: [],
      source: "phone call",
      evidence: null,
    });
    expect(await tauriAudience.suppressNumber("+79123456789", "asked by phone")).toBe(true);
    expect(await tauriAudience.unsuppressNumber("+79123456789")).toBe(false);
    expect(await tauriAudience.forgetContact(7)).toEqual({ kept_on_opt_out_list: true });
    await tauriAudience.listSegments();
    await tauriAudience.segmentCounts(3);
    await tauriAudience.createSegment("VIP", filter);
    await tauriAudience.renameSegment(3, "Best");
    await tauriAudience.updateSegmentFilter(3, filter);
    await expect(tauriAudience.deleteSegment(3)).resolves.toBeUndefined();
    await tauriAudience.exportContacts(filter, sort, "/tmp/c.csv", null);
    expect(await tauriAudience.cancelContactsExport()).toBe(true);
    expect(await tauriAudience.addExampleAudience()).toBe(2000);
    expect(await tauriAudience.removeExampleAudience()).toBe(2000);
    expect(calls).toEqual([
      {
        cmd: "contacts_page",
        args: { query: { filter, sort, offset: 100, limit: 100 } },
      },
      { cmd: "count_contacts", args: { filter } },
      { cmd: "audience_facets", args: {} },
      { cmd: "contact_detail", args: { id: 7 } },
      {
        cmd: "record_consent",
        args: {
          id: 7,
          input: { kind: "withdrawn", categories: [], source: "phone call", evidence: null },
        },
      },
      { cmd: "suppress_number", args: { phone: "+79123456789", reason: "asked by phone" } },
      { cmd: "unsuppress_number", args: { phone: "+79123456789" } },
      { cmd: "forget_contact", args: { id: 7 } },
      { cmd: "list_segments", args: {} },
      { cmd: "segment_counts", args: { id: 3 } },
      { cmd: "create_segment", args: { name: "VIP", filter } },
      { cmd: "rename_segment", args: { id: 3, name: "Best" } },
      { cmd: "update_segment_filter", args: { id: 3, filter } },
      { cmd: "delete_segment", args: { id: 3 } },
      {
        cmd: "export_contacts",
        args: { filter, sort, path: "/tmp/c.csv", delimiter: null },
      },
      { cmd: "cancel_contacts_export", args: {} },
      { cmd: "add_example_audience", args: {} },
      { cmd: "remove_example_audience", args: {} },
    ]);
  });

  it("calls each import command with the Rust names", async () => {
    await tauriAudience.previewImport("/data/clients.csv", layout);
    expect(await tauriAudience.suggestImportMapping(["Телефон"], [["+79123456789"]])).toEqual(
      mapping,
    );
    await tauriAudience.importPresets();
    await expect(tauriAudience.saveImportPreset("1C", mapping)).resolves.toBeUndefined();
    expect(await tauriAudience.deleteImportPreset("1C")).toBe(true);
    expect(await tauriAudience.cancelImport(5), "none runs by that id").toBe(false);
    await tauriAudience.importReport(5);
    expect(await tauriAudience.exportImportRejected(5, "/tmp/rejected.csv")).toBe(3);
    expect(calls).toEqual([
      { cmd: "preview_import", args: { path: "/data/clients.csv", layout } },
      {
        cmd: "suggest_import_mapping",
        args: { columns: ["Телефон"], sample: [["+79123456789"]] },
      },
      { cmd: "import_presets", args: {} },
      { cmd: "save_import_preset", args: { name: "1C", mapping } },
      { cmd: "delete_import_preset", args: { name: "1C" } },
      { cmd: "cancel_import", args: { importId: 5 } },
      { cmd: "import_report", args: { importId: 5 } },
      { cmd: "export_import_rejected", args: { importId: 5, path: "/tmp/rejected.csv" } },
    ]);
  });

  it("turns a refusal into a BackendError with the command's code and words", async () => {
    const error = await tauriAudience
      .startImport("/data/clients.csv", { mapping, dry_run: true })
      .catch((e: unknown) => e);
    expect(calls).toEqual([
      {
        cmd: "start_import",
        args: { path: "/data/clients.csv", options: { mapping, dry_run: true } },
      },
    ]);
    expect(error, "the command's IpcError arrives as a BackendError").toBeInstanceOf(BackendError);
    expect(error).toMatchObject({
      code: "invalid_input",
      message: "another import into this workspace is running: wait for it to finish",
    });
  });

  it("turns Tauri's own failure of a plain command into a BackendError", async () => {
    clearMocks();
    mockIPC(() => {
      throw new Error("command cancel_import not found");
    });
    const error = await tauriAudience.cancelImport(5).catch((e: unknown) => e);
    expect(error, "not one of the closed codes: internal").toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "internal" });
  });

  it("hears the export and import events until unsubscribed", async () => {
    const exports: ExportProgress[] = [];
    const progress: ImportProgress[] = [];
    const finished: ImportFinished[] = [];
    const stops = [
      await tauriAudience.onContactsExportProgressed((p) => exports.push(p)),
      await tauriAudience.onImportProgressed((p) => progress.push(p)),
      await tauriAudience.onImportFinished((f) => finished.push(f)),
    ];
    const exported: ExportProgress = { rows: 100, total: 250, rows_per_s: 200, eta_s: 1 };
    const step: ImportProgress = {
      import_id: 5,
      phase: "staging",
      rows_done: 5000,
      bytes_done: 1 << 20,
      bytes_total: 1 << 22,
      rows_total_estimate: 20000,
      rows_per_s: 40000,
      eta_s: 0.4,
    };
    const report = { import_id: 5, status: "applied" } as ImportReport;
    const end: ImportFinished = { import_id: 5, report, error: null };
    await emit("contacts-export-progressed", exported);
    await emit("import-progressed", step);
    await emit("import-finished", end);
    expect(exports).toEqual([exported]);
    expect(progress).toEqual([step]);
    expect(finished).toEqual([end]);
    stops.forEach((stop) => stop());
    await emit("import-progressed", step);
    expect(progress, "nothing after the unsubscribe").toHaveLength(1);
  });
});
