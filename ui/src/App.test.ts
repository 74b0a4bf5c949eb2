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
    expect($("not-built")?.textContent).toContain("not built yet");
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
