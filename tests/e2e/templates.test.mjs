// End-to-end: the template studio in the real window, against the in-process
// sandbox. An author types a body that breaks Meta's rules, sees the findings,
// fixes them with one click each, watches the preview follow, submits, and sees
// the sandbox's verdict: APPROVED, and for a scripted name, REJECTED with Meta's
// reason.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { expectText, saveShot, startDriver, tempDataDir } from "./support.mjs";

const REJECTED_NAME = "spring_offer_rejected";

/** Sets a text field as typing would (value, then the input event Svelte listens to). */
async function typeInto(app, testId, text) {
  const field = await app.$(`[data-testid="${testId}"]`);
  await field.waitForDisplayed({ timeout: 10000 });
  await field.click();
  // WebKitWebDriver cannot type characters outside the BMP (emoji), so the
  // text goes in through the DOM with the same input event a keystroke fires.
  await app.execute(
    (id, value) => {
      const element = document.querySelector(`[data-testid="${id}"]`);
      element.value = value;
      element.dispatchEvent(new Event("input", { bubbles: true }));
    },
    testId,
    text,
  );
}

/** The rule ids of the findings listed under the editor. */
async function findingRules(app) {
  const findings = await app.$$('[data-testid="finding"]');
  const rules = [];
  for (const finding of findings) rules.push(await finding.getAttribute("data-rule"));
  return rules;
}

async function waitForRules(app, predicate, why) {
  let seen = [];
  try {
    await app.waitUntil(
      async () => {
        seen = await findingRules(app);
        return predicate(seen);
      },
      { timeout: 15000 },
    );
  } catch {
    throw new Error(`${why}: findings were ${JSON.stringify(seen)}`);
  }
  return seen;
}

/** Scrolls `element` to the middle of its scrolling column and clicks it. */
async function clickInView(element) {
  await element.scrollIntoView({ block: "center" });
  await element.click();
}

/** Waits until no lint is running and the draft is saved (the submit button is settled). */
async function waitForLintIdle(app) {
  await app.waitUntil(
    async () =>
      app.execute(() => {
        const list = document.querySelector('[data-testid="findings"]');
        const submit = document.querySelector('[data-testid="submit"]');
        return list?.getAttribute("aria-busy") !== "true" && submit && !submit.disabled;
      }),
    { timeout: 15000, timeoutMsg: "the findings are current and submit is enabled" },
  );
}

/** Clicks Submit (found and clicked in one step: the header re-renders as lints finish). */
async function clickSubmit(app) {
  await app.execute(() => document.querySelector('[data-testid="submit"]').click());
}

/** Clicks the quick fix of the first finding of `rule`, once the list is current. */
async function applyFix(app, rule) {
  await app.waitUntil(
    async () =>
      app.execute((wanted) => {
        const list = document.querySelector('[data-testid="findings"]');
        const finding = document.querySelector(`[data-testid="finding"][data-rule="${wanted}"]`);
        const fix = finding?.querySelector('[data-testid="finding-fix"]');
        return list?.getAttribute("aria-busy") !== "true" && fix && !fix.disabled;
      }, rule),
    { timeout: 10000, timeoutMsg: `the ${rule} finding offers a fix that applies` },
  );
  // Found and clicked in one step: the list is re-rendered after every lint.
  await app.execute((wanted) => {
    const finding = document.querySelector(`[data-testid="finding"][data-rule="${wanted}"]`);
    const fix = finding.querySelector('[data-testid="finding-fix"]');
    fix.scrollIntoView({ block: "center" });
    fix.click();
  }, rule);
}

async function statusOf(app) {
  const chip = await app.$('[data-testid="editor"] [data-testid="status-chip"]');
  return (await chip.isExisting()) ? chip.getText() : null;
}

async function waitForStatus(app, expected, why) {
  let seen;
  try {
    await app.waitUntil(
      async () => {
        seen = await statusOf(app);
        return seen === expected;
      },
      { timeout: 30000, interval: 300 },
    );
  } catch {
    await saveShot(app, `templates-status-${expected.toLowerCase()}-failed`);
    throw new Error(`${why}: expected status ${expected}, saw ${seen}`);
  }
}

describe("the template studio", () => {
  const dataDir = tempDataDir();
  let driver;
  let app;

  before(async () => {
    // The sandbox reviews in a second, and rejects one name as Meta would a
    // template whose content does not match its category.
    const profile = join(dataDir, "sandbox-profile.json");
    writeFileSync(
      profile,
      JSON.stringify({
        review: { delay_ms: 1000, reject_names: { [REJECTED_NAME]: "TAG_CONTENT_MISMATCH" } },
      }),
    );
    driver = await startDriver({ CADENCE_DATA_DIR: dataDir, CADENCE_SANDBOX_PROFILE: profile });
    app = await driver.launch();
    await (await app.$('[data-testid="nav-templates"]')).click();
    await (await app.$('[data-testid="templates-screen"]')).waitForExist({ timeout: 10000 });
  });

  after(async () => {
    await app?.deleteSession().catch(() => {});
    await driver?.stop();
  });

  test("a new sandbox workspace comes with example templates", async () => {
    const rows = await app.$$('[data-testid="template-row"]');
    assert.ok(rows.length >= 4, `the example templates are listed (saw ${rows.length})`);
  });

  test("findings appear as the author types, and the fixes clear them", async () => {
    await (await app.$('[data-testid="template-new"]')).click();
    await (await app.$('[data-testid="field-name"]')).waitForDisplayed({ timeout: 10000 });
    await typeInto(app, "field-name", "spring_offer");
    await typeInto(
      app,
      "field-body",
      "{{1}}, you recently looked at our spring range 🎉🎁🔥 As our customer, you get 10% off this week.",
    );
    const rules = await waitForRules(
      app,
      (seen) => seen.includes("body-variable-at-start") && seen.includes("emoji-count"),
      "a variable at the start and three emoji are both found",
    );
    assert.ok(rules.includes("opt-out-missing"), `no way to opt out is found too: ${rules}`);
    await saveShot(app, "templates-findings");

    // Clicking the finding selects its span in the body: the variable.
    await clickInView(
      await app.$('[data-testid="finding"][data-rule="body-variable-at-start"] button'),
    );
    const selected = await app.execute(() => {
      const body = document.querySelector('[data-testid="field-body"]');
      return body.value.slice(body.selectionStart, body.selectionEnd);
    });
    assert.equal(selected, "{{1}}", "the finding's span is the variable at the start");

    await applyFix(app, "body-variable-at-start");
    await waitForRules(
      app,
      (seen) => !seen.includes("body-variable-at-start"),
      "the greeting fix removes the variable-at-start finding",
    );
    await applyFix(app, "emoji-count");
    await waitForRules(app, (seen) => !seen.includes("emoji-count"), "the emoji fix removes one");
    await applyFix(app, "opt-out-missing");
    await waitForRules(
      app,
      (seen) => !seen.includes("opt-out-missing"),
      "adding the Stop promotions button gives an opt-out path",
    );
    const body = await (await app.$('[data-testid="field-body"]')).getValue();
    assert.match(body, /^Hello \{\{1\}\}/, "the body now starts with the greeting");

    await typeInto(app, "field-body_example:1", "Anna");
    const preview = await app.$('[data-testid="phone-body"]');
    await preview.waitUntil(async () => (await preview.getText()).startsWith("Hello Anna"), {
      timeout: 10000,
      timeoutMsg: "the preview fills the variable with its example value",
    });
    const buttons = await app.$$('[data-testid="phone-button"]');
    const labels = [];
    for (const button of buttons) labels.push(await button.getText());
    assert.ok(
      labels.some((label) => label.includes("Stop promotions")),
      `the preview shows the opt-out button (${labels})`,
    );
    await waitForRules(
      app,
      (seen) => !seen.some((rule) => rule.startsWith("body-")),
      "no body finding is left",
    );
  });

  test("submitting sends it to the sandbox, which approves it", async () => {
    await waitForLintIdle(app);
    await clickSubmit(app);
    await waitForStatus(app, "Approved", "the sandbox's review webhook moves it to APPROVED");
    await saveShot(app, "templates-approved");
  });

  test("a template the sandbox rejects shows Meta's reason", async () => {
    await (await app.$('[data-testid="template-duplicate"]')).click();
    await app.waitUntil(
      async () =>
        (await app.execute(
          () => document.querySelector('[data-testid="editor-name"]')?.textContent?.trim() ?? "",
        )) === "spring_offer_copy",
      { timeout: 10000, timeoutMsg: "the duplicate opens as spring_offer_copy" },
    );
    await typeInto(app, "field-name", REJECTED_NAME);
    await waitForLintIdle(app);
    await clickSubmit(app);
    await waitForStatus(app, "Rejected", "the sandbox rejects the scripted name");
    const reason = await app.$('[data-testid="rejection-reason"]');
    await reason.waitForDisplayed({ timeout: 10000 });
    assert.ok((await reason.getText()).length > 0, "the rejection reason is shown in words");
    await saveShot(app, "templates-rejected");
  });

  test("the status chips say the statuses in words", async () => {
    await expectText(
      await app.$('[data-testid="editor"] [data-testid="status-chip"]'),
      "Rejected",
      "the open template's chip",
    );
  });
  test("the preview can take a real contact from the audience", async () => {
    await app.execute(() => {
      const select = document.querySelector('[data-testid="preview-fill"]');
      select.value = "contact";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const picker = await app.$('[data-testid="preview-contact"]');
    await picker.waitForDisplayed({ timeout: 10000 });
    await app.waitUntil(
      async () =>
        app.execute(
          () => document.querySelector('[data-testid="preview-contact"]').options.length > 1,
        ),
      { timeout: 10000, timeoutMsg: "the example audience's contacts are offered" },
    );
    const note = await app.$('[data-testid="preview-fallbacks"]');
    await note.waitForDisplayed({ timeout: 10000 });
    assert.match(
      await note.getText(),
      /\{\{1\}\}/,
      "a numbered variable keeps its example, and the preview says so",
    );
    await saveShot(app, "templates-preview-contact");
  });
});
