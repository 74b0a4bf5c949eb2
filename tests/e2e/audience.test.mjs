// End-to-end: importing an audience in the real window. A Russian 1C-style
// export (Windows-1251, `;`, CRLF) whose phone column has a name Cadence does not
// guess: the user fixes the mapping, reads the dry run, imports, reads the report
// with its rejected row, and finds the new contact in the table.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { saveShot, startDriver, tempDataDir } from "./support.mjs";

const FIXTURE = resolve(
  join(fileURLToPath(new URL(".", import.meta.url)), "fixtures", "contacts-cp1251.csv"),
);

/** Sets a field's value as typing would (value, then the input event). */
async function setValue(app, testId, value) {
  const field = await app.$(`[data-testid="${testId}"]`);
  await field.waitForDisplayed({ timeout: 10000 });
  await field.setValue(value);
}

/** Chooses `value` in a select, with the change event a user's choice fires. */
async function choose(app, testId, value) {
  const select = await app.$(`[data-testid="${testId}"]`);
  await select.waitForDisplayed({ timeout: 10000 });
  await app.execute(
    (id, wanted) => {
      const element = document.querySelector(`[data-testid="${id}"]`);
      element.value = wanted;
      element.dispatchEvent(new Event("change", { bubbles: true }));
    },
    testId,
    value,
  );
}

async function click(app, testId) {
  const element = await app.$(`[data-testid="${testId}"]`);
  await element.waitForEnabled({ timeout: 15000 });
  await element.scrollIntoView({ block: "center" });
  await element.click();
}

async function textOf(app, testId, timeout = 15000) {
  const element = await app.$(`[data-testid="${testId}"]`);
  await element.waitForDisplayed({ timeout });
  return element.getText();
}

/** A count in a report as a number ("1,234" → 1234). */
async function countOf(app, testId) {
  return Number((await textOf(app, testId, 60000)).replace(/[^\d]/g, ""));
}

describe("importing an audience", () => {
  const dataDir = tempDataDir();
  let driver;
  let app;

  before(async () => {
    driver = await startDriver({ CADENCE_DATA_DIR: dataDir });
    app = await driver.launch();
    await (await app.$('[data-testid="nav-audience"]')).click();
    await (await app.$('[data-testid="screen-audience"]')).waitForExist({ timeout: 10000 });
  });

  after(async () => {
    await app?.deleteSession().catch(() => {});
    await driver?.stop();
  });

  test("a new sandbox workspace shows its example audience", async () => {
    await app.waitUntil(async () => (await countOf(app, "contact-count")) >= 2000, {
      timeout: 30000,
      timeoutMsg: "the 2,000 example contacts are counted",
    });
    const phones = await app.$$('[data-testid="cell-phone"]');
    assert.ok(phones.length > 0, "the table shows rows");
    assert.ok(phones.length < 200, `only the visible rows are drawn (${phones.length})`);
  });

  test("the wizard reads a Windows-1251 file with semicolons", async () => {
    await click(app, "import-open");
    await setValue(app, "import-path", FIXTURE);
    await click(app, "import-read");
    const encoding = await app.$('[data-testid="read-encoding"]');
    await encoding.waitForDisplayed({ timeout: 15000 });
    const detected = await app.execute(
      () =>
        document.querySelector('[data-testid="read-encoding"]').selectedOptions[0].textContent +
        " | " +
        document.querySelector('[data-testid="read-delimiter"]').selectedOptions[0].textContent,
    );
    assert.match(detected, /1251/, `the encoding is detected as Windows-1251: ${detected}`);
    assert.match(detected, /;|emicolon|очка с запятой/, `the delimiter is ';': ${detected}`);
    await saveShot(app, "audience-read");
    await (await app.$('[data-testid="read-preview"]')).waitForExist({ timeout: 15000 });
    const preview = await app.execute(
      () => document.querySelector('[data-testid="read-preview"]').textContent,
    );
    assert.match(preview, /Смирнова/, "the preview shows the Cyrillic names decoded");
    assert.match(preview, /Санкт-Петербург; Невский/, "a quoted field keeps its semicolon");
    await saveShot(app, "audience-read");
  });

  test("the user fixes the mapping, reads the dry run and imports", async () => {
    await click(app, "wizard-next");
    await (await app.$('[data-testid="mapping-table"]')).waitForDisplayed({ timeout: 10000 });
    // The file's own names: "Номер клиента" is the phone, "Город" an attribute,
    // and "Согласие" holds the date each person agreed.
    await choose(app, "mapping-0", "phone");
    await choose(app, "mapping-3", "attribute");
    await choose(app, "mapping-5", "consent_at");
    await saveShot(app, "audience-mapping");
    await click(app, "wizard-next");
    await click(app, "wizard-dry-run");
    assert.equal(await countOf(app, "dry-run-report-read"), 5, "five rows are read");
    assert.equal(await countOf(app, "dry-run-report-invalid"), 1, "one number is invalid");
    await click(app, "wizard-import");
    assert.equal(await countOf(app, "import-report-created"), 4, "four contacts are created");
    assert.equal(await countOf(app, "import-report-invalid"), 1, "and one row is rejected");
    const sum = await textOf(app, "import-report-sum");
    assert.match(sum, /5/, `the sum line accounts for every row: ${sum}`);
    const rejectedRows = await app.execute(() =>
      [...document.querySelectorAll('[data-testid="import-report-rejected"] tbody tr')].map((row) =>
        [...row.cells].map((cell) => cell.textContent.trim()),
      ),
    );
    assert.equal(rejectedRows.length, 1, `one rejected row: ${JSON.stringify(rejectedRows)}`);
    assert.equal(rejectedRows[0][0], "5", "the rejected row's line number in the file");
    assert.match(rejectedRows[0].join(" "), /12345/, "with the reason and the row as read");
    await saveShot(app, "audience-report");
  });

  test("the imported contact is found by name and by number", async () => {
    await click(app, "wizard-close");
    await setValue(app, "contact-search", "Смирнова");
    await app.waitUntil(
      async () => {
        const names = await app.execute(() =>
          [...document.querySelectorAll('[data-testid="cell-phone"]')].map(
            (cell) => cell.closest('[role="row"], tr')?.textContent ?? "",
          ),
        );
        return names.some((row) => row.includes("+79123456789") && row.includes("Анна"));
      },
      { timeout: 15000, timeoutMsg: "Анна Смирнова is among the contacts matching «Смирнова»" },
    );
    await setValue(app, "contact-search", "+79123456789");
    let phones = [];
    try {
      await app.waitUntil(
        async () => {
          phones = await app.execute(() =>
            [...document.querySelectorAll('[data-testid="cell-phone"]')].map((cell) =>
              cell.textContent.trim(),
            ),
          );
          return phones.length === 1 && phones[0] === "+79123456789";
        },
        { timeout: 15000 },
      );
    } catch {
      assert.fail(`one contact has the number +79123456789; the table shows ${phones}`);
    }
    await saveShot(app, "audience-search");
    await (await app.$('[data-testid="cell-phone"]')).click();
    const detail = await textOf(app, "contact-detail");
    assert.match(detail, /Пермь/, "the detail shows the city attribute");
    assert.match(detail, /Asia\/Yekaterinburg|Yekaterinburg|Екатеринбург/, "and the time zone");
    await saveShot(app, "audience-contact");
  });
});
