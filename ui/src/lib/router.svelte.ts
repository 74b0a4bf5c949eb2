// The screens of the left navigation and which one is open. The route lives in
// the URL hash (#/templates), so Back/Forward and reloads keep the screen.
import type { MessageKey } from "./i18n/index.svelte";

export const screens = [
  { id: "templates", title: "nav.templates" },
  { id: "audience", title: "nav.audience" },
  { id: "campaigns", title: "nav.campaigns" },
  { id: "ab-tests", title: "nav.abTests" },
  { id: "quality", title: "nav.quality" },
  { id: "reports", title: "nav.reports" },
  { id: "settings", title: "nav.settings" },
] as const satisfies readonly { id: string; title: MessageKey }[];

export type ScreenId = (typeof screens)[number]["id"];

export const defaultScreen: ScreenId = "templates";

/** The screen a hash names; unknown or empty hashes open the default screen. */
export function screenFromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  const found = screens.find((screen) => screen.id === id);
  return found ? found.id : defaultScreen;
}

export function hrefFor(id: ScreenId): string {
  return `#/${id}`;
}

let currentScreen = $state<ScreenId>(
  typeof location !== "undefined" ? screenFromHash(location.hash) : defaultScreen,
);

if (typeof window !== "undefined") {
  window.addEventListener("hashchange", () => {
    currentScreen = screenFromHash(location.hash);
  });
}

export function screen(): ScreenId {
  return currentScreen;
}

export function navigate(id: ScreenId): void {
  currentScreen = id;
  if (typeof location !== "undefined" && location.hash !== hrefFor(id)) location.hash = hrefFor(id);
}
