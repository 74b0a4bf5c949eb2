// Every string of the Templates screen exists in English and Russian, including
// the keys the screen builds from codes (statuses, fields, severities…), which
// the type checker cannot see.
import { afterEach, describe, expect, it } from "vitest";
import type { Field } from "../../lib/backend";
import { catalogs, setLanguage, type MessageKey } from "../../lib/i18n/index.svelte";
import { templatesEn } from "../../lib/i18n/templates.en";
import { templatesRu } from "../../lib/i18n/templates.ru";
import {
  CATEGORIES,
  QUALITIES,
  SEVERITIES,
  STATUSES,
  categoryLabel,
  fieldLabel,
  qualityLabel,
  statusLabel,
} from "./labels";

const sources = import.meta.glob<string>(["./*.svelte", "./*.ts", "!./*.test.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

const everyField: Field[] = [
  { kind: "name" },
  { kind: "language" },
  { kind: "category" },
  { kind: "header_text" },
  { kind: "header_media" },
  { kind: "header_example" },
  { kind: "body" },
  { kind: "footer" },
  { kind: "buttons" },
  { kind: "button_text", at: 0 },
  { kind: "button_url", at: 1 },
  { kind: "button_phone", at: 2 },
  { kind: "button_example", at: 3 },
  { kind: "body_example", at: "first_name" },
];

describe("the Templates screen's words", () => {
  afterEach(() => setLanguage("en"));

  it("has every key in Russian, with text", () => {
    expect(Object.keys(templatesRu).sort()).toEqual(Object.keys(templatesEn).sort());
    for (const [key, text] of Object.entries(templatesRu)) {
      expect(text.trim(), `ru:${key} must not be empty`).not.toBe("");
    }
  });

  it("has every key the screen's code names", () => {
    const used = new Set<string>();
    for (const source of Object.values(sources)) {
      for (const match of source.matchAll(/"(templates\.[\w.]+)"/g)) used.add(match[1]);
    }
    expect(used.size, "the scan found the screen's keys").toBeGreaterThan(50);
    for (const key of used) {
      for (const [code, catalog] of Object.entries(catalogs)) {
        expect(catalog, `${code} must have ${key}`).toHaveProperty([key]);
      }
    }
  });

  it("words every status, quality, category, severity and field in both languages", () => {
    for (const language of ["en", "ru"] as const) {
      setLanguage(language);
      for (const status of STATUSES) {
        expect(statusLabel(status), `${language}: status ${status}`).not.toBe(status);
      }
      for (const quality of QUALITIES) {
        expect(qualityLabel(quality), `${language}: quality ${quality}`).not.toBe(quality);
      }
      for (const category of CATEGORIES) {
        expect(categoryLabel(category), `${language}: category ${category}`).not.toBe(category);
      }
      for (const severity of SEVERITIES) {
        expect(catalogs[language]).toHaveProperty([`templates.severity.${severity}`]);
      }
      for (const field of everyField) {
        const label = fieldLabel(field);
        expect(label, `${language}: field ${field.kind}`).not.toMatch(/templates\.|\{n\}/);
      }
    }
  });

  it("words every button and header kind", () => {
    for (const kind of ["quick_reply", "url", "phone_number", "copy_code"]) {
      expect(templatesEn).toHaveProperty([`templates.button.kind.${kind}`]);
    }
    for (const kind of ["IMAGE", "VIDEO", "DOCUMENT"]) {
      expect(templatesEn).toHaveProperty([`templates.header.${kind}`]);
      expect(templatesEn).toHaveProperty([`templates.media.filter.${kind}`]);
    }
  });

  it("shows a status Meta adds later as Meta wrote it", () => {
    expect(statusLabel("SOMETHING_NEW")).toBe("SOMETHING_NEW");
    expect(qualityLabel("PURPLE")).toBe("PURPLE");
  });

  it("labels the opt-out reply as the Rust linter does", () => {
    // cadence-core's lint::opt_out_label: the linter recognises these labels.
    expect(templatesEn["templates.button.optOut.label" satisfies MessageKey]).toBe(
      "Stop promotions",
    );
    expect(templatesRu["templates.button.optOut.label"]).toBe("Отписаться");
  });
});
