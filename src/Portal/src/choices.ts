// The editable list of choices on the "new project" form, as pure functions over an immutable list.

export interface ChoiceDraft {
  /** Left empty by the form: the server derives a stable key from the label. */
  readonly key: string;
  readonly label: string;
}

export const MIN_CHOICES = 2;
export const MAX_CHOICES = 10;

export function initialChoices(): ChoiceDraft[] {
  return [
    { key: "", label: "" },
    { key: "", label: "" },
  ];
}

export function canAdd(list: readonly ChoiceDraft[]): boolean {
  return list.length < MAX_CHOICES;
}

export function canRemove(list: readonly ChoiceDraft[]): boolean {
  return list.length > MIN_CHOICES;
}

export function addChoice(list: readonly ChoiceDraft[]): ChoiceDraft[] {
  return canAdd(list) ? [...list, { key: "", label: "" }] : [...list];
}

export function removeChoice(list: readonly ChoiceDraft[], index: number): ChoiceDraft[] {
  if (!canRemove(list) || index < 0 || index >= list.length) {
    return [...list];
  }
  return list.filter((_, i) => i !== index);
}

export function updateLabel(list: readonly ChoiceDraft[], index: number, label: string): ChoiceDraft[] {
  return list.map((c, i) => (i === index ? { ...c, label } : c));
}

/** Moves the choice at index by delta (-1 up, +1 down); out-of-range moves change nothing. */
export function moveChoice(list: readonly ChoiceDraft[], index: number, delta: number): ChoiceDraft[] {
  const target = index + delta;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) {
    return [...list];
  }
  const copy = [...list];
  const [moved] = copy.splice(index, 1);
  copy.splice(target, 0, moved as ChoiceDraft);
  return copy;
}

/** What is sent to the server: trimmed labels, keys left to the server. Empty rows are sent too, so its validator names them. */
export function toRequestChoices(list: readonly ChoiceDraft[]): { key: string; label: string }[] {
  return list.map((c) => ({ key: c.key.trim(), label: c.label.trim() }));
}
