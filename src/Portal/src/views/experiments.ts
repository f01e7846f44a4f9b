import type { PageContext } from "../app";
import { experiments } from "../api";
import { field, fieldErrors, h, liveRegion, replace, say } from "../dom";
import { errorMessage, fieldViolations, violationsByField } from "../errors";
import { allocationProblems, allocationTotal, AUDIENCES, defaultVariants, formatShare, LEVERS, toExperiment, type ExperimentDraft } from "../experiments";
import type { Experiment } from "../gen/coconstruisons/v1/experiments_pb";
import { getLang, hasMessage, t } from "../i18n";
import { paths } from "../router";
import { focusHeading, type Page } from "./page";

/** A lever, status or audience in words; the raw value when the server sends one the portal does not know. */
export function known(prefix: "lever" | "status" | "audience" | "auditKind", value: string): string {
  const key = `experiments.${prefix}.${value}`;
  return hasMessage(key) ? t(key) : value;
}

export function variantsText(e: Experiment): string {
  const lang = getLang();
  return e.variants.map((v) => `${v.name} ${formatShare(v.percent, lang)}`).join(" · ");
}

export async function experimentsPage(ctx: PageContext): Promise<Page> {
  let list: Experiment[] | undefined;
  let loadError = "";
  const draft: ExperimentDraft = {
    name: "",
    lever: "tone",
    variants: defaultVariants("tone"),
    seed: "",
    projectIds: "",
    channels: "slack",
    audience: "all",
    allowOverlap: false,
  };
  // Until the researcher edits a variant, changing the lever proposes that lever's variants.
  let variantsTouched = false;
  let formError = "";
  let violations = new Map<string, string[]>();
  let busy = false;

  const errorsFor = (...keys: string[]) => keys.flatMap((k) => violations.get(k) ?? []);

  const listBox = h("div");
  const formBox = h("div");

  const drawList = () => {
    const alert = liveRegion("alert", "experiments-error");
    say(alert, loadError);
    replace(
      listBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "experiments-list-title" },
        h("h2", { id: "experiments-list-title" }, t("experiments.listTitle")),
        alert,
        list === undefined
          ? loadError
            ? null
            : h("p", { class: "loading" }, t("app.loading"))
          : list.length === 0
            ? h("p", { class: "empty", testid: "experiments-empty" }, t("experiments.empty"))
            : h(
                "div",
                { class: "table-wrap" },
                h(
                  "table",
                  { class: "data-table", testid: "experiments-table" },
                  h("caption", { class: "visually-hidden" }, t("experiments.listTitle")),
                  h(
                    "thead",
                    null,
                    h(
                      "tr",
                      null,
                      h("th", { scope: "col" }, t("experiments.name")),
                      h("th", { scope: "col" }, t("experiments.lever")),
                      h("th", { scope: "col" }, t("experiments.status")),
                      h("th", { scope: "col" }, t("experiments.variants")),
                    ),
                  ),
                  h(
                    "tbody",
                    null,
                    list.map((e) =>
                      h(
                        "tr",
                        { testid: "experiment-row", "data-name": e.name, "data-status": e.status },
                        h("th", { scope: "row" }, h("a", { href: paths.experiment(e.name) }, e.name)),
                        h("td", null, known("lever", e.lever)),
                        h("td", null, h("span", { class: `badge status-${e.status}` }, known("status", e.status))),
                        h("td", null, variantsText(e)),
                      ),
                    ),
                  ),
                ),
              ),
      ),
    );
  };

  const drawForm = (focusSelector?: string) => {
    const alert = liveRegion("alert", "define-error");
    alert.tabIndex = -1;
    say(alert, formError);

    const text = (key: "name" | "seed" | "channels", testid: string, extra: Record<string, string | number> = {}) => {
      const el = h("input", { type: "text", testid, value: draft[key], autocomplete: "off", ...extra });
      el.addEventListener("input", () => (draft[key] = el.value));
      return el;
    };
    const select = (key: "lever" | "audience", values: readonly string[], prefix: "lever" | "audience", testid: string) => {
      const el = h("select", { testid }, values.map((v) => h("option", { value: v }, known(prefix, v))));
      el.value = draft[key];
      return el;
    };

    const lever = select("lever", LEVERS, "lever", "define-lever");
    lever.addEventListener("change", () => {
      draft.lever = lever.value;
      if (!variantsTouched) {
        draft.variants = defaultVariants(draft.lever);
        drawForm('[data-testid="define-lever"]');
      }
    });
    const audience = select("audience", AUDIENCES, "audience", "define-audience");
    audience.addEventListener("change", () => (draft.audience = audience.value));

    const total = h("p", { class: "hint", id: "define-total", "aria-live": "polite", testid: "define-total" });
    const showTotal = () => {
      const sum = allocationTotal(draft.variants);
      total.textContent = Number.isFinite(sum) ? t("experiments.total", { total: formatShare(sum, getLang()) }) : t("experiments.totalUnknown");
      total.classList.toggle("warning-text", sum !== 100);
    };
    const rows = draft.variants.map((v, i) => {
      const n = i + 1;
      const name = h("input", { type: "text", value: v.name, testid: `define-variant-name-${i}`, "aria-label": t("experiments.variantName", { n }), autocomplete: "off" });
      const percent = h("input", { type: "text", inputmode: "decimal", value: v.percent, class: "short", testid: `define-variant-percent-${i}`, "aria-label": t("experiments.variantPercent", { n }) });
      name.addEventListener("input", () => {
        variantsTouched = true;
        v.name = name.value;
      });
      percent.addEventListener("input", () => {
        variantsTouched = true;
        v.percent = percent.value;
        showTotal();
      });
      return h(
        "li",
        { class: "variant-row" },
        h("span", { class: "choice-number", "aria-hidden": "true" }, `${n}.`),
        name,
        percent,
        h("span", { "aria-hidden": "true" }, "%"),
        i === 0 ? h("span", { class: "badge" }, t("experiments.control")) : null,
        h(
          "button",
          {
            type: "button",
            class: "icon-button",
            "aria-label": t("experiments.variantRemove", { n }),
            title: t("experiments.variantRemove", { n }),
            testid: `define-variant-remove-${i}`,
            disabled: draft.variants.length <= 2,
            onclick: () => {
              variantsTouched = true;
              draft.variants.splice(i, 1);
              drawForm(`[data-testid="define-variant-name-${Math.max(0, i - 1)}"]`);
            },
          },
          "✕",
        ),
      );
    });
    showTotal();
    const variantErrors = fieldErrors("define-variants-error", errorsFor("variants", "variant", "allocations", "allocation"));

    const projects = h("textarea", { rows: 2, testid: "define-projects" });
    projects.value = draft.projectIds;
    projects.addEventListener("input", () => (draft.projectIds = projects.value));
    const overlap = h("input", { type: "checkbox", id: "define-overlap", testid: "define-overlap", checked: draft.allowOverlap, "aria-describedby": "define-overlap-hint" });
    overlap.addEventListener("change", () => (draft.allowOverlap = overlap.checked));
    const overlapErrors = fieldErrors("define-overlap-error", errorsFor("allowoverlap"));
    const submit = h("button", { type: "submit", class: "button primary", testid: "define-submit" }, t("experiments.define"));
    const required = { required: true, requiredText: t("form.required") };

    const form = h(
      "form",
      { class: "form", novalidate: true, testid: "define-form" },
      field(t("experiments.name"), text("name", "define-name", { maxlength: 100 }), { ...required, hint: t("experiments.nameHint"), errors: errorsFor("name") }),
      field(t("experiments.lever"), lever, { ...required, errors: errorsFor("lever") }),
      h(
        "fieldset",
        { class: variantErrors ? "choices invalid" : "choices", "aria-describedby": ["define-variants-hint", "define-total", variantErrors ? "define-variants-error" : ""].join(" ").trim() },
        h("legend", null, t("experiments.variants"), h("span", { class: "required" }, ` (${t("form.required")})`)),
        h("p", { class: "hint", id: "define-variants-hint" }, t("experiments.variantsHint")),
        variantErrors,
        h("ol", { class: "choice-list", testid: "define-variants" }, rows),
        total,
        h(
          "button",
          {
            type: "button",
            class: "button secondary",
            testid: "define-variant-add",
            disabled: draft.variants.length >= 8,
            onclick: () => {
              variantsTouched = true;
              draft.variants.push({ name: "", percent: "0" });
              drawForm(`[data-testid="define-variant-name-${draft.variants.length - 1}"]`);
            },
          },
          "+ ",
          t("experiments.variantAdd"),
        ),
      ),
      field(t("experiments.seed"), text("seed", "define-seed", { maxlength: 100 }), { ...required, hint: t("experiments.seedHint"), errors: errorsFor("seed") }),
      h(
        "fieldset",
        { class: "choices" },
        h("legend", null, t("experiments.targeting")),
        field(t("experiments.projects"), projects, { hint: t("experiments.projectsHint"), errors: errorsFor("projectids", "projects", "targeting") }),
        field(t("experiments.channels"), text("channels", "define-channels"), { hint: t("experiments.channelsHint"), errors: errorsFor("channels") }),
        field(t("experiments.audience"), audience, { errors: errorsFor("audience") }),
      ),
      h(
        "div",
        { class: overlapErrors ? "field checkbox invalid" : "field checkbox" },
        overlap,
        h("label", { for: "define-overlap" }, t("experiments.allowOverlap")),
      ),
      h("p", { class: "hint", id: "define-overlap-hint" }, t("experiments.allowOverlapHint")),
      overlapErrors,
      alert,
      h("div", { class: "actions" }, submit),
    );

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (busy) {
        return;
      }
      const problems = allocationProblems(draft.variants);
      const firstBad = problems.find((p) => p.kind === "notANumber");
      if (firstBad && firstBad.kind === "notANumber") {
        formError = t("experiments.percentNotANumber", { n: firstBad.index + 1 });
        violations = new Map();
        say(alert, formError);
        form.querySelector<HTMLElement>(`[data-testid="define-variant-percent-${firstBad.index}"]`)?.focus();
        return;
      }
      busy = true;
      submit.disabled = true;
      submit.textContent = t("form.busy");
      say(alert, "");
      try {
        // Sums other than 100 go to the server too: its message says what is wrong in the researcher's words.
        const detail = await experiments.defineExperiment({ experiment: toExperiment(draft) });
        formError = "";
        violations = new Map();
        ctx.navigate(paths.experiment(detail.experiment?.name ?? draft.name.trim()));
      } catch (err) {
        if (ctx.handleOwnerError(err) || !ctx.isCurrent()) {
          return;
        }
        formError = errorMessage(err);
        violations = violationsByField(fieldViolations(err));
        drawForm();
        formBox.querySelector<HTMLElement>('[data-testid="define-error"]')?.focus();
      } finally {
        busy = false;
        if (submit.isConnected) {
          submit.disabled = false;
          submit.textContent = t("experiments.define");
        }
      }
    });

    replace(
      formBox,
      h(
        "section",
        { class: "card", "aria-labelledby": "define-title" },
        h("h2", { id: "define-title" }, t("experiments.defineTitle")),
        h("p", { class: "hint" }, t("experiments.defineIntro")),
        form,
      ),
    );
    if (focusSelector) {
      formBox.querySelector<HTMLElement>(focusSelector)?.focus();
    }
  };

  const draw = (focus: boolean) => {
    replace(
      ctx.main,
      h(
        "section",
        { class: "page", testid: "experiments-page" },
        h("h1", null, t("experiments.title")),
        h("p", { class: "lead" }, t("experiments.intro")),
        listBox,
        formBox,
      ),
    );
    drawList();
    drawForm();
    if (focus) {
      focusHeading(ctx.main);
    }
  };

  draw(true);
  try {
    const res = await experiments.listExperiments({});
    list = res.experiments;
  } catch (err) {
    if (ctx.handleOwnerError(err)) {
      return {};
    }
    loadError = errorMessage(err);
  }
  if (ctx.isCurrent()) {
    drawList();
  }
  return { relocalize: () => draw(false) };
}
