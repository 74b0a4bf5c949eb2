// The backend inside the Cadence app: the generated commands over Tauri's IPC.
import { commands, events } from "../bindings";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open, save } from "@tauri-apps/plugin-dialog";
import { type Backend } from "./index";
import { unwrap } from "./unwrap";
import { tauriAudience } from "./tauri-audience";
import { tauriTemplates } from "./tauri-templates";

export const tauriBackend: Backend = {
  ...tauriTemplates,
  ...tauriAudience,
  workspaceInfo: () => unwrap(commands.workspaceInfo()),
  preferences: () => unwrap(commands.preferences()),
  setLanguage: (language) => unwrap(commands.setLanguage(language)),
  onPreferencesChanged: (handler) =>
    events.preferencesChanged.listen((event) => handler(event.payload)),
  listWorkspaces: () => unwrap(commands.listWorkspaces()),
  switchWorkspace: (name) => unwrap(commands.switchWorkspace(name)),
  createLiveWorkspace: (name) => unwrap(commands.createLiveWorkspace(name)),
  connection: () => unwrap(commands.connection()),
  saveConnection: (input) => unwrap(commands.saveConnection(input)),
  testConnection: () => unwrap(commands.testConnection()),
  pickFile: async ({ title, filters }) => {
    const chosen = await open({ title, filters, multiple: false, directory: false });
    return typeof chosen === "string" ? chosen : null;
  },
  pickSavePath: async ({ title, filters, defaultName }) =>
    (await save({ title, filters, defaultPath: defaultName })) ?? null,
  onFileDrop: (handler) =>
    getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type === "drop") handler(event.payload.paths);
    }),
};
