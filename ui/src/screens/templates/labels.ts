// Words for the Templates screen's codes (statuses, quality, categories,
// severities, fields) in the interface language. A code Meta adds later has no
// words yet and is shown as Meta wrote it, so nothing new is ever hidden.
import type { Category, Field, QualityRating, Severity, TemplateStatus } from "../../lib/backend";
import { catalogs, language, t, type MessageKey } from "../../lib/i18n/index.svelte";

function known(key: string): key is MessageKey {
  return key in catalogs[language()];
}

export const STATUSES: TemplateStatus[] = [
  "DRAFT",
  "PENDING",
  "APPROVED",
  "REJECTED",
  "PAUSED",
  "DISABLED",
  "IN_APPEAL",
  "PENDING_DELETION",
  "DELETED",
  "ARCHIVED",
  "FLAGGED",
  "LIMIT_EXCEEDED",
];
export const QUALITIES: QualityRating[] = ["GREEN", "YELLOW", "RED", "UNKNOWN"];
export const CATEGORIES: Category[] = ["MARKETING", "UTILITY", "AUTHENTICATION"];
export const SEVERITIES: Severity[] = ["error", "warning", "info"];

export function statusLabel(status: string): string {
  const key = `templates.status.${status}`;
  return known(key) ? t(key) : status;
}

export function qualityLabel(quality: string): string {
  const key = `templates.quality.${quality}`;
  return known(key) ? t(key) : quality;
}

export function categoryLabel(category: string): string {
  const key = `templates.category.${category}`;
  return known(key) ? t(key) : category;
}

export function severityLabel(severity: Severity): string {
  return t(`templates.severity.${severity}`);
}

/** Where a finding points, in words: "Body", "Button 2: label", "Example of {{1}}". */
export function fieldLabel(field: Field): string {
  switch (field.kind) {
    case "button_text":
    case "button_url":
    case "button_phone":
    case "button_example":
      return t(`templates.field.${field.kind}`, { n: field.at + 1 });
    case "body_example":
      return t("templates.field.body_example", { variable: `{{${field.at}}}` });
    default:
      return t(`templates.field.${field.kind}`);
  }
}

/** A date and time from the backend (RFC 3339) in the interface language's format. */
export function dateTime(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(
    date,
  );
}
