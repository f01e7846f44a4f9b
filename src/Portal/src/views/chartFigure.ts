import { chartTable, type ChartSeries, type LineChart } from "../charts";
import { h, svg } from "../dom";
import { t } from "../i18n";

/**
 * A drawn line chart with its data as a table under a disclosure (the chart's text alternative),
 * or the chart's empty message. Shared by the experiment results and the project's participation.
 */
export function chartFigure(
  chart: LineChart,
  series: readonly ChartSeries[],
  o: { caption: string; xHeader: string; formatX: (x: string) => string; formatY: (y: number) => string; testid: string },
): HTMLElement {
  if (chart.kind === "empty") {
    return h("p", { class: "empty", testid: "chart-empty" }, chart.message);
  }
  const table = chartTable(series);
  return h(
    "figure",
    { class: "chart-figure", testid: o.testid },
    h("div", { class: "chart-scroll" }, svg(chart.svg)),
    h(
      "details",
      { class: "chart-data" },
      h("summary", null, t("results.chartData")),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "data-table" },
          h("caption", null, o.caption),
          h("thead", null, h("tr", null, h("th", { scope: "col" }, o.xHeader), series.map((s) => h("th", { scope: "col" }, s.name)))),
          h(
            "tbody",
            null,
            table.xs.map((x, i) => h("tr", null, h("th", { scope: "row" }, o.formatX(x)), (table.rows[i] ?? []).map((v) => h("td", null, v === undefined ? "—" : o.formatY(v))))),
          ),
        ),
      ),
    ),
  );
}
