// WhatsApp's message formatting as a token tree, for the phone preview.
//
// The template's text is never turned into HTML: the parser only splits it into
// tokens whose text stays raw, and Svelte renders each token's text as a text
// node, which escapes it. So `<script>` in a template shows as those eight
// characters and `&amp;` as five, exactly as the phone would show them.
//
// What WhatsApp formats (https://faq.whatsapp.com/539178204879377):
//   *bold*  _italic_  ~strike~  ```monospace```  `inline code`
//   "- item" or "* item" bullet lines, "1. item" numbered lines, "> quote" lines.
// A marker formats only when it hugs its text (no space just inside it) and sits
// at a word boundary, so `snake_case_name` and `2*3*4` stay literal; a marker
// without its closing partner stays literal too. Bold, italic and strike nest;
// nothing formats inside monospace or inline code.

/** Meta's length limits, in characters (Unicode code points), per component. */
export const LIMITS = {
  header: 60,
  body: 1024,
  footer: 60,
  buttonLabel: 25,
} as const;

/**
 * Lines a marketing body shows on the phone before "Read more", and characters
 * per line of the bubble: the defaults of the linter's `body-folds` rule
 * (LintSettings::fold_lines, fold_line_chars), so the preview folds where the
 * linter says it will.
 */
export const FOLD_LINES = 5;
export const FOLD_LINE_CHARS = 40;

/** A piece of formatted text inside one line. */
export type Inline =
  | { kind: "text"; text: string }
  | { kind: "bold" | "italic" | "strike"; children: Inline[] }
  | { kind: "code"; text: string }
  | { kind: "mono"; text: string };

/** A line or a group of lines of the message. */
export type Block =
  /** A plain line; an empty `content` is an empty line. */
  | { kind: "line"; content: Inline[] }
  | { kind: "bullets"; items: Inline[][] }
  /** Numbered lines keep the numbers the author typed. */
  | { kind: "numbered"; items: { number: number; content: Inline[] }[] }
  | { kind: "quote"; lines: Inline[][] };

/** The length of `text` as Meta counts it: Unicode code points, not UTF-16 units. */
export function charCount(text: string): number {
  let count = 0;
  for (let at = 0; at < text.length; at++) {
    const unit = text.charCodeAt(at);
    // A high surrogate followed by a low one is one code point in two units.
    if (unit >= 0xd800 && unit <= 0xdbff && at + 1 < text.length) {
      const next = text.charCodeAt(at + 1);
      if (next >= 0xdc00 && next <= 0xdfff) at++;
    }
    count++;
  }
  return count;
}

/** `{{1}}`, `{{ first_name }}`: the key inside, trimmed, as Meta and the linter read it. */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** The keys of the variables in `text`, each once, in order of first appearance. */
export function variableKeys(text: string): string[] {
  const keys: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const key = match[1].trim();
    if (key !== "" && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

/**
 * `text` with each variable replaced by its value; a variable without a value
 * (or with an empty one) stays as written, so the preview shows what is missing.
 */
export function fillVariables(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, inner: string) => {
    const value = values[inner.trim()];
    return value ? value : whole;
  });
}

/** About how many lines `text` takes in a phone's message bubble, wrapping at `charsPerLine`. */
export function estimateLines(text: string, charsPerLine = FOLD_LINE_CHARS): number {
  return text
    .split("\n")
    .reduce((lines, line) => lines + Math.max(1, Math.ceil(charCount(line) / charsPerLine)), 0);
}

/** Whether the phone folds `text` behind "Read more". */
export function folds(text: string, charsPerLine = FOLD_LINE_CHARS): boolean {
  return estimateLines(text, charsPerLine) > FOLD_LINES;
}

// An atom is one character of plain text or a code/mono token that markers cannot
// reach into (a `*` inside inline code never closes a bold run).
type Atom = string | { kind: "code" | "mono"; text: string };

/** Parses a message's text into blocks of formatted lines. */
export function parseWhatsApp(text: string): Block[] {
  const blocks: Block[] = [];
  for (const line of splitLines(text)) {
    const block = lineBlock(line);
    const last = blocks[blocks.length - 1];
    if (block.kind === "bullets" && last?.kind === "bullets") last.items.push(...block.items);
    else if (block.kind === "numbered" && last?.kind === "numbered")
      last.items.push(...block.items);
    else if (block.kind === "quote" && last?.kind === "quote") last.lines.push(...block.lines);
    else blocks.push(block);
  }
  return blocks;
}

/**
 * Splits `text` into lines of atoms. Monospace (```…```) is found first, across
 * lines: its newlines stay inside the token instead of starting a new line.
 */
function splitLines(text: string): Atom[][] {
  const lines: Atom[][] = [[]];
  let at = 0;
  while (at < text.length) {
    if (text.startsWith("```", at)) {
      const close = text.indexOf("```", at + 3);
      if (close > at + 3) {
        lines[lines.length - 1].push({ kind: "mono", text: text.slice(at + 3, close) });
        at = close + 3;
        continue;
      }
    }
    const char = String.fromCodePoint(text.codePointAt(at)!);
    if (char === "\n") lines.push([]);
    else lines[lines.length - 1].push(char);
    at += char.length;
  }
  return lines.map(codeTokens);
}

/** Turns `` `…` `` runs of single characters into inline-code atoms. */
function codeTokens(line: Atom[]): Atom[] {
  const out: Atom[] = [];
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "`") {
      let close = i + 1;
      while (close < line.length && line[close] !== "`" && typeof line[close] === "string") close++;
      if (close < line.length && line[close] === "`" && close > i + 1) {
        out.push({ kind: "code", text: (line.slice(i + 1, close) as string[]).join("") });
        i = close;
        continue;
      }
    }
    out.push(line[i]);
  }
  return out;
}

function lineBlock(line: Atom[]): Block {
  const head = leadingText(line);
  const bullet = /^[-*] /.exec(head);
  if (bullet) return { kind: "bullets", items: [inline(line.slice(bullet[0].length))] };
  const numbered = /^(\d{1,9})\. /.exec(head);
  if (numbered) {
    return {
      kind: "numbered",
      items: [{ number: Number(numbered[1]), content: inline(line.slice(numbered[0].length)) }],
    };
  }
  const quote = /^> /.exec(head);
  if (quote) return { kind: "quote", lines: [inline(line.slice(quote[0].length))] };
  return { kind: "line", content: inline(line) };
}

/** The plain characters a line starts with, up to its first token. */
function leadingText(line: Atom[]): string {
  let head = "";
  for (const atom of line) {
    if (typeof atom !== "string") break;
    head += atom;
  }
  return head;
}

const MARKERS: Record<string, "bold" | "italic" | "strike"> = {
  "*": "bold",
  _: "italic",
  "~": "strike",
};

const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;

const isWordChar = (atom: Atom | undefined) => typeof atom === "string" && WORD.test(atom);
const isSpace = (atom: Atom | undefined) => typeof atom === "string" && SPACE.test(atom);

/** Parses bold, italic and strike runs (nested) in a line's atoms. */
function inline(atoms: Atom[]): Inline[] {
  const out: Inline[] = [];
  const pushText = (text: string) => {
    const last = out[out.length - 1];
    if (last?.kind === "text") last.text += text;
    else out.push({ kind: "text", text });
  };
  for (let i = 0; i < atoms.length; i++) {
    const atom = atoms[i];
    if (typeof atom !== "string") {
      out.push({ ...atom });
      continue;
    }
    const kind = MARKERS[atom];
    const close = kind ? closingMarker(atoms, i) : -1;
    if (kind && close > 0) {
      out.push({ kind, children: inline(atoms.slice(i + 1, close)) });
      i = close;
    } else {
      pushText(atom);
    }
  }
  return out;
}

/**
 * Where the marker at `open` closes, or -1. It opens at a word boundary before
 * text that does not start with a space; it closes at the nearest same marker
 * after text that does not end with a space, at a word boundary.
 */
function closingMarker(atoms: Atom[], open: number): number {
  const marker = atoms[open];
  if (isWordChar(atoms[open - 1])) return -1;
  const first = atoms[open + 1];
  if (first === undefined || first === marker || isSpace(first)) return -1;
  for (let close = open + 2; close < atoms.length; close++) {
    if (atoms[close] !== marker) continue;
    if (isSpace(atoms[close - 1]) || isWordChar(atoms[close + 1])) continue;
    return close;
  }
  return -1;
}

/** The text of inline tokens without their formatting (for tests and labels). */
export function plainText(tokens: Inline[]): string {
  return tokens
    .map((token) => ("children" in token ? plainText(token.children) : token.text))
    .join("");
}
