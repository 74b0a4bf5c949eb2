// The in-memory Templates backend for unit tests (part of the fake in fake.ts).
import type { TemplatesBackend } from "./templates";

/** `check` throws the failure a test asked for (see FakeBackend.failing). */
export function fakeTemplates(check: (method: keyof TemplatesBackend) => void): TemplatesBackend {
  void check;
  return {};
}
