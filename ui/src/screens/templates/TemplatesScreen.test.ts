// The Templates screen against the backend's test double: no window needed.
// The debounce delays are shortened (save 30 ms, lint 5 ms) so tests wait on
// real timers briefly instead of faking Svelte's scheduling.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Template } from "../../lib/backend";
import { useBackend } from "../../lib/backend";
import { createFakeBackend, type FakeBackend } from "../../lib/backend/fake";
import { audienceFake } from "../../lib/backend/fake-audience";
import { templatesFake } from "../../lib/backend/fake-templates";
import { setLanguage } from "../../lib/i18n/index.svelte";
import TemplatesScreen from "./TemplatesScreen.svelte";
import { blankTemplate } from "./template-edit";

const SAVE_DELAY = 30;
const LINT_DELAY = 5;

let target: HTMLElement;
let screen: ReturnType<typeof mount> | undefined;

const $ = <E extends Element = HTMLElement>(testid: string) =>
  target.querySelector<E>(`[data-testid="${testid}"]`);
const $$ = <E extends Element = HTMLElement>(testid: string) => [
  ...target.querySelectorAll<E>(`[data-testid="${testid}"]`),
];

async function wait(ms = 0) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  flushSync();
}

/** Lets the backend's promises resolve and Svelte apply what follows. */
async function settle() {
  for (let i = 0; i < 4; i++) await wait(0);
}

/** Waits past the save and lint debounces and what they trigger. */
async function idle() {
  await wait(SAVE_DELAY + LINT_DELAY + 10);
  await settle();
  // On a loaded machine the editor may mount (and schedule its first lint) after
  // the wait above began: wait for the check to finish, up to a second.
  for (let i = 0; i < 100 && $("findings")?.getAttribute("aria-busy") === "true"; i++) {
    await wait(10);
  }
  await settle();
}

function start(fake: FakeBackend, mode: "sandbox" | "live" = "sandbox") {
  useBackend(fake);
  screen = mount(TemplatesScreen, {
    target,
    props: { mode, saveDelay: SAVE_DELAY, lintDelay: LINT_DELAY },
  });
}

function type(testid: string, value: string) {
  const field = $<HTMLInputElement | HTMLTextAreaElement>(testid);
  if (!field) throw new Error(`no field ${testid}`);
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function choose(testid: string, value: string) {
  const select = $<HTMLSelectElement>(testid);
  if (!select) throw new Error(`no select ${testid}`);
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

async function click(element: Element | null | undefined) {
  if (!element) throw new Error("nothing to click");
  (element as HTMLElement).click();
  await settle();
}

const findingRules = () => $$("finding").map((li) => li.dataset.rule);

/** A fake holding `templates` as drafts (the first one opens). */
async function fakeWith(...templates: Partial<Template>[]) {
  const fake = createFakeBackend();
  for (const [i, patch] of templates.entries()) {
    await fake.createDraft({ ...blankTemplate(`template_${i + 1}`, "en"), ...patch });
  }
  return fake;
}

beforeEach(() => {
  setLanguage("en");
  target = document.createElement("div");
  document.body.append(target);
});

afterEach(() => {
  if (screen) unmount(screen);
  screen = undefined;
  target.remove();
});

describe("the list", () => {
  it("shows loading, then the empty state with one button that starts a draft", async () => {
    const fake = createFakeBackend();
    start(fake);
    expect($("templates-loading")?.textContent).toContain("Loading templates");
    await settle();
    const empty = $("templates-empty");
    expect(empty?.textContent).toContain("No templates yet");
    expect(empty?.querySelectorAll("button"), "one thing to do first").toHaveLength(1);

    await click($("template-new"));
    await idle();
    expect(templatesFake(fake).templates.size, "the draft is stored at once").toBe(1);
    expect($("editor-name")?.textContent).toBe("new_template");
    expect(document.activeElement, "the name is ready to type over").toBe($("field-name"));
    expect($$("template-row")).toHaveLength(1);
  });

  it("shows a load failure by its code, and retries", async () => {
    const fake = createFakeBackend({ osLanguage: "ru" });
    setLanguage("ru");
    fake.failing.listTemplates = { code: "storage", message: "database is locked" };
    start(fake);
    await settle();
    expect($("error-panel")?.textContent).toContain("database is locked");
    expect($("error-panel")?.textContent).toContain("Не удалось открыть базу данных");
    delete fake.failing.listTemplates;
    await click($("error-panel")?.querySelector("button"));
    expect($("templates-empty")?.textContent).toContain("Шаблонов пока нет");
  });

  it("filters by language, category and status, and hides archived templates", async () => {
    const fake = await fakeWith(
      { language: "ru", category: "MARKETING" },
      { language: "en", category: "UTILITY" },
      { language: "en", category: "MARKETING" },
    );
    start(fake);
    await settle();
    const names = () => $$("template-row").map((row) => row.querySelector(".name")?.textContent);
    expect(names()).toEqual(["template_3", "template_2", "template_1"]);

    choose("filter-language", "en");
    expect(names()).toEqual(["template_3", "template_2"]);
    choose("filter-category", "UTILITY");
    expect(names()).toEqual(["template_2"]);
    choose("filter-status", "APPROVED");
    expect(names()).toEqual([]);
    expect(target.textContent).toContain("No template matches these filters.");
    await click(
      [...target.querySelectorAll("button")].find((b) => b.textContent === "Clear filters"),
    );
    expect(names()).toHaveLength(3);

    await click($$("template-row")[1]);
    await click($("template-archive"));
    expect(names(), "archived templates leave the list").toEqual(["template_3", "template_1"]);
    $<HTMLInputElement>("filter-archived")!.click();
    flushSync();
    expect(names()).toContain("template_2");
    expect($$("template-row")[1].textContent).toContain("Archived");
  });

  it("deletes only after a confirmation", async () => {
    const fake = await fakeWith({}, {});
    start(fake);
    await settle();
    await click($("template-delete"));
    expect($("delete-confirm")?.textContent).toContain("Delete “template_2”?");
    expect(document.activeElement, "the safe answer has the focus").toBe($("delete-no"));
    await click($("delete-no"));
    expect(templatesFake(fake).templates.size).toBe(2);

    await click($("template-delete"));
    await click($("delete-yes"));
    expect(templatesFake(fake).templates.size).toBe(1);
    expect($$("template-row")).toHaveLength(1);
    expect($("templates-pick")?.textContent).toContain("Choose a template");
  });

  it("duplicates a template into a new draft and opens it", async () => {
    const fake = await fakeWith({ body: "Hello there" });
    start(fake);
    await settle();
    await click($("template-duplicate"));
    await idle();
    expect($("editor-name")?.textContent).toBe("template_1_copy");
    expect($<HTMLTextAreaElement>("field-body")?.value).toBe("Hello there");
    expect($$("template-row")).toHaveLength(2);
  });
});

describe("the editor", () => {
  it("saves as you type, once the typing pauses", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    type("field-body", "H");
    type("field-body", "Hi");
    type("field-body", "Hi there");
    expect($("save-state")?.textContent?.trim()).toBe("Unsaved changes");
    await idle();
    const saves = templatesFake(fake).saves;
    expect(
      saves.map((s) => s.body),
      "one save for the burst, with the last text",
    ).toEqual(["Hi there"]);
    expect($("save-state")?.textContent?.trim()).toBe("Saved");
  });

  it("saves what was typed when another template is opened before the pause", async () => {
    const fake = await fakeWith({}, {});
    start(fake);
    await idle();
    type("field-body", "typed just now");
    await click($$("template-row")[1]);
    await idle();
    expect(templatesFake(fake).templates.get(2)?.template.body).toBe("typed just now");
  });

  it("keeps the text on screen and says why when a save fails", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    fake.failing.saveDraft = { code: "storage", message: "disk I/O error" };
    type("field-body", "precious words");
    await idle();
    expect($("save-state")?.textContent).toContain("Not saved: disk I/O error");
    expect($<HTMLTextAreaElement>("field-body")?.value).toBe("precious words");
    expect($("submit-why")?.textContent).toContain("not saved");
    delete fake.failing.saveDraft;
    await click([...target.querySelectorAll("button")].find((b) => b.textContent === "Save again"));
    await settle();
    expect($("save-state")?.textContent?.trim()).toBe("Saved");
    expect(templatesFake(fake).templates.get(1)?.template.body).toBe("precious words");
  });

  it("lists a field for the example of each variable in the text", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    type("field-body", "Hi {{1}}, your code {{2}} expires {{1}}");
    const examples = $("examples")!;
    expect([...examples.querySelectorAll("input")].map((i) => i.dataset.field)).toEqual([
      "body_example:1",
      "body_example:2",
    ]);
    type("field-body_example:1", "Anna");
    await idle();
    expect(templatesFake(fake).templates.get(1)?.template.body_examples).toEqual({ "1": "Anna" });
  });

  it("lints as you type: findings listed errors first and underlined in the text", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    // Three emoji, one past the default limit of two.
    type("field-body", "{{1}}, we saved your cart 🎉🎉🎉");
    type("field-body_example:1", "Anna");
    await idle();
    expect(findingRules()).toEqual(["body-variable-at-start", "emoji-count", "opt-out-missing"]);
    expect($("findings-summary")?.textContent).toBe("Errors: 1 · Warnings: 2 · Notes: 0");
    const marks = [...target.querySelectorAll(".mirror .mark")].map((m) => [
      m.className.includes("error") ? "error" : "warning",
      m.textContent,
    ]);
    expect(marks).toEqual([
      ["error", "{{1}}"],
      ["warning", "🎉"],
    ]);
    expect(
      target.querySelector('[data-testid="field-body"]')?.closest(".box")?.querySelector(".mirror")
        ?.textContent,
      "the mirror holds the same text, so the marks sit under it",
    ).toBe("{{1}}, we saved your cart 🎉🎉🎉\u200b");
  });

  it("shows only the latest text's findings when an older lint answers last", async () => {
    const fake = await fakeWith({});
    const controls = templatesFake(fake);
    // The first text's lint is slow: its answer arrives after the second's.
    controls.lintDelay = (template) => (template.body.startsWith("{{1}}") ? 80 : 0);
    start(fake);
    await idle();
    type("field-body", "{{1}} first");
    await wait(LINT_DELAY + 5);
    type("field-body", "Hello {{1}}, second");
    await wait(150);
    await settle();
    expect(findingRules(), "the slow, older answer is dropped").not.toContain(
      "body-variable-at-start",
    );
  });

  it("selects a finding's span when it is clicked, counting emoji as one character", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    type("field-body", "🎉🎉🎉🎉 Hello, I recieve");
    await idle();
    const spelling = $$("finding").find((li) => li.dataset.rule === "spelling")!;
    await click(spelling.querySelector("button.main"));
    const body = $<HTMLTextAreaElement>("field-body")!;
    expect(document.activeElement).toBe(body);
    expect(body.value.slice(body.selectionStart, body.selectionEnd)).toBe("recieve");
  });

  it("applies a quick fix, lints again and lets the template be submitted", async () => {
    const fake = await fakeWith({ buttons: [{ kind: "quick_reply", text: "Stop promotions" }] });
    start(fake);
    await idle();
    type("field-body", "{{1}}, your order is ready");
    type("field-body_example:1", "Anna");
    await idle();
    const submit = $<HTMLButtonElement>("submit")!;
    expect(submit.disabled, "an error blocks submission").toBe(true);
    expect($("submit-why")?.textContent).toContain("Errors left to fix: 1");

    await click($$("finding")[0].querySelector('[data-testid="finding-fix"]'));
    expect($<HTMLTextAreaElement>("field-body")?.value).toBe("Hello, {{1}}, your order is ready");
    await idle();
    expect(findingRules()).toEqual([]);
    expect(submit.disabled).toBe(false);
    expect(submit.textContent?.trim()).toBe("Submit to the sandbox");
    expect($("phone-body")?.textContent, "the preview follows").toBe(
      "Hello, Anna, your order is ready",
    );
  });

  it("adds a word to the team dictionary from a spelling finding", async () => {
    const fake = await fakeWith({ buttons: [{ kind: "quick_reply", text: "Stop promotions" }] });
    start(fake);
    await idle();
    type("field-body", "You will recieve it");
    await idle();
    const labels = $$("finding-fix").map((b) => b.textContent);
    expect(labels).toEqual([
      'Replace with "receive"',
      'Replace with "relieve"',
      'Add "recieve" to the team dictionary',
    ]);
    await click($$("finding-fix")[2]);
    await idle();
    expect(templatesFake(fake).settings.team_dictionary).toEqual(["recieve"]);
    expect(findingRules()).toEqual([]);
    expect($<HTMLTextAreaElement>("field-body")?.value, "the text is untouched").toBe(
      "You will recieve it",
    );
  });

  it("adds the opt-out button in the template's language from its finding", async () => {
    const fake = await fakeWith({ language: "ru", body: "Здравствуйте!" });
    start(fake);
    await idle();
    expect(findingRules()).toEqual(["opt-out-missing"]);
    await click($("finding-fix"));
    await idle();
    expect($$("phone-button").map((b) => b.textContent?.trim())).toEqual(["↩ Отписаться"]);
    expect(findingRules()).toEqual([]);
  });

  it("offers the ready opt-out reply among the buttons, keeping quick replies together", async () => {
    const fake = await fakeWith({ language: "en", body: "Hello" });
    start(fake);
    await idle();
    choose("button-add", "opt_out");
    choose("button-add", "url");
    choose("button-add", "quick_reply");
    expect($<HTMLInputElement>("field-button_text:0")?.value).toBe("Stop promotions");
    expect($<HTMLInputElement>("field-button_text:1")?.value, "the new reply joins the other").toBe(
      "",
    );
    expect($<HTMLInputElement>("field-button_url:2")?.value).toBe("https://");
    type("field-button_text:1", "Tell me more");
    await idle();
    expect(templatesFake(fake).templates.get(1)?.template.buttons).toEqual([
      { kind: "quick_reply", text: "Stop promotions" },
      { kind: "quick_reply", text: "Tell me more" },
      { kind: "url", text: "", url: "https://", example: null },
    ]);
  });

  it("picks an example file for a media header and shows its name", async () => {
    const fake = await fakeWith({ body: "Hello" });
    start(fake);
    await idle();
    choose("field-header-kind", "IMAGE");
    fake.dialogAnswer = "/home/anna/Pictures/spring sale.png";
    await click($("media-pick"));
    expect($("media-file")?.textContent).toBe("spring sale.png");
    expect($("phone-header")?.textContent).toContain("spring sale.png");
    expect($("phone-header")?.textContent).toContain("Image");
    await idle();
    expect(templatesFake(fake).templates.get(1)?.template.header).toEqual({
      kind: "media",
      media: "IMAGE",
      example_file: "/home/anna/Pictures/spring sale.png",
      example_handle: null,
    });
  });

  it("counts characters against Meta's limits and turns the counter red past one", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    choose("field-header-kind", "text");
    type("field-header_text", "x".repeat(63));
    const counter = $("template-header-text-counter")!;
    expect(counter.textContent?.trim()).toBe("63 / 60 · 3 too many");
    expect(counter.classList.contains("over")).toBe(true);
    expect($("limit-header")?.textContent?.trim()).toBe("63 / 60 · 3 too many");
    type("field-body", "👋".repeat(10));
    expect($("template-body-counter")?.textContent?.trim(), "an emoji is one character").toBe(
      "10 / 1024",
    );
  });
});

describe("the phone preview", () => {
  it("renders WhatsApp formatting with the examples filled in, never markup", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    type("field-body", "Hi *{{1}}*, _new_ <b>arrivals</b>\n- shoes\n- bags");
    type("field-body_example:1", "Anna");
    type("field-footer", "Reply STOP to opt out");
    flushSync();
    const body = $("phone-body")!;
    expect(body.querySelector("strong")?.textContent).toBe("Anna");
    expect(body.querySelector("em")?.textContent).toBe("new");
    expect(body.querySelector("b"), "the template's markup is text").toBeNull();
    expect(body.textContent).toContain("<b>arrivals</b>");
    expect([...body.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["shoes", "bags"]);
    expect($("phone-footer")?.textContent).toBe("Reply STOP to opt out");
  });

  it("folds a long body behind Read more, which expands it", async () => {
    const fake = await fakeWith({});
    start(fake);
    await idle();
    type("field-body", "line\n".repeat(8) + "end");
    expect($("phone-body")?.classList.contains("folded")).toBe(true);
    await click($("phone-read-more"));
    expect($("phone-body")?.classList.contains("folded")).toBe(false);
    expect($("phone-read-more")).toBeNull();
  });

  it("switches between light and dark phone themes", async () => {
    const fake = await fakeWith({ body: "Hello" });
    start(fake);
    await idle();
    expect($("phone")?.classList.contains("dark")).toBe(false);
    $<HTMLInputElement>("preview-dark")!.click();
    flushSync();
    expect($("phone")?.classList.contains("dark")).toBe(true);
  });

  it("shows the phone's own words in the template's language", async () => {
    const fake = await fakeWith({
      language: "ru",
      body: "Привет",
      buttons: [{ kind: "copy_code", example: "SALE10" }],
    });
    start(fake);
    await idle();
    expect($$("phone-button").map((b) => b.textContent?.trim())).toEqual(["⧉ Копировать код"]);
  });
});

describe("submission and status", () => {
  it("submits, then shows the status as Meta reports it, read-only", async () => {
    const fake = await fakeWith({
      body: "Hello {{1}}, your order is ready",
      body_examples: { "1": "Anna" },
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    start(fake, "live");
    await idle();
    expect($("submit")?.textContent?.trim()).toBe("Submit to Meta");
    await click($("submit"));
    await settle();
    expect($("status-chip")?.textContent).toBe("In review");
    expect($("readonly-banner")?.textContent).toContain("Version 1 was submitted");
    expect($("submit"), "a submitted template has no submit button").toBeNull();
    expect($<HTMLTextAreaElement>("field-body")?.readOnly).toBe(true);

    templatesFake(fake).review(1, "REJECTED", {
      reason: "INVALID_FORMAT",
      detail: "The body starts with a variable.",
    });
    flushSync();
    const row = $$("template-row")[0];
    expect(row.textContent).toContain("Rejected");
    expect(row.textContent).toContain("Meta's reason: INVALID_FORMAT");
    expect($("rejection-reason")?.textContent).toContain("INVALID_FORMAT");
    expect($("rejection-detail")?.textContent).toBe("The body starts with a variable.");
    expect($("status-announcement")?.textContent).toContain("“template_1” is now: Rejected");

    templatesFake(fake).review(1, "APPROVED", undefined, "GREEN");
    flushSync();
    expect($$("status-chip")[0].textContent).toBe("Approved");
    expect($$("quality-chip")[0].textContent).toBe("Quality: green");
  });

  it("edits a submitted template as a new draft", async () => {
    const fake = await fakeWith({
      body: "Hello {{1}}",
      body_examples: { "1": "Anna" },
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    start(fake);
    await idle();
    await click($("submit"));
    await click($("edit-as-new"));
    await idle();
    expect($("editor-name")?.textContent).toBe("template_1_copy");
    expect($<HTMLTextAreaElement>("field-body")?.readOnly).toBe(false);
    expect($("status-chip")?.textContent).toBe("Draft");
  });

  it("fixes a rejected template's draft and submits it again as version 2", async () => {
    const fake = await fakeWith({
      body: "Hello {{1}}, your order is ready",
      body_examples: { "1": "Anna" },
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    start(fake);
    await idle();
    await click($("submit"));
    templatesFake(fake).review(1, "REJECTED", { reason: "PROMOTIONAL", detail: null });
    flushSync();
    expect($("edit-draft"), "a rejected template can be fixed and sent again").not.toBeNull();

    await click($("edit-draft"));
    await idle();
    expect($("editing-draft")?.textContent).toContain("as version 2");
    type("field-body", "Hello {{1}}, your order no. 5 is ready");
    await idle();
    const stored = templatesFake(fake).templates.get(1)!;
    expect(stored.template.body, "the draft is saved").toBe(
      "Hello {{1}}, your order no. 5 is ready",
    );
    expect(stored.submitted_versions[0].template.body, "version 1 stays as reviewed").toBe(
      "Hello {{1}}, your order is ready",
    );

    await click($("submit"));
    expect(stored.submitted_versions).toHaveLength(2);
    expect($("status-chip")?.textContent).toBe("In review");
    expect($("edit-draft"), "nothing to edit while Meta reviews").toBeNull();
    expect($<HTMLTextAreaElement>("field-body")?.readOnly).toBe(true);
  });

  it("opens a submitted template on the version Meta reviewed", async () => {
    const fake = await fakeWith({
      body: "Reviewed text",
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    const stored = templatesFake(fake).templates.get(1)!;
    await fake.submitTemplate(1);
    templatesFake(fake).review(1, "APPROVED", undefined, "GREEN");
    // The draft moved on elsewhere (another window, the CLI) and was not submitted.
    stored.template = { ...stored.template, body: "Newer draft" };
    start(fake);
    await idle();
    expect($("editing-draft"), "unsubmitted changes open in the draft").not.toBeNull();
    expect($<HTMLTextAreaElement>("field-body")?.value).toBe("Newer draft");

    stored.template = { ...stored.template, body: "Reviewed text" };
    await click($("template-new"));
    await click($$("template-row").find((row) => row.dataset.id === "1"));
    await idle();
    expect($("editing-draft")).toBeNull();
    expect($<HTMLTextAreaElement>("field-body")?.value).toBe("Reviewed text");
    expect($<HTMLTextAreaElement>("field-body")?.readOnly).toBe(true);
  });

  it("shows the backend's refusal when a submission fails", async () => {
    const fake = await fakeWith({
      body: "Hello",
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    start(fake);
    await idle();
    fake.failing.submitTemplate = {
      code: "meta_api",
      message: "Template name already exists (code 2388023)",
    };
    await click($("submit"));
    expect($("error-panel")?.textContent).toContain("code 2388023");
    expect($("status-chip")?.textContent).toBe("Draft");
  });

  it("asks for a new name to send a new version of an approved template", async () => {
    const fake = await fakeWith({
      body: "Hello {{1}}, your order is ready",
      body_examples: { "1": "Anna" },
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    start(fake);
    await idle();
    await click($("submit"));
    templatesFake(fake).review(1, "APPROVED", undefined, "GREEN");
    flushSync();
    await click($("edit-draft"));
    await idle();
    type("field-body", "Hello {{1}}, your order no. 5 is ready");
    await idle();
    await click($("submit"));
    expect($("error-panel")?.textContent, "Meta keeps one template per name").toContain(
      "rename the draft (for example template_1_v2)",
    );

    type("field-name", "template_1_v2");
    await idle();
    await click($("submit"));
    expect($("status-chip")?.textContent).toBe("In review");
    expect(templatesFake(fake).templates.get(1)?.submitted_versions).toHaveLength(2);
  });

  it("edits the draft as the submission left it (the uploaded header example kept)", async () => {
    const fake = await fakeWith({
      header: {
        kind: "media",
        media: "IMAGE",
        example_file: "/tmp/sale.png",
        example_handle: null,
      },
      body: "Hello {{1}}, your order is ready",
      body_examples: { "1": "Anna" },
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    start(fake);
    await idle();
    await click($("submit"));
    templatesFake(fake).review(1, "REJECTED", { reason: "INVALID_FORMAT", detail: null });
    flushSync();
    await click($("edit-draft"));
    type("field-body", "Hello {{1}}, your order no. 5 is ready");
    await idle();
    const header = templatesFake(fake).templates.get(1)?.template.header;
    expect(header?.kind === "media" && header.example_handle, "not uploaded twice").toBeTruthy();
  });

  it("announces a change of quality alone", async () => {
    const fake = await fakeWith({
      body: "Hello",
      buttons: [{ kind: "quick_reply", text: "Stop promotions" }],
    });
    start(fake);
    await idle();
    await click($("submit"));
    templatesFake(fake).review(1, "APPROVED", undefined, "GREEN");
    templatesFake(fake).review(1, "APPROVED", undefined, "YELLOW");
    flushSync();
    expect($("status-announcement")?.textContent?.trim()).toBe("“template_1”: Quality: yellow");
    expect($$("quality-chip")[0].textContent).toBe("Quality: yellow");
  });

  it("drops a template deleted elsewhere (another window, the CLI)", async () => {
    const fake = await fakeWith(
      { body: "Hello", buttons: [{ kind: "quick_reply", text: "Stop promotions" }] },
      { body: "Other" },
    );
    await fake.submitTemplate(1);
    start(fake);
    await settle();
    await click($$("template-row").find((row) => row.dataset.id === "1"));
    await idle();
    await fake.deleteTemplate(1);
    flushSync();
    expect($$("template-row").map((row) => row.dataset.id)).toEqual(["2"]);
    expect($("templates-pick"), "the open template is closed").not.toBeNull();
  });
});

describe("languages", () => {
  it("shows the screen in Russian, findings included", async () => {
    setLanguage("ru");
    const fake = await fakeWith({ language: "ru" });
    start(fake);
    await idle();
    type("field-body", "{{1}}, ваш заказ готов");
    await idle();
    expect($("screen-title")?.textContent).toBe("Шаблоны");
    expect($("findings")?.textContent).toContain("Текст начинается с переменной");
    expect($("submit-why")?.textContent).toContain("Осталось исправить ошибок: 1");
    expect($("submit")?.textContent?.trim()).toBe("Отправить в песочницу");
  });
});

describe("the preview with a contact", () => {
  it("fills named variables from the contact the author picks", async () => {
    const fake = await fakeWith({
      parameter_format: "NAMED",
      body: "Hello {{first_name}}, your order to {{city}} is ready. Code {{code}}.",
      body_examples: { first_name: "Olga", city: "Kazan", code: "A1" },
    });
    audienceFake(fake).generate(30);
    start(fake);
    await settle();
    expect($("phone-body")?.textContent).toContain("Hello Olga, your order to Kazan");
    choose("preview-fill", "contact");
    await wait(300);
    await settle();
    const picker = $<HTMLSelectElement>("preview-contact")!;
    expect(picker.options.length, "the first contacts are offered").toBeGreaterThan(1);
    const first = (await fake.contactsPage({ limit: 1 })).rows[0];
    expect(
      $("phone-body")?.textContent,
      "the picked contact's first name replaces the example",
    ).toContain(`Hello ${first.first_name},`);
    expect(
      $("preview-fallbacks")?.textContent,
      "a variable the contact has no value for keeps its example, and says so",
    ).toContain("{{code}}");
  });
});
