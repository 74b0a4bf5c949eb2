// The fake templates backend behaves like cadence-engine's TemplateStudio (read
// src-tauri/engine/src/templates/mod.rs beside these): the screen's tests are
// only worth what the fake's likeness is.
import { describe, expect, it } from "vitest";
import type { Template, TemplateChange } from "../bindings";
import { createFakeBackend, type FakeBackend } from "./fake";
import { templatesFake } from "./fake-templates";
import { BackendError } from "./index";

/** A utility template with no finding (utility: no opt-out rule applies). */
const draft = (patch: Partial<Template> = {}): Template => ({
  name: "order_ready",
  language: "en",
  category: "UTILITY",
  parameter_format: "POSITIONAL",
  header: null,
  body: "Hello {{1}}, your order is ready.",
  footer: null,
  buttons: [],
  body_examples: { "1": "Anna" },
  ...patch,
});

/** The BackendError `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    expect(error, "refusals are BackendErrors with a code").toBeInstanceOf(BackendError);
    return error as BackendError;
  }
  throw new Error("expected a refusal, got an answer");
}

/** The changes the fake announces from now on. */
async function listen(fake: FakeBackend): Promise<TemplateChange[]> {
  const heard: TemplateChange[] = [];
  await fake.onTemplateChanged((change) => heard.push(change));
  return heard;
}

describe("the fake templates backend, like the engine", () => {
  it("lists every template for a null filter and applies each given field", async () => {
    const fake = createFakeBackend();
    const a = await fake.createDraft(draft({ name: "spring_sale", category: "MARKETING" }));
    const b = await fake.createDraft(draft({ name: "order_ready", language: "ru" }));
    await fake.setArchived(a.id, true);

    const names = (list: { name: string }[]) => list.map((x) => x.name);
    expect(names(await fake.listTemplates(null)), "null: all, newest edit first").toEqual([
      "order_ready",
      "spring_sale",
    ]);
    expect(names(await fake.listTemplates({ archived: false }))).toEqual(["order_ready"]);
    expect(names(await fake.listTemplates({ archived: true }))).toEqual(["spring_sale"]);
    expect(names(await fake.listTemplates({ language: "ru" }))).toEqual(["order_ready"]);
    expect(
      names(await fake.listTemplates({ name_contains: "SALE" })),
      "a part of the name, any case",
    ).toEqual(["spring_sale"]);
    expect(
      names(await fake.listTemplates({ name_contains: "_" })),
      "`_` is a plain character, not a wildcard",
    ).toHaveLength(2);
    const [row] = await fake.listTemplates({ language: "ru" });
    expect(row.id).toBe(b.id);
  });

  it("refuses a new draft whose name another template has in the same language", async () => {
    const fake = createFakeBackend();
    await fake.createDraft(draft());
    const error = await refusal(fake.createDraft(draft()));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain('another template already uses the name "order_ready" in "en"');
    await expect(
      fake.createDraft(draft({ language: "ru" })),
      "Meta keeps one per name and language: another language is free",
    ).resolves.toMatchObject({ name: "order_ready", language: "ru", status: "DRAFT" });
  });

  it("names copies <name>_copy, then the first free <name>_copy_N", async () => {
    const fake = createFakeBackend();
    const source = await fake.createDraft(draft({ name: "offer" }));
    const first = await fake.duplicateTemplate(source.id);
    const second = await fake.duplicateTemplate(source.id);
    await fake.createDraft(draft({ name: "offer_copy_4" }));
    await fake.deleteTemplate(second.id);
    await fake.createDraft(draft({ name: "offer_copy_3" }));
    const third = await fake.duplicateTemplate(source.id);
    expect([first.name, second.name, third.name]).toEqual([
      "offer_copy",
      "offer_copy_2",
      "offer_copy_2",
    ]);
    expect(third.template.body, "a copy has the same content").toBe(source.template.body);
    expect(third.status).toBe("DRAFT");
  });

  it("submits a version: PENDING, not rated, in the histories, announced", async () => {
    const fake = createFakeBackend();
    const heard = await listen(fake);
    const { id } = await fake.createDraft(draft());
    const stored = await fake.submitTemplate(id);

    expect(stored).toMatchObject({
      status: "PENDING",
      quality: "UNKNOWN",
      versions: 1,
      unsubmitted_changes: false,
    });
    expect(stored.submitted_versions.map((v) => v.version)).toEqual([1]);
    expect(stored.submitted_at).toBe(stored.submitted_versions[0].submitted_at);
    expect(stored.status_history.map((c) => [c.from, c.to, c.source])).toEqual([
      ["DRAFT", "PENDING", "submission"],
    ]);
    expect(stored.quality_history.map((c) => [c.from, c.to])).toEqual([[null, "UNKNOWN"]]);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      id,
      status: "PENDING",
      previous_status: "DRAFT",
      quality: "UNKNOWN",
      previous_quality: null,
      source: "submission",
    });
  });

  it("refuses a submission in review, an unchanged one, and one with an error left", async () => {
    const fake = createFakeBackend();
    const { id } = await fake.createDraft(draft());
    await fake.submitTemplate(id);
    expect((await refusal(fake.submitTemplate(id))).message).toBe(
      `the template "order_ready" is in Meta's review: wait for Meta's decision before submitting it again`,
    );

    templatesFake(fake).review(id, "APPROVED", undefined, "GREEN");
    expect((await refusal(fake.submitTemplate(id))).message).toBe(
      "this version is already submitted (APPROVED): edit the draft to submit a new version",
    );

    // The refusal's findings are worded in the interface language.
    await fake.setLanguage("ru");
    await fake.saveDraft(id, draft({ body: "{{1}}, your order is ready." }));
    const errors = await refusal(fake.submitTemplate(id));
    expect(errors.code).toBe("invalid_input");
    expect(errors.message).toBe(
      "the template cannot be submitted while the linter finds 1 error(s): fix them first\n" +
        "body 0-5: Текст начинается с переменной: Meta его отклонит. (body-variable-at-start)",
    );
  });

  it("asks for a new name to submit a new version of an approved template", async () => {
    const fake = createFakeBackend();
    const { id } = await fake.createDraft(draft());
    await fake.submitTemplate(id);
    templatesFake(fake).review(id, "APPROVED", undefined, "GREEN");

    await fake.saveDraft(id, draft({ body: "Hello {{1}}, your order no. 5 is ready." }));
    const error = await refusal(fake.submitTemplate(id));
    expect(error.message).toContain('Meta already holds "order_ready" in "en" (APPROVED)');
    expect(error.message).toContain("for example order_ready_v2");

    await fake.saveDraft(
      id,
      draft({ name: "order_ready_v2", body: "Hello {{1}}, your order no. 5 is ready." }),
    );
    const stored = await fake.submitTemplate(id);
    expect(stored.versions).toBe(2);
    expect(stored.quality, "a new version starts unrated").toBe("UNKNOWN");
    expect(stored.quality_history.map((c) => [c.from, c.to, c.source])).toEqual([
      [null, "UNKNOWN", "submission"],
      ["UNKNOWN", "GREEN", "webhook"],
      ["GREEN", "UNKNOWN", "submission"],
    ]);
    expect(stored.submitted_versions[0].template.name, "version 1 stays as reviewed").toBe(
      "order_ready",
    );
  });

  it("refuses a name another template holds on Meta", async () => {
    const fake = createFakeBackend();
    const first = await fake.createDraft(draft());
    await fake.submitTemplate(first.id);
    const second = await fake.createDraft(draft({ name: "order_ready_2" }));
    // Saving takes any name (the author may be mid-word); submitting does not.
    await fake.saveDraft(second.id, draft());
    const error = await refusal(fake.submitTemplate(second.id));
    expect(error.message).toContain('another template already uses the name "order_ready" in "en"');
  });

  it("submits a rejected template again under its name, clearing the rejection", async () => {
    const fake = createFakeBackend();
    const { id } = await fake.createDraft(draft());
    await fake.submitTemplate(id);
    templatesFake(fake).review(id, "REJECTED", { reason: "INVALID_FORMAT", detail: "Too short" });
    let [row] = await fake.listTemplates(null);
    expect(row).toMatchObject({ status: "REJECTED", rejection_reason: "INVALID_FORMAT" });

    await fake.saveDraft(id, draft({ body: "Hello {{1}}, your order no. 5 is ready to collect." }));
    [row] = await fake.listTemplates(null);
    expect(row.unsubmitted_changes, "the draft differs from version 1").toBe(true);
    const stored = await fake.submitTemplate(id);
    expect(stored).toMatchObject({
      status: "PENDING",
      versions: 2,
      rejection_reason: null,
      rejection_detail: null,
    });
  });

  it("moves statuses along the webhook table only, announcing each real change", async () => {
    const fake = createFakeBackend();
    const { id } = await fake.createDraft(draft());
    await fake.submitTemplate(id);
    const heard = await listen(fake);
    const controls = templatesFake(fake);

    expect(controls.review(id, "APPROVED", undefined, "GREEN")).toBe(true);
    expect(controls.review(id, "PENDING"), "a late PENDING never undoes a decision").toBe(false);
    expect(controls.review(id, "APPROVED"), "a repeated webhook changes nothing").toBe(false);
    expect(controls.review(id, "APPROVED", undefined, "YELLOW"), "quality alone").toBe(true);
    expect(controls.review(id, "PAUSED", undefined, "RED")).toBe(true);

    expect(heard.map((c) => [c.previous_status, c.status, c.previous_quality, c.quality])).toEqual([
      ["PENDING", "APPROVED", "UNKNOWN", "GREEN"],
      [null, "APPROVED", "GREEN", "YELLOW"],
      ["APPROVED", "PAUSED", "YELLOW", "RED"],
    ]);
    expect(heard.every((c) => c.source === "webhook")).toBe(true);
    const stored = await fake.getTemplate(id);
    expect(stored.status).toBe("PAUSED");
    expect(stored.status_history.map((c) => c.to)).toEqual(["PENDING", "APPROVED", "PAUSED"]);
  });

  it("deletes a draft quietly and announces the deletion of a submitted one", async () => {
    const fake = createFakeBackend();
    const heard = await listen(fake);
    const quiet = await fake.createDraft(draft({ name: "never_sent" }));
    await fake.deleteTemplate(quiet.id);
    expect(heard, "a draft was never on Meta: nobody else needs telling").toEqual([]);

    const { id } = await fake.createDraft(draft());
    await fake.submitTemplate(id);
    heard.length = 0;
    await fake.deleteTemplate(id);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      id,
      status: "DELETED",
      previous_status: "PENDING",
      source: "deletion",
    });
    expect(await fake.listTemplates(null), "deleted templates are not listed").toEqual([]);
    expect((await refusal(fake.getTemplate(id))).message).toBe(
      `template ${id} does not exist (it may have been deleted)`,
    );
  });

  it("needs an example file for a media header, and keeps the upload's handle", async () => {
    const fake = createFakeBackend();
    const media = { kind: "media", media: "IMAGE", example_handle: null } as const;
    const { id } = await fake.createDraft(draft({ header: { ...media, example_file: null } }));
    expect((await refusal(fake.submitTemplate(id))).message).toBe(
      "header example: a media header needs an example file: choose one before submitting",
    );

    await fake.saveDraft(id, draft({ header: { ...media, example_file: "/tmp/sale.png" } }));
    const stored = await fake.submitTemplate(id);
    const header = stored.template.header;
    expect(header?.kind === "media" && header.example_handle, "uploaded once, kept").toBeTruthy();
    expect(stored.submitted_versions[0].template.header).toEqual(header);
  });

  it("keeps the team dictionary as the store does: one word each, trimmed, once, sorted", async () => {
    const fake = createFakeBackend();
    const error = await refusal(fake.addToTeamDictionary("two words"));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toBe('team dictionary word: "two words" is not one word');
    await expect(fake.addToTeamDictionary("  ")).rejects.toThrow("is not one word");

    await fake.addToTeamDictionary(" Кроссовочки ");
    await fake.addToTeamDictionary("Zeta");
    const settings = await fake.addToTeamDictionary("Zeta");
    expect(settings.team_dictionary).toEqual(["Zeta", "Кроссовочки"]);
  });

  it("saves lint settings with the defaults for fields left out", async () => {
    const fake = createFakeBackend();
    const defaults = await fake.lintSettings();
    const saved = await fake.saveLintSettings({ emoji_max: 5, team_dictionary: [" b", "a", ""] });
    expect(saved.emoji_max).toBe(5);
    expect(saved.team_dictionary, "the dictionary becomes exactly the one given").toEqual([
      "a",
      "b",
    ]);
    expect(saved.spelling).toBe(defaults.spelling);
    expect(saved.stop_labels).toEqual(defaults.stop_labels);
    expect(await fake.lintSettings()).toEqual(saved);
  });

  it("describes its rules in the asked language", async () => {
    const fake = createFakeBackend();
    const [en, ru] = [await fake.lintRules("en"), await fake.lintRules("ru")];
    expect(en.map((r) => r.rule)).toEqual(ru.map((r) => r.rule));
    const start = (rules: typeof en) => rules.find((r) => r.rule === "body-variable-at-start");
    expect(start(en)).toMatchObject({ severity: "error", meta_rejects: true });
    expect(start(en)?.summary).not.toBe(start(ru)?.summary);
  });
});
