// Settings → Lint rules, the form's model: the lint settings as the screen edits
// them (numbers as typed, phrase lists as one line per phrase) and the checks
// that run before anything is saved. No component state lives here, so the
// rules are tested without mounting anything.
//
// Reset to defaults does not use a copy of the defaults: LintSettings is
// `#[serde(default)]` in cadence-core, so a field left out of what is saved
// takes LintSettings::default() there (the generated type makes every field
// optional for that reason). `resetSettings` therefore sends only the team
// dictionary. The defaults of the numbers are also written below, but only to
// show them next to each field; LintSection.test.ts compares them with the Rust
// source.
import type { LintSettings, PhraseLists } from "../../lib/backend";
import type { MessageKey } from "../../lib/i18n/index.svelte";

/** The thresholds, in the order the screen shows them. */
export const NUMBER_KEYS = [
  "emoji_max",
  "caps_words_max",
  "punctuation_run_max",
  "links_max",
  "fold_lines",
  "fold_line_chars",
] as const;
export type NumberKey = (typeof NUMBER_KEYS)[number];

/** The phrase libraries, in the order the screen shows them. */
export const PHRASE_KEYS = [
  "relevance_phrases",
  "repeat_contact_phrases",
  "opt_out_phrases",
  "stop_labels",
  "negative_phrases",
  "promotional_phrases",
] as const;
export type PhraseKey = (typeof PHRASE_KEYS)[number];

/** The word lists the form edits (the team dictionary is saved apart, at once). */
export type WordKey = "brand_words" | "caps_allowed" | "url_shorteners";

export const PHRASE_LANGUAGES = ["en", "ru"] as const;
export type PhraseLanguage = (typeof PHRASE_LANGUAGES)[number];

/**
 * What each threshold means to the rule that reads it: the allowed range and
 * cadence-core's default. A minimum of 1 where the linter treats 0 as 1 anyway
 * (`punctuation_run_max`, `fold_line_chars`) or 0 would make no sense (a body
 * folding before its first line). 1024 is the body's length limit: a larger
 * number could never be reached.
 */
export const NUMBER_LIMITS: Record<NumberKey, { min: number; max: number; default: number }> = {
  emoji_max: { min: 0, max: 1024, default: 2 },
  caps_words_max: { min: 0, max: 1024, default: 2 },
  punctuation_run_max: { min: 1, max: 1024, default: 1 },
  links_max: { min: 0, max: 1024, default: 1 },
  fold_lines: { min: 1, max: 1024, default: 5 },
  fold_line_chars: { min: 1, max: 1024, default: 40 },
};

/** The lint settings as the form holds them. */
export interface LintForm {
  spelling: boolean;
  /** As typed; blank means the bundled dictionaries. */
  language_tool_url: string;
  /** `null` while the field is empty (what an empty number input gives). */
  numbers: Record<NumberKey, number | null>;
  words: Record<WordKey, string[]>;
  /** One phrase per line, as the text areas hold them. */
  phrases: Record<PhraseKey, Record<PhraseLanguage, string>>;
}

/** A problem that keeps the form from being saved, worded by the screen. */
export interface Problem {
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** The form showing `settings` (what the backend answered). */
export function formOf(settings: LintSettings): LintForm {
  const numbers = {} as LintForm["numbers"];
  for (const key of NUMBER_KEYS) numbers[key] = settings[key] ?? NUMBER_LIMITS[key].default;
  const phrases = {} as LintForm["phrases"];
  for (const key of PHRASE_KEYS) {
    const lists: PhraseLists = settings[key] ?? {};
    phrases[key] = { en: (lists.en ?? []).join("\n"), ru: (lists.ru ?? []).join("\n") };
  }
  return {
    spelling: settings.spelling ?? true,
    language_tool_url: settings.language_tool_url ?? "",
    numbers,
    words: {
      brand_words: [...(settings.brand_words ?? [])],
      caps_allowed: [...(settings.caps_allowed ?? [])],
      url_shorteners: [...(settings.url_shorteners ?? [])],
    },
    phrases,
  };
}

/**
 * The phrases of a text area: one a line, trimmed, blank lines dropped, and a
 * phrase given twice kept once (the linter matches in any case, so "Stop" and
 * "stop" are the same phrase).
 */
export function phraseLines(text: string): string[] {
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const phrase = line.trim().replace(/\s+/g, " ");
    const folded = phrase.toLowerCase();
    if (phrase === "" || seen.has(folded)) continue;
    seen.add(folded);
    phrases.push(phrase);
  }
  return phrases;
}

/** Why `value` cannot be the threshold `key`, or `null` when it can. */
export function numberProblem(key: NumberKey, value: number | null): Problem | null {
  const { min, max } = NUMBER_LIMITS[key];
  if (value === null || !Number.isInteger(value) || value < min || value > max) {
    return { key: "lintSettings.number.range", params: { min, max } };
  }
  return null;
}

/**
 * Why `text` cannot be the LanguageTool server's address, or `null` when it can
 * (blank is fine: the bundled dictionaries). The engine asks
 * `<address>/v2/check`, so the address is a base: http or https, a host, no
 * query or fragment. A user name or password is refused too: the address is
 * stored in the workspace database, where secrets never go.
 */
export function languageToolProblem(text: string): Problem | null {
  const address = text.trim();
  if (address === "") return null;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { key: "lintSettings.languageTool.invalid", params: { url: address } };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { key: "lintSettings.languageTool.scheme", params: { scheme: url.protocol } };
  }
  if (url.hostname === "") {
    return { key: "lintSettings.languageTool.invalid", params: { url: address } };
  }
  if (url.username !== "" || url.password !== "") {
    return { key: "lintSettings.languageTool.credentials" };
  }
  if (url.search !== "" || url.hash !== "" || /[?#]/.test(address)) {
    return { key: "lintSettings.languageTool.query" };
  }
  return null;
}

/**
 * Why `word` cannot join the list `key` (holding `words`), or `null`. Every list
 * is compared without case, as the linter compares. Brand words may hold spaces
 * (the speller skips "Lucky Shrub" as one name); the other lists are matched a
 * word or a host at a time.
 */
export function wordProblem(
  key: WordKey | "team_dictionary",
  word: string,
  words: string[],
): Problem | null {
  const trimmed = word.trim();
  if (trimmed === "") return { key: "lintSettings.words.blank" };
  if (key !== "brand_words" && /\s/.test(trimmed)) {
    return { key: "lintSettings.words.oneWord", params: { word: trimmed } };
  }
  if (key === "url_shorteners" && !/^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u.test(trimmed)) {
    return { key: "lintSettings.url_shorteners.host", params: { word: trimmed } };
  }
  if (words.some((w) => w.toLowerCase() === trimmed.toLowerCase())) {
    return { key: "lintSettings.words.duplicate", params: { word: trimmed } };
  }
  return null;
}

/** Every problem of the form, by field (`language_tool_url` or a number key). */
export function formProblems(
  form: LintForm,
): Partial<Record<NumberKey | "language_tool_url", Problem>> {
  const problems: Partial<Record<NumberKey | "language_tool_url", Problem>> = {};
  const url = languageToolProblem(form.language_tool_url);
  if (url) problems.language_tool_url = url;
  for (const key of NUMBER_KEYS) {
    const problem = numberProblem(key, form.numbers[key]);
    if (problem) problems[key] = problem;
  }
  return problems;
}

/**
 * The settings to save: `base` (the settings as the backend holds them now)
 * with what the form edits put over it. Starting from `base` keeps its team
 * dictionary (not edited through the form, and a save replaces it whole) and
 * any field this screen does not know yet: left out, such a field would be
 * reset to its default. Call it on a form without problems: an empty number
 * becomes NaN (JSON's null), which the backend would refuse.
 */
export function settingsOf(form: LintForm, base: LintSettings): LintSettings {
  const address = form.language_tool_url.trim();
  const settings: LintSettings = {
    ...base,
    spelling: form.spelling,
    brand_words: [...form.words.brand_words],
    team_dictionary: [...(base.team_dictionary ?? [])],
    language_tool_url: address === "" ? null : address,
    caps_allowed: [...form.words.caps_allowed],
    url_shorteners: [...form.words.url_shorteners],
  };
  for (const key of NUMBER_KEYS) settings[key] = form.numbers[key] ?? NaN;
  for (const key of PHRASE_KEYS) {
    settings[key] = {
      en: phraseLines(form.phrases[key].en),
      ru: phraseLines(form.phrases[key].ru),
    };
  }
  return settings;
}

/**
 * What "Reset to defaults" saves: only the team dictionary, so every other field
 * takes cadence-core's default (see the header). The dictionary is kept because
 * it holds the team's own words, not a threshold, and a save replaces it.
 */
export function resetSettings(team_dictionary: string[]): LintSettings {
  return { team_dictionary: [...team_dictionary] };
}

/** Whether the form would save something other than `saved`. */
export function differs(form: LintForm, saved: LintSettings): boolean {
  return (
    JSON.stringify(settingsOf(form, saved)) !== JSON.stringify(settingsOf(formOf(saved), saved))
  );
}
