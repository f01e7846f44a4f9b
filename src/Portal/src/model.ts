// Pure helpers of the project page's "Model" section (tested in tests/model.test.ts).

import { type Lang, t } from "./i18n";
import { jobPhase } from "./imports";

/** The training states the portal knows, named as in i18n keys (model.state.*). */
export type TrainingState = "queued" | "running" | "done" | "failed" | "none";

/** Proto enum values (ModelTrainingState, numbered like the import jobs' states) → the portal's state names. */
export function trainingState(state: number | undefined): TrainingState {
  const phase = jobPhase(state ?? 0);
  return phase === "unknown" ? "none" : phase;
}

/** Whether the page should keep polling: a run is queued or running. */
export function isActive(state: TrainingState): boolean {
  return state === "queued" || state === "running";
}

/** Percentage of the current stage done (0 when its size is unknown), clamped to 0–100. */
export function stagePercent(done: number, total: number): number {
  if (!(total > 0) || !(done >= 0)) {
    return 0;
  }
  return Math.min(100, Math.max(0, (done / total) * 100));
}

/** A share in [0, 1] as a percentage in the page's language (0.9234 → « 92,3 % »). */
export function formatPercent(share: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB", { style: "percent", maximumFractionDigits: 1 })
    .format(share)
    .replace(/\u202f|\u00a0/g, " ");
}

/** The threshold as the owner reads it: "none" above 1 (no prediction is auto-labelled). */
export function formatThreshold(threshold: number, lang: Lang): string | null {
  return threshold > 1 ? null : formatPercent(threshold, lang);
}

/**
 * Reads the owner's target precision, typed as a percentage ("97", "97,5 %") or a share ("0.97");
 * null when it is not a number in 50–99.9 %.
 */
export function parsePrecision(text: string): number | null {
  const cleaned = text.replace(/[\s\u202f\u00a0%]/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) {
    return null;
  }
  let value = Number(cleaned);
  if (value > 1) {
    value /= 100;
  }
  value = Math.round(value * 10000) / 10000;
  return value >= 0.5 && value <= 0.999 ? value : null;
}

/**
 * Reads the owner's model prior weight, typed as a number from 0 to 1 ("0,5", "0.5", "1") or as a
 * percentage ("50 %"); null when it is not a number in 0–1 (0–100 %).
 */
export function parsePriorWeight(text: string): number | null {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const cleaned = trimmed.replace(/[\s\u202f\u00a0%]/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) {
    return null;
  }
  let value = Number(cleaned);
  if (percent) {
    value /= 100;
  }
  value = Math.round(value * 10000) / 10000;
  return value >= 0 && value <= 1 ? value : null;
}

/** The weight as the owner reads it: « 0,5 » / "0.5". */
export function formatWeight(weight: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 4 }).format(weight);
}

/** Confusion matrix rows with the row total and whether each cell is on the diagonal (correct). */
export function confusionRows(classes: readonly string[], rows: readonly { counts: readonly number[] }[]): { label: string; cells: { count: number; correct: boolean }[]; total: number }[] {
  return classes.map((label, i) => {
    const counts = rows[i]?.counts ?? [];
    const cells = classes.map((_, j) => ({ count: counts[j] ?? 0, correct: i === j }));
    return { label, cells, total: cells.reduce((s, c) => s + c.count, 0) };
  });
}

/**
 * A finished run's outcome in the page's language, from the version it produced (accuracy as a
 * percentage, machine labels counted); the server's message otherwise (a failure's reason).
 */
export function runSummary(
  run: { state: number; version: string; message: string },
  versions: readonly { version: string; accuracy: number; machineLabelled: number }[],
  lang: Lang,
): string {
  const version = run.version ? versions.find((v) => v.version === run.version) : undefined;
  if (trainingState(run.state) === "done" && version) {
    return t("model.runDone", { version: version.version, accuracy: formatPercent(version.accuracy, lang), machine: version.machineLabelled }, lang);
  }
  return run.message;
}
