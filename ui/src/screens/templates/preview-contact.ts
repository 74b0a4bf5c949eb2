// Filling a template's variables from a real contact for the phone preview.
//
// A named variable takes the contact's field of the same name (first_name,
// last_name, phone, country, time_zone, locale) or its attribute of that name; a
// numbered one ({{1}}) names nothing, so it keeps its example value (a campaign
// binds numbered variables to contact fields). A variable the contact has no value
// for keeps its example too, and is reported so the author sees which.
import type { ContactRow } from "../../lib/backend";

const FIELDS = ["first_name", "last_name", "phone", "country", "time_zone", "locale"] as const;

/** The contact's value for the variable `key`, or `null`. */
export function contactValue(contact: ContactRow, key: string): string | null {
  if ((FIELDS as readonly string[]).includes(key)) {
    const value = contact[key as (typeof FIELDS)[number]];
    return value ? String(value) : null;
  }
  const attribute = contact.attributes[key];
  return attribute ? attribute : null;
}

/** The values to fill `keys` with, and the keys that fell back to their examples. */
export function contactValues(
  contact: ContactRow,
  keys: readonly string[],
  examples: Readonly<Record<string, string>>,
): { values: Record<string, string>; fallbacks: string[] } {
  const values: Record<string, string> = {};
  const fallbacks: string[] = [];
  for (const key of keys) {
    const value = contactValue(contact, key);
    if (value !== null) {
      values[key] = value;
    } else {
      fallbacks.push(key);
      if (examples[key]) values[key] = examples[key];
    }
  }
  return { values, fallbacks };
}
