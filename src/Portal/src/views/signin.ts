import type { PageContext } from "../app";
import { auth } from "../api";
import { field, h, liveRegion, replace, say } from "../dom";
import { errorMessage } from "../errors";
import { t } from "../i18n";
import { paths } from "../router";
import { setOwner } from "../session";
import { focusHeading, type Page } from "./page";

export function signInPage(ctx: PageContext): Page {
  const state = { email: "", password: "", busy: false, error: ctx.takeFlash() ?? "" };

  const draw = (focus: boolean) => {
    const email = h("input", { type: "email", name: "email", autocomplete: "username", value: state.email, testid: "signin-email", required: true });
    const password = h("input", { type: "password", name: "password", autocomplete: "current-password", value: state.password, testid: "signin-password", required: true });
    email.addEventListener("input", () => (state.email = email.value));
    password.addEventListener("input", () => (state.password = password.value));
    const error = liveRegion("alert", "form-error");
    const submit = h("button", { type: "submit", class: "button primary", testid: "signin-submit" }, t("signin.submit"));
    const form = h(
      "form",
      { class: "card form narrow", novalidate: true },
      field(t("signin.email"), email),
      field(t("signin.password"), password),
      error,
      submit,
    );
    if (state.error) {
      say(error, state.error);
    }
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (state.busy) {
        return;
      }
      state.busy = true;
      submit.disabled = true;
      submit.textContent = t("signin.busy");
      say(error, "");
      try {
        const res = await auth.signIn({ email: email.value.trim(), password: password.value });
        setOwner({ token: res.accessToken, displayName: res.displayName, expiresAtUnix: Number(res.expiresAtUnix), researcher: res.isResearcher });
        state.password = "";
        ctx.navigate(paths.projects());
      } catch (err) {
        if (!ctx.isCurrent()) {
          return;
        }
        state.error = errorMessage(err);
        say(error, state.error);
        submit.disabled = false;
        submit.textContent = t("signin.submit");
        password.focus();
      } finally {
        state.busy = false;
      }
    });
    replace(
      ctx.main,
      h("section", { class: "page narrow" }, h("h1", null, t("signin.title")), h("p", { class: "lead" }, t("signin.intro")), form, h("p", { class: "hint" }, t("signin.contributorHint"))),
    );
    if (focus) {
      focusHeading(ctx.main);
    }
  };

  draw(true);
  return { relocalize: () => draw(false) };
}
