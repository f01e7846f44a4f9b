/** Integer percentage of done over total, clamped to 0–100 (0 when nothing is expected). */
export function percent(done: number, total: number): number {
  if (!(total > 0) || !(done > 0)) {
    return 0;
  }
  return Math.min(100, Math.floor((done * 100) / total));
}

/** How far a project is: answers received out of answers wanted (items × answers per item). */
export function projectProgress(p: { itemCount: number; answerCount: number; answersPerItem: number }): {
  answers: number;
  wanted: number;
  percent: number;
} {
  const wanted = p.itemCount * Math.max(0, p.answersPerItem);
  const answers = Math.min(p.answerCount, wanted);
  return { answers, wanted, percent: percent(answers, wanted) };
}

/**
 * Image links come back absolute (built from the Api's PublicBaseUrl). The page's CSP only allows
 * its own origin, so same-server image paths are used relative to the page.
 */
export function sameOriginImageUrl(url: string): string {
  const m = /^https?:\/\/[^/]+(\/images\/.*)$/i.exec(url);
  return m?.[1] ?? url;
}

/** The label to show for a choice key (the key itself when the project no longer has it). */
export function choiceLabel(key: string, choices: readonly { key: string; label: string }[], dontKnow: string): string {
  if (key === "dont_know") {
    return dontKnow;
  }
  return choices.find((c) => c.key === key)?.label ?? key;
}

/** A fresh idempotency key for one answer; reused when that same answer is retried. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") {
    return c.randomUUID();
  }
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The file name of a contributor's data download: the project and the day (UTC). */
export function myDataFileName(projectId: string, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  return `co-construisons-my-data-${projectId.slice(0, 8)}-${day}.json`;
}

/**
 * The document title of a view (WCAG 2.4.2, RGAA 8.6): its heading, then the site's name, so that
 * tabs, history and screen readers tell the pages apart; the site's name alone without a heading.
 */
export function pageTitle(heading: string | null | undefined, appName: string): string {
  const text = (heading ?? "").replace(/\s+/g, " ").trim();
  return text === "" || text === appName ? appName : `${text} — ${appName}`;
}

/** The language a project's texts are written in: "en" when the owner said so, else "fr" (also for projects made before the setting). */
export function projectLang(lang: string | undefined): "fr" | "en" {
  return lang === "en" ? "en" : "fr";
}

/** Stands where an owner's text goes in an interface sentence (see splitAtPart and dom's withPart). */
export const PART = "\u0001";

/** An interface sentence built with PART in place of the owner's text, cut around it: [before, after]; null when PART is not there. */
export function splitAtPart(sentence: string): [string, string] | null {
  const at = sentence.indexOf(PART);
  return at < 0 ? null : [sentence.slice(0, at), sentence.slice(at + PART.length).split(PART).join("")];
}
