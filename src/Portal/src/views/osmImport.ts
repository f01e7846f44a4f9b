import type { PageContext } from "../app";
import { imports } from "../api";
import { field, h, liveRegion, progressBar, replace, say } from "../dom";
import { errorMessage, fieldViolations, violationsByField } from "../errors";
import { formatCount } from "../experiments";
import type { ImportJob } from "../gen/coconstruisons/v1/imports_pb";
import { getLang, t, type MessageKey } from "../i18n";
import { isActive, isCsvName, isZipName, jobPercent, jobPhase, osmReportLines } from "../imports";
import { jobFollower } from "../jobFollower";
import { paths } from "../router";

/**
 * The "import an OpenSolarMap project" card of the projects page: the images (.zip), the past
 * answers (contributions.csv) and optionally the buildings (buildings.csv) start a background job
 * (ImportService.StartOpenSolarMapImport) that creates (or resumes) the project; its status is
 * polled while it runs, then its report says what was imported and every input not used.
 */
export function osmImportSection(ctx: PageContext, onFinished: () => Promise<void>): { box: HTMLElement; draw(): void } {
  const box = h("div", { testid: "osm-import-section" });
  let title = "OpenSolarMap";
  let images: File | undefined;
  let contributions: File | undefined;
  let buildings: File | undefined;
  let job: ImportJob | undefined;
  let errors = new Map<string, string[]>();
  let formError = "";
  let busy = false;
  let jobBox: HTMLElement = h("div");
  let status: HTMLElement = liveRegion("status", "osm-import-status");
  let lastAnnounced = "";

  const count = (n: number) => formatCount(n, getLang());

  const statusText = (j: ImportJob): string => {
    switch (jobPhase(j.state)) {
      case "queued":
        return t("osm.queued");
      case "running":
        return t("osm.running", { done: count(j.processed), total: count(j.features) });
      case "done":
        return t("osm.done");
      case "failed":
        return t("osm.failed", { message: j.error });
      default:
        return "";
    }
  };

  const drawJob = () => {
    const j = job;
    if (!j) {
      replace(jobBox);
      return;
    }
    const phase = jobPhase(j.state);
    const text = statusText(j);
    const announced = phase === "running" ? "running" : text;
    if (announced !== lastAnnounced) {
      say(status, text);
      lastAnnounced = announced;
    }
    const report = j.opensolarmap;
    const lines = report ? osmReportLines(report) : [];
    replace(
      jobBox,
      h(
        "div",
        { class: "tile-job", testid: "osm-import-job", "data-state": phase, "data-added": j.itemsAdded, "data-bad": j.badFeatures },
        h("h3", null, t("osm.job", { title: j.projectTitle })),
        phase === "running"
          ? progressBar(jobPercent(j), t("tiles.progressLabel"), t("osm.running", { done: count(j.processed), total: count(j.features) }), "osm-import-progress")
          : h("p", { class: phase === "failed" ? "field-error" : "meta", testid: "osm-import-summary" }, text),
        lines.length === 0
          ? null
          : h(
              "ul",
              { class: "report-list", testid: "osm-report" },
              lines.map((l) => h("li", { class: l.problem ? "field-error" : null, "data-key": l.key }, t(l.key as MessageKey, { count: count(l.count) }))),
            ),
        report && report.examples.length > 0
          ? h("details", { class: "report-list", testid: "osm-examples" }, h("summary", null, t("osm.examples")), h("ul", null, report.examples.map((e) => h("li", null, e))))
          : null,
        phase === "done" && j.projectId ? h("p", null, h("a", { href: paths.project(j.projectId), testid: "osm-open-project" }, t("osm.open"))) : null,
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
    if (!title.trim()) {
      found.set("projecttitle", [t("osm.noTitle")]);
    }
    if (!images || !isZipName(images.name)) {
      found.set("imageszip", [t("osm.notZip")]);
    }
    if (!contributions || !isCsvName(contributions.name)) {
      found.set("contributionscsv", [t("osm.notCsv")]);
    }
    if (buildings && !isCsvName(buildings.name)) {
      found.set("buildingscsv", [t("osm.notCsv")]);
    }
    return found;
  };

  const start = async () => {
    if (busy) {
      return;
    }
    errors = check();
    formError = "";
    if (errors.size > 0 || !images || !contributions) {
      draw();
      return;
    }
    busy = true;
    draw();
    try {
      job = await imports.startOpenSolarMapImport({
        projectTitle: title.trim(),
        imagesName: images.name,
        imagesZip: new Uint8Array(await images.arrayBuffer()),
        contributionsCsv: new Uint8Array(await contributions.arrayBuffer()),
        buildingsCsv: buildings ? new Uint8Array(await buildings.arrayBuffer()) : new Uint8Array(),
      });
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
    if (ctx.isCurrent()) {
      draw();
      void follow();
    }
  };

  const draw = () => {
    const titleInput = h("input", { type: "text", id: "osm-title", testid: "osm-title", value: title, maxlength: 200, autocomplete: "off" });
    titleInput.addEventListener("input", () => (title = titleInput.value));
    const file = (id: string, accept: string, set: (f: File | undefined) => void) => {
      const input = h("input", { type: "file", id, testid: id, accept });
      input.addEventListener("change", () => set(input.files?.[0] ?? undefined));
      return input;
    };
    const submit = h("button", { type: "submit", class: "button primary", testid: "osm-submit", disabled: busy || (job !== undefined && isActive(job.state)) }, busy ? t("form.busy") : t("osm.submit"));
    const alert = liveRegion("alert", "osm-import-error");
    say(alert, formError);
    status = liveRegion("status", "osm-import-status");
    lastAnnounced = "";
    jobBox = h("div");
    const form = h(
      "form",
      { novalidate: true, testid: "osm-import-form" },
      field(t("osm.projectTitle"), titleInput, { errors: errors.get("projecttitle") }),
      field(t("osm.images"), file("osm-images", ".zip,application/zip", (f) => (images = f)), { errors: errors.get("imageszip") ?? errors.get("imagesname") }),
      field(t("osm.contributions"), file("osm-contributions", ".csv,text/csv", (f) => (contributions = f)), { errors: errors.get("contributionscsv") }),
      field(t("osm.buildings"), file("osm-buildings", ".csv,text/csv", (f) => (buildings = f)), { errors: errors.get("buildingscsv") }),
      h("div", { class: "actions" }, submit),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void start();
    });
    replace(box, h("section", { class: "card", "aria-labelledby": "osm-title-h" }, h("h2", { id: "osm-title-h" }, t("osm.title")), h("p", { class: "hint" }, t("osm.hint")), form, alert, status, jobBox));
    drawJob();
  };

  return { box, draw };
}
