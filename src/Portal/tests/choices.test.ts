import { describe, expect, it } from "vitest";
import {
  addChoice,
  canAdd,
  canRemove,
  initialChoices,
  MAX_CHOICES,
  MIN_CHOICES,
  moveChoice,
  removeChoice,
  toRequestChoices,
  updateLabel,
  type ChoiceDraft,
} from "../src/choices";

const labelled = (...labels: string[]): ChoiceDraft[] => labels.map((label) => ({ key: "", label }));

describe("choice list editing", () => {
  it("starts with two empty choices", () => {
    expect(initialChoices()).toEqual(labelled("", ""));
  });

  it("adds up to ten choices and no more", () => {
    let list = initialChoices();
    while (canAdd(list)) {
      list = addChoice(list);
    }
    expect(list).toHaveLength(MAX_CHOICES);
    expect(addChoice(list)).toHaveLength(MAX_CHOICES);
  });

  it("never removes below two choices", () => {
    const two = labelled("a", "b");
    expect(canRemove(two)).toBe(false);
    expect(removeChoice(two, 0)).toEqual(two);
    expect(removeChoice(labelled("a", "b", "c"), 1)).toEqual(labelled("a", "c"));
    expect(MIN_CHOICES).toBe(2);
  });

  it("ignores a removal out of range", () => {
    expect(removeChoice(labelled("a", "b", "c"), 7)).toEqual(labelled("a", "b", "c"));
  });

  it("edits one label without touching the others or the original list", () => {
    const list = labelled("a", "b");
    expect(updateLabel(list, 1, "Est–ouest")).toEqual(labelled("a", "Est–ouest"));
    expect(list).toEqual(labelled("a", "b"));
  });

  it("moves a choice up and down, and not past either end", () => {
    const list = labelled("a", "b", "c");
    expect(moveChoice(list, 2, -1)).toEqual(labelled("a", "c", "b"));
    expect(moveChoice(list, 0, 1)).toEqual(labelled("b", "a", "c"));
    expect(moveChoice(list, 0, -1)).toEqual(list);
    expect(moveChoice(list, 2, 1)).toEqual(list);
  });

  it("sends trimmed labels and leaves keys to the server, empty rows included", () => {
    expect(toRequestChoices(labelled("  Nord–sud ", "", "Plat"))).toEqual([
      { key: "", label: "Nord–sud" },
      { key: "", label: "" },
      { key: "", label: "Plat" },
    ]);
  });
});
