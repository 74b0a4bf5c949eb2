// Numbers, dates, durations and countries in the UI language's own format (Intl).
// Each function reads the current language, so a component that calls one in its
// markup re-renders when the language changes.
import type { ImportProgress } from "../../lib/backend";
import { language, t } from "../../lib/i18n/index.svelte";

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const regionNames = new Map<string, Intl.DisplayNames>();

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (!value) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** 1234567 → "1,234,567" (en) or "1 234 567" (ru). */
export function formatNumber(value: number, fractionDigits = 0): string {
  const lang = language();
  return cached(numberFormats, `${lang}:${fractionDigits}`, () =>
    Intl.NumberFormat(lang, { maximumFractionDigits: fractionDigits }),
  ).format(value);
}

/** Unix seconds as a date and time in the viewer's zone. */
export function formatDateTime(seconds: number): string {
  const lang = language();
  return cached(dateFormats, `${lang}:datetime`, () =>
    Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }),
  ).format(new Date(seconds * 1000));
}

/** Unix seconds as a date in the viewer's zone. */
export function formatDate(seconds: number): string {
  const lang = language();
  return cached(dateFormats, `${lang}:date`, () =>
    Intl.DateTimeFormat(lang, { dateStyle: "medium" }),
  ).format(new Date(seconds * 1000));
}

/** The time now in a recipient's zone ("14:05"), or `null` for a zone Intl does not know. */
export function localTimeIn(timeZone: string, now = new Date()): string | null {
  const lang = language();
  try {
    return cached(dateFormats, `${lang}:time:${timeZone}`, () =>
      Intl.DateTimeFormat(lang, { timeStyle: "short", timeZone }),
    ).format(now);
  } catch {
    return null;
  }
}

/** A country's name in the UI language ("RU" → "Russia" / "Россия"). */
export function countryName(code: string): string {
  const lang = language();
  try {
    return (
      cached(regionNames, lang, () => new Intl.DisplayNames(lang, { type: "region" })).of(code) ??
      code
    );
  } catch {
    return code;
  }
}

/** Seconds left, rounded the way people say it ("about 2 min 10 s"). */
export function formatDuration(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  if (whole < 60) return t("audience.duration.seconds", { s: whole });
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return t("audience.duration.minutes", { m: minutes, s: whole % 60 });
  return t("audience.duration.hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** Count, rate and time left of a job, in one line. */
export function progressDetail(
  done: number,
  total: number | null,
  rowsPerS: number | null,
  etaS: number | null,
): string {
  const parts = [
    total === null
      ? t("audience.progress.rows", { rows: formatNumber(done) })
      : t("audience.progress.rowsOf", { rows: formatNumber(done), total: formatNumber(total) }),
  ];
  if (rowsPerS !== null) parts.push(t("audience.progress.rate", { rate: formatNumber(rowsPerS) }));
  if (etaS !== null) parts.push(t("audience.progress.eta", { eta: formatDuration(etaS) }));
  return parts.join(" · ");
}

/** 1536 → "1.5 KB" in the UI language's number format. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return t("audience.bytes.b", { n: formatNumber(bytes) });
  if (bytes < 1024 * 1024) return t("audience.bytes.kb", { n: formatNumber(bytes / 1024, 1) });
  return t("audience.bytes.mb", { n: formatNumber(bytes / 1024 / 1024, 1) });
}

/**
 * A count the importer always sends, typed `number | null` in bindings.ts: the
 * import DTOs declare their 64-bit counts as `f64` for TypeScript, which the
 * bindings render as nullable. Absent reads as 0.
 */
export function count(value: number | null | undefined): number {
  return value ?? 0;
}

/** How far through its file an import is (0 to 1), or `null` before it knows. */
export function importFraction(progress: ImportProgress | null): number | null {
  const total = count(progress?.bytes_total);
  if (!progress || total <= 0) return null;
  return count(progress.bytes_done) / total;
}

/** An import's progress in one line: rows read of about how many, rate, time left. */
export function importProgressDetail(progress: ImportProgress): string {
  const done = count(progress.rows_done);
  if (progress.phase === "applying") {
    return t("audience.progress.applying", { rows: formatNumber(done) });
  }
  const estimate = count(progress.rows_total_estimate);
  const rate = count(progress.rows_per_s);
  const parts = [
    estimate > 0
      ? t("audience.progress.rowsOfAbout", {
          rows: formatNumber(done),
          total: formatNumber(Math.max(estimate, done)),
        })
      : t("audience.progress.rows", { rows: formatNumber(done) }),
  ];
  if (rate > 0) parts.push(t("audience.progress.rate", { rate: formatNumber(rate) }));
  if (progress.eta_s !== null) {
    parts.push(t("audience.progress.eta", { eta: formatDuration(progress.eta_s) }));
  }
  return parts.join(" · ");
}
