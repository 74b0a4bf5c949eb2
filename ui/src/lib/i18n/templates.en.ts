// English messages of the Templates screen (spread into en.ts).
export const templatesEn = {
  "templates.title": "Templates",
} as const;
