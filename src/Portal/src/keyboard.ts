/** What a key press does on the labelling page. */
export type KeyAction = { kind: "choice"; index: number } | { kind: "dontKnow" } | null;

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/**
 * Keys 1–9 pick the first nine choices (in the order shown); 0 or D picks "don't know" when the
 * project allows it. Keys with a modifier are left to the browser.
 */
export function keyToAction(press: KeyPress, choiceCount: number, allowDontKnow: boolean): KeyAction {
  if (press.ctrlKey || press.metaKey || press.altKey) {
    return null;
  }
  const key = press.key;
  if (/^[1-9]$/.test(key)) {
    const index = Number(key) - 1;
    return index < choiceCount ? { kind: "choice", index } : null;
  }
  if (key === "0" || key === "d" || key === "D") {
    return allowDontKnow ? { kind: "dontKnow" } : null;
  }
  return null;
}

/** The key hint shown on the button of the choice at this index (none past the ninth). */
export function shortcutFor(index: number): string | undefined {
  return index >= 0 && index < 9 ? String(index + 1) : undefined;
}

/** True when typing in this element must not trigger shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) {
    return false;
  }
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}
