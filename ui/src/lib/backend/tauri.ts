// The backend inside the Cadence app: the generated commands over Tauri's IPC.
import { commands, events } from "../bindings";
import { BackendError, type Backend } from "./index";

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

/** Turns a command's result object into a value or a thrown BackendError. */
async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (error) {
    // Tauri itself failed (unknown command, bad argument): not one of our codes.
    throw BackendError.from(error);
  }
  if (outcome.status === "error") throw BackendError.from(outcome.error);
  return outcome.data;
}

export const tauriBackend: Backend = {
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
};
