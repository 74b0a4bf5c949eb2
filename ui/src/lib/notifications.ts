// Desktop notifications for the template changes a marketer must not miss while
// looking elsewhere: approved, rejected, paused, disabled, and a quality rating
// that fell. Started once when the app starts (App.svelte) and worded in the
// interface language. Which changes deserve one is decided here, from the
// engine's TemplateChange; showing it is the backend's `notify`.
import { backend, type QualityRating, type TemplateChange } from "./backend";
import { t, type MessageKey } from "./i18n/index.svelte";

/** What one desktop notification says. */
export interface Notice {
  title: string;
  body: string;
}

/**
 * How good each rating is. A template Meta has not rated yet counts as good:
 * Meta rates a new template only once people have reacted to it, so a first
 * YELLOW or RED is the same news as a fall from GREEN.
 */
const RATING_RANK: Record<QualityRating, number> = { GREEN: 2, UNKNOWN: 2, YELLOW: 1, RED: 0 };

const RATING_WORDS: Record<QualityRating, MessageKey> = {
  GREEN: "templates.notify.rating.GREEN",
  YELLOW: "templates.notify.rating.YELLOW",
  RED: "templates.notify.rating.RED",
  UNKNOWN: "templates.notify.rating.UNKNOWN",
};

/** More notices than this at once (a refresh after a weekend) become one summary. */
const MAX_SEPARATE = 3;

/**
 * The notification `change` deserves, in the interface language, or `null`.
 * One change gives at most one: a template paused for its quality says "paused",
 * not also "quality fell".
 */
export function templateNotice(change: TemplateChange): Notice | null {
  const words = { name: change.name, language: change.language };
  // `previous_status` is set only when this change moved the status.
  const moved = change.previous_status !== null && change.previous_status !== change.status;
  if (moved) {
    switch (change.status) {
      case "APPROVED":
        return {
          title: t("templates.notify.approved.title"),
          body: t("templates.notify.approved.body", words),
        };
      case "REJECTED":
        return {
          title: t("templates.notify.rejected.title"),
          body: change.rejection_reason
            ? t("templates.notify.rejected.bodyReason", {
                ...words,
                reason: change.rejection_reason,
              })
            : t("templates.notify.rejected.body", words),
        };
      case "PAUSED":
        return {
          title: t("templates.notify.paused.title"),
          body: t("templates.notify.paused.body", words),
        };
      case "DISABLED":
        return {
          title: t("templates.notify.disabled.title"),
          body: t("templates.notify.disabled.body", words),
        };
    }
  }
  const before = change.previous_quality;
  const now = change.quality;
  // Only a known rating can be unfamiliar: a rating Meta adds later is not judged.
  if (before && now && before in RATING_RANK && now in RATING_RANK) {
    if (RATING_RANK[now] < RATING_RANK[before]) {
      return {
        title: t("templates.notify.quality.title"),
        body: t("templates.notify.quality.body", {
          ...words,
          quality: t(RATING_WORDS[now]),
          previous: t(RATING_WORDS[before]),
        }),
      };
    }
  }
  return null;
}

/**
 * Shows a desktop notification for every template change that deserves one,
 * from now until the returned function is called. Changes that arrive within
 * `batchMs` of the first are shown together, and more than a few of them as one
 * summary, so a refresh that finds many changes does not bury the desktop.
 */
export function startTemplateNotifications(options: { batchMs?: number } = {}): () => void {
  const batchMs = options.batchMs ?? 1000;
  let pending: { id: number; notice: Notice }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let warned = false;
  // Unsubscribing takes a round trip: changes heard meanwhile are dropped here.
  let stopped = false;

  function show(notice: Notice) {
    backend()
      .notify(notice.title, notice.body)
      .catch((error: unknown) => {
        // Notifications turned off, or none on this desktop: the Templates screen
        // still shows every change, so say it once in the log and go on.
        if (!warned) console.warn("desktop notifications are unavailable:", error);
        warned = true;
      });
  }

  function flush() {
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length <= MAX_SEPARATE) {
      batch.forEach(({ notice }) => show(notice));
      return;
    }
    const templates = new Set(batch.map(({ id }) => id)).size;
    show({
      title: t("templates.notify.many.title"),
      body: t("templates.notify.many.body", { count: templates }),
    });
  }

  const subscription = backend().onTemplateChanged((change) => {
    const notice = stopped ? null : templateNotice(change);
    if (!notice) return;
    pending.push({ id: change.id, notice });
    timer ??= setTimeout(flush, batchMs);
  });

  return () => {
    stopped = true;
    clearTimeout(timer);
    pending = [];
    void subscription.then((stop) => stop());
  };
}
