import { pino, type Logger } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadXGBoost } from "../ml/index.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { trainAndGate } from "./gate.js";
import { runModelTraining } from "./schedule.js";
import { seedLabels } from "./test-support/labels.js";
import { multiplierTrainer } from "./test-support/multiplier-trainer.js";

interface LogLine {
  level: number;
  msg: string;
  hint?: string;
}

function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "info", base: null }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

const PINO_WARN = 40;
const GATE = { trainingDays: 30, holdoutDays: 14, minHoldout: 20 };
/** The five days after the first training, 2025-03-15 to 2025-03-19, when the run is on 2025-03-20. */
const DRIFT = { windowDays: 5, minSamples: 15 };
const MARCH_15 = Date.UTC(2025, 2, 15, 3);

describe.each(BACKENDS)("runModelTraining on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    await seedLabels(handle.store, { from: "2025-01-30", to: "2025-03-14", people: 3, confirm: (s) => 0.7 * s, noiseSeconds: 300 });
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("trains when no model is live", async () => {
    const { logger } = capturingLogger();
    const run = await runModelTraining(handle.store, { trainers: [multiplierTrainer], loadBackend: () => loadXGBoost(), logger, today: "2025-03-15", gate: GATE, clock: () => MARCH_15 });

    expect(run.skipped).toBeUndefined();
    expect(run.kinds[0]?.trainReason).toBe("no live time model");
    expect(run.kinds[0]?.gate?.outcome).toBe("promoted");
    expect((await handle.store.models.live("time"))?.version).toBe(1);
  });

  it("leaves a recent model without drift", async () => {
    const { store } = handle;
    await trainAndGate(store, multiplierTrainer, loadXGBoost(), { today: "2025-03-15", ...GATE, clock: () => MARCH_15 });
    const offset = Math.round(((await store.models.live("time"))?.metrics["holdout_error"] ?? 0) * 1.1);
    await seedLabels(store, { from: "2025-03-15", to: "2025-03-19", people: 3, confirm: (s) => s + offset, seed: 11 });

    const { logger } = capturingLogger();
    const run = await runModelTraining(store, { trainers: [multiplierTrainer], loadBackend: () => loadXGBoost(), logger, today: "2025-03-20", gate: GATE, drift: DRIFT, clock: () => Date.UTC(2025, 2, 20) });

    expect(run.kinds[0]?.drift.drifted).toBe(false);
    expect(run.kinds[0]?.trainReason).toBeUndefined();
    expect(run.kinds[0]?.gate).toBeUndefined();
    expect(await store.models.list("time")).toHaveLength(1);
  });

  it("retrains after detected drift", async () => {
    const { store } = handle;
    await trainAndGate(store, multiplierTrainer, loadXGBoost(), { today: "2025-03-15", ...GATE, clock: () => MARCH_15 });
    const offset = Math.round(((await store.models.live("time"))?.metrics["holdout_error"] ?? 0) * 1.5);
    await seedLabels(store, { from: "2025-03-15", to: "2025-03-19", people: 3, confirm: (s) => s + offset, seed: 11 });

    const { logger } = capturingLogger();
    const run = await runModelTraining(store, { trainers: [multiplierTrainer], loadBackend: () => loadXGBoost(), logger, today: "2025-03-20", maxAgeDays: 30, gate: GATE, drift: DRIFT, clock: () => Date.UTC(2025, 2, 20) });

    const kind = run.kinds[0];
    expect(kind?.drift.drifted).toBe(true);
    expect(kind?.trainReason).toMatch(/^drift: /);
    expect(kind?.gate?.candidate?.version).toBe(2);
    expect(await store.models.list("time")).toHaveLength(2);
    expect((await store.models.driftHistory("time")).map((check) => check.action)).toEqual(["retrained"]);
  });

  it("retrains a model past the maximum age", async () => {
    const { store } = handle;
    await trainAndGate(store, multiplierTrainer, loadXGBoost(), { today: "2025-03-15", ...GATE, clock: () => MARCH_15 });

    const { logger } = capturingLogger();
    const run = await runModelTraining(store, { trainers: [multiplierTrainer], loadBackend: () => loadXGBoost(), logger, today: "2025-03-24", maxAgeDays: 7, gate: GATE, clock: () => Date.UTC(2025, 2, 24, 4) });

    expect(run.kinds[0]?.trainReason).toBe("live time v1 was trained 9 days ago, more than 7");
    expect(run.kinds[0]?.gate).toBeDefined();
  });

  it("warns once and skips without the library", async () => {
    const { logger, lines } = capturingLogger();
    const missing = "/nonexistent/libxgboost.so.0";
    const twice = [multiplierTrainer, multiplierTrainer];

    const run = await runModelTraining(handle.store, { trainers: twice, loadBackend: () => loadXGBoost({ library: missing }), logger, today: "2025-03-15", gate: GATE });

    expect(run.skipped).toContain("apt-get install libxgboost0");
    const warnings = lines.filter((line) => line.level === PINO_WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/^model training skipped: /);
    expect(warnings[0]?.hint).toContain("apt-get install libxgboost0");
    expect(await handle.store.models.list()).toEqual([]);
  });

  it("logs a failing trainer and goes on", async () => {
    const { logger, lines } = capturingLogger();
    const failing = { ...multiplierTrainer, kind: "linking" as const, train: () => Promise.reject(new Error("links table is unreadable")) };

    const run = await runModelTraining(handle.store, { trainers: [failing, multiplierTrainer], loadBackend: () => loadXGBoost(), logger, today: "2025-03-15", gate: GATE });

    expect(run.kinds.map((kind) => kind.kind)).toEqual(["linking", "time"]);
    expect(run.kinds[0]?.error).toBe("links table is unreadable");
    expect(run.kinds[1]?.gate?.outcome).toBe("promoted");
    expect(lines.filter((line) => line.level >= PINO_WARN).map((line) => line.msg)).toEqual(["linking model training failed: links table is unreadable"]);
  });
});
