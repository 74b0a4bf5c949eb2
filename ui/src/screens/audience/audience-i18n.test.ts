// Every string of the Audience screen exists in English and Russian: the keys
// its sources name, and the keys built from backend codes at run time.
import { afterEach, describe, expect, it } from "vitest";
import { audienceEn } from "../../lib/i18n/audience.en";
import { audienceRu } from "../../lib/i18n/audience.ru";
import { catalogs, setLanguage } from "../../lib/i18n/index.svelte";
import {
  consentLabel,
  consents,
  delimiterLabel,
  delimiters,
  encodingLabel,
  encodings,
  messageStatusLabel,
  modeLabel,
  statusLabel,
  targetLabel,
} from "./labels";
import { targetKinds } from "./mapping";
import { importSteps } from "./import-store.svelte";
import { formatDuration, formatNumber, progressDetail } from "./format";

const sources = import.meta.glob(["./*.svelte", "./*.ts", "!./*.test.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the Audience catalogs", () => {
  afterEach(() => setLanguage("en"));

  it("have the same keys and placeholders in English and Russian", () => {
    expect(Object.keys(audienceRu).sort()).toEqual(Object.keys(audienceEn).sort());
    for (const [key, text] of Object.entries(audienceEn)) {
      const ru = audienceRu[key as keyof typeof audienceEn];
      expect(ru.trim(), `ru:${key} must not be empty`).not.toBe("");
      expect(placeholders(ru), `ru:${key} must fill the same {placeholders}`).toEqual(
        placeholders(text),
      );
    }
  });

  it("hold every key the screen's sources name", () => {
    const named = new Set<string>();
    for (const source of Object.values(sources)) {
      for (const match of source.matchAll(/["'](audience\.[A-Za-z_.-]+)["']/g)) named.add(match[1]);
    }
    expect(named.size, "the scan finds the screen's keys").toBeGreaterThan(150);
    for (const key of named) {
      for (const [language, catalog] of Object.entries(catalogs)) {
        expect(catalog, `${language} lacks ${key}`).toHaveProperty([key]);
      }
    }
  });

  it("word every code the backend sends, in both languages", () => {
    for (const language of ["en", "ru"] as const) {
      setLanguage(language);
      const words = [
        ...consents.map(consentLabel),
        ...encodings.map(encodingLabel),
        ...delimiters.map(delimiterLabel),
        ...targetKinds.map(targetLabel),
        ...(["subscribe", "opt_out"] as const).map(modeLabel),
        ...(["running", "applied", "dry_run", "cancelled", "failed"] as const).map(statusLabel),
        ...["queued", "accepted", "sent", "delivered", "read", "failed"].map(messageStatusLabel),
      ];
      for (const word of words) {
        expect(word, `${language}: a code is shown as its key`).not.toMatch(/^audience\./);
        expect(word).not.toBe("");
      }
      for (const step of importSteps) {
        expect(catalogs[language]).toHaveProperty([`audience.step.${step}`]);
      }
    }
    expect(messageStatusLabel("warning"), "a status added later shows as sent").toBe("warning");
  });

  it("formats numbers, rates and times left in the UI language's way", () => {
    setLanguage("en");
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(progressDetail(120000, 1000000, 45210.4, 130)).toBe(
      "120,000 of 1,000,000 rows · 45,210 rows/s · about 2 min 10 s left",
    );
    setLanguage("ru");
    expect(formatNumber(1234567)).toMatch(/^1\s234\s567$/);
    expect(formatDuration(3700)).toBe("1 ч 1 мин");
    expect(progressDetail(5, null, null, null)).toBe("строк: 5");
  });
});
