// The import wizard against the fake backend: a Windows-1251, `;`-separated
// file as Russian Excel writes it goes through detection (and overrides),
// mapping, consent settings, the dry run, the import with progress (that keeps
// running on another screen), cancel, and the report with its sum line.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "../../App.svelte";
import { useBackend } from "../../lib/backend";
import { createFakeBackend, type FakeBackend } from "../../lib/backend/fake";
import { audienceFake, type FakeAudience } from "../../lib/backend/fake-audience";
import { setLanguage } from "../../lib/i18n/index.svelte";
import { navigate } from "../../lib/router.svelte";
import { exportJob } from "./export-store.svelte";
import { importFlow } from "./import-store.svelte";
import { encodeSingleByte, finder, manualGate, settle, waitFor } from "./testing";

const CLIENTS = [
  "Телефон;Имя;Фамилия;Город;Дата согласия",
  "8 (912) 345-67-89;Анна;Иванова;Пермь;01.03.2025",
  "+7 916 111-22-33;Пётр;Петров;Москва;",
  "7.91E+10;Ошибка;Экселя;Казань;",
  "89123456789;Анна;Дубль;Пермь;",
].join("\r\n");

let target: HTMLElement;
let app: ReturnType<typeof mount> | undefined;
const { $, $$, click, type, choose } = finder(() => target);

function fakeWithFile(): { fake: FakeBackend; audience: FakeAudience } {
  const fake = createFakeBackend();
  const audience = audienceFake(fake);
  audience.generate(3);
  audience.writeFile("/data/clients.csv", encodeSingleByte(CLIENTS + "\r\n", "windows-1251"));
  let now = Date.parse("2026-11-25T10:00:00Z");
  audience.clock = () => (now += 250);
  return { fake, audience };
}

async function openWizard(fake: FakeBackend) {
  useBackend(fake);
  app = mount(App, { target });
  await settle();
  navigate("audience");
  flushSync();
  await settle();
  await click("import-open");
  await waitFor(() => $("import-wizard") !== null, "the wizard");
}

const current = () => $$('[aria-current="step"]')[0]?.dataset.testid;
const previewText = () => $("read-preview")?.textContent ?? "";

/** Picks the file and walks to the consent step with the suggested mapping. */
async function toConsentStep(fake: FakeBackend) {
  fake.dialogAnswer = "/data/clients.csv";
  await click("import-pick");
  await waitFor(() => current() === "step-read", "the reading step");
  await click("wizard-next");
  await click("wizard-next");
  expect(current()).toBe("step-consent");
}

async function dryRun() {
  await click("wizard-dry-run");
  await waitFor(() => $("dry-run-report") !== null, "the dry run report");
}

beforeEach(() => {
  setLanguage("en");
  navigate("templates");
  importFlow.reset();
  exportJob.dismiss();
  target = document.createElement("div");
  document.body.append(target);
});

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  target.remove();
});

describe("the import wizard", () => {
  it("shows the detected encoding, delimiter and header row, and previews the rows as they will be read", async () => {
    const { fake } = fakeWithFile();
    await openWizard(fake);
    expect(current()).toBe("step-file");
    expect($("history-empty")?.textContent).toBe("No imports yet.");

    fake.dialogAnswer = "/data/clients.csv";
    await click("import-pick");
    await waitFor(() => current() === "step-read", "the reading step");
    const encoding = $<HTMLSelectElement>("read-encoding")!;
    expect(encoding.options[0].textContent?.trim()).toBe(
      "Detected: Windows-1251 (Russian Excel, 1C)",
    );
    expect($<HTMLSelectElement>("read-delimiter")!.options[0].textContent?.trim()).toBe(
      "Detected: semicolon ( ; )",
    );
    expect($<HTMLSelectElement>("read-header")!.options[0].textContent?.trim()).toBe(
      "Detected: row 1",
    );
    expect($("read-summary")?.textContent).toContain(
      "Read as Windows-1251 (Russian Excel, 1C), fields separated by semicolon ( ; ), header: row 1.",
    );
    const headers = $$('[data-testid="read-preview"] thead th').map((th) => th.textContent);
    expect(headers).toEqual(["Line", "Телефон", "Имя", "Фамилия", "Город", "Дата согласия"]);
    const lines = $$('[data-testid="read-preview"] tbody tr').map(
      (tr) => tr.querySelector("td")?.textContent,
    );
    expect(lines, "each record with the line it starts on").toEqual(["2", "3", "4", "5"]);
    expect(previewText()).toContain("Анна");
    expect(previewText()).toContain("Пермь");
  });

  it("reads the file again with an overridden encoding, delimiter and header row", async () => {
    const { fake } = fakeWithFile();
    await openWizard(fake);
    fake.dialogAnswer = "/data/clients.csv";
    await click("import-pick");
    await waitFor(() => current() === "step-read", "the reading step");

    choose("read-encoding", "koi8-r");
    await waitFor(() => $("read-summary")?.textContent?.includes("KOI8-R") ?? false, "KOI8-R");
    expect(previewText(), "the wrong code page garbles the names").not.toContain("Анна");

    choose("read-encoding", "");
    await waitFor(() => previewText().includes("Анна"), "the detected encoding again");

    choose("read-delimiter", "comma");
    await waitFor(() => $("read-summary")?.textContent?.includes("comma") ?? false, "comma");
    expect(
      $$('[data-testid="read-preview"] thead th').length,
      "no commas: one column (plus the line number)",
    ).toBe(2);
    choose("read-delimiter", "");
    await waitFor(() => $$('[data-testid="read-preview"] thead th').length === 6, "5 columns");

    choose("read-header", "none");
    await waitFor(
      () => $("read-summary")?.textContent?.includes("header: no header row") ?? false,
      "no header",
    );
    expect($$('[data-testid="read-preview"] tbody tr')[0].textContent).toContain("Телефон");
    expect(
      $$('[data-testid="read-preview"] thead th')[1].textContent,
      "without a header the importer numbers the columns",
    ).toBe("#1");
  });

  it("suggests a mapping from Russian headers, checks it, and saves and applies presets", async () => {
    const { fake, audience } = fakeWithFile();
    await openWizard(fake);
    fake.dialogAnswer = "/data/clients.csv";
    await click("import-pick");
    await waitFor(() => current() === "step-read", "the reading step");
    await click("wizard-next");
    expect(current()).toBe("step-mapping");

    const target = (i: number) => $<HTMLSelectElement>(`mapping-${i}`)!.value;
    expect([0, 1, 2, 3, 4].map(target)).toEqual([
      "phone",
      "first_name",
      "last_name",
      "attribute",
      "consent_at",
    ]);
    expect($<HTMLInputElement>("mapping-name-3")!.value, "Город, by its usual name").toBe("city");

    choose("mapping-0", "ignore");
    await settle();
    expect($("mapping-problems")?.textContent).toContain("Map one column to Phone");
    expect($<HTMLButtonElement>("wizard-next")!.disabled).toBe(true);
    choose("mapping-0", "phone");
    choose("mapping-2", "first_name");
    await settle();
    expect($("mapping-problems")?.textContent).toContain(
      "First name is chosen for more than one column (Имя, Фамилия).",
    );
    choose("mapping-2", "last_name");
    type("mapping-name-3", "City");
    await settle();
    expect($("mapping-problems")?.textContent).toContain("lowercase Latin letters");
    type("mapping-name-3", "city");
    await settle();
    expect($("mapping-problems")).toBeNull();
    expect($<HTMLButtonElement>("wizard-next")!.disabled).toBe(false);

    type("preset-name", "1C export");
    flushSync();
    await click("preset-save");
    await waitFor(() => $("preset-saved") !== null, "the preset saved");
    expect(audience.presets.map((p) => p.name)).toEqual(["1C export"]);

    // Another file with the same columns in another order: the preset follows the names.
    audience.writeFile(
      "/data/other.csv",
      "Город,Телефон,Фамилия,Имя,Дата согласия\r\nПермь,+79120000000,Орлова,Ольга,\r\n",
    );
    await click("wizard-back");
    await click("wizard-back");
    expect(current()).toBe("step-file");
    type("import-path", "/data/other.csv");
    flushSync();
    await click("import-read");
    await waitFor(() => current() === "step-read", "the other file");
    expect($("read-summary")?.textContent).toContain("UTF-8");
    await click("wizard-next");
    await waitFor(() => $<HTMLSelectElement>("preset-select")!.options.length === 2, "presets");
    choose("preset-select", "1C export");
    flushSync();
    await click("preset-apply");
    expect($("preset-applied")?.textContent).toBe(
      "Preset “1C export” applied: 5 of 5 columns matched.",
    );
    expect([0, 1, 2, 3, 4].map(target)).toEqual([
      "attribute",
      "phone",
      "last_name",
      "first_name",
      "consent_at",
    ]);
    expect($<HTMLInputElement>("mapping-name-0")!.value).toBe("city");
  });

  it("deletes a preset, and brings the importer's suggestion back after a preset", async () => {
    const { fake, audience } = fakeWithFile();
    audience.presets = [
      {
        name: "Everything ignored",
        mapping: { columns: [{ column: "Телефон", target: { kind: "ignore" } }] },
        updated_at: 1764000000,
      },
    ];
    await openWizard(fake);
    fake.dialogAnswer = "/data/clients.csv";
    await click("import-pick");
    await waitFor(() => current() === "step-read", "the reading step");
    await click("wizard-next");
    await waitFor(() => $<HTMLSelectElement>("preset-select")!.options.length === 2, "presets");
    choose("preset-select", "Everything ignored");
    flushSync();
    await click("preset-apply");
    const target = (i: number) => $<HTMLSelectElement>(`mapping-${i}`)!.value;
    expect(target(0)).toBe("ignore");
    expect($("mapping-problems")?.textContent).toContain("Map one column to Phone");

    await click("mapping-reset");
    await waitFor(() => target(0) === "phone", "the suggestion again");
    expect([0, 1, 2, 3, 4].map(target)).toEqual([
      "phone",
      "first_name",
      "last_name",
      "attribute",
      "consent_at",
    ]);
    expect($("preset-applied"), "no preset applies any more").toBeNull();

    choose("preset-select", "Everything ignored");
    flushSync();
    await click("preset-delete");
    await waitFor(() => $("preset-deleted") !== null, "the deletion");
    expect($("preset-deleted")?.textContent).toBe("Preset “Everything ignored” deleted.");
    expect(audience.presets, "deleted on the backend").toEqual([]);
    expect($<HTMLSelectElement>("preset-select")!.options.length, "and from the menu").toBe(1);
    expect(target(0), "the mapping on screen stays").toBe("phone");
  });

  it("dry-runs without changing anything and shows a report whose counts add up", async () => {
    const { fake, audience } = fakeWithFile();
    await openWizard(fake);
    await toConsentStep(fake);
    expect($<HTMLInputElement>("import-region")!.value, "the importer's default").toBe("RU");
    type("import-region", "R");
    await settle();
    expect($<HTMLButtonElement>("wizard-dry-run")!.disabled).toBe(true);
    type("import-region", "ru");
    await settle();
    await dryRun();

    expect($("dry-run-report-status")?.textContent).toBe("Dry run");
    expect($("dry-run-report")?.textContent).toContain("Dry run: nothing was changed.");
    const value = (key: string) => $(`dry-run-report-${key}`)?.textContent;
    expect(
      ["read", "created", "updated", "unchanged", "invalid", "duplicates_in_file"].map(value),
    ).toEqual(["4", "2", "0", "0", "1", "1"]);
    expect($("dry-run-report-sum")?.textContent?.replace(/\s+/g, " ").trim()).toBe(
      "4 read = 2 created + 0 updated + 0 unchanged + 1 invalid + 1 duplicates in the file. Every row is accounted for.",
    );
    const rejected = $$('[data-testid="dry-run-report-rejected"] tbody tr');
    expect(rejected.length, "the invalid row and the duplicate").toBe(2);
    expect(rejected[0].querySelector("td")?.textContent).toBe("4");
    expect(rejected[0].textContent).toContain("scientific notation");
    expect(rejected[1].querySelector("td")?.textContent).toBe("5");
    expect(rejected[1].textContent).toContain("the same number as line 2");
    expect(audience.contacts.length, "a dry run changes no contact").toBe(3);
  });

  it("imports with a progress bar that keeps running on another screen, then shows the report", async () => {
    const { fake, audience } = fakeWithFile();
    await openWizard(fake);
    await toConsentStep(fake);
    await dryRun();

    audience.batchSize = 2;
    const gate = manualGate();
    audience.gate = gate.gate;
    await click("wizard-import");
    await waitFor(() => gate.waiting() === 1, "the first batch");
    await settle();
    expect(current()).toBe("step-import");
    expect($("import-progress")?.textContent).toContain("Importing clients.csv");
    expect($("import-progress-detail")?.textContent).toMatch(
      /^2 of about 4 rows · [\d,]+ rows\/s · about \d+ s left$/,
    );
    expect($("audience-job-indicator")?.textContent?.trim()).toMatch(/^Importing \d+%$/);

    navigate("settings");
    flushSync();
    expect($("import-wizard")).toBeNull();
    expect($("audience-job-indicator"), "the navigation still shows the import").not.toBeNull();
    gate.release();
    await waitFor(() => gate.waiting() === 1, "the second batch");
    navigate("audience");
    flushSync();
    await settle();
    expect(current(), "the wizard kept its place").toBe("step-import");
    expect($("import-progress-detail")?.textContent).toMatch(/^4 of about 4 rows/);

    navigate("settings");
    flushSync();
    gate.open();
    await waitFor(() => fake.notifications.length === 1, "the notification");
    expect(fake.notifications[0], "the user was on Settings: a desktop notification").toEqual({
      title: "Import finished",
      body: "clients.csv: 2 created, 0 updated, 1 invalid.",
    });
    navigate("audience");
    flushSync();
    await waitFor(() => current() === "step-report", "the report");
    expect($("import-report-status")?.textContent).toBe("Imported");
    expect($("import-report-created")?.textContent).toBe("2");
    expect($("import-report-sum")?.textContent).toContain("Every row is accounted for.");
    expect($("audience-job-indicator")).toBeNull();
    expect(audience.contacts.length).toBe(5);
    const anna = audience.contacts.find((c) => c.row.phone === "+79123456789")!;
    expect(anna.row.first_name, "the first of the duplicates wins").toBe("Анна");
    expect(anna.row.attributes).toEqual({ city: "Пермь" });
    expect(anna.row.consent, "a consent date is a grant").toBe("granted");
    expect(
      audience.contacts.find((c) => c.row.phone === "+79161112233")?.row.consent,
      "no consent column value: imported, not eligible",
    ).toBe("none");

    fake.dialogAnswer = "/tmp/rejected.csv";
    await click("import-report-download");
    await waitFor(() => $("import-report-saved") !== null, "the download");
    expect($("import-report-saved")?.textContent).toBe(
      "Saved 2 rejected rows to /tmp/rejected.csv.",
    );
    const csv = audience.readFile("/tmp/rejected.csv").trim().split("\r\n");
    expect(csv[0], "the header in the interface language, as the Rust side writes it").toBe(
      "line,code,reason,record",
    );
    expect(csv[1]).toMatch(/^4,scientific_notation,/);
    expect(csv[2]).toMatch(/^5,duplicate_in_file,/);

    await click("wizard-another");
    expect(current()).toBe("step-file");
    const history = $$('[data-testid="import-history"] tbody tr').map((tr) => tr.textContent);
    expect(history.length, "the dry run and the import").toBe(2);
    expect(history[0]).toContain("Imported");
    expect(history[1]).toContain("Dry run");

    await click("wizard-close");
    await waitFor(() => $("contact-count")?.textContent?.trim() === "5 contacts", "the count");
  });

  it("cancels an import, leaving the contacts exactly as before", async () => {
    const { fake, audience } = fakeWithFile();
    await openWizard(fake);
    await toConsentStep(fake);
    await dryRun();
    const before = JSON.stringify(audience.contacts);

    audience.batchSize = 1;
    const gate = manualGate();
    audience.gate = gate.gate;
    await click("wizard-import");
    await waitFor(() => gate.waiting() === 1, "the first batch");
    await click("import-progress-cancel");
    expect($("import-progress-cancel")?.textContent).toBe("Cancelling…");
    expect($<HTMLButtonElement>("import-progress-cancel")!.disabled).toBe(true);
    gate.open();
    await waitFor(() => current() === "step-report", "the report");
    expect($("import-report-status")?.textContent).toBe("Cancelled");
    expect(fake.notifications, "the user watched it: no notification").toEqual([]);
    expect($("import-report")?.textContent).toContain("nothing was applied");
    expect(JSON.stringify(audience.contacts), "not one contact changed").toBe(before);
  });

  it("says why an import failed, and lists the failed run", async () => {
    const { fake, audience } = fakeWithFile();
    await openWizard(fake);
    await toConsentStep(fake);
    await dryRun();
    const before = JSON.stringify(audience.contacts);
    audience.batchSize = 1;
    audience.gate = () => Promise.reject(new Error("database is locked"));
    await click("wizard-import");
    await waitFor(() => $("error-panel") !== null, "the error");
    expect($("error-panel")?.textContent).toContain("database is locked");
    expect(current(), "the wizard stays on the import step").toBe("step-import");
    expect(JSON.stringify(audience.contacts), "nothing was applied").toBe(before);
    audience.gate = null;
    importFlow.startOver();
    flushSync();
    await settle();
    const history = $$('[data-testid="import-history"] tbody tr').map((tr) => tr.textContent);
    expect(history[0], "the failed run, newest first").toContain("Failed");
    expect(history[1]).toContain("Dry run");
  });

  it("opens the wizard with a file dropped on the window", async () => {
    const { fake } = fakeWithFile();
    useBackend(fake);
    app = mount(App, { target });
    await settle();
    navigate("audience");
    flushSync();
    await settle();
    fake.dropFiles(["/data/clients.csv", "/data/second.csv"]);
    await waitFor(() => current() === "step-read", "the reading step");
    expect(previewText()).toContain("Анна");
    expect($("audience-notice")?.textContent).toBe(
      "Several files were dropped: importing the first, /data/clients.csv.",
    );
  });

  it("reopens a past import's report from the list", async () => {
    const { fake } = fakeWithFile();
    await openWizard(fake);
    await toConsentStep(fake);
    await dryRun();
    importFlow.startOver();
    flushSync();
    await waitFor(() => $("import-history") !== null, "the history");
    const open = $$('[data-testid^="history-open-"]')[0];
    open.click();
    await waitFor(() => current() === "step-report", "the report");
    expect($("import-report-status")?.textContent).toBe("Dry run");
    expect($("import-report-read")?.textContent).toBe("4");
  });

  it("lists imports from earlier sessions when it opens", async () => {
    const { fake } = fakeWithFile();
    await openWizard(fake);
    await toConsentStep(fake);
    await dryRun();
    // A restart: the window forgets, the workspace remembers.
    importFlow.reset();
    unmount(app!);
    app = undefined;
    await openWizard(fake);
    await waitFor(() => $("import-history") !== null, "the past imports");
    const rows = $$('[data-testid="import-history"] tbody tr').map((tr) => tr.textContent);
    expect(rows, "the earlier dry run is listed from the backend").toHaveLength(1);
    expect(rows[0]).toContain("clients.csv");
  });

  it("says why a typed path cannot be read", async () => {
    const { fake } = fakeWithFile();
    await openWizard(fake);
    type("import-path", "/data/missing.csv");
    flushSync();
    await click("import-read");
    await waitFor(() => $("error-panel") !== null, "the error");
    expect($("error-panel")?.getAttribute("data-code")).toBe("io");
    expect($("error-panel")?.textContent).toContain("cannot read /data/missing.csv");
    expect(current()).toBe("step-file");
  });

  it("speaks Russian", async () => {
    const fake = createFakeBackend({ osLanguage: "ru" });
    audienceFake(fake).writeFile(
      "/data/clients.csv",
      encodeSingleByte(CLIENTS + "\r\n", "windows-1251"),
    );
    await openWizard(fake);
    fake.dialogAnswer = "/data/clients.csv";
    await click("import-pick");
    await waitFor(() => current() === "step-read", "the reading step");
    expect($("read-summary")?.textContent).toContain(
      "Читается как Windows-1251 (русский Excel, 1С), поля разделены: точка с запятой ( ; ), заголовки: запись 1.",
    );
    await click("wizard-next");
    await click("wizard-next");
    await dryRun();
    expect($("dry-run-report-sum")?.textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Прочитано 4 = создано 2 + обновлено 0 + без изменений 0 + с ошибками 1 + повторов в файле 1. Учтена каждая строка.",
    );
  });
});
