import type { PageContext } from "../app";
import { projects } from "../api";
import { h, liveRegion, progressBar, replace, say } from "../dom";
import { errorMessage } from "../errors";
import type { Project } from "../gen/coconstruisons/v1/projects_pb";
import { t } from "../i18n";
import { paths } from "../router";
import { projectLang, projectProgress } from "../util";
import { osmImportSection } from "./osmImport";
import { focusHeading, type Page } from "./page";

export function projectCard(p: Project): HTMLElement {
  const s = p.settings;
  const title = s?.title ?? "";
  const progress = projectProgress({ itemCount: p.itemCount, answerCount: p.answerCount, answersPerItem: s?.answersPerItem ?? 0 });
  return h(
    "li",
    { class: "card project-card", testid: "project-card", "data-project-id": p.id },
    // The link's text is the title alone (in a card, its purpose is clear), so it can carry the project's language.
    h("h2", null, h("a", { href: paths.project(p.id), lang: projectLang(s?.language) }, title)),
    s?.question ? h("p", { class: "muted", lang: projectLang(s.language) }, s.question) : null,
    progressBar(progress.percent, t("project.progressLabel"), t("projects.progress", { answers: progress.answers, wanted: progress.wanted })),
    h(
      "p",
      { class: "meta" },
      t("projects.images", { count: p.itemCount }),
      " · ",
      t("projects.completed", { done: p.completedItemCount, total: p.itemCount }),
    ),
  );
}

export async function projectsPage(ctx: PageContext): Promise<Page> {
  let list: Project[] | undefined;
  let error = "";
  // The OpenSolarMap import card keeps its own state (files chosen, job followed) across redraws.
  const osmImport = osmImportSection(ctx, async () => {
    try {
      list = (await projects.listProjects({})).projects;
    } catch {
      return; // the list stays as it was; the report is still shown
    }
    if (ctx.isCurrent()) {
      draw(false);
    }
  });

  const draw = (focus: boolean) => {
    const alert = liveRegion("alert", "page-error");
    const body = error
      ? null
      : list === undefined
        ? h("p", { class: "loading" }, t("app.loading"))
        : list.length === 0
          ? h("p", { class: "empty", testid: "projects-empty" }, t("projects.empty"))
          : h("ul", { class: "project-list", testid: "project-list" }, list.map(projectCard));
    replace(
      ctx.main,
      h(
        "section",
        { class: "page" },
        h(
          "div",
          { class: "page-head" },
          h("h1", null, t("projects.title")),
          h("a", { class: "button primary", href: paths.newProject(), testid: "new-project" }, "+ ", t("projects.new")),
        ),
        alert,
        body,
        osmImport.box,
      ),
    );
    osmImport.draw();
    if (error) {
      say(alert, error);
    }
    if (focus) {
      focusHeading(ctx.main);
    }
  };

  draw(true);
  try {
    const res = await projects.listProjects({});
    list = res.projects;
  } catch (err) {
    if (ctx.handleOwnerError(err)) {
      return {};
    }
    error = errorMessage(err);
    list = [];
  }
  if (ctx.isCurrent()) {
    draw(false);
  }
  return { relocalize: () => draw(false) };
}
