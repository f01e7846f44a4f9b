import { Code } from "@connectrpc/connect";
import type { PageContext } from "../app";
import { contributors, tasks } from "../api";
import { downloadBlob, h, liveRegion, replace, say, withPart } from "../dom";
import { errorCode, errorMessage } from "../errors";
import type { PublicProject } from "../gen/coconstruisons/v1/contributors_pb";
import type { NextTaskResponse, LabellingTask as Task } from "../gen/coconstruisons/v1/tasks_pb";
import { t } from "../i18n";
import { isTypingTarget, keyToAction, shortcutFor } from "../keyboard";
import { clearContributorToken, getContributorToken, setContributorToken } from "../session";
import { myDataFileName, newIdempotencyKey, PART, projectLang, sameOriginImageUrl } from "../util";
import { focusHeading, type Page } from "./page";

/** Version of the consent notice shown below; recorded by the server with the session. */
export const CONSENT_VERSION = "1";
export const DONT_KNOW = "dont_know";

type Phase = "loading" | "consent" | "task" | "thanks" | "failed";

/**
 * The public labelling page: consent, then one image at a time. Nothing is cached or prefetched:
 * every image comes from NextTask, which never offers the same item twice to a contributor.
 */
export async function labelPage(ctx: PageContext, projectId: string, linkToken?: string): Promise<Page> {
  let project: PublicProject | undefined;
  let phase: Phase = "loading";
  // A gateway's link starts a new session as that contributor (after consent), whatever this tab held before.
  let token = linkToken ? undefined : getContributorToken(projectId);
  let task: Task | undefined;
  let idempotencyKey = "";
  let shownAt = 0;
  let answers = 0;
  let busy = false;
  let erasing = false;
  // The task's image did not load (missing file, network): its answers are refused, only "skip" is offered.
  let imageBroken = false;
  let feedback = "";
  // A function, so that a status shown before the language is switched is shown again in the new one.
  let statusText: () => string = () => "";
  let errorText = "";
  let fatal = "";

  // Elements of the task view that are updated in place (buttons keep focus between images).
  let taskBox: HTMLElement | undefined;
  let image: HTMLImageElement | undefined;
  let counter: HTMLElement | undefined;
  let feedbackBox: HTMLElement | undefined;
  let status: HTMLElement | undefined;
  let alert: HTMLElement | undefined;
  let answerButtons: HTMLButtonElement[] = [];

  const contributor = () => ({ identity: { case: "sessionToken" as const, value: token ?? "" } });

  // The owner's texts (title, question, choices, instructions) are marked with the language they are written in.
  const lang = () => projectLang(project?.language);

  const header = () =>
    h(
      "header",
      { class: "label-head" },
      h("h1", { testid: "label-title", lang: project ? lang() : null }, project?.title ?? t("app.name")),
      project?.description ? h("p", { class: "lead", lang: lang() }, project.description) : null,
    );

  const instructions = () =>
    project?.instructions
      ? h("details", { class: "instructions", open: true, testid: "instructions" }, h("summary", null, t("label.instructions")), h("p", { lang: lang() }, project.instructions))
      : null;

  const setBusy = (value: boolean) => {
    busy = value;
    taskBox?.setAttribute("data-state", value ? "busy" : "ready");
    taskBox?.setAttribute("aria-busy", String(value));
    for (const b of answerButtons) {
      b.setAttribute("aria-disabled", String(value || (imageBroken && b.dataset["choice"] !== undefined)));
    }
  };

  const showMessages = () => {
    if (status) say(status, statusText());
    if (alert) say(alert, errorText);
    if (feedbackBox) {
      feedbackBox.textContent = feedback ? t("label.feedback", { feedback }) : "";
      feedbackBox.hidden = feedback === "";
    }
    if (counter) counter.textContent = t("label.myAnswers", { count: answers });
  };

  /** Puts the current task in the page (also after a language switch). */
  const bindTask = () => {
    if (!task || !taskBox || !image) {
      return;
    }
    taskBox.setAttribute("data-item-id", task.itemId);
    imageBroken = false;
    image.src = sameOriginImageUrl(task.imageUrl);
    setBusy(busy);
  };

  /** A new task: a new idempotency key (kept for retries of this answer) and a new clock. */
  const startTask = (next: Task) => {
    task = next;
    idempotencyKey = newIdempotencyKey();
    shownAt = performance.now();
    busy = false;
  };

  const draw = (focus: boolean) => {
    taskBox = image = counter = feedbackBox = status = alert = undefined;
    answerButtons = [];
    status = liveRegion("status", "label-status");
    alert = liveRegion("alert", "label-error");
    let body: HTMLElement | (HTMLElement | null)[];
    switch (phase) {
      case "loading":
        body = h("p", { class: "loading" }, t("app.loading"));
        break;
      case "failed":
        // Project unknown: nothing to retry. Project known (NextTask failed): offer to try again.
        body = project
          ? h("p", null, h("button", { type: "button", class: "button secondary", testid: "retry", onclick: () => void next(true) }, t("label.retry")))
          : h("p", null, h("a", { href: "#/" }, t("app.backHome")));
        errorText = fatal;
        break;
      case "consent":
        body = consentView();
        break;
      case "thanks":
        body = h(
          "section",
          { class: "card thanks", testid: "thanks", "aria-labelledby": "thanks-title" },
          h("h2", { id: "thanks-title" }, t("label.thanksTitle")),
          h("p", null, t("label.thanksText")),
          h("p", { testid: "thanks-count" }, t("label.thanksCount", { count: answers })),
        );
        break;
      case "task":
        body = taskView();
        break;
    }
    feedbackBox = h("p", { class: "feedback", testid: "feedback", role: "status", "aria-live": "polite", hidden: true });
    replace(
      ctx.main,
      h(
        "section",
        { class: "page label-page", testid: "label-page", "data-phase": phase },
        header(),
        phase === "task" || phase === "thanks" ? null : instructions(),
        body,
        token && (phase === "task" || phase === "thanks") ? myDataView() : null,
        feedbackBox,
        status,
        alert,
      ),
    );
    showMessages();
    if (phase === "task") {
      bindTask();
    }
    if (focus) {
      const target = ctx.main.querySelector<HTMLElement>("[data-focus-first]");
      if (target) {
        target.tabIndex = -1;
        target.focus();
      } else {
        focusHeading(ctx.main);
      }
    }
  };

  const consentView = () =>
    h(
      "section",
      { class: "card consent", testid: "consent", "aria-labelledby": "consent-title" },
      h("h2", { id: "consent-title" }, t("label.consentTitle")),
      project?.question ? h("p", null, withPart(t("label.questionIs", { question: PART }), project.question, lang())) : null,
      h("p", null, t("label.consentIntro")),
      h("ul", null, h("li", null, t("label.consentPseudonymous")), h("li", null, t("label.consentStored")), h("li", null, t("label.consentStop"))),
      h("p", { class: "hint" }, t("label.consentVersion", { version: CONSENT_VERSION })),
      h("button", { type: "button", class: "button primary big", testid: "consent-accept", onclick: () => void accept() }, t("label.consentAccept")),
    );

  /** The contributor's own data: download it, or erase it (their answers stay, anonymous). */
  const myDataView = () =>
    h(
      "details",
      { class: "my-data", testid: "my-data" },
      h("summary", null, t("label.myDataTitle")),
      h("p", null, t("label.myDataText")),
      h(
        "p",
        { class: "actions" },
        h("button", { type: "button", class: "button secondary", testid: "my-data-export", onclick: () => void exportData() }, t("label.myDataExport")),
        h("button", { type: "button", class: "button danger", testid: "my-data-erase", onclick: () => void eraseData() }, t("label.myDataErase")),
      ),
    );

  const taskView = () => {
    const choices = project?.choices ?? [];
    counter = h("p", { class: "counter", testid: "my-answers" });
    const questionId = "task-question";
    answerButtons = choices.map((c, i) =>
      h(
        "button",
        {
          type: "button",
          class: "answer",
          testid: `choice-${c.key}`,
          "data-choice": c.key,
          "aria-keyshortcuts": shortcutFor(i),
          onclick: () => void answer(c.key),
        },
        shortcutFor(i) ? h("kbd", { "aria-hidden": "true" }, shortcutFor(i)) : null,
        h("span", { lang: lang() }, c.label),
      ),
    );
    if (project?.allowDontKnow) {
      answerButtons.push(
        h(
          "button",
          { type: "button", class: "answer secondary", testid: "choice-dont_know", "data-choice": DONT_KNOW, "aria-keyshortcuts": "0 D", onclick: () => void answer(DONT_KNOW) },
          h("kbd", { "aria-hidden": "true" }, "0"),
          h("span", null, t("label.dontKnow")),
        ),
      );
    }
    const skip = h("button", { type: "button", class: "answer skip", testid: "skip", onclick: () => void skipTask() }, h("span", null, t("label.skip")));
    answerButtons.push(skip);
    image = h("img", { class: "task-image", testid: "task-image", alt: t("label.imageAlt"), decoding: "async" });
    image.addEventListener("load", () => {
      shownAt = performance.now();
      if (imageBroken) {
        imageBroken = false;
        errorText = "";
        showMessages();
        setBusy(busy);
      }
    });
    image.addEventListener("error", () => {
      if (!task) return;
      // Nobody can answer about an image they cannot see: say so, and leave only "skip".
      imageBroken = true;
      errorText = t("label.imageFailed");
      showMessages();
      setBusy(busy);
    });
    taskBox = h(
      "section",
      { class: "task", testid: "task", "data-state": "busy", "aria-labelledby": questionId },
      counter,
      h("h2", { id: questionId, "data-focus-first": true, lang: lang() }, project?.question ?? task?.question ?? ""),
      instructions(),
      h("figure", { class: "task-figure" }, image),
      h("div", { class: "answers", role: "group", "aria-labelledby": questionId }, answerButtons),
      h("p", { class: "hint keyboard-hint" }, project?.allowDontKnow ? t("label.keyboardHint") : t("label.keyboardHintNoDontKnow")),
    );
    return taskBox;
  };

  /** Answers the server may reject for reasons the contributor cannot fix by retrying. */
  const isStaleTask = (err: unknown) => {
    const code = errorCode(err);
    return code === Code.FailedPrecondition || code === Code.NotFound || code === Code.InvalidArgument;
  };

  const sessionLost = (err: unknown) => {
    if (errorCode(err) !== Code.Unauthenticated) {
      return false;
    }
    clearContributorToken(projectId);
    token = undefined;
    busy = false;
    phase = "consent";
    errorText = errorMessage(err);
    draw(true);
    return true;
  };

  /** Shows what NextTask returned (or what came back with an answer): the task, a wait, or the end. */
  const show = (res: NextTaskResponse, focus: boolean) => {
    answers = res.stats?.answers ?? answers;
    const wasTask = phase === "task";
    if (res.task) {
      startTask(res.task);
      phase = "task";
      if (!wasTask) {
        draw(focus);
      } else {
        showMessages();
        bindTask();
      }
    } else if (res.retryAfterSeconds > 0) {
      // Images remain but others hold them right now: say so and ask again shortly.
      errorText = t("label.busy", { seconds: res.retryAfterSeconds });
      showMessages();
      setTimeout(() => {
        if (ctx.isCurrent()) void next(focus);
      }, res.retryAfterSeconds * 1000);
    } else {
      task = undefined;
      // No task is pending any more: nothing on this screen waits on the task's request.
      busy = false;
      phase = "thanks";
      draw(true);
    }
  };

  const next = async (focus: boolean) => {
    setBusy(true);
    try {
      const res = await tasks.nextTask({ projectId, contributor: contributor() });
      if (!ctx.isCurrent()) return;
      show(res, focus);
    } catch (err) {
      if (!ctx.isCurrent() || sessionLost(err)) return;
      errorText = errorMessage(err);
      if (phase !== "task") {
        phase = "failed";
        fatal = errorText;
        busy = false;
        draw(false);
      } else {
        showMessages();
        setBusy(false);
      }
    }
  };

  const accept = async () => {
    if (busy) return;
    busy = true;
    errorText = "";
    showMessages();
    try {
      const res = await contributors.startWebSession({ projectId, consentAccepted: true, consentVersion: CONSENT_VERSION, linkToken: linkToken ?? "" });
      token = res.sessionToken;
      setContributorToken(projectId, token);
      busy = false;
      await next(true);
    } catch (err) {
      busy = false;
      if (!ctx.isCurrent()) return;
      errorText = errorMessage(err);
      showMessages();
    }
  };

  const answer = async (choice: string) => {
    if (busy || !task || imageBroken) return;
    const current = task;
    setBusy(true);
    statusText = () => t("label.sending");
    errorText = "";
    showMessages();
    try {
      const res = await tasks.submitAnswer({
        projectId,
        contributor: contributor(),
        reservationToken: current.reservationToken,
        choice,
        timeTakenMs: Math.max(0, Math.min(2_147_483_647, Math.round(performance.now() - shownAt))),
        idempotencyKey,
        // The next image comes back with the answer: one round trip per answer.
        next: true,
      });
      if (!ctx.isCurrent()) return;
      answers = res.stats?.answers ?? answers + 1;
      feedback = res.feedback;
      statusText = () => t("label.saved");
      if (res.next) {
        show(res.next, false);
      } else {
        await next(false);
      }
    } catch (err) {
      if (!ctx.isCurrent() || sessionLost(err)) return;
      errorText = errorMessage(err);
      statusText = () => "";
      if (isStaleTask(err)) {
        await next(false);
        return;
      }
      // Network trouble: the same answer can be sent again with the same idempotency key.
      showMessages();
      setBusy(false);
    }
  };

  const exportData = async () => {
    if (!token) return;
    errorText = "";
    try {
      const res = await contributors.exportMyData({ projectId, contributor: contributor() });
      if (!ctx.isCurrent()) return;
      downloadBlob(new Blob([res.json], { type: "application/json" }), myDataFileName(projectId));
      statusText = () => t("label.myDataExported", { count: res.answers });
    } catch (err) {
      if (!ctx.isCurrent() || sessionLost(err)) return;
      errorText = errorMessage(err);
    }
    showMessages();
  };

  const eraseData = async () => {
    // Its own flag: `busy` guards the task's buttons, which an erasure does not use.
    if (!token || erasing || !window.confirm(t("label.myDataEraseConfirm"))) return;
    erasing = true;
    errorText = "";
    try {
      const res = await contributors.eraseMyData({ projectId, contributor: contributor(), confirmed: true });
      if (!ctx.isCurrent()) return;
      // The pseudonym is gone: this page forgets its session; a new one (after consent) starts afresh.
      clearContributorToken(projectId);
      token = undefined;
      task = undefined;
      answers = 0;
      feedback = "";
      busy = false;
      phase = "consent";
      statusText = () => t("label.myDataErased", { count: res.answersAnonymised });
      draw(true);
    } catch (err) {
      if (!ctx.isCurrent() || sessionLost(err)) return;
      errorText = errorMessage(err);
      showMessages();
    } finally {
      erasing = false;
    }
  };

  const skipTask = async () => {
    if (busy || !task) return;
    setBusy(true);
    errorText = "";
    feedback = "";
    try {
      await tasks.skip({ projectId, contributor: contributor(), reservationToken: task.reservationToken });
      if (!ctx.isCurrent()) return;
      statusText = () => t("label.skipped");
      await next(false);
    } catch (err) {
      if (!ctx.isCurrent() || sessionLost(err)) return;
      errorText = errorMessage(err);
      if (isStaleTask(err)) {
        await next(false);
        return;
      }
      showMessages();
      setBusy(false);
    }
  };

  document.addEventListener(
    "keydown",
    (e) => {
      if (phase !== "task" || busy || e.repeat || isTypingTarget(e.target)) return;
      const action = keyToAction(e, project?.choices.length ?? 0, project?.allowDontKnow ?? false);
      if (!action) return;
      e.preventDefault();
      if (action.kind === "dontKnow") {
        void answer(DONT_KNOW);
      } else {
        const key = project?.choices[action.index]?.key;
        if (key !== undefined) void answer(key);
      }
    },
    { signal: ctx.signal },
  );

  draw(true);
  try {
    project = await contributors.getPublicProject({ projectId });
  } catch (err) {
    if (!ctx.isCurrent()) return {};
    phase = "failed";
    fatal = errorMessage(err);
    draw(false);
    return { relocalize: () => draw(false) };
  }
  if (!ctx.isCurrent()) return {};
  if (token) {
    phase = "loading";
    await next(true);
  } else {
    phase = "consent";
    draw(true);
  }
  return { relocalize: () => draw(false) };
}
