import { afterEach, describe, expect, it } from "vitest";
import type { ReceiverProblem } from "../bindings";
import { en } from "./en";
import { catalogs, language, metaValue, setLanguage, t } from "./index.svelte";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogs", () => {
  it("every language has every key, with text", () => {
    for (const [code, catalog] of Object.entries(catalogs)) {
      expect(Object.keys(catalog).sort(), `${code} must have exactly the English keys`).toEqual(
        Object.keys(en).sort(),
      );
      for (const [key, text] of Object.entries(catalog)) {
        expect(text.trim(), `${code}:${key} must not be empty`).not.toBe("");
      }
    }
  });

  it("translations keep the English placeholders", () => {
    for (const [code, catalog] of Object.entries(catalogs)) {
      for (const [key, text] of Object.entries(en)) {
        expect(
          placeholders(catalog[key as keyof typeof en]),
          `${code}:${key} must fill the same {placeholders}`,
        ).toEqual(placeholders(text));
      }
    }
  });

  it("words every reason the webhook receiver gives for not listening", () => {
    const kinds: ReceiverProblem["kind"][] = [
      "not_connected",
      "missing_app_secret",
      "missing_verify_token",
      "cannot_listen",
      "unavailable",
    ];
    for (const kind of kinds) expect(en).toHaveProperty(`receiver.${kind}`);
  });

  it("has a title and a next step for every backend error code", () => {
    const codes = [
      "invalid_input",
      "io",
      "storage",
      "newer_version",
      "keyring",
      "meta_api",
      "network",
      "internal",
    ];
    for (const code of codes) {
      expect(en).toHaveProperty(`error.${code}.title`);
      expect(en).toHaveProperty(`error.${code}.next`);
    }
  });
});

describe("t()", () => {
  afterEach(() => setLanguage("en"));

  it("follows the current language", () => {
    setLanguage("en");
    expect(t("nav.templates")).toBe("Templates");
    setLanguage("ru");
    expect(language()).toBe("ru");
    expect(t("nav.templates")).toBe("Шаблоны");
    expect(document.documentElement.lang).toBe("ru");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(t("screen.notBuilt", { screen: "Quality" })).toBe(
      "Quality is not built yet in this version of Cadence.",
    );
    expect(t("screen.notBuilt")).toContain("{screen}");
  });
});

describe("metaValue()", () => {
  afterEach(() => setLanguage("en"));

  it("puts Meta's codes into words in the current language", () => {
    expect(metaValue("quality", "RED")).toBe("Red: low quality");
    setLanguage("ru");
    expect(metaValue("tier", "TIER_10K")).toBe("10 000 человек в сутки");
  });

  it("shows a value Meta added later as Meta wrote it", () => {
    expect(metaValue("tier", "TIER_1M")).toBe("TIER_1M");
    expect(metaValue("quality", "PURPLE")).toBe("PURPLE");
  });
});
