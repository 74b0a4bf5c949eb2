// The backend calls of the Audience screen (part of Backend, see index.ts).
//
// Every DTO they carry is generated from Rust into bindings.ts (cadence-store's
// contacts and segments, cadence-engine's audience, import and export types,
// cadence-core's csvread layout and column mapping) and reaches screens through
// index.ts. The signatures below follow the generated commands of the app
// crate's `commands::audience` one for one; the events are the generated
// `contacts-export-progressed`, `import-progressed` and `import-finished`.
// Times are Unix seconds. What is left here is the screen's own: the filter as
// its form edits it, with every field present.
import type {
  AudienceFacets,
  ColumnMapping,
  ConsentInput,
  ContactDetail,
  ContactFilter,
  ContactId,
  ContactPage,
  ContactQuery,
  ContactSort,
  CsvDelimiter,
  ExportProgress,
  ExportResult,
  Forgotten,
  ImportFinished,
  ImportOptions,
  ImportPreview,
  ImportProgress,
  ImportReport,
  ImportStarted,
  MappingPreset,
  Segment,
  SegmentId,
  SniffOptions,
} from "../bindings";

export interface AudienceBackend {
  /**
   * Rows `offset..offset + limit` (1 to 500) of the contacts matching the
   * query's filter, in its order. `total` is `null` when counting would make
   * the page wait: the count then runs in the background and countContacts
   * joins it.
   */
  contactsPage(query: ContactQuery): Promise<ContactPage>;
  /** How many contacts match the filter (joins a count a page started). */
  countContacts(filter: ContactFilter): Promise<number>;
  /** The values the filter menus offer, and how many contacts are example data. */
  audienceFacets(): Promise<AudienceFacets>;
  contactDetail(id: ContactId): Promise<ContactDetail>;
  /** Appends a grant or withdrawal to the contact's ledger; answers the updated detail. */
  recordConsent(id: ContactId, input: ConsentInput): Promise<ContactDetail>;
  /** Puts an E.164 number on the opt-out list; false when it was there already. */
  suppressNumber(phone: string, reason: string): Promise<boolean>;
  /** Takes a number off the opt-out list; false when it was not on it. */
  unsuppressNumber(phone: string): Promise<boolean>;
  /** Deletes the contact and everything about them but what the opt-out list needs. */
  forgetContact(id: ContactId): Promise<Forgotten>;

  /** Every segment, by name, with live counts. */
  listSegments(): Promise<Segment[]>;
  /** One segment with fresh counts. */
  segmentCounts(id: SegmentId): Promise<Segment>;
  createSegment(name: string, filter: ContactFilter): Promise<Segment>;
  renameSegment(id: SegmentId, name: string): Promise<Segment>;
  updateSegmentFilter(id: SegmentId, filter: ContactFilter): Promise<Segment>;
  deleteSegment(id: SegmentId): Promise<void>;

  /**
   * Writes the contacts matching the filter, in the table's order, to `path` as
   * CSV (`null`: comma), with progress through onContactsExportProgressed. One
   * export at a time.
   */
  exportContacts(
    filter: ContactFilter,
    sort: ContactSort,
    path: string,
    delimiter: CsvDelimiter | null,
  ): Promise<ExportResult>;
  /** Stops the running export (its file is removed); false when none runs. */
  cancelContactsExport(): Promise<boolean>;
  onContactsExportProgressed(handler: (progress: ExportProgress) => void): Promise<() => void>;
  /** Generates the example audience (sandbox only); answers how many were added. */
  addExampleAudience(): Promise<number>;
  /** Removes the example audience; answers how many contacts went. */
  removeExampleAudience(): Promise<number>;

  /** How the file will be read (with the overrides), its first rows, a suggested mapping. */
  previewImport(path: string, layout: SniffOptions): Promise<ImportPreview>;
  /** A mapping for `columns`, guessed from their names (and from `sample` rows). */
  suggestImportMapping(columns: string[], sample: string[][]): Promise<ColumnMapping>;
  importPresets(): Promise<MappingPreset[]>;
  /** Saves (or replaces) the preset `name`. */
  saveImportPreset(name: string, mapping: ColumnMapping): Promise<void>;
  /** Deletes a preset; false when none had that name. */
  deleteImportPreset(name: string): Promise<boolean>;
  /**
   * Checks the file and the options and starts the import (or its dry run) in
   * the background; refused at once, with nothing recorded, when the file
   * cannot be read or the mapping cannot be used. Its progress and its end
   * arrive through onImportProgressed and onImportFinished with the id
   * answered; it commits as a whole or not at all.
   */
  startImport(path: string, options: ImportOptions): Promise<ImportStarted>;
  /** Cancels a running import (nothing of it is applied); false when none runs by that id. */
  cancelImport(importId: number): Promise<boolean>;
  onImportProgressed(handler: (progress: ImportProgress) => void): Promise<() => void>;
  onImportFinished(handler: (finished: ImportFinished) => void): Promise<() => void>;
  /** An import's report, reasons in the interface language. */
  importReport(importId: number): Promise<ImportReport>;
  /** The workspace's last imports, newest first, each with its report. */
  importHistory(): Promise<ImportReport[]>;
  /** Writes every rejected row of an import to `path` as CSV; answers how many. */
  exportImportRejected(importId: number, path: string): Promise<number>;
}

/** A filter with every field present: the form the screen edits. */
export type FilterForm = Required<ContactFilter>;

/** A filter that covers every contact, with every field present. */
export function emptyFilter(): FilterForm {
  return {
    search: null,
    consent: [],
    tags: [],
    tag_match: "all",
    exclude_tags: [],
    attributes: [],
    time_zones: [],
    countries: [],
    locales: [],
    created: null,
    last_message: null,
    suppressed: null,
  };
}

/** `filter` with its missing fields filled with their "no condition" defaults. */
export function completeFilter(filter: ContactFilter): FilterForm {
  const full = emptyFilter();
  for (const key of Object.keys(full) as (keyof FilterForm)[]) {
    if (filter[key] !== undefined) (full as Record<string, unknown>)[key] = filter[key];
  }
  return full;
}

/** Whether the filter narrows anything. */
export function isFilterEmpty(filter: ContactFilter): boolean {
  const f = completeFilter(filter);
  return (
    !f.search?.trim() &&
    f.consent.length === 0 &&
    f.tags.length === 0 &&
    f.exclude_tags.length === 0 &&
    f.attributes.length === 0 &&
    f.time_zones.length === 0 &&
    f.countries.length === 0 &&
    f.locales.length === 0 &&
    f.created === null &&
    f.last_message === null &&
    f.suppressed === null
  );
}
