import { describe, expect, it } from "vitest";
import { activitySeries, activityTotals, formatPeriod } from "../src/activity";
import { lineChart } from "../src/charts";
import { t } from "../src/i18n";

const periods = [
  { period: "2026-11-02", answers: 5, contributors: 2 },
  { period: "2026-11-03", answers: 0, contributors: 0 },
  { period: "2026-11-04", answers: 12, contributors: 4 },
];

describe("participation chart helpers", () => {
  it("gives answers and contributors as two series over the same periods, empty days included", () => {
    const series = activitySeries(periods, { answers: "Réponses", contributors: "Contributeurs" });
    expect(series.map((s) => s.name)).toEqual(["Réponses", "Contributeurs"]);
    expect(series[0]?.points).toEqual([
      { x: "2026-11-02", y: 5 },
      { x: "2026-11-03", y: 0 },
      { x: "2026-11-04", y: 12 },
    ]);
    expect(series[1]?.points.map((p) => p.y)).toEqual([2, 0, 4]);
    expect(lineChart(series, { id: "a", title: "t", description: "d", xLabel: "x", yLabel: "y", emptyMessage: "none" }).kind).toBe("chart");
  });

  it("names days and months in the page's language", () => {
    expect(formatPeriod("2026-11-02", "fr")).toBe("2 nov.");
    expect(formatPeriod("2026-11-02", "en")).toBe("2 Nov");
    expect(formatPeriod("2015-06", "fr")).toBe("juin 2015");
    expect(formatPeriod("2015-06", "en")).toBe("Jun 2015");
  });

  it("sums the answers and finds the busiest period for the chart's description", () => {
    const { answers, busiest } = activityTotals(periods);
    expect(answers).toBe(17);
    expect(busiest?.period).toBe("2026-11-04");
    expect(t("activity.chartDesc", { from: "2 nov.", to: "4 nov.", answers: "17", n: 17, most: "12", busiest: "4 nov." }, "fr")).toBe(
      "Du 2 nov. au 4 nov. : 17 réponses en tout ; le plus de réponses : 12 (4 nov.).",
    );
    expect(activityTotals([]).busiest).toBeUndefined();
  });
});
