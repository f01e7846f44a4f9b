// Line charts drawn as inline SVG, without any chart library (the page's CSP allows nothing
// external). Pure: data in, a description of the SVG out (SvgNode); dom.ts turns it into elements,
// toSvgString() into text (tests). Colours are also told apart by dash patterns and point markers,
// and every chart comes with a text alternative (title, desc, and a data table built by the page).

export interface SvgNode {
  tag: string;
  attrs: Readonly<Record<string, string | number>>;
  children: readonly (SvgNode | string)[];
}

/** One value of a series; x is a day ("YYYY-MM-DD", or any label sorting in time order). */
export interface ChartPoint {
  x: string;
  y: number;
}

export interface ChartSeries {
  name: string;
  points: readonly ChartPoint[];
}

export interface LineChartOptions {
  /** Prefix of the ids of <title> and <desc> (unique in the page). */
  id: string;
  title: string;
  description: string;
  xLabel: string;
  yLabel: string;
  /** Shown instead of a chart when no series has a finite value. */
  emptyMessage: string;
  width?: number;
  height?: number;
  formatX?: (x: string) => string;
  formatY?: (y: number) => string;
}

export type LineChart = { kind: "empty"; message: string } | { kind: "chart"; svg: SvgNode };

/** Dark enough for 3:1 against white (WCAG 1.4.11), and paired with distinct dash patterns. */
export const PALETTE: readonly string[] = ["#000091", "#b34000", "#047857", "#7e22ce", "#9a6700", "#be123c", "#0e7490", "#3f3f46"];
export const DASHES: readonly string[] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "12 4", "1 4", "6 2 2 2"];

export function styleFor(index: number): { color: string; dash: string } {
  const i = ((index % PALETTE.length) + PALETTE.length) % PALETTE.length;
  return { color: PALETTE[i] ?? "#000000", dash: DASHES[i % DASHES.length] ?? "" };
}

/** A linear map from a domain onto a range; a zero-width domain maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) {
    return () => (r0 + r1) / 2;
  }
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Round tick values (1, 2, 2.5 or 5 × 10^n) covering [min, max], first ≤ min and last ≥ max. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return [0, 1];
  }
  if (min > max) {
    [min, max] = [max, min];
  }
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step + 1e-9) * step;
  const last = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first, i = 0; v <= last + step / 2 && i < 100; v += step, i++) {
    // Strip binary noise (0.30000000000000004) so labels and tests read clean numbers.
    ticks.push(Number.parseFloat((first + i * step).toPrecision(12)));
  }
  return ticks;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Where each x value sits: days are placed by date (a missing day leaves a gap), other labels by
 * their sorted order.
 */
export function xPositions(xs: readonly string[]): { values: string[]; position: (x: string) => number } {
  const values = [...new Set(xs)].sort();
  const days = values.map((x) => {
    const m = ISO_DAY.exec(x);
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : Number.NaN;
  });
  if (days.every((d) => Number.isFinite(d))) {
    const byValue = new Map(values.map((v, i) => [v, days[i] ?? 0]));
    return { values, position: (x) => byValue.get(x) ?? 0 };
  }
  const index = new Map(values.map((v, i) => [v, i]));
  return { values, position: (x) => index.get(x) ?? 0 };
}

/** Series from a flat list of points (one metric), in the given variant order, then any other variant. */
export function seriesOf(
  points: readonly { day: string; metric: string; variant: string; value: number }[],
  metric: string,
  order: readonly string[] = [],
): ChartSeries[] {
  const byVariant = new Map<string, ChartPoint[]>();
  for (const name of order) {
    byVariant.set(name, []);
  }
  for (const p of points) {
    if (p.metric !== metric) {
      continue;
    }
    let list = byVariant.get(p.variant);
    if (!list) {
      list = [];
      byVariant.set(p.variant, list);
    }
    list.push({ x: p.day, y: p.value });
  }
  return [...byVariant.entries()].map(([name, pts]) => ({ name, points: [...pts].sort((a, b) => (a.x < b.x ? -1 : a.x > b.x ? 1 : 0)) }));
}

/** The same data as rows (one per x value, one cell per series; undefined where a series has no value). */
export function chartTable(series: readonly ChartSeries[]): { xs: string[]; rows: (number | undefined)[][] } {
  const { values } = xPositions(series.flatMap((s) => s.points.map((p) => p.x)));
  const rows = values.map((x) =>
    series.map((s) => {
      const p = s.points.find((q) => q.x === x && Number.isFinite(q.y));
      return p?.y;
    }),
  );
  return { xs: values, rows };
}

const node = (tag: string, attrs: Record<string, string | number> = {}, ...children: (SvgNode | string | null)[]): SvgNode => ({
  tag,
  attrs,
  children: children.filter((c): c is SvgNode | string => c !== null),
});

const round = (v: number) => Math.round(v * 10) / 10;

/** Rough width of a text in px at the given font size (the SVG is laid out before any font loads). */
function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.6;
}

export function lineChart(series: readonly ChartSeries[], options: LineChartOptions): LineChart {
  const clean = series.map((s) => ({ name: s.name, points: s.points.filter((p) => Number.isFinite(p.y)) }));
  const all = clean.flatMap((s) => s.points);
  if (all.length === 0) {
    return { kind: "empty", message: options.emptyMessage };
  }
  const formatX = options.formatX ?? ((x: string) => x);
  const formatY = options.formatY ?? ((y: number) => String(y));
  const width = options.width ?? 640;
  const fontSize = 12;

  const ticks = niceTicks(Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y)), 5);
  const tickLabels = ticks.map((v) => formatY(v));
  const left = Math.max(48, Math.ceil(Math.max(...tickLabels.map((l) => textWidth(l, fontSize)))) + 28);
  const top = 12;
  const right = 20;
  // The legend goes below the plot, wrapped into rows that fit the width.
  const legendItems: { name: string; index: number; x: number; row: number }[] = [];
  {
    let x = 0;
    let row = 0;
    const usable = width - left - right;
    series.forEach((s, index) => {
      const w = 36 + textWidth(s.name, fontSize) + 20;
      if (x > 0 && x + w > usable) {
        x = 0;
        row += 1;
      }
      legendItems.push({ name: s.name, index, x, row });
      x += w;
    });
  }
  const legendRows = (legendItems.at(-1)?.row ?? 0) + 1;

  const plotHeight = (options.height ?? 320) - top - 56;
  const bottom = top + plotHeight;
  const legendTop = bottom + 56;
  const height = legendTop + legendRows * 22 + 6;

  const { values: xs, position } = xPositions(all.map((p) => p.x));
  const first = xs[0] ?? "";
  const last = xs.at(-1) ?? "";
  const sx = linearScale([position(first), position(last)], [left + 8, width - right - 8]);
  const sy = linearScale([ticks[0] ?? 0, ticks.at(-1) ?? 1], [bottom, top]);

  // At most about 6 day labels, always the first and the last.
  const stepX = Math.max(1, Math.ceil(xs.length / 6));
  const xTicks = xs.filter((_, i) => i === xs.length - 1 || (i % stepX === 0 && xs.length - 1 - i >= stepX / 2));

  const grid = node(
    "g",
    { class: "chart-grid", "aria-hidden": "true" },
    ...ticks.map((v, i) =>
      node(
        "g",
        {},
        node("line", { x1: left, x2: width - right, y1: round(sy(v)), y2: round(sy(v)), stroke: "#d9d9d4", "stroke-width": 1 }),
        node("text", { x: left - 6, y: round(sy(v) + 4), "text-anchor": "end", "font-size": fontSize, fill: "#444444" }, tickLabels[i] ?? ""),
      ),
    ),
    ...xTicks.map((x) =>
      node(
        "g",
        {},
        node("line", { x1: round(sx(position(x))), x2: round(sx(position(x))), y1: bottom, y2: bottom + 5, stroke: "#444444", "stroke-width": 1 }),
        node("text", { x: round(sx(position(x))), y: bottom + 18, "text-anchor": "middle", "font-size": fontSize, fill: "#444444" }, formatX(x)),
      ),
    ),
  );

  const axes = node(
    "g",
    { class: "chart-axes", "aria-hidden": "true" },
    node("line", { x1: left, x2: left, y1: top, y2: bottom, stroke: "#444444", "stroke-width": 1 }),
    node("line", { x1: left, x2: width - right, y1: bottom, y2: bottom, stroke: "#444444", "stroke-width": 1 }),
    node("text", { class: "chart-axis-label", x: round((left + width - right) / 2), y: bottom + 40, "text-anchor": "middle", "font-size": fontSize + 1, fill: "#1e1e1e" }, options.xLabel),
    node(
      "text",
      {
        class: "chart-axis-label",
        x: 0,
        y: 0,
        transform: `translate(14 ${round((top + bottom) / 2)}) rotate(-90)`,
        "text-anchor": "middle",
        "font-size": fontSize + 1,
        fill: "#1e1e1e",
      },
      options.yLabel,
    ),
  );

  const lines = node(
    "g",
    { class: "chart-series", "aria-hidden": "true" },
    ...clean.map((s, index) => {
      if (s.points.length === 0) {
        return null;
      }
      const { color, dash } = styleFor(index);
      const sorted = [...s.points].sort((a, b) => position(a.x) - position(b.x));
      const d = sorted.map((p, i) => `${i === 0 ? "M" : "L"}${round(sx(position(p.x)))} ${round(sy(p.y))}`).join(" ");
      const markers = sorted.length <= 45 || sorted.length === 1;
      const pathAttrs: Record<string, string | number> = { class: "series-line", "data-series": s.name, d, fill: "none", stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round" };
      if (dash) {
        pathAttrs["stroke-dasharray"] = dash;
      }
      return node(
        "g",
        {},
        node("path", pathAttrs),
        ...(markers ? sorted.map((p) => node("circle", { cx: round(sx(position(p.x))), cy: round(sy(p.y)), r: 3, fill: color })) : []),
      );
    }),
  );

  const legend = node(
    "g",
    { class: "chart-legend" },
    ...legendItems.map((item) => {
      const { color, dash } = styleFor(item.index);
      const y = legendTop + item.row * 22;
      const x = left + item.x;
      const sample: Record<string, string | number> = { x1: x, x2: x + 28, y1: y, y2: y, stroke: color, "stroke-width": 2.5 };
      if (dash) {
        sample["stroke-dasharray"] = dash;
      }
      return node(
        "g",
        { class: "legend-item" },
        node("line", sample),
        node("circle", { cx: x + 14, cy: y, r: 3, fill: color }),
        node("text", { x: x + 34, y: y + 4, "font-size": fontSize, fill: "#1e1e1e" }, item.name),
      );
    }),
  );

  const svg = node(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      class: "chart",
      role: "img",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      "aria-labelledby": `${options.id}-title ${options.id}-desc`,
      "data-series-count": series.length,
    },
    node("title", { id: `${options.id}-title` }, options.title),
    node("desc", { id: `${options.id}-desc` }, options.description),
    grid,
    axes,
    lines,
    legend,
  );
  return { kind: "chart", svg };
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The SVG as markup; every text and attribute value escaped. */
export function toSvgString(n: SvgNode | string): string {
  if (typeof n === "string") {
    return escapeXml(n);
  }
  const attrs = Object.entries(n.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");
  return n.children.length === 0 ? `<${n.tag}${attrs}/>` : `<${n.tag}${attrs}>${n.children.map(toSvgString).join("")}</${n.tag}>`;
}

/** Every node of a tree, depth first (tests and lookups). */
export function walk(n: SvgNode): SvgNode[] {
  return [n, ...n.children.flatMap((c) => (typeof c === "string" ? [] : walk(c)))];
}
