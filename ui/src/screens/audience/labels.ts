// The Audience screen's codes in words: consent states, column targets,
// encodings, delimiters, import modes, statuses and phases, message statuses.
import type {
  ConsentState,
  ContactSortColumn,
  Delimiter,
  ImportMode,
  ImportStatus,
  TextEncoding,
} from "../../lib/backend";
import { t, type MessageKey } from "../../lib/i18n/index.svelte";
import type { TargetKind } from "./mapping";

export const consents: ConsentState[] = ["granted", "withdrawn", "none"];
export const encodings: TextEncoding[] = [
  "utf-8",
  "utf-16le",
  "utf-16be",
  "windows-1251",
  "koi8-r",
];
export const delimiters: Delimiter[] = ["comma", "semicolon", "tab", "pipe"];

export const consentLabel = (consent: ConsentState) => t(`audience.consent.${consent}`);
export const sortLabel = (column: ContactSortColumn) => t(`audience.column.${column}`);
export const targetLabel = (kind: TargetKind) => t(`audience.target.${kind}`);
export const encodingLabel = (encoding: TextEncoding) => t(`audience.encoding.${encoding}`);
export const delimiterLabel = (delimiter: Delimiter) => t(`audience.delimiter.${delimiter}`);
export const statusLabel = (status: ImportStatus) => t(`audience.importStatus.${status}`);
export const modeLabel = (mode: ImportMode) => t(`audience.mode.${mode}`);

/** A sent message's latest status in words; a status this version does not know shows as sent. */
const messageStatuses = ["queued", "accepted", "sent", "delivered", "read", "failed"] as const;

export function messageStatusLabel(status: string): string {
  return (messageStatuses as readonly string[]).includes(status)
    ? t(`audience.messageStatus.${status}` as MessageKey)
    : status;
}
