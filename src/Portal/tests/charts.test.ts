import { describe, expect, it } from "vitest";
import { chartTable, lineChart, linearScale, niceTicks, seriesOf, styleFor, toSvgString, walk, xPositions, type ChartSeries, type SvgNode } from "../src/charts";

const options = { id: "c1", title: "Réponses sur 7 jours", description: "Une courbe par variante.", xLabel: "Jour", yLabel: "Réponses", emptyMessage: "Pas encore de données." };

const series: ChartSeries[] = [
  { name: "neutral", points: [{ x: "2025-03-01", y: 10 }, { x: "2025-03-02", y: 12 }, { x: "2025-03-03", y: 11 }] },
  { name: "playful", points: [{ x: "2025-03-01", y: 9 }, { x: "2025-03-03", y: 15 }] },
];

function svgOf(s: readonly ChartSeries[], extra: Partial<typeof options> = {}): SvgNode {
  const chart = lineChart(s, { ...options, ...extra });
  if (chart.kind !== "chart") {
    throw new Error("expected a chart");
  }
  return chart.svg;
}

const paths = (svg: SvgNode) => walk(svg).filter((n) => n.tag === "path");
/** The numbers of a path's "M x y L x y" commands, as [x, y] pairs. */
const coords = (d: string) => [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);

describe("scales", () => {
  it("maps a domain linearly onto a range, inverted for the y axis", () => {
    const y = linearScale([0, 100], [300, 0]);
    expect(y(0)).toBe(300);
    expect(y(100)).toBe(0);
    expect(y(25)).toBe(225);
  });

  it("puts a single value in the middle of the range", () => {
    expect(linearScale([5, 5], [10, 30])(5)).toBe(20);
  });

  it("chooses round ticks that cover the data", () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.113, 0.187, 5)).toEqual([0.1, 0.12, 0.14, 0.16, 0.18, 0.2]);
    expect(niceTicks(-3, 7, 5)).toEqual([-4, -2, 0, 2, 4, 6, 8]);
    const t = niceTicks(3, 97, 5);
    expect(t[0]).toBeLessThanOrEqual(3);
    expect(t.at(-1)).toBeGreaterThanOrEqual(97);
    expect(t.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < t.length; i++) {
      expect((t[i] ?? 0) - (t[i - 1] ?? 0)).toBeCloseTo(20, 9);
    }
  });

  it("widens a flat series instead of dividing by zero", () => {
    const t = niceTicks(0.5, 0.5);
    expect(t[0]).toBeLessThan(0.5);
    expect(t.at(-1)).toBeGreaterThan(0.5);
    expect(niceTicks(0, 0)).toContain(0);
  });

  it("places days by date, leaving a gap for a missing day", () => {
    const { values, position } = xPositions(["2025-03-03", "2025-03-01", "2025-03-01", "2025-03-02", "2025-03-10"]);
    expect(values).toEqual(["2025-03-01", "2025-03-02", "2025-03-03", "2025-03-10"]);
    expect(position("2025-03-02") - position("2025-03-01")).toBe(1);
    expect(position("2025-03-10") - position("2025-03-03")).toBe(7);
    // Across a month end too.
    const m = xPositions(["2025-02-28", "2025-03-01"]);
    expect(m.position("2025-03-01") - m.position("2025-02-28")).toBe(1);
  });
});

describe("lineChart", () => {
  it("draws one path per variant, in the variants' colours and dashes", () => {
    const svg = svgOf(series);
    const p = paths(svg);
    expect(p).toHaveLength(2);
    expect(p.map((n) => n.attrs["data-series"])).toEqual(["neutral", "playful"]);
    expect(p[0]?.attrs.stroke).toBe(styleFor(0).color);
    expect(p[1]?.attrs.stroke).toBe(styleFor(1).color);
    expect(p[0]?.attrs.stroke).not.toBe(p[1]?.attrs.stroke);
    expect(p[1]?.attrs["stroke-dasharray"]).toBe(styleFor(1).dash);
  });

  it("puts later days to the right and larger values higher", () => {
    const svg = svgOf(series);
    const neutral = coords(String(paths(svg)[0]?.attrs.d));
    expect(neutral).toHaveLength(3);
    const [a, b, c] = neutral;
    expect(a && b && c).toBeTruthy();
    expect(a![0]).toBeLessThan(b![0]);
    expect(b![0]).toBeLessThan(c![0]);
    // 12 (day 2) is above 10 (day 1): smaller y in SVG coordinates.
    expect(b![1]).toBeLessThan(a![1]);
    // The same day is at the same x in both series; playful's 15 is the highest point.
    const playful = coords(String(paths(svg)[1]?.attrs.d));
    expect(playful[0]![0]).toBe(a![0]);
    expect(playful[1]![0]).toBe(c![0]);
    expect(Math.min(...[...neutral, ...playful].map(([, y]) => y))).toBe(playful[1]![1]);
  });

  it("keeps every point inside the plot", () => {
    const svg = svgOf(series);
    const [, , w, hgt] = String(svg.attrs.viewBox).split(" ").map(Number);
    for (const n of paths(svg)) {
      for (const [x, y] of coords(String(n.attrs.d))) {
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThan(w!);
        expect(y).toBeGreaterThan(0);
        expect(y).toBeLessThan(hgt!);
      }
    }
  });

  it("labels both axes and lists every variant in the legend", () => {
    const svg = svgOf(series);
    const texts = walk(svg)
      .filter((n) => n.tag === "text")
      .flatMap((n) => n.children.filter((c): c is string => typeof c === "string"));
    expect(texts).toContain("Jour");
    expect(texts).toContain("Réponses");
    const legend = walk(svg).find((n) => n.attrs.class === "chart-legend");
    expect(legend?.children).toHaveLength(2);
    expect(toSvgString(legend!)).toContain(">neutral<");
    expect(toSvgString(legend!)).toContain(">playful<");
  });

  it("formats tick labels with the given formatters", () => {
    const svg = svgOf(series, {});
    const withFormat = lineChart(series, { ...options, formatX: (d) => d.slice(8), formatY: (v) => `${v} rép.` });
    expect(withFormat.kind).toBe("chart");
    const s = toSvgString(withFormat.kind === "chart" ? withFormat.svg : svg);
    expect(s).toContain(">01<");
    expect(s).toContain(" rép.<");
  });

  it("is an image named by its title and description", () => {
    const svg = svgOf(series);
    expect(svg.attrs.role).toBe("img");
    expect(svg.attrs["aria-labelledby"]).toBe("c1-title c1-desc");
    const title = walk(svg).find((n) => n.tag === "title");
    const desc = walk(svg).find((n) => n.tag === "desc");
    expect(title?.attrs.id).toBe("c1-title");
    expect(title?.children).toEqual(["Réponses sur 7 jours"]);
    expect(desc?.attrs.id).toBe("c1-desc");
  });

  it("says there is no data instead of drawing an empty chart", () => {
    expect(lineChart([], options)).toEqual({ kind: "empty", message: "Pas encore de données." });
    expect(lineChart([{ name: "neutral", points: [] }, { name: "playful", points: [{ x: "2025-03-01", y: Number.NaN }] }], options)).toEqual({
      kind: "empty",
      message: "Pas encore de données.",
    });
  });

  it("keeps a variant without data in the legend but draws no line for it", () => {
    const svg = svgOf([...series, { name: "impact", points: [] }]);
    expect(paths(svg)).toHaveLength(2);
    expect(walk(svg).find((n) => n.attrs.class === "chart-legend")?.children).toHaveLength(3);
  });

  it("draws a one-day series as a visible point", () => {
    const svg = svgOf([{ name: "neutral", points: [{ x: "2025-03-01", y: 0.4 }] }]);
    expect(paths(svg)).toHaveLength(1);
    const lines = walk(svg).find((g) => g.attrs.class === "chart-series");
    expect(walk(lines!).filter((n) => n.tag === "circle")).toHaveLength(1);
    const [[x, y]] = coords(String(paths(svg)[0]?.attrs.d)) as [readonly [number, number]];
    expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
  });

  it("wraps a long legend onto more rows and grows the image", () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `variante-au-nom-assez-long-${i}`, points: [{ x: "2025-03-01", y: i }] }));
    const small = svgOf(series);
    const big = svgOf(many);
    expect(Number(big.attrs.height)).toBeGreaterThan(Number(small.attrs.height));
    const ys = new Set(walk(big).filter((n) => n.attrs.class === "legend-item").map((g) => (g.children[0] as SvgNode).attrs.y1));
    expect(ys.size).toBeGreaterThan(1);
  });
});

describe("escaping", () => {
  it("escapes variant names, titles and labels in the markup", () => {
    const evil = '<script>alert("x")</script> & \'co\'';
    const chart = lineChart([{ name: evil, points: [{ x: "2025-03-01", y: 1 }] }], { ...options, title: "a < b", xLabel: '"jour"' });
    expect(chart.kind).toBe("chart");
    const s = toSvgString(chart.kind === "chart" ? chart.svg : { tag: "svg", attrs: {}, children: [] });
    expect(s).not.toContain("<script>");
    expect(s).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
    expect(s).toContain("a &lt; b");
    expect(s).toContain("&quot;jour&quot;");
    // The data-series attribute holds the name escaped too: no attribute can be broken out of.
    expect(s).toMatch(/data-series="&lt;script&gt;[^"]*"/);
  });
});

describe("series and table", () => {
  const points = [
    { day: "2025-03-02", metric: "answers_7d", variant: "playful", value: 5 },
    { day: "2025-03-01", metric: "answers_7d", variant: "playful", value: 4 },
    { day: "2025-03-01", metric: "answers_7d", variant: "neutral", value: 3 },
    { day: "2025-03-01", metric: "opt_out", variant: "neutral", value: 0.01 },
    { day: "2025-03-01", metric: "answers_7d", variant: "surprise", value: 1 },
  ];

  it("groups one metric's points per variant, control first, sorted by day", () => {
    const s = seriesOf(points, "answers_7d", ["neutral", "playful", "impact"]);
    expect(s.map((x) => x.name)).toEqual(["neutral", "playful", "impact", "surprise"]);
    expect(s[1]?.points).toEqual([{ x: "2025-03-01", y: 4 }, { x: "2025-03-02", y: 5 }]);
    expect(s[2]?.points).toEqual([]);
  });

  it("gives the same data as a table, blank where a variant has no value", () => {
    const table = chartTable(seriesOf(points, "answers_7d", ["neutral", "playful"]));
    expect(table.xs).toEqual(["2025-03-01", "2025-03-02"]);
    expect(table.rows).toEqual([
      [3, 4, 1],
      [undefined, 5, undefined],
    ]);
  });
});
