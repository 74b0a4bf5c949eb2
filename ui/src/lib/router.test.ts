import { describe, expect, it } from "vitest";
import { defaultScreen, hrefFor, screenFromHash, screens } from "./router.svelte";

describe("router", () => {
  it("opens every screen from its own link", () => {
    for (const { id } of screens) {
      expect(screenFromHash(hrefFor(id)), `${hrefFor(id)} opens ${id}`).toBe(id);
    }
  });

  it("falls back to the default screen for empty or unknown hashes", () => {
    for (const hash of ["", "#", "#/", "#/nowhere", "#/../settings"]) {
      expect(screenFromHash(hash), `hash ${JSON.stringify(hash)}`).toBe(defaultScreen);
    }
  });

  it("ignores what follows the screen id", () => {
    expect(screenFromHash("#/settings/about")).toBe("settings");
    expect(screenFromHash("#/audience?segment=3")).toBe("audience");
  });

  it("lists the seven screens of the navigation in order", () => {
    expect(screens.map((s) => s.id)).toEqual([
      "templates",
      "audience",
      "campaigns",
      "ab-tests",
      "quality",
      "reports",
      "settings",
    ]);
  });
});
