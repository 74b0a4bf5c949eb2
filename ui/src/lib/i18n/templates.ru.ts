// Сообщения экрана «Шаблоны» (входят в ru.ts).
import type { templatesEn } from "./templates.en";

export const templatesRu: { readonly [K in keyof typeof templatesEn]: string } = {
  "templates.title": "Шаблоны",
};
