// Column mapping rules the wizard checks before a dry run (the same ones the
// importer applies: cadence_core::audience::mapping), and how a saved preset
// applies to a file whose columns may be in another order.
import type { ColumnMapping, ColumnRule, Target } from "../../lib/backend";

export type TargetKind = Target["kind"];

/** The choices of a column's menu, in the order the wizard lists them. */
export const targetKinds: TargetKind[] = [
  "phone",
  "first_name",
  "last_name",
  "locale",
  "time_zone",
  "country",
  "consent_given",
  "consent_at",
  "consent_source",
  "consent_categories",
  "consent_evidence",
  "tags",
  "attribute",
  "ignore",
];

/** Targets a contact has one of: two columns cannot both fill one (tags may). */
const single: ReadonlySet<TargetKind> = new Set([
  "phone",
  "first_name",
  "last_name",
  "locale",
  "time_zone",
  "country",
  "consent_at",
  "consent_source",
  "consent_categories",
  "consent_evidence",
  "consent_given",
]);

/**
 * An attribute's name is a template variable: lowercase Latin letters, digits
 * and `_`, starting with a letter, at most 64 characters (the importer's
 * `valid_attribute_name`).
 */
export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Names a contact's own fields use, which an attribute may not take. */
const RESERVED_NAMES = new Set([
  "phone",
  "first_name",
  "last_name",
  "locale",
  "time_zone",
  "country",
  "tags",
  "consent",
  "attributes",
]);

export type MappingProblem =
  | { kind: "no_phone" }
  | { kind: "twice"; target: TargetKind; columns: string[] }
  | { kind: "attribute_name"; column: string; name: string }
  | { kind: "attribute_twice"; name: string; columns: string[] };

/** What stops the mapping from being imported; empty when it can be. */
export function mappingProblems(mapping: ColumnMapping): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const byTarget = new Map<TargetKind, string[]>();
  const byAttribute = new Map<string, string[]>();
  for (const rule of mapping.columns) {
    const kind = rule.target.kind;
    byTarget.set(kind, [...(byTarget.get(kind) ?? []), rule.column]);
    if (rule.target.kind === "attribute") {
      const name = rule.target.name;
      if (!ATTRIBUTE_NAME.test(name) || RESERVED_NAMES.has(name)) {
        problems.push({ kind: "attribute_name", column: rule.column, name });
      } else {
        byAttribute.set(name, [...(byAttribute.get(name) ?? []), rule.column]);
      }
    }
  }
  if (!byTarget.has("phone")) problems.unshift({ kind: "no_phone" });
  for (const [target, columns] of byTarget) {
    if (single.has(target) && columns.length > 1) problems.push({ kind: "twice", target, columns });
  }
  for (const [name, columns] of byAttribute) {
    if (columns.length > 1) problems.push({ kind: "attribute_twice", name, columns });
  }
  return problems;
}

const normalise = (name: string) => name.trim().toLowerCase();

/**
 * A preset applied to a file: each column takes the target of the preset's rule
 * for the same column name (any case). Columns the preset does not know are
 * ignored.
 */
export function applyPreset(
  columns: string[],
  preset: ColumnMapping,
): { mapping: ColumnMapping; matched: number } {
  let matched = 0;
  const rules: ColumnRule[] = columns.map((column) => {
    const found = preset.columns.find((rule) => normalise(rule.column) === normalise(column));
    if (found) matched++;
    return { column, target: found ? structuredClone(found.target) : { kind: "ignore" } };
  });
  return { mapping: { columns: rules }, matched };
}

/** The mapping's rule for every column of the file, in the file's order. */
export function rulesFor(columns: string[], mapping: ColumnMapping): ColumnRule[] {
  return columns.map(
    (column) =>
      mapping.columns.find((rule) => rule.column === column) ?? {
        column,
        target: { kind: "ignore" },
      },
  );
}

/** The target a menu choice stands for; an attribute keeps or suggests its name. */
export function targetFor(kind: TargetKind, rule: ColumnRule, index: number): Target {
  if (kind !== "attribute") return { kind } as Target;
  if (rule.target.kind === "attribute") return rule.target;
  const suggested = rule.column
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[_0-9]+|_+$/g, "");
  return { kind: "attribute", name: suggested || `column_${index + 1}` };
}
