import { describe, expect, it } from "vitest";
import { accountedFor, isActive, isCsvName, isGeoJsonName, isZipName, jobPercent, jobPhase, latestJobOfKind, osmReportLines, parseWhole, pollDelay, templateProblem } from "../src/imports";

describe("templateProblem", () => {
  it("accepts http(s) templates with {z}, {x} and {y} or {-y}", () => {
    expect(templateProblem("https://tiles.example.org/{z}/{x}/{y}.png")).toBeNull();
    expect(templateProblem(" http://wxs.example.fr/ortho/{z}/{x}/{-y}.jpeg ")).toBeNull();
    expect(templateProblem("HTTPS://a.b/{z}/{x}/{y}")).toBeNull();
  });

  it("names what is wrong", () => {
    expect(templateProblem("  ")).toBe("empty");
    expect(templateProblem("ftp://tiles.example.org/{z}/{x}/{y}.png")).toBe("scheme");
    expect(templateProblem("tiles.example.org/{z}/{x}/{y}.png")).toBe("scheme");
    expect(templateProblem("https://{z}.example.org/{x}/{y}.png")).toBe("scheme");
    expect(templateProblem("https://tiles.example.org/{x}/{y}.png")).toBe("placeholders");
    expect(templateProblem("https://tiles.example.org/{z}/{x}.png")).toBe("placeholders");
  });
});

describe("parseWhole", () => {
  it("reads whole numbers within bounds only", () => {
    expect(parseWhole("19", 0, 24)).toBe(19);
    expect(parseWhole(" 0 ", 0, 24)).toBe(0);
    expect(parseWhole("25", 0, 24)).toBeNull();
    expect(parseWhole("-1", 0, 24)).toBeNull();
    expect(parseWhole("1.5", 0, 24)).toBeNull();
    expect(parseWhole("", 0, 24)).toBeNull();
    expect(parseWhole("1e1", 0, 24)).toBeNull();
  });
});

describe("isGeoJsonName", () => {
  it("accepts .geojson and .json", () => {
    expect(isGeoJsonName("batiments.geojson")).toBe(true);
    expect(isGeoJsonName("BATIMENTS.JSON")).toBe(true);
    expect(isGeoJsonName("batiments.csv")).toBe(false);
  });
});

describe("job state", () => {
  it("reads the proto's states", () => {
    expect([0, 1, 2, 3, 4, 9].map(jobPhase)).toEqual(["unknown", "queued", "running", "done", "failed", "unknown"]);
    expect([1, 2, 3, 4].map(isActive)).toEqual([true, true, false, false]);
  });

  it("gives whole percents, never past 100", () => {
    expect(jobPercent({ processed: 123, features: 4000 })).toBe(3);
    expect(jobPercent({ processed: 4000, features: 4000 })).toBe(100);
    expect(jobPercent({ processed: 5, features: 0 })).toBe(0);
    expect(jobPercent({ processed: 9, features: 4 })).toBe(100);
  });

  it("checks that every feature is accounted for", () => {
    expect(accountedFor({ features: 6, itemsAdded: 3, duplicates: 1, rejected: 1, badFeatures: 1 })).toBe(true);
    expect(accountedFor({ features: 6, itemsAdded: 3, duplicates: 1, rejected: 1, badFeatures: 0 })).toBe(false);
  });

  it("polls every second, then every two seconds", () => {
    expect(pollDelay(0)).toBe(1000);
    expect(pollDelay(120_000)).toBe(2000);
  });
});

describe("OpenSolarMap import", () => {
  it("accepts a zip of images and CSV files by name", () => {
    expect(isZipName("roof_images.ZIP")).toBe(true);
    expect(isZipName("roofs.tar.gz")).toBe(false);
    expect(isCsvName(" contributions.csv ")).toBe(true);
    expect(isCsvName("contributions.xlsx")).toBe(false);
  });

  it("lists images without answers or footprint as facts, not as problems (buildings.csv is optional)", () => {
    const lines = osmReportLines({
      itemsImported: 150,
      itemsAlreadyPresent: 0,
      answersImported: 400,
      answersAlreadyPresent: 0,
      itemsRetiredByRefit: 20,
      contributorsCreated: 30,
      imagesWithoutAnswers: 5,
      imagesUnreadable: 0,
      imagesWithoutFootprint: 150,
      imagesDuplicateContent: 0,
      answersOnMissingImages: 0,
      answersRepeatedSameContributor: 0,
      rowsUnusable: 0,
    });
    expect(lines.filter((l) => l.problem)).toEqual([]);
    expect(lines.filter((l) => !l.problem).map((l) => [l.key, l.count])).toContainEqual(["osm.imagesWithoutFootprint", 150]);
    expect(lines.filter((l) => !l.problem).map((l) => [l.key, l.count])).toContainEqual(["osm.imagesWithoutAnswers", 5]);
  });

  it("reports what was done, then only the problems that happened", () => {
    const lines = osmReportLines({
      itemsImported: 4,
      itemsAlreadyPresent: 0,
      answersImported: 7,
      answersAlreadyPresent: 0,
      itemsRetiredByRefit: 1,
      contributorsCreated: 3,
      imagesWithoutAnswers: 0,
      imagesUnreadable: 1,
      imagesWithoutFootprint: 0,
      imagesDuplicateContent: 0,
      answersOnMissingImages: 2,
      answersRepeatedSameContributor: 0,
      rowsUnusable: 3,
    });
    expect(lines.filter((l) => !l.problem).map((l) => l.key)).toEqual(["osm.itemsImported", "osm.answersImported", "osm.contributorsCreated", "osm.itemsRetiredByRefit"]);
    expect(lines.filter((l) => l.problem).map((l) => [l.key, l.count])).toEqual([
      ["osm.rowsUnusable", 3],
      ["osm.answersOnMissingImages", 2],
      ["osm.imagesUnreadable", 1],
    ]);
  });
});

describe("latestJobOfKind", () => {
  // ImportKind: 0 tiles, 1 OpenSolarMap. The project was created by an OpenSolarMap import, then
  // got a tile import, then was imported from OpenSolarMap again: the newest job is not a tile one.
  const jobs = [
    { id: "osm-2", kind: 1 },
    { id: "tiles-1", kind: 0 },
    { id: "osm-1", kind: 1 },
  ];
  type Request = { projectId: string; kind: number; limit: number };

  it("asks the server for the section's own kind, one job, and shows it", async () => {
    const asked: Request[] = [];
    // A server that filters by kind, then applies the limit.
    const server = async (request: Request) => {
      asked.push(request);
      return { jobs: jobs.filter((j) => j.kind === request.kind).slice(0, request.limit) };
    };
    expect(await latestJobOfKind(server, "p1", 0)).toEqual({ id: "tiles-1", kind: 0 });
    expect(await latestJobOfKind(server, "p1", 1)).toEqual({ id: "osm-2", kind: 1 });
    expect(asked).toEqual([
      { projectId: "p1", kind: 0, limit: 1 },
      { projectId: "p1", kind: 1, limit: 1 },
    ]);
  });

  it("never shows another kind's job as the section's report", async () => {
    // A server that ignores the kind (older than the filter): the project's latest job of any kind.
    const ignoresKind = async (request: Request) => ({ jobs: jobs.slice(0, request.limit) });
    expect(await latestJobOfKind(ignoresKind, "p1", 0)).toBeUndefined();
    expect(await latestJobOfKind<(typeof jobs)[number]>(async () => ({ jobs: [] }), "p1", 0)).toBeUndefined();
  });
});
