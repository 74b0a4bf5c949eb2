// The Audience backend over Tauri's IPC (part of tauriBackend in tauri.ts): each
// method one generated command of the app crate's `commands::audience`, each
// failure a BackendError, each event a generated `events.*.listen`.
import { commands, events } from "../bindings";
import type { AudienceBackend } from "./audience";
import { BackendError } from "./index";
import { unwrap } from "./unwrap";

/**
 * A command that cannot fail on the Rust side (it answers a plain value, not a
 * Result): only Tauri itself can reject it, and that too becomes a BackendError.
 */
async function plain<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw BackendError.from(error);
  }
}

export const tauriAudience: AudienceBackend = {
  contactsPage: (query) => unwrap(commands.contactsPage(query)),
  countContacts: (filter) => unwrap(commands.countContacts(filter)),
  audienceFacets: () => unwrap(commands.audienceFacets()),
  contactDetail: (id) => unwrap(commands.contactDetail(id)),
  recordConsent: (id, input) => unwrap(commands.recordConsent(id, input)),
  suppressNumber: (phone, reason) => unwrap(commands.suppressNumber(phone, reason)),
  unsuppressNumber: (phone) => unwrap(commands.unsuppressNumber(phone)),
  forgetContact: (id) => unwrap(commands.forgetContact(id)),

  listSegments: () => unwrap(commands.listSegments()),
  segmentCounts: (id) => unwrap(commands.segmentCounts(id)),
  createSegment: (name, filter) => unwrap(commands.createSegment(name, filter)),
  renameSegment: (id, name) => unwrap(commands.renameSegment(id, name)),
  updateSegmentFilter: (id, filter) => unwrap(commands.updateSegmentFilter(id, filter)),
  deleteSegment: async (id) => {
    await unwrap(commands.deleteSegment(id));
  },

  exportContacts: (filter, sort, path, delimiter) =>
    unwrap(commands.exportContacts(filter, sort, path, delimiter)),
  cancelContactsExport: () => plain(commands.cancelContactsExport()),
  onContactsExportProgressed: (handler) =>
    events.contactsExportProgressed.listen((event) => handler(event.payload)),
  addExampleAudience: () => unwrap(commands.addExampleAudience()),
  removeExampleAudience: () => unwrap(commands.removeExampleAudience()),

  previewImport: (path, layout) => unwrap(commands.previewImport(path, layout)),
  suggestImportMapping: (columns, sample) => plain(commands.suggestImportMapping(columns, sample)),
  importPresets: () => unwrap(commands.importPresets()),
  saveImportPreset: async (name, mapping) => {
    await unwrap(commands.saveImportPreset(name, mapping));
  },
  deleteImportPreset: (name) => unwrap(commands.deleteImportPreset(name)),
  startImport: (path, options) => unwrap(commands.startImport(path, options)),
  cancelImport: (importId) => plain(commands.cancelImport(importId)),
  onImportProgressed: (handler) =>
    events.importProgressed.listen((event) => handler(event.payload)),
  onImportFinished: (handler) => events.importFinished.listen((event) => handler(event.payload)),
  importReport: (importId) => unwrap(commands.importReport(importId)),
  importHistory: () => unwrap(commands.importHistory()),
  exportImportRejected: (importId, path) => unwrap(commands.exportImportRejected(importId, path)),
};
