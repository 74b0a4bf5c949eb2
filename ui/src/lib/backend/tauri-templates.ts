// The Templates backend over Tauri's IPC (part of tauriBackend in tauri.ts).
import type { TemplatesBackend } from "./templates";

export const tauriTemplates: TemplatesBackend = {};
