// The contacts table over a million rows: only a window of rows is in the page,
// and scrolling fetches the page of 100 that the window needs, no more.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ContactFilter,
  ContactPage,
  ContactQuery,
  ContactRow,
  ContactSort,
} from "../../lib/backend";
import { emptyFilter } from "../../lib/backend/audience";
import { setLanguage } from "../../lib/i18n/index.svelte";
import { ContactPages, type ContactSource } from "./contact-pages.svelte";
import ContactsTable from "./ContactsTable.svelte";
import { finder, settle, sleep, waitFor } from "./testing";

const TOTAL = 1_000_000;
const ROW = 32; // the table's row height in pixels
const VIEW = 600; // the viewport jsdom is assumed to have (VirtualTable's fallback)

/**
 * A backend answering pages of `rows` generated contacts, recording each
 * request. With `pageTotals` false a page says `null` for its total, as the
 * Rust side does when counting would make it wait, and the count answers when
 * `answerCount` is called.
 */
function millionRows({ rows: all = TOTAL, pageTotals = true } = {}) {
  const requests: ContactQuery[] = [];
  const countRequests: ContactFilter[] = [];
  const countAnswers: ((total: number) => void)[] = [];
  const pending: { query: ContactQuery; resolve: (page: ContactPage) => void }[] = [];
  let hold = false;
  const rowAt = (i: number, sort: ContactSort): ContactRow => ({
    id: i + 1,
    phone: `+7900${String(i).padStart(7, "0")}`,
    // The sort is in the name, so a test can tell which request a row came from.
    first_name: `Name${i} ${sort.column}${sort.descending ? "↓" : "↑"}`,
    last_name: null,
    locale: "ru",
    time_zone: "Europe/Moscow",
    time_zone_inferred: i % 2 === 0,
    country: "RU",
    consent: "granted",
    consent_categories: ["marketing"],
    tags: [],
    attributes: {},
    suppressed: false,
    created_at: 1764000000 + i,
    updated_at: 1764000000 + i,
    last_message_at: null,
  });
  const answer = (query: ContactQuery): ContactPage => {
    const offset = query.offset ?? 0;
    return {
      rows: Array.from({ length: Math.max(0, Math.min(query.limit, all - offset)) }, (_, k) =>
        rowAt(offset + k, query.sort ?? {}),
      ),
      total: pageTotals ? all : null,
    };
  };
  const fetch = (query: ContactQuery) => {
    requests.push(structuredClone(query));
    if (!hold) return Promise.resolve(answer(query));
    return new Promise<ContactPage>((resolve) => pending.push({ query, resolve }));
  };
  return {
    requests,
    /** Holds answers until `flush` (to see requests in flight). */
    hold(on: boolean) {
      hold = on;
    },
    /** Answers the held requests, the newest first when `newestFirst`. */
    flush(newestFirst = false) {
      const held = pending.splice(0);
      (newestFirst ? held.reverse() : held).forEach((p) => p.resolve(answer(p.query)));
    },
    fetch,
    countRequests,
    /** Answers the counts asked so far with the real total. */
    answerCount() {
      countAnswers.splice(0).forEach((resolve) => resolve(all));
    },
    source: {
      page: fetch,
      count: (filter: ContactFilter) => {
        countRequests.push(structuredClone(filter));
        return new Promise<number>((resolve) => countAnswers.push(resolve));
      },
    } satisfies ContactSource,
  };
}

let target: HTMLElement;
let component: ReturnType<typeof mount> | undefined;
let pages: ContactPages;
const { $, $$ } = finder(() => target);

const rendered = () => $$('[role="row"][data-index]');
const renderedIndices = () => rendered().map((r) => Number(r.dataset.index));
const table = () => $<HTMLDivElement>("contacts-table")!;

function scrollTo(top: number) {
  table().scrollTop = top;
  table().dispatchEvent(new Event("scroll"));
  flushSync();
}

function start(source: ContactSource, sort?: ContactSort, settleMs = 20) {
  pages = new ContactPages(source, { settleMs });
  const sorts: ContactSort[] = [];
  component = mount(ContactsTable, {
    target,
    props: {
      pages,
      sort: sort ?? { column: "created_at", descending: true },
      onsort: (next: ContactSort) => sorts.push(next),
      onopen: () => {},
    },
  });
  pages.setQuery(emptyFilter(), sort ?? { column: "created_at", descending: true });
  return sorts;
}

beforeEach(() => {
  setLanguage("en");
  target = document.createElement("div");
  document.body.append(target);
});

afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  pages?.dispose();
  target.remove();
});

describe("the contacts table with 1,000,000 contacts", () => {
  it("renders only the rows in view plus the overscan, and tells the total to assistive tech", async () => {
    const backend = millionRows();
    start(backend.source);
    await waitFor(() => pages.total === TOTAL, "the first page");
    await settle();

    expect(table().getAttribute("aria-rowcount"), "header row + every contact").toBe("1000001");
    const visible = Math.ceil(VIEW / ROW);
    expect(rendered().length, "the rows in view, one partial, and 8 below").toBe(visible + 1 + 8);
    expect(renderedIndices()[0]).toBe(0);
    expect(rendered()[0].textContent).toContain("+79000000000");
    expect(backend.requests, "one page request, for the first 100 rows").toEqual([
      {
        filter: emptyFilter(),
        sort: { column: "created_at", descending: true },
        offset: 0,
        limit: 100,
      },
    ]);
    const body = table().querySelector<HTMLElement>(".body")!;
    expect(
      parseInt(body.style.height),
      "the scroll area is capped far below a million 32-pixel rows",
    ).toBeLessThanOrEqual(8_000_000);
  });

  it("fetches the page the middle of the list needs when scrolled there", async () => {
    const backend = millionRows();
    start(backend.source);
    await waitFor(() => pages.total === TOTAL, "the first page");
    await settle();
    backend.requests.length = 0;

    // Half way down the (scaled) scroll bar is half way through the contacts.
    const scrollHeight = 8_000_000;
    scrollTo((scrollHeight - VIEW) / 2);
    const first = renderedIndices()[0];
    const last = renderedIndices().at(-1)!;
    expect(first + 8, "the first row in view is near the middle").toBeGreaterThan(499_950);
    expect(first + 8).toBeLessThan(500_050);
    expect(last - first + 1, "still only a window of rows").toBeLessThanOrEqual(19 + 1 + 16);

    await waitFor(() => backend.requests.length > 0, "a page request");
    await settle();
    const offsets = backend.requests.map((r) => r.offset ?? 0).sort((a, b) => a - b);
    const needed = [...new Set([first, last].map((i) => Math.floor(i / 100) * 100))];
    expect(offsets, "exactly the pages of 100 the window covers").toEqual(needed);
    await waitFor(() => rendered()[8]?.textContent?.includes("Name") ?? false, "rows filled");
    const row = rendered().find((r) => Number(r.dataset.index) === first + 8)!;
    expect(row.textContent, "the row shows the contact at its index").toContain(`Name${first + 8}`);
  });

  it("shows the last contact at the very bottom", async () => {
    const backend = millionRows();
    start(backend.source);
    await waitFor(() => pages.total === TOTAL, "the first page");
    scrollTo(8_000_000 - VIEW);
    expect(renderedIndices().at(-1)).toBe(TOTAL - 1);
    await waitFor(
      () => backend.requests.some((r) => r.offset === 999_900),
      "the last page request",
    );
    await waitFor(
      () =>
        rendered()
          .at(-1)
          ?.textContent?.includes(`Name${TOTAL - 1}`) ?? false,
      "the last row",
    );
  });

  it("never sends requests for pages scrolled past before scrolling paused", async () => {
    const backend = millionRows();
    // A pause long enough that even a slow machine flings within it.
    start(backend.source, undefined, 250);
    await waitFor(() => pages.total === TOTAL, "the first page");
    backend.requests.length = 0;
    // A fling: ten positions within the settle time.
    for (let i = 1; i <= 10; i++) scrollTo(i * 700_000);
    await sleep(400);
    await settle();
    const final = Math.floor(renderedIndices()[0] / 100) * 100;
    expect(
      backend.requests.every((r) => (r.offset ?? 0) >= final),
      "only the pages where scrolling stopped are fetched",
    ).toBe(true);
    expect(backend.requests.length).toBeLessThanOrEqual(2);
  });

  it("ignores an answer for an older sort that arrives late", async () => {
    const backend = millionRows();
    start(backend.source);
    await waitFor(() => pages.total === TOTAL, "the first page");
    backend.hold(true);
    pages.setQuery(emptyFilter(), { column: "phone", descending: false });
    await waitFor(() => backend.requests.length === 2, "the phone-sorted request");
    // The user changes the sort again before the first answer comes.
    pages.setQuery(emptyFilter(), { column: "phone", descending: true });
    await waitFor(() => backend.requests.length === 3, "the descending request");
    expect(pages.rowAt(0), "nothing cached for the new sort yet").toBeUndefined();
    // The answers come back out of order: the newest first, the stale one last.
    backend.flush(true);
    await settle();
    expect(backend.requests[1].sort?.descending, "the stale request").toBe(false);
    expect(
      pages.rowAt(0)?.first_name,
      "the late answer for the older sort must not overwrite the newer one",
    ).toBe("Name0 phone↓");
  });

  it("asks for a sort when a column header is clicked and marks the sorted column", async () => {
    const backend = millionRows();
    const sorts = start(backend.source, { column: "phone", descending: false });
    await waitFor(() => pages.total === TOTAL, "the first page");
    const phone = $("sort-phone")!;
    expect(phone.closest('[role="columnheader"]')?.getAttribute("aria-sort")).toBe("ascending");
    expect($("sort-name")!.closest('[role="columnheader"]')?.getAttribute("aria-sort")).toBe(
      "none",
    );
    phone.click();
    $("sort-name")!.click();
    $("sort-created_at")!.click();
    expect(sorts, "same column flips; a new column starts ascending, dates newest first").toEqual([
      { column: "phone", descending: true },
      { column: "name", descending: false },
      { column: "created_at", descending: true },
    ]);
  });

  it("goes back to the first row for a new sort, but keeps its place when the same query reloads", async () => {
    const backend = millionRows();
    start(backend.source);
    await waitFor(() => pages.total === TOTAL, "the first page");
    scrollTo(4_000_000);
    pages.reload();
    flushSync();
    expect(table().scrollTop, "a reload (after an import) keeps the place").toBe(4_000_000);
    pages.setQuery(emptyFilter(), { column: "phone", descending: false });
    flushSync();
    expect(table().scrollTop, "a new order starts at its top").toBe(0);
    expect(renderedIndices()[0]).toBe(0);
  });

  it("moves through rows with the keyboard, scrolling the active row into view", async () => {
    const backend = millionRows();
    start(backend.source);
    await waitFor(() => pages.total === TOTAL, "the first page");
    const grid = table();
    grid.focus();
    grid.dispatchEvent(new FocusEvent("focus"));
    const key = (k: string) => {
      grid.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
      flushSync();
    };
    key("ArrowDown");
    key("ArrowDown");
    const active = () => grid.querySelector('[aria-selected="true"]') as HTMLElement | null;
    expect(active()?.dataset.index).toBe("2");
    expect(grid.getAttribute("aria-activedescendant")).toBe(active()?.id);
    key("End");
    expect(renderedIndices(), "End scrolls to the last contact").toContain(TOTAL - 1);
    expect(active()?.dataset.index).toBe(String(TOTAL - 1));
    key("Home");
    expect(active()?.dataset.index).toBe("0");
    expect(grid.scrollTop).toBe(0);
  });
});

describe("ContactPages", () => {
  it("keeps a few pages: going back to a cached page asks nothing, an evicted one is fetched again", async () => {
    const backend = millionRows();
    const loader = new ContactPages(backend.source, { settleMs: 0, keepPages: 2 });
    loader.setQuery(emptyFilter(), { column: "phone", descending: false });
    const visit = async (row: number) => {
      loader.want(row, row + 20);
      await sleep(5);
      await settle();
    };
    await visit(0);
    await visit(1000);
    await visit(0);
    expect(
      backend.requests.map((r) => r.offset),
      "page 0 was still cached when the user came back",
    ).toEqual([0, 1000]);
    await visit(2000);
    await visit(3000);
    await visit(4000);
    await visit(0);
    expect(
      backend.requests.map((r) => r.offset),
      "with two pages kept, page 0 was evicted and is fetched again",
    ).toEqual([0, 1000, 2000, 3000, 4000, 0]);
    loader.dispose();
  });

  it("does not wait for a slow count: shows the rows it knows, asks for the count once, then sizes the table", async () => {
    const backend = millionRows({ pageTotals: false });
    start(backend.source);
    await waitFor(() => pages.loaded, "the first page");
    await settle();
    expect(pages.total, "the page did not say").toBeNull();
    expect(pages.counting).toBe(true);
    expect(backend.countRequests, "one count, of the table's filter").toEqual([emptyFilter()]);
    expect(
      table().getAttribute("aria-rowcount"),
      "assistive tech hears that the number of rows is unknown, not a wrong number",
    ).toBe("-1");
    expect(pages.rowCount, "the first page's rows, and one more: a next page may follow").toBe(101);

    // Scrolling on before the count answers fetches the next page, and the table grows.
    scrollTo(101 * ROW - VIEW);
    await waitFor(() => backend.requests.some((r) => r.offset === 100), "the second page");
    await waitFor(() => pages.rowCount === 201, "the second page's rows");
    expect(backend.countRequests.length, "the count is not asked again").toBe(1);

    backend.answerCount();
    await waitFor(() => pages.total === TOTAL, "the count");
    expect(pages.counting).toBe(false);
    expect(table().getAttribute("aria-rowcount")).toBe("1000001");
  });

  it("takes the total from a short page instead of counting", async () => {
    for (const rows of [42, 0]) {
      const backend = millionRows({ rows, pageTotals: false });
      const loader = new ContactPages(backend.source, { settleMs: 0 });
      loader.setQuery(emptyFilter(), { column: "phone", descending: false });
      await waitFor(() => loader.loaded, "the first page");
      expect(loader.total, "a page shorter than asked is the last one").toBe(rows);
      expect(backend.countRequests, "nothing to count").toEqual([]);
      loader.dispose();
    }
  });

  it("keeps the table's size through a reload until the new count answers", async () => {
    const backend = millionRows({ pageTotals: false });
    const loader = new ContactPages(backend.source, { settleMs: 0 });
    loader.setQuery(emptyFilter(), { column: "phone", descending: false });
    await waitFor(() => loader.counting, "the count asked for");
    backend.answerCount();
    await waitFor(() => loader.total === TOTAL, "the count");
    loader.reload();
    expect(loader.total, "the old count shows until the reloaded page answers").toBe(TOTAL);
    await waitFor(() => backend.countRequests.length === 2, "the count asked again");
    expect(loader.total, "the contacts changed: the old count is no longer claimed").toBeNull();
    expect(loader.rowCount, "but the table keeps its size meanwhile").toBe(TOTAL);
    backend.answerCount();
    await waitFor(() => loader.total === TOTAL, "the new count");
    loader.dispose();
  });

  it("keeps the count for another order of the same filter, and counts a new filter", async () => {
    const backend = millionRows({ pageTotals: false });
    const loader = new ContactPages(backend.source, { settleMs: 0 });
    loader.setQuery(emptyFilter(), { column: "phone", descending: false });
    await waitFor(() => loader.counting, "the count asked for");
    backend.answerCount();
    await waitFor(() => loader.total === TOTAL, "the count");
    loader.setQuery(emptyFilter(), { column: "name", descending: true });
    await waitFor(() => backend.requests.length === 2, "the page in the new order");
    await settle();
    expect(loader.total, "the order does not change how many match").toBe(TOTAL);
    expect(backend.countRequests.length, "so nothing is counted again").toBe(1);
    loader.setQuery({ ...emptyFilter(), tags: ["vip"] }, { column: "name", descending: true });
    await waitFor(() => backend.countRequests.length === 2, "the new filter's count");
    expect(loader.total, "the old filter's count is not shown for the new one").toBeNull();
    expect(loader.rowCount, "the table is as long as the rows known").toBe(101);
    loader.dispose();
  });

  it("ignores a count of an older filter, and asks again after a failed count", async () => {
    const answers: { filter: ContactFilter; resolve: (n: number) => void; fail: () => void }[] = [];
    const backend = millionRows({ pageTotals: false });
    const loader = new ContactPages(
      {
        page: backend.fetch,
        count: (filter) =>
          new Promise<number>((resolve, reject) =>
            answers.push({
              filter,
              resolve,
              fail: () => reject({ code: "storage", message: "database is locked" }),
            }),
          ),
      },
      { settleMs: 0 },
    );
    loader.setQuery(emptyFilter(), { column: "phone", descending: false });
    await waitFor(() => answers.length === 1, "the first count");
    loader.setQuery(
      { ...emptyFilter(), countries: ["DE"] },
      { column: "phone", descending: false },
    );
    await waitFor(() => answers.length === 2, "the second count");
    answers[0].resolve(999);
    await settle();
    expect(loader.total, "the count of the filter no longer shown must not be shown").toBeNull();
    answers[1].fail();
    await waitFor(() => loader.countError !== null, "the failure");
    expect(loader.countError?.code).toBe("storage");
    expect(loader.counting).toBe(false);
    expect(loader.rowAt(0), "the rows still show").toBeDefined();
    loader.recount();
    await waitFor(() => answers.length === 3, "the count asked again");
    expect(answers[2].filter.countries).toEqual(["DE"]);
    answers[2].resolve(12345);
    await waitFor(() => loader.total === 12345, "the count");
    expect(loader.countError).toBeNull();
    loader.dispose();
  });

  it("holds the backend's error until reloaded, then fetches again", async () => {
    let fail = true;
    const backend = millionRows();
    const loader = new ContactPages(
      {
        page: (query) =>
          fail
            ? Promise.reject({ code: "storage", message: "database is locked" })
            : backend.fetch(query),
        count: backend.source.count,
      },
      { settleMs: 0 },
    );
    loader.setQuery(emptyFilter(), { column: "phone", descending: false });
    await waitFor(() => loader.error !== null, "the error");
    expect(loader.error?.code).toBe("storage");
    expect(loader.total, "no count is made up").toBeNull();
    fail = false;
    loader.reload();
    await waitFor(() => loader.total === TOTAL, "the retried page");
    expect(loader.error).toBeNull();
    loader.dispose();
  });
});
