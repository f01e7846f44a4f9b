import { describe, expect, it } from "vitest";
import { parseRoute, paths } from "../src/router";
import { choiceLabel, myDataFileName, newIdempotencyKey, pageTitle, PART, percent, projectLang, projectProgress, sameOriginImageUrl, splitAtPart } from "../src/util";
import { t } from "../src/i18n";

describe("routes", () => {
  it("reads every page from the hash", () => {
    expect(parseRoute("")).toEqual({ name: "home" });
    expect(parseRoute("#/")).toEqual({ name: "home" });
    expect(parseRoute("#/signin")).toEqual({ name: "signin" });
    expect(parseRoute("#/label/abc-1?link=tok.en%2B")).toEqual({ name: "label", id: "abc-1", link: "tok.en+" });
    expect(parseRoute("#/label/abc-1")).toEqual({ name: "label", id: "abc-1" });
    expect(parseRoute("#/projects")).toEqual({ name: "projects" });
    expect(parseRoute("#/projects/new")).toEqual({ name: "newProject" });
    expect(parseRoute("#/projects/01a2227d-3ca6-7e70-8857-9475e1a9ac62")).toEqual({ name: "project", id: "01a2227d-3ca6-7e70-8857-9475e1a9ac62" });
    expect(parseRoute("#/label/01a2227d-3ca6-7e70-8857-9475e1a9ac62/")).toEqual({ name: "label", id: "01a2227d-3ca6-7e70-8857-9475e1a9ac62" });
    expect(parseRoute("#/label/../../etc")).toEqual({ name: "notFound" });
    expect(parseRoute("#/nope")).toEqual({ name: "notFound" });
  });

  it("builds the links it reads", () => {
    expect(parseRoute(paths.label("abc-1"))).toEqual({ name: "label", id: "abc-1" });
    expect(parseRoute(paths.project("abc-1"))).toEqual({ name: "project", id: "abc-1" });
    expect(parseRoute(paths.experiments())).toEqual({ name: "experiments" });
    expect(parseRoute(paths.experiment("NudgeTone"))).toEqual({ name: "experiment", experimentName: "NudgeTone" });
  });

  it("reads the researchers' pages, experiment names decoded", () => {
    expect(parseRoute("#/experiments")).toEqual({ name: "experiments" });
    expect(parseRoute("#/experiments/")).toEqual({ name: "experiments" });
    expect(parseRoute("#/experiments/QuestionMode")).toEqual({ name: "experiment", experimentName: "QuestionMode" });
    expect(parseRoute("#/experiments/Ton%20des%20relances%20%C3%A9t%C3%A9")).toEqual({ name: "experiment", experimentName: "Ton des relances été" });
    expect(parseRoute("#/experiments/a/b")).toEqual({ name: "notFound" });
    expect(parseRoute("#/experiments/%E0%A4%A")).toEqual({ name: "notFound" });
    expect(parseRoute("#/experiments/..")).toEqual({ name: "notFound" });
    expect(parseRoute("#/experiments/a%2Fb")).toEqual({ name: "notFound" });
    expect(parseRoute(`#/experiments/${"x".repeat(101)}`)).toEqual({ name: "notFound" });
  });

  it("round-trips experiment names with reserved characters", () => {
    for (const name of ["tone?v=2", "a#b", "50 % & more", "ton « ludique »"]) {
      expect(paths.experiment(name).slice("#/experiments/".length)).not.toMatch(/[?#/ ]/u);
      expect(parseRoute(paths.experiment(name))).toEqual({ name: "experiment", experimentName: name });
    }
  });
});

describe("progress", () => {
  it("is a clamped integer percentage", () => {
    expect(percent(0, 10)).toBe(0);
    expect(percent(1, 3)).toBe(33);
    expect(percent(10, 10)).toBe(100);
    expect(percent(12, 10)).toBe(100);
    expect(percent(5, 0)).toBe(0);
  });

  it("counts answers against items × answers wanted, extra answers not past 100 %", () => {
    expect(projectProgress({ itemCount: 10, answerCount: 15, answersPerItem: 3 })).toEqual({ answers: 15, wanted: 30, percent: 50 });
    expect(projectProgress({ itemCount: 2, answerCount: 9, answersPerItem: 3 })).toEqual({ answers: 6, wanted: 6, percent: 100 });
    expect(projectProgress({ itemCount: 0, answerCount: 0, answersPerItem: 3 })).toEqual({ answers: 0, wanted: 0, percent: 0 });
  });
});

describe("image links", () => {
  it("uses the page's own origin for the Api's absolute image links", () => {
    expect(sameOriginImageUrl("http://127.0.0.1:8000/images/abc")).toBe("/images/abc");
    expect(sameOriginImageUrl("https://portail.example.fr/images/abc/thumbnail")).toBe("/images/abc/thumbnail");
    expect(sameOriginImageUrl("/images/abc")).toBe("/images/abc");
  });
});

describe("choiceLabel", () => {
  const choices = [
    { key: "north_south", label: "Nord–sud" },
    { key: "flat", label: "Plat" },
  ];
  it("shows labels, the don't-know text, or the raw key when unknown", () => {
    expect(choiceLabel("flat", choices, "Je ne sais pas")).toBe("Plat");
    expect(choiceLabel("dont_know", choices, "Je ne sais pas")).toBe("Je ne sais pas");
    expect(choiceLabel("gone", choices, "Je ne sais pas")).toBe("gone");
  });
});

describe("idempotency keys", () => {
  it("are unique per answer", () => {
    const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(100);
  });
});

describe("myDataFileName", () => {
  it("names the project and the day, in UTC", () => {
    expect(myDataFileName("0123456789abcdef", new Date(Date.UTC(2026, 10, 29, 23, 30)))).toBe("co-construisons-my-data-01234567-2026-11-29.json");
  });
});

describe("page titles", () => {
  it("name the view by its heading, then the site", () => {
    expect(pageTitle("Nouveau projet", "Co-construisons")).toBe("Nouveau projet — Co-construisons");
    expect(pageTitle("  Toits de la\n   commune ", "Co-construisons")).toBe("Toits de la commune — Co-construisons");
  });

  it("are the site's name alone without a heading, or when the heading is the site's name", () => {
    expect(pageTitle(undefined, "Co-construisons")).toBe("Co-construisons");
    expect(pageTitle(null, "Co-construisons")).toBe("Co-construisons");
    expect(pageTitle("  ", "Co-construisons")).toBe("Co-construisons");
    expect(pageTitle("Co-construisons", "Co-construisons")).toBe("Co-construisons");
  });
});

describe("the language of a project's texts", () => {
  it("is English only when the owner said so, French otherwise (and for projects made before the setting)", () => {
    expect(projectLang("en")).toBe("en");
    expect(projectLang("fr")).toBe("fr");
    expect(projectLang("")).toBe("fr");
    expect(projectLang(undefined)).toBe("fr");
  });

  it("cuts an interface sentence around the owner's text, in either language of the page", () => {
    expect(splitAtPart(t("label.questionIs", { question: PART }, "en"))).toEqual(["Question: ", ""]);
    expect(splitAtPart(t("label.questionIs", { question: PART }, "fr"))).toEqual(["Question : ", ""]);
    expect(splitAtPart(`Choices: ${PART} (and more)`)).toEqual(["Choices: ", " (and more)"]);
    expect(splitAtPart("No owner's text here")).toBeNull();
  });
});
