// The in-memory Audience backend for unit tests (part of the fake in fake.ts).
import type { AudienceBackend } from "./audience";

/** `check` throws the failure a test asked for (see FakeBackend.failing). */
export function fakeAudience(check: (method: keyof AudienceBackend) => void): AudienceBackend {
  void check;
  return {};
}
