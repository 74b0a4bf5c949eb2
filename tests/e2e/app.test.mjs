// End-to-end tests of the real Cadence window.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { expectText, saveShot, startDriver, startSandbox, tempDataDir } from "./support.mjs";

const screens = [
  ["templates", "Templates"],
  ["audience", "Audience"],
  ["campaigns", "Campaigns"],
  ["ab-tests", "A/B tests"],
  ["quality", "Quality"],
  ["reports", "Reports"],
  ["settings", "Settings"],
];

describe("Cadence in an English session", () => {
  const dataDir = tempDataDir();
  let driver;
  let app;

  before(async () => {
    driver = await startDriver({ CADENCE_DATA_DIR: dataDir });
    app = await driver.launch();
  });

  after(async () => {
    await app?.deleteSession().catch(() => {});
    await driver?.stop();
  });

  test("the window opens as Cadence in the sandbox workspace", async () => {
    assert.equal(await app.getTitle(), "Cadence", "the window is titled after the product");
    await expectText(
      await app.$('[data-testid="mode-badge"]'),
      "Sandbox",
      "a new workspace talks to the sandbox and says so",
    );
    await expectText(
      await app.$('[data-testid="workspace-name"]'),
      "sandbox",
      "the default workspace",
    );
  });

  test("each navigation entry opens its screen", async () => {
    for (const [id, title] of screens) {
      await (await app.$(`[data-testid="nav-${id}"]`)).click();
      const screen = await app.$(`[data-testid="screen-${id}"]`);
      await screen.waitForExist({ timeout: 5000 });
      await expectText(
        await screen.$('[data-testid="screen-title"]'),
        title,
        `the ${id} screen's heading`,
      );
      if (!["settings", "templates", "audience"].includes(id)) {
        const line = await (await screen.$('[data-testid="not-built"]')).getText();
        assert.match(line, /not built yet/, `${id} says plainly that it is not built yet`);
      }
    }
  });

  test("the database lives in CADENCE_DATA_DIR and Settings shows it", async () => {
    const database = join(dataDir, "workspaces", "sandbox", "cadence.sqlite3");
    assert.ok(existsSync(database), `the app created its database at ${database}`);
    assert.ok(statSync(database).size > 0, "the database holds the migrated schema");
    await (await app.$('[data-testid="nav-settings"]')).click();
    await expectText(
      await app.$('[data-testid="settings-database-path"]'),
      database,
      "Settings shows the database path",
    );
    await saveShot(app, "settings-en");
  });

  test("the language switch changes the text at once and persists across a restart", async () => {
    await (await app.$('[data-testid="nav-settings"]')).click();
    const select = await app.$('[data-testid="language-select"]');
    await select.selectByAttribute("value", "ru");
    await expectText(
      await app.$('[data-testid="nav-templates"]'),
      "Шаблоны",
      "the navigation switched to Russian",
    );
    await expectText(
      await app.$('[data-testid="screen-title"]'),
      "Настройки",
      "the open screen switched too",
    );
    await saveShot(app, "settings-ru");

    await app.deleteSession();
    app = await driver.launch();
    await expectText(
      await app.$('[data-testid="nav-templates"]'),
      "Шаблоны",
      "the chosen language is stored in the workspace and comes back after a restart",
    );

    await (await app.$('[data-testid="nav-settings"]')).click();
    await (await app.$('[data-testid="language-select"]')).selectByAttribute("value", "en");
    await expectText(
      await app.$('[data-testid="nav-templates"]'),
      "Templates",
      "switching back works",
    );
  });
});

describe("Cadence in a Russian session", () => {
  let driver;
  let app;

  before(async () => {
    driver = await startDriver({ CADENCE_DATA_DIR: tempDataDir(), LANG: "ru_RU.UTF-8" });
    app = await driver.launch();
  });

  after(async () => {
    await app?.deleteSession().catch(() => {});
    await driver?.stop();
  });

  test("the OS locale picks Russian until the user chooses", async () => {
    await expectText(
      await app.$('[data-testid="nav-templates"]'),
      "Шаблоны",
      "a Russian OS opens Cadence in Russian",
    );
    await expectText(
      await app.$('[data-testid="mode-badge"]'),
      "Песочница",
      "the badge speaks Russian too",
    );
  });
});

describe("Cadence with an unusable data folder", () => {
  let driver;
  let app;
  const notAFolder = join(tempDataDir(), "not-a-folder");

  before(async () => {
    writeFileSync(notAFolder, "a file where the data folder should be");
    driver = await startDriver({ CADENCE_DATA_DIR: notAFolder });
    app = await driver.launch();
  });

  after(async () => {
    await app?.deleteSession().catch(() => {});
    await driver?.stop();
  });

  test("the window still opens and explains the problem instead of vanishing", async () => {
    const panel = await app.$('[data-testid="error-panel"]');
    await panel.waitForDisplayed({ timeout: 10000 });
    assert.equal(await panel.getAttribute("data-code"), "io", "a folder problem is an io error");
    const text = await panel.getText();
    assert.match(text, /A file or folder could not be used/, "the title says what kind of problem");
    assert.ok(text.includes(notAFolder), `the message names the folder: ${text}`);
  });
});

describe("Connecting WhatsApp", () => {
  const dataDir = tempDataDir();
  let meta;
  let driver;
  let app;

  before(async () => {
    // A stand-in for graph.facebook.com: the sandbox binary answers like Meta,
    // including Meta's refusal of an unknown access token.
    meta = await startSandbox();
    driver = await startDriver({ CADENCE_DATA_DIR: dataDir, CADENCE_GRAPH_URL: meta.url });
    app = await driver.launch();
  });

  after(async () => {
    await app?.deleteSession().catch(() => {});
    await driver?.stop();
    await meta?.stop();
  });

  const byId = (id) => app.$(`[data-testid="${id}"]`);

  test("the sandbox workspace is connected out of the box", async () => {
    await (await byId("nav-settings")).click();
    await (await byId("connection-sandbox")).waitForDisplayed({ timeout: 10000 });
    await (await byId("connection-test")).click();
    const result = await byId("connection-result");
    await result.waitForDisplayed({ timeout: 10000 });
    assert.match(await result.getText(), /Connected/, "the in-process sandbox answers");
    await expectText(
      await byId("connection-quality"),
      "Green: high quality",
      "a new sandbox number is GREEN, in words",
    );
    await saveShot(app, "connection-sandbox");
  });

  test("a bogus real account shows Meta's own error, and its secrets stay out of the database", async () => {
    await (await byId("new-live-name")).setValue("acme");
    await (await byId("new-live-create")).click();
    await expectText(await byId("mode-badge"), "Live", "a real account's workspace is marked Live");

    await (await byId("connection-waba_id")).waitForDisplayed({ timeout: 10000 });
    await (await byId("connection-waba_id")).setValue("102290129340398");
    await (await byId("connection-phone_number_id")).setValue("106540352242922");
    await (await byId("connection-access_token")).setValue("EAAG-bogus-e2e-token");
    await (await byId("connection-app_secret")).setValue("e2e-app-secret-value");
    await (await byId("connection-verify_token")).setValue("e2e-verify-token");
    await (await byId("connection-webhook_listen")).setValue("127.0.0.1:0");
    await (await byId("connection-save")).click();
    await (await byId("connection-saved")).waitForDisplayed({ timeout: 10000 });
    assert.match(
      await (await byId("connection-receiver")).getText(),
      /Listening at http:\/\/127\.0\.0\.1:\d+\/webhooks\/whatsapp/,
      "with the app secret and verify token saved, the webhook receiver runs",
    );

    await (await byId("connection-test")).click();
    const panel = await byId("error-panel");
    await panel.waitForDisplayed({ timeout: 15000 });
    assert.equal(
      await panel.getAttribute("data-code"),
      "meta_api",
      "Meta refused, the app did not crash",
    );
    assert.match(
      await panel.getText(),
      /Invalid OAuth access token/,
      "Meta's words reach the user",
    );
    await saveShot(app, "connection-bogus");

    const database = join(dataDir, "workspaces", "acme", "cadence.sqlite3");
    for (const file of [database, `${database}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file).toString("latin1");
      for (const secret of ["EAAG-bogus-e2e-token", "e2e-app-secret-value", "e2e-verify-token"]) {
        assert.ok(!bytes.includes(secret), `${secret} must live in the keyring, never in ${file}`);
      }
    }
  });

  test("switching back to the sandbox is explicit and visible", async () => {
    await (await byId("workspace-select")).selectByAttribute("value", "sandbox");
    await expectText(await byId("mode-badge"), "Sandbox", "the badge follows the switch");
    await (await byId("connection-sandbox")).waitForDisplayed({ timeout: 10000 });
  });
});
