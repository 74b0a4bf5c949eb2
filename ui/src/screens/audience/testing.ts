// Helpers shared by the Audience screen's tests (jsdom, the fake backend).
import { flushSync } from "svelte";

/** Lets the backend's promises resolve, then Svelte apply the updates. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
}

/** Waits until `condition` holds (or fails the test after `timeoutMs`). */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 3000,
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    flushSync();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A gate a test opens by hand: an import or export waits at it between batches. */
export function manualGate(): {
  gate: () => Promise<void>;
  /** Lets the job through the next `times` batches. */
  release: (times?: number) => void;
  /** Lets the job run to its end. */
  open: () => void;
  waiting: () => number;
} {
  const waiters: (() => void)[] = [];
  let opened = false;
  return {
    gate: () => (opened ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    release: (times = 1) => {
      for (let i = 0; i < times; i++) waiters.shift()?.();
    },
    open: () => {
      opened = true;
      waiters.splice(0).forEach((r) => r());
    },
    waiting: () => waiters.length,
  };
}

/** A query helper over a mounted tree's data-testid attributes. */
export function finder(root: () => HTMLElement) {
  const $ = <T extends Element = HTMLElement>(testid: string) =>
    root().querySelector<T & Element>(`[data-testid="${testid}"]`) as T | null;
  const $$ = (selector: string) => [...root().querySelectorAll<HTMLElement>(selector)];
  const click = async (testid: string) => {
    const element = $(testid);
    if (!element) throw new Error(`no element with data-testid="${testid}"`);
    (element as unknown as HTMLElement).click();
    await settle();
  };
  const type = (testid: string, value: string) => {
    const input = $<HTMLInputElement>(testid);
    if (!input) throw new Error(`no input with data-testid="${testid}"`);
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const choose = (testid: string, value: string) => {
    const select = $<HTMLSelectElement>(testid);
    if (!select) throw new Error(`no select with data-testid="${testid}"`);
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  };
  return { $, $$, click, type, choose };
}

/** `text` in a single-byte code page (windows-1251, koi8-r), as a Russian Excel or 1C writes it. */
export function encodeSingleByte(text: string, encoding: "windows-1251" | "koi8-r"): Uint8Array {
  const decoder = new TextDecoder(encoding);
  const byChar = new Map<string, number>();
  for (let byte = 0; byte < 256; byte++) {
    byChar.set(decoder.decode(new Uint8Array([byte])), byte);
  }
  return Uint8Array.from([...text], (ch) => {
    const byte = byChar.get(ch);
    if (byte === undefined) throw new Error(`${ch} is not in ${encoding}`);
    return byte;
  });
}

/** `text` as UTF-16 LE with its byte order mark (Excel's "Unicode text"). */
export function encodeUtf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes[0] = 0xff;
  bytes[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes[2 + i * 2] = code & 0xff;
    bytes[3 + i * 2] = code >> 8;
  }
  return bytes;
}
