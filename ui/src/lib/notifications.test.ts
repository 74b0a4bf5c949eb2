// Which template changes become desktop notifications, in which words, and how
// the app shows them (through the backend's test double: no window).
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import type { Template, TemplateChange } from "./bindings";
import { useBackend } from "./backend";
import { createFakeBackend, type FakeBackend } from "./backend/fake";
import { templatesFake } from "./backend/fake-templates";
import { setLanguage } from "./i18n/index.svelte";
import { startTemplateNotifications, templateNotice } from "./notifications";

const change = (patch: Partial<TemplateChange>): TemplateChange => ({
  id: 1,
  name: "spring_sale",
  language: "ru",
  status: "APPROVED",
  previous_status: null,
  quality: "UNKNOWN",
  previous_quality: null,
  rejection_reason: null,
  rejection_detail: null,
  at: "2026-11-25T10:00:00.000Z",
  source: "webhook",
  ...patch,
});

const template = (name: string): Template => ({
  name,
  language: "en",
  category: "UTILITY",
  parameter_format: "POSITIONAL",
  header: null,
  body: "Hello {{1}}, your order is ready.",
  footer: null,
  buttons: [],
  body_examples: { "1": "Anna" },
});

/** A fake with `count` templates submitted (in review). */
async function submitted(count: number): Promise<FakeBackend> {
  const fake = createFakeBackend();
  for (let i = 1; i <= count; i++) {
    const { id } = await fake.createDraft(template(`order_${i}`));
    await fake.submitTemplate(id);
  }
  return fake;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => setLanguage("en"));

describe("templateNotice", () => {
  it("notifies the decisions and pauses a marketer must not miss", () => {
    const cases: [string, Partial<TemplateChange>, string, string][] = [
      [
        "approved",
        { previous_status: "PENDING", status: "APPROVED" },
        "Template approved",
        "“spring_sale” (ru) passed Meta's review and can be sent.",
      ],
      [
        "rejected, with Meta's reason",
        { previous_status: "PENDING", status: "REJECTED", rejection_reason: "PROMOTIONAL" },
        "Template rejected",
        "Meta rejected “spring_sale” (ru): PROMOTIONAL. Open it in Cadence to fix it and submit it again.",
      ],
      [
        "rejected, no reason given",
        { previous_status: "IN_APPEAL", status: "REJECTED" },
        "Template rejected",
        "Meta rejected “spring_sale” (ru). Open it in Cadence to fix it and submit it again.",
      ],
      [
        "paused with its quality: one notification, the pause",
        {
          previous_status: "APPROVED",
          status: "PAUSED",
          previous_quality: "YELLOW",
          quality: "RED",
        },
        "Template paused",
        "Meta paused “spring_sale” (ru) because its quality fell",
      ],
      [
        "disabled",
        { previous_status: "PAUSED", status: "DISABLED" },
        "Template disabled",
        "Meta disabled “spring_sale” (ru): it can no longer be sent.",
      ],
      [
        "quality fell from green",
        { previous_quality: "GREEN", quality: "YELLOW" },
        "Template quality fell",
        "Meta's quality rating of “spring_sale” (ru) is now yellow (was green).",
      ],
      [
        "first rating red: as bad as a fall",
        { previous_quality: "UNKNOWN", quality: "RED" },
        "Template quality fell",
        "is now red (was not rated)",
      ],
    ];
    for (const [why, patch, title, body] of cases) {
      const notice = templateNotice(change(patch));
      expect(notice?.title, why).toBe(title);
      expect(notice?.body, why).toContain(body);
    }
  });

  it("stays quiet about everything else", () => {
    const quiet: [string, Partial<TemplateChange>][] = [
      ["submitted", { previous_status: "DRAFT", status: "PENDING", source: "submission" }],
      ["deleted", { previous_status: "APPROVED", status: "DELETED", source: "deletion" }],
      ["flagged", { previous_status: "APPROVED", status: "FLAGGED" }],
      ["quality rose", { previous_quality: "YELLOW", quality: "GREEN" }],
      [
        "a new version starts unrated",
        { previous_quality: "RED", quality: "UNKNOWN", source: "submission" },
      ],
      ["a first score of green", { previous_quality: "UNKNOWN", quality: "GREEN" }],
      ["nothing moved that is worth it", { status: "APPROVED", previous_status: null }],
    ];
    for (const [why, patch] of quiet) {
      expect(templateNotice(change(patch)), why).toBeNull();
    }
  });

  it("speaks Russian when the interface does", () => {
    setLanguage("ru");
    const approved = templateNotice(change({ previous_status: "PENDING", status: "APPROVED" }));
    expect(approved).toEqual({
      title: "Шаблон одобрен",
      body: "«spring_sale» (ru) прошёл проверку Meta: его можно отправлять.",
    });
    const fell = templateNotice(change({ previous_quality: "GREEN", quality: "RED" }));
    expect(fell?.title).toBe("Качество шаблона снизилось");
    expect(fell?.body).toContain("теперь красное (было: зелёное)");
  });
});

describe("startTemplateNotifications", () => {
  let stop: (() => void) | undefined;
  afterEach(() => {
    stop?.();
    stop = undefined;
    vi.restoreAllMocks();
  });

  it("shows each change that deserves it, after a short batch, until stopped", async () => {
    const fake = await submitted(2);
    useBackend(fake);
    stop = startTemplateNotifications({ batchMs: 5 });
    await wait(0);
    const controls = templatesFake(fake);
    controls.review(1, "APPROVED", undefined, "GREEN");
    controls.review(2, "REJECTED", { reason: "INVALID_FORMAT", detail: null });
    expect(fake.notifications, "the batch waits for changes arriving together").toEqual([]);
    await wait(20);
    expect(fake.notifications.map((n) => n.title)).toEqual([
      "Template approved",
      "Template rejected",
    ]);
    expect(fake.notifications[1].body).toContain("INVALID_FORMAT");

    stop();
    stop = undefined;
    controls.review(1, "PAUSED", undefined, "RED");
    await wait(20);
    expect(fake.notifications, "none once stopped").toHaveLength(2);
  });

  it("sums up many changes at once in one notification", async () => {
    const fake = await submitted(5);
    useBackend(fake);
    stop = startTemplateNotifications({ batchMs: 5 });
    await wait(0);
    for (let id = 1; id <= 5; id++) templatesFake(fake).review(id, "APPROVED");
    await wait(20);
    expect(fake.notifications).toEqual([
      {
        title: "Templates changed",
        body: "5 templates changed status or quality: see Templates in Cadence.",
      },
    ]);
  });

  it("goes on quietly when the desktop refuses notifications", async () => {
    const fake = await submitted(2);
    fake.failing.notify = { code: "internal", message: "notifications are not allowed" };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    useBackend(fake);
    stop = startTemplateNotifications({ batchMs: 5 });
    await wait(0);
    templatesFake(fake).review(1, "APPROVED");
    await wait(20);
    templatesFake(fake).review(2, "APPROVED");
    await wait(20);
    expect(warn, "said once in the log, not per change").toHaveBeenCalledTimes(1);
    delete fake.failing.notify;
    templatesFake(fake).review(1, "PAUSED");
    await wait(20);
    expect(fake.notifications.map((n) => n.title)).toEqual(["Template paused"]);
  });

  it("runs from the moment the app starts", async () => {
    const fake = await submitted(1);
    useBackend(fake);
    const target = document.createElement("div");
    document.body.append(target);
    const app = mount(App, { target });
    try {
      await wait(0);
      flushSync();
      templatesFake(fake).review(1, "APPROVED");
      // The app's batch is a second long.
      await wait(1100);
      expect(fake.notifications.map((n) => n.title)).toEqual(["Template approved"]);
    } finally {
      unmount(app);
      target.remove();
    }
  });
});
