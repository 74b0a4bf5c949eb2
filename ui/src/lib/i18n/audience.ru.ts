// Сообщения экрана «Аудитория» (входят в ru.ts).
import type { audienceEn } from "./audience.en";

export const audienceRu: { readonly [K in keyof typeof audienceEn]: string } = {
  "audience.title": "Аудитория",
};
