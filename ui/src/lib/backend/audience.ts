// The backend calls of the Audience screen (part of Backend, see index.ts).
export interface AudienceBackend {}
