// The backend calls of the Templates screen (part of Backend, see index.ts).
//
// Every type they carry is generated from Rust into bindings.ts (cadence-engine's
// templates::dto, cadence-store's TemplateStatus and QualityRating, cadence-core's
// lint Finding and Fix) and reaches screens through index.ts; the signatures
// below follow the generated commands one for one.
import type {
  Finding,
  Language,
  LintRule,
  LintSettings,
  StoredTemplate,
  Template,
  TemplateChange,
  TemplateFilter,
  TemplateId,
  TemplateSummary,
} from "../bindings";

export interface TemplatesBackend {
  /**
   * The templates `filter` lets through (`null`: every template, archived ones
   * too), most recently edited first.
   */
  listTemplates(filter: TemplateFilter | null): Promise<TemplateSummary[]>;
  getTemplate(id: TemplateId): Promise<StoredTemplate>;
  /** Stores a new draft (refused when another template has its name in its language). */
  createDraft(template: Template): Promise<StoredTemplate>;
  /**
   * Replaces a template's draft (saved as the author types). A submitted
   * template's draft may change too: its submitted versions never do.
   */
  saveDraft(id: TemplateId, template: Template): Promise<TemplateSummary>;
  /** A new draft with the same content, named `<name>_copy`, `<name>_copy_2`, … */
  duplicateTemplate(id: TemplateId): Promise<StoredTemplate>;
  setArchived(id: TemplateId, archived: boolean): Promise<TemplateSummary>;
  /** Deletes a template (a submitted one is deleted at Meta too). */
  deleteTemplate(id: TemplateId): Promise<void>;
  /** Lints with the workspace's settings and spelling; messages in `language`. */
  lintTemplate(template: Template, language: Language): Promise<Finding[]>;
  /**
   * Submits the draft to Meta (or the sandbox) as a new version: lints it again
   * and refuses while an error finding is left (the refusal is worded in the
   * interface language), while an earlier version is in review, and when
   * nothing changed since the last one.
   */
  submitTemplate(id: TemplateId): Promise<StoredTemplate>;
  /** Asks Meta for the status and quality of every submitted template; lists them all. */
  refreshTemplates(): Promise<TemplateSummary[]>;
  lintSettings(): Promise<LintSettings>;
  saveLintSettings(settings: LintSettings): Promise<LintSettings>;
  /** Adds a word to the team dictionary (spelling stops flagging it). */
  addToTeamDictionary(word: string): Promise<LintSettings>;
  /** The linter's rules, described in `language`. */
  lintRules(language: Language): Promise<LintRule[]>;
  /** Calls `handler` on every status or quality change; returns the unsubscribe. */
  onTemplateChanged(handler: (change: TemplateChange) => void): Promise<() => void>;
}
