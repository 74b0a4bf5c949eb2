// The Audience screen in the shell, against the fake backend: the live count,
// sorting and filter requests, segments, a contact's detail, export, and the
// empty, loading and error states.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "../../App.svelte";
import { useBackend, type ContactRow, type ContactSort } from "../../lib/backend";
import { completeFilter, emptyFilter, type FilterForm } from "../../lib/backend/audience";
import { createFakeBackend, type FakeBackend } from "../../lib/backend/fake";
import { audienceFake, type FakeAudience } from "../../lib/backend/fake-audience";
import { setLanguage } from "../../lib/i18n/index.svelte";
import { navigate } from "../../lib/router.svelte";
import { exportJob } from "./export-store.svelte";
import { importFlow } from "./import-store.svelte";
import { finder, manualGate, settle, sleep, waitFor } from "./testing";

let target: HTMLElement;
let app: ReturnType<typeof mount> | undefined;
const { $, $$, click, type, choose } = finder(() => target);

/** The fake, with every contacts query it answered recorded. */
function fakeWith(seed: (audience: FakeAudience) => void, options = {}) {
  const fake = createFakeBackend(options);
  const audience = audienceFake(fake);
  seed(audience);
  // Each query as the backend reads it: missing fields take their defaults.
  const queries: { filter: FilterForm; sort: ContactSort; offset: number; limit: number }[] = [];
  const contactsPage = fake.contactsPage;
  fake.contactsPage = (query) => {
    const copy = JSON.parse(JSON.stringify(query));
    queries.push({
      filter: completeFilter(copy.filter ?? {}),
      sort: copy.sort ?? {},
      offset: copy.offset ?? 0,
      limit: copy.limit,
    });
    return contactsPage(query);
  };
  return { fake, audience, queries };
}

async function open(fake: FakeBackend) {
  useBackend(fake);
  app = mount(App, { target });
  await settle();
  navigate("audience");
  flushSync();
  await settle();
}

const count = () => $("contact-count")?.textContent?.trim();
const rows = () => $$('[data-testid="contacts-table"] [role="row"][data-index]');
const phones = () => rows().map((r) => r.querySelector('[data-testid="cell-phone"]')?.textContent);
const waitForRows = () => waitFor(() => phones()[0] != null, "the first rows");
const matching = (audience: FakeAudience, keep: (row: ContactRow) => boolean) =>
  audience.contacts.filter((c) => keep(c.row)).length;

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

describe("the contacts table", () => {
  it("shows the live count and the newest contacts first", async () => {
    const { fake, audience } = fakeWith((a) => a.generate(250));
    await open(fake);
    await waitFor(() => count() === "250 contacts", "the count");
    await waitForRows();
    const newest = [...audience.contacts].sort((a, b) => b.row.created_at - a.row.created_at)[0];
    expect(phones()[0], "sorted by when they were added, newest first").toBe(newest.row.phone);
    expect($("segment-all")?.textContent).toContain("250");
  });

  it("asks the backend for the sort of the clicked column and shows it", async () => {
    const { fake, audience, queries } = fakeWith((a) => a.generate(250));
    await open(fake);
    await waitForRows();
    await click("sort-phone");
    await waitFor(() => queries.at(-1)?.sort.column === "phone", "the phone sort request");
    expect(queries.at(-1)?.sort).toEqual({ column: "phone", descending: false });
    expect(queries.at(-1)?.offset, "a new sort starts from the top").toBe(0);
    const lowest = audience.contacts.map((c) => c.row.phone).sort()[0];
    await waitFor(() => phones()[0] === lowest, "the lowest number first");

    await click("sort-phone");
    await waitFor(() => queries.at(-1)?.sort.descending === true, "descending");
    const highest = audience.contacts
      .map((c) => c.row.phone)
      .sort()
      .at(-1);
    await waitFor(() => phones()[0] === highest, "the highest number first");
  });

  it("searches by name or phone once typing pauses", async () => {
    const { fake, audience, queries } = fakeWith((a) => a.generate(300));
    await open(fake);
    await waitForRows();
    const before = queries.length;
    for (const partial of ["O", "Ol", "Olg", "Olga"]) type("contact-search", partial);
    await sleep(100);
    expect(queries.length, "nothing is asked while the user is typing").toBe(before);
    await waitFor(() => queries.length > before, "the search request");
    expect(queries.slice(before).map((q) => q.filter.search)).toEqual(["Olga"]);
    const olgas = matching(audience, (r) => r.first_name === "Olga");
    await waitFor(() => count() === `${olgas} matching`, "the matching count");

    type("contact-search", audience.contacts[7].row.phone.slice(1, 9));
    await waitFor(() => queries.at(-1)?.filter.search?.length === 8, "the phone search");
    await waitFor(() => phones().includes(audience.contacts[7].row.phone), "the number found");
  });

  it("filters by consent, tag, time zone, country and attribute", async () => {
    const { fake, audience, queries } = fakeWith((a) => a.generate(300));
    await open(fake);
    await waitForRows();

    choose("filter-consent", "withdrawn");
    await waitFor(() => queries.at(-1)?.filter.consent[0] === "withdrawn", "the consent filter");
    const withdrawn = matching(audience, (r) => r.consent === "withdrawn");
    await waitFor(() => count() === `${withdrawn} matching`, "the withdrawn count");
    expect(rows()[0].textContent).toContain("Withdrawn");

    choose("filter-country", "DE");
    await waitFor(() => queries.at(-1)?.filter.countries[0] === "DE", "the country filter");
    expect(queries.at(-1)?.filter.consent, "filters combine").toEqual(["withdrawn"]);

    choose("filter-tag", "vip");
    choose("filter-time-zone", "Europe/Berlin");
    await waitFor(() => queries.at(-1)?.filter.time_zones[0] === "Europe/Berlin", "the zone");
    expect(queries.at(-1)?.filter.tags).toEqual(["vip"]);

    await click("filter-clear");
    choose("filter-attribute-name", "city");
    flushSync();
    type("filter-attribute-value", "Perm");
    await waitFor(
      () => queries.at(-1)?.filter.attributes[0]?.value === "Perm",
      "the attribute filter",
    );
    expect(queries.at(-1)?.filter).toEqual({
      ...emptyFilter(),
      attributes: [{ name: "city", op: "equals", value: "Perm" }],
    });
    const perm = matching(audience, (r) => r.attributes.city === "Perm");
    await waitFor(() => count() === `${perm} matching`, "the Perm count");
  });

  it("marks an inferred time zone and labels consent in words", async () => {
    const { fake } = fakeWith((a) =>
      a.addContacts([
        {
          phone: "+79161234567",
          time_zone: "Europe/Moscow",
          time_zone_inferred: true,
          consent: "none",
        },
      ]),
    );
    await open(fake);
    await waitForRows();
    expect(rows()[0].textContent).toContain("inferred");
    expect(rows()[0].textContent).toContain("No consent");
    expect(rows()[0].textContent).toContain("Russia");
  });
});

describe("the count", () => {
  it("shows the rows at once and says “Counting…” while a slow count runs", async () => {
    const { fake, audience } = fakeWith((a) => a.generate(250));
    const gate = manualGate();
    audience.countGate = gate.gate;
    await open(fake);
    await waitForRows();
    expect(rows().length, "the first page is in the table before the count").toBeGreaterThan(0);
    expect($("contact-counting")?.textContent?.trim()).toBe("Counting…");
    expect($("contact-count"), "no number is claimed while counting").toBeNull();
    expect($("contacts-table")?.getAttribute("aria-rowcount")).toBe("-1");
    gate.open();
    await waitFor(() => count() === "250 contacts", "the count");
    expect($("contact-counting")).toBeNull();
    expect($("contacts-table")?.getAttribute("aria-rowcount")).toBe("251");
  });

  it("counts once per filter: a search brings its own total, another order keeps it", async () => {
    const { fake } = fakeWith((a) => a.generate(120));
    const counted: string[] = [];
    const countContacts = fake.countContacts;
    fake.countContacts = (filter) => {
      counted.push(JSON.stringify(completeFilter(filter)));
      return countContacts(filter);
    };
    await open(fake);
    await waitFor(() => count() === "120 contacts", "the count");
    expect(counted, "the unfiltered table is counted once").toEqual([
      JSON.stringify(emptyFilter()),
    ]);
    await click("sort-phone");
    await waitFor(() => phones()[0] !== undefined, "the rows in the new order");
    await settle();
    expect(counted.length, "the order does not change the count").toBe(1);
    type("contact-search", "Olga");
    await waitFor(() => count()?.endsWith("matching") ?? false, "the search's count");
    expect(counted.length, "a search's page carries its total").toBe(1);
  });

  it("says when the count fails, keeps the rows, and counts again on request", async () => {
    // More than a page: a short first page would tell the total by itself.
    const { fake } = fakeWith((a) => a.generate(150));
    fake.failing.countContacts = { code: "storage", message: "database is locked" };
    await open(fake);
    await waitForRows();
    await waitFor(() => $("contact-count-failed") !== null, "the failure");
    expect($("contact-count-failed")?.textContent).toContain("The count failed.");
    expect($("contact-count-failed")?.getAttribute("title")).toBe("database is locked");
    delete fake.failing.countContacts;
    ($("contact-count-failed")?.querySelector("button") as HTMLButtonElement).click();
    await waitFor(() => count() === "150 contacts", "the count");
  });
});

describe("segments", () => {
  it("saves the filter as a segment with its count, applies, renames and deletes it", async () => {
    const { fake, audience } = fakeWith((a) => a.generate(200));
    await open(fake);
    await waitForRows();
    expect(($("segment-new") as HTMLButtonElement).disabled, "nothing to save yet").toBe(true);

    choose("filter-consent", "granted");
    const granted = matching(audience, (r) => r.consent === "granted");
    await waitFor(() => count() === `${granted} matching`, "the granted count");
    await click("segment-new");
    type("segment-name", "Opted in");
    await click("segment-save");
    await waitFor(() => $("segment-1") !== null, "the new segment");
    expect($("segment-1")?.textContent).toContain("Opted in");
    expect($("segment-1")?.querySelector('[data-testid="segment-count"]')?.textContent).toBe(
      String(granted),
    );
    expect($("segment-open-1")?.getAttribute("aria-pressed")).toBe("true");

    await click("segment-all");
    await waitFor(() => count() === "200 contacts", "all contacts again");
    expect(($("filter-consent") as HTMLSelectElement).value).toBe("");

    await click("segment-open-1");
    await waitFor(() => count() === `${granted} matching`, "the segment's contacts");
    expect(($("filter-consent") as HTMLSelectElement).value).toBe("granted");

    await click("segment-rename");
    type("segment-rename-input", "Marketing OK");
    await click("segment-rename-save");
    await waitFor(() => $("segment-1")?.textContent?.includes("Marketing OK") ?? false, "rename");
    expect(audience.segments[0].name).toBe("Marketing OK");

    await click("segment-delete");
    expect($("segment-1")?.textContent).toContain("Its contacts stay");
    await click("segment-delete-confirm");
    await waitFor(() => $("segment-1") === null, "the segment gone");
    expect(audience.contacts.length, "deleting a segment deletes no contact").toBe(200);
  });

  it("shows how many of a segment may receive marketing, and saves an edited filter into it", async () => {
    const { fake, audience } = fakeWith((a) => a.generate(200));
    await open(fake);
    await waitForRows();
    choose("filter-consent", "granted");
    const granted = matching(audience, (r) => r.consent === "granted");
    await waitFor(() => count() === `${granted} matching`, "the granted count");
    await click("segment-new");
    type("segment-name", "Opted in");
    await click("segment-save");
    await waitFor(() => $("segment-1") !== null, "the new segment");
    expect($("segment-1")?.querySelector('[data-testid="segment-eligible"]')?.textContent).toBe(
      `${granted} may get marketing`,
    );
    expect($("segment-update"), "nothing edited yet").toBeNull();

    // One of them opts out: the segment still counts them, but they are not eligible.
    const first = audience.contacts.find((c) => c.row.consent === "granted")!;
    audience.suppression.set(first.row.phone, {
      phone: first.row.phone,
      reason: "STOP",
      source: "webhook",
      added_at: 1764000000,
    });
    await click("segment-open-1");
    await waitFor(
      () =>
        $("segment-1")?.querySelector('[data-testid="segment-eligible"]')?.textContent ===
        `${granted - 1} may get marketing`,
      "the segment counted afresh when chosen",
    );

    choose("filter-country", "DE");
    await settle();
    expect($("segment-open-1")?.getAttribute("aria-pressed"), "edited: not the segment").toBe(
      "false",
    );
    expect($("segment-update")?.textContent).toBe("Save changes to “Opted in”");
    await click("segment-update");
    await waitFor(() => $("segment-open-1")?.getAttribute("aria-pressed") === "true", "saved");
    expect(audience.segments[0].filter).toMatchObject({ consent: ["granted"], countries: ["DE"] });
    const germans = matching(audience, (r) => r.consent === "granted" && r.country === "DE");
    expect($("segment-1")?.querySelector('[data-testid="segment-count"]')?.textContent).toBe(
      String(germans),
    );
    expect($("segment-update")).toBeNull();
  });

  it("refuses a duplicate segment name with the backend's reason", async () => {
    const { fake } = fakeWith((a) => a.generate(20));
    await open(fake);
    await waitForRows();
    choose("filter-consent", "none");
    await settle();
    for (let i = 0; i < 2; i++) {
      await click("segment-new");
      type("segment-name", "No consent");
      await click("segment-save");
      await settle();
    }
    expect($("segments")?.querySelector('[data-testid="error-panel"]')?.textContent).toContain(
      'a segment named "No consent" already exists',
    );
  });
});

describe("a contact's detail", () => {
  function seedAnna(audience: FakeAudience) {
    const [anna] = audience.addContacts([
      {
        phone: "+79123456789",
        first_name: "Anna",
        last_name: "Ivanova",
        consent: "granted",
        tags: ["vip"],
        attributes: { city: "Perm", bonus: "120" },
        created_at: 1764000000,
      },
    ]);
    anna.history = [
      {
        id: 901,
        kind: "granted",
        occurred_at: 1700000000,
        recorded_at: 1700000000,
        source: "import:old.csv",
        categories: ["marketing"],
        evidence: null,
        import_id: 3,
      },
      {
        id: 902,
        kind: "withdrawn",
        occurred_at: 1710000000,
        recorded_at: 1710000000,
        source: "stop-keyword",
        categories: ["marketing"],
        evidence: "STOP",
        import_id: null,
      },
      {
        id: 903,
        kind: "granted",
        occurred_at: 1720000000,
        recorded_at: 1720000000,
        source: "web form",
        categories: ["marketing", "utility"],
        evidence: "form #42",
        import_id: null,
      },
    ];
    audience.generate(5);
    return anna;
  }

  async function openAnna(fake: FakeBackend) {
    await open(fake);
    type("contact-search", "Anna Ivanova");
    await waitFor(() => count() === "1 matching", "Anna found");
    await waitForRows();
    rows()[0].click();
    await waitFor(() => $("detail-phone") !== null, "the detail");
  }

  it("shows attributes, tags, consent history newest first, and empty messages and replies", async () => {
    const { fake } = fakeWith(seedAnna);
    await openAnna(fake);
    const detail = $("contact-detail")!;
    expect($("detail-phone")?.textContent).toBe("+79123456789");
    expect($("detail-attributes")?.textContent).toContain("city");
    expect($("detail-attributes")?.textContent).toContain("Perm");
    expect(detail.textContent).toContain("vip");
    const history = $$('[data-testid="detail-history"] li').map((li) => li.textContent ?? "");
    expect(history.length).toBe(3);
    expect(history[0], "the newest event first").toContain("web form");
    expect(history[0]).toContain("Evidence: form #42");
    expect(history[1]).toContain("stop-keyword");
    expect(history[2]).toContain("import:old.csv");
    expect(detail.textContent).toContain("No messages sent yet.");
    expect(detail.textContent).toContain("No replies.");
    expect(document.activeElement, "the panel takes the focus").toBe(detail);
  });

  it("records a withdrawal, which the ledger, the panel and the table show", async () => {
    const { fake, audience } = fakeWith(seedAnna);
    await openAnna(fake);
    ($("consent-withdrawn") as HTMLInputElement).click();
    flushSync();
    type("consent-source", "phone call");
    type("consent-evidence", "ticket 7");
    flushSync();
    await click("consent-record");
    await waitFor(() => $("detail-consent")?.textContent === "Withdrawn", "the new state");
    const anna = audience.contacts.find((c) => c.row.phone === "+79123456789")!;
    expect(anna.history.length, "a new ledger entry; none was edited").toBe(4);
    expect(
      $$('[data-testid="detail-history"] li')[0].textContent,
      "the ledger shows the entry was made by hand",
    ).toContain("ui:phone call");
    await waitFor(() => rows()[0]?.textContent?.includes("Withdrawn") ?? false, "the table row");
  });

  it("forgets a contact after a confirmation that says the number stays on the opt-out list", async () => {
    const { fake, audience } = fakeWith((a) => {
      const anna = seedAnna(a);
      anna.history.push({
        id: 904,
        kind: "withdrawn",
        occurred_at: 1730000000,
        recorded_at: 1730000000,
        source: "webhook",
        categories: ["marketing"],
        evidence: null,
        import_id: null,
      });
    });
    await openAnna(fake);
    await click("forget");
    expect($("forget-confirm")?.textContent).toContain("Forget +79123456789?");
    expect($("forget-kept")?.textContent).toContain("only the phone number, on the opt-out list");
    expect(audience.contacts.length, "nothing happens before the confirmation").toBe(6);
    await click("forget-confirm-button");
    await waitFor(() => $("audience-notice") !== null, "the notice");
    expect($("audience-notice")?.textContent).toBe(
      "+79123456789 was forgotten; the number stays on the opt-out list.",
    );
    expect($("contact-detail")).toBeNull();
    expect(audience.contacts.some((c) => c.row.phone === "+79123456789")).toBe(false);
    expect(audience.suppression.has("+79123456789")).toBe(true);
  });

  it("puts the number on the opt-out list with a reason, and takes it off again", async () => {
    const { fake, audience } = fakeWith(seedAnna);
    await openAnna(fake);
    expect($("detail-suppression")).toBeNull();
    await click("suppress");
    expect(($("suppress-confirm") as HTMLButtonElement).disabled, "a reason is needed").toBe(true);
    type("suppress-reason", "asked on the phone never to be contacted");
    flushSync();
    await click("suppress-confirm");
    await waitFor(() => $("detail-suppression") !== null, "the opt-out entry");
    expect($("detail-suppression")?.textContent).toContain(
      "asked on the phone never to be contacted",
    );
    expect(audience.suppression.get("+79123456789")).toMatchObject({
      reason: "asked on the phone never to be contacted",
      source: "ui",
    });
    await waitFor(
      () => rows()[0]?.textContent?.includes("opted out") ?? false,
      "the table row marked",
    );

    await click("unsuppress");
    await waitFor(() => $("detail-suppression") === null, "the entry gone");
    expect(audience.suppression.has("+79123456789")).toBe(false);
    expect($("detail-consent")?.textContent, "consent is not touched").toBe("Granted");
  });

  it("says nothing is kept for a contact who never opted out", async () => {
    const { fake } = fakeWith((a) =>
      a.addContacts([{ phone: "+79990001122", first_name: "Ivan", consent: "granted" }]),
    );
    await open(fake);
    await waitForRows();
    rows()[0].click();
    await waitFor(() => $("forget") !== null, "the detail");
    await click("forget");
    expect($("forget-kept")?.textContent).toContain("Kept: nothing.");
  });
});

describe("export", () => {
  it("asks where to save, shows progress with a rate, and writes the filtered contacts with formulas neutralised", async () => {
    const { fake, audience } = fakeWith((a) => {
      a.generate(250);
      a.addContacts([{ phone: "+79001112233", first_name: '=HYPERLINK("x")', consent: "granted" }]);
    });
    let now = 0;
    audience.clock = () => (now += 500);
    audience.batchSize = 100;
    const gate = manualGate();
    audience.gate = gate.gate;
    fake.dialogAnswer = "/tmp/contacts.csv";
    await open(fake);
    await waitForRows();
    await click("export-open");
    await waitFor(() => $("export-progress") !== null, "the export progress");
    await waitFor(() => gate.waiting() === 1, "the first batch");
    await settle();
    expect($("export-progress-detail")?.textContent).toMatch(
      /^100 of 251 rows · [\d,]+ rows\/s · about \d+ s left$/,
    );
    expect($("audience-job-indicator")?.textContent?.trim(), "the navigation shows it").toBe(
      "Exporting 40%",
    );
    gate.open();
    await waitFor(() => $("export-result") !== null, "the result");
    expect($("export-result")?.textContent).toContain(
      "Exported 251 contacts to /tmp/contacts.csv.",
    );
    const lines = audience.readFile("/tmp/contacts.csv").trim().split("\r\n");
    expect(lines.length, "a header and one line per contact").toBe(252);
    expect(lines[0], "the Rust export's columns, then the attributes").toBe(
      "phone,first_name,last_name,locale,time_zone,time_zone_inferred,country,consent,consent_categories,tags,opted_out,created_at,last_message_at,bonus,city",
    );
    expect(lines[1], "a phone starts with +: made text, or Excel reads a formula").toMatch(/^'\+/);
    expect(
      lines.find((l) => l.includes("HYPERLINK")),
      "a formula is made text",
    ).toContain(`'=HYPERLINK(""x"")`);
    expect($("audience-job-indicator")).toBeNull();
  });

  it("cancels an export, and says no file was written", async () => {
    const { fake, audience } = fakeWith((a) => a.generate(300));
    audience.batchSize = 100;
    const gate = manualGate();
    audience.gate = gate.gate;
    fake.dialogAnswer = "/tmp/cancelled.csv";
    await open(fake);
    await waitForRows();
    await click("export-open");
    await waitFor(() => gate.waiting() === 1, "the first batch");
    await click("export-progress-cancel");
    gate.open();
    await waitFor(() => $("export-result") !== null, "the result");
    expect($("export-result")?.textContent).toContain("Export cancelled: no file was written.");
    expect(audience.files.has("/tmp/cancelled.csv")).toBe(false);
  });

  it("does nothing when the save dialog is cancelled", async () => {
    const { fake, audience } = fakeWith((a) => a.generate(10));
    fake.dialogAnswer = null;
    await open(fake);
    await waitForRows();
    await click("export-open");
    expect($("export-progress")).toBeNull();
    expect(audience.files.size).toBe(0);
  });
});

describe("empty, loading and error states", () => {
  it("offers an import and, in the sandbox, the example audience, which can be removed in one click", async () => {
    const { fake } = fakeWith(() => {});
    await open(fake);
    await waitFor(() => $("audience-empty") !== null, "the empty state");
    expect($("audience-empty")?.textContent).toContain("No contacts yet");
    expect($("empty-import")).not.toBeNull();
    expect($("example-note")?.textContent).toContain("sandbox");
    await click("example-add");
    await waitFor(() => count() === "2,000 contacts", "the example audience");
    expect($("audience-notice")?.textContent).toBe("Added 2,000 example contacts.");
    await waitFor(() => $("example-remove") !== null, "the remove button");
    expect($("example-remove")?.textContent).toContain("Remove example data (2,000)");
    await click("example-remove");
    await waitFor(() => $("audience-empty") !== null, "empty again");
    expect($("audience-notice")?.textContent).toBe("Removed 2,000 example contacts.");
  });

  it("has no example audience in a live workspace", async () => {
    const { fake } = fakeWith(() => {}, { info: { mode: "live", name: "acme" } });
    await open(fake);
    await waitFor(() => $("audience-empty") !== null, "the empty state");
    expect($("example-note")).toBeNull();
  });

  it("tells an empty result from an empty audience", async () => {
    const { fake } = fakeWith((a) => a.generate(30));
    await open(fake);
    await waitForRows();
    type("contact-search", "nobody by this name");
    await waitFor(() => $("no-matches") !== null, "no matches");
    expect($("audience-empty")).toBeNull();
  });

  it("shows the backend's error in the UI language, and retries", async () => {
    const { fake } = fakeWith((a) => a.generate(30));
    fake.failing.contactsPage = { code: "storage", message: "database is locked" };
    await open(fake);
    await waitFor(() => $("error-panel") !== null, "the error");
    expect($("error-panel")?.getAttribute("data-code")).toBe("storage");
    expect($("error-panel")?.textContent).toContain("database is locked");
    delete fake.failing.contactsPage;
    ($("error-panel")?.querySelector("button") as HTMLButtonElement).click();
    await waitForRows();
    expect(count()).toBe("30 contacts");
  });

  it("shows a loading state until the first page answers", async () => {
    const { fake } = fakeWith((a) => a.generate(5));
    const contactsPage = fake.contactsPage;
    let release: () => void = () => {};
    fake.contactsPage = (query) =>
      new Promise((resolve) => {
        release = () => resolve(contactsPage(query));
      });
    await open(fake);
    await sleep(60);
    expect($("contacts-loading")?.textContent).toContain("Loading contacts");
    release();
    await waitForRows();
    expect($("contacts-loading")).toBeNull();
  });
});

describe("in Russian", () => {
  it("words everything in Russian with Russian number formats", async () => {
    const { fake } = fakeWith((a) => a.generate(2500), { osLanguage: "ru" });
    await open(fake);
    await waitForRows();
    expect(count()).toMatch(/^Контактов: 2\s500$/);
    expect($("screen-title")?.textContent).toBe("Аудитория");
    expect($("sort-time_zone")?.textContent).toContain("Часовой пояс (получателя)");
    expect($("import-open")?.textContent).toBe("Импорт…");
  });
});
