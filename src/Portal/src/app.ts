import { h, replace } from "./dom";
import { errorMessage, isUnauthenticated } from "./errors";
import { getLang, otherLang, setLang, t } from "./i18n";
import { paths, type Route } from "./router";
import { clearOwner, getOwner } from "./session";

/** What a page gets: where to draw, a signal that aborts when the user leaves, and helpers. */
export interface PageContext {
  main: HTMLElement;
  /** Aborted when another page is shown: listeners registered with it go away. */
  signal: AbortSignal;
  /** False once the user navigated elsewhere: late answers must not draw anything. */
  isCurrent(): boolean;
  navigate(hash: string): void;
  /** A message to show once on the next page (e.g. "session expired" on the sign-in page). */
  flash(message: string): void;
  takeFlash(): string | undefined;
  /** Owner calls: an expired token sends the owner back to sign in. Returns true when handled. */
  handleOwnerError(err: unknown): boolean;
  rerenderHeader(): void;
}

let flashMessage: string | undefined;

export function createContext(main: HTMLElement, signal: AbortSignal, isCurrent: () => boolean, rerenderHeader: () => void): PageContext {
  const ctx: PageContext = {
    main,
    signal,
    isCurrent,
    navigate(hash) {
      if (window.location.hash === hash) {
        window.dispatchEvent(new HashChangeEvent("hashchange"));
      } else {
        window.location.hash = hash;
      }
    },
    flash(message) {
      flashMessage = message;
    },
    takeFlash() {
      const m = flashMessage;
      flashMessage = undefined;
      return m;
    },
    handleOwnerError(err) {
      if (isUnauthenticated(err)) {
        clearOwner();
        ctx.flash(errorMessage(err) || t("error.sessionExpired"));
        ctx.navigate(paths.signin());
        return true;
      }
      return false;
    },
    rerenderHeader,
  };
  return ctx;
}

/** The header: brand, owner navigation when signed in, and the language switch. */
export function renderHeader(header: HTMLElement, route: Route, onLanguageChange: () => void): void {
  const owner = getOwner();
  const isPublic = route.name === "label";
  const lang = getLang();
  const next = otherLang(lang);
  const nav =
    owner && !isPublic
      ? h(
          "nav",
          { "aria-label": t("nav.main"), class: "nav" },
          h("a", { href: paths.projects(), testid: "nav-projects", "aria-current": route.name === "projects" ? "page" : null }, t("nav.projects")),
          owner.researcher === true
            ? h(
                "a",
                {
                  href: paths.experiments(),
                  testid: "nav-experiments",
                  "aria-current": route.name === "experiments" ? "page" : route.name === "experiment" ? "true" : null,
                },
                t("nav.experiments"),
              )
            : null,
          h(
            "button",
            {
              type: "button",
              class: "link-button",
              testid: "sign-out",
              onclick: () => {
                clearOwner();
                window.location.hash = paths.signin();
              },
            },
            t("nav.signOut"),
          ),
        )
      : null;
  replace(
    header,
    h(
      "div",
      { class: "header-inner" },
      // On the public page the brand is plain text: contributors have nowhere else to go.
      h(isPublic ? "span" : "a", { class: "brand", href: isPublic ? null : paths.home() }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "◧"), t("app.name")),
      nav,
      h(
        "button",
        {
          type: "button",
          class: "lang-toggle",
          testid: "lang-toggle",
          lang: next,
          "aria-label": t("lang.switchLabel"),
          onclick: () => {
            setLang(next);
            onLanguageChange();
          },
        },
        t("lang.switch"),
      ),
    ),
  );
}
