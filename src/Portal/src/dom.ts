import type { SvgNode } from "./charts";
import { splitAtPart } from "./util";

// A tiny hyperscript helper: the portal builds its DOM with h(), never with innerHTML, so text
// from the server is always inserted as text.

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      el.className = String(value);
    } else if (name === "testid") {
      el.dataset.testid = String(value);
    } else if (name === "value" && "value" in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (name === "checked" && el instanceof HTMLInputElement) {
      el.checked = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(parent, child);
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A progress bar people and screen readers can read (native <progress> plus a visible caption). */
export function progressBar(value: number, label: string, caption: string, testid?: string): HTMLElement {
  return h(
    "div",
    { class: "progress", testid },
    h("progress", { max: 100, value: Math.round(value), "aria-label": label }),
    h("span", { class: "progress-caption" }, caption),
  );
}

let idCounter = 0;
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field; hint and error ids are wired with aria-describedby. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
  options: { hint?: string; required?: boolean; requiredText?: string; errors?: readonly string[] } = {},
): HTMLElement {
  const id = control.id || uid("f");
  control.id = id;
  const hintId = options.hint ? `${id}-hint` : undefined;
  const errors = fieldErrors(`${id}-error`, options.errors);
  const describedBy = [hintId, errors ? `${id}-error` : undefined].filter(Boolean).join(" ");
  if (describedBy) {
    control.setAttribute("aria-describedby", describedBy);
  }
  if (errors) {
    control.setAttribute("aria-invalid", "true");
  }
  if (options.required) {
    control.setAttribute("aria-required", "true");
  }
  return h(
    "div",
    { class: errors ? "field invalid" : "field" },
    h("label", { for: id }, label, options.required ? h("span", { class: "required" }, ` (${options.requiredText ?? "*"})`) : null),
    hintId ? h("p", { class: "hint", id: hintId }, options.hint) : null,
    errors,
    control,
  );
}

/** The server's messages about one field, shown next to it (null when there is none). */
export function fieldErrors(id: string, messages: readonly string[] | undefined): HTMLElement | null {
  if (!messages || messages.length === 0) {
    return null;
  }
  return h("div", { class: "field-error", id, testid: "field-error" }, messages.map((m) => h("p", null, m)));
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Builds the SVG elements a chart describes (charts.ts); text goes in as text, never as markup. */
export function svg(node: SvgNode): SVGElement {
  const el = document.createElementNS(SVG_NS, node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (name !== "xmlns") {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of node.children) {
    if (typeof child === "string") {
      el.appendChild(document.createTextNode(child));
    } else {
      el.appendChild(svg(child));
    }
  }
  return el;
}

/** A live region: polite for status, assertive (role=alert) for errors. */
export function liveRegion(kind: "status" | "alert", testid: string): HTMLElement {
  return kind === "alert"
    ? h("div", { class: "alert", role: "alert", "aria-live": "assertive", testid, hidden: true })
    : h("div", { class: "status", role: "status", "aria-live": "polite", testid });
}

export function say(region: HTMLElement, text: string): void {
  region.textContent = text;
  if (region.getAttribute("role") === "alert") {
    region.hidden = text === "";
  }
}

/** Saves a blob as a file through a hidden link (the object URL is released a minute later). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * An interface sentence (in the page's language, built with util's PART where the owner's text goes) as nodes, the
 * owner's text in a span marked with the language it is written in, so that a screen reader reads each part in its
 * own language (WCAG 3.1.2, RGAA 8.7).
 */
export function withPart(sentence: string, part: string, lang: string): Child[] {
  const cut = splitAtPart(sentence);
  return cut ? [cut[0], h("span", { lang }, part), cut[1]] : [sentence];
}
