// The backend inside the Cadence app: the generated commands over Tauri's IPC.
import { commands, events } from "../bindings";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open, save } from "@tauri-apps/plugin-dialog";
import { BackendError, type Backend } from "./index";
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
  notify: (title, body) => showNotification(title, body),
};

/** This window's one permission request: the user is asked once, not per notification. */
let notificationPermission: Promise<NotificationPermission> | undefined;

/**
 * A desktop notification through the Web Notification API, which WebKitGTK hands
 * to the desktop's notification service. WebKitGTK denies the permission unless
 * the app's webview grants it (Tauri's `on_permission_request` for
 * `PermissionKind::Notifications`). Refusals are `internal`: no code of the closed
 * set fits, and the caller (lib/notifications.ts) only logs them.
 */
async function showNotification(title: string, body: string): Promise<void> {
  if (typeof Notification === "undefined") {
    throw new BackendError("internal", "this window cannot show desktop notifications");
  }
  const permission =
    Notification.permission === "default"
      ? await (notificationPermission ??= Notification.requestPermission())
      : Notification.permission;
  if (permission !== "granted") {
    throw new BackendError("internal", "desktop notifications are not allowed for Cadence");
  }
  new Notification(title, { body });
}
