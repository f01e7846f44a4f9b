import "./style.css";
import { createContext, renderHeader } from "./app";
import { h, replace } from "./dom";
import { getLang, setLang, t } from "./i18n";
import { parseRoute, paths, type Route } from "./router";
import { getOwner } from "./session";
import { pageTitle } from "./util";
import { experimentPage } from "./views/experiment";
import { experimentsPage } from "./views/experiments";
import { labelPage } from "./views/label";
import { newProjectPage } from "./views/newProject";
import { focusHeading, type Page } from "./views/page";
import { projectPage } from "./views/project";
import { projectsPage } from "./views/projects";
import { signInPage } from "./views/signin";

const header = document.getElementById("site-header") as HTMLElement;
const main = document.getElementById("main") as HTMLElement;
const skip = document.getElementById("skip-link") as HTMLAnchorElement;

let controller: AbortController | undefined;
let generation = 0;
let page: Page | void = undefined;
let route: Route = { name: "home" };

// The skip link must not change the hash (the hash is the route): it only moves focus.
skip.addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});

// Each view's title is its h1 then the site's name, kept in step with whatever the view draws
// (loading, the project's title once it arrives, a redraw in the other language).
function syncTitle(): void {
  const title = pageTitle(main.querySelector("h1")?.textContent, t("app.name"));
  if (document.title !== title) {
    document.title = title;
  }
}
new MutationObserver(syncTitle).observe(main, { childList: true, subtree: true, characterData: true });

function drawChrome(): void {
  document.documentElement.lang = getLang();
  skip.textContent = t("app.skip");
  renderHeader(header, route, onLanguageChange);
  syncTitle();
}

function onLanguageChange(): void {
  drawChrome();
  if (page && page.relocalize) {
    page.relocalize();
  } else {
    void show();
  }
  header.querySelector<HTMLElement>('[data-testid="lang-toggle"]')?.focus();
}

/** Owner pages need a signed-in owner; "/" goes to the projects or to sign-in. */
function resolve(r: Route): Route | string {
  const signedIn = getOwner() !== undefined;
  switch (r.name) {
    case "home":
      return signedIn ? paths.projects() : paths.signin();
    case "projects":
    case "newProject":
    case "project":
    case "experiments":
    case "experiment":
      return signedIn ? r : paths.signin();
    case "signin":
      return signedIn ? paths.projects() : r;
    default:
      return r;
  }
}

async function show(): Promise<void> {
  const resolved = resolve(parseRoute(window.location.hash));
  if (typeof resolved === "string") {
    window.location.replace(resolved);
    return;
  }
  controller?.abort();
  controller = new AbortController();
  const mine = ++generation;
  route = resolved;
  page = undefined;
  drawChrome();
  const ctx = createContext(main, controller.signal, () => mine === generation, drawChrome);
  let drawn: Page | void = undefined;
  switch (route.name) {
    case "signin":
      drawn = signInPage(ctx);
      break;
    case "projects":
      drawn = await projectsPage(ctx);
      break;
    case "newProject":
      drawn = newProjectPage(ctx);
      break;
    case "project":
      drawn = await projectPage(ctx, route.id);
      break;
    case "label":
      drawn = await labelPage(ctx, route.id, route.link);
      break;
    case "experiments":
      drawn = await experimentsPage(ctx);
      break;
    case "experiment":
      drawn = await experimentPage(ctx, route.experimentName);
      break;
    default:
      replace(main, h("section", { class: "page narrow" }, h("h1", null, t("app.notFound")), h("p", null, h("a", { href: paths.home() }, t("app.backHome")))));
      // As on every other page, screen readers hear where they landed (and focus is not left on a link that is gone).
      focusHeading(main);
      break;
  }
  if (mine === generation) {
    page = drawn;
  }
}

setLang(getLang());
window.addEventListener("hashchange", () => void show());
void show();
