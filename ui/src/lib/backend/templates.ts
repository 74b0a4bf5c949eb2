// The backend calls of the Templates screen (part of Backend, see index.ts).
export interface TemplatesBackend {}
