// English messages of the Audience screen (spread into en.ts).
export const audienceEn = {
  "audience.title": "Audience",
} as const;
