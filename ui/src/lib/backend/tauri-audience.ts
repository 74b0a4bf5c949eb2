// The Audience backend over Tauri's IPC (part of tauriBackend in tauri.ts).
import type { AudienceBackend } from "./audience";

export const tauriAudience: AudienceBackend = {};
