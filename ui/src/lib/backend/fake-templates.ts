// The in-memory Templates backend for unit tests (part of the fake in fake.ts).
//
// It keeps what cadence-engine's TemplateStudio keeps (drafts, submitted
// versions, status and quality histories, the team dictionary), refuses what it
// refuses with the same codes and words, and announces the same changes: see
// src-tauri/engine/src/templates/mod.rs and cadence-store's templates module,
// whose status table `WEBHOOK_MOVES` below copies.
//
// It is NOT the linter: its `lint` is a handful of rules written here only so
// the screen has findings to show in tests, in the shapes the Rust linter uses
// (rule ids, fixes with alternatives, a dictionary word, an inserted button).
// Tests may replace it: `templatesFake(fake).lint = …`. The real rules live in
// Rust (cadence-core's lint module).
import type {
  ChangeSource,
  Field,
  Finding,
  Fix,
  Language,
  LintRule,
  LintSettings,
  PhraseLists,
  QualityRating,
  StoredTemplate,
  Template,
  TemplateChange,
  TemplateFilter,
  TemplateId,
  TemplateStatus,
  TemplateSummary,
} from "../bindings";
import { charCount } from "../whatsapp-format";
import { BackendError, type Backend } from "./index";
import type { TemplatesBackend } from "./templates";

/** Lint settings with every field present, as the engine always answers them. */
export type FullLintSettings = Required<Omit<LintSettings, PhraseListKey>> & {
  [K in PhraseListKey]: Required<PhraseLists>;
};

type PhraseListKey =
  | "relevance_phrases"
  | "repeat_contact_phrases"
  | "opt_out_phrases"
  | "stop_labels"
  | "negative_phrases"
  | "promotional_phrases";

/** What a test can see and steer in the fake templates backend. */
export interface FakeTemplates {
  /** The templates not deleted, by id (deleted ones are gone, as the engine hides them). */
  templates: Map<TemplateId, StoredTemplate>;
  settings: FullLintSettings;
  /** The findings a lint returns; replace it to inject findings. */
  lint: (template: Template, language: Language) => Finding[];
  /** How many lint calls were made (the editor debounces them). */
  lintCalls: number;
  /** Milliseconds a lint of `template` takes (to test that only the latest answer counts). */
  lintDelay: (template: Template) => number;
  /** The drafts saved, in order (to see that typing is saved, and how often). */
  saves: Template[];
  /**
   * Meta (the fake) sends a webhook about a submitted template: its status moves
   * when the engine's table lets a webhook make that move (a late or repeated
   * one is ignored, as the engine ignores it), its quality changes, both are
   * recorded, and listeners hear one change. Returns whether anything changed.
   */
  review(
    id: TemplateId,
    status: TemplateStatus,
    reason?: { reason: string; detail: string | null },
    quality?: QualityRating,
  ): boolean;
}

/** The test controls of a fake backend made by createFakeBackend. */
export function templatesFake(backend: Backend): FakeTemplates {
  const controls = (backend as Backend & { templatesFake?: FakeTemplates }).templatesFake;
  if (!controls) throw new Error("not a fake backend: it has no templatesFake");
  return controls;
}

/**
 * `check` throws the failure a test asked for (see FakeBackend.failing);
 * `uiLanguage` is the interface language, which words a refused submission.
 */
export function fakeTemplates(
  check: (method: keyof TemplatesBackend) => void,
  uiLanguage: () => Language,
): TemplatesBackend & { templatesFake: FakeTemplates } {
  const listeners = new Set<(change: TemplateChange) => void>();
  let nextId = 1;
  let nextMetaId = 900001;
  // A clock that ticks a second per write: "most recently edited first" is deterministic.
  let clock = Date.parse("2026-11-25T09:00:00Z");
  const now = () => new Date((clock += 1000)).toISOString();

  const controls: FakeTemplates = {
    templates: new Map(),
    settings: defaultSettings(),
    lint: (template, language) => fakeLint(template, language, controls.settings),
    lintCalls: 0,
    lintDelay: () => 0,
    saves: [],
    review(id, status, reason, quality) {
      const stored = find(id);
      const at = now();
      const before = { status: stored.status, quality: stored.quality };
      let moved = false;
      if (status !== stored.status && webhookMay(stored.status, status)) {
        stored.status_history.push({
          at,
          from: stored.status,
          to: status,
          reason: reason?.reason ?? null,
          detail: reason?.detail ?? null,
          source: "webhook",
        });
        stored.status = status;
        stored.status_changed_at = at;
        // A rejection keeps its reason while it stands; any other status clears it.
        stored.rejection_reason = status === "REJECTED" ? (reason?.reason ?? null) : null;
        stored.rejection_detail = status === "REJECTED" ? (reason?.detail ?? null) : null;
        moved = true;
      }
      let rated = false;
      if (quality && quality !== stored.quality) {
        stored.quality_history.push({ at, from: stored.quality, to: quality, source: "webhook" });
        stored.quality = quality;
        rated = true;
      }
      if (!moved && !rated) return false;
      publish({
        ...changeOf(stored, at, "webhook"),
        previous_status: moved ? before.status : null,
        previous_quality: rated ? before.quality : null,
      });
      return true;
    },
  };

  function publish(change: TemplateChange) {
    listeners.forEach((listener) => listener(structuredClone(change)));
  }

  function find(id: TemplateId): StoredTemplate {
    const stored = controls.templates.get(id);
    if (!stored) {
      throw new BackendError(
        "invalid_input",
        `template ${id} does not exist (it may have been deleted)`,
      );
    }
    return stored;
  }

  function changeOf(stored: StoredTemplate, at: string, source: ChangeSource): TemplateChange {
    return {
      id: stored.id,
      name: stored.template.name,
      language: stored.template.language,
      status: stored.status,
      previous_status: null,
      quality: stored.quality,
      previous_quality: null,
      rejection_reason: stored.rejection_reason,
      rejection_detail: stored.rejection_detail,
      at,
      source,
    };
  }

  function summary(stored: StoredTemplate): TemplateSummary {
    const last = stored.submitted_versions.at(-1);
    return {
      id: stored.id,
      name: stored.template.name,
      language: stored.template.language,
      category: stored.template.category,
      status: stored.status,
      quality: stored.quality,
      updated_at: stored.updated_at,
      rejection_reason: stored.rejection_reason,
      rejection_detail: stored.rejection_detail,
      archived: stored.archived_at !== null,
      example: stored.example,
      // As the store decides it: the draft's JSON against the newest version's.
      unsubmitted_changes: !!last && canonical(last.template) !== canonical(stored.template),
      versions: stored.submitted_versions.length,
      meta_category: stored.meta_category,
    };
  }

  /** What the backend answers: a copy, with the summary fields up to date. */
  function full(stored: StoredTemplate): StoredTemplate {
    Object.assign(stored, summary(stored));
    const last = stored.submitted_versions.at(-1);
    stored.submitted_at = last?.submitted_at ?? null;
    return structuredClone(stored);
  }

  function store(template: Template): StoredTemplate {
    const at = now();
    const stored: StoredTemplate = {
      id: nextId++,
      name: template.name,
      language: template.language,
      category: template.category,
      status: "DRAFT",
      quality: null,
      updated_at: at,
      rejection_reason: null,
      rejection_detail: null,
      archived: false,
      example: false,
      unsubmitted_changes: false,
      versions: 0,
      meta_category: null,
      template: structuredClone(template),
      meta_id: null,
      submitted_at: null,
      created_at: at,
      archived_at: null,
      status_changed_at: null,
      submitted_versions: [],
      status_history: [],
      quality_history: [],
    };
    controls.templates.set(stored.id, stored);
    return full(stored);
  }

  /** The templates listed, as the store lists them (deleted ones never). */
  function list(filter: TemplateFilter | null): TemplateSummary[] {
    const f = filter ?? {};
    const part = f.name_contains?.toLowerCase() ?? "";
    return [...controls.templates.values()]
      .map(summary)
      .filter(
        (x) =>
          (f.archived == null || x.archived === f.archived) &&
          (f.language == null || x.language === f.language) &&
          (f.category == null || x.category === f.category) &&
          (f.status == null || x.status === f.status) &&
          (part === "" || x.name.toLowerCase().includes(part)),
      )
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.id - a.id);
  }

  /**
   * The engine's name rule at submission (TemplateStudio::check_name_on_meta):
   * Meta keeps one template per name and language. Another template holding
   * them refuses the submission; so does this template's own earlier version,
   * unless Meta rejected (or refused) it: the engine deletes that one on Meta
   * and reuses the name.
   */
  function checkNameOnMeta(stored: StoredTemplate, template: Template): void {
    for (const other of controls.templates.values()) {
      const onMeta = other.submitted_versions.at(-1);
      if (
        !onMeta ||
        other.status === "DELETED" ||
        onMeta.template.name !== template.name ||
        onMeta.template.language !== template.language
      ) {
        continue;
      }
      if (other.id !== stored.id) {
        throw new BackendError(
          "invalid_input",
          `another template already uses the name ${quoted(template.name)} in ${quoted(template.language)}: Meta keeps one template per name and language, so choose another name`,
        );
      }
      if (other.status !== "REJECTED" && other.status !== "LIMIT_EXCEEDED") {
        throw new BackendError(
          "invalid_input",
          `Meta already holds ${quoted(template.name)} in ${quoted(template.language)} (${other.status}) and keeps one template per name and language: rename the draft (for example ${template.name}_v2) to submit it as a new version`,
        );
      }
    }
  }

  const backend: TemplatesBackend & { templatesFake: FakeTemplates } = {
    templatesFake: controls,
    async listTemplates(filter) {
      check("listTemplates");
      return list(filter);
    },
    async getTemplate(id) {
      check("getTemplate");
      return full(find(id));
    },
    async createDraft(template) {
      check("createDraft");
      if (
        template.name.trim() !== "" &&
        list({ language: template.language }).some((x) => x.name === template.name)
      ) {
        throw new BackendError(
          "invalid_input",
          `another template already uses the name ${quoted(template.name)} in ${quoted(template.language)}: Meta keeps one template per name and language, so choose another name`,
        );
      }
      return store(template);
    },
    async saveDraft(id, template) {
      check("saveDraft");
      const stored = find(id);
      stored.template = structuredClone(template);
      stored.updated_at = now();
      controls.saves.push(structuredClone(template));
      return summary(stored);
    },
    async duplicateTemplate(id) {
      check("duplicateTemplate");
      const source = find(id).template;
      const taken = new Set([...controls.templates.values()].map((x) => x.template.name));
      let name = `${source.name}_copy`;
      for (let n = 2; taken.has(name); n++) name = `${source.name}_copy_${n}`;
      return store({ ...structuredClone(source), name });
    },
    async setArchived(id, archived) {
      check("setArchived");
      const stored = find(id);
      stored.archived_at = archived ? now() : null;
      return summary(stored);
    },
    async deleteTemplate(id) {
      check("deleteTemplate");
      const stored = find(id);
      controls.templates.delete(id);
      // A submitted template is deleted on Meta too and announced; a draft just goes.
      if (stored.meta_id !== null && stored.status !== "DELETED") {
        const at = now();
        publish({
          ...changeOf(stored, at, "deletion"),
          status: "DELETED",
          previous_status: stored.status,
          rejection_reason: null,
          rejection_detail: null,
        });
      }
    },
    async lintTemplate(template, language) {
      check("lintTemplate");
      controls.lintCalls++;
      const delay = controls.lintDelay(template);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return controls.lint(template, language);
    },
    async submitTemplate(id) {
      check("submitTemplate");
      const stored = find(id);
      // The engine's order (TemplateStudio::submit): never while in review; a
      // template already reviewed goes again only with changes; then the lint
      // gate; then Meta's one-name-per-language rule.
      if (stored.status === "PENDING") {
        throw new BackendError(
          "invalid_input",
          `the template ${quoted(stored.template.name)} is in Meta's review: wait for Meta's decision before submitting it again`,
        );
      }
      const resubmittable = ["DRAFT", "REJECTED", "DELETED", "LIMIT_EXCEEDED"];
      if (!resubmittable.includes(stored.status) && !summary(stored).unsubmitted_changes) {
        throw new BackendError(
          "invalid_input",
          `this version is already submitted (${stored.status}): edit the draft to submit a new version`,
        );
      }
      const errors = controls
        .lint(stored.template, uiLanguage())
        .filter((finding) => finding.severity === "error");
      if (errors.length > 0) {
        const lines = errors.map(
          (f) => `\n${fieldPath(f.field)} ${f.span.start}-${f.span.end}: ${f.message} (${f.rule})`,
        );
        throw new BackendError(
          "invalid_input",
          `the template cannot be submitted while the linter finds ${errors.length} error(s): fix them first${lines.join("")}`,
        );
      }
      const template = structuredClone(stored.template);
      checkNameOnMeta(stored, template);
      const header = template.header;
      if (header?.kind === "media" && header.example_handle === null) {
        if (!header.example_file?.trim()) {
          throw new BackendError(
            "invalid_input",
            "header example: a media header needs an example file: choose one before submitting",
          );
        }
        // The sandbox's upload answers a handle; it is kept in the draft at once.
        header.example_handle = `4::fake-upload-${id}`;
        stored.template = structuredClone(template);
        stored.updated_at = now();
      }

      const at = now();
      const before = { status: stored.status, quality: stored.quality };
      stored.meta_id = String(nextMetaId++);
      stored.submitted_versions.push({
        version: stored.submitted_versions.length + 1,
        template: structuredClone(template),
        submitted_at: at,
        meta_id: stored.meta_id,
      });
      stored.status_history.push({
        at,
        from: before.status,
        to: "PENDING",
        reason: null,
        detail: null,
        source: "submission",
      });
      stored.status = "PENDING";
      stored.status_changed_at = at;
      stored.rejection_reason = stored.rejection_detail = null;
      stored.meta_category = null;
      // A new version starts unrated, whatever the last one earned.
      if (stored.quality !== "UNKNOWN") {
        stored.quality_history.push({
          at,
          from: stored.quality,
          to: "UNKNOWN",
          source: "submission",
        });
        stored.quality = "UNKNOWN";
      }
      const result = full(stored);
      publish({
        ...changeOf(stored, at, "submission"),
        previous_status: before.status,
        previous_quality: before.quality,
        rejection_reason: null,
        rejection_detail: null,
      });
      return result;
    },
    async refreshTemplates() {
      check("refreshTemplates");
      // The fake's Meta has nothing the webhooks (review) did not already say.
      return list(null);
    },
    async lintSettings() {
      check("lintSettings");
      return structuredClone(controls.settings);
    },
    async saveLintSettings(settings) {
      check("saveLintSettings");
      controls.settings = completeSettings(settings);
      return structuredClone(controls.settings);
    },
    async addToTeamDictionary(word) {
      check("addToTeamDictionary");
      const trimmed = word.trim();
      if (trimmed === "" || /\s/.test(trimmed)) {
        throw new BackendError(
          "invalid_input",
          `team dictionary word: ${quoted(word)} is not one word`,
        );
      }
      controls.settings.team_dictionary = dictionary([
        ...controls.settings.team_dictionary,
        trimmed,
      ]);
      return structuredClone(controls.settings);
    },
    async lintRules(language) {
      check("lintRules");
      return FAKE_RULES.map(({ summary, ...rule }) => ({ ...rule, summary: summary[language] }));
    },
    async onTemplateChanged(handler) {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },
  };
  return backend;
}

/** The webhook moves of cadence-store's STATUS_TRANSITIONS (triggers Webhook). */
const WEBHOOK_MOVES: Partial<Record<TemplateStatus, TemplateStatus[]>> = {
  PENDING: ["APPROVED", "REJECTED", "LIMIT_EXCEEDED", "DELETED"],
  REJECTED: ["IN_APPEAL", "APPROVED", "DELETED"],
  DISABLED: ["IN_APPEAL", "APPROVED", "PENDING_DELETION", "DELETED"],
  IN_APPEAL: ["APPROVED", "REJECTED", "DELETED"],
  APPROVED: [
    "FLAGGED",
    "PAUSED",
    "DISABLED",
    "REJECTED",
    "ARCHIVED",
    "PENDING_DELETION",
    "DELETED",
  ],
  FLAGGED: ["APPROVED", "PAUSED", "DISABLED", "DELETED"],
  PAUSED: ["APPROVED", "DISABLED", "PENDING_DELETION", "DELETED"],
  ARCHIVED: ["APPROVED", "DELETED"],
  PENDING_DELETION: ["DELETED"],
  LIMIT_EXCEEDED: ["DELETED"],
};

function webhookMay(from: TemplateStatus, to: TemplateStatus): boolean {
  return WEBHOOK_MOVES[from]?.includes(to) ?? false;
}

/** A string as Rust's `{:?}` writes it (quoted, escaped). */
function quoted(text: string): string {
  return JSON.stringify(text);
}

/** JSON with object keys sorted: serde writes a template's fields and examples in one order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A field as `cadence lint` and the engine's refusals print it (core's Field Display). */
function fieldPath(field: Field): string {
  switch (field.kind) {
    case "header_text":
      return "header.text";
    case "header_media":
      return "header.media";
    case "header_example":
      return "header.example";
    case "button_text":
      return `buttons[${field.at}].text`;
    case "button_url":
      return `buttons[${field.at}].url`;
    case "button_phone":
      return `buttons[${field.at}].phone_number`;
    case "button_example":
      return `buttons[${field.at}].example`;
    case "body_example":
      return `body.examples.${field.at}`;
    default:
      return field.kind;
  }
}

/** The team dictionary as the store keeps it: trimmed words, once each, sorted. */
function dictionary(words: string[]): string[] {
  const kept = new Set(words.map((w) => w.trim()).filter((w) => w !== ""));
  return [...kept].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Lint settings as the engine stores them: a field left out takes its default
 * (serde's `#[serde(default)]`), the team dictionary is normalised.
 */
function completeSettings(settings: LintSettings): FullLintSettings {
  const defaults = defaultSettings();
  const lists = (key: PhraseListKey): Required<PhraseLists> => ({
    en: [...(settings[key]?.en ?? (settings[key] ? [] : defaults[key].en))],
    ru: [...(settings[key]?.ru ?? (settings[key] ? [] : defaults[key].ru))],
  });
  return {
    spelling: settings.spelling ?? defaults.spelling,
    brand_words: [...(settings.brand_words ?? defaults.brand_words)],
    team_dictionary: dictionary(settings.team_dictionary ?? []),
    language_tool_url: settings.language_tool_url ?? defaults.language_tool_url,
    emoji_max: settings.emoji_max ?? defaults.emoji_max,
    caps_words_max: settings.caps_words_max ?? defaults.caps_words_max,
    caps_allowed: [...(settings.caps_allowed ?? defaults.caps_allowed)],
    punctuation_run_max: settings.punctuation_run_max ?? defaults.punctuation_run_max,
    links_max: settings.links_max ?? defaults.links_max,
    url_shorteners: [...(settings.url_shorteners ?? defaults.url_shorteners)],
    fold_lines: settings.fold_lines ?? defaults.fold_lines,
    fold_line_chars: settings.fold_line_chars ?? defaults.fold_line_chars,
    relevance_phrases: lists("relevance_phrases"),
    repeat_contact_phrases: lists("repeat_contact_phrases"),
    opt_out_phrases: lists("opt_out_phrases"),
    stop_labels: lists("stop_labels"),
    negative_phrases: lists("negative_phrases"),
    promotional_phrases: lists("promotional_phrases"),
  };
}

/**
 * core::lint::LintSettings::default()'s thresholds and the two phrase lists the
 * fake's opt-out rule reads; the other phrase lists are left empty (no fake
 * rule reads them).
 */
function defaultSettings(): FullLintSettings {
  const none = () => ({ en: [], ru: [] });
  return {
    spelling: true,
    brand_words: ["Cadence", "WhatsApp"],
    team_dictionary: [],
    language_tool_url: null,
    emoji_max: 2,
    caps_words_max: 2,
    caps_allowed: ["SMS", "VIP", "PDF", "FAQ", "СМС", "ООО"],
    punctuation_run_max: 1,
    links_max: 1,
    url_shorteners: ["bit.ly", "tinyurl.com", "clck.ru", "goo.gl"],
    fold_lines: 5,
    fold_line_chars: 40,
    relevance_phrases: none(),
    repeat_contact_phrases: none(),
    opt_out_phrases: {
      en: ["unsubscribe", "opt out", "reply stop", "stop promotions"],
      ru: ["отписаться", "отпишитесь", "отписк*", "ответьте стоп"],
    },
    stop_labels: {
      en: ["stop", "unsubscribe", "opt out", "no more messages"],
      ru: ["отписаться", "отписк*", "стоп", "не присылать", "отказаться"],
    },
    negative_phrases: none(),
    promotional_phrases: none(),
  };
}

type FakeRule = Omit<LintRule, "summary"> & { summary: Record<Language, string> };

const FAKE_RULES: FakeRule[] = [
  {
    rule: "body-missing",
    severity: "error",
    meta_rejects: true,
    summary: { en: "The body has text.", ru: "В тексте сообщения есть текст." },
  },
  {
    rule: "body-variable-at-start",
    severity: "error",
    meta_rejects: true,
    summary: {
      en: "The body does not start with a variable.",
      ru: "Текст не начинается с переменной.",
    },
  },
  {
    rule: "body-too-long",
    severity: "error",
    meta_rejects: true,
    summary: { en: "At most 1024 characters.", ru: "Не более 1024 символов." },
  },
  {
    rule: "emoji-count",
    severity: "warning",
    meta_rejects: false,
    summary: { en: "Few emoji in the body.", ru: "Мало эмодзи в тексте." },
  },
  {
    rule: "spelling",
    severity: "warning",
    meta_rejects: false,
    summary: { en: "Words are spelt right.", ru: "Слова написаны без ошибок." },
  },
  {
    rule: "opt-out-missing",
    severity: "warning",
    meta_rejects: false,
    summary: {
      en: "A marketing template offers a way to opt out.",
      ru: "Маркетинговый шаблон предлагает способ отписаться.",
    },
  },
];

/** The fake's few misspellings and their corrections. */
const MISSPELLED: Record<string, string[]> = {
  recieve: ["receive", "relieve"],
  пожалуста: ["пожалуйста"],
};

/** The language whose phrase lists judge a template (core's template_language). */
function templateLanguage(code: string): Language | null {
  const primary = code.split(/[_-]/)[0].toLowerCase();
  return primary === "en" || primary === "ru" ? primary : null;
}

/**
 * Whether `text` holds one of `phrases`: its words in order, any case; a word
 * ending in `*` matches any word it begins. (Core also matches the other forms
 * of a Russian word; the fake does not.)
 */
function holdsPhrase(text: string, phrases: string[]): boolean {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []) as string[];
  return phrases.some((phrase) => {
    const wanted = phrase.toLowerCase().split(/\s+/).filter(Boolean);
    if (wanted.length === 0) return false;
    return words.some((_, at) =>
      wanted.every((w, i) => {
        const word = words[at + i];
        if (word === undefined) return false;
        return w.endsWith("*") ? word.startsWith(w.slice(0, -1)) : word === w;
      }),
    );
  });
}

/** The label of the ready opt-out quick reply (core's opt_out_label). */
const OPT_OUT_LABEL: Record<Language, string> = { en: "Stop promotions", ru: "Отписаться" };

/** The fake's findings (see the header: a test aid, not the linter). */
function fakeLint(template: Template, language: Language, settings: FullLintSettings): Finding[] {
  const findings: Finding[] = [];
  const words = (en: string, ru: string) => (language === "ru" ? ru : en);
  const body = template.body;
  const cp = (utf16: number) => charCount(body.slice(0, utf16));
  const plain = (label: string, edits: Fix["edits"]): Fix => ({
    label,
    edits,
    add_to_dictionary: null,
    alternatives: [],
    insert_button: null,
  });

  if (body.trim() === "") {
    findings.push({
      rule: "body-missing",
      severity: "error",
      field: { kind: "body" },
      span: { start: 0, end: 0 },
      message: words("The body is empty: Meta requires one.", "Текст пуст: Meta требует текст."),
      fix: null,
    });
  }

  const leading = /^\s*(\{\{[^{}]*\}\})/.exec(body);
  if (leading) {
    const start = cp(leading[0].length - leading[1].length);
    const greeting = templateLanguage(template.language) === "ru" ? "Здравствуйте, " : "Hello, ";
    findings.push({
      rule: "body-variable-at-start",
      severity: "error",
      field: { kind: "body" },
      span: { start, end: start + charCount(leading[1]) },
      message: words(
        "The body starts with a variable: Meta rejects it.",
        "Текст начинается с переменной: Meta его отклонит.",
      ),
      fix: plain(words("Start with a greeting", "Начать с приветствия"), [
        { field: { kind: "body" }, span: { start, end: start }, replacement: greeting },
      ]),
    });
  }

  const length = charCount(body);
  if (length > 1024) {
    findings.push({
      rule: "body-too-long",
      severity: "error",
      field: { kind: "body" },
      span: { start: 1024, end: length },
      message: words(
        `The body has ${length} characters; Meta allows 1024.`,
        `В тексте ${length} символов; Meta допускает 1024.`,
      ),
      fix: null,
    });
  }

  const emoji = [...body.matchAll(/\p{Extended_Pictographic}/gu)];
  if (emoji.length > settings.emoji_max) {
    const extra = emoji.slice(settings.emoji_max).map((m) => ({
      start: cp(m.index),
      end: cp(m.index) + 1,
    }));
    findings.push({
      rule: "emoji-count",
      severity: "warning",
      field: { kind: "body" },
      span: { start: extra[0].start, end: extra[extra.length - 1].end },
      message: words(
        `${emoji.length} emoji: keep to ${settings.emoji_max} or fewer.`,
        `Эмодзи: ${emoji.length}; оставьте не больше ${settings.emoji_max}.`,
      ),
      fix: plain(
        words("Remove the extra emoji", "Убрать лишние эмодзи"),
        extra.map((span) => ({ field: { kind: "body" }, span, replacement: "" })),
      ),
    });
  }

  if (settings.spelling) {
    const known = new Set([...settings.team_dictionary, ...settings.brand_words]);
    for (const match of body.matchAll(/\p{L}+/gu)) {
      const word = match[0];
      const suggestions = MISSPELLED[word.toLowerCase()];
      if (!suggestions || known.has(word)) continue;
      const span = { start: cp(match.index), end: cp(match.index) + charCount(word) };
      const replace = (suggestion: string) =>
        plain(words(`Replace with "${suggestion}"`, `Заменить на «${suggestion}»`), [
          { field: { kind: "body" }, span, replacement: suggestion },
        ]);
      const [first, ...others] = suggestions;
      findings.push({
        rule: "spelling",
        severity: "warning",
        field: { kind: "body" },
        span,
        message: words(`Unknown word "${word}".`, `Неизвестное слово «${word}».`),
        fix: {
          ...replace(first),
          alternatives: [
            ...others.map(replace),
            {
              ...plain(
                words(
                  `Add "${word}" to the team dictionary`,
                  `Добавить «${word}» в словарь команды`,
                ),
                [],
              ),
              add_to_dictionary: word,
            },
          ],
        },
      });
    }
  }

  // Core's opt-out rule: a marketing template in a language Cadence has lists
  // for needs a Stop quick reply, or wording in the body or footer that says how.
  const lang = templateLanguage(template.language);
  if (template.category === "MARKETING" && lang) {
    const hasStop = template.buttons.some(
      (b) => b.kind === "quick_reply" && holdsPhrase(b.text, settings.stop_labels[lang]),
    );
    const saysHow = [body, template.footer ?? ""].some((text) =>
      holdsPhrase(text, settings.opt_out_phrases[lang]),
    );
    if (!hasStop && !saysHow) {
      const label = OPT_OUT_LABEL[lang];
      const replies = template.buttons.map((b) => b.kind).lastIndexOf("quick_reply");
      const slot = replies >= 0 ? replies + 1 : template.buttons.length;
      findings.push({
        rule: "opt-out-missing",
        severity: "warning",
        field: { kind: "buttons" },
        span: { start: slot, end: slot },
        message: words(
          `A marketing template must make opting out easy: add a Stop quick reply ("${label}") or say how to unsubscribe.`,
          `В маркетинговом шаблоне должно быть легко отписаться: добавьте кнопку быстрого ответа («${label}») или напишите, как отписаться.`,
        ),
        fix:
          template.buttons.length < 10
            ? {
                ...plain(words(`Add the "${label}" button`, `Добавить кнопку «${label}»`), []),
                insert_button: { index: slot, button: { kind: "quick_reply", text: label } },
              }
            : null,
      });
    }
  }

  const rank = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
