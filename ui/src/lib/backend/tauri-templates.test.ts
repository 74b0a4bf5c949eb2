// The Tauri templates backend calls the generated commands by their Rust names
// with the Rust argument names, turns `{code, message}` into BackendError, and
// hears the `template-status-changed` event; tauriBackend.notify uses the Web
// Notification API. Tauri's IPC is mocked (@tauri-apps/api/mocks): no window.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Template, TemplateChange } from "../bindings";
import { BackendError } from "./index";
import { tauriBackend } from "./tauri";
import { tauriTemplates } from "./tauri-templates";

const template: Template = {
  name: "order_ready",
  language: "en",
  category: "UTILITY",
  parameter_format: "POSITIONAL",
  header: null,
  body: "Hello {{1}}",
  footer: null,
  buttons: [],
  body_examples: { "1": "Anna" },
};

let calls: { cmd: string; args: unknown }[];

beforeEach(() => {
  calls = [];
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "submit_template") {
        // What a refused command rejects with: the IpcError, as plain data.
        throw { code: "invalid_input", message: "the template cannot be submitted" };
      }
      if (cmd === "lint_rules") {
        return [{ rule: "spelling", severity: "warning", summary: "…", meta_rejects: false }];
      }
      return cmd === "delete_template" ? null : [];
    },
    { shouldMockEvents: true },
  );
});

afterEach(() => clearMocks());

describe("tauriTemplates", () => {
  it("calls each generated command with the Rust names", async () => {
    await tauriTemplates.listTemplates(null);
    await tauriTemplates.listTemplates({ archived: false });
    await tauriTemplates.getTemplate(7);
    await tauriTemplates.createDraft(template);
    await tauriTemplates.saveDraft(7, template);
    await tauriTemplates.duplicateTemplate(7);
    await tauriTemplates.setArchived(7, true);
    await expect(tauriTemplates.deleteTemplate(7)).resolves.toBeUndefined();
    await tauriTemplates.lintTemplate(template, "ru");
    await tauriTemplates.refreshTemplates();
    await tauriTemplates.lintSettings();
    await tauriTemplates.saveLintSettings({ emoji_max: 3 });
    await tauriTemplates.addToTeamDictionary("Cadence");
    expect(await tauriTemplates.lintRules("en")).toHaveLength(1);
    expect(calls).toEqual([
      { cmd: "list_templates", args: { filter: null } },
      { cmd: "list_templates", args: { filter: { archived: false } } },
      { cmd: "get_template", args: { id: 7 } },
      { cmd: "create_draft", args: { template } },
      { cmd: "save_draft", args: { id: 7, template } },
      { cmd: "duplicate_template", args: { id: 7 } },
      { cmd: "set_archived", args: { id: 7, archived: true } },
      { cmd: "delete_template", args: { id: 7 } },
      { cmd: "lint_template", args: { template, language: "ru" } },
      { cmd: "refresh_templates", args: {} },
      { cmd: "lint_settings", args: {} },
      { cmd: "save_lint_settings", args: { settings: { emoji_max: 3 } } },
      { cmd: "add_to_team_dictionary", args: { word: "Cadence" } },
      { cmd: "lint_rules", args: { language: "en" } },
    ]);
  });

  it("submits by id alone (the engine words refusals in the interface language)", async () => {
    const error = await tauriTemplates.submitTemplate(7).catch((e: unknown) => e);
    expect(calls).toEqual([{ cmd: "submit_template", args: { id: 7 } }]);
    expect(error, "the command's IpcError arrives as a BackendError").toBeInstanceOf(BackendError);
    expect(error).toMatchObject({
      code: "invalid_input",
      message: "the template cannot be submitted",
    });
  });

  it("hears template-status-changed until unsubscribed", async () => {
    const heard: TemplateChange[] = [];
    const stop = await tauriTemplates.onTemplateChanged((change) => heard.push(change));
    const change: TemplateChange = {
      id: 7,
      name: "order_ready",
      language: "en",
      status: "APPROVED",
      previous_status: "PENDING",
      quality: "UNKNOWN",
      previous_quality: null,
      rejection_reason: null,
      rejection_detail: null,
      at: "2026-11-25T10:00:00.000Z",
      source: "webhook",
    };
    await emit("template-status-changed", change);
    expect(heard).toEqual([change]);
    stop();
    await emit("template-status-changed", { ...change, status: "PAUSED" });
    expect(heard, "nothing after the unsubscribe").toHaveLength(1);
  });
});

describe("tauriBackend.notify", () => {
  const shown: { title: string; body?: string }[] = [];
  let answer: NotificationPermission = "granted";
  const requestPermission = vi.fn(async () => {
    FakeNotification.permission = answer;
    return answer;
  });
  class FakeNotification {
    static permission: NotificationPermission = "default";
    static requestPermission = requestPermission;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body });
    }
  }

  afterEach(() => vi.unstubAllGlobals());

  it("says why when the window has no Notification API", async () => {
    vi.stubGlobal("Notification", undefined);
    await expect(tauriBackend.notify("Template approved", "…")).rejects.toThrow(
      "this window cannot show desktop notifications",
    );
  });

  it("asks permission once, then shows each notification with its body", async () => {
    vi.stubGlobal("Notification", FakeNotification);
    await tauriBackend.notify("Template approved", "“order_ready” (en) can be sent.");
    await tauriBackend.notify("Template paused", "Meta paused it.");
    expect(requestPermission).toHaveBeenCalledTimes(1);
    expect(shown).toEqual([
      { title: "Template approved", body: "“order_ready” (en) can be sent." },
      { title: "Template paused", body: "Meta paused it." },
    ]);
  });

  it("refuses, without showing anything, when notifications are denied", async () => {
    answer = "denied";
    FakeNotification.permission = "denied";
    vi.stubGlobal("Notification", FakeNotification);
    shown.length = 0;
    const error = await tauriBackend.notify("Template rejected", "…").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).message).toContain("not allowed");
    expect(shown).toEqual([]);
  });
});
