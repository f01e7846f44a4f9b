import type { PageContext } from "../app";
import { experiments } from "../api";
import { chartTable, lineChart, seriesOf, type ChartSeries } from "../charts";
import { fieldErrors, h, liveRegion, progressBar, replace, say } from "../dom";
import { errorMessage, fieldViolations, violationsByField } from "../errors";
import {
  allocationProblems,
  allocationTotal,
  exposureRows,
  formatCount,
  formatDateTime,
  formatDay,
  formatInterval,
  formatP,
  formatRelative,
  formatShare,
  formatValue,
  groupByMetric,
  metricKind,
  parseDecimal,
  type VariantDraft,
} from "../experiments";
import type { ExperimentDetail, ExperimentResults, MetricResult } from "../gen/coconstruisons/v1/experiments_pb";
import { getLang, t } from "../i18n";
import { paths } from "../router";
import { chartFigure } from "./chartFigure";
import { known } from "./experiments";
import { focusHeading, type Page } from "./page";

export async function experimentPage(ctx: PageContext, name: string): Promise<Page> {
  let detail: ExperimentDetail | undefined;
  let results: ExperimentResults | undefined;
  let loadError = "";
  let resultsError = "";
  let resultsLoading = true;

  let allocation: VariantDraft[] = [];
  let allocError = "";
  let allocViolations: string[] = [];
  let allocStatus = "";
  let allocBusy = false;

  let actionError = "";
  let actionStatus = "";
  let actionBusy = false;
  let stopOpen = false;
  let stopReason = "";

  const defBox = h("div");
  const actionsBox = h("div");
  const allocBox = h("div");
  const auditBox = h("div");
  const resultsBox = h("div");

  const experiment = () => detail?.experiment;
  const resetAllocation = () => {
    allocation = (experiment()?.variants ?? []).map((v) => ({ name: v.name, percent: String(v.percent) }));
  };

  // ——— Definition ———
  const drawDefinition = () => {
    const e = experiment();
    if (!e) {
      replace(defBox);
      return;
    }
    const lang = getLang();
    const row = (term: string, value: string | Node, testid?: string) => [h("dt", null, term), h("dd", { testid }, value)];
    replace(
      defBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "definition-title" },
        h("h2", { id: "definition-title" }, t("experiment.definition")),
        h(
          "dl",
          { class: "definition" },
          row(t("experiments.lever"), known("lever", e.lever)),
          row(t("experiments.status"), h("span", { class: `badge status-${e.status}` }, known("status", e.status)), "experiment-status"),
          row(
            t("experiments.variants"),
            h(
              "ul",
              { class: "plain-list", testid: "experiment-variants" },
              e.variants.map((v, i) => h("li", null, `${v.name} — ${formatShare(v.percent, lang)}`, i === 0 ? h("span", { class: "badge" }, t("experiments.control")) : null)),
            ),
          ),
          row(t("experiments.seed"), h("code", null, e.seed)),
          row(t("experiments.projects"), e.projectIds.length > 0 ? e.projectIds.join(", ") : t("experiment.allProjects")),
          row(t("experiments.channels"), e.channels.length > 0 ? e.channels.join(", ") : t("experiment.allChannels")),
          row(t("experiments.audience"), known("audience", e.audience)),
          row(t("experiments.allowOverlap"), e.allowOverlap ? t("experiment.yes") : t("experiment.no")),
          row(t("experiment.plannedPerArm"), e.plannedPerArm > 0n ? formatCount(e.plannedPerArm, lang) : t("experiment.noPlan")),
        ),
      ),
    );
  };

  // ——— Start / stop ———
  const act = async (call: () => Promise<ExperimentDetail>, done: string) => {
    if (actionBusy) {
      return;
    }
    actionBusy = true;
    actionError = "";
    drawActions();
    try {
      detail = await call();
      if (!ctx.isCurrent()) {
        return;
      }
      actionStatus = done;
      stopOpen = false;
      stopReason = "";
      resetAllocation();
      drawDefinition();
      drawAllocation();
      drawAudit();
      void loadResults();
    } catch (err) {
      if (ctx.handleOwnerError(err) || !ctx.isCurrent()) {
        return;
      }
      actionStatus = "";
      actionError = errorMessage(err);
    } finally {
      actionBusy = false;
    }
    if (ctx.isCurrent()) {
      drawActions();
      actionsBox.querySelector<HTMLElement>(actionError ? '[data-testid="action-error"]' : '[data-testid="action-status"]')?.focus();
    }
  };

  const drawActions = (focusSelector?: string) => {
    const e = experiment();
    if (!e) {
      replace(actionsBox);
      return;
    }
    const status = liveRegion("status", "action-status");
    const alert = liveRegion("alert", "action-error");
    alert.id = "action-error";
    status.tabIndex = -1;
    alert.tabIndex = -1;
    say(status, actionStatus);
    say(alert, actionError);
    const running = e.status === "running";
    let body: HTMLElement;
    if (running && stopOpen) {
      // Once the stop is refused (no reason, or the server's message), the field's description says why.
      const reason = h("textarea", { id: "stop-reason", rows: 3, maxlength: 1000, testid: "stop-reason", "aria-required": "true", "aria-describedby": actionError ? "stop-reason-hint action-error" : "stop-reason-hint" });
      reason.value = stopReason;
      reason.addEventListener("input", () => (stopReason = reason.value));
      const form = h(
        "form",
        { class: "form", novalidate: true, testid: "stop-form" },
        h(
          "div",
          { class: "field" },
          h("label", { for: "stop-reason" }, t("experiment.stopReason"), h("span", { class: "required" }, ` (${t("form.required")})`)),
          h("p", { class: "hint", id: "stop-reason-hint" }, t("experiment.stopReasonHint")),
          reason,
        ),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "submit", class: "button danger", testid: "stop-confirm", disabled: actionBusy }, t("experiment.stopConfirm")),
          h(
            "button",
            {
              type: "button",
              class: "button secondary",
              testid: "stop-cancel",
              onclick: () => {
                stopOpen = false;
                drawActions('[data-testid="stop-open"]');
              },
            },
            t("experiment.cancel"),
          ),
        ),
      );
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        if (stopReason.trim() === "") {
          actionError = t("experiment.stopReasonRequired");
          say(alert, actionError);
          reason.setAttribute("aria-invalid", "true");
          reason.setAttribute("aria-describedby", "stop-reason-hint action-error");
          reason.focus();
          return;
        }
        void act(() => experiments.stopExperiment({ name, reason: stopReason.trim() }), t("experiment.stopped"));
      });
      body = form;
    } else if (running) {
      body = h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "button danger",
            testid: "stop-open",
            onclick: () => {
              stopOpen = true;
              actionError = "";
              drawActions("#stop-reason");
            },
          },
          t("experiment.stop"),
        ),
      );
    } else {
      body = h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "button primary",
            testid: "start",
            disabled: actionBusy,
            onclick: () => void act(() => experiments.startExperiment({ name }), t("experiment.started")),
          },
          e.status === "stopped" ? t("experiment.restart") : t("experiment.start"),
        ),
      );
    }
    replace(
      actionsBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "actions-title" },
        h("h2", { id: "actions-title" }, t("experiment.actions")),
        h("p", { class: "hint" }, running ? t("experiment.runningHint") : e.status === "stopped" ? t("experiment.stoppedHint") : t("experiment.draftHint")),
        body,
        status,
        alert,
      ),
    );
    if (focusSelector) {
      actionsBox.querySelector<HTMLElement>(focusSelector)?.focus();
    }
  };

  // ——— Allocation ———
  const drawAllocation = () => {
    const e = experiment();
    if (!e) {
      replace(allocBox);
      return;
    }
    const lang = getLang();
    const status = liveRegion("status", "allocation-status");
    const alert = liveRegion("alert", "allocation-error");
    status.tabIndex = -1;
    alert.tabIndex = -1;
    say(status, allocStatus);
    say(alert, allocError);
    const total = h("p", { class: "hint", id: "allocation-total", "aria-live": "polite", testid: "allocation-total" });
    const showTotal = () => {
      const sum = allocationTotal(allocation);
      total.textContent = Number.isFinite(sum) ? t("experiments.total", { total: formatShare(sum, lang) }) : t("experiments.totalUnknown");
      total.classList.toggle("warning-text", sum !== 100);
    };
    showTotal();
    const inputs = allocation.map((v, i) => {
      const id = `allocation-${i}`;
      const input = h("input", { type: "text", inputmode: "decimal", id, class: "short", value: v.percent, testid: `allocation-percent-${i}`, "aria-describedby": "allocation-total" });
      input.addEventListener("input", () => {
        v.percent = input.value;
        showTotal();
      });
      return h("div", { class: "allocation-row" }, h("label", { for: id }, v.name, i === 0 ? ` (${t("experiments.control")})` : ""), input, h("span", { "aria-hidden": "true" }, "%"));
    });
    const errors = fieldErrors("allocation-field-error", allocViolations);
    const submit = h("button", { type: "submit", class: "button primary", testid: "allocation-submit", disabled: allocBusy }, t("experiment.allocationSave"));
    const form = h(
      "form",
      { class: "form", novalidate: true, testid: "allocation-form" },
      h("fieldset", { class: errors ? "choices invalid" : "choices" }, h("legend", null, t("experiment.allocationLegend")), errors, inputs, total),
      e.status === "running" ? h("p", { class: "notice", testid: "allocation-running" }, t("experiment.allocationRunning")) : null,
      alert,
      h("div", { class: "actions" }, submit),
      status,
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (allocBusy) {
        return;
      }
      const problems = allocationProblems(allocation);
      if (problems.length > 0) {
        const p = problems[0];
        allocStatus = "";
        allocViolations = [];
        allocError =
          p?.kind === "sum"
            ? t("experiment.allocationSum", { total: formatShare(p.total, lang) })
            : t("experiments.percentNotANumber", { n: (p?.index ?? 0) + 1 });
        say(status, "");
        say(alert, allocError);
        form.querySelector<HTMLElement>(`[data-testid="allocation-percent-${p?.kind === "notANumber" ? p.index : 0}"]`)?.focus();
        return;
      }
      allocBusy = true;
      submit.disabled = true;
      say(alert, "");
      try {
        detail = await experiments.changeAllocation({ name, variants: allocation.map((v) => ({ name: v.name, percent: parseDecimal(v.percent) })) });
        if (!ctx.isCurrent()) {
          return;
        }
        allocError = "";
        allocViolations = [];
        allocStatus = t("experiment.allocationSaved");
        resetAllocation();
        drawDefinition();
        drawAudit();
      } catch (err) {
        if (ctx.handleOwnerError(err) || !ctx.isCurrent()) {
          return;
        }
        allocStatus = "";
        allocError = errorMessage(err);
        allocViolations = [...violationsByField(fieldViolations(err)).values()].flat().filter((m) => m !== allocError);
      } finally {
        allocBusy = false;
      }
      if (ctx.isCurrent()) {
        drawAllocation();
        allocBox.querySelector<HTMLElement>(allocError ? '[data-testid="allocation-error"]' : '[data-testid="allocation-status"]')?.focus();
      }
    });
    replace(
      allocBox,
      h("section", { class: "card", "aria-labelledby": "allocation-title" }, h("h2", { id: "allocation-title" }, t("experiment.allocation")), h("p", { class: "hint" }, t("experiment.allocationHint")), form),
    );
  };

  // ——— Audit trail ———
  const drawAudit = () => {
    const entries = [...(detail?.audit ?? [])].sort((a, b) => (a.atUnix < b.atUnix ? 1 : a.atUnix > b.atUnix ? -1 : 0));
    const lang = getLang();
    replace(
      auditBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "audit-title" },
        h("h2", { id: "audit-title" }, t("experiment.audit")),
        entries.length === 0
          ? h("p", { class: "empty" }, t("experiment.auditEmpty"))
          : h(
              "div",
              { class: "table-wrap" },
              h(
                "table",
                { class: "data-table", testid: "audit-table" },
                h("caption", { class: "visually-hidden" }, t("experiment.auditCaption")),
                h(
                  "thead",
                  null,
                  h("tr", null, h("th", { scope: "col" }, t("experiment.auditWhen")), h("th", { scope: "col" }, t("experiment.auditWho")), h("th", { scope: "col" }, t("experiment.auditWhat")), h("th", { scope: "col" }, t("experiment.auditDetails"))),
                ),
                h(
                  "tbody",
                  null,
                  entries.map((a) =>
                    h(
                      "tr",
                      { testid: "audit-row", "data-kind": a.kind, class: a.kind === "allocation_changed" ? "highlight" : null },
                      h("td", null, h("time", { datetime: new Date(Number(a.atUnix) * 1000).toISOString() }, formatDateTime(a.atUnix, lang))),
                      h("td", null, a.by),
                      h("td", null, known("auditKind", a.kind)),
                      h("td", null, a.summary),
                    ),
                  ),
                ),
              ),
            ),
      ),
    );
  };

  // ——— Results ———
  const metricTable = (rows: MetricResult[], caption: string) => {
    const lang = getLang();
    return h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data-table results-table", testid: "metric-table" },
        h("caption", { class: "visually-hidden" }, caption),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("results.variant")),
            h("th", { scope: "col" }, t("results.controlValue")),
            h("th", { scope: "col" }, t("results.variantValue")),
            h("th", { scope: "col" }, t("results.effect")),
            h("th", { scope: "col" }, t("results.pValue")),
            h("th", { scope: "col" }, t("results.alwaysValidP")),
          ),
        ),
        h(
          "tbody",
          null,
          rows.map((r) => {
            const kind = metricKind(r.test);
            return [
              h(
                "tr",
                { testid: "metric-row", "data-variant": r.variant, "data-guardrail-breached": r.guardrailBreached ? "true" : "false", class: r.guardrailBreached ? "breached" : r.significant ? "significant" : null },
                h(
                  "th",
                  { scope: "row" },
                  r.variant,
                  r.guardrailBreached ? h("span", { class: "badge breach", testid: "guardrail-breached" }, "⚠ ", t("results.breached")) : null,
                  !r.guardrailBreached && r.significant ? h("span", { class: "badge ok" }, t("results.significant")) : null,
                ),
                h("td", null, formatValue(r.controlValue, kind, lang), h("span", { class: "units" }, t("results.units", { units: formatCount(r.controlUnits, lang) }))),
                h("td", null, formatValue(r.variantValue, kind, lang), h("span", { class: "units" }, t("results.units", { units: formatCount(r.variantUnits, lang) }))),
                h("td", null, h("strong", null, formatRelative(r.relativeEffect, lang)), " ", h("span", { class: "interval" }, t("results.ci", { interval: formatInterval(r.relativeLow, r.relativeHigh, lang) }))),
                h("td", null, formatP(r.pValue, lang)),
                h("td", null, formatP(r.alwaysValidPValue, lang)),
              ),
              h("tr", { class: r.guardrailBreached ? "verdict breached" : "verdict" }, h("td", { colspan: 6 }, h("p", { class: "verdict-text", testid: "verdict" }, r.verdict))),
            ];
          }),
        ),
      ),
    );
  };

  const chartFor = (metric: string, metricName: string, kind: ReturnType<typeof metricKind>, index: number) => {
    const lang = getLang();
    const order = (experiment()?.variants ?? []).map((v) => v.name);
    const series: ChartSeries[] = seriesOf(results?.series ?? [], metric, order);
    const days = chartTable(series).xs;
    const lastValues = series
      .map((s) => {
        const last = s.points.at(-1);
        return last ? `${s.name} ${formatValue(last.y, kind, lang)}` : "";
      })
      .filter((x) => x !== "")
      .join(", ");
    const chart = lineChart(series, {
      id: `chart-${index}`,
      title: t("results.chartTitle", { metric: metricName }),
      description: days.length > 0 ? t("results.chartDesc", { from: formatDay(days[0] ?? "", lang), to: formatDay(days.at(-1) ?? "", lang), count: series.length, last: lastValues }) : "",
      xLabel: t("results.chartX"),
      yLabel: metricName,
      emptyMessage: t("results.chartEmpty"),
      formatX: (d) => formatDay(d, lang),
      formatY: (v) => formatValue(v, kind, lang),
    });
    return chartFigure(chart, series, {
      caption: t("results.chartTitle", { metric: metricName }),
      xHeader: t("results.chartX"),
      formatX: (d) => formatDay(d, lang),
      formatY: (v) => formatValue(v, kind, lang),
      testid: "metric-chart",
    });
  };

  const drawResults = () => {
    const lang = getLang();
    const alert = liveRegion("alert", "results-error");
    say(alert, resultsError);
    const r = results;
    let body: (Node | null)[] = [];
    if (resultsLoading && !r) {
      body = [h("p", { class: "loading" }, t("app.loading"))];
    } else if (r) {
      const order = (experiment()?.variants ?? []).map((v) => v.name);
      const exposure = exposureRows(order, r.exposed, r.plannedPerArm);
      const groups = groupByMetric(r.metrics);
      body = [
        r.interim
          ? h(
              "div",
              { class: "peeking-warning", role: "note", "aria-labelledby": "peeking-title", testid: "peeking-warning" },
              h("h3", { id: "peeking-title" }, "⚠ ", t("results.interimTitle")),
              h("p", null, r.peekingWarning || t("results.interimDefault")),
            )
          : null,
        h(
          "div",
          { class: "exposure", testid: "exposure" },
          h("h3", null, t("results.exposure")),
          h("p", { class: "hint" }, r.control ? t("results.controlIs", { control: r.control }) : null),
          h(
            "ul",
            { class: "plain-list" },
            exposure.map((x) =>
              h(
                "li",
                { testid: "exposure-row", "data-variant": x.variant, "data-contributors": x.contributors },
                h("strong", null, x.variant),
                x.planned > 0
                  ? progressBar(
                      x.percent,
                      t("results.exposureLabel", { variant: x.variant }),
                      t("results.exposedOfPlanned", { contributors: formatCount(x.contributors, lang), planned: formatCount(x.planned, lang), percent: x.percent }),
                    )
                  : h("p", { class: "meta" }, t("results.exposedNoPlan", { contributors: formatCount(x.contributors, lang) })),
              ),
            ),
          ),
        ),
        groups.length === 0 ? h("p", { class: "empty", testid: "results-empty" }, t("results.noMetrics")) : null,
        ...groups.map((g, i) => {
          const kind = metricKind(g.rows[0]?.test ?? "");
          const titleId = `metric-${i}-title`;
          return h(
            "section",
            { class: "metric", "aria-labelledby": titleId, testid: "metric", "data-metric": g.metric },
            h("h3", { id: titleId }, g.metricName, g.rows.some((x) => x.guardrailBreached) ? h("span", { class: "badge breach" }, "⚠ ", t("results.breached")) : null),
            metricTable(g.rows, g.metricName),
            chartFor(g.metric, g.metricName, kind, i),
          );
        }),
      ];
    }
    replace(
      resultsBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "results-title", testid: "results" },
        h(
          "div",
          { class: "section-head" },
          h("h2", { id: "results-title" }, t("results.title")),
          h("button", { type: "button", class: "button secondary", testid: "results-refresh", disabled: resultsLoading, onclick: () => void loadResults() }, t("results.refresh")),
        ),
        alert,
        body,
      ),
    );
  };

  const loadResults = async () => {
    resultsLoading = true;
    drawResults();
    try {
      const r = await experiments.getResults({ name });
      if (!ctx.isCurrent()) {
        return;
      }
      results = r;
      resultsError = "";
    } catch (err) {
      if (ctx.handleOwnerError(err) || !ctx.isCurrent()) {
        return;
      }
      resultsError = errorMessage(err);
    } finally {
      resultsLoading = false;
    }
    if (ctx.isCurrent()) {
      drawResults();
    }
  };

  const draw = (focus: boolean) => {
    const alert = liveRegion("alert", "page-error");
    const e = experiment();
    replace(
      ctx.main,
      h(
        "section",
        { class: "page", testid: "experiment-page", "data-name": name },
        h("p", null, h("a", { href: paths.experiments(), testid: "back-to-experiments" }, t("experiment.back"))),
        h("h1", { testid: "experiment-title" }, e ? t("experiment.title", { name }) : loadError ? name : t("app.loading")),
        alert,
        e ? h("div", { class: "columns" }, h("div", { class: "stack" }, defBox, auditBox), h("div", { class: "stack" }, actionsBox, allocBox)) : null,
        e ? resultsBox : null,
      ),
    );
    say(alert, loadError);
    if (e) {
      drawDefinition();
      drawActions();
      drawAllocation();
      drawAudit();
      drawResults();
    }
    if (focus) {
      focusHeading(ctx.main);
    }
  };

  draw(true);
  try {
    detail = await experiments.getExperiment({ name });
    resetAllocation();
  } catch (err) {
    if (ctx.handleOwnerError(err)) {
      return {};
    }
    loadError = errorMessage(err);
  }
  if (!ctx.isCurrent()) {
    return {};
  }
  // Keep the reader on the heading if they had not moved elsewhere while the page loaded.
  const active = document.activeElement;
  draw(active === null || active === document.body || active === ctx.main.querySelector("h1"));
  if (detail) {
    await loadResults();
  }
  return { relocalize: () => draw(false) };
}
