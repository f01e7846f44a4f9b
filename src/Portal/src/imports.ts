// Pure logic of the tile import form and its background job (ImportService): what the form
// checks before sending, and how a job's state reads. Unit-tested in tests/imports.test.ts.

/** Why a tile URL template would be refused, checked before sending (the server checks again). */
export type TemplateProblem = "empty" | "scheme" | "placeholders";

export function templateProblem(template: string): TemplateProblem | null {
  const t = template.trim();
  if (t === "") {
    return "empty";
  }
  if (!/^https?:\/\/[^/{}\s]+/i.test(t)) {
    return "scheme";
  }
  if (!t.includes("{z}") || !t.includes("{x}") || !(t.includes("{y}") || t.includes("{-y}"))) {
    return "placeholders";
  }
  return null;
}

/** A whole number typed in a field, within [min, max]; null otherwise. */
export function parseWhole(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) {
    return null;
  }
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

export const ZOOM_MIN = 0;
export const ZOOM_MAX = 24;
export const MARGIN_MAX = 1024;

/** Whether a file looks like GeoJSON by its name (the server reads it in any case). */
export function isGeoJsonName(name: string): boolean {
  return /\.(geo)?json$/i.test(name.trim());
}

/** A job's phase, from the proto's state number (1 queued, 2 running, 3 done, 4 failed). */
export type JobPhase = "queued" | "running" | "done" | "failed" | "unknown";

export function jobPhase(state: number): JobPhase {
  switch (state) {
    case 1:
      return "queued";
    case 2:
      return "running";
    case 3:
      return "done";
    case 4:
      return "failed";
    default:
      return "unknown";
  }
}

/** True while the portal should keep asking for news. */
export function isActive(state: number): boolean {
  const phase = jobPhase(state);
  return phase === "queued" || phase === "running";
}

/**
 * An import section's latest job: it asks ListImportJobs for the jobs of its own kind only (the
 * server applies the limit of 1 after that filter), and shows none rather than another kind's job
 * should a server list one anyway. A project's latest job of any kind is not the section's: on a
 * project imported from OpenSolarMap, the tile import section showed that import as its report.
 */
export async function latestJobOfKind<J extends { kind: number }>(
  list: (request: { projectId: string; kind: J["kind"]; limit: number }) => Promise<{ jobs: J[] }>,
  projectId: string,
  kind: J["kind"],
): Promise<J | undefined> {
  const { jobs } = await list({ projectId, kind, limit: 1 });
  return jobs.find((j) => j.kind === kind);
}

/** Whole percent of features processed (0 when there are none). */
export function jobPercent(job: { processed: number; features: number }): number {
  if (job.features <= 0) {
    return 0;
  }
  return Math.max(0, Math.min(100, Math.floor((job.processed * 100) / job.features)));
}

/** Whether every feature is accounted for: features = added + duplicates + rejected + bad. */
export function accountedFor(job: { features: number; itemsAdded: number; duplicates: number; rejected: number; badFeatures: number }): boolean {
  return job.features === job.itemsAdded + job.duplicates + job.rejected + job.badFeatures;
}

/** Milliseconds before the next poll: every second at first, then every two seconds after a minute. */
export function pollDelay(elapsedMs: number): number {
  return elapsedMs < 60_000 ? 1000 : 2000;
}

/** An archive of images the OpenSolarMap import accepts (by name; the server checks the bytes). */
export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name.trim());
}

/** A CSV file (by name). */
export function isCsvName(name: string): boolean {
  return /\.csv$/i.test(name.trim());
}

/** What an OpenSolarMap import report says, as (i18n key, count) lines: what was done, facts worth knowing, then every non-zero problem. */
export function osmReportLines(report: {
  itemsImported: number;
  itemsAlreadyPresent: number;
  answersImported: number;
  answersAlreadyPresent: number;
  itemsRetiredByRefit: number;
  contributorsCreated: number;
  imagesWithoutAnswers: number;
  imagesUnreadable: number;
  imagesWithoutFootprint: number;
  imagesDuplicateContent: number;
  answersOnMissingImages: number;
  answersRepeatedSameContributor: number;
  rowsUnusable: number;
}): { key: string; count: number; problem: boolean }[] {
  const done = [
    { key: "osm.itemsImported", count: report.itemsImported },
    { key: "osm.answersImported", count: report.answersImported },
    { key: "osm.contributorsCreated", count: report.contributorsCreated },
    { key: "osm.itemsRetiredByRefit", count: report.itemsRetiredByRefit },
    { key: "osm.itemsAlreadyPresent", count: report.itemsAlreadyPresent },
    { key: "osm.answersAlreadyPresent", count: report.answersAlreadyPresent },
  ].map((l) => ({ ...l, problem: false }));
  const problems = [
    { key: "osm.rowsUnusable", count: report.rowsUnusable },
    { key: "osm.answersOnMissingImages", count: report.answersOnMissingImages },
    { key: "osm.answersRepeated", count: report.answersRepeatedSameContributor },
    { key: "osm.imagesUnreadable", count: report.imagesUnreadable },
    { key: "osm.imagesDuplicate", count: report.imagesDuplicateContent },
  ]
    .filter((l) => l.count > 0)
    .map((l) => ({ ...l, problem: true }));
  // Facts, not faults: an image nobody answered yet, or without a footprint (buildings.csv is optional).
  const notes = [
    { key: "osm.imagesWithoutAnswers", count: report.imagesWithoutAnswers },
    { key: "osm.imagesWithoutFootprint", count: report.imagesWithoutFootprint },
  ]
    .filter((l) => l.count > 0)
    .map((l) => ({ ...l, problem: false }));
  return [...done.filter((l, i) => i < 4 || l.count > 0), ...notes, ...problems];
}
