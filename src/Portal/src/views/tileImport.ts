import type { PageContext } from "../app";
import { imports } from "../api";
import { field, fieldErrors, h, liveRegion, progressBar, replace, say } from "../dom";
import { errorMessage, fieldViolations, violationsByField } from "../errors";
import { formatCount } from "../experiments";
import { ImportKind, type ImportJob } from "../gen/coconstruisons/v1/imports_pb";
import { getLang, t } from "../i18n";
import { isActive, isGeoJsonName, jobPercent, jobPhase, latestJobOfKind, MARGIN_MAX, parseWhole, templateProblem, ZOOM_MAX, ZOOM_MIN } from "../imports";
import { jobFollower } from "../jobFollower";

/**
 * The "import from a tile service" card of a project page: a form (GeoJSON file, tile address,
 * zoom, margin) that starts a background job (ImportService.StartTileImport), then the job's
 * live status, polled while it is queued or running, and its final report. The state survives
 * the page's redraws (language switch); load() shows the project's latest tile import (never an
 * import of another kind, such as the OpenSolarMap import that created the project), and resumes
 * following it if it is still running.
 */
export function tileImportSection(ctx: PageContext, projectId: string, onFinished: () => Promise<void>): { box: HTMLElement; draw(): void; load(): Promise<void> } {
  const box = h("div", { testid: "tile-import-section" });
  const draft = { template: "", zoom: "19", margin: "16" };
  let file: File | undefined;
  let job: ImportJob | undefined;
  let errors = new Map<string, string[]>();
  let formError = "";
  let busy = false;
  let lastAnnounced = "";
  // Until load() has looked for the latest tile import, the job's place says so (as the page's other cards do).
  let loaded = false;

  // Parts that change while a job runs: rebuilt by draw(), updated in place by drawJob().
  let jobBox: HTMLElement = h("div");
  let status: HTMLElement = liveRegion("status", "tile-import-status");
  let submit: HTMLButtonElement = h("button");

  const count = (n: number) => formatCount(n, getLang());

  const statusText = (j: ImportJob): string => {
    switch (jobPhase(j.state)) {
      case "queued":
        return t("tiles.queued");
      case "running":
        return t("tiles.running", { done: count(j.processed), total: count(j.features) });
      case "done":
        return t("tiles.done", { added: count(j.itemsAdded), duplicates: count(j.duplicates), rejected: count(j.rejected), bad: count(j.badFeatures), total: count(j.features) });
      case "failed":
        return t("tiles.failed", { message: j.error });
      default:
        return "";
    }
  };

  const list = (title: string, testid: string, rows: string[], total: number) =>
    rows.length === 0
      ? null
      : h(
          "details",
          { class: "report-list", testid, open: rows.length <= 10 },
          h("summary", null, title),
          h("ul", null, rows.map((r) => h("li", null, r))),
          total > rows.length ? h("p", { class: "hint" }, t("tiles.truncated", { count: count(rows.length) })) : null,
        );

  const drawJob = () => {
    const j = job;
    submit.disabled = busy || (j !== undefined && isActive(j.state));
    if (!j) {
      replace(jobBox, loaded ? null : h("p", { class: "loading" }, t("app.loading")));
      say(status, "");
      return;
    }
    const phase = jobPhase(j.state);
    const text = statusText(j);
    // Screen readers hear the state changes and the result; the bar's caption follows every poll.
    const announced = phase === "running" ? "running" : text;
    if (announced !== lastAnnounced) {
      say(status, text);
      lastAnnounced = announced;
    }
    replace(
      jobBox,
      h(
        "div",
        { class: "tile-job", testid: "tile-import-job", "data-state": phase, "data-processed": j.processed, "data-features": j.features, "data-added": j.itemsAdded, "data-duplicates": j.duplicates, "data-rejected": j.rejected, "data-bad": j.badFeatures },
        h("h3", null, t("tiles.job", { file: j.geojsonName, zoom: j.zoom })),
        isActive(j.state)
          ? progressBar(jobPercent(j), t("tiles.progressLabel"), t("tiles.running", { done: count(j.processed), total: count(j.features) }), "tile-import-progress")
          : h("p", { class: phase === "failed" ? "field-error" : "meta", testid: "tile-import-summary" }, text),
        list(t("upload.rejected", { count: count(j.rejected) }), "tile-report-rejected", j.rejectedList.map((p) => `${p.name} — ${p.reason}`), j.rejected),
        list(t("tiles.badFeatures", { count: count(j.badFeatures) }), "tile-report-bad", j.badFeatureList.map((p) => t("tiles.badFeature", { feature: p.feature, name: p.name, reason: p.reason })), j.badFeatures),
        list(t("upload.duplicates", { count: count(j.duplicates) }), "tile-report-duplicates", j.duplicateList.map((p) => `${p.name} — ${p.reason}`), j.duplicates),
      ),
    );
  };

  const follow = jobFollower(
    ctx,
    () => job,
    (news) => {
      job = news;
      drawJob();
    },
    onFinished,
  );

  const check = (): Map<string, string[]> => {
    const found = new Map<string, string[]>();
    if (!file) {
      found.set("geojson", [t("tiles.noFile")]);
    } else if (!isGeoJsonName(file.name)) {
      found.set("geojson", [t("tiles.notGeoJson")]);
    }
    const problem = templateProblem(draft.template);
    if (problem) {
      found.set("tileurltemplate", [t(problem === "empty" ? "tiles.templateEmpty" : problem === "scheme" ? "tiles.templateScheme" : "tiles.templatePlaceholders")]);
    }
    if (parseWhole(draft.zoom, ZOOM_MIN, ZOOM_MAX) === null) {
      found.set("zoom", [t("tiles.zoomInvalid")]);
    }
    if (parseWhole(draft.margin, 0, MARGIN_MAX) === null) {
      found.set("marginpixels", [t("tiles.marginInvalid")]);
    }
    return found;
  };

  const start = async () => {
    if (busy) {
      return;
    }
    errors = check();
    formError = "";
    if (errors.size > 0 || !file) {
      draw(firstInvalid());
      return;
    }
    busy = true;
    draw();
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      job = await imports.startTileImport({
        projectId,
        geojsonName: file.name,
        geojson: bytes,
        tileUrlTemplate: draft.template.trim(),
        zoom: parseWhole(draft.zoom, ZOOM_MIN, ZOOM_MAX) ?? 0,
        marginPixels: parseWhole(draft.margin, 0, MARGIN_MAX) ?? 16,
      });
      errors = new Map();
      lastAnnounced = "";
    } catch (err) {
      if (ctx.handleOwnerError(err)) {
        return;
      }
      errors = violationsByField(fieldViolations(err));
      formError = errorMessage(err);
    } finally {
      busy = false;
    }
    if (!ctx.isCurrent()) {
      return;
    }
    draw(errors.size > 0 ? firstInvalid() : undefined);
    void follow();
  };

  const firstInvalid = (): string | undefined => {
    for (const [key, id] of [
      ["geojson", "tile-file"],
      ["tileurltemplate", "tile-template"],
      ["zoom", "tile-zoom"],
      ["marginpixels", "tile-margin"],
    ] as const) {
      if (errors.has(key)) {
        return id;
      }
    }
    return undefined;
  };

  const draw = (focusId?: string) => {
    const fileInput = h("input", { type: "file", id: "tile-file", testid: "tile-file", accept: ".geojson,.json,application/geo+json,application/json" });
    fileInput.addEventListener("change", () => (file = fileInput.files?.[0] ?? undefined));
    const template = h("input", { type: "url", id: "tile-template", testid: "tile-template", value: draft.template, autocomplete: "off", spellcheck: "false", placeholder: "https://…/{z}/{x}/{y}.png" });
    template.addEventListener("input", () => (draft.template = template.value));
    const zoom = h("input", { type: "number", id: "tile-zoom", testid: "tile-zoom", min: ZOOM_MIN, max: ZOOM_MAX, step: 1, inputmode: "numeric", class: "short", value: draft.zoom });
    zoom.addEventListener("input", () => (draft.zoom = zoom.value));
    const margin = h("input", { type: "number", id: "tile-margin", testid: "tile-margin", min: 0, max: MARGIN_MAX, step: 1, inputmode: "numeric", class: "short", value: draft.margin });
    margin.addEventListener("input", () => (draft.margin = margin.value));
    submit = h("button", { type: "submit", class: "button primary", testid: "tile-submit", disabled: busy }, busy ? t("form.busy") : t("tiles.submit"));
    const alert = liveRegion("alert", "tile-import-error");
    say(alert, formError);
    status = liveRegion("status", "tile-import-status");
    lastAnnounced = "";
    jobBox = h("div");
    const form = h(
      "form",
      { novalidate: true, testid: "tile-import-form" },
      field(t("tiles.file"), fileInput, { errors: errors.get("geojson") }),
      field(t("tiles.template"), template, { hint: t("tiles.templateHint"), errors: errors.get("tileurltemplate") }),
      h("div", { class: "field-row" }, field(t("tiles.zoom"), zoom, { hint: t("tiles.zoomHint"), errors: errors.get("zoom") }), field(t("tiles.margin"), margin, { hint: t("tiles.marginHint"), errors: errors.get("marginpixels") })),
      fieldErrors("tile-import-other-errors", [...errors.entries()].filter(([k]) => !["geojson", "tileurltemplate", "zoom", "marginpixels"].includes(k)).flatMap(([, v]) => v)),
      h("div", { class: "actions" }, submit),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void start();
    });
    replace(
      box,
      h(
        "section",
        { class: "card", "aria-labelledby": "tiles-title" },
        h("h2", { id: "tiles-title" }, t("tiles.title")),
        h("p", { class: "hint" }, t("tiles.hint")),
        form,
        alert,
        status,
        jobBox,
      ),
    );
    drawJob();
    if (focusId) {
      document.getElementById(focusId)?.focus();
    }
  };

  const load = async () => {
    try {
      const latest = await latestJobOfKind<ImportJob>((request) => imports.listImportJobs(request), projectId, ImportKind.TILES);
      if (!ctx.isCurrent()) {
        return;
      }
      loaded = true;
      job = latest;
      drawJob();
      void follow();
    } catch (err) {
      if (ctx.handleOwnerError(err)) {
        return;
      }
      // The form still works; the latest job's report is simply not shown.
      loaded = true;
      if (ctx.isCurrent()) {
        drawJob();
      }
    }
  };

  return { box, draw: () => draw(), load };
}
