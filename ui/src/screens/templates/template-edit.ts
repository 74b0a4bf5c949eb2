// The Templates screen's pure helpers: where a finding points in a template, how
// a quick fix's edits change it, and how its text splits into highlighted runs.
//
// Spans from the linter count Unicode code points (Rust's `char`s); the DOM's
// text offsets count UTF-16 units, in which an emoji is two. Everything here that
// takes a span converts through `utf16Offset` before it touches a text field.
import type {
  Button,
  Edit,
  Field,
  Finding,
  Fix,
  Severity,
  Span,
  Template,
} from "../../lib/backend";
import { catalogs } from "../../lib/i18n/index.svelte";
import { variableKeys } from "../../lib/whatsapp-format";

/** The UTF-16 offset of the `codePoints`-th code point of `text` (clamped to its end). */
export function utf16Offset(text: string, codePoints: number): number {
  let units = 0;
  let seen = 0;
  for (const char of text) {
    if (seen >= codePoints) break;
    units += char.length;
    seen++;
  }
  return units;
}

/** A field as one string: the `data-field` of its input and a map key. */
export function fieldKey(field: Field): string {
  return "at" in field ? `${field.kind}:${field.at}` : field.kind;
}

/** The text of a field that is text, or `null` (a button without that part, a select). */
export function fieldText(template: Template, field: Field): string | null {
  const button = "at" in field && typeof field.at === "number" ? template.buttons[field.at] : null;
  switch (field.kind) {
    case "name":
      return template.name;
    case "language":
      return template.language;
    case "header_text":
      return template.header?.kind === "text" ? template.header.text : null;
    case "header_example":
      return template.header?.kind === "text" ? (template.header.example ?? "") : null;
    case "body":
      return template.body;
    case "footer":
      return template.footer ?? "";
    case "body_example":
      return template.body_examples[field.at] ?? "";
    case "button_text":
      return button && "text" in button ? button.text : null;
    case "button_url":
      return button?.kind === "url" ? button.url : null;
    case "button_phone":
      return button?.kind === "phone_number" ? button.phone_number : null;
    case "button_example":
      return button?.kind === "url"
        ? (button.example ?? "")
        : button?.kind === "copy_code"
          ? button.example
          : null;
    default:
      return null;
  }
}

/** Why a quick fix cannot be applied to the template as it is now. */
export class FixNotApplicable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FixNotApplicable";
  }
}

/**
 * `template` with `fix` made: its edits and the button it inserts (a new object;
 * `template` is not changed). As in core::lint::Fix::apply, spans are characters
 * of the text before the fix, edits may come in any order, and it is all or
 * nothing: an edit of a field that is not text here, a span past the text,
 * overlapping edits or a button index past the end throw FixNotApplicable. The
 * word a fix adds to the team dictionary is the backend's (not a template change).
 */
export function applyFix(template: Template, fix: Fix): Template {
  const next = copy(template);
  const byField = new Map<string, Edit[]>();
  for (const edit of fix.edits) {
    const key = fieldKey(edit.field);
    byField.set(key, [...(byField.get(key) ?? []), edit]);
  }
  for (const [key, group] of byField) {
    const field = group[0].field;
    const text = fieldText(next, field);
    if (text === null)
      throw new FixNotApplicable(`the fix edits ${key}, which this template does not have as text`);
    const chars = [...text];
    const sorted = [...group].sort(
      (a, b) => a.span.start - b.span.start || a.span.end - b.span.end,
    );
    let out = "";
    let from = 0;
    for (const { span, replacement } of sorted) {
      if (span.start > span.end || span.end > chars.length) {
        throw new FixNotApplicable(
          `the fix edits characters ${span.start}..${span.end} of ${key}, which has ${chars.length}`,
        );
      }
      if (span.start < from) throw new FixNotApplicable(`the fix's edits of ${key} overlap`);
      out += chars.slice(from, span.start).join("") + replacement;
      from = span.end;
    }
    setFieldText(next, field, out + chars.slice(from).join(""));
  }
  const insert = fix.insert_button;
  if (insert) {
    if (insert.index > next.buttons.length) {
      throw new FixNotApplicable(
        `the fix inserts a button at place ${insert.index} of ${next.buttons.length}`,
      );
    }
    next.buttons.splice(insert.index, 0, copy(insert.button));
  }
  return next;
}

/**
 * A deep copy of plain JSON data. Not structuredClone: the editor's template is a
 * Svelte state proxy, which structuredClone refuses.
 */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Whether `fix` changes the template (edits or a button), as opposed to only the dictionary. */
export function changesTemplate(fix: Fix): boolean {
  return fix.edits.length > 0 || !!fix.insert_button;
}

/** Whether applyFix would succeed on `template`. */
export function canApply(template: Template, fix: Fix): boolean {
  try {
    applyFix(template, fix);
    return true;
  } catch (error) {
    if (error instanceof FixNotApplicable) return false;
    throw error;
  }
}

/** A fix and its alternatives, each a choice of its own. */
export function fixChoices(fix: Fix | null): Fix[] {
  return fix ? [fix, ...(fix.alternatives ?? [])] : [];
}

function setFieldText(template: Template, field: Field, text: string): void {
  const button = "at" in field && typeof field.at === "number" ? template.buttons[field.at] : null;
  switch (field.kind) {
    case "name":
      template.name = text;
      break;
    case "language":
      template.language = text;
      break;
    case "header_text":
      if (template.header?.kind === "text") template.header.text = text;
      break;
    case "header_example":
      if (template.header?.kind === "text") template.header.example = text || null;
      break;
    case "body":
      template.body = text;
      break;
    case "footer":
      template.footer = text || null;
      break;
    case "body_example":
      template.body_examples[field.at] = text;
      break;
    case "button_text":
      if (button && "text" in button) button.text = text;
      break;
    case "button_url":
      if (button?.kind === "url") button.url = text;
      break;
    case "button_phone":
      if (button?.kind === "phone_number") button.phone_number = text;
      break;
    case "button_example":
      if (button?.kind === "url") button.example = text || null;
      else if (button?.kind === "copy_code") button.example = text;
      break;
  }
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The order of the fields in the editor, which is Meta's order. */
function fieldRank(field: Field): number {
  const order: Field["kind"][] = [
    "name",
    "language",
    "category",
    "header_media",
    "header_text",
    "header_example",
    "body",
    "body_example",
    "footer",
    "buttons",
    "button_text",
    "button_url",
    "button_phone",
    "button_example",
  ];
  const at = "at" in field && typeof field.at === "number" ? field.at / 100 : 0;
  return order.indexOf(field.kind) + at;
}

/** Findings as the list shows them: errors first, then warnings, then infos; each by field, then position. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      fieldRank(a.field) - fieldRank(b.field) ||
      a.span.start - b.span.start,
  );
}

/** A run of a field's text and the most severe finding over it (or none). */
export interface Run {
  text: string;
  severity: Severity | null;
  /** A zero-length finding here (something missing at this place). */
  caret: boolean;
}

/**
 * Splits `text` into runs at every finding's start and end, each run marked with
 * the most severe finding covering it. A finding with an empty span becomes an
 * empty caret run at its place, so "something is missing here" is visible too.
 */
export function highlightRuns(text: string, spans: { span: Span; severity: Severity }[]): Run[] {
  const chars = [...text];
  const cuts = new Set([0, chars.length]);
  for (const { span } of spans) {
    cuts.add(Math.min(span.start, chars.length));
    cuts.add(Math.min(span.end, chars.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const runs: Run[] = [];
  const worst = (covering: { severity: Severity }[]) =>
    covering.reduce<Severity | null>(
      (best, f) =>
        best === null || SEVERITY_RANK[f.severity] < SEVERITY_RANK[best] ? f.severity : best,
      null,
    );
  for (let i = 0; i < points.length; i++) {
    const at = points[i];
    const carets = spans.filter(
      (f) => f.span.start === f.span.end && Math.min(f.span.start, chars.length) === at,
    );
    if (carets.length > 0) runs.push({ text: "", severity: worst(carets), caret: true });
    const end = points[i + 1];
    if (end === undefined) break;
    const covering = spans.filter(
      (f) => f.span.start <= at && f.span.end >= end && f.span.end > f.span.start,
    );
    runs.push({ text: chars.slice(at, end).join(""), severity: worst(covering), caret: false });
  }
  return runs;
}

/**
 * The template as it is saved, linted and submitted: examples only for the
 * variables the text still has. The editor keeps the others while the author
 * types, so deleting `{{2}}` and typing it again does not lose its example.
 */
export function withCurrentExamples(template: Template): Template {
  const keys = new Set(variableKeys(template.body));
  const body_examples: Record<string, string> = {};
  for (const [key, value] of Object.entries(template.body_examples)) {
    if (keys.has(key)) body_examples[key] = value;
  }
  let header = template.header;
  if (
    header?.kind === "text" &&
    variableKeys(header.text).length === 0 &&
    header.example !== null
  ) {
    header = { ...header, example: null };
  }
  return { ...template, header, body_examples };
}

/** The catalog language for a Meta language code: Russian for `ru*`, else English. */
export function catalogLanguage(code: string): "ru" | "en" {
  return code.toLowerCase().startsWith("ru") ? "ru" : "en";
}

/** The ready opt-out quick reply, labelled in the template's language. */
export function optOutButton(templateLanguage: string): Button {
  return {
    kind: "quick_reply",
    text: catalogs[catalogLanguage(templateLanguage)]["templates.button.optOut.label"],
  };
}

/**
 * `buttons` with `button` added: a quick reply joins the other quick replies
 * (Meta wants them grouped, not mixed between the other kinds); any other kind
 * goes last.
 */
export function withButton(buttons: Button[], button: Button): Button[] {
  const next = [...buttons];
  const lastReply = next.map((b) => b.kind).lastIndexOf("quick_reply");
  if (button.kind === "quick_reply" && lastReply >= 0) next.splice(lastReply + 1, 0, button);
  else next.push(button);
  return next;
}

/** `base`, or `base_2`, `base_3`… the first name not in `taken`. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  if (!names.has(base)) return base;
  for (let n = 2; ; n++) if (!names.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** A new, empty marketing draft. */
export function blankTemplate(name: string, language: string): Template {
  return {
    name,
    language,
    category: "MARKETING",
    parameter_format: "POSITIONAL",
    header: null,
    body: "",
    footer: null,
    buttons: [],
    body_examples: {},
  };
}
