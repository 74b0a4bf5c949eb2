// The Templates backend over Tauri's IPC (part of tauriBackend in tauri.ts): each
// method one generated command, each failure a BackendError.
import { commands, events } from "../bindings";
import { BackendError } from "./index";
import type { TemplatesBackend } from "./templates";
import { unwrap } from "./unwrap";

export const tauriTemplates: TemplatesBackend = {
  listTemplates: (filter) => unwrap(commands.listTemplates(filter)),
  getTemplate: (id) => unwrap(commands.getTemplate(id)),
  createDraft: (template) => unwrap(commands.createDraft(template)),
  saveDraft: (id, template) => unwrap(commands.saveDraft(id, template)),
  duplicateTemplate: (id) => unwrap(commands.duplicateTemplate(id)),
  setArchived: (id, archived) => unwrap(commands.setArchived(id, archived)),
  deleteTemplate: async (id) => {
    await unwrap(commands.deleteTemplate(id));
  },
  lintTemplate: (template, language) => unwrap(commands.lintTemplate(template, language)),
  submitTemplate: (id) => unwrap(commands.submitTemplate(id)),
  refreshTemplates: () => unwrap(commands.refreshTemplates()),
  lintSettings: () => unwrap(commands.lintSettings()),
  saveLintSettings: (settings) => unwrap(commands.saveLintSettings(settings)),
  addToTeamDictionary: (word) => unwrap(commands.addToTeamDictionary(word)),
  // The one command that cannot fail on the Rust side (no Result): only Tauri
  // itself can reject it, and that too arrives as a BackendError.
  lintRules: (language) =>
    commands.lintRules(language).catch((error: unknown) => {
      throw BackendError.from(error);
    }),
  onTemplateChanged: (handler) =>
    events.templateStatusChanged.listen((event) => handler(event.payload)),
};
