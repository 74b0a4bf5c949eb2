// The fake audience backend reads files honestly: the screen's tests are only as
// good as the double behind them.
import { describe, expect, it } from "vitest";
import type { ImportFinished, ImportOptions, Target } from "../../lib/backend";
import { createFakeBackend, type FakeBackend } from "../../lib/backend/fake";
import { audienceFake, fakeCsv } from "../../lib/backend/fake-audience";
import { encodeSingleByte, encodeUtf16le } from "./testing";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("the fake's CSV reading", () => {
  it("keeps quoted delimiters, quotes and line breaks inside one field, and numbers records by their first line", () => {
    const records = fakeCsv.parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\r\nlast,row', ",");
    expect(records).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ["x, y", 'say "hi"\nthere'] },
      { line: 4, cells: ["last", "row"] },
    ]);
  });

  it("refuses an unterminated quote with the line it starts on", () => {
    expect(() => fakeCsv.parseCsv('a,b\n1,"never closed\n2,3', ",")).toThrow(
      "line 2: a quoted field is never closed",
    );
  });

  it("tells the encodings Russian spreadsheets use apart", () => {
    const text = "Телефон;Имя\n+79123456789;Анна Сергеевна\n";
    expect(fakeCsv.detectEncoding(utf8(text))).toBe("utf-8");
    expect(fakeCsv.detectEncoding(encodeSingleByte(text, "windows-1251"))).toBe("windows-1251");
    expect(fakeCsv.detectEncoding(encodeSingleByte(text, "koi8-r"))).toBe("koi8-r");
    expect(fakeCsv.detectEncoding(encodeUtf16le(text))).toBe("utf-16le");
  });

  it("finds the delimiter that splits lines evenly, even with decimal commas", () => {
    expect(fakeCsv.detectDelimiter("a;b;c\n1,5;2;3\n4;5,5;6\n")).toBe("semicolon");
    expect(fakeCsv.detectDelimiter("a\tb\n1\t2\n")).toBe("tab");
    expect(fakeCsv.detectDelimiter("a,b,c\n1,2,3\n")).toBe("comma");
  });

  it("writes phones in E.164 with the default region, and rejects what it cannot read", () => {
    expect(fakeCsv.toE164("8 (912) 345-67-89", "RU")).toEqual({ e164: "+79123456789" });
    expect(fakeCsv.toE164("+49 151 2345 6789", "RU")).toEqual({ e164: "+4915123456789" });
    expect(fakeCsv.toE164("7.91E+10", "RU")).toHaveProperty("error.code", "scientific_notation");
    expect(fakeCsv.toE164("912", "RU")).toHaveProperty("error.code", "invalid_phone");
  });

  it("reads a UTC offset as the matching Etc zone (whose sign IANA inverts)", () => {
    expect(fakeCsv.readTimeZone("UTC+3")).toBe("Etc/GMT-3");
    expect(fakeCsv.readTimeZone("Asia/Yekaterinburg")).toBe("Asia/Yekaterinburg");
    expect(fakeCsv.readTimeZone("Mars/Olympus")).toBeNull();
  });
});

describe("the fake's import", () => {
  const mapping = (...rules: [string, Target][]) => ({
    columns: rules.map(([column, target]) => ({ column, target })),
  });

  /** Starts an import and waits for its end, as the wizard does. */
  async function importToEnd(fake: FakeBackend, path: string, options: ImportOptions) {
    const finished = new Promise<ImportFinished>((resolve) => {
      fake.onImportFinished(resolve);
    });
    const started = await fake.startImport(path, options);
    const end = await finished;
    expect(end.import_id, "the end of the import that was started").toBe(started.import_id);
    if (!end.report) throw new Error(`the import failed: ${end.error?.message}`);
    return end.report;
  }

  it("accounts for every row: read = created + updated + unchanged + invalid + duplicates", async () => {
    const fake = createFakeBackend();
    const audience = audienceFake(fake);
    audience.addContacts([
      {
        phone: "+79120000001",
        first_name: "Old",
        time_zone: "Europe/Moscow",
        time_zone_inferred: false,
      },
      {
        phone: "+79120000002",
        first_name: "Same",
        time_zone: "Europe/Moscow",
        time_zone_inferred: false,
        tags: [],
        attributes: {},
      },
    ]);
    audience.writeFile(
      "/f.csv",
      [
        "phone,name,tz",
        "+79120000001,New,Europe/Moscow", // updated
        "+79120000002,Same,Europe/Moscow", // unchanged
        "+79120000003,Fresh,UTC+5", // created
        "+79120000003,Again,", // duplicate in the file
        "not a phone,X,", // invalid
        "+79120000004,Bad zone,Mars/Olympus", // invalid
        "+79120000005,Extra,,field", // invalid: ragged
        ",,", // blank: not a row
        "",
      ].join("\n"),
    );
    const report = await importToEnd(fake, "/f.csv", {
      mapping: mapping(
        ["phone", { kind: "phone" }],
        ["name", { kind: "first_name" }],
        ["tz", { kind: "time_zone" }],
      ),
    });
    expect(report).toMatchObject({
      status: "applied",
      read: 7,
      created: 1,
      updated: 1,
      unchanged: 1,
      invalid: 3,
      duplicates_in_file: 1,
      rejected_total: 4,
    });
    expect(report.details.blank_lines).toBe(1);
    expect(report.rejected.map((r) => [r.line, r.code])).toEqual([
      [5, "duplicate_in_file"],
      [6, "invalid_phone"],
      [7, "invalid_time_zone"],
      [8, "ragged_row"],
    ]);
    const page = await fake.contactsPage({ sort: { column: "phone" }, limit: 10 });
    expect(page.rows.map((r) => [r.phone, r.first_name, r.time_zone])).toEqual([
      ["+79120000001", "New", "Europe/Moscow"],
      ["+79120000002", "Same", "Europe/Moscow"],
      ["+79120000003", "Fresh", "Etc/GMT-5"],
    ]);
  });

  it("refuses a mapping without a phone before anything starts", async () => {
    const fake = createFakeBackend();
    audienceFake(fake).writeFile("/f.csv", "phone,name\n+79120000001,Anna\n");
    await expect(
      fake.startImport("/f.csv", { mapping: mapping(["name", { kind: "first_name" }]) }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    expect(audienceFake(fake).imports, "nothing is recorded").toEqual([]);
  });

  it("loads an opt-out list onto the suppression list and withdraws existing consent", async () => {
    const fake = createFakeBackend();
    const audience = audienceFake(fake);
    audience.addContacts([{ phone: "+79120000001", consent: "granted" }]);
    audience.writeFile("/stop.csv", "phone\n89120000001\n89120000009\n");
    const report = await importToEnd(fake, "/stop.csv", { mode: "opt_out" });
    expect(report).toMatchObject({ read: 2, created: 1, updated: 1, invalid: 0 });
    expect(report.details.consent_withdrawn).toBe(1);
    expect(audience.suppression.has("+79120000001")).toBe(true);
    expect(audience.suppression.has("+79120000009")).toBe(true);
    const [contact] = (await fake.contactsPage({ limit: 10 })).rows;
    expect(contact.consent).toBe("withdrawn");
    expect(contact.suppressed).toBe(true);
    expect(audience.contacts.length, "an opt-out list creates no contact").toBe(1);
  });
});

describe("the fake's contacts, as the Rust side answers them", () => {
  it("gives a page's total only when the Rust side has it without waiting", async () => {
    const fake = createFakeBackend();
    const audience = audienceFake(fake);
    audience.generate(150);
    const page = () => fake.contactsPage({ limit: 100 });
    expect((await page()).total, "the whole table: counted in the background").toBeNull();
    expect(await fake.countContacts({})).toBe(150);
    expect((await page()).total, "counted once, remembered").toBe(150);
    audience.addContacts([{ phone: "+79990000001" }]);
    expect((await page()).total, "a new contact makes the remembered count stale").toBeNull();
    expect(await fake.countContacts({})).toBe(151);
    const [first] = (await page()).rows;
    await fake.forgetContact(first.id);
    expect((await page()).total, "a deletion too").toBeNull();
    const search = await fake.contactsPage({ filter: { search: "Olga" }, limit: 100 });
    expect(search.total, "a search alone counts its own candidates").toBe(search.rows.length);
    const narrowed = await fake.contactsPage({
      filter: { search: "Olga", countries: ["RU"] },
      limit: 100,
    });
    expect(narrowed.total, "with another condition it does not").toBeNull();
  });

  it("refuses what the Rust side refuses, in its words", async () => {
    const fake = createFakeBackend({ info: { mode: "live", name: "acme" } });
    const audience = audienceFake(fake);
    const [anna] = audience.addContacts([{ phone: "+79123456789", consent: "granted" }]);
    await expect(fake.contactsPage({ limit: 501 })).rejects.toThrow("limit: ask for 1 to 500 rows");
    await expect(fake.countContacts({ search: "x".repeat(101) })).rejects.toThrow(
      "search: at most 100 characters",
    );
    await expect(fake.suppressNumber("8 912 345 67 89", "asked")).rejects.toThrow(
      "is not an international number",
    );
    await expect(fake.suppressNumber("+7 912 345-67-89", "  ")).rejects.toThrow(
      "reason: say why, in 1 to 500 characters",
    );
    await expect(
      fake.recordConsent(anna.row.id, {
        kind: "granted",
        categories: [],
        source: "call",
        evidence: null,
      }),
    ).rejects.toThrow("categories: name at least one category (marketing, utility)");
    await expect(fake.addExampleAudience()).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("sandbox workspaces only"),
    });
    await expect(fake.segmentCounts(9)).rejects.toThrow("segment 9 does not exist");
    await expect(fake.importReport(9)).rejects.toThrow("import 9 does not exist");
  });

  it("keeps an opt-out entry's first reason, and records consent by hand as the engine does", async () => {
    const fake = createFakeBackend();
    const audience = audienceFake(fake);
    const [anna] = audience.addContacts([{ phone: "+79123456789", consent: "granted" }]);
    expect(await fake.suppressNumber("+7 (912) 345-67-89", "asked by phone")).toBe(true);
    expect(await fake.suppressNumber("+79123456789", "again"), "already there").toBe(false);
    expect(audience.suppression.get("+79123456789")?.reason, "the first is the evidence").toBe(
      "asked by phone",
    );
    const detail = await fake.recordConsent(anna.row.id, {
      kind: "withdrawn",
      categories: [],
      source: "",
      evidence: null,
    });
    expect(detail.consent_history[0], "no category: marketing; no source: `ui`").toMatchObject({
      kind: "withdrawn",
      categories: ["marketing"],
      source: "ui",
    });
    expect(await fake.unsuppressNumber("+79123456789")).toBe(true);
    expect(await fake.unsuppressNumber("+79123456789"), "not on the list any more").toBe(false);
  });
});

describe("the fake's import, as the Rust side runs it", () => {
  it("runs one import at a time, and refuses a header without rows", async () => {
    const fake = createFakeBackend();
    const audience = audienceFake(fake);
    audience.writeFile("/f.csv", "phone\n+79120000001\n+79120000002\n");
    audience.writeFile("/empty.csv", "phone,name\n");
    await expect(fake.startImport("/empty.csv", {})).rejects.toThrow(
      "the file has a header row but no data rows under it",
    );
    audience.gate = () => new Promise(() => {});
    audience.batchSize = 1;
    const started = await fake.startImport("/f.csv", {});
    await expect(fake.startImport("/f.csv", {})).rejects.toThrow(
      "another import into this workspace is running",
    );
    expect(await fake.cancelImport(started.import_id)).toBe(true);
    expect(await fake.cancelImport(started.import_id + 1), "none runs by that id").toBe(false);
  });

  it("writes the rejected rows in the interface language, as RejectedCsv does", async () => {
    const fake = createFakeBackend({ osLanguage: "ru" });
    const audience = audienceFake(fake);
    audience.writeFile("/f.csv", "phone;name\n+79120000001;Анна\n=1+1;Формула\n");
    const finished = new Promise<ImportFinished>((resolve) => fake.onImportFinished(resolve));
    const started = await fake.startImport("/f.csv", {});
    await finished;
    expect(await fake.exportImportRejected(started.import_id, "/out.csv")).toBe(1);
    const bytes = audience.files.get("/out.csv")!;
    expect([...bytes.slice(0, 3)], "a byte order mark, for Excel").toEqual([0xef, 0xbb, 0xbf]);
    const lines = audience.readFile("/out.csv").trim().split("\r\n");
    expect(lines[0]).toBe("строка;код;причина;запись");
    expect(lines[1], "a formula in the record is made text").toMatch(
      /^3;invalid_phone;.*;"'=1\+1;Формула"$/,
    );
  });
});
