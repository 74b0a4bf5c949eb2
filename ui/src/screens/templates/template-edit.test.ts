import { describe, expect, it } from "vitest";
import type { Finding, Fix, Template } from "../../lib/backend";
import {
  FixNotApplicable,
  applyFix,
  blankTemplate,
  canApply,
  fixChoices,
  highlightRuns,
  optOutButton,
  sortFindings,
  uniqueName,
  utf16Offset,
  withButton,
  withCurrentExamples,
} from "./template-edit";

const template = (patch: Partial<Template> = {}): Template => ({
  ...blankTemplate("spring_sale", "en"),
  ...patch,
});

const fix = (patch: Partial<Fix>): Fix => ({ label: "fix", edits: [], ...patch });

describe("utf16Offset", () => {
  it("turns the linter's character offsets into the DOM's UTF-16 offsets", () => {
    const text = "👋 Hi {{1}}";
    expect(utf16Offset(text, 0)).toBe(0);
    expect(utf16Offset(text, 1), "the emoji is one character but two units").toBe(2);
    expect(text.slice(utf16Offset(text, 5), utf16Offset(text, 10))).toBe("{{1}}");
    expect(utf16Offset(text, 99), "past the end is the end").toBe(text.length);
  });
});

describe("applyFix", () => {
  it("applies edits given in any order against the text before the fix", () => {
    const before = template({ body: "🎉🎉 Hi {{1}}!!!" });
    const after = applyFix(before, {
      label: "tidy",
      edits: [
        { field: { kind: "body" }, span: { start: 11, end: 14 }, replacement: "!" },
        { field: { kind: "body" }, span: { start: 0, end: 2 }, replacement: "" },
      ],
    });
    expect(after.body).toBe(" Hi {{1}}!");
    expect(before.body, "the original is not changed").toBe("🎉🎉 Hi {{1}}!!!");
  });

  it("edits buttons, examples and the footer by their field", () => {
    const before = template({
      footer: null,
      buttons: [{ kind: "url", text: "Shop", url: "https://x.ru/{{1}}", example: null }],
      body: "Hi {{1}}",
      body_examples: { "1": "Anna" },
    });
    const after = applyFix(before, {
      label: "fix",
      edits: [
        { field: { kind: "footer" }, span: { start: 0, end: 0 }, replacement: "Reply STOP" },
        { field: { kind: "button_text", at: 0 }, span: { start: 0, end: 4 }, replacement: "Open" },
        { field: { kind: "button_example", at: 0 }, span: { start: 0, end: 0 }, replacement: "a1" },
        {
          field: { kind: "body_example", at: "1" },
          span: { start: 0, end: 4 },
          replacement: "Олег",
        },
      ],
    });
    expect(after.footer).toBe("Reply STOP");
    expect(after.buttons[0]).toEqual({
      kind: "url",
      text: "Open",
      url: "https://x.ru/{{1}}",
      example: "a1",
    });
    expect(after.body_examples).toEqual({ "1": "Олег" });
  });

  it("inserts the button a fix brings, where it says", () => {
    const before = template({
      buttons: [
        { kind: "quick_reply", text: "Yes" },
        { kind: "url", text: "Shop", url: "https://x.ru", example: null },
      ],
    });
    const after = applyFix(before, {
      ...fix({}),
      insert_button: { index: 1, button: { kind: "quick_reply", text: "Stop promotions" } },
    });
    expect(after.buttons.map((b) => ("text" in b ? b.text : ""))).toEqual([
      "Yes",
      "Stop promotions",
      "Shop",
    ]);
  });

  it("refuses a fix that does not fit, all or nothing, as the Rust side does", () => {
    const before = template({ body: "Hello" });
    const cases: [string, Fix][] = [
      [
        "a span past the text",
        fix({ edits: [{ field: { kind: "body" }, span: { start: 4, end: 9 }, replacement: "" }] }),
      ],
      [
        "overlapping edits",
        fix({
          edits: [
            { field: { kind: "body" }, span: { start: 0, end: 3 }, replacement: "" },
            { field: { kind: "body" }, span: { start: 2, end: 4 }, replacement: "" },
          ],
        }),
      ],
      [
        "a field that is not text",
        fix({
          edits: [{ field: { kind: "category" }, span: { start: 0, end: 0 }, replacement: "" }],
        }),
      ],
      [
        "a button's part it does not have",
        fix({
          edits: [
            { field: { kind: "button_url", at: 0 }, span: { start: 0, end: 0 }, replacement: "" },
          ],
        }),
      ],
      [
        "a button index past the end",
        fix({ insert_button: { index: 3, button: { kind: "quick_reply", text: "x" } } }),
      ],
    ];
    for (const [why, bad] of cases) {
      expect(() => applyFix(before, bad), why).toThrow(FixNotApplicable);
      expect(canApply(before, bad), why).toBe(false);
    }
  });

  it("offers a fix and then its alternatives", () => {
    const word = fix({ label: "add word", add_to_dictionary: "Кроссовочки" });
    const main = fix({ label: "replace", alternatives: [word] });
    expect(fixChoices(main).map((f) => f.label)).toEqual(["replace", "add word"]);
    expect(fixChoices(null)).toEqual([]);
  });
});

describe("highlightRuns", () => {
  it("splits text at each finding and marks the most severe one over each run", () => {
    const runs = highlightRuns("abcdefgh", [
      { span: { start: 1, end: 5 }, severity: "warning" },
      { span: { start: 3, end: 7 }, severity: "error" },
    ]);
    expect(runs.map((r) => [r.text, r.severity])).toEqual([
      ["a", null],
      ["bc", "warning"],
      ["de", "error"],
      ["fg", "error"],
      ["h", null],
    ]);
    expect(runs.map((r) => r.text).join(""), "the runs are the whole text").toBe("abcdefgh");
  });

  it("counts characters, so an emoji is never split", () => {
    const runs = highlightRuns("a👋b", [{ span: { start: 1, end: 2 }, severity: "info" }]);
    expect(runs.map((r) => r.text)).toEqual(["a", "👋", "b"]);
  });

  it("shows an empty span as a caret at its place", () => {
    const runs = highlightRuns("abc", [{ span: { start: 3, end: 3 }, severity: "error" }]);
    expect(runs).toEqual([
      { text: "abc", severity: null, caret: false },
      { text: "", severity: "error", caret: true },
    ]);
  });
});

describe("the rest", () => {
  it("lists errors first, then by field in the editor's order, then by position", () => {
    const finding = (
      rule: string,
      severity: Finding["severity"],
      field: Finding["field"],
      start = 0,
    ) => ({
      rule,
      severity,
      field,
      span: { start, end: start },
      message: rule,
      fix: null,
    });
    const sorted = sortFindings([
      finding("w-body", "warning", { kind: "body" }),
      finding("e-footer", "error", { kind: "footer" }),
      finding("e-body-later", "error", { kind: "body" }, 9),
      finding("e-body", "error", { kind: "body" }, 2),
      finding("i-name", "info", { kind: "name" }),
      finding("e-name", "error", { kind: "name" }),
    ]);
    expect(sorted.map((f) => f.rule)).toEqual([
      "e-name",
      "e-body",
      "e-body-later",
      "e-footer",
      "w-body",
      "i-name",
    ]);
  });

  it("keeps only the examples of variables the text still has", () => {
    const pruned = withCurrentExamples(
      template({
        body: "Hi {{1}}",
        body_examples: { "1": "Anna", "2": "old" },
        header: { kind: "text", text: "Sale", example: "stale" },
      }),
    );
    expect(pruned.body_examples).toEqual({ "1": "Anna" });
    expect(pruned.header).toEqual({ kind: "text", text: "Sale", example: null });
  });

  it("labels the opt-out button in the template's language", () => {
    expect(optOutButton("ru")).toEqual({ kind: "quick_reply", text: "Отписаться" });
    expect(optOutButton("en_US")).toEqual({ kind: "quick_reply", text: "Stop promotions" });
    expect(optOutButton("kk"), "other languages get English").toEqual({
      kind: "quick_reply",
      text: "Stop promotions",
    });
  });

  it("keeps quick replies together when adding one", () => {
    const url = { kind: "url" as const, text: "Shop", url: "https://x.ru", example: null };
    const yes = { kind: "quick_reply" as const, text: "Yes" };
    const stop = { kind: "quick_reply" as const, text: "Stop" };
    expect(withButton([yes, url], stop)).toEqual([yes, stop, url]);
    expect(withButton([url], stop)).toEqual([url, stop]);
    expect(withButton([yes], url)).toEqual([yes, url]);
  });

  it("finds a free name", () => {
    expect(uniqueName("new_template", [])).toBe("new_template");
    expect(uniqueName("new_template", ["new_template", "new_template_2"])).toBe("new_template_3");
  });
});
