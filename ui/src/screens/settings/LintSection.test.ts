// Settings → Lint rules against the backend's test double: no window needed.
// The fake stores what is saved as the engine does (a field left out takes its
// default, the team dictionary is replaced whole), so a test reads back what a
// save really sent.
/// <reference types="node" />
import { readFileSync } from "node:fs";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useBackend } from "../../lib/backend";
import { createFakeBackend, type FakeBackend } from "../../lib/backend/fake";
import { templatesFake } from "../../lib/backend/fake-templates";
import { catalogs, setLanguage } from "../../lib/i18n/index.svelte";
import LintSection from "./LintSection.svelte";
import {
  NUMBER_KEYS,
  NUMBER_LIMITS,
  PHRASE_KEYS,
  differs,
  formOf,
  languageToolProblem,
  phraseLines,
  resetSettings,
  settingsOf,
  wordProblem,
} from "./LintSectionForm";

let target: HTMLElement;
let section: ReturnType<typeof mount> | undefined;

const $ = <E extends Element = HTMLElement>(testid: string) =>
  target.querySelector<E>(`[data-testid="${testid}"]`);
const $$ = <E extends Element = HTMLElement>(testid: string) => [
  ...target.querySelectorAll<E>(`[data-testid="${testid}"]`),
];

/** Lets the backend's promises resolve and Svelte apply what follows. */
async function settle() {
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    flushSync();
  }
}

async function start(fake: FakeBackend = createFakeBackend()) {
  useBackend(fake);
  section = mount(LintSection, { target });
  await settle();
  return fake;
}

function type(testid: string, value: string) {
  const field = $<HTMLInputElement | HTMLTextAreaElement>(testid);
  if (!field) throw new Error(`no field ${testid}`);
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

async function click(testid: string) {
  const button = $<HTMLButtonElement>(testid);
  if (!button) throw new Error(`no button ${testid}`);
  expect(button.disabled, `${testid} must be enabled to click`).toBe(false);
  button.click();
  await settle();
}

const words = (list: string) => $$(`words-${list}-word`).map((li) => li.dataset.word);
const status = () => $("lint-status")?.textContent?.trim() ?? "";

beforeEach(() => {
  setLanguage("en");
  target = document.createElement("div");
  document.body.append(target);
});

afterEach(() => {
  if (section) unmount(section);
  section = undefined;
  target.remove();
});

describe("Settings → Lint rules", () => {
  it("shows loading, then the workspace's values", async () => {
    const fake = createFakeBackend();
    useBackend(fake);
    section = mount(LintSection, { target });
    expect($("lint-loading")?.textContent, "nothing is shown before the backend answers").toContain(
      "Loading the lint settings",
    );
    await settle();

    const stored = templatesFake(fake).settings;
    expect($<HTMLInputElement>("lint-spelling")?.checked).toBe(stored.spelling);
    expect($<HTMLInputElement>("lint-language-tool")?.value, "no server: the dictionaries").toBe(
      "",
    );
    for (const key of NUMBER_KEYS) {
      expect($<HTMLInputElement>(`lint-number-${key}`)?.value, `${key} as stored`).toBe(
        String(stored[key]),
      );
    }
    expect(words("brand_words")).toEqual(stored.brand_words);
    expect(words("url_shorteners")).toEqual(stored.url_shorteners);
    expect($<HTMLTextAreaElement>("lint-phrases-opt_out_phrases-ru")?.value).toBe(
      stored.opt_out_phrases.ru.join("\n"),
    );
    expect($("words-team_dictionary-empty"), "the dictionary starts empty").not.toBeNull();
    expect(
      $("lint-number-emoji_max")?.parentElement?.textContent,
      "the default is shown",
    ).toContain("Default: 2.");
    expect($("lint-phrases-help")?.textContent, "the matching rules are explained").toMatch(
      /any case.*\*.*Russian word also matches/s,
    );
    expect($<HTMLButtonElement>("lint-save")?.disabled, "nothing to save yet").toBe(true);
  });

  it("saves an edited threshold, phrase list, word list and spelling switch", async () => {
    const fake = await start();
    type("lint-number-emoji_max", "4");
    type(
      "lint-phrases-opt_out_phrases-en",
      "unsubscribe\n\n  reply   NO  \nUnsubscribe\nstop promotions\n",
    );
    type("words-brand_words-input", "Lucky Shrub");
    await click("words-brand_words-add");
    $<HTMLInputElement>("lint-spelling")?.click();
    flushSync();
    expect(status(), "edits are marked until saved").toBe("Unsaved changes");
    expect(templatesFake(fake).settings.emoji_max, "nothing reaches the backend before Save").toBe(
      2,
    );

    await click("lint-save");
    const stored = templatesFake(fake).settings;
    expect(stored.emoji_max).toBe(4);
    expect(stored.opt_out_phrases.en, "blank lines and repeats (in any case) are dropped").toEqual([
      "unsubscribe",
      "reply NO",
      "stop promotions",
    ]);
    expect(stored.opt_out_phrases.ru, "the other language's list is kept").toEqual(
      createFakeSettings().opt_out_phrases.ru,
    );
    expect(stored.brand_words).toEqual(["Cadence", "WhatsApp", "Lucky Shrub"]);
    expect(stored.spelling).toBe(false);
    expect(stored.caps_words_max, "untouched thresholds are saved as they were").toBe(2);
    expect(status()).toContain("Saved");
    expect(
      $<HTMLTextAreaElement>("lint-phrases-opt_out_phrases-en")?.value,
      "the form shows what was stored",
    ).toBe("unsubscribe\nreply NO\nstop promotions");
    expect($<HTMLButtonElement>("lint-save")?.disabled, "saved: nothing left to save").toBe(true);
  });

  it("refuses an out-of-range threshold before saving", async () => {
    const fake = await start();
    type("lint-number-fold_lines", "0");
    await click("lint-save");
    expect($("lint-number-fold_lines-problem")?.textContent).toContain(
      "Enter a whole number from 1 to 1024.",
    );
    expect(status()).toBe("Correct the marked fields to save.");
    expect(document.activeElement, "the first wrong field gets the focus").toBe(
      $("lint-number-fold_lines"),
    );
    expect(templatesFake(fake).settings.fold_lines, "nothing was saved").toBe(5);
  });

  it("rejects a LanguageTool address that is not http(s), and saves a good one", async () => {
    const fake = await start();
    type("lint-language-tool", "ftp://languagetool.example.org");
    expect($("lint-language-tool-problem"), "no complaint while typing").toBeNull();
    await click("lint-save");
    expect($("lint-language-tool-problem")?.textContent).toContain(
      "must start with http:// or https://",
    );
    expect($("lint-language-tool")?.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe($("lint-language-tool"));
    expect(templatesFake(fake).settings.language_tool_url, "the bad address is not saved").toBe(
      null,
    );

    type("lint-language-tool", "https://lt:secret@languagetool.example.org");
    $("lint-language-tool")?.dispatchEvent(new Event("blur"));
    flushSync();
    expect(
      $("lint-language-tool-problem")?.textContent,
      "a password never reaches SQLite",
    ).toContain("must not hold a user name or password");

    type("lint-language-tool", "  http://localhost:8081  ");
    expect($("lint-language-tool-problem")).toBeNull();
    await click("lint-save");
    expect(templatesFake(fake).settings.language_tool_url, "saved trimmed").toBe(
      "http://localhost:8081",
    );

    type("lint-language-tool", "");
    await click("lint-save");
    expect(templatesFake(fake).settings.language_tool_url, "empty: back to the dictionaries").toBe(
      null,
    );
  });

  it("adds and removes team dictionary words at once, keeping unsaved edits", async () => {
    const fake = await start();
    type("lint-number-links_max", "3");

    type("words-team_dictionary-input", "two words");
    await click("words-team_dictionary-add");
    expect($("words-team_dictionary-problem")?.textContent).toContain("add one word at a time");
    expect(templatesFake(fake).settings.team_dictionary).toEqual([]);

    type("words-team_dictionary-input", "Cadencio");
    await click("words-team_dictionary-add");
    expect(templatesFake(fake).settings.team_dictionary, "saved without pressing Save").toEqual([
      "Cadencio",
    ]);
    expect(words("team_dictionary")).toEqual(["Cadencio"]);
    expect($<HTMLInputElement>("words-team_dictionary-input")?.value, "ready for the next").toBe(
      "",
    );
    expect($<HTMLInputElement>("lint-number-links_max")?.value, "the form keeps its edit").toBe(
      "3",
    );
    expect(templatesFake(fake).settings.links_max, "and does not save it").toBe(1);

    type("words-team_dictionary-input", "cadencio");
    await click("words-team_dictionary-add");
    expect($("words-team_dictionary-problem")?.textContent).toContain("already in the list");

    // The editor adds a word while Settings is open: Save must not drop it.
    await fake.addToTeamDictionary("Shrubbery");
    await click("lint-save");
    expect(templatesFake(fake).settings.links_max).toBe(3);
    expect(templatesFake(fake).settings.team_dictionary).toEqual(["Cadencio", "Shrubbery"]);

    $$<HTMLButtonElement>("words-team_dictionary-remove")
      .find((b) => b.closest("li")?.dataset.word === "Cadencio")
      ?.click();
    await settle();
    expect(templatesFake(fake).settings.team_dictionary).toEqual(["Shrubbery"]);
    expect(words("team_dictionary")).toEqual(["Shrubbery"]);
  });

  it("resets to the defaults after a confirmation, keeping the team dictionary", async () => {
    const fake = await start();
    await fake.saveLintSettings({
      ...templatesFake(fake).settings,
      emoji_max: 7,
      brand_words: ["Acme"],
      language_tool_url: "http://localhost:8081",
      team_dictionary: ["Acmeish"],
    });
    unmount(section!);
    await start(fake);
    expect($<HTMLInputElement>("lint-number-emoji_max")?.value).toBe("7");

    await click("lint-reset");
    expect($("lint-reset-confirm"), "a reset asks first").not.toBeNull();
    expect(document.activeElement, "the focus goes to the safe choice").toBe(
      $("lint-reset-cancel"),
    );
    await click("lint-reset-cancel");
    expect(templatesFake(fake).settings.emoji_max, "cancel changes nothing").toBe(7);

    await click("lint-reset");
    await click("lint-reset-confirm");
    const stored = templatesFake(fake).settings;
    const defaults = createFakeSettings();
    expect(stored.emoji_max).toBe(defaults.emoji_max);
    expect(stored.brand_words).toEqual(defaults.brand_words);
    expect(stored.language_tool_url).toBe(null);
    expect(stored.team_dictionary, "the team's words stay").toEqual(["Acmeish"]);
    expect($<HTMLInputElement>("lint-number-emoji_max")?.value).toBe("2");
    expect(status()).toBe("Defaults restored and saved.");
  });

  it("shows a failed load with a retry, and a failed save by its code", async () => {
    const fake = createFakeBackend();
    fake.failing.lintSettings = { code: "storage", message: "database is locked" };
    await start(fake);
    const panel = $("lint-section")?.querySelector('[data-testid="error-panel"]');
    expect(panel?.getAttribute("data-code")).toBe("storage");
    delete fake.failing.lintSettings;
    (panel?.querySelector("button") as HTMLButtonElement).click();
    await settle();
    expect($("lint-number-emoji_max"), "the retry loads the form").not.toBeNull();

    fake.failing.saveLintSettings = { code: "storage", message: "disk full" };
    type("lint-number-emoji_max", "3");
    await click("lint-save");
    const saveError = $("lint-section")?.querySelector('[data-testid="error-panel"]');
    expect(saveError?.textContent).toContain("disk full");
    expect(status(), "the edit is still there to save again").toBe("Unsaved changes");
  });

  it("lists every rule with its severity, whose rule it is and what it checks", async () => {
    const fake = await start();
    const rules = await fake.lintRules("en");
    const rows = $$("lint-rule");
    expect(rows.map((row) => row.dataset.rule)).toEqual(rules.map((rule) => rule.rule));
    const first = rows[0];
    expect(first.querySelector('[data-testid="lint-rule-severity"]')?.textContent?.trim()).toBe(
      "Error",
    );
    expect(first.querySelector('[data-testid="lint-rule-source"]')?.textContent?.trim()).toBe(
      "Meta rejects",
    );
    const spelling = rows.find((row) => row.dataset.rule === "spelling");
    expect(spelling?.querySelector('[data-testid="lint-rule-severity"]')?.textContent?.trim()).toBe(
      "Warning",
    );
    expect(spelling?.querySelector('[data-testid="lint-rule-source"]')?.textContent?.trim()).toBe(
      "Marketing guidance",
    );
    expect(spelling?.querySelector('[data-testid="lint-rule-summary"]')?.textContent).toBe(
      rules.find((rule) => rule.rule === "spelling")?.summary,
    );
    const metaCount = rules.filter((rule) => rule.meta_rejects).length;
    expect($("lint-rules-summary")?.textContent).toContain(`${rules.length} rules`);
    expect($("lint-rules-summary")?.textContent).toContain(`any of ${metaCount} of them`);

    type("lint-rules-filter", "EMOJI");
    expect($$("lint-rule").map((row) => row.dataset.rule)).toEqual(["emoji-count"]);
    type("lint-rules-filter", "no such rule");
    expect($("lint-rules-none")).not.toBeNull();
  });

  it("describes the rules in the interface language", async () => {
    const fake = await start();
    setLanguage("ru");
    await settle();
    const ru = await fake.lintRules("ru");
    const spelling = $$("lint-rule").find((row) => row.dataset.rule === "spelling");
    expect(spelling?.querySelector('[data-testid="lint-rule-summary"]')?.textContent).toBe(
      ru.find((rule) => rule.rule === "spelling")?.summary,
    );
    expect(spelling?.querySelector('[data-testid="lint-rule-severity"]')?.textContent?.trim()).toBe(
      "Предупреждение",
    );
    expect($("lint-section")?.querySelector("h2")?.textContent).toBe("Правила проверки");
  });
});

describe("the lint form's rules", () => {
  it("accepts http and https base addresses only", () => {
    expect(languageToolProblem("")).toBeNull();
    expect(languageToolProblem("http://localhost:8081")).toBeNull();
    expect(languageToolProblem("https://example.org/languagetool/")).toBeNull();
    expect(languageToolProblem("localhost:8081")?.key, "no scheme: read as scheme localhost").toBe(
      "lintSettings.languageTool.scheme",
    );
    expect(languageToolProblem("not a url")?.key).toBe("lintSettings.languageTool.invalid");
    expect(languageToolProblem("file:///etc/passwd")?.key).toBe("lintSettings.languageTool.scheme");
    expect(languageToolProblem("https://u:p@example.org")?.key).toBe(
      "lintSettings.languageTool.credentials",
    );
    expect(languageToolProblem("https://example.org/?key=1")?.key).toBe(
      "lintSettings.languageTool.query",
    );
    expect(languageToolProblem("https://example.org/#x")?.key).toBe(
      "lintSettings.languageTool.query",
    );
  });

  it("reads one phrase a line", () => {
    expect(phraseLines(" a  b \r\n\nA B\nc*\n")).toEqual(["a b", "c*"]);
    expect(phraseLines("")).toEqual([]);
  });

  it("refuses blank, repeated and (outside brand words) spaced words", () => {
    expect(wordProblem("brand_words", "Lucky Shrub", [])).toBeNull();
    expect(wordProblem("caps_allowed", "S M S", [])?.key).toBe("lintSettings.words.oneWord");
    expect(wordProblem("team_dictionary", "  ", [])?.key).toBe("lintSettings.words.blank");
    expect(wordProblem("caps_allowed", "vip", ["VIP"])?.key).toBe("lintSettings.words.duplicate");
    expect(wordProblem("url_shorteners", "https://bit.ly/x", [])?.key).toBe(
      "lintSettings.url_shorteners.host",
    );
    expect(wordProblem("url_shorteners", "cutt.ly", [])).toBeNull();
  });

  it("saves what the form shows, and resets by leaving every field but the dictionary out", () => {
    const settings = createFakeSettings();
    const form = formOf(settings);
    expect(settingsOf(form, settings), "a round trip changes nothing").toEqual(settings);
    const newer = { ...settings, team_dictionary: ["Acme"], future_field: 3 };
    expect(
      settingsOf(form, newer),
      "the base's dictionary and unknown fields are kept: leaving them out would reset them",
    ).toEqual({ ...settings, team_dictionary: ["Acme"], future_field: 3 });
    expect(differs(form, settings)).toBe(false);
    form.numbers.links_max = null;
    expect(differs(form, settings), "an emptied number is a change").toBe(true);
    expect(resetSettings(["word"]), "core's serde defaults fill the rest").toEqual({
      team_dictionary: ["word"],
    });
  });

  it("shows the defaults cadence-core's LintSettings::default() has", () => {
    // Read with Node: Vite refuses to import files outside ui/.
    const rust = `${import.meta.dirname}/../../../../src-tauri/core/src/lint/mod.rs`;
    const source = readFileSync(rust, "utf8");
    const body = source.slice(source.indexOf("impl Default for LintSettings"));
    for (const key of NUMBER_KEYS) {
      const match = body.match(new RegExp(`\\b${key}: (\\d+),`));
      expect(match, `core sets a default for ${key}`).not.toBeNull();
      expect(NUMBER_LIMITS[key].default, `the default shown for ${key}`).toBe(Number(match![1]));
    }
  });

  it("has words for every field the section names by key, in both languages", () => {
    const sources = import.meta.glob<string>(["./LintSection*.svelte", "./LintSectionForm.ts"], {
      query: "?raw",
      import: "default",
      eager: true,
    });
    const used = new Set<string>();
    for (const source of Object.values(sources)) {
      for (const match of source.matchAll(/"(lintSettings\.[\w.]+)"/g)) used.add(match[1]);
    }
    for (const key of [...NUMBER_KEYS, ...PHRASE_KEYS, "caps_allowed", "url_shorteners"]) {
      used.add(`lintSettings.${key}`);
      used.add(`lintSettings.${key}.hint`);
    }
    for (const lang of ["en", "ru"]) used.add(`lintSettings.phrases.${lang}`);
    expect(used.size, "the scan found the section's keys").toBeGreaterThan(40);
    for (const key of used) {
      for (const [code, catalog] of Object.entries(catalogs)) {
        expect(catalog, `${code} must have ${key}`).toHaveProperty([key]);
      }
    }
  });
});

/** The fake's lint settings for a fresh workspace. */
function createFakeSettings() {
  return structuredClone(templatesFake(createFakeBackend()).settings);
}
