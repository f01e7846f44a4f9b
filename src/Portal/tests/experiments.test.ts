import { describe, expect, it } from "vitest";
import {
  allocationProblems,
  allocationTotal,
  defaultVariants,
  evenSplit,
  exposureRows,
  formatDay,
  formatInterval,
  formatP,
  formatRelative,
  formatShare,
  formatValue,
  groupByMetric,
  metricKind,
  parseDecimal,
  parseList,
  toExperiment,
} from "../src/experiments";

const nbsp = "\u00a0";
const v = (...percents: string[]) => percents.map((percent, i) => ({ name: `v${i}`, percent }));

describe("allocation", () => {
  it("reads percentages typed with a comma or a point", () => {
    expect(parseDecimal("33,5")).toBe(33.5);
    expect(parseDecimal(" 33.5 ")).toBe(33.5);
    expect(parseDecimal("50")).toBe(50);
    expect(Number.isNaN(parseDecimal(""))).toBe(true);
    expect(Number.isNaN(parseDecimal("12abc"))).toBe(true);
    expect(Number.isNaN(parseDecimal("1,2,3"))).toBe(true);
  });

  it("sums exactly to 100 despite float noise", () => {
    expect(allocationTotal(v("33.3", "33.3", "33.4"))).toBe(100);
    expect(allocationTotal(v("0.1", "0.2", "99.7"))).toBe(100);
    expect(allocationProblems(v("34", "33", "33"))).toEqual([]);
  });

  it("refuses a total other than 100 and says the total", () => {
    expect(allocationProblems(v("50", "40"))).toEqual([{ kind: "sum", total: 90 }]);
    expect(allocationProblems(v("60", "50"))).toEqual([{ kind: "sum", total: 110 }]);
  });

  it("points at the percentages that are not numbers", () => {
    expect(allocationProblems(v("50", "", "x"))).toEqual([
      { kind: "notANumber", index: 1 },
      { kind: "notANumber", index: 2 },
    ]);
  });

  it("splits evenly, the remainder to the first variants", () => {
    expect(evenSplit(3)).toEqual([34, 33, 33]);
    expect(evenSplit(2)).toEqual([50, 50]);
    expect(evenSplit(7).reduce((a, b) => a + b, 0)).toBe(100);
    expect(evenSplit(0)).toEqual([]);
    expect(allocationProblems(defaultVariants("tone"))).toEqual([]);
    // The names campaigns understand, the campaign's usual setting first (the control).
    expect(defaultVariants("tone").map((x) => x.name)).toEqual(["impact", "neutral", "playful"]);
    expect(defaultVariants("frequency").map((x) => x.name)).toEqual(["three_a_week", "daily", "weekly"]);
    expect(defaultVariants("question_mode").map((x) => x.name)).toEqual(["single", "series"]);
  });
});

describe("define request", () => {
  it("builds the Experiment from the form, lists split and trimmed", () => {
    const e = toExperiment({
      name: "  NudgeTone ",
      lever: "tone",
      variants: [
        { name: " neutral", percent: "50" },
        { name: "playful ", percent: "50,0" },
      ],
      seed: " tone-2025-03 ",
      projectIds: "opensolarmap, autre-projet\nopensolarmap",
      channels: "Slack;  ",
      audience: "new",
      allowOverlap: true,
    });
    expect(e).toEqual({
      name: "NudgeTone",
      lever: "tone",
      variants: [
        { name: "neutral", percent: 50 },
        { name: "playful", percent: 50 },
      ],
      seed: "tone-2025-03",
      projectIds: ["opensolarmap", "autre-projet"],
      channels: ["slack"],
      audience: "new",
      status: "draft",
      allowOverlap: true,
    });
  });

  it("leaves empty targeting empty (no restriction)", () => {
    expect(parseList("  \n , ")).toEqual([]);
  });
});

describe("numbers in each language", () => {
  it("writes relative effects signed, as percentages", () => {
    expect(formatRelative(0.12, "fr")).toBe(`+12${nbsp}%`);
    expect(formatRelative(0.12, "en")).toBe("+12%");
    expect(formatRelative(-0.041, "fr")).toMatch(/^[-−]4,1\u00a0%$/u);
    expect(formatRelative(0, "en")).toBe("0%");
    expect(formatRelative(Number.NaN, "en")).toBe("—");
  });

  it("writes 95 % intervals with each language's separator", () => {
    expect(formatInterval(0.03, 0.21, "fr")).toBe(`[+3${nbsp}% ; +21${nbsp}%]`);
    expect(formatInterval(0.03, 0.21, "en")).toBe("[+3%, +21%]");
  });

  it("writes p-values with two significant digits, tiny ones as a bound", () => {
    expect(formatP(0.004, "fr")).toBe("0,004");
    expect(formatP(0.66, "en")).toBe("0.66");
    expect(formatP(0.0452, "en")).toBe("0.045");
    expect(formatP(0.0000123, "fr")).toBe("< 0,001");
    expect(formatP(1, "en")).toBe("1");
  });

  it("shows proportions as percentages and means as numbers", () => {
    expect(metricKind("two_proportion_z")).toBe("proportion");
    expect(metricKind("z")).toBe("proportion");
    expect(metricKind("welch_t")).toBe("mean");
    expect(formatValue(0.1234, "proportion", "en")).toBe("12.3%");
    expect(formatValue(65.165, "mean", "fr")).toBe("65,17");
    expect(formatShare(33.5, "fr")).toBe(`33,5${nbsp}%`);
  });

  it("writes days short, in each language", () => {
    expect(formatDay("2025-03-01", "fr")).toMatch(/^1 mars$/);
    expect(formatDay("2025-03-01", "en")).toMatch(/^1 Mar/);
    expect(formatDay("J+3", "en")).toBe("J+3");
  });
});

describe("results", () => {
  it("groups metric rows per metric, keeping the server's order", () => {
    const rows = [
      { metric: "answers_7d", metricName: "Réponses sur 7 jours", variant: "playful" },
      { metric: "opt_out", metricName: "", variant: "playful" },
      { metric: "answers_7d", metricName: "Réponses sur 7 jours", variant: "impact" },
    ];
    const g = groupByMetric(rows);
    expect(g.map((x) => [x.metric, x.metricName, x.rows.map((r) => r.variant)])).toEqual([
      ["answers_7d", "Réponses sur 7 jours", ["playful", "impact"]],
      ["opt_out", "opt_out", ["playful"]],
    ]);
  });

  it("lists every variant's exposure against the plan, unplanned variants last", () => {
    const rows = exposureRows(["neutral", "playful", "impact"], [
      { variant: "playful", contributors: 1500n },
      { variant: "neutral", contributors: 29765n * 2n },
      { variant: "old", contributors: 3n },
    ], 29765n);
    expect(rows).toEqual([
      { variant: "neutral", contributors: 59530, planned: 29765, percent: 100 },
      { variant: "playful", contributors: 1500, planned: 29765, percent: 5 },
      { variant: "impact", contributors: 0, planned: 29765, percent: 0 },
      { variant: "old", contributors: 3, planned: 29765, percent: 0 },
    ]);
    expect(exposureRows(["a"], [{ variant: "a", contributors: 5n }], 0n)[0]?.percent).toBe(0);
  });
});
