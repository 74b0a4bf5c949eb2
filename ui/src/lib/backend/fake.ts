// The test double: the backend's behaviour in memory, for unit tests that need no
// window. It keeps what the real one keeps (the chosen language) and can be told
// to fail the way the real one fails.
import type { Language, Preferences, WorkspaceInfo } from "../bindings";
import { BackendError, type Backend, type ErrorCode } from "./index";

export interface FakeBackend extends Backend {
  /** The language stored, as the database would hold it. */
  storedLanguage: Language | null;
  /** Makes the next calls of `method` fail with this code until cleared. */
  failing: Partial<Record<keyof Backend, { code: ErrorCode; message: string }>>;
}

export function createFakeBackend(
  options: { osLanguage?: Language; info?: Partial<WorkspaceInfo> } = {},
): FakeBackend {
  const osLanguage = options.osLanguage ?? "en";
  const listeners = new Set<(p: Preferences) => void>();
  const info: WorkspaceInfo = {
    name: "sandbox",
    mode: "sandbox",
    data_dir: "/tmp/cadence-test",
    database_path: "/tmp/cadence-test/workspaces/sandbox/cadence.sqlite3",
    log_dir: "/tmp/cadence-test/logs",
    schema_version: 20261125000001,
    app_version: "0.1.0",
    ...options.info,
  };

  const fake: FakeBackend = {
    storedLanguage: null,
    failing: {},
    async workspaceInfo() {
      check("workspaceInfo");
      return { ...info };
    },
    async preferences() {
      check("preferences");
      return preferences();
    },
    async setLanguage(language) {
      check("setLanguage");
      fake.storedLanguage = language;
      const next = preferences();
      listeners.forEach((listener) => listener(next));
      return next;
    },
    async onPreferencesChanged(handler) {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },
  };

  function preferences(): Preferences {
    return {
      language: fake.storedLanguage,
      effective_language: fake.storedLanguage ?? osLanguage,
    };
  }

  function check(method: keyof Backend) {
    const failure = fake.failing[method];
    if (failure) throw new BackendError(failure.code, failure.message);
  }

  return fake;
}
