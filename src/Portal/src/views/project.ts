import type { PageContext } from "../app";
import { projects } from "../api";
import { field, h, liveRegion, progressBar, replace, say, withPart } from "../dom";
import { errorMessage, HttpError } from "../errors";
import { ExportFormat, type ItemSummary, type Project } from "../gen/coconstruisons/v1/projects_pb";
import { getLang, t } from "../i18n";
import { paths } from "../router";
import { getOwner } from "../session";
import { uploadFiles, type UploadReport } from "../upload";
import { choiceLabel, PART, percent, projectLang, projectProgress, sameOriginImageUrl } from "../util";
import { campaignSection } from "./campaign";
import { tileImportSection } from "./tileImport";
import { activitySection } from "./activity";
import { modelSection } from "./model";
import { focusHeading, type Page } from "./page";

const PAGE_SIZE = 48;

interface UploadState {
  phase: "idle" | "sending" | "processing" | "done" | "failed";
  fileCount: number;
  percent: number;
  report?: UploadReport;
  error?: string;
}

export async function projectPage(ctx: PageContext, id: string): Promise<Page> {
  let project: Project | undefined;
  let items: ItemSummary[] = [];
  let total = 0;
  let page = 0;
  let loadError = "";
  const upload: UploadState = { phase: "idle", fileCount: 0, percent: 0 };
  let exportStatus = "";
  let exportError = "";
  let coOwnerEmail = "";
  let coOwnerStatus = "";
  let coOwnerError = "";

  // Containers of the parts that refresh on their own; rebuilt by draw().
  let pageAlert: HTMLElement = h("div");
  let summaryBox: HTMLElement = h("div");
  let uploadBox: HTMLElement = h("div");
  let itemsBox: HTMLElement = h("div");

  const settings = () => project?.settings;
  // The Slack campaign settings keep their own state (and what the owner typed) across redraws.
  const campaign = campaignSection(ctx, id);
  // The tile import card follows its background job across redraws; when a job ends, the items are reloaded.
  const tileImport = tileImportSection(ctx, id, () => refresh());
  // The model card keeps its own state and polls while a training run is queued or running.
  const model = modelSection(ctx, id, (key) => choiceLabel(key, settings()?.choices ?? [], t("label.dontKnow")));
  // Answers and contributors over time, as a chart.
  const activity = activitySection(ctx, id);

  const drawSummary = () => {
    if (!project) {
      return;
    }
    const s = settings();
    const progress = projectProgress({ itemCount: project.itemCount, answerCount: project.answerCount, answersPerItem: s?.answersPerItem ?? 0 });
    const publicUrl = `${window.location.origin}${project.publicPath || `/${paths.label(project.id)}`}`;
    const copied = liveRegion("status", "copy-status");
    replace(
      summaryBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "progress-title" },
        h("h2", { id: "progress-title" }, t("project.progress")),
        progressBar(progress.percent, t("project.progressLabel"), t("projects.progress", { answers: progress.answers, wanted: progress.wanted }), "project-progress"),
        h(
          "p",
          { class: "meta", testid: "project-counts" },
          t("projects.images", { count: project.itemCount }),
          " · ",
          t("projects.completed", { done: project.completedItemCount, total: project.itemCount }),
        ),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "public-title" },
        h("h2", { id: "public-title" }, t("project.publicLink")),
        h("p", { class: "hint" }, t("project.publicLinkHint")),
        h(
          "div",
          { class: "link-row" },
          h("a", { href: publicUrl, testid: "public-link", class: "public-link", target: "_blank", rel: "noopener" }, publicUrl),
          h(
            "button",
            {
              type: "button",
              class: "button secondary",
              testid: "copy-link",
              onclick: async () => {
                try {
                  await navigator.clipboard.writeText(publicUrl);
                  say(copied, t("project.copied"));
                } catch {
                  say(copied, publicUrl);
                }
              },
            },
            t("project.copyLink"),
          ),
        ),
        copied,
      ),
    );
  };

  const reportList = (title: string, testid: string, rows: string[]) =>
    rows.length === 0
      ? null
      : h("details", { class: "report-list", testid, open: rows.length <= 10 }, h("summary", null, title), h("ul", null, rows.map((r) => h("li", null, r))));

  // The upload card is built once per page draw; its live regions stay in place so screen
  // readers announce progress and the result, and only their text changes.
  let uploadInput: HTMLInputElement | undefined;
  let uploadProgress: HTMLElement = h("div");
  let uploadStatus: HTMLElement = h("div");
  let uploadAlert: HTMLElement = h("div");
  let uploadReport: HTMLElement = h("div");

  const buildUpload = () => {
    uploadInput = h("input", { type: "file", id: "upload-input", multiple: true, accept: "image/*,.zip,application/zip,.csv,text/csv", testid: "upload-input", "aria-describedby": "upload-hint" });
    const input = uploadInput;
    input.addEventListener("change", () => {
      if (input.files && input.files.length > 0) {
        void send(Array.from(input.files));
        input.value = "";
      }
    });
    const zone = h(
      "div",
      { class: "drop-zone", testid: "drop-zone" },
      h("label", { for: "upload-input", class: "drop-label" }, t("upload.input")),
      input,
      h("p", { class: "drop-hint", "aria-hidden": "true" }, t("upload.drop")),
    );
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("dragging");
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length > 0 && !isUploading()) {
        void send(files);
      }
    });
    uploadProgress = h("div");
    uploadStatus = liveRegion("status", "upload-status");
    uploadAlert = liveRegion("alert", "upload-error");
    uploadReport = h("div");
    replace(
      uploadBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "upload-title" },
        h("h2", { id: "upload-title" }, t("upload.title")),
        h("p", { class: "hint", id: "upload-hint" }, t("upload.hint")),
        zone,
        uploadProgress,
        uploadStatus,
        uploadAlert,
        uploadReport,
      ),
    );
  };

  const isUploading = () => upload.phase === "sending" || upload.phase === "processing";

  const drawUpload = () => {
    if (uploadInput) {
      uploadInput.disabled = isUploading();
    }
    const r = upload.report;
    switch (upload.phase) {
      case "sending":
        replace(uploadProgress, progressBar(upload.percent, t("upload.progressLabel"), `${upload.percent} %`, "upload-progress"));
        say(uploadStatus, t("upload.sending", { count: upload.fileCount, percent: upload.percent }));
        break;
      case "processing":
        replace(uploadProgress, progressBar(100, t("upload.progressLabel"), "100 %", "upload-progress"));
        say(uploadStatus, t("upload.processing"));
        break;
      case "done":
        replace(uploadProgress);
        say(uploadStatus, r ? t("upload.done", { added: r.added.length, duplicates: r.duplicates.length, rejected: r.rejected.length }) : "");
        break;
      case "failed":
        replace(uploadProgress);
        say(uploadStatus, "");
        break;
      default:
        replace(uploadProgress);
        say(uploadStatus, "");
    }
    say(uploadAlert, upload.phase === "failed" ? t("upload.failed", { message: upload.error ?? "" }) : "");
    replace(
      uploadReport,
      upload.phase === "done" && r
        ? h(
            "div",
            { class: "upload-report", testid: "upload-report", "data-added": r.added.length, "data-duplicates": r.duplicates.length, "data-rejected": r.rejected.length },
            reportList(t("upload.added", { count: r.added.length }), "report-added", r.added.map((a) => a.fileName)),
            reportList(t("upload.duplicates", { count: r.duplicates.length }), "report-duplicates", r.duplicates.map((d) => `${d.fileName} — ${d.reason}`)),
            reportList(t("upload.rejected", { count: r.rejected.length }), "report-rejected", r.rejected.map((x) => `${x.fileName} — ${x.reason}`)),
            r.badRows
              ? reportList(t("upload.badRows", { count: r.badRows.length }), "report-bad-rows", r.badRows.map((b) => t("upload.badRow", { line: b.line, reason: b.reason })))
              : null,
          )
        : null,
    );
  };

  const send = async (files: File[]) => {
    const owner = getOwner();
    if (!owner) {
      ctx.handleOwnerError(new HttpError(401, t("error.sessionExpired")));
      return;
    }
    upload.phase = "sending";
    upload.fileCount = files.length;
    upload.percent = 0;
    upload.report = undefined;
    drawUpload();
    try {
      const report = await uploadFiles({
        projectId: id,
        files,
        token: owner.token,
        lang: getLang(),
        fallback: (status) => (status === 413 ? t("upload.tooBig") : t("error.unknown")),
        onProgress: (sent, all) => {
          const next = percent(sent, all);
          if (sent >= all) {
            upload.phase = "processing";
          }
          if (next !== upload.percent || upload.phase === "processing") {
            upload.percent = next;
            if (ctx.isCurrent()) {
              drawUpload();
            }
          }
        },
      });
      upload.phase = "done";
      upload.report = report;
    } catch (err) {
      if (ctx.handleOwnerError(err)) {
        return;
      }
      upload.phase = "failed";
      upload.error = errorMessage(err);
    }
    if (!ctx.isCurrent()) {
      return;
    }
    drawUpload();
    await refresh();
  };

  const drawItems = () => {
    const s = settings();
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const cards = items.map((item) => {
      const label = item.label ? choiceLabel(item.label, s?.choices ?? [], t("label.dontKnow")) : "";
      return h(
        "li",
        { class: "item-card", testid: "item-card", "data-item-id": item.id, "data-answers": item.answerCount, "data-label": item.label },
        h("img", { src: sameOriginImageUrl(item.thumbnailUrl), alt: t("items.thumbAlt", { name: item.fileName }), loading: "lazy", width: 160, height: 160 }),
        h("p", { class: "item-name", title: item.fileName }, item.fileName),
        progressBar(percent(item.answerCount, item.answersWanted), t("items.answers", { answers: item.answerCount, wanted: item.answersWanted }), t("items.answers", { answers: item.answerCount, wanted: item.answersWanted })),
        h(
          "p",
          { class: label ? "item-label" : "item-label muted" },
          // A choice's label is the owner's text (marked with the project's language); "don't know" is the page's.
          label ? withPart(t("items.label", { label: PART }), label, item.label === "dont_know" ? getLang() : projectLang(s?.language)) : t("items.noLabel"),
        ),
      );
    });
    const pager =
      pages > 1
        ? h(
            "nav",
            { class: "pager", "aria-label": t("items.page", { page: page + 1, pages }) },
            h("button", { type: "button", class: "button secondary", disabled: page === 0, testid: "items-previous", onclick: () => void goTo(page - 1) }, "← ", t("items.previous")),
            h("span", null, t("items.page", { page: page + 1, pages })),
            h("button", { type: "button", class: "button secondary", disabled: page + 1 >= pages, testid: "items-next", onclick: () => void goTo(page + 1) }, t("items.next"), " →"),
          )
        : null;
    replace(
      itemsBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "items-title" },
        h("div", { class: "section-head" }, h("h2", { id: "items-title" }, t("items.title")), h("span", { class: "muted", testid: "items-total" }, t("items.total", { total }))),
        items.length === 0 ? h("p", { class: "empty", testid: "items-empty" }, t("items.empty")) : h("ul", { class: "items-grid", testid: "items-grid" }, cards),
        pager,
      ),
    );
  };

  const goTo = async (next: number) => {
    page = next;
    await refresh();
    // Keyboard users go on from the top of the new page of images, not from the top of the document.
    const title = itemsBox.querySelector<HTMLElement>("#items-title");
    title?.setAttribute("tabindex", "-1");
    title?.focus();
  };

  let exporting = false;
  const exportAs = async (format: ExportFormat, status: HTMLElement, alert: HTMLElement) => {
    if (exporting) {
      return;
    }
    exporting = true;
    exportError = "";
    say(alert, "");
    say(status, t("export.busy"));
    try {
      const file = await projects.exportProject({ projectId: id, format });
      const blob = new Blob([file.content.slice()], { type: file.contentType || "application/octet-stream" });
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: file.fileName, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      exportStatus = t("export.done", { file: file.fileName });
      say(status, exportStatus);
    } catch (err) {
      if (ctx.handleOwnerError(err)) {
        return;
      }
      exportStatus = "";
      exportError = errorMessage(err);
      say(status, "");
      say(alert, exportError);
    } finally {
      exporting = false;
    }
  };

  const exportSection = () => {
    const status = liveRegion("status", "export-status");
    const alert = liveRegion("alert", "export-error");
    say(status, exportStatus);
    say(alert, exportError);
    return h(
      "section",
      { class: "card", "aria-labelledby": "export-title" },
      h("h2", { id: "export-title" }, t("export.title")),
      h("p", { class: "hint" }, t("export.hint")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "button primary", testid: "export-csv", onclick: () => void exportAs(ExportFormat.CSV, status, alert) }, t("export.csv")),
        h("button", { type: "button", class: "button secondary", testid: "export-json", onclick: () => void exportAs(ExportFormat.JSON, status, alert) }, t("export.json")),
      ),
      status,
      alert,
    );
  };

  const coOwnerSection = () => {
    const status = liveRegion("status", "coowner-status");
    const alert = liveRegion("alert", "coowner-error");
    say(status, coOwnerStatus);
    say(alert, coOwnerError);
    const email = h("input", { type: "email", autocomplete: "off", testid: "coowner-email", value: coOwnerEmail });
    email.addEventListener("input", () => (coOwnerEmail = email.value));
    const submit = h("button", { type: "submit", class: "button secondary", testid: "coowner-submit" }, t("coowner.submit"));
    const form = h("form", { class: "inline-form", novalidate: true }, field(t("coowner.email"), email, { hint: t("coowner.hint") }), submit);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      submit.disabled = true;
      say(alert, "");
      try {
        const updated = await projects.addCoOwner({ projectId: id, email: email.value.trim() });
        project = updated;
        coOwnerStatus = t("coowner.added", { email: email.value.trim() });
        coOwnerError = "";
        coOwnerEmail = "";
        email.value = "";
        say(status, coOwnerStatus);
        replace(owners, ...ownerItems());
      } catch (err) {
        if (ctx.handleOwnerError(err)) {
          return;
        }
        coOwnerError = errorMessage(err);
        say(alert, coOwnerError);
        email.focus();
      } finally {
        submit.disabled = false;
      }
    });
    const ownerItems = () => (project?.ownerEmails ?? []).map((o) => h("li", null, o));
    const owners = h("ul", { class: "owner-list", testid: "owner-list" }, ownerItems());
    return h(
      "section",
      { class: "card", "aria-labelledby": "owners-title" },
      h("h2", { id: "owners-title" }, t("project.owners")),
      owners,
      h("h3", null, t("coowner.title")),
      form,
      status,
      alert,
    );
  };

  const draw = (focus: boolean) => {
    if (!project) {
      const alert = liveRegion("alert", "page-error");
      replace(
        ctx.main,
        h("section", { class: "page" }, h("p", null, h("a", { href: paths.projects() }, t("project.back"))), h("h1", null, loadError ? t("app.name") : t("app.loading")), alert),
      );
      say(alert, loadError);
      if (focus) {
        focusHeading(ctx.main);
      }
      return;
    }
    const s = settings();
    // The owner's texts are marked with the language they are written in (the page's may differ).
    const lang = projectLang(s?.language);
    pageAlert = liveRegion("alert", "page-error");
    summaryBox = h("div", { class: "stack" });
    uploadBox = h("div");
    itemsBox = h("div");
    replace(
      ctx.main,
      h(
        "section",
        { class: "page", testid: "project-page", "data-project-id": project.id },
        h("p", null, h("a", { href: paths.projects(), testid: "back-to-projects" }, t("project.back"))),
        h("h1", { testid: "project-title", lang }, s?.title ?? ""),
        pageAlert,
        s?.description ? h("p", { class: "lead", lang }, s.description) : null,
        h("p", null, h("strong", { testid: "project-question-text" }, withPart(t("project.question", { question: PART }), s?.question ?? "", lang))),
        h(
          "p",
          { class: "muted" },
          withPart(t("project.choicesList", { choices: PART }), (s?.choices ?? []).map((c) => c.label).join(" · "), lang),
          s?.allowDontKnow ? ` — ${t("project.dontKnowAllowed")}` : "",
        ),
        h("div", { class: "columns" }, h("div", { class: "stack" }, summaryBox, uploadBox, tileImport.box), h("div", { class: "stack" }, exportSection(), coOwnerSection())),
        activity.box,
        model.box,
        campaign.box,
        itemsBox,
      ),
    );
    drawSummary();
    buildUpload();
    drawUpload();
    drawItems();
    tileImport.draw();
    activity.draw();
    model.draw();
    campaign.draw();
    if (focus) {
      focusHeading(ctx.main);
    }
  };

  const refresh = async () => {
    try {
      const [p, list] = await Promise.all([projects.getProject({ projectId: id }), projects.listItems({ projectId: id, page, pageSize: PAGE_SIZE })]);
      if (!ctx.isCurrent()) {
        return;
      }
      const first = project === undefined;
      project = p;
      items = list.items;
      total = list.total;
      loadError = "";
      say(pageAlert, "");
      if (first) {
        draw(true);
      } else {
        drawSummary();
        drawItems();
      }
    } catch (err) {
      if (ctx.handleOwnerError(err) || !ctx.isCurrent()) {
        return;
      }
      loadError = errorMessage(err);
      if (!project) {
        draw(false);
      } else {
        say(pageAlert, loadError);
      }
    }
  };

  draw(true);
  await refresh();
  if (project && ctx.isCurrent()) {
    await Promise.all([activity.load(), model.load(), campaign.load(), tileImport.load()]);
  }
  return { relocalize: () => draw(false) };
}
