// The rows behind the contacts table: pages of 100 fetched by offset as the user
// scrolls, a few kept in a cache, and the count of contacts the filter matches.
//
// Scrolling through a million rows passes thousands of pages; only the ones the
// table still shows when scrolling pauses are fetched. A request that has become
// stale is dropped: queued requests for pages scrolled past are never sent, and
// an answer for an older filter or sort (which IPC cannot abort) is ignored.
//
// The count: a page does not wait for it (counting some filters reads every
// contact), so its `total` may be `null`. Then the table asks for the count once
// (countContacts joins the count the page started) and, meanwhile, shows the
// rows it knows of plus one row more when the last page was full, so scrolling
// goes on. A short page tells the exact total by itself.
import { SvelteMap } from "svelte/reactivity";
import {
  BackendError,
  type ContactFilter,
  type ContactPage,
  type ContactQuery,
  type ContactRow,
  type ContactSort,
} from "../../lib/backend";
import { emptyFilter } from "../../lib/backend/audience";

export interface ContactPagesOptions {
  pageSize?: number;
  /** Pages kept besides the ones in view. */
  keepPages?: number;
  /** How long scrolling must pause before pages are fetched (ms). */
  settleMs?: number;
  /** Requests in flight at once. */
  parallel?: number;
}

/** Where the pages and the count come from (the backend's contactsPage and countContacts). */
export interface ContactSource {
  page: (query: ContactQuery) => Promise<ContactPage>;
  count: (filter: ContactFilter) => Promise<number>;
}

export class ContactPages {
  /**
   * How many contacts the filter matches; `null` while not known. After a new
   * filter or a reload it is the count before, until the first page answers.
   */
  total = $state<number | null>(null);
  /** The count was asked for and has not answered yet. */
  counting = $state(false);
  /** Why the count failed (the rows still show). */
  countError = $state<BackendError | null>(null);
  /** A page has answered (false: the table is loading for the first time). */
  loaded = $state(false);
  error = $state<BackendError | null>(null);
  /** A page is on its way. */
  loading = $state(false);
  /** Bumped by every new filter or sort: the table scrolls back to the top. */
  queryVersion = $state(0);
  /** Rows known to exist while the total is not: the end of the furthest page answered. */
  known = $state(0);
  /** The furthest page answered was full: more rows may follow it. */
  more = $state(false);

  readonly pageSize: number;
  readonly #source: ContactSource;
  readonly #keepPages: number;
  readonly #settleMs: number;
  readonly #parallel: number;
  readonly #pages = new SvelteMap<number, ContactRow[]>();
  /** Bumped by every new filter or sort, and by a reload: older answers are ignored. */
  #generation = 0;
  /** The generation whose count was asked for. */
  #countedGeneration = -1;
  /** The generation `total` is true of (a reload keeps showing the one before). */
  #totalGeneration = -1;
  /** The total before a reload, which the table keeps until the new one is known. */
  #previousTotal: number | null = null;
  /** The current filter is the one `total` was counted for (a reload, or a new sort). */
  #sameFilter = false;
  /** `loaded`, as a plain field that setQuery may read. */
  #answered = false;
  #queries = 0;
  #filter: ContactFilter = emptyFilter();
  #sort: ContactSort = { column: "created_at", descending: true };
  /** The pages the table shows now. */
  #wanted = { first: 0, last: 0 };
  // Bookkeeping, deliberately not reactive: nothing renders from it, and rowAt
  // updates #used while the table renders, which reactive state must not be.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #inFlight = new Set<number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** When each page was last used, for evicting the oldest. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #used = new Map<number, number>();
  #tick = 0;

  constructor(source: ContactSource, options: ContactPagesOptions = {}) {
    this.#source = source;
    this.pageSize = options.pageSize ?? 100;
    this.#keepPages = options.keepPages ?? 6;
    this.#settleMs = options.settleMs ?? 40;
    this.#parallel = options.parallel ?? 2;
  }

  get filter(): ContactFilter {
    return this.#filter;
  }

  get sort(): ContactSort {
    return this.#sort;
  }

  /**
   * The rows the table has: the total when known; before that, the rows known
   * of (one more when the last page was full, so that scrolling fetches the
   * next), or the total before a reload, whichever is more.
   */
  get rowCount(): number {
    if (this.total !== null) return this.total;
    const known = this.known + (this.more ? 1 : 0);
    return Math.max(known, this.#previousTotal ?? 0);
  }

  /**
   * Starts over with another filter or sort: the cache is emptied. The count
   * shows until the first page answers; another order of the same filter keeps
   * it, since the count does not depend on the order.
   */
  setQuery(filter: ContactFilter, sort: ContactSort): void {
    const next = $state.snapshot(filter);
    // Only plain fields are read here: setQuery runs inside the screen's effect,
    // which must depend on the filter and sort alone.
    const sameFilter = this.#answered && JSON.stringify(next) === JSON.stringify(this.#filter);
    const countStillTrue = sameFilter && this.#totalGeneration === this.#generation;
    this.#filter = next;
    this.#sort = $state.snapshot(sort);
    // Written without being read, for the same reason.
    this.queryVersion = ++this.#queries;
    this.#restart();
    this.#sameFilter = sameFilter;
    if (!sameFilter) this.#previousTotal = null;
    if (countStillTrue) this.#totalGeneration = this.#generation;
  }

  /**
   * Fetches the pages in view and the count again (after an import, a consent
   * change, a forget). The table keeps its size, and the count shows, until the
   * first page answers.
   */
  reload(): void {
    this.#restart();
    this.#sameFilter = true;
  }

  /** Asks for the count again (after it failed). */
  recount(): void {
    this.#countedGeneration = -1;
    this.#count();
  }

  #restart(): void {
    this.#generation++;
    this.#pages.clear();
    this.#used.clear();
    this.#inFlight.clear();
    this.error = null;
    this.countError = null;
    this.counting = false;
    this.loading = false;
    this.known = 0;
    this.more = false;
    this.#schedule(0);
  }

  /** The table shows rows `first` to `end` (exclusive). */
  want(first: number, end: number): void {
    const last = Math.max(first, end - 1);
    this.#wanted = {
      first: Math.floor(first / this.pageSize),
      last: Math.floor(last / this.pageSize),
    };
    if (this.#missing().length > 0) this.#schedule(this.#settleMs);
  }

  /** The row at `index`, or `undefined` while its page is on its way. */
  rowAt(index: number): ContactRow | undefined {
    const page = Math.floor(index / this.pageSize);
    const rows = this.#pages.get(page);
    if (!rows) return undefined;
    this.#used.set(page, ++this.#tick);
    return rows[index - page * this.pageSize];
  }

  /** The pages in view that are neither cached nor on their way. */
  #missing(): number[] {
    const missing: number[] = [];
    const rows = this.rowCount;
    for (let page = this.#wanted.first; page <= this.#wanted.last; page++) {
      if (page > 0 && page * this.pageSize >= rows && this.loaded) break;
      if (!this.#pages.has(page) && !this.#inFlight.has(page)) missing.push(page);
    }
    return missing;
  }

  #schedule(delay: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, delay);
  }

  /** Sends requests for the pages in view, up to the parallel limit. */
  #pump(): void {
    for (const page of this.#missing()) {
      if (this.#inFlight.size >= this.#parallel) break;
      void this.#load(page);
    }
  }

  async #load(page: number): Promise<void> {
    const generation = this.#generation;
    this.#inFlight.add(page);
    this.loading = true;
    try {
      const offset = page * this.pageSize;
      const answer = await this.#source.page({
        filter: this.#filter,
        sort: this.#sort,
        offset,
        limit: this.pageSize,
      });
      if (generation !== this.#generation) return;
      this.#pages.set(page, answer.rows);
      this.#used.set(page, ++this.#tick);
      this.loaded = true;
      this.#answered = true;
      this.#learn(offset, answer, generation);
      this.#evict();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = BackendError.from(error);
    } finally {
      if (generation === this.#generation) {
        this.#inFlight.delete(page);
        this.loading = this.#inFlight.size > 0;
        // Scrolling may have moved on while this page was on its way.
        if (!this.error) this.#pump();
      }
    }
  }

  /** What a page tells about the total: given, implied by a short page, or to be counted. */
  #learn(offset: number, answer: ContactPage, generation: number): void {
    const rows = answer.rows.length;
    const end = offset + rows;
    if (answer.total !== null) {
      this.#settle(answer.total, generation);
    } else if (rows < this.pageSize && (rows > 0 || offset === 0)) {
      // The last page: the filter matches exactly the rows up to its end.
      this.#settle(end, generation);
    } else if (this.#totalGeneration !== generation) {
      // The shown count is no longer known to be true. After a reload it still
      // sizes the table until the new one answers; another filter's does not.
      if (this.total !== null) {
        this.#previousTotal = this.#sameFilter ? this.total : null;
        this.total = null;
      }
      if (rows > 0 && end >= this.known) {
        this.known = end;
        this.more = rows === this.pageSize;
      }
      this.#count();
    }
  }

  #settle(total: number, generation: number): void {
    this.total = total;
    this.#totalGeneration = generation;
    this.#previousTotal = null;
    this.counting = false;
    this.countError = null;
  }

  /** Asks for the count once per filter, sort or reload; a late answer is ignored. */
  #count(): void {
    const generation = this.#generation;
    if (this.#countedGeneration === generation || this.#totalGeneration === generation) return;
    this.#countedGeneration = generation;
    this.counting = true;
    this.countError = null;
    this.#source.count(this.#filter).then(
      (total) => {
        if (generation !== this.#generation || this.#totalGeneration === generation) return;
        this.#settle(total, generation);
        // The known rows may have been fewer than the total: fill the view.
        this.#pump();
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.counting = false;
        this.countError = BackendError.from(error);
      },
    );
  }

  /** Drops the least recently used pages outside the view beyond the cache size. */
  #evict(): void {
    const outside = [...this.#pages.keys()].filter(
      (page) => page < this.#wanted.first || page > this.#wanted.last,
    );
    if (outside.length <= this.#keepPages) return;
    outside
      .sort((a, b) => (this.#used.get(a) ?? 0) - (this.#used.get(b) ?? 0))
      .slice(0, outside.length - this.#keepPages)
      .forEach((page) => {
        this.#pages.delete(page);
        this.#used.delete(page);
      });
  }

  /** Stops pending work (the screen is closing). */
  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#generation++;
  }
}
