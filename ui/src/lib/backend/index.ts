// The one door from the window to Cadence's backend. Screens call `backend()`
// and never `invoke` directly: the app runs with the Tauri implementation, unit
// tests with the in-memory double (fake.ts).
import type {
  ConnectionInput,
  ConnectionView,
  ErrorCode,
  Language,
  PhoneNumberStatus,
  Preferences,
  WorkspaceInfo,
  WorkspaceSummary,
} from "../bindings";

import type { AudienceBackend } from "./audience";
import type { TemplatesBackend } from "./templates";

// Screens take every DTO type from here, the one door to the backend.
export type * from "../bindings";

export interface Backend extends TemplatesBackend, AudienceBackend {
  workspaceInfo(): Promise<WorkspaceInfo>;
  preferences(): Promise<Preferences>;
  /** `null` follows the OS language again. */
  setLanguage(language: Language | null): Promise<Preferences>;
  /** Calls `handler` whenever the preferences change; returns the unsubscribe. */
  onPreferencesChanged(handler: (preferences: Preferences) => void): Promise<() => void>;
  listWorkspaces(): Promise<WorkspaceSummary[]>;
  /** Closes the open workspace and opens `name`. */
  switchWorkspace(name: string): Promise<WorkspaceInfo>;
  /** A new workspace for a real WhatsApp Business account, switched to. */
  createLiveWorkspace(name: string): Promise<WorkspaceInfo>;
  connection(): Promise<ConnectionView>;
  saveConnection(input: ConnectionInput): Promise<ConnectionView>;
  testConnection(): Promise<PhoneNumberStatus>;
  /** The native open dialog: the chosen file's path, or `null` when cancelled. */
  pickFile(options: FileDialogOptions): Promise<string | null>;
  /** The native save dialog: the chosen path, or `null` when cancelled. */
  pickSavePath(options: FileDialogOptions & { defaultName?: string }): Promise<string | null>;
  /** Calls `handler` with the paths of files dropped on the window; returns the unsubscribe. */
  onFileDrop(handler: (paths: string[]) => void): Promise<() => void>;
  /**
   * Shows a desktop notification (asking the OS's permission the first time).
   * Rejects when the window cannot show one or the user turned them off.
   */
  notify(title: string, body: string): Promise<void>;
}

/** What a native file dialog shows. */
export interface FileDialogOptions {
  title: string;
  /** e.g. `[{ name: "CSV", extensions: ["csv", "txt"] }]` */
  filters: { name: string; extensions: string[] }[];
}

/** An error from the backend: a code from a closed set and a message for people. */
export class BackendError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }

  /** Anything thrown, as a BackendError (unknown failures are `internal`). */
  static from(error: unknown): BackendError {
    if (error instanceof BackendError) return error;
    if (error && typeof error === "object" && "code" in error && "message" in error) {
      const { code, message } = error as { code: ErrorCode; message: string };
      return new BackendError(code, String(message));
    }
    const message = error instanceof Error ? error.message : String(error);
    return new BackendError("internal", message);
  }
}

let current: Backend | undefined;

/** Chooses the backend; main.ts does it once, tests once per test. */
export function useBackend(backend: Backend): void {
  current = backend;
}

/** The backend chosen with useBackend. */
export function backend(): Backend {
  if (!current) throw new Error("no backend: call useBackend() before mounting the app");
  return current;
}
