import type { PageContext } from "../app";
import { projects } from "../api";
import { addChoice, canAdd, canRemove, initialChoices, moveChoice, removeChoice, toRequestChoices, updateLabel, type ChoiceDraft } from "../choices";
import { field, fieldErrors, h, liveRegion, replace, say } from "../dom";
import { errorMessage, fieldViolations, violationsByField } from "../errors";
import { getLang, t } from "../i18n";
import { paths } from "../router";
import { focusHeading, type Page } from "./page";

/** The form's fields in page order: the server's field key and the control to focus. */
const FIELD_ORDER: readonly [string, string][] = [
  ["title", '[data-testid="project-title"]'],
  ["description", '[data-testid="project-description"]'],
  ["question", '[data-testid="project-question"]'],
  ["choices", '[data-testid="choice-label-0"]'],
  ["instructions", '[data-testid="project-instructions"]'],
  ["answersperitem", '[data-testid="answers-per-item"]'],
];

interface Draft {
  title: string;
  description: string;
  question: string;
  choices: ChoiceDraft[];
  allowDontKnow: boolean;
  instructions: string;
  answersPerItem: string;
  language: "fr" | "en";
}

export function newProjectPage(ctx: PageContext): Page {
  const draft: Draft = {
    title: "",
    description: "",
    question: "",
    choices: initialChoices(),
    allowDontKnow: true,
    instructions: "",
    answersPerItem: "3",
    // Owners usually write in the language they read the portal in.
    language: getLang() === "en" ? "en" : "fr",
  };
  let error = "";
  // The server's messages per field (title, question, choices, answersperitem…), shown beside each field.
  let errors = new Map<string, string[]>();
  let busy = false;

  const text = (key: keyof Draft & string, testid: string, multiline = false, extra: Record<string, string | number> = {}) => {
    const el = multiline
      ? h("textarea", { name: key, rows: 4, testid, ...extra })
      : h("input", { type: "text", name: key, testid, ...extra });
    el.value = String(draft[key]);
    el.addEventListener("input", () => {
      (draft as unknown as Record<string, string>)[key] = el.value;
    });
    return el;
  };

  const draw = (focus: boolean, focusSelector?: string) => {
    const alert = liveRegion("alert", "form-error");
    const choicesList = h("ol", { class: "choice-list", testid: "choice-list" });
    draft.choices.forEach((c, i) => {
      const n = i + 1;
      const input = h("input", { type: "text", value: c.label, testid: `choice-label-${i}`, "aria-label": t("create.choiceLabel", { n }), maxlength: 100 });
      if (errors.has("choices")) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "choices-error");
      }
      input.addEventListener("input", () => {
        draft.choices = updateLabel(draft.choices, i, input.value);
      });
      const small = (label: string, symbol: string, testid: string, disabled: boolean, action: () => ChoiceDraft[], focusAfter: string) =>
        h(
          "button",
          {
            type: "button",
            class: "icon-button",
            "aria-label": label,
            title: label,
            testid,
            disabled,
            onclick: () => {
              draft.choices = action();
              draw(false, focusAfter);
            },
          },
          symbol,
        );
      choicesList.append(
        h(
          "li",
          { class: "choice-row" },
          h("span", { class: "choice-number", "aria-hidden": "true" }, `${n}.`),
          input,
          small(t("create.choiceUp", { n }), "↑", `choice-up-${i}`, i === 0, () => moveChoice(draft.choices, i, -1), `[data-testid="choice-label-${i - 1}"]`),
          small(t("create.choiceDown", { n }), "↓", `choice-down-${i}`, i === draft.choices.length - 1, () => moveChoice(draft.choices, i, 1), `[data-testid="choice-label-${i + 1}"]`),
          small(t("create.choiceRemove", { n }), "✕", `choice-remove-${i}`, !canRemove(draft.choices), () => removeChoice(draft.choices, i), `[data-testid="choice-label-${Math.max(0, i - 1)}"]`),
        ),
      );
    });
    const addButton = h(
      "button",
      {
        type: "button",
        class: "button secondary",
        testid: "choice-add",
        disabled: !canAdd(draft.choices),
        onclick: () => {
          draft.choices = addChoice(draft.choices);
          draw(false, `[data-testid="choice-label-${draft.choices.length - 1}"]`);
        },
      },
      "+ ",
      t("create.choiceAdd"),
    );
    const allow = h("input", { type: "checkbox", id: "allow-dont-know", testid: "allow-dont-know", checked: draft.allowDontKnow });
    allow.addEventListener("change", () => (draft.allowDontKnow = allow.checked));
    const answers = h("input", { type: "number", min: 1, max: 100, step: 1, inputmode: "numeric", testid: "answers-per-item", value: draft.answersPerItem, class: "short" });
    answers.addEventListener("input", () => (draft.answersPerItem = answers.value));
    const language = h(
      "select",
      { name: "language", testid: "project-language" },
      // Each language's name in that language, marked as such.
      h("option", { value: "fr", lang: "fr", selected: draft.language === "fr" }, "Français"),
      h("option", { value: "en", lang: "en", selected: draft.language === "en" }, "English"),
    );
    language.addEventListener("change", () => (draft.language = language.value === "en" ? "en" : "fr"));
    const submit = h("button", { type: "submit", class: "button primary", testid: "create-submit" }, t("create.submit"));
    const required = { required: true, requiredText: t("form.required") };
    const choicesLegendId = "choices-legend";

    const form = h(
      "form",
      { class: "card form", novalidate: true },
      field(t("create.projectTitle"), text("title", "project-title", false, { maxlength: 200 }), { ...required, errors: errors.get("title") }),
      field(t("create.description"), text("description", "project-description", true), { hint: t("create.descriptionHint"), errors: errors.get("description") }),
      field(t("create.question"), text("question", "project-question", false, { placeholder: t("create.questionPlaceholder"), maxlength: 500 }), { ...required, errors: errors.get("question") }),
      h(
        "fieldset",
        { class: errors.has("choices") ? "choices invalid" : "choices", "aria-describedby": errors.has("choices") ? "choices-count choices-error" : "choices-count" },
        h("legend", { id: choicesLegendId }, t("create.choices"), h("span", { class: "required" }, ` (${t("form.required")})`)),
        fieldErrors("choices-error", errors.get("choices")),
        choicesList,
        h("p", { class: "hint", id: "choices-count", "aria-live": "polite" }, t("create.choicesCount", { count: draft.choices.length })),
        addButton,
      ),
      h("div", { class: "field checkbox" }, allow, h("label", { for: "allow-dont-know" }, t("create.allowDontKnow"))),
      field(t("create.instructions"), text("instructions", "project-instructions", true), { hint: t("create.instructionsHint"), errors: errors.get("instructions") }),
      field(t("create.answersPerItem"), answers, { ...required, errors: errors.get("answersperitem") }),
      field(t("create.language"), language, { hint: t("create.languageHint"), errors: errors.get("language") }),
      alert,
      h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: paths.projects() }, t("create.cancel"))),
    );
    if (error) {
      say(alert, error);
    }

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      submit.disabled = true;
      submit.textContent = t("form.busy");
      say(alert, "");
      try {
        const perItem = Number.parseInt(draft.answersPerItem, 10);
        const created = await projects.createProject({
          settings: {
            title: draft.title.trim(),
            description: draft.description.trim(),
            question: draft.question.trim(),
            choices: toRequestChoices(draft.choices),
            allowDontKnow: draft.allowDontKnow,
            instructions: draft.instructions.trim(),
            answersPerItem: Number.isFinite(perItem) ? perItem : 0,
            language: draft.language,
          },
        });
        error = "";
        ctx.navigate(paths.project(created.id));
      } catch (err) {
        if (ctx.handleOwnerError(err) || !ctx.isCurrent()) {
          return;
        }
        error = errorMessage(err);
        errors = violationsByField(fieldViolations(err));
        if (errors.size > 0) {
          // Each message beside its field; the summary stays in the alert, and focus goes to the first field refused.
          busy = false;
          draw(false, FIELD_ORDER.map(([key, selector]) => (errors.has(key) ? selector : "")).find((sel) => sel !== "") || '[data-testid="form-error"]');
          return;
        }
        say(alert, error);
        alert.focus();
      } finally {
        busy = false;
        submit.disabled = false;
        submit.textContent = t("create.submit");
      }
    });

    replace(ctx.main, h("section", { class: "page narrow" }, h("h1", null, t("create.title")), h("p", { class: "lead" }, t("create.intro")), form));
    alert.tabIndex = -1;
    if (focusSelector) {
      ctx.main.querySelector<HTMLElement>(focusSelector)?.focus();
    } else if (focus) {
      focusHeading(ctx.main);
    }
  };

  draw(true);
  return { relocalize: () => draw(false) };
}
