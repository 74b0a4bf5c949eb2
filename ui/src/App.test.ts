// The shell against the backend's test double: no window needed.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import { useBackend } from "./lib/backend";
import { createFakeBackend, type FakeBackend } from "./lib/backend/fake";
import { setLanguage } from "./lib/i18n/index.svelte";
import { navigate } from "./lib/router.svelte";

let target: HTMLElement;
let app: ReturnType<typeof mount> | undefined;

const $ = (testid: string) => target.querySelector(`[data-testid="${testid}"]`);

async function settle() {
  // Let the backend's promises resolve, then Svelte apply the updates.
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
  flushSync();
}

function start(fake: FakeBackend) {
  useBackend(fake);
  app = mount(App, { target });
}

beforeEach(() => {
  setLanguage("en");
  navigate("templates");
  target = document.createElement("div");
  document.body.append(target);
});

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  target.remove();
});

describe("the shell", () => {
  it("shows the loading state, then the workspace with its sandbox badge", async () => {
    start(createFakeBackend());
    expect(target.textContent).toContain("Loading…");
    await settle();
    expect($("workspace-name")?.textContent).toBe("sandbox");
    expect($("mode-badge")?.textContent?.trim()).toBe("Sandbox");
    expect($("screen-title")?.textContent).toBe("Templates");
    expect($("templates-screen")).not.toBeNull();
  });

  it("marks a live workspace as Live", async () => {
    start(createFakeBackend({ info: { mode: "live", name: "acme" } }));
    await settle();
    expect($("mode-badge")?.textContent?.trim()).toBe("Live");
  });

  it("opens the screen the navigation names and marks it current", async () => {
    start(createFakeBackend());
    await settle();
    navigate("quality");
    flushSync();
    expect($("screen-quality")).not.toBeNull();
    expect($("screen-title")?.textContent).toBe("Quality");
    expect($("nav-quality")?.getAttribute("aria-current")).toBe("page");
    expect($("nav-templates")?.getAttribute("aria-current")).toBeNull();
  });

  it("opens in the OS language until the user chooses", async () => {
    start(createFakeBackend({ osLanguage: "ru" }));
    await settle();
    expect($("nav-templates")?.textContent).toBe("Шаблоны");
  });

  it("switches language from Settings at once and stores the choice", async () => {
    const fake = createFakeBackend();
    start(fake);
    await settle();
    navigate("settings");
    flushSync();
    const select = $("language-select") as HTMLSelectElement;
    expect(select.value).toBe("system");
    select.value = "ru";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(fake.storedLanguage, "the choice reaches the backend, which persists it").toBe("ru");
    expect($("nav-templates")?.textContent).toBe("Шаблоны");
    expect($("screen-title")?.textContent).toBe("Настройки");
  });

  it("shows Settings' workspace facts", async () => {
    start(createFakeBackend());
    await settle();
    navigate("settings");
    flushSync();
    expect($("settings-database-path")?.textContent).toBe(
      "/tmp/cadence-test/workspaces/sandbox/cadence.sqlite3",
    );
    expect($("settings-version")?.textContent).toBe("0.1.0");
  });

  it("shows a backend error by its code in the UI language, and retries", async () => {
    const fake = createFakeBackend({ osLanguage: "ru" });
    fake.failing.workspaceInfo = { code: "storage", message: "database is locked" };
    start(fake);
    await settle();
    const panel = $("error-panel");
    expect(panel?.getAttribute("data-code")).toBe("storage");
    expect(panel?.textContent).toContain("database is locked");
    expect(panel?.textContent).toContain("Не удалось открыть базу данных");

    delete fake.failing.workspaceInfo;
    (panel?.querySelector("button") as HTMLButtonElement).click();
    await settle();
    expect($("error-panel")).toBeNull();
    expect($("workspace-name")?.textContent).toBe("sandbox");
  });

  it("keeps the old language and says why when storing the choice fails", async () => {
    const fake = createFakeBackend();
    start(fake);
    await settle();
    navigate("settings");
    flushSync();
    fake.failing.setLanguage = { code: "storage", message: "disk I/O error" };
    const select = $("language-select") as HTMLSelectElement;
    select.value = "ru";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect($("error-panel")?.textContent).toContain("disk I/O error");
    expect($("nav-templates")?.textContent, "nothing changed: the choice was not stored").toBe(
      "Templates",
    );
  });
});

describe("Settings → Connection", () => {
  async function openSettings(fake: FakeBackend) {
    start(fake);
    await settle();
    navigate("settings");
    flushSync();
    await settle();
  }

  function type(testid: string, value: string) {
    const input = $(testid) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function click(testid: string) {
    ($(testid) as HTMLButtonElement).click();
    await settle();
  }

  it("shows the sandbox as connected and tests it", async () => {
    await openSettings(createFakeBackend());
    expect($("connection-sandbox")?.textContent).toContain("offline sandbox");
    expect($("connection-receiver")?.textContent).toContain("Listening at http://127.0.0.1:40000");
    await click("connection-test");
    expect($("connection-result")?.textContent).toContain("Connected");
    expect($("connection-quality")?.textContent).toBe("Green: high quality");
    expect($("connection-limit")?.textContent).toBe("2,000 people a day");
  });

  it("creates a live workspace, which the badge and switcher then show", async () => {
    const fake = createFakeBackend();
    await openSettings(fake);
    type("new-live-name", "acme");
    flushSync();
    await click("new-live-create");
    await settle();
    expect($("mode-badge")?.textContent?.trim()).toBe("Live");
    const switcher = $("workspace-select") as HTMLSelectElement;
    expect([...switcher.options].map((o) => o.textContent?.trim())).toEqual([
      "sandbox (Sandbox)",
      "acme (Live)",
    ]);
    expect($("connection-waba_id"), "a live workspace has the account form").not.toBeNull();
  });

  it("refuses a bad live workspace name with the backend's reason", async () => {
    await openSettings(createFakeBackend());
    type("new-live-name", "Not Valid");
    flushSync();
    await click("new-live-create");
    expect($("error-panel")?.getAttribute("data-code")).toBe("invalid_input");
    expect($("mode-badge")?.textContent?.trim(), "nothing switched").toBe("Sandbox");
  });

  it("saves a live connection, never shows secrets back, and shows Meta's refusal word for word", async () => {
    const fake = createFakeBackend();
    await fake.createLiveWorkspace("acme");
    await openSettings(fake);

    type("connection-waba_id", "102290129340398");
    type("connection-phone_number_id", "106540352242922");
    type("connection-access_token", "bogus-token");
    type("connection-app_secret", "s3cret");
    type("connection-verify_token", "verify");
    flushSync();
    await click("connection-save");
    expect($("connection-saved")).not.toBeNull();
    const token = $("connection-access_token") as HTMLInputElement;
    expect(token.value, "a saved secret is not kept in the form").toBe("");
    expect(token.placeholder).toContain("OS keyring");
    expect(
      ($("connection-api_version") as HTMLInputElement).value,
      "the form shows what was saved, defaults included",
    ).toBe("v23.0");
    expect($("connection-receiver")?.textContent).toContain("Listening at");

    await click("connection-test");
    const panel = $("error-panel");
    expect(panel?.getAttribute("data-code")).toBe("meta_api");
    expect(panel?.textContent).toContain("Invalid OAuth access token");
    expect(panel?.textContent).toContain("Meta refused the request");
  });

  it("says in the user's language why the receiver is not listening", async () => {
    const fake = createFakeBackend({ osLanguage: "ru" });
    await fake.createLiveWorkspace("acme");
    await openSettings(fake);
    expect($("connection-receiver")?.textContent).toBe(
      "Не принимает: сначала сохраните подключение",
    );
  });

  it("names the wrong field when saving fails", async () => {
    const fake = createFakeBackend();
    await fake.createLiveWorkspace("acme");
    await openSettings(fake);
    type("connection-waba_id", "abc");
    type("connection-phone_number_id", "1");
    flushSync();
    await click("connection-save");
    expect($("error-panel")?.textContent).toContain("WABA id");
    expect($("connection-saved")).toBeNull();
  });
});
