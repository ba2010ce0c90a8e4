import { beforeAll, describe, expect, it } from "vitest";
import { TIME_FEATURE_NAMES } from "../allocation/time-features.js";
import { TimeModel, type TimeModelArtifact } from "../allocation/time-model.js";
import { loadXGBoost } from "../ml/index.js";
import type { LabelledTimeRow } from "./time-dataset.js";
import { generateTimeWorld, labelledRowsOf } from "./time-synthetic.js";
import { evaluateTimeModel, trainTimeModel } from "./time-training.js";

describe("trainTimeModel with XGBoost", () => {
  let rows: LabelledTimeRow[];
  let artifact: TimeModelArtifact;
  /** The model of the split alone, not trained again on the held-out rows. */
  let split: TimeModelArtifact;
  let heldOut: LabelledTimeRow[];

  beforeAll(() => {
    rows = labelledRowsOf(generateTimeWorld(11, { people: 6, from: "2025-01-06", to: "2025-03-30" }));
    artifact = trainTimeModel(loadXGBoost(), rows, { now: Date.UTC(2025, 3, 1) });
    split = trainTimeModel(loadXGBoost(), rows, { now: Date.UTC(2025, 3, 1), refit: false });
    const days = [...new Set(rows.map((r) => r.day))].sort();
    const firstHeldOut = days[days.length - Math.ceil(days.length * 0.2)] ?? "";
    heldOut = rows.filter((r) => r.day >= firstHeldOut);
  });

  it("beats the rule-based baseline", () => {
    expect(artifact.metrics.n_test).toBe(heldOut.length);
    expect(artifact.metrics.n_train + artifact.metrics.n_test).toBe(rows.length);
    expect(artifact.metrics.mae_seconds).toBeLessThan(artifact.metrics.baseline_mae_seconds * 0.8);
  });

  it("evaluates held-out rows as trained", () => {
    const evaluation = evaluateTimeModel(split, heldOut);
    expect(split.metrics.n_refit).toBeUndefined();
    expect(evaluation.mae_seconds).toBe(split.metrics.mae_seconds);
    expect(evaluation.baseline_mae_seconds).toBe(split.metrics.baseline_mae_seconds);
    expect(evaluation.coverage).toBeGreaterThanOrEqual(0.75);
  });

  it("refits on every row", () => {
    expect(artifact.metrics.n_refit).toBe(rows.length);
    expect(artifact.metrics.mae_seconds).toBe(split.metrics.mae_seconds);
    expect(artifact.interval).toEqual(split.interval);
    expect(artifact.model).not.toEqual(split.model);
    // The refitted model has seen the held-out rows, so it fits them closer than the split's model.
    expect(evaluateTimeModel(artifact, heldOut).mae_seconds).toBeLessThan(split.metrics.mae_seconds);
  });

  it("stores window, interval and features", () => {
    const days = rows.map((r) => r.day).sort();
    expect(artifact.window).toEqual({ from: days[0], to: days.at(-1) });
    expect(artifact.trainedAt).toBe("2025-04-01T00:00:00.000Z");
    expect(artifact.interval.low).toBeLessThan(0);
    expect(artifact.interval.high).toBeGreaterThan(0);
    expect(artifact.featureNames).toEqual([...TIME_FEATURE_NAMES]);
  });

  it("predicts the same after JSON", () => {
    const fresh = TimeModel.fromArtifact(artifact);
    const reloaded = TimeModel.fromArtifact(JSON.stringify(artifact));
    for (const row of heldOut.slice(0, 20)) {
      const estimate = reloaded.predict(row);
      expect(estimate).toEqual(fresh.predict(row));
      expect(estimate.low).toBeLessThanOrEqual(estimate.seconds);
      expect(estimate.high).toBeGreaterThanOrEqual(estimate.seconds);
      expect(estimate.contributions.length).toBeLessThanOrEqual(3);
    }
  });

  it("rejects artifacts of other features", () => {
    const other = { ...artifact, featureNames: ["ide_seconds"] };
    expect(() => TimeModel.fromArtifact(other)).toThrow(/differ from this version's time features/);
    expect(() => TimeModel.fromArtifact({ ...artifact, kind: "link" })).toThrow(/field kind is invalid/);
    expect(() => TimeModel.fromArtifact("{")).toThrow(/not valid JSON/);
  });

  it("needs two days to split", () => {
    const oneDay = rows.filter((r) => r.day === rows[0]?.day);
    expect(() => trainTimeModel(loadXGBoost(), oneDay)).toThrow(/needs at least 2/);
  });
});
