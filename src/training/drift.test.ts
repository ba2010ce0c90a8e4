import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadXGBoost } from "../ml/index.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { checkDrift } from "./drift.js";
import { trainAndGate } from "./gate.js";
import { seedLabels } from "./test-support/labels.js";
import { multiplierTrainer } from "./test-support/multiplier-trainer.js";

describe.each(BACKENDS)("checkDrift on %s", (backend) => {
  let handle: TestStore;
  /** Held-out error of the live model, in seconds. */
  let baseline: number;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    const { store } = handle;
    await seedLabels(store, { from: "2025-01-30", to: "2025-03-14", people: 3, confirm: (s) => 0.7 * s, noiseSeconds: 300 });
    const gate = await trainAndGate(store, multiplierTrainer, loadXGBoost(), { today: "2025-03-15", trainingDays: 30 });
    expect(gate.outcome).toBe("promoted");
    baseline = gate.candidate?.error ?? Number.NaN;
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("is quiet within the tolerance", async () => {
    const { store } = handle;
    const offset = Math.round(1.2 * baseline);
    await seedLabels(store, { from: "2025-03-18", to: "2025-03-31", people: 2, confirm: (s) => s + offset });

    const report = await checkDrift(store, multiplierTrainer, { today: "2025-04-01", clock: () => 1000 });

    expect(report.checked).toBe(true);
    expect(report.drifted).toBe(false);
    expect(report.retrainDue).toBe(false);
    expect(report.window).toEqual({ from: "2025-03-18", to: "2025-03-31" });
    expect(report.record?.n).toBe(28);
    expect(report.record?.error).toBe(offset);
    expect(report.record?.baselineError).toBe(baseline);
    expect(report.record?.action).toBe("none");
    expect(report.reason).toMatch(/^no drift: observed error/);
  });

  it("detects error grown past the tolerance", async () => {
    const { store } = handle;
    const offset = Math.round(1.3 * baseline);
    await seedLabels(store, { from: "2025-03-18", to: "2025-03-31", people: 2, confirm: (s) => s + offset });

    const report = await checkDrift(store, multiplierTrainer, { today: "2025-04-01", clock: () => 1000 });

    expect(report.drifted).toBe(true);
    expect(report.retrainDue).toBe(true);
    expect(report.record?.action).toBe("retrain_queued");
    expect(report.reason).toMatch(/^drift: observed error [\d.]+ on 28 labels from 2025-03-18 to 2025-03-31, held-out error of live v1 [\d.]+, limit [\d.]+$/);
    const history = await store.models.driftHistory("time");
    expect(history.map((check) => check.drifted)).toEqual([true]);
  });

  it("gives no verdict on too few labels", async () => {
    const { store } = handle;
    await seedLabels(store, { from: "2025-03-18", to: "2025-03-31", people: 1, confirm: (s) => s + 5 * baseline });

    const report = await checkDrift(store, multiplierTrainer, { today: "2025-04-01" });

    expect(report.checked).toBe(true);
    expect(report.drifted).toBe(false);
    expect(report.record?.n).toBe(14);
    expect(report.reason).toMatch(/; fewer than 20 labels$/);
  });

  it("honours a tighter tolerance", async () => {
    const { store } = handle;
    await seedLabels(store, { from: "2025-03-18", to: "2025-03-31", people: 2, confirm: (s) => s + Math.round(1.2 * baseline) });
    const report = await checkDrift(store, multiplierTrainer, { today: "2025-04-01", tolerance: 0.1 });
    expect(report.drifted).toBe(true);
  });

  it("skips a kind without a live model", async () => {
    const { store } = handle;
    await store.db.updateTable("models").set({ status: "retired" }).execute();

    const report = await checkDrift(store, multiplierTrainer, { today: "2025-04-01" });

    expect(report.checked).toBe(false);
    expect(report.reason).toBe("no live time model to check");
    expect(await store.models.driftHistory()).toEqual([]);
  });
});
