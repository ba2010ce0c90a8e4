import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import type { TrainingBackend } from "../ml/backend.js";
import { loadXGBoost } from "../ml/index.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { trainAndGate } from "./gate.js";
import { seedLabels } from "./test-support/labels.js";
import { multiplierTrainer } from "./test-support/multiplier-trainer.js";

const TODAY = "2025-03-15";
/** Training covers 2025-01-30 to 2025-02-28 and the holdout 2025-03-01 to 2025-03-14 with these options. */
const OPTIONS = { today: TODAY, holdoutDays: 14, trainingDays: 30, minHoldout: 20, clock: () => Date.UTC(2025, 2, 15, 3) };

describe.each(BACKENDS)("trainAndGate on %s", (backend) => {
  let handle: TestStore;
  let xgboost: TrainingBackend;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    xgboost = loadXGBoost();
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("promotes a candidate better than the rules", async () => {
    const { store } = handle;
    await seedLabels(store, { from: "2025-01-30", to: "2025-03-14", people: 3, confirm: (s) => 0.7 * s, noiseSeconds: 300 });

    const report = await trainAndGate(store, multiplierTrainer, xgboost, OPTIONS);

    expect(report.outcome).toBe("promoted");
    expect(report.trainingWindow).toEqual({ from: "2025-01-30", to: "2025-02-28" });
    expect(report.holdoutWindow).toEqual({ from: "2025-03-01", to: "2025-03-14" });
    expect(report.holdoutN).toBe(42);
    expect(report.reference.model).toBeNull();
    expect(report.candidate?.error).toBeLessThan(report.reference.error);
    const live = await store.models.live("time");
    expect(live?.id).toBe(report.candidate?.id);
    expect(live?.metrics["holdout_error"]).toBe(report.candidate?.error);
    expect(live?.metrics["reference_error"]).toBe(report.reference.error);
    expect(live?.note).toMatch(/^promoted: held-out error [\d.]+ vs [\d.]+ of the AI-off rules on 42 held-out labels from 2025-03-01 to 2025-03-14$/);
    const multiplier = (live?.artifact.model as { multiplier: number }).multiplier;
    expect(multiplier).toBeGreaterThan(0.65);
    expect(multiplier).toBeLessThan(0.75);
  });

  it("compares with the unregistered default", async () => {
    const { store } = handle;
    // The confirmed seconds are exactly 0.7 of the suggested ones, so a default of 0.7 has no error to beat.
    await seedLabels(store, { from: "2025-01-30", to: "2025-03-14", people: 3, confirm: (s) => 0.7 * s, noiseSeconds: 0 });
    const bundled = { kind: "time" as const, version: 0, featureNames: ["suggested_seconds"], model: { multiplier: 0.7 }, trainedAt: "2025-01-01T00:00:00Z", window: { from: "2024-01-01", to: "2024-12-31" }, metrics: {} };
    const trainer = { ...multiplierTrainer, unregisteredDefault: () => Promise.resolve({ artifact: bundled, name: "bundled time model" }) };

    const report = await trainAndGate(store, trainer, xgboost, OPTIONS);

    expect(report.reference.model).toBeNull();
    expect(report.reference.name).toBe("bundled time model");
    expect(report.reference.error).toBe((await multiplierTrainer.evaluate(store, bundled, report.holdoutWindow)).error);
    expect(report.outcome).toBe("rejected");
    expect(report.note).toMatch(/^rejected: held-out error [\d.]+ vs [\d.]+ of the bundled time model on 42 held-out labels .*; the candidate is not better$/);
    expect(await store.models.live("time")).toBeUndefined();
  });

  it("reports a training window without labels", async () => {
    const { store } = handle;
    await seedLabels(store, { from: "2025-03-01", to: "2025-03-14", people: 3, confirm: (s) => 0.7 * s, noiseSeconds: 300 });
    // Trainers report too few labels as NOT_FOUND, as the linking and time trainers do.
    const trainer = {
      ...multiplierTrainer,
      train: () => Promise.reject(new WorklensError("NOT_FOUND", "only 0 labelled ticket-days from 2025-01-30 to 2025-02-28", "review more suggestions")),
    };

    const report = await trainAndGate(store, trainer, xgboost, OPTIONS);

    expect(report.outcome).toBe("no_training_labels");
    expect(report.candidate).toBeNull();
    expect(report.note).toBe("not trained: only 0 labelled ticket-days from 2025-01-30 to 2025-02-28");
    expect(await store.models.list("time")).toEqual([]);
  });

  it("rejects a candidate worse than the live model", async () => {
    const { store } = handle;
    // People confirmed 130 % of the suggestions while the candidate trains, but 70 % in the holdout.
    await seedLabels(store, { from: "2025-01-30", to: "2025-02-28", people: 3, confirm: (s) => 1.3 * s, noiseSeconds: 300 });
    await seedLabels(store, { from: "2025-03-01", to: "2025-03-14", people: 3, confirm: (s) => 0.7 * s, noiseSeconds: 300, seed: 8 });
    const live = await store.models.add({ artifact: { kind: "time", version: 0, featureNames: ["suggested_seconds"], model: { multiplier: 0.7 }, trainedAt: "2025-02-01T00:00:00.000Z", window: { from: "2024-12-01", to: "2025-01-31" }, metrics: {} } });
    await store.models.promote(live.id, "seeded");

    const report = await trainAndGate(store, multiplierTrainer, xgboost, OPTIONS);

    expect(report.outcome).toBe("rejected");
    expect(report.reference.model).toEqual({ id: live.id, version: 1 });
    expect(report.candidate?.error).toBeGreaterThan(report.reference.error);
    expect((await store.models.live("time"))?.id).toBe(live.id);
    const rejected = report.candidate === null ? undefined : await store.models.get(report.candidate.id);
    expect(rejected?.status).toBe("rejected");
    expect(rejected?.note).toMatch(/^rejected: held-out error [\d.]+ vs [\d.]+ of the live v1 on 42 held-out labels .*; the candidate is not better$/);
    expect(rejected?.metrics["reference_version"]).toBe(1);
  });

  it("rejects a candidate no better than the live model", async () => {
    const { store } = handle;
    await seedLabels(store, { from: "2025-01-30", to: "2025-03-14", people: 2, confirm: (s) => 0.8 * s, noiseSeconds: 200 });
    const first = await trainAndGate(store, multiplierTrainer, xgboost, OPTIONS);
    const second = await trainAndGate(store, multiplierTrainer, xgboost, OPTIONS);

    expect(first.outcome).toBe("promoted");
    expect(second.outcome).toBe("rejected");
    expect(second.candidate?.error).toBe(second.reference.error);
    expect((await store.models.live("time"))?.version).toBe(1);
  });

  it("does not train with too little held-out data", async () => {
    const { store } = handle;
    await seedLabels(store, { from: "2025-01-30", to: "2025-02-28", people: 3, confirm: (s) => 0.7 * s });
    await seedLabels(store, { from: "2025-03-01", to: "2025-03-14", people: 1, confirm: (s) => 0.7 * s, seed: 9 });

    const report = await trainAndGate(store, multiplierTrainer, xgboost, OPTIONS);

    expect(report.outcome).toBe("insufficient_holdout");
    expect(report.holdoutN).toBe(14);
    expect(report.candidate).toBeNull();
    expect(report.note).toBe("not trained: 14 held-out labels from 2025-03-01 to 2025-03-14, fewer than the 20 a comparison with the AI-off rules needs");
    expect(await store.models.list()).toEqual([]);
  });
});
