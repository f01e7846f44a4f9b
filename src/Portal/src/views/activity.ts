import type { PageContext } from "../app";
import { activitySeries, activityTotals, formatPeriod } from "../activity";
import { projects } from "../api";
import { lineChart } from "../charts";
import { h, liveRegion, replace, say } from "../dom";
import { errorMessage } from "../errors";
import { formatCount } from "../experiments";
import type { ProjectActivity } from "../gen/coconstruisons/v1/projects_pb";
import { getLang, t } from "../i18n";
import { chartFigure } from "./chartFigure";

/** The "Participation" card of a project page: answers and contributors per day (per month over a long span), as a chart with its table. */
export function activitySection(ctx: PageContext, projectId: string): { box: HTMLElement; draw(): void; load(): Promise<void> } {
  const box = h("div", { testid: "activity-section" });
  let activity: ProjectActivity | undefined;
  let loadError = "";

  const draw = () => {
    const lang = getLang();
    const alert = liveRegion("alert", "activity-error");
    say(alert, loadError);
    const head = [h("h2", { id: "activity-title" }, t("activity.title")), h("p", { class: "hint" }, t("activity.hint"))];
    if (!activity) {
      replace(box, h("section", { class: "card", "aria-labelledby": "activity-title" }, head, loadError ? null : h("p", { class: "loading" }, t("app.loading")), alert));
      return;
    }
    const periods = activity.periods;
    const series = activitySeries(periods, { answers: t("activity.answers"), contributors: t("activity.contributors") });
    const unit = activity.monthly ? t("activity.month") : t("activity.day");
    const title = activity.monthly ? t("activity.chartTitleMonth") : t("activity.chartTitleDay");
    const { answers, busiest } = activityTotals(periods);
    const chart = lineChart(series, {
      id: "activity-chart",
      title,
      description:
        periods.length > 0 && busiest
          ? t("activity.chartDesc", {
              from: formatPeriod(periods[0]?.period ?? "", lang),
              to: formatPeriod(periods.at(-1)?.period ?? "", lang),
              answers: formatCount(answers, lang),
              n: answers,
              busiest: formatPeriod(busiest.period, lang),
              most: formatCount(busiest.answers, lang),
            })
          : "",
      xLabel: unit,
      yLabel: t("activity.yLabel"),
      emptyMessage: t("activity.empty"),
      formatX: (x) => formatPeriod(x, lang),
      formatY: (y) => formatCount(y, lang),
    });
    replace(
      box,
      h(
        "section",
        { class: "card", "aria-labelledby": "activity-title" },
        head,
        alert,
        chartFigure(chart, series, {
          caption: title,
          xHeader: unit,
          formatX: (x) => formatPeriod(x, lang),
          formatY: (y) => formatCount(y, lang),
          testid: "activity-chart",
        }),
      ),
    );
  };

  const load = async () => {
    try {
      activity = await projects.getProjectActivity({ projectId });
      loadError = "";
    } catch (err) {
      if (ctx.handleOwnerError(err)) {
        return;
      }
      loadError = errorMessage(err);
    }
    if (ctx.isCurrent()) {
      draw();
    }
  };

  return { box, draw, load };
}
