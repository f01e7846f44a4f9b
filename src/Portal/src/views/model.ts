import type { PageContext } from "../app";
import { models } from "../api";
import { downloadBlob, h, liveRegion, progressBar, replace, say } from "../dom";
import { errorMessage } from "../errors";
import { formatCount, formatDateTime } from "../experiments";
import type { ModelOverview, ModelVersion } from "../gen/coconstruisons/v1/models_pb";
import { getLang, hasMessage, t } from "../i18n";
import { confusionRows, formatPercent, formatThreshold, formatWeight, isActive, parsePrecision, parsePriorWeight, runSummary, stagePercent, trainingState } from "../model";
import { getOwner } from "../session";

const POLL_MS = 2000;

function stageWord(stage: string): string {
  const key = `model.stage.${stage}`;
  return hasMessage(key) ? t(key) : stage;
}

/**
 * The "Model" card of a project page: train now (with the run's state and progress, polled while
 * it is queued or running), the auto-label target, and the versions with their held-out metrics,
 * per-class table, confusion matrix and download. Its state survives the page's redraws.
 */
export function modelSection(
  ctx: PageContext,
  projectId: string,
  labelOf: (key: string) => string = (key) => key,
): { box: HTMLElement; draw(): void; load(): Promise<void> } {
  const box = h("div", { testid: "model-section" });
  let overview: ModelOverview | undefined;
  let loadError = "";
  let actionError = "";
  // Functions, so that a status shown before the language is switched is shown again in the new one.
  let actionStatus: () => string = () => "";
  let targetText = "";
  let weightText = "";
  let busy = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedulePoll = () => {
    clearTimeout(timer);
    const state = trainingState(overview?.latestTraining?.state);
    if (isActive(state) && ctx.isCurrent()) {
      timer = setTimeout(() => void load(), POLL_MS);
    }
  };

  const download = async (v: ModelVersion) => {
    actionError = "";
    try {
      const response = await fetch(v.downloadPath, { headers: { authorization: `Bearer ${getOwner()?.token ?? ""}` } });
      if (!response.ok) {
        const problem = (await response.json().catch(() => ({}))) as { detail?: string };
        throw new Error(problem.detail || `HTTP ${response.status}`);
      }
      downloadBlob(await response.blob(), `model-${v.version}.zip`);
      actionStatus = () => t("model.downloaded", { version: v.version });
    } catch (err) {
      actionError = err instanceof Error ? err.message : String(err);
    }
    draw();
  };

  const versionCard = (v: ModelVersion, lang: "fr" | "en", latest: boolean) => {
    const threshold = formatThreshold(v.threshold, lang);
    const perClass = h(
      "table",
      { class: "table", testid: `model-${v.version}-classes` },
      h("caption", null, t("model.perClass")),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("model.class")), h("th", { scope: "col" }, t("model.precision")), h("th", { scope: "col" }, t("model.recall")), h("th", { scope: "col" }, t("model.support")))),
      h(
        "tbody",
        null,
        v.perClass.map((c) => h("tr", null, h("th", { scope: "row" }, labelOf(c.label)), h("td", null, formatPercent(c.precision, lang)), h("td", null, formatPercent(c.recall, lang)), h("td", null, formatCount(c.support, lang)))),
      ),
    );
    const rows = confusionRows(v.classes, v.confusion);
    const confusion = h(
      "table",
      { class: "table confusion", testid: `model-${v.version}-confusion` },
      h("caption", null, t("model.confusion")),
      h("thead", null, h("tr", null, h("td", null), v.classes.map((c) => h("th", { scope: "col" }, labelOf(c))))),
      h(
        "tbody",
        null,
        rows.map((r) => h("tr", null, h("th", { scope: "row" }, labelOf(r.label)), r.cells.map((c) => h("td", { class: c.correct ? "correct" : null }, formatCount(c.count, lang))))),
      ),
    );
    return h(
      "details",
      { class: "model-version", open: latest, testid: `model-${v.version}` },
      h("summary", null, t("model.versionTitle", { version: v.version, date: formatDateTime(v.trainedAtUnix, lang), accuracy: formatPercent(v.accuracy, lang) })),
      h(
        "dl",
        { class: "counters" },
        h("div", null, h("dt", null, t("model.accuracy")), h("dd", { testid: `model-${v.version}-accuracy` }, formatPercent(v.accuracy, lang))),
        h("div", null, h("dt", null, t("model.ece")), h("dd", null, formatPercent(v.calibrationError, lang))),
        h("div", null, h("dt", null, t("model.threshold")), h("dd", null, threshold ?? t("model.noThreshold"))),
        h("div", null, h("dt", null, t("model.machineLabelled")), h("dd", { testid: `model-${v.version}-machine` }, formatCount(v.machineLabelled, lang))),
      ),
      h("p", { class: "hint" }, t("model.split", { labelled: v.labelledItems, train: v.trainingItems, calibration: v.calibrationItems, test: v.testItems })),
      h("p", { class: "hint" }, threshold ? t("model.autoLabel", { target: formatPercent(v.targetPrecision, lang), coverage: formatPercent(v.autoLabelCoverage, lang), precision: formatPercent(v.autoLabelPrecision, lang) }) : t("model.noAutoLabel", { target: formatPercent(v.targetPrecision, lang) })),
      perClass,
      h("p", { class: "hint" }, t("model.confusionHint")),
      confusion,
      h("div", { class: "actions" }, h("button", { type: "button", class: "button secondary", testid: `model-${v.version}-download`, onclick: () => void download(v) }, t("model.download", { version: v.version }))),
    );
  };

  const draw = () => {
    const lang = getLang();
    const alert = liveRegion("alert", "model-error");
    const status = liveRegion("status", "model-status");
    say(alert, actionError || loadError);
    say(status, actionStatus());
    const head = [h("h2", { id: "model-title" }, t("model.title")), h("p", { class: "hint" }, t("model.hint"))];
    const o = overview;
    if (!o) {
      replace(box, h("section", { class: "card", "aria-labelledby": "model-title" }, head, loadError ? null : h("p", { class: "loading" }, t("app.loading")), alert));
      return;
    }
    const run = o.latestTraining;
    const state = trainingState(run?.state);
    const active = isActive(state);
    const runBox = run
      ? h(
          "div",
          { class: "model-run", testid: "model-run", "data-state": state },
          h("p", null, h("strong", null, t(`model.state.${state}` as "model.state.done")), runSummary(run, o.versions, lang) ? ` — ${runSummary(run, o.versions, lang)}` : ""),
          active
            ? progressBar(stagePercent(run.done, run.total), t("model.progressLabel"), t("model.progress", { stage: stageWord(run.stage), done: run.done, total: run.total }), "model-progress")
            : null,
        )
      : null;

    const train = h("button", { type: "button", class: "button primary", testid: "model-train", disabled: busy || active }, active ? t("model.training") : t("model.train"));
    train.addEventListener("click", async () => {
      busy = true;
      actionError = "";
      actionStatus = () => "";
      draw();
      try {
        const queued = await models.trainModel({ projectId });
        if (overview) {
          overview.latestTraining = queued;
        }
        actionStatus = () => t("model.queued");
      } catch (err) {
        if (ctx.handleOwnerError(err)) {
          return;
        }
        actionError = errorMessage(err);
      } finally {
        busy = false;
      }
      if (ctx.isCurrent()) {
        draw();
        schedulePoll();
      }
    });

    /**
     * One owner setting as a small form: a decimal field with its label and hint, saved by
     * `save`; a value `parse` refuses shows `invalid` and sends nothing. The typed text survives
     * redraws (polling) until it is saved.
     */
    const settingForm = (o2: {
      id: string;
      testid: string;
      formTestid: string;
      saveTestid: string;
      label: string;
      hint: string;
      saveLabel: string;
      shown: string;
      typed: () => string;
      keep: (text: string) => void;
      parse: (text: string) => number | null;
      invalid: string;
      save: (value: number) => Promise<void>;
      saved: (value: number) => string;
    }) => {
      const input = h("input", { type: "text", inputmode: "decimal", class: "short", testid: o2.testid, value: o2.typed() || o2.shown });
      input.addEventListener("input", () => o2.keep(input.value));
      const form = h(
        "form",
        { class: "form inline", novalidate: true, testid: o2.formTestid },
        h("div", { class: "field" }, h("label", { for: `${o2.id}-input` }, o2.label), h("p", { class: "hint", id: `${o2.id}-hint` }, o2.hint), input),
        h("button", { type: "submit", class: "button secondary", testid: o2.saveTestid }, o2.saveLabel),
      );
      input.id = `${o2.id}-input`;
      input.setAttribute("aria-describedby", `${o2.id}-hint`);
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const value = o2.parse(input.value);
        actionStatus = () => "";
        if (value === null) {
          actionError = o2.invalid;
          draw();
          return;
        }
        try {
          await o2.save(value);
          o2.keep("");
          actionError = "";
          actionStatus = () => o2.saved(value);
        } catch (err) {
          if (ctx.handleOwnerError(err)) {
            return;
          }
          actionError = errorMessage(err);
        }
        if (ctx.isCurrent()) {
          draw();
        }
      });
      return form;
    };

    const targetForm = settingForm({
      id: "model-target",
      testid: "model-target",
      formTestid: "model-target-form",
      saveTestid: "model-target-save",
      label: t("model.target"),
      hint: t("model.targetHint"),
      saveLabel: t("model.targetSave"),
      shown: formatPercent(o.autoLabelPrecision, lang),
      typed: () => targetText,
      keep: (text) => (targetText = text),
      parse: parsePrecision,
      invalid: t("model.targetInvalid"),
      save: async (value) => {
        overview = await models.setAutoLabelPrecision({ projectId, precision: value });
      },
      saved: (value) => t("model.targetSaved", { target: formatPercent(value, getLang()) }),
    });

    const weightForm = settingForm({
      id: "model-prior",
      testid: "model-prior-weight",
      formTestid: "model-prior-form",
      saveTestid: "model-prior-save",
      label: t("model.prior"),
      hint: t("model.priorHint"),
      saveLabel: t("model.priorSave"),
      shown: formatWeight(o.modelPriorWeight, lang),
      typed: () => weightText,
      keep: (text) => (weightText = text),
      parse: parsePriorWeight,
      invalid: t("model.priorInvalid"),
      save: async (value) => {
        overview = await models.setModelPriorWeight({ projectId, weight: value });
      },
      saved: (value) => (value === 0 ? t("model.priorOff") : t("model.priorSaved", { weight: formatWeight(value, getLang()) })),
    });

    replace(
      box,
      h(
        "section",
        { class: "card", "aria-labelledby": "model-title" },
        head,
        h("p", { testid: "model-labels" }, t("model.labels", { count: o.confidentLabels, min: o.minLabels })),
        h("div", { class: "actions" }, train),
        runBox,
        alert,
        status,
        targetForm,
        weightForm,
        h("h3", null, t("model.versions")),
        o.versions.length === 0 ? h("p", { class: "muted", testid: "model-no-version" }, t("model.none")) : o.versions.map((v, i) => versionCard(v, lang, i === 0)),
      ),
    );
  };

  const load = async () => {
    const before = trainingState(overview?.latestTraining?.state);
    try {
      overview = await models.getModelOverview({ projectId });
      loadError = "";
      // A run followed on this page that ends is announced (the status region is read out).
      const run = overview.latestTraining;
      const after = trainingState(run?.state);
      if (isActive(before) && !isActive(after) && run) {
        const version = run.version;
        actionStatus = after === "done" ? () => t("model.finished", { version }) : () => t("model.failedStatus");
      }
    } catch (err) {
      if (ctx.handleOwnerError(err)) {
        return;
      }
      loadError = errorMessage(err);
    }
    if (ctx.isCurrent()) {
      draw();
      schedulePoll();
    }
  };

  return { box, draw, load };
}
