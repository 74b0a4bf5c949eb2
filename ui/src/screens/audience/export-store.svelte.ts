// The contacts export, kept at module level like the import: it keeps running
// while the user looks at another screen.
import {
  BackendError,
  backend,
  type ContactFilter,
  type ContactSort,
  type CsvDelimiter,
  type ExportProgress,
  type ExportResult,
} from "../../lib/backend";

export class ExportJob {
  running = $state(false);
  progress = $state<ExportProgress | null>(null);
  cancelling = $state(false);
  result = $state<ExportResult | null>(null);
  error = $state<BackendError | null>(null);

  /** Asks where to save (native dialog), then writes the contacts the filter matches. */
  async start(
    filter: ContactFilter,
    sort: ContactSort,
    delimiter: CsvDelimiter,
    dialogTitle: string,
  ): Promise<void> {
    if (this.running) return;
    this.error = null;
    this.result = null;
    let path: string | null;
    try {
      path = await backend().pickSavePath({
        title: dialogTitle,
        filters: [{ name: "CSV", extensions: ["csv"] }],
        defaultName: "contacts.csv",
      });
    } catch (error) {
      this.error = BackendError.from(error);
      return;
    }
    if (path === null) return;
    this.running = true;
    this.progress = null;
    this.cancelling = false;
    let stop: (() => void) | null = null;
    try {
      stop = await backend().onContactsExportProgressed((progress) => {
        this.progress = progress;
      });
      this.result = await backend().exportContacts(filter, sort, path, delimiter);
    } catch (error) {
      this.error = BackendError.from(error);
    } finally {
      stop?.();
      this.running = false;
      this.cancelling = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.running) return;
    this.cancelling = true;
    try {
      // False when the export had just ended: its result arrives as usual.
      await backend().cancelContactsExport();
    } catch (error) {
      this.error = BackendError.from(error);
      this.cancelling = false;
    }
  }

  /** Hides the last result or error. */
  dismiss(): void {
    this.result = null;
    this.error = null;
  }
}

export const exportJob = new ExportJob();
