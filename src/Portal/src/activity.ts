// Pure helpers of the project page's participation chart (tested in tests/activity.test.ts).

import type { ChartSeries } from "./charts";
import { formatDay } from "./experiments";
import type { Lang } from "./i18n";

export interface Period {
  period: string;
  answers: number;
  contributors: number;
}

/** Two series over the same periods: answers, and distinct contributors. */
export function activitySeries(periods: readonly Period[], names: { answers: string; contributors: string }): ChartSeries[] {
  return [
    { name: names.answers, points: periods.map((p) => ({ x: p.period, y: p.answers })) },
    { name: names.contributors, points: periods.map((p) => ({ x: p.period, y: p.contributors })) },
  ];
}

/** "2026-11-02" → « 2 nov. » / "2 Nov"; "2015-06" → « juin 2015 » / "Jun 2015"; other labels unchanged. */
export function formatPeriod(period: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) {
    return formatDay(period, lang);
  }
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(date);
}

/** Totals over the whole span, for the chart's description. */
export function activityTotals(periods: readonly Period[]): { answers: number; busiest: Period | undefined } {
  let busiest: Period | undefined;
  let answers = 0;
  for (const p of periods) {
    answers += p.answers;
    if (!busiest || p.answers > busiest.answers) {
      busiest = p;
    }
  }
  return { answers, busiest };
}
