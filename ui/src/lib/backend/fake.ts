// The test double: the backend's behaviour in memory, for unit tests that need no
// window. It keeps what the real one keeps (the chosen language, workspaces, the
// saved connection) and refuses what the real one refuses, with the same codes.
import type {
  ConnectionInput,
  ConnectionView,
  Language,
  PhoneNumberStatus,
  Preferences,
  WorkspaceInfo,
  WorkspaceMode,
  WorkspaceSummary,
} from "../bindings";
import { fakeAudience } from "./fake-audience";
import { fakeTemplates } from "./fake-templates";
import { BackendError, type Backend, type ErrorCode } from "./index";

export interface FakeBackend extends Backend {
  /** The language stored, as the database would hold it. */
  storedLanguage: Language | null;
  /** Makes the calls of `method` fail with this code until cleared. */
  failing: Partial<Record<keyof Backend, { code: ErrorCode; message: string }>>;
  /** The access tokens Meta (the fake) accepts for live workspaces. */
  validTokens: Set<string>;
  /** What the next open or save dialog answers (`null`: the user cancels). */
  dialogAnswer: string | null;
  /** Drops files on the window, as the user would. */
  dropFiles(paths: string[]): void;
  /** The desktop notifications shown, oldest first. */
  notifications: { title: string; body: string }[];
}

interface FakeWorkspace {
  mode: WorkspaceMode;
  connection: ConnectionInput | null;
}

const SANDBOX_STATUS: PhoneNumberStatus = {
  phone_number_id: "106540352242922",
  display_phone_number: "+1 555 078 3881",
  verified_name: "Cadence Sandbox",
  quality_rating: "GREEN",
  throughput_level: "STANDARD",
  messaging_limit: "TIER_2K",
};

export function createFakeBackend(
  options: { osLanguage?: Language; info?: Partial<WorkspaceInfo> } = {},
): FakeBackend {
  const osLanguage = options.osLanguage ?? "en";
  const listeners = new Set<(p: Preferences) => void>();
  const dropListeners = new Set<(paths: string[]) => void>();
  const workspaces = new Map<string, FakeWorkspace>([
    ["sandbox", { mode: "sandbox", connection: null }],
  ]);
  let current = "sandbox";
  const baseInfo = {
    data_dir: "/tmp/cadence-test",
    log_dir: "/tmp/cadence-test/logs",
    schema_version: 20261125000003,
    app_version: "0.1.0",
  };
  let infoOverride = options.info ?? {};

  function info(): WorkspaceInfo {
    return {
      ...baseInfo,
      name: current,
      mode: workspaces.get(current)!.mode,
      database_path: `/tmp/cadence-test/workspaces/${current}/cadence.sqlite3`,
      ...infoOverride,
    };
  }

  function view(): ConnectionView {
    const workspace = workspaces.get(current)!;
    if (workspace.mode === "sandbox") {
      return {
        mode: "sandbox",
        settings: {
          waba_id: "102290129340398",
          phone_number_id: SANDBOX_STATUS.phone_number_id,
          app_id: null,
          api_version: "v23.0",
          webhook_listen: "127.0.0.1:40000",
          access_token_saved: true,
          app_secret_saved: true,
          verify_token_saved: true,
        },
        sandbox_url: "http://127.0.0.1:40001",
        receiver: { url: "http://127.0.0.1:40000/webhooks/whatsapp", problem: null },
      };
    }
    const c = workspace.connection;
    return {
      mode: "live",
      settings: c && {
        waba_id: c.waba_id,
        phone_number_id: c.phone_number_id,
        app_id: c.app_id,
        api_version: c.api_version ?? "v23.0",
        webhook_listen: c.webhook_listen ?? "127.0.0.1:8787",
        access_token_saved: !!c.access_token,
        app_secret_saved: !!c.app_secret,
        verify_token_saved: !!c.verify_token,
      },
      sandbox_url: null,
      receiver:
        c?.app_secret && c.verify_token
          ? {
              url: `http://${c.webhook_listen ?? "127.0.0.1:8787"}/webhooks/whatsapp`,
              problem: null,
            }
          : { url: null, problem: { kind: c ? "missing_app_secret" : "not_connected" } },
    };
  }

  const fake: FakeBackend = {
    ...fakeTemplates(check, () => preferences().effective_language),
    ...fakeAudience(check, {
      language: () => preferences().effective_language,
      mode: () => info().mode,
    }),
    storedLanguage: null,
    failing: {},
    validTokens: new Set(),
    dialogAnswer: null,
    notifications: [],
    async notify(title, body) {
      check("notify");
      fake.notifications.push({ title, body });
    },
    dropFiles(paths) {
      dropListeners.forEach((listener) => listener(paths));
    },
    async pickFile() {
      check("pickFile");
      return fake.dialogAnswer;
    },
    async pickSavePath() {
      check("pickSavePath");
      return fake.dialogAnswer;
    },
    async onFileDrop(handler) {
      dropListeners.add(handler);
      return () => dropListeners.delete(handler);
    },
    async workspaceInfo() {
      check("workspaceInfo");
      return info();
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
    async listWorkspaces(): Promise<WorkspaceSummary[]> {
      check("listWorkspaces");
      return [...workspaces].map(([name, w]) => ({ name, mode: w.mode, readable: true }));
    },
    async switchWorkspace(name) {
      check("switchWorkspace");
      if (!workspaces.has(name)) throw new BackendError("invalid_input", `no workspace ${name}`);
      current = name;
      infoOverride = {};
      return info();
    },
    async createLiveWorkspace(name) {
      check("createLiveWorkspace");
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
        throw new BackendError("invalid_input", `invalid workspace name ${JSON.stringify(name)}`);
      }
      if (workspaces.has(name)) {
        throw new BackendError("invalid_input", `a workspace named "${name}" already exists`);
      }
      workspaces.set(name, { mode: "live", connection: null });
      return fake.switchWorkspace(name);
    },
    async connection() {
      check("connection");
      return view();
    },
    async saveConnection(input) {
      check("saveConnection");
      const workspace = workspaces.get(current)!;
      if (workspace.mode === "sandbox") {
        throw new BackendError("invalid_input", "the sandbox workspace's connection is fixed");
      }
      if (!/^\d+$/.test(input.waba_id.trim())) {
        throw new BackendError("invalid_input", "WABA id: Meta's ids are digits only");
      }
      if (!/^\d+$/.test(input.phone_number_id.trim())) {
        throw new BackendError("invalid_input", "phone number id: Meta's ids are digits only");
      }
      const previous = workspace.connection;
      const keep = (value: string | null, old: string | null | undefined) =>
        value?.trim() ? value.trim() : (old ?? null);
      workspace.connection = {
        ...input,
        access_token: keep(input.access_token, previous?.access_token),
        app_secret: keep(input.app_secret, previous?.app_secret),
        verify_token: keep(input.verify_token, previous?.verify_token),
      };
      return view();
    },
    async testConnection() {
      check("testConnection");
      const workspace = workspaces.get(current)!;
      if (workspace.mode === "sandbox") return { ...SANDBOX_STATUS };
      const c = workspace.connection;
      if (!c) throw new BackendError("invalid_input", "no connection is saved");
      if (!c.access_token || !fake.validTokens.has(c.access_token)) {
        throw new BackendError(
          "meta_api",
          "Meta answered: Invalid OAuth access token - Cannot parse access token (code 190)",
        );
      }
      return { ...SANDBOX_STATUS, phone_number_id: c.phone_number_id };
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
