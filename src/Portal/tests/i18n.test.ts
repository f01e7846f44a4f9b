import { describe, expect, it } from "vitest";
import { dictionaries, format, LANGS, placeholders, t, type MessageKey } from "../src/i18n";

describe("i18n dictionaries", () => {
  const frKeys = Object.keys(dictionaries.fr).sort();

  it("has the same keys in French and English", () => {
    for (const lang of LANGS) {
      expect(Object.keys(dictionaries[lang]).sort()).toEqual(frKeys);
    }
  });

  it("has no empty message", () => {
    for (const lang of LANGS) {
      for (const [key, message] of Object.entries(dictionaries[lang])) {
        expect(message.trim(), `${lang}:${key}`).not.toBe("");
      }
    }
  });

  it("uses the same placeholders in both languages", () => {
    for (const key of frKeys as MessageKey[]) {
      expect(placeholders(dictionaries.en[key]), key).toEqual(placeholders(dictionaries.fr[key]));
    }
  });

  it("actually translates: most English messages differ from the French ones", () => {
    const same = frKeys.filter((k) => dictionaries.fr[k as MessageKey] === dictionaries.en[k as MessageKey]);
    // Only the brand name and a few symbols may be identical.
    expect(same.length).toBeLessThan(frKeys.length / 10);
  });

  it("offers the other language on the switch, named in that language", () => {
    expect(t("lang.switch", undefined, "fr")).toBe("English");
    expect(t("lang.switch", undefined, "en")).toBe("Français");
  });
});

describe("format", () => {
  it("fills placeholders, repeated or not", () => {
    expect(format("{a} et {b}, encore {a}", { a: 1, b: "deux" })).toBe("1 et deux, encore 1");
  });

  it("leaves an unknown placeholder visible", () => {
    expect(format("Bonjour {name}", {})).toBe("Bonjour {name}");
  });

  it("makes the word agree with its number: singular for 0 and 1 in French, for 1 only in English", () => {
    expect(t("projects.progress", { answers: 1, wanted: 600 }, "fr")).toBe("1 réponse sur 600 attendues");
    expect(t("projects.progress", { answers: 0, wanted: 600 }, "fr")).toBe("0 réponse sur 600 attendues");
    expect(t("projects.progress", { answers: 2, wanted: 1 }, "fr")).toBe("2 réponses sur 1 attendue");
    expect(t("projects.progress", { answers: 1, wanted: 600 }, "en")).toBe("1 answer out of 600 wanted");
    expect(t("projects.progress", { answers: 0, wanted: 600 }, "en")).toBe("0 answers out of 600 wanted");
    expect(t("projects.images", { count: 1 }, "en")).toBe("1 image");
    expect(format("{n} {n|chat|chats}", {}, "fr")).toBe("{n} {n|chat|chats}");
  });

  it("translates with parameters in each language", () => {
    expect(t("label.myAnswers", { count: 3 }, "fr")).toBe("Mes réponses : 3");
    expect(t("label.myAnswers", { count: 3 }, "en")).toBe("My answers: 3");
  });
});
