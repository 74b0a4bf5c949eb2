import { flushSync, mount, unmount } from "svelte";
import { describe, expect, it } from "vitest";
import WhatsAppText from "./components/WhatsAppText.svelte";
import {
  charCount,
  estimateLines,
  fillVariables,
  folds,
  parseWhatsApp,
  plainText,
  variableKeys,
  type Block,
  type Inline,
} from "./whatsapp-format";

/** The inline tokens of a one-line text. */
function line(text: string): Inline[] {
  const blocks = parseWhatsApp(text);
  expect(blocks, `"${text}" is one plain line`).toHaveLength(1);
  const [block] = blocks;
  if (block.kind !== "line") throw new Error(`"${text}" parsed as ${block.kind}, not a line`);
  return block.content;
}

const text = (value: string): Inline => ({ kind: "text", text: value });

describe("inline formatting", () => {
  it("formats each marker", () => {
    expect(line("*bold*")).toEqual([{ kind: "bold", children: [text("bold")] }]);
    expect(line("_italic_")).toEqual([{ kind: "italic", children: [text("italic")] }]);
    expect(line("~strike~")).toEqual([{ kind: "strike", children: [text("strike")] }]);
    expect(line("```mono```")).toEqual([{ kind: "mono", text: "mono" }]);
    expect(line("`code`")).toEqual([{ kind: "code", text: "code" }]);
  });

  it("keeps the text around a formatted run", () => {
    expect(line("Hi *Anna*, see _this_.")).toEqual([
      text("Hi "),
      { kind: "bold", children: [text("Anna")] },
      text(", see "),
      { kind: "italic", children: [text("this")] },
      text("."),
    ]);
  });

  it("nests bold, italic and strike", () => {
    expect(line("*bold _and italic_*")).toEqual([
      {
        kind: "bold",
        children: [text("bold "), { kind: "italic", children: [text("and italic")] }],
      },
    ]);
    expect(line("~_*all three*_~")).toEqual([
      {
        kind: "strike",
        children: [{ kind: "italic", children: [{ kind: "bold", children: [text("all three")] }] }],
      },
    ]);
  });

  it("formats nothing inside code and monospace", () => {
    expect(line("`*not bold*`")).toEqual([{ kind: "code", text: "*not bold*" }]);
    expect(line("```_not italic_```")).toEqual([{ kind: "mono", text: "_not italic_" }]);
  });

  it("does not let a marker inside code close a run outside it", () => {
    expect(line("*a `x*y` b*")).toEqual([
      {
        kind: "bold",
        children: [text("a "), { kind: "code", text: "x*y" }, text(" b")],
      },
    ]);
  });

  it("leaves unterminated markers literal", () => {
    for (const literal of ["*bold", "_italic", "~strike", "```mono", "`code", "a * b", "**"]) {
      expect(line(literal), `"${literal}" has no closing partner`).toEqual([text(literal)]);
    }
  });

  it("needs markers that hug their text and sit at word boundaries", () => {
    for (const literal of [
      "a * not bold *",
      "*not bold *",
      "snake_case_name",
      "2*3*4",
      "price~5~ish",
    ]) {
      expect(plainText(line(literal)), `"${literal}" stays as typed`).toBe(literal);
      expect(line(literal).every((token) => token.kind === "text")).toBe(true);
    }
  });

  it("treats a marker after punctuation as opening", () => {
    expect(line("(*yes*)")).toEqual([
      text("("),
      { kind: "bold", children: [text("yes")] },
      text(")"),
    ]);
  });

  it("keeps emoji and Cyrillic whole", () => {
    expect(line("*Привет* 👋🏽")).toEqual([
      { kind: "bold", children: [text("Привет")] },
      text(" 👋🏽"),
    ]);
  });

  it("lets monospace span lines without starting new ones", () => {
    const blocks = parseWhatsApp("before ```a\nb``` after");
    expect(blocks).toEqual([
      { kind: "line", content: [text("before "), { kind: "mono", text: "a\nb" }, text(" after")] },
    ]);
  });
});

describe("block formatting", () => {
  it("groups bullet lines of either marker into one list", () => {
    expect(parseWhatsApp("- one\n* *two*")).toEqual([
      {
        kind: "bullets",
        items: [[text("one")], [{ kind: "bold", children: [text("two")] }]],
      },
    ] satisfies Block[]);
  });

  it("keeps the numbers of a numbered list", () => {
    expect(parseWhatsApp("1. first\n3. third")).toEqual([
      {
        kind: "numbered",
        items: [
          { number: 1, content: [text("first")] },
          { number: 3, content: [text("third")] },
        ],
      },
    ]);
  });

  it("quotes lines that start with > and a space", () => {
    expect(parseWhatsApp("> said\n> _twice_")).toEqual([
      { kind: "quote", lines: [[text("said")], [{ kind: "italic", children: [text("twice")] }]] },
    ]);
  });

  it("keeps plain and empty lines between blocks", () => {
    expect(parseWhatsApp("Hi\n\n- a\nBye")).toEqual([
      { kind: "line", content: [text("Hi")] },
      { kind: "line", content: [] },
      { kind: "bullets", items: [[text("a")]] },
      { kind: "line", content: [text("Bye")] },
    ]);
  });

  it("needs the space after a list or quote marker", () => {
    expect(parseWhatsApp("-1 degree\n1.5 kg\n>not a quote").map((b) => b.kind)).toEqual([
      "line",
      "line",
      "line",
    ]);
  });
});

describe("the rendered text", () => {
  function render(value: string) {
    const target = document.createElement("div");
    const component = mount(WhatsAppText, { target, props: { text: value } });
    flushSync();
    return {
      target,
      done: () => unmount(component),
    };
  }

  it("shows markup in a template as its characters, never as elements", () => {
    const hostile = '<script>alert("x")</script> & <b>bold</b> &amp; <img src=x onerror=alert(1)>';
    const { target, done } = render(hostile);
    expect(target.querySelector("script, b, img"), "no element comes from the text").toBeNull();
    expect(target.textContent, "every character shows, & and entities too").toBe(hostile);
    done();
  });

  it("escapes inside formatted runs as well", () => {
    const { target, done } = render("*<i>x</i>* `<u>y</u>` ```<s>z</s>```");
    expect(target.querySelectorAll("strong")).toHaveLength(1);
    expect(target.querySelector("i, u, s:not(code s)"), "only our own elements").toBeNull();
    expect(target.querySelector("strong")?.textContent).toBe("<i>x</i>");
    expect([...target.querySelectorAll("code")].map((c) => c.textContent)).toEqual([
      "<u>y</u>",
      "<s>z</s>",
    ]);
    done();
  });

  it("renders every syntax with its element", () => {
    const { target, done } = render("*b* _i_ ~s~ `c` ```m```\n- bullet\n1. number\n> quote");
    expect(target.querySelector("strong")?.textContent).toBe("b");
    expect(target.querySelector("em")?.textContent).toBe("i");
    expect(target.querySelector("s")?.textContent).toBe("s");
    expect(target.querySelector("code:not(.mono)")?.textContent).toBe("c");
    expect(target.querySelector("code.mono")?.textContent).toBe("m");
    expect(target.querySelector("ul li")?.textContent).toBe("bullet");
    expect(target.querySelector("ol li")?.getAttribute("value")).toBe("1");
    expect(target.querySelector("blockquote")?.textContent).toBe("quote");
    done();
  });

  it("adds no spaces of its own", () => {
    const { target, done } = render("a*b* *c*d");
    expect(target.textContent).toBe("a*b* *c*d");
    done();
  });
});

describe("variables, counts and the fold", () => {
  it("lists each variable once, trimmed, in order", () => {
    expect(variableKeys("Hi {{1}}, {{ 2 }} and {{1}} {{first_name}} {{}}")).toEqual([
      "1",
      "2",
      "first_name",
    ]);
  });

  it("fills variables and leaves those without a value visible", () => {
    expect(
      fillVariables("Hi {{1}}, code {{ 2 }}, {{3}}", { "1": "Anna", "2": "X1", "3": "" }),
    ).toBe("Hi Anna, code X1, {{3}}");
  });

  it("does not format a value's markers differently from typed text", () => {
    const filled = fillVariables("Hi {{1}}", { "1": "*Anna*" });
    expect(line(filled)).toEqual([text("Hi "), { kind: "bold", children: [text("Anna")] }]);
  });

  it("counts code points as Meta does, not UTF-16 units", () => {
    expect(charCount("Привет")).toBe(6);
    expect(charCount("👋")).toBe(1);
    expect("👋".length, "JavaScript's own length counts two units").toBe(2);
    expect(charCount("a👋🏽b")).toBe(4);
  });

  it("folds a body longer than five phone lines", () => {
    expect(estimateLines("one\ntwo")).toBe(2);
    expect(estimateLines("x".repeat(70), 34)).toBe(3);
    expect(folds("1\n2\n3\n4\n5")).toBe(false);
    expect(folds("1\n2\n3\n4\n5\n6")).toBe(true);
    expect(folds("x".repeat(40 * 5)), "five full lines still fit").toBe(false);
    expect(folds("x".repeat(40 * 5 + 1)), "wrapping counts as lines too").toBe(true);
  });
});
