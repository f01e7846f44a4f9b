import { describe, expect, it } from "vitest";
import { confusionRows, formatPercent, formatThreshold, formatWeight, isActive, parsePrecision, parsePriorWeight, runSummary, stagePercent, trainingState } from "../src/model";

describe("model section helpers", () => {
  it("names the training states and polls only while a run is queued or running", () => {
    expect([0, 1, 2, 3, 4, 9].map(trainingState)).toEqual(["none", "queued", "running", "done", "failed", "none"]);
    expect(isActive("queued")).toBe(true);
    expect(isActive("running")).toBe(true);
    expect(isActive("done")).toBe(false);
    expect(isActive("failed")).toBe(false);
  });

  it("sums up a finished run in the page's language from its version, and keeps a failure's reason", () => {
    const versions = [{ version: "v1", accuracy: 0.7444, machineLabelled: 0 }];
    const done = { state: 3, version: "v1", message: "v1 : exactitude 0.744, 150 prédictions, 0 étiquettes automatiques." };
    expect(runSummary(done, versions, "fr")).toBe("v1 : exactitude 74,4 %, 0 étiquette automatique.");
    expect(runSummary(done, versions, "en")).toBe("v1: accuracy 74.4%, 0 machine labels.");
    expect(runSummary({ ...done, version: "v2" }, versions, "en")).toBe(done.message);
    expect(runSummary({ state: 4, version: "", message: "Trop peu d'étiquettes." }, versions, "en")).toBe("Trop peu d'étiquettes.");
  });

  it("computes the stage's progress, clamped, and 0 when its size is unknown", () => {
    expect(stagePercent(25, 100)).toBe(25);
    expect(stagePercent(5, 0)).toBe(0);
    expect(stagePercent(150, 100)).toBe(100);
    expect(stagePercent(-1, 100)).toBe(0);
  });

  it("reads a target precision typed as a percentage or a share, and refuses the rest", () => {
    expect(parsePrecision("97")).toBe(0.97);
    expect(parsePrecision("97,5 %")).toBe(0.975);
    expect(parsePrecision("0.95")).toBe(0.95);
    expect(parsePrecision("100")).toBeNull();
    expect(parsePrecision("40")).toBeNull();
    expect(parsePrecision("abc")).toBeNull();
    expect(parsePrecision("")).toBeNull();
  });

  it("reads a model prior weight from 0 to 1, or as a percentage, and refuses the rest", () => {
    expect(parsePriorWeight("0,5")).toBe(0.5);
    expect(parsePriorWeight("0.25")).toBe(0.25);
    expect(parsePriorWeight("1")).toBe(1);
    expect(parsePriorWeight("0")).toBe(0);
    expect(parsePriorWeight("50 %")).toBe(0.5);
    expect(parsePriorWeight("1.5")).toBeNull();
    expect(parsePriorWeight("150 %")).toBeNull();
    expect(parsePriorWeight("-0.1")).toBeNull();
    expect(parsePriorWeight("")).toBeNull();
    expect(formatWeight(0.5, "fr")).toBe("0,5");
    expect(formatWeight(0.5, "en")).toBe("0.5");
  });

  it("formats shares in the page's language and shows no threshold above 1", () => {
    expect(formatPercent(0.9234, "fr")).toBe("92,3 %");
    expect(formatPercent(0.9234, "en")).toBe("92.3%");
    expect(formatThreshold(1.01, "fr")).toBeNull();
    expect(formatThreshold(0.983, "en")).toBe("98.3%");
  });

  it("lays out the confusion matrix with totals and the diagonal marked", () => {
    const rows = confusionRows(["a", "b"], [{ counts: [5, 1] }, { counts: [2] }]);
    expect(rows).toEqual([
      { label: "a", cells: [{ count: 5, correct: true }, { count: 1, correct: false }], total: 6 },
      { label: "b", cells: [{ count: 2, correct: false }, { count: 0, correct: true }], total: 2 },
    ]);
  });
});
