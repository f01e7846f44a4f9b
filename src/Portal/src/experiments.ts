// Pure logic of the researchers' pages: reading the forms, checking an allocation, and writing
// effects, intervals and p-values the way each language writes numbers. Unit-tested in tests/.

import type { Lang } from "./i18n";

export const LEVERS = ["tone", "frequency", "question_mode"] as const;
export const AUDIENCES = ["all", "new", "returning"] as const;
export type Lever = (typeof LEVERS)[number];
export type Audience = (typeof AUDIENCES)[number];

export interface VariantDraft {
  name: string;
  /** As typed: "33,5" and "33.5" both read 33.5. */
  percent: string;
}

/** A number typed by a person, with a comma or a point as decimal separator; NaN when not a number. */
export function parseDecimal(text: string): number {
  const s = text.trim().replace(/\s|\u202f|\u00a0/g, "").replace(",", ".");
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
}

/** Sum of the typed percentages (NaN when one is not a number), rounded to absorb 33.3 + 33.3 + 33.4 float noise. */
export function allocationTotal(variants: readonly VariantDraft[]): number {
  let total = 0;
  for (const v of variants) {
    const p = parseDecimal(v.percent);
    if (!Number.isFinite(p)) {
      return Number.NaN;
    }
    total += p;
  }
  return Math.round(total * 1e6) / 1e6;
}

export type AllocationProblem = { kind: "notANumber"; index: number } | { kind: "sum"; total: number };

/** What the allocation editor checks before sending: numbers, summing to exactly 100. The server checks the rest. */
export function allocationProblems(variants: readonly VariantDraft[]): AllocationProblem[] {
  const problems: AllocationProblem[] = [];
  variants.forEach((v, index) => {
    if (!Number.isFinite(parseDecimal(v.percent))) {
      problems.push({ kind: "notANumber", index });
    }
  });
  if (problems.length === 0) {
    const total = allocationTotal(variants);
    if (total !== 100) {
      problems.push({ kind: "sum", total });
    }
  }
  return problems;
}

/** Percentages split as evenly as possible in whole numbers, the remainder to the first variants (34/33/33). */
export function evenSplit(count: number): number[] {
  if (count <= 0) {
    return [];
  }
  const base = Math.floor(100 / count);
  const rest = 100 - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < rest ? 1 : 0));
}

/** Project ids or channels typed in one field: separated by commas, semicolons, spaces or lines; no duplicates. */
export function parseList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/u).map((s) => s.trim()).filter((s) => s !== ""))];
}

export interface ExperimentDraft {
  name: string;
  lever: string;
  variants: VariantDraft[];
  seed: string;
  projectIds: string;
  channels: string;
  audience: string;
  allowOverlap: boolean;
}

/**
 * The Experiment sent to DefineExperiment. Values are sent as typed (trimmed) so the server's
 * validation speaks about what the researcher wrote. The form refuses a percentage that is not a
 * number before sending (allocationProblems); should one get through it is sent as -1, which the
 * server refuses, rather than NaN.
 */
export function toExperiment(d: ExperimentDraft): {
  name: string;
  lever: string;
  variants: { name: string; percent: number }[];
  seed: string;
  projectIds: string[];
  channels: string[];
  audience: string;
  status: string;
  allowOverlap: boolean;
} {
  return {
    name: d.name.trim(),
    lever: d.lever,
    variants: d.variants.map((v) => {
      const p = parseDecimal(v.percent);
      return { name: v.name.trim(), percent: Number.isFinite(p) ? p : -1 };
    }),
    seed: d.seed.trim(),
    projectIds: parseList(d.projectIds),
    channels: parseList(d.channels).map((c) => c.toLowerCase()),
    audience: d.audience,
    status: "draft",
    allowOverlap: d.allowOverlap,
  };
}

/** Default variant names per lever (the ones the platform serves); researchers may rename them. */
/** The variant names the platform's campaigns understand for each lever (the first is the control: the campaign's usual setting). */
export function defaultVariants(lever: string): VariantDraft[] {
  const names = lever === "tone" ? ["impact", "neutral", "playful"] : lever === "question_mode" ? ["single", "series"] : ["three_a_week", "daily", "weekly"];
  return names.map((name, i) => ({ name, percent: String(evenSplit(names.length)[i] ?? 0) }));
}

// ——— Numbers as each language writes them ———

const locale = (lang: Lang) => (lang === "fr" ? "fr-FR" : "en-GB");

/** Intl's French puts narrow no-break spaces before "%"; one kind of space is easier to read and to test. */
const spaces = (s: string) => s.replace(/\u202f/g, "\u00a0");

/** A relative effect (0.12 = +12 %), signed. */
export function formatRelative(x: number, lang: Lang): string {
  if (!Number.isFinite(x)) {
    return "—";
  }
  return spaces(new Intl.NumberFormat(locale(lang), { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(x));
}

/** A 95 % interval of a relative effect: « [−4,1 % ; +6,8 %] », "[−4.1%, +6.8%]". */
export function formatInterval(low: number, high: number, lang: Lang): string {
  return lang === "fr" ? `[${formatRelative(low, lang)} ; ${formatRelative(high, lang)}]` : `[${formatRelative(low, lang)}, ${formatRelative(high, lang)}]`;
}

/** A p-value: two significant digits, "< 0,001" below one in a thousand. */
export function formatP(p: number, lang: Lang): string {
  if (!Number.isFinite(p)) {
    return "—";
  }
  const f = new Intl.NumberFormat(locale(lang), { maximumSignificantDigits: 2 });
  return p < 0.001 ? spaces(`< ${new Intl.NumberFormat(locale(lang), { minimumFractionDigits: 3 }).format(0.001)}`) : spaces(f.format(p));
}

export type MetricKind = "proportion" | "mean";

/** Proportions (z-tests) are shown as percentages, means (Welch's t on counts) as numbers. */
export function metricKind(test: string): MetricKind {
  return /proportion|(^|[^a-z])z([^a-z]|$)|z[-_]?test/i.test(test) ? "proportion" : "mean";
}

export function formatValue(v: number, kind: MetricKind, lang: Lang): string {
  if (!Number.isFinite(v)) {
    return "—";
  }
  return kind === "proportion"
    ? spaces(new Intl.NumberFormat(locale(lang), { style: "percent", maximumFractionDigits: 1 }).format(v))
    : spaces(new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 2 }).format(v));
}

export function formatCount(n: number | bigint, lang: Lang): string {
  return spaces(new Intl.NumberFormat(locale(lang)).format(n));
}

/** A percentage of an allocation (33.5 → « 33,5 % »). */
export function formatShare(percent: number, lang: Lang): string {
  return spaces(new Intl.NumberFormat(locale(lang), { style: "percent", maximumFractionDigits: 2 }).format(percent / 100));
}

/** "2025-03-01" → « 1 mars » / "1 Mar"; other labels unchanged. */
export function formatDay(day: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) {
    return day;
  }
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale(lang), { day: "numeric", month: "short", timeZone: "UTC" }).format(date);
}

export function formatDateTime(unixSeconds: number | bigint, lang: Lang, timeZone?: string): string {
  const ms = Number(unixSeconds) * 1000;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeStyle: "short", ...(timeZone ? { timeZone } : {}) }).format(new Date(ms));
}

// ——— Results ———

interface MetricRow {
  metric: string;
  metricName: string;
}

/** Metric results grouped per metric (one table each), in the server's order. */
export function groupByMetric<M extends MetricRow>(rows: readonly M[]): { metric: string; metricName: string; rows: M[] }[] {
  const groups = new Map<string, { metric: string; metricName: string; rows: M[] }>();
  for (const r of rows) {
    let g = groups.get(r.metric);
    if (!g) {
      g = { metric: r.metric, metricName: r.metricName || r.metric, rows: [] };
      groups.set(r.metric, g);
    }
    g.rows.push(r);
  }
  return [...groups.values()];
}

/** Contributors exposed per variant against the plan: every planned variant listed, even at zero. */
export function exposureRows(
  variantsInOrder: readonly string[],
  exposed: readonly { variant: string; contributors: bigint | number }[],
  plannedPerArm: bigint | number,
): { variant: string; contributors: number; planned: number; percent: number }[] {
  const counts = new Map<string, number>();
  for (const e of exposed) {
    counts.set(e.variant, (counts.get(e.variant) ?? 0) + Number(e.contributors));
  }
  const names = [...variantsInOrder, ...[...counts.keys()].filter((n) => !variantsInOrder.includes(n))];
  const planned = Number(plannedPerArm);
  return names.map((variant) => {
    const contributors = counts.get(variant) ?? 0;
    return { variant, contributors, planned, percent: planned > 0 ? Math.min(100, Math.floor((contributors * 100) / planned)) : 0 };
  });
}
