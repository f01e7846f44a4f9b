import { describe, expect, it } from "vitest";
import { keyToAction, shortcutFor } from "../src/keyboard";

describe("keyToAction", () => {
  it("maps 1–9 to the choices in order", () => {
    expect(keyToAction({ key: "1" }, 4, false)).toEqual({ kind: "choice", index: 0 });
    expect(keyToAction({ key: "4" }, 4, false)).toEqual({ kind: "choice", index: 3 });
    expect(keyToAction({ key: "9" }, 10, false)).toEqual({ kind: "choice", index: 8 });
  });

  it("ignores a number past the last choice", () => {
    expect(keyToAction({ key: "5" }, 4, true)).toBeNull();
  });

  it("maps 0 and d (either case) to don't know only when the project allows it", () => {
    for (const key of ["0", "d", "D"]) {
      expect(keyToAction({ key }, 3, true)).toEqual({ kind: "dontKnow" });
      expect(keyToAction({ key }, 3, false)).toBeNull();
    }
  });

  it("leaves keys with modifiers and other keys to the browser", () => {
    expect(keyToAction({ key: "1", ctrlKey: true }, 3, true)).toBeNull();
    expect(keyToAction({ key: "1", metaKey: true }, 3, true)).toBeNull();
    expect(keyToAction({ key: "d", altKey: true }, 3, true)).toBeNull();
    expect(keyToAction({ key: "Enter" }, 3, true)).toBeNull();
    expect(keyToAction({ key: "x" }, 3, true)).toBeNull();
    expect(keyToAction({ key: "10" }, 10, true)).toBeNull();
  });

  it("shows a shortcut on the first nine choices only", () => {
    expect(shortcutFor(0)).toBe("1");
    expect(shortcutFor(8)).toBe("9");
    expect(shortcutFor(9)).toBeUndefined();
  });
});
