// The in-memory Audience backend for unit tests (part of the fake in fake.ts).
//
// It behaves like the Rust side (cadence_engine::audience and ::import, the
// store's contacts and segments) where a screen can tell: contacts really
// filter, sort and page; a page carries its total only when the Rust side has
// it without waiting (a search alone, or a count made earlier for the same
// filter while nothing changed), otherwise `null`, and countContacts counts;
// segments count live, with how many may receive marketing; consent is derived
// from an append-only ledger; refusals carry the Rust side's codes and words.
// The importer decodes bytes, detects the encoding, delimiter and header row,
// parses quoted CSV, normalises phones, counts every row, runs one import at a
// time in the background with progress events and commits as a whole or not at
// all. It is smaller than the real one where a screen cannot tell: phone
// numbers are read for a handful of countries, reasons are in English, and
// "files" live in a map instead of on disk.
import type {
  AudienceFacets,
  ColumnMapping,
  ColumnRule,
  ConsentEventRow,
  ConsentKind,
  ConsentState,
  ContactDetail,
  ContactFilter,
  ContactMessage,
  ContactReply,
  ContactRow,
  ContactSort,
  Delimiter,
  ExportProgress,
  HeaderChoice,
  ImportFinished,
  ImportMode,
  ImportOptions,
  ImportPreview,
  ImportProgress,
  ImportReport,
  ImportStatus,
  Language,
  Layout,
  MappingPreset,
  Segment,
  SniffOptions,
  SuppressionRow,
  Target,
  TextEncoding,
  WorkspaceMode,
} from "../bindings";
import type { AudienceBackend } from "./audience";
import { completeFilter } from "./audience";
import { BackendError, type Backend } from "./index";

/** A contact as the fake keeps it: the row plus what only the detail shows. */
export interface FakeContact {
  row: ContactRow;
  /** The consent ledger, in the order recorded. */
  history: ConsentEventRow[];
  messages: ContactMessage[];
  replies: ContactReply[];
  /** Part of the generated example audience. */
  example: boolean;
}

/** A rejected row as an import run keeps it (all of them; a report shows the first). */
export interface FakeRejectedRow {
  line: number;
  code: string;
  reason: string;
  raw: string;
}

/** An import run as the fake records it (the store's `import_run` and its row errors). */
export interface FakeImportRun {
  id: number;
  fileName: string;
  mode: ImportMode;
  status: ImportStatus;
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  invalid: number;
  duplicates: number;
  details: {
    layout: Layout;
    region: string;
    default_time_zone: string;
    dry_run: boolean;
    blank_lines: number;
    grants_skipped_opted_out: number;
    consent_withdrawn: number;
    elapsed_ms: number;
  };
  failure: string | null;
  startedAt: number;
  finishedAt: number | null;
  rejected: FakeRejectedRow[];
}

/** The fake's state and the knobs tests turn. */
export interface FakeAudience {
  contacts: FakeContact[];
  /** The opt-out list, by E.164 number. */
  suppression: Map<string, SuppressionRow>;
  /** The saved segments (their counts are made afresh on every answer). */
  segments: Segment[];
  presets: MappingPreset[];
  imports: FakeImportRun[];
  /** The "disk": what previewImport and startImport read and exports write. */
  files: Map<string, Uint8Array>;
  /** Rows an import or export handles between two progress events. */
  batchSize: number;
  /**
   * Awaited between batches of an import or export. Tests set it to hold a job
   * half way (to see its progress, or to cancel it); `null` runs straight through.
   */
  gate: (() => Promise<void>) | null;
  /**
   * Awaited by countContacts before it answers: tests hold a slow count with it
   * (the Rust side counts some filters for up to a second on a million contacts).
   */
  countGate: (() => Promise<void>) | null;
  /** Milliseconds, for rows/s and ETA (tests move it by hand). */
  clock: () => number;
  /** The zone of contacts whose file gives none and whose country has several. */
  defaultTimeZone: string;
  /** How many rejected rows a report carries (the CSV export has them all). */
  rejectedShown: number;
  /** Puts a file on the fake disk. */
  writeFile(path: string, content: string | Uint8Array): void;
  /** A file an export wrote, as text (without its byte order mark). */
  readFile(path: string): string;
  /** Adds contacts with the given fields (the rest generated). */
  addContacts(rows: Partial<ContactRow>[]): FakeContact[];
  /** Adds `count` generated contacts across several countries and time zones. */
  generate(count: number, options?: { example?: boolean }): void;
}

/** What the fake needs to know of the rest of the backend. */
export interface FakeAudienceContext {
  /** The interface language: the rejected rows' CSV follows it, as the Rust side's does. */
  language?: () => Language;
  /** The open workspace's mode: a live workspace refuses the example audience. */
  mode?: () => WorkspaceMode;
}

/** The test controls of a fake backend made by createFakeBackend. */
export function audienceFake(backend: Backend): FakeAudience {
  const controls = (backend as Backend & { audienceFake?: FakeAudience }).audienceFake;
  if (!controls) throw new Error("not a fake backend: it has no audienceFake");
  return controls;
}

/** A copy, as a value that crossed IPC would be (JSON, like Tauri's). */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A refusal worded as the Rust side words it: `{field}: {reason}`, code invalid_input. */
function invalid(field: string, reason: string): BackendError {
  return new BackendError("invalid_input", `${field}: ${reason}`);
}

// The Rust side's limits (cadence_store::contacts, ::segments, ::import).
const MAX_PAGE_ROWS = 500;
const MAX_SEARCH_CHARS = 100;
const MAX_SOURCE_CHARS = 200;
const MAX_EVIDENCE_CHARS = 2_000;
const MAX_REASON_CHARS = 500;
const MAX_SEGMENT_NAME_CHARS = 80;
const MAX_PRESET_NAME_CHARS = 100;
/** How far in the future a consent time may lie (two machines' clocks differ). */
const FUTURE_TOLERANCE_S = 300;
const DEFAULT_REGION = "RU";
const EXAMPLE_AUDIENCE_SIZE = 2_000;
const EXAMPLE_TAG = "example";

/** `check` throws the failure a test asked for (see FakeBackend.failing). */
export function fakeAudience(
  check: (method: keyof AudienceBackend) => void,
  context: FakeAudienceContext = {},
): AudienceBackend & { audienceFake: FakeAudience } {
  const encoder = new TextEncoder();
  const language = context.language ?? (() => "en" as const);
  const mode = context.mode ?? (() => "sandbox" as const);
  let nextId = 1;
  let nextEventId = 1;
  const progressListeners = new Set<(p: ImportProgress) => void>();
  const finishedListeners = new Set<(f: ImportFinished) => void>();
  const exportListeners = new Set<(p: ExportProgress) => void>();
  const runningImports = new Map<number, { cancelled: boolean }>();
  let exportRunning: { cancelled: boolean } | null = null;

  const now = () => Math.floor(state.clock() / 1000);

  const state: FakeAudience = {
    contacts: [],
    suppression: new Map(),
    segments: [],
    presets: [],
    imports: [],
    files: new Map(),
    batchSize: 500,
    gate: null,
    countGate: null,
    clock: () => Date.now(),
    defaultTimeZone: "Europe/Moscow",
    rejectedShown: 1000,
    writeFile(path, content) {
      state.files.set(path, typeof content === "string" ? encoder.encode(content) : content);
    },
    readFile(path) {
      const bytes = state.files.get(path);
      if (!bytes) throw new Error(`no file ${path} on the fake disk`);
      return new TextDecoder().decode(bytes);
    },
    addContacts(rows) {
      const first = nextId;
      nextId += rows.length;
      changed();
      return rows.map((partial, i) => {
        const row: ContactRow = { ...generatedRow(first + i), ...partial, id: first + i };
        const contact: FakeContact = {
          row,
          history: [],
          messages: [],
          replies: [],
          example: false,
        };
        if (row.consent !== "none") {
          contact.history.push(
            event(row.consent, row.created_at, "import:seed.csv", row.consent_categories),
          );
        }
        state.contacts.push(contact);
        return contact;
      });
    },
    generate(count, options = {}) {
      const added = state.addContacts(Array.from({ length: count }, () => ({})));
      for (const contact of added) {
        contact.example = options.example ?? false;
        if (contact.example) contact.row.tags = [...contact.row.tags, EXAMPLE_TAG].sort();
      }
    },
  };

  function event(
    kind: ConsentKind,
    occurredAt: number,
    source: string,
    categories: string[],
    evidence: string | null = null,
    importId: number | null = null,
  ): ConsentEventRow {
    return {
      id: nextEventId++,
      kind,
      occurred_at: occurredAt,
      recorded_at: now(),
      source,
      categories: categories.length ? categories : ["marketing"],
      evidence,
      import_id: importId,
    };
  }

  // ---- Counts ----

  /**
   * The count cache, as cadence_engine::audience::counts keeps it: an entry is
   * used while the audience's fingerprint is the same. `generation` stands for
   * the changes a fingerprint cannot see (deletions, edits in place).
   */
  let generation = 0;
  const countCache = new Map<string, { stamp: string; total: number }>();

  function changed() {
    generation++;
  }

  function stamp(): string {
    const events = state.contacts.reduce((n, c) => n + c.history.length, 0);
    return [state.contacts.length, events, state.suppression.size, generation].join(":");
  }

  const countKey = (filter: ContactFilter) => JSON.stringify(completeFilter(filter));

  /**
   * The total a page carries: free when the filter is a search alone (the
   * search finds its own candidates and counts them), remembered when counted
   * before and nothing changed since; otherwise unknown until counted.
   */
  function totalWithoutWaiting(filter: ContactFilter, matched: number): number | null {
    const full = completeFilter(filter);
    const searchAlone =
      !!full.search?.trim() && countKey({ search: full.search }) === countKey(full);
    if (searchAlone) return matched;
    const cached = countCache.get(countKey(filter));
    return cached && cached.stamp === stamp() ? cached.total : null;
  }

  // ---- Contacts ----

  /** The row as the backend answers it: consent from the ledger, the opt-out state. */
  function rowOf(contact: FakeContact): ContactRow {
    const latest = latestEvent(contact);
    return {
      ...contact.row,
      consent: latest?.kind ?? "none",
      consent_categories: latest?.kind === "granted" ? latest.categories : [],
      suppressed: state.suppression.has(contact.row.phone),
    };
  }

  /** The ledger's latest word (by when it happened, then by when it was recorded). */
  function latestEvent(contact: FakeContact): ConsentEventRow | undefined {
    let latest: ConsentEventRow | undefined;
    for (const e of contact.history) {
      if (
        !latest ||
        e.occurred_at > latest.occurred_at ||
        (e.occurred_at === latest.occurred_at && e.id > latest.id)
      ) {
        latest = e;
      }
    }
    return latest;
  }

  /** Keeps the stored row's consent in step with the ledger after a change. */
  function settleConsent(contact: FakeContact) {
    const row = rowOf(contact);
    contact.row.consent = row.consent;
    contact.row.consent_categories = row.consent_categories;
  }

  function find(id: number): FakeContact {
    const contact = state.contacts.find((c) => c.row.id === id);
    if (!contact) {
      throw new BackendError(
        "invalid_input",
        `contact ${id} does not exist (it may have been deleted or forgotten)`,
      );
    }
    return contact;
  }

  function detail(contact: FakeContact): ContactDetail {
    return {
      contact: clone(rowOf(contact)),
      consent_history: clone(contact.history).sort(
        (a, b) => b.occurred_at - a.occurred_at || b.id - a.id,
      ),
      suppression: clone(state.suppression.get(contact.row.phone) ?? null),
      messages: clone(contact.messages),
      replies: clone(contact.replies),
    };
  }

  function matching(filter: ContactFilter): ContactRow[] {
    validateFilter(filter);
    const full = completeFilter(filter);
    return state.contacts.map(rowOf).filter((row) => matches(row, full));
  }

  /** Consent granted for marketing and not on the opt-out list: what a campaign reaches. */
  const eligible = (rows: ContactRow[]) =>
    rows.filter(
      (r) => r.consent === "granted" && r.consent_categories.includes("marketing") && !r.suppressed,
    ).length;

  function segmentView(segment: Segment): Segment {
    const rows = matching(segment.filter);
    return { ...clone(segment), count: rows.length, eligible: eligible(rows) };
  }

  function findSegment(id: number): Segment {
    const segment = state.segments.find((s) => s.id === id);
    if (!segment) {
      throw new BackendError(
        "invalid_input",
        `segment ${id} does not exist (it may have been deleted)`,
      );
    }
    return segment;
  }

  function segmentName(name: string, id: number | null): string {
    const clean = name.trim();
    if (!clean || [...clean].length > MAX_SEGMENT_NAME_CHARS) {
      throw invalid("name", `a segment name has 1 to ${MAX_SEGMENT_NAME_CHARS} characters`);
    }
    if (/\p{Cc}/u.test(clean)) {
      throw invalid("name", "a segment name cannot hold line breaks or tabs");
    }
    if (state.segments.some((s) => s.name === clean && s.id !== id)) {
      throw new BackendError(
        "invalid_input",
        `a segment named "${clean}" already exists: choose another name`,
      );
    }
    return clean;
  }

  /** Seconds since a job started, and its rate once half a second has passed (as the Rust side). */
  function rateOf(done: number, startedMs: number): number | null {
    const seconds = (state.clock() - startedMs) / 1000;
    return seconds >= 0.5 && done > 0 ? Math.round(done / seconds) : null;
  }

  const api: AudienceBackend = {
    async contactsPage(query) {
      check("contactsPage");
      const offset = query.offset ?? 0;
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_ROWS) {
        throw invalid("limit", `ask for 1 to ${MAX_PAGE_ROWS} rows`);
      }
      const filter = query.filter ?? {};
      const rows = matching(filter).sort(comparator(query.sort ?? {}));
      return {
        rows: clone(rows.slice(offset, offset + query.limit)),
        total: totalWithoutWaiting(filter, rows.length),
      };
    },
    async countContacts(filter) {
      check("countContacts");
      validateFilter(filter);
      if (state.countGate) await state.countGate();
      const taken = stamp();
      const total = matching(filter).length;
      countCache.set(countKey(filter), { stamp: taken, total });
      return total;
    },
    async audienceFacets(): Promise<AudienceFacets> {
      check("audienceFacets");
      const collect = (pick: (row: ContactRow) => (string | null)[]) =>
        [...new Set(state.contacts.flatMap((c) => pick(c.row)))]
          .filter((v): v is string => !!v)
          .sort();
      return {
        tags: collect((r) => r.tags),
        attribute_names: collect((r) => Object.keys(r.attributes)),
        time_zones: collect((r) => [r.time_zone]),
        countries: collect((r) => [r.country]),
        example_contacts: state.contacts.filter((c) => c.example).length,
      };
    },
    async contactDetail(id) {
      check("contactDetail");
      return detail(find(id));
    },
    async recordConsent(id, input) {
      check("recordConsent");
      const at = now();
      const occurredAt = input.occurred_at ?? at;
      if (occurredAt > at + FUTURE_TOLERANCE_S) {
        throw invalid("occurred_at", "consent cannot be given or withdrawn in the future");
      }
      // As the engine records it: `ui:<how>`, or `ui` when the form said nothing.
      const how = input.source.trim();
      const source = how ? `ui:${how}` : "ui";
      if ([...source].length > MAX_SOURCE_CHARS) {
        throw invalid(
          "source",
          `say how consent was recorded, in 1 to ${MAX_SOURCE_CHARS} characters`,
        );
      }
      const evidence = input.evidence?.trim() || null;
      if (evidence && [...evidence].length > MAX_EVIDENCE_CHARS) {
        throw invalid("evidence", `at most ${MAX_EVIDENCE_CHARS} characters`);
      }
      // "Stop sending me offers" names no category: it withdraws marketing.
      const categories = [
        ...new Set(
          input.categories.length === 0 && input.kind === "withdrawn"
            ? ["marketing"]
            : input.categories.map((c) => c.trim().toLowerCase()),
        ),
      ];
      const bad = categories.find((c) => !/^[a-z_-]+$/.test(c));
      if (bad !== undefined) {
        throw invalid(
          "categories",
          `"${bad}" is not a category name: use words such as marketing or utility`,
        );
      }
      if (categories.length === 0) {
        throw invalid("categories", "name at least one category (marketing, utility)");
      }
      const contact = find(id);
      contact.history.push(event(input.kind, occurredAt, source, categories, evidence));
      settleConsent(contact);
      contact.row.updated_at = at;
      changed();
      return detail(contact);
    },
    async suppressNumber(phone, reason) {
      check("suppressNumber");
      const number = internationalNumber(phone);
      const why = reason.trim();
      if (!why || [...why].length > MAX_REASON_CHARS) {
        throw invalid("reason", `say why, in 1 to ${MAX_REASON_CHARS} characters`);
      }
      // The first reason and date are kept: they are the evidence.
      if (state.suppression.has(number)) return false;
      state.suppression.set(number, { phone: number, reason: why, source: "ui", added_at: now() });
      changed();
      return true;
    },
    async unsuppressNumber(phone) {
      check("unsuppressNumber");
      const removed = state.suppression.delete(internationalNumber(phone));
      changed();
      return removed;
    },
    async forgetContact(id) {
      check("forgetContact");
      const contact = find(id);
      const phone = contact.row.phone;
      const withdrawn = rowOf(contact).consent === "withdrawn";
      const alreadyListed = state.suppression.has(phone);
      state.contacts = state.contacts.filter((c) => c !== contact);
      if (withdrawn && !alreadyListed) {
        state.suppression.set(phone, {
          phone,
          reason: "withdrew consent, then asked to be forgotten",
          source: "forget",
          added_at: now(),
        });
      }
      changed();
      return { kept_on_opt_out_list: withdrawn || alreadyListed };
    },

    async listSegments() {
      check("listSegments");
      return state.segments
        .map(segmentView)
        .sort((a, b) => compareText(a.name, b.name) || a.id - b.id);
    },
    async segmentCounts(id) {
      check("segmentCounts");
      return segmentView(findSegment(id));
    },
    async createSegment(name, filter) {
      check("createSegment");
      const clean = segmentName(name, null);
      validateFilter(filter);
      const segment: Segment = {
        id: Math.max(0, ...state.segments.map((s) => s.id)) + 1,
        name: clean,
        filter: clone(filter),
        count: 0,
        eligible: 0,
        created_at: now(),
        updated_at: now(),
      };
      state.segments.push(segment);
      return segmentView(segment);
    },
    async renameSegment(id, name) {
      check("renameSegment");
      const clean = segmentName(name, id);
      const segment = findSegment(id);
      segment.name = clean;
      segment.updated_at = now();
      return segmentView(segment);
    },
    async updateSegmentFilter(id, filter) {
      check("updateSegmentFilter");
      validateFilter(filter);
      const segment = findSegment(id);
      segment.filter = clone(filter);
      segment.updated_at = now();
      return segmentView(segment);
    },
    async deleteSegment(id) {
      check("deleteSegment");
      findSegment(id);
      state.segments = state.segments.filter((s) => s.id !== id);
    },

    async exportContacts(filter, sort, path, delimiter) {
      check("exportContacts");
      if (!path.trim() || /[\\/]$/.test(path)) throw invalid("path", `${path} names no file`);
      if (exportRunning) {
        throw invalid("export", "an export is already running: wait for it or cancel it");
      }
      const job = { cancelled: false };
      exportRunning = job;
      try {
        const separator = delimiter === "semicolon" ? ";" : ",";
        const rows = matching(filter).sort(comparator(sort));
        // The export counts its rows first, through the count cache, as the Rust side does.
        countCache.set(countKey(filter), { stamp: stamp(), total: rows.length });
        const names = [...new Set(rows.flatMap((r) => Object.keys(r.attributes)))].sort();
        const lines = [
          [
            ...EXPORT_COLUMNS,
            ...names.map((n) => (EXPORT_COLUMNS.includes(n) ? `attribute:${n}` : n)),
          ],
        ];
        const started = state.clock();
        const progress = (done: number) => {
          const rate = rateOf(done, started);
          const update: ExportProgress = {
            rows: done,
            total: Math.max(rows.length, done),
            rows_per_s: rate,
            eta_s: rate ? Math.ceil((rows.length - done) / rate) : null,
          };
          exportListeners.forEach((l) => l(update));
        };
        let done = 0;
        for (let at = 0; at < rows.length; at += state.batchSize) {
          if (job.cancelled) return { path, rows: done, cancelled: true };
          for (const r of rows.slice(at, at + state.batchSize)) {
            lines.push([
              r.phone,
              r.first_name ?? "",
              r.last_name ?? "",
              r.locale ?? "",
              r.time_zone,
              r.time_zone_inferred ? "yes" : "no",
              r.country ?? "",
              r.consent,
              r.consent_categories.join(","),
              r.tags.join(", "),
              r.suppressed ? "yes" : "no",
              rfc3339(r.created_at),
              r.last_message_at === null ? "" : rfc3339(r.last_message_at),
              ...names.map((n) => r.attributes[n] ?? ""),
            ]);
            done++;
          }
          progress(done);
          if (state.gate) await state.gate();
        }
        // A cancel that came while the last batch was written still wins: no file.
        if (job.cancelled) return { path, rows: done, cancelled: true };
        const text = lines.map((cells) => cells.map((c) => csvCell(c, separator)).join(separator));
        state.writeFile(path, "\uFEFF" + text.join("\r\n") + "\r\n");
        progress(done);
        return { path, rows: done, cancelled: false };
      } finally {
        exportRunning = null;
      }
    },
    async cancelContactsExport() {
      check("cancelContactsExport");
      if (!exportRunning) return false;
      exportRunning.cancelled = true;
      return true;
    },
    async onContactsExportProgressed(handler) {
      exportListeners.add(handler);
      return () => exportListeners.delete(handler);
    },
    async addExampleAudience() {
      check("addExampleAudience");
      if (mode() !== "sandbox") {
        throw new BackendError(
          "invalid_input",
          "the example audience belongs in sandbox workspaces only: a live workspace's contacts are real people",
        );
      }
      if (state.contacts.some((c) => c.example)) return 0;
      state.generate(EXAMPLE_AUDIENCE_SIZE, { example: true });
      return EXAMPLE_AUDIENCE_SIZE;
    },
    async removeExampleAudience() {
      check("removeExampleAudience");
      const before = state.contacts.length;
      state.contacts = state.contacts.filter((c) => !c.example);
      changed();
      return before - state.contacts.length;
    },

    // ---- Import ----

    async previewImport(path, layout) {
      check("previewImport");
      return preview(path, readFileBytes(path), layout);
    },
    async suggestImportMapping(columns, sample) {
      check("suggestImportMapping");
      // Columns named `#1`, `#2`, … come from a file without a header row.
      const named = !columns.every((c) => /^#\d+$/.test(c));
      return suggestMapping(columns, sample, named);
    },
    async importPresets() {
      check("importPresets");
      return clone(state.presets).sort((a, b) => compareText(a.name, b.name));
    },
    async saveImportPreset(name, mapping) {
      check("saveImportPreset");
      const clean = name.trim();
      if (!clean || [...clean].length > MAX_PRESET_NAME_CHARS) {
        throw invalid("name", `name the preset in 1 to ${MAX_PRESET_NAME_CHARS} characters`);
      }
      const preset: MappingPreset = { name: clean, mapping: clone(mapping), updated_at: now() };
      state.presets = [...state.presets.filter((p) => p.name !== clean), preset];
    },
    async deleteImportPreset(name) {
      check("deleteImportPreset");
      const before = state.presets.length;
      state.presets = state.presets.filter((p) => p.name !== name);
      return state.presets.length < before;
    },
    async startImport(path, options) {
      check("startImport");
      const bytes = readFileBytes(path);
      const previewed = preview(path, bytes, options.layout ?? noOverrides());
      if (previewed.layout.header.kind === "row" && previewed.rows.length === 0) {
        throw new BackendError(
          "invalid_input",
          `${path}: the file has a header row but no data rows under it`,
        );
      }
      const region = options.region ?? DEFAULT_REGION;
      if (!/^[A-Z]{2}$/.test(region)) {
        throw new BackendError(
          "invalid_input",
          `region: "${region}" is not a two-letter country code`,
        );
      }
      const zoneText = options.default_time_zone?.trim();
      const defaultZone = zoneText ? readTimeZone(zoneText) : state.defaultTimeZone;
      if (defaultZone === null) {
        throw new BackendError(
          "invalid_input",
          `default time zone: "${zoneText}" is neither an IANA time zone nor a UTC offset`,
        );
      }
      const mapping = options.mapping ?? previewed.suggested;
      const problem = mappingProblem(mapping, previewed.layout.columns);
      if (problem) throw new BackendError("invalid_input", problem);
      // One import per workspace at a time: each holds the write lock for its whole run.
      if (runningImports.size > 0) {
        throw new BackendError(
          "invalid_input",
          "another import into this workspace is running: wait for it to finish, or cancel it",
        );
      }
      const run: FakeImportRun = {
        id: Math.max(0, ...state.imports.map((r) => r.id)) + 1,
        fileName: previewed.file_name,
        mode: options.mode ?? "subscribe",
        status: "running",
        read: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        invalid: 0,
        duplicates: 0,
        details: {
          layout: previewed.layout,
          region,
          default_time_zone: defaultZone,
          dry_run: options.dry_run ?? false,
          blank_lines: 0,
          grants_skipped_opted_out: 0,
          consent_withdrawn: 0,
          elapsed_ms: 0,
        },
        failure: null,
        startedAt: now(),
        finishedAt: null,
        rejected: [],
      };
      const job = { cancelled: false };
      runningImports.set(run.id, job);
      state.imports.push(run);
      // The work goes on after the answer, as the real importer's task does.
      setTimeout(() => {
        runImport(run, bytes, mapping, options, job)
          .then(() => finish(run, null))
          .catch((error: unknown) => {
            run.status = "failed";
            run.failure = error instanceof Error ? error.message : String(error);
            finish(run, BackendError.from(error));
          })
          .finally(() => runningImports.delete(run.id));
      }, 0);
      return { import_id: run.id, layout: clone(previewed.layout) };
    },
    async cancelImport(importId) {
      check("cancelImport");
      const job = runningImports.get(importId);
      if (!job) return false;
      job.cancelled = true;
      return true;
    },
    async onImportProgressed(handler) {
      progressListeners.add(handler);
      return () => progressListeners.delete(handler);
    },
    async onImportFinished(handler) {
      finishedListeners.add(handler);
      return () => finishedListeners.delete(handler);
    },
    async importReport(importId) {
      check("importReport");
      return reportView(findImport(importId));
    },
    async importHistory() {
      check("importHistory");
      // As Importer::history: the last 20, newest first.
      return [...state.imports]
        .sort((a, b) => b.id - a.id)
        .slice(0, 20)
        .map(reportView);
    },
    async exportImportRejected(importId, path) {
      check("exportImportRejected");
      const run = findImport(importId);
      if (!path.trim()) throw invalid("path", "name a file to write");
      // As cadence_core::audience::RejectedCsv: a BOM, the header and the
      // separator of the interface language, formulas neutralised.
      const ru = language() === "ru";
      const separator = ru ? ";" : ",";
      const header = ru
        ? ["строка", "код", "причина", "запись"]
        : ["line", "code", "reason", "record"];
      const lines = [header, ...run.rejected.map((e) => [String(e.line), e.code, e.reason, e.raw])];
      const text = lines.map((cells) => cells.map((c) => csvCell(c, separator)).join(separator));
      state.writeFile(path, "\uFEFF" + text.join("\r\n") + "\r\n");
      return run.rejected.length;
    },
  };

  function findImport(importId: number): FakeImportRun {
    const run = state.imports.find((r) => r.id === importId);
    if (!run) throw new BackendError("invalid_input", `import ${importId} does not exist`);
    return run;
  }

  function reportView(run: FakeImportRun): ImportReport {
    return clone({
      import_id: run.id,
      file_name: run.fileName,
      mode: run.mode,
      status: run.status,
      read: run.read,
      created: run.created,
      updated: run.updated,
      unchanged: run.unchanged,
      invalid: run.invalid,
      duplicates_in_file: run.duplicates,
      details: run.details,
      failure: run.failure,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      rejected: run.rejected.slice(0, state.rejectedShown),
      rejected_total: run.rejected.length,
    });
  }

  function finish(run: FakeImportRun, error: BackendError | null) {
    run.finishedAt = now();
    const finished: ImportFinished = {
      import_id: run.id,
      report: error ? null : reportView(run),
      error: error ? { code: error.code, message: error.message } : null,
    };
    finishedListeners.forEach((l) => l(finished));
  }

  function readFileBytes(path: string): Uint8Array {
    if (!path.trim()) throw invalid("path", "name a file to import");
    const bytes = state.files.get(path);
    if (!bytes) throw new BackendError("io", `cannot read ${path}: no such file or directory`);
    return bytes;
  }

  async function runImport(
    run: FakeImportRun,
    bytes: Uint8Array,
    mapping: ColumnMapping,
    options: ImportOptions,
    job: { cancelled: boolean },
  ): Promise<void> {
    const layout = run.details.layout;
    const records = parseCsv(decode(bytes, layout.encoding), DELIMITERS[layout.delimiter]);
    const headerIndex = layout.header.kind === "row" ? layout.header.index : -1;
    const data = records.slice(headerIndex + 1);
    const width = layout.columns.length;
    const startedMs = state.clock();
    const dryRun = run.details.dry_run;
    const source = `import:${run.fileName}`;
    // Staged: nothing touches the contacts until the whole file has been read.
    const staged = new Map<string, { line: number; fields: StagedFields }>();
    const reject = (line: number, code: string, reason: string, raw: string) =>
      run.rejected.push({ line, code, reason, raw: raw.slice(0, 300) });

    for (let at = 0; at < data.length; at += state.batchSize) {
      for (const record of data.slice(at, at + state.batchSize)) {
        const raw = record.cells.join(DELIMITERS[layout.delimiter]);
        if (record.cells.every((c) => !c.trim())) {
          run.details.blank_lines++;
          continue;
        }
        run.read++;
        if (record.cells.length > width) {
          run.invalid++;
          reject(
            record.line,
            "ragged_row",
            `the row has ${record.cells.length} fields, the header ${width}`,
            raw,
          );
          continue;
        }
        const fields = readFields(record.cells, layout.columns, mapping, options, run);
        if ("error" in fields) {
          run.invalid++;
          reject(record.line, fields.error.code, fields.error.reason, raw);
          continue;
        }
        const first = staged.get(fields.phone);
        if (first) {
          run.duplicates++;
          reject(
            record.line,
            "duplicate_in_file",
            `the same number as line ${first.line}: that line is imported`,
            raw,
          );
          continue;
        }
        staged.set(fields.phone, { line: record.line, fields });
      }
      const done = Math.min(at + state.batchSize, data.length);
      const bytesDone = Math.round((bytes.length * done) / Math.max(1, data.length));
      const seconds = (state.clock() - startedMs) / 1000;
      const rate = seconds > 0 ? run.read / seconds : 0;
      const estimate = Math.round((run.read * bytes.length) / Math.max(1, bytesDone));
      const progress: ImportProgress = {
        import_id: run.id,
        phase: "staging",
        rows_done: run.read,
        bytes_done: bytesDone,
        bytes_total: bytes.length,
        rows_total_estimate: estimate,
        rows_per_s: rate,
        eta_s: rate > 0 ? Math.max(0, estimate - run.read) / rate : null,
      };
      progressListeners.forEach((l) => l(progress));
      if (state.gate) await state.gate();
      if (job.cancelled) {
        // Nothing was applied: the counts say what was read before the cancel.
        run.status = "cancelled";
        run.details.elapsed_ms = state.clock() - startedMs;
        return;
      }
    }
    progressListeners.forEach((l) =>
      l({
        import_id: run.id,
        phase: "applying",
        rows_done: run.read,
        bytes_done: bytes.length,
        bytes_total: bytes.length,
        rows_total_estimate: run.read,
        rows_per_s: 0,
        eta_s: null,
      }),
    );

    const at = now();
    for (const { fields } of staged.values()) {
      const existing = state.contacts.find((c) => c.row.phone === fields.phone);
      if (run.mode === "opt_out") {
        const withdrawn = existing && rowOf(existing).consent === "withdrawn";
        if (state.suppression.has(fields.phone) && (!existing || withdrawn)) run.unchanged++;
        else if (existing) run.updated++;
        else run.created++;
        if (existing && !withdrawn) run.details.consent_withdrawn++;
        if (dryRun) continue;
        if (!state.suppression.has(fields.phone)) {
          state.suppression.set(fields.phone, {
            phone: fields.phone,
            reason: "on an imported opt-out list",
            source,
            added_at: at,
          });
        }
        if (existing && !withdrawn) {
          existing.history.push(
            event("withdrawn", fields.consentAt ?? at, source, ["marketing"], null, run.id),
          );
          settleConsent(existing);
        }
        continue;
      }
      const grant = fields.consentGiven;
      if (grant && state.suppression.has(fields.phone)) run.details.grants_skipped_opted_out++;
      const grants = grant && !state.suppression.has(fields.phone);
      if (!existing) {
        run.created++;
        if (dryRun) continue;
        const [contact] = state.addContacts([
          {
            phone: fields.phone,
            first_name: fields.first_name,
            last_name: fields.last_name,
            locale: fields.locale,
            time_zone: fields.time_zone,
            time_zone_inferred: fields.time_zone_inferred,
            country: fields.country,
            consent: "none",
            consent_categories: [],
            tags: fields.tags,
            attributes: fields.attributes,
            created_at: at,
            updated_at: at,
          },
        ]);
        if (grants) {
          contact.history.push(
            event(
              "granted",
              fields.consentAt ?? at,
              fields.consentSource ?? source,
              fields.categories,
              fields.evidence,
              run.id,
            ),
          );
        }
        settleConsent(contact);
        continue;
      }
      if (options.merge === "keep_existing") {
        run.unchanged++;
        continue;
      }
      // The file's non-empty values replace the contact's; an empty cell never erases.
      const next: ContactRow = {
        ...existing.row,
        first_name: fields.first_name ?? existing.row.first_name,
        last_name: fields.last_name ?? existing.row.last_name,
        locale: fields.locale ?? existing.row.locale,
        time_zone: fields.time_zone_inferred ? existing.row.time_zone : fields.time_zone,
        time_zone_inferred: fields.time_zone_inferred ? existing.row.time_zone_inferred : false,
        tags: [...new Set([...existing.row.tags, ...fields.tags])].sort(),
        attributes: { ...existing.row.attributes, ...fields.attributes },
      };
      const newGrant =
        grants &&
        !existing.history.some(
          (e) => e.kind === "granted" && e.occurred_at === (fields.consentAt ?? -1),
        );
      if (JSON.stringify(next) === JSON.stringify(existing.row) && !newGrant) {
        run.unchanged++;
        continue;
      }
      run.updated++;
      if (dryRun) continue;
      existing.row = { ...next, updated_at: at };
      if (newGrant) {
        existing.history.push(
          event(
            "granted",
            fields.consentAt ?? at,
            fields.consentSource ?? source,
            fields.categories,
            fields.evidence,
            run.id,
          ),
        );
        settleConsent(existing);
      }
    }
    if (!dryRun) changed();
    run.status = dryRun ? "dry_run" : "applied";
    run.details.elapsed_ms = state.clock() - startedMs;
  }

  interface StagedFields {
    phone: string;
    first_name: string | null;
    last_name: string | null;
    locale: string | null;
    time_zone: string;
    time_zone_inferred: boolean;
    country: string | null;
    consentGiven: boolean;
    consentAt: number | null;
    consentSource: string | null;
    evidence: string | null;
    categories: string[];
    tags: string[];
    attributes: Record<string, string>;
  }

  function readFields(
    cells: string[],
    columns: string[],
    mapping: ColumnMapping,
    options: ImportOptions,
    run: FakeImportRun,
  ): StagedFields | { error: { code: string; reason: string } } {
    const cellOf = (rule: ColumnRule) => (cells[columns.indexOf(rule.column)] ?? "").trim();
    const value = (kind: Target["kind"]) => {
      const rule = mapping.columns.find((r) => r.target.kind === kind);
      const text = rule ? cellOf(rule) : "";
      return text === "" ? null : text;
    };
    const rawPhone = value("phone");
    if (rawPhone === null) {
      return { error: { code: "missing_phone", reason: "the phone number is empty" } };
    }
    const region = value("country")?.toUpperCase() ?? options.region ?? DEFAULT_REGION;
    const phone = toE164(rawPhone, region);
    if ("error" in phone) return phone;
    const country = countryOf(phone.e164);
    const zoneText = value("time_zone");
    let time_zone: string;
    let time_zone_inferred = false;
    if (zoneText !== null) {
      const zone = readTimeZone(zoneText);
      if (zone === null) {
        return {
          error: {
            code: "invalid_time_zone",
            reason: `"${zoneText}" is neither an IANA time zone nor a UTC offset`,
          },
        };
      }
      time_zone = zone;
    } else {
      time_zone = SINGLE_ZONE[country ?? ""] ?? run.details.default_time_zone;
      time_zone_inferred = true;
    }
    const consentText = value("consent_at");
    let consentAt: number | null = null;
    if (consentText !== null) {
      consentAt = readDate(consentText);
      if (consentAt === null) {
        return {
          error: { code: "invalid_consent_date", reason: `"${consentText}" is not a date` },
        };
      }
    }
    const given = value("consent_given");
    const consentGiven =
      given !== null ? /^(1|yes|y|true|да|д|\+)$/i.test(given) : consentAt !== null;
    const attributes: Record<string, string> = {};
    const tags = new Set<string>();
    for (const rule of mapping.columns) {
      if (rule.target.kind === "attribute" && cellOf(rule)) {
        attributes[rule.target.name] = cellOf(rule);
      }
      if (rule.target.kind === "tags") {
        for (const tag of cellOf(rule).split(/[,;|]/)) if (tag.trim()) tags.add(tag.trim());
      }
    }
    const categories = (value("consent_categories") ?? "")
      .split(/[,;|]/)
      .map((s) => s.trim())
      .filter(Boolean);
    return {
      phone: phone.e164,
      first_name: value("first_name"),
      last_name: value("last_name"),
      locale: value("locale"),
      time_zone,
      time_zone_inferred,
      country,
      consentGiven,
      consentAt,
      consentSource: value("consent_source"),
      evidence: value("consent_evidence"),
      categories: categories.length ? categories : ["marketing"],
      tags: [...tags].sort(),
      attributes,
    };
  }

  return { ...api, audienceFake: state };
}

const noOverrides = (): SniffOptions => ({ encoding: null, delimiter: null, header: null });

/** The fixed columns of a contacts export (cadence_engine::audience::export). */
const EXPORT_COLUMNS = [
  "phone",
  "first_name",
  "last_name",
  "locale",
  "time_zone",
  "time_zone_inferred",
  "country",
  "consent",
  "consent_categories",
  "tags",
  "opted_out",
  "created_at",
  "last_message_at",
];

/** Unix seconds as RFC 3339 in UTC, to the second, as the Rust side writes them. */
function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The number as the user may type it, spaces and brackets gone; refused unless E.164. */
function internationalNumber(phone: string): string {
  const compact = phone.replace(/[\s\-.()\u00a0]/g, "");
  if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
    throw invalid(
      "phone",
      `"${compact}" is not an international number: write it as + then the country code and the number, e.g. +79123456789`,
    );
  }
  return compact;
}

/** Refuses a filter the Rust side cannot run as asked (cadence_store ContactFilter::validate). */
function validateFilter(filter: ContactFilter) {
  const f = completeFilter(filter);
  if (f.search && [...f.search].length > MAX_SEARCH_CHARS) {
    throw invalid("search", `at most ${MAX_SEARCH_CHARS} characters`);
  }
  const lists: [string, string[]][] = [
    ["tags", f.tags],
    ["exclude_tags", f.exclude_tags],
    ["time_zones", f.time_zones],
    ["countries", f.countries],
    ["locales", f.locales],
  ];
  for (const [field, values] of lists) {
    if (values.some((v) => !v.trim())) throw invalid(field, "a value is empty");
  }
  for (const condition of f.attributes) {
    if (!condition.name.trim()) throw invalid("attributes", "an attribute name is empty");
    const op = condition.op ?? "equals";
    if ((op === "equals" || op === "contains") && !condition.value) {
      throw invalid("attributes", `give a value to compare "${condition.name}" with`);
    }
  }
}

// ---- Contacts: filtering and sorting ----

function matches(row: ContactRow, f: Required<ContactFilter>): boolean {
  const search = f.search?.trim();
  if (search) {
    const digits = search.replace(/\D/g, "");
    const phoneLike = /^[\d\s()+\-.]+$/.test(search) && digits.length > 0;
    if (phoneLike) {
      const inNumber = search.startsWith("+")
        ? row.phone.startsWith(`+${digits}`)
        : row.phone.includes(digits);
      if (!inNumber) return false;
    } else {
      // Words match the start of the first or last name (two words: both, in either order).
      const starts = (name: string | null, word: string) =>
        (name ?? "").toLowerCase().startsWith(word.toLowerCase());
      const words = search.split(/\s+/);
      const ok =
        words.length === 1
          ? starts(row.first_name, words[0]) || starts(row.last_name, words[0])
          : (starts(row.first_name, words[0]) && starts(row.last_name, words[1])) ||
            (starts(row.last_name, words[0]) && starts(row.first_name, words[1]));
      if (!ok) return false;
    }
  }
  if (f.consent.length && !f.consent.includes(row.consent)) return false;
  if (f.tags.length) {
    const has = (tag: string) => row.tags.includes(tag);
    if (f.tag_match === "any" ? !f.tags.some(has) : !f.tags.every(has)) return false;
  }
  if (f.exclude_tags.some((tag) => row.tags.includes(tag))) return false;
  for (const condition of f.attributes) {
    const value = row.attributes[condition.name] ?? "";
    const wanted = (condition.value ?? "").toLowerCase();
    const ok = {
      equals: value.toLowerCase() === wanted,
      contains: value.toLowerCase().includes(wanted),
      present: value !== "",
      missing: value === "",
    }[condition.op ?? "equals"];
    if (!ok) return false;
  }
  if (f.time_zones.length && !f.time_zones.includes(row.time_zone)) return false;
  if (f.countries.length && (row.country === null || !f.countries.includes(row.country))) {
    return false;
  }
  if (f.locales.length && (row.locale === null || !f.locales.includes(row.locale))) return false;
  if (f.created?.from != null && row.created_at < f.created.from) return false;
  if (f.created?.to != null && row.created_at >= f.created.to) return false;
  if (f.suppressed !== null && row.suppressed !== f.suppressed) return false;
  if (f.last_message) {
    const last = row.last_message_at;
    const lm = f.last_message;
    if (lm.kind === "never" && last !== null) return false;
    if (lm.kind === "not_since" && last !== null && last >= lm.since) return false;
    if (lm.kind === "between") {
      if (last === null) return false;
      if (lm.from !== null && last < lm.from) return false;
      if (lm.to !== null && last >= lm.to) return false;
    }
  }
  return true;
}

/** Binary order, as SQLite sorts TEXT; `null` first ascending, as SQLite does. */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function comparator(sort: ContactSort): (a: ContactRow, b: ContactRow) => number {
  const column = sort.column ?? "created_at";
  const by: Record<NonNullable<ContactSort["column"]>, (a: ContactRow, b: ContactRow) => number> = {
    phone: (a, b) => compareText(a.phone, b.phone),
    name: (a, b) =>
      compareText(a.last_name, b.last_name) || compareText(a.first_name, b.first_name),
    time_zone: (a, b) => compareText(a.time_zone, b.time_zone),
    country: (a, b) => compareText(a.country, b.country),
    consent: (a, b) => compareText(a.consent, b.consent),
    created_at: (a, b) => a.created_at - b.created_at,
  };
  // Newest first unless asked otherwise, as the real default.
  const descending = sort.descending ?? sort.column === undefined;
  const sign = descending ? -1 : 1;
  // The id breaks ties in the same direction, so that pages never overlap or skip.
  return (a, b) => sign * (by[column](a, b) || a.id - b.id);
}

/** A spreadsheet cell: quoted when needed, a leading formula character neutralised. */
function csvCell(value: string, separator: string): string {
  // As neutralise_cell: the characters that start a formula, and their full-width forms.
  const safe = /^[=+\-@\t\r＝＋－＠]/.test(value) ? `'${value}` : value;
  return safe.includes(separator) || /["\r\n]/.test(safe)
    ? `"${safe.replaceAll('"', '""')}"`
    : safe;
}

// ---- Generated contacts ----

const FIRST = [
  "Anna",
  "Ivan",
  "Olga",
  "Pavel",
  "Maria",
  "Dmitry",
  "Elena",
  "John",
  "Emma",
  "Lukas",
];
const LAST = [
  "Ivanova",
  "Petrov",
  "Smirnova",
  "Volkov",
  "Kuznetsova",
  "Sokolov",
  "Smith",
  "Brown",
  "Müller",
  "Novak",
];
const PLACES: { prefix: string; country: string; zone: string }[] = [
  { prefix: "+7912", country: "RU", zone: "Asia/Yekaterinburg" },
  { prefix: "+7916", country: "RU", zone: "Europe/Moscow" },
  { prefix: "+7923", country: "RU", zone: "Asia/Novosibirsk" },
  { prefix: "+7914", country: "RU", zone: "Asia/Vladivostok" },
  { prefix: "+49151", country: "DE", zone: "Europe/Berlin" },
  { prefix: "+447700", country: "GB", zone: "Europe/London" },
];
const TAGS = ["vip", "newsletter", "spring-sale", "wholesale"];

function generatedRow(n: number): ContactRow {
  const place = PLACES[n % PLACES.length];
  const consent: ConsentState = n % 7 === 0 ? "withdrawn" : n % 5 === 0 ? "none" : "granted";
  return {
    id: n,
    phone: `${place.prefix}${String(1000000 + ((n * 7919) % 9000000)).padStart(7, "0")}`,
    first_name: FIRST[n % FIRST.length],
    last_name: LAST[(n * 3) % LAST.length],
    locale: place.country === "RU" ? "ru" : "en",
    time_zone: place.zone,
    time_zone_inferred: n % 3 === 0,
    country: place.country,
    consent,
    consent_categories: consent === "granted" ? ["marketing"] : [],
    attributes: {
      city: ["Moscow", "Perm", "Berlin", "London"][n % 4],
      bonus: String((n * 37) % 500),
    },
    tags: TAGS.filter((_, i) => (n >> i) % 3 === 0),
    suppressed: false,
    created_at: 1764000000 + n * 3600,
    updated_at: 1764000000 + n * 3600,
    last_message_at: null,
  };
}

// ---- Import: decoding, CSV, detection ----

const DELIMITERS: Record<Delimiter, string> = { comma: ",", semicolon: ";", tab: "\t", pipe: "|" };

function bomOf(bytes: Uint8Array): { encoding: TextEncoding; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { encoding: "utf-8", length: 3 };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", length: 2 };
  return null;
}

function detectEncoding(bytes: Uint8Array): TextEncoding {
  const bom = bomOf(bytes);
  if (bom) return bom.encoding;
  const sample = bytes.subarray(0, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  sample.forEach((b, i) => {
    if (b === 0) {
      if (i % 2 === 0) evenZeros++;
      else oddZeros++;
    }
  });
  if (oddZeros > sample.length / 4) return "utf-16le";
  if (evenZeros > sample.length / 4) return "utf-16be";
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return "utf-8";
  } catch {
    // Not UTF-8: one of the Russian single-byte code pages. Russian text is
    // mostly lowercase, and each code page puts the other's lowercase letters
    // where its own capitals are, so the right one reads as mostly lowercase.
    const lowercase = (text: string) =>
      (text.match(/[а-яё]/g) ?? []).length - (text.match(/[А-ЯЁ]/g) ?? []).length;
    const cp1251 = new TextDecoder("windows-1251").decode(sample);
    const koi8 = new TextDecoder("koi8-r").decode(sample);
    return lowercase(koi8) > lowercase(cp1251) ? "koi8-r" : "windows-1251";
  }
}

function decode(bytes: Uint8Array, encoding: TextEncoding): string {
  const bom = bomOf(bytes);
  const body = bom && bom.encoding === encoding ? bytes.subarray(bom.length) : bytes;
  try {
    return new TextDecoder(encoding, { fatal: encoding === "utf-8" }).decode(body);
  } catch {
    throw new BackendError("invalid_input", "the file is not valid UTF-8: choose its encoding");
  }
}

interface CsvRecord {
  line: number;
  cells: string[];
}

/** RFC 4180 with the usual leniency: quotes may hold delimiters and line breaks; CRLF or LF. */
function parseCsv(text: string, delimiter: string, limit = Infinity): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === "")) records.push({ line: recordLine, cells });
    cells = [];
    cell = "";
  };
  while (i < text.length && records.length < limit) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell === "") {
      quoted = true;
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = "";
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
    }
    i++;
  }
  if (quoted) {
    throw new BackendError("invalid_input", `line ${recordLine}: a quoted field is never closed`);
  }
  if (records.length < limit && (cell !== "" || cells.length > 0)) endRecord();
  return records;
}

function detectDelimiter(text: string): Delimiter {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .slice(0, 20);
  let best: Delimiter = "comma";
  let bestScore = -1;
  // A tab or a semicolon rarely appears inside values, a comma often does.
  for (const name of ["tab", "semicolon", "comma", "pipe"] as Delimiter[]) {
    const counts = lines.map((l) => l.split(DELIMITERS[name]).length - 1);
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
    // The delimiter splits most lines into the same number of fields.
    const [mode, agree] = [...freq].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [0, 0];
    const score = agree * 1000 + mode;
    if (score > bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best;
}

const looksLikePhone = (cell: string) => (cell.match(/\d/g) ?? []).length >= 7;

/** The first record as wide as most records that holds no phone number; none: no header. */
function detectHeader(records: CsvRecord[]): HeaderChoice {
  const widths = new Map<number, number>();
  for (const r of records.slice(0, 20)) {
    widths.set(r.cells.length, (widths.get(r.cells.length) ?? 0) + 1);
  }
  const common = [...widths].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const index = records.slice(0, 10).findIndex((r) => r.cells.length === common);
  if (index < 0 || records[index].cells.some(looksLikePhone)) return { kind: "none" };
  return { kind: "row", index };
}

/** Column names made unique (" (2)"), an empty one `#n`; without a header, all `#n`. */
function columnNames(header: string[] | null, width: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < width; i++) {
    const base = header ? (header[i] ?? "").trim() || `#${i + 1}` : `#${i + 1}`;
    let name = base;
    for (let n = 2; names.includes(name); n++) name = `${base} (${n})`;
    names.push(name);
  }
  return names;
}

function preview(path: string, bytes: Uint8Array, overrides: SniffOptions): ImportPreview {
  if (bytes.length === 0)
    throw new BackendError("invalid_input", "the file is empty: there is nothing to import");
  const detectedEncoding = detectEncoding(bytes);
  if (!bomOf(bytes) && detectedEncoding === "utf-8" && bytes.subarray(0, 512).some((b) => b < 9)) {
    throw new BackendError("invalid_input", "this is not a text file");
  }
  const encoding = overrides.encoding ?? detectedEncoding;
  const text = decode(bytes, encoding);
  const delimiter = overrides.delimiter ?? detectDelimiter(text);
  const records = parseCsv(text, DELIMITERS[delimiter], 200);
  const header = overrides.header ?? detectHeader(records);
  if (header.kind === "row" && !records[header.index]) {
    throw new BackendError("invalid_input", `header: the file has no record ${header.index + 1}`);
  }
  const data = header.kind === "row" ? records.slice(header.index + 1) : records;
  const headerCells = header.kind === "row" ? records[header.index].cells : null;
  const width = headerCells
    ? headerCells.length
    : Math.max(0, ...data.slice(0, 20).map((r) => r.cells.length));
  const columns = columnNames(headerCells, width);
  const seen = new Map<string, number>();
  for (const name of headerCells ?? []) seen.set(name.trim(), (seen.get(name.trim()) ?? 0) + 1);
  const layout: Layout = {
    encoding,
    bom: bomOf(bytes) !== null,
    delimiter,
    header,
    columns,
    duplicate_columns: [...seen].filter(([n, c]) => n && c > 1).map(([n]) => n),
    detected_encoding: overrides.encoding === null,
    detected_delimiter: overrides.delimiter === null,
    detected_header: overrides.header === null,
  };
  const rows = data.slice(0, 20).map((r) => ({ line: r.line, fields: r.cells }));
  return {
    file_name: path.split(/[\\/]/).pop() ?? path,
    bytes: bytes.length,
    layout,
    rows,
    suggested: suggestMapping(
      columns,
      rows.map((r) => r.fields),
      headerCells !== null,
    ),
  };
}

// ---- Import: mapping ----

const ALIASES: [Target["kind"], string[]][] = [
  [
    "phone",
    ["phone", "phonenumber", "mobile", "mobilephone", "cell", "telephone", "tel", "msisdn"].concat([
      "whatsapp",
      "телефон",
      "номер",
      "номертелефона",
      "мобильный",
      "сотовый",
      "тел",
    ]),
  ],
  ["first_name", ["firstname", "givenname", "name", "имя"]],
  ["last_name", ["lastname", "surname", "familyname", "фамилия"]],
  ["locale", ["locale", "language", "lang", "язык"]],
  ["time_zone", ["timezone", "tz", "часовойпояс", "пояс"]],
  ["country", ["country", "страна"]],
  ["consent_at", ["consentat", "consentdate", "optedinat", "optindate", "датасогласия"]],
  ["consent_source", ["consentsource", "source", "источник", "источниксогласия"]],
  ["consent_categories", ["consentcategories", "categories", "категории"]],
  ["consent_evidence", ["evidence", "consentevidence", "подтверждение"]],
  ["consent_given", ["consent", "optin", "subscribed", "согласие"]],
  ["tags", ["tags", "tag", "теги", "метки"]],
];

/** Common attribute columns get their usual English names, the rest a transliteration. */
const KNOWN_ATTRIBUTES: Record<string, string> = { город: "city", city: "city" };

const TRANSLIT: Record<string, string> = Object.fromEntries(
  "а:a б:b в:v г:g д:d е:e ё:e ж:zh з:z и:i й:y к:k л:l м:m н:n о:o п:p р:r с:s т:t у:u ф:f х:kh ц:ts ч:ch ш:sh щ:shch ъ: ы:y ь: э:e ю:yu я:ya"
    .split(" ")
    .map((pair) => pair.split(":") as [string, string]),
);

const normalise = (header: string) =>
  header
    .toLowerCase()
    .replaceAll("ё", "е")
    .replace(/[^\p{L}\p{N}]/gu, "");

function attributeName(header: string, index: number): string {
  const known = KNOWN_ATTRIBUTES[normalise(header)];
  if (known) return known;
  const latin = [...header.toLowerCase()].map((ch) => TRANSLIT[ch] ?? ch).join("");
  const name = latin.replace(/[^a-z0-9]+/g, "_").replace(/^[_0-9]+|_+$/g, "");
  return name || `column_${index + 1}`;
}

function suggestMapping(columns: string[], rows: string[][], named: boolean): ColumnMapping {
  const taken = new Set<string>();
  const names = new Set<string>();
  const rules: ColumnRule[] = columns.map((column, index) => {
    const alias = named
      ? ALIASES.find(
          ([kind, aliases]) =>
            (kind === "tags" || !taken.has(kind)) && aliases.includes(normalise(column)),
        )
      : undefined;
    if (alias) {
      taken.add(alias[0]);
      return { column, target: { kind: alias[0] } as Target };
    }
    if (!named) return { column, target: { kind: "ignore" } };
    let name = attributeName(column, index);
    for (let n = 2; names.has(name); n++) name = `${attributeName(column, index)}_${n}`;
    names.add(name);
    return { column, target: { kind: "attribute", name } };
  });
  if (!taken.has("phone")) {
    // No name says "phone": the column whose values look like phones.
    const index = columns.findIndex(
      (_, i) => rows.length > 0 && rows.every((r) => looksLikePhone(r[i] ?? "")),
    );
    if (index >= 0) rules[index] = { column: columns[index], target: { kind: "phone" } };
  }
  return { columns: rules };
}

const SINGLE_TARGETS = new Set<Target["kind"]>([
  "phone",
  "first_name",
  "last_name",
  "locale",
  "time_zone",
  "country",
  "consent_at",
  "consent_source",
  "consent_categories",
  "consent_evidence",
  "consent_given",
]);

/** What stops `mapping` from running on a file with `columns`, as the real importer words it. */
function mappingProblem(mapping: ColumnMapping, columns: string[]): string | null {
  const used = new Set<string>();
  const singles = new Map<string, string>();
  const attributes = new Set<string>();
  let phone = false;
  for (const rule of mapping.columns) {
    if (rule.target.kind === "ignore") continue;
    if (!columns.includes(rule.column)) {
      return `the mapping uses the column "${rule.column}", which this file does not have`;
    }
    if (used.has(rule.column)) return `the column "${rule.column}" is mapped twice`;
    used.add(rule.column);
    if (SINGLE_TARGETS.has(rule.target.kind)) {
      const first = singles.get(rule.target.kind);
      if (first) {
        return `the columns ${first}, ${rule.column} all feed ${rule.target.kind}: choose one column`;
      }
      singles.set(rule.target.kind, rule.column);
    }
    if (rule.target.kind === "phone") phone = true;
    if (rule.target.kind === "attribute") {
      if (!/^[a-z][a-z0-9_]*$/.test(rule.target.name)) {
        return `"${rule.target.name}" cannot name an attribute`;
      }
      if (attributes.has(rule.target.name)) {
        return `two columns feed the attribute "${rule.target.name}"`;
      }
      attributes.add(rule.target.name);
    }
  }
  return phone ? null : "no column is mapped to the phone";
}

// ---- Import: values ----

const CALLING_CODES: Record<string, { code: string; national: number; trunk?: string }> = {
  RU: { code: "7", national: 10, trunk: "8" },
  KZ: { code: "7", national: 10, trunk: "8" },
  US: { code: "1", national: 10, trunk: "1" },
  GB: { code: "44", national: 10, trunk: "0" },
  DE: { code: "49", national: 11, trunk: "0" },
};

/** Countries with one time zone, for numbers whose file gives none. */
const SINGLE_ZONE: Record<string, string> = {
  DE: "Europe/Berlin",
  GB: "Europe/London",
  BY: "Europe/Minsk",
  UA: "Europe/Kyiv",
};

function countryOf(e164: string): string | null {
  const prefixes: [string, string][] = [
    ["+77", "KZ"],
    ["+7", "RU"],
    ["+1", "US"],
    ["+44", "GB"],
    ["+49", "DE"],
    ["+375", "BY"],
    ["+380", "UA"],
  ];
  return prefixes.find(([prefix]) => e164.startsWith(prefix))?.[1] ?? null;
}

function toE164(
  raw: string,
  region: string,
): { e164: string } | { error: { code: string; reason: string } } {
  if (/^\d+([.,]\d+)?E\+\d+$/i.test(raw)) {
    return {
      error: {
        code: "scientific_notation",
        reason: `"${raw}" was written in scientific notation by a spreadsheet and has lost digits`,
      },
    };
  }
  if (/[a-zа-я]/i.test(raw)) {
    return { error: { code: "invalid_phone", reason: `"${raw}" contains letters` } };
  }
  const digits = raw.replace(/\D/g, "");
  const trimmed = raw.trim();
  if (trimmed.startsWith("+") || trimmed.startsWith("00")) {
    const international = trimmed.startsWith("00") ? digits.slice(2) : digits;
    if (international.length < 8 || international.length > 15 || international.startsWith("0")) {
      return {
        error: { code: "invalid_phone", reason: `"${raw}" is not a valid international number` },
      };
    }
    return { e164: `+${international}` };
  }
  const plan = CALLING_CODES[region];
  if (!plan) {
    return {
      error: {
        code: "invalid_phone",
        reason: `"${raw}" has no country code, and region ${region} is not known`,
      },
    };
  }
  let national = digits;
  if (
    plan.trunk &&
    national.length === plan.national + plan.trunk.length &&
    national.startsWith(plan.trunk)
  ) {
    national = national.slice(plan.trunk.length);
  } else if (
    national.length === plan.national + plan.code.length &&
    national.startsWith(plan.code)
  ) {
    national = national.slice(plan.code.length);
  }
  if (national.length !== plan.national) {
    return {
      error: {
        code: "invalid_phone",
        reason: `"${raw}" has the wrong number of digits for ${region}`,
      },
    };
  }
  return { e164: `+${plan.code}${national}` };
}

function readTimeZone(text: string): string | null {
  const offset = text.match(/^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?00)?$/i);
  if (offset) {
    const hours = Number(offset[2]);
    if (hours > 14) return null;
    // IANA's Etc zones count the other way round: UTC+3 is Etc/GMT-3.
    return hours === 0 ? "Etc/UTC" : `Etc/GMT${offset[1] === "+" ? "-" : "+"}${hours}`;
  }
  try {
    return new Intl.DateTimeFormat("en", { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

function readDate(text: string): number | null {
  const dotted = text.match(/^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/);
  const ms = dotted
    ? Date.UTC(
        Number(dotted[3]),
        Number(dotted[2]) - 1,
        Number(dotted[1]),
        Number(dotted[4] ?? 0),
        Number(dotted[5] ?? 0),
      )
    : /^\d{4}-\d{2}-\d{2}/.test(text)
      ? Date.parse(text)
      : NaN;
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

// Exposed for the tests of the fake itself.
export const fakeCsv = { parseCsv, detectEncoding, detectDelimiter, toE164, readTimeZone };
