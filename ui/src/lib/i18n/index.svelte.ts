// The interface language and message lookup. Components never hold UI strings:
// they call t("key") and re-render when the language changes.
import type { Language } from "../bindings";
import { en, type Catalog, type MessageKey } from "./en";
import { ru } from "./ru";

export type { MessageKey };

export const catalogs: Record<Language, Catalog> = { en, ru };

/** Each language's name in itself, as a language menu shows it. */
export const languageNames: Record<Language, string> = { en: "English", ru: "Русский" };

let current = $state<Language>(guessLanguage());

/** The language shown now. */
export function language(): Language {
  return current;
}

/** Switches every visible string at once. */
export function setLanguage(next: Language): void {
  current = next;
  if (typeof document !== "undefined") document.documentElement.lang = next;
}

/**
 * The message for `key` in the current language, with `{name}` placeholders
 * replaced from `params`. A placeholder without a value is left as it is, so a
 * missing value shows up in review instead of vanishing.
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogs[current][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Until the backend answers: the browser's idea of the OS language. */
function guessLanguage(): Language {
  const tag = typeof navigator !== "undefined" ? navigator.language : "";
  return tag.toLowerCase().startsWith("ru") ? "ru" : "en";
}

/**
 * A value Meta reports (a quality rating, a throughput level, a messaging tier)
 * in words, under `prefix.VALUE`; a value without words yet is shown as Meta
 * wrote it, so nothing new from Meta is ever hidden.
 */
export function metaValue(prefix: "quality" | "throughput" | "tier", value: string): string {
  const key = `${prefix}.${value}`;
  return key in catalogs[current] ? t(key as MessageKey) : value;
}
