import { describe, expect, it } from "vitest";
import type { ContactRow } from "../../lib/backend";
import { contactValue, contactValues } from "./preview-contact";

const anna: ContactRow = {
  id: 7,
  phone: "+79123456789",
  first_name: "Анна",
  last_name: null,
  locale: null,
  time_zone: "Asia/Yekaterinburg",
  time_zone_inferred: false,
  country: "RU",
  consent: "granted",
  consent_categories: ["marketing"],
  attributes: { city: "Пермь" },
  tags: [],
  suppressed: false,
  created_at: 0,
  updated_at: 0,
  last_message_at: null,
};

describe("filling the preview from a contact", () => {
  it("takes a named variable from the field or attribute of that name", () => {
    expect(contactValue(anna, "first_name")).toBe("Анна");
    expect(contactValue(anna, "city")).toBe("Пермь");
    expect(contactValue(anna, "last_name"), "an empty field is no value").toBeNull();
  });

  it("keeps the example where the contact has nothing, and says which", () => {
    const { values, fallbacks } = contactValues(anna, ["first_name", "last_name", "1"], {
      first_name: "Olga",
      last_name: "Ivanova",
      "1": "10%",
    });
    expect(values).toEqual({ first_name: "Анна", last_name: "Ivanova", "1": "10%" });
    expect(fallbacks, "numbered variables and missing fields show their examples").toEqual([
      "last_name",
      "1",
    ]);
  });
});
