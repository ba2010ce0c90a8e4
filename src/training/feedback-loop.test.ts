import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ALLOCATION_OPTIONS } from "../allocation/allocate.js";
import { runAllocation } from "../allocation/run-allocation.js";
import { TimeModel } from "../allocation/time-model.js";
import { currentTimeModel } from "../allocation/time-model-choice.js";
import { Random } from "../bench/random.js";
import { loadXGBoost, type TrainingBackend } from "../ml/index.js";
import { simulateTeam } from "../simulate/simulate.js";
import type { TruthRow } from "../simulate/truth.js";
import { Store } from "../store/store.js";
import { openTestStore } from "../store/test-support/backends.js";
import { checkDrift } from "./drift.js";
import { applySimulatedCorrections } from "./feedback-corrections.js";
import { runFeedbackLoop, type FeedbackLoopReport } from "./feedback-loop.js";
import { trainAndGate } from "./gate.js";
import { runModelTraining } from "./schedule.js";
import { buildTimeDataset, type LabelledTimeRow } from "./time-dataset.js";
import { timeTrainer } from "./time-trainer.js";
import { trainTimeModel } from "./time-training.js";
import type { ModelTrainer } from "./trainer.js";
import { shiftDay } from "./windows.js";

/**
 * 8 people for 40 working days from 2024-03-18: the first 20 are corrected (the gate
 * trains on 15 and holds out 5), and the last 20, 2024-04-15 to 2024-05-10, are measured.
 */
const TEAM = { people: 8, days: 40, testDays: 20, seed: 2 };
const CLOCK = () => Date.UTC(2024, 3, 13, 3);

/** Labels of `rows` permuted by a seeded shuffle: real features and real label values, paired at random. */
function shuffleLabels(rows: readonly LabelledTimeRow[], seed: number): LabelledTimeRow[] {
  const labels = rows.map((row) => row.label);
  const random = new Random(seed);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [labels[i], labels[j]] = [labels[j] ?? 0, labels[i] ?? 0];
  }
  return rows.map((row, i) => ({ ...row, label: labels[i] ?? 0 }));
}

/** The time trainer with its labels shuffled before training, so its candidate learns nothing real. */
const shuffledTimeTrainer: ModelTrainer = {
  ...timeTrainer,
  async train(store, backend, window) {
    return trainTimeModel(backend, shuffleLabels(await buildTimeDataset(store, window), 5));
  },
};

describe("runFeedbackLoop on SQLite", () => {
  let folder: string;
  let baseFile: string;
  let report: FeedbackLoopReport;
  let truth: TruthRow[];
  let backend: TrainingBackend;
  let store: Store;

  beforeAll(async () => {
    backend = loadXGBoost();
    folder = mkdtempSync(join(tmpdir(), "worklens-feedback-test-"));
    baseFile = join(folder, "base.sqlite");
    const base = await Store.open({ kind: "sqlite", file: baseFile });
    try {
      report = await runFeedbackLoop({ ...TEAM, backend, store: base, clock: CLOCK });
    } finally {
      await base.close();
    }
    truth = simulateTeam(TEAM).truth;
  }, 480_000);
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  // Each test works on its own copy of the store the loop left behind.
  beforeEach(async (context) => {
    const file = join(folder, `${context.task.id}.sqlite`);
    copyFileSync(baseFile, file);
    // The copy's data key is wrapped by the master key in the key file beside the base store.
    copyFileSync(`${baseFile}.key`, `${file}.key`);
    store = await Store.open({ kind: "sqlite", file });
  });
  afterEach(async () => {
    await store.close();
  });

  it("lowers the error per ticket-day", async () => {
    expect(report.windows.corrected).toEqual({ from: "2024-03-18", to: "2024-04-12" });
    expect(report.windows.evaluation).toEqual({ from: "2024-04-15", to: "2024-05-10" });
    expect(report.before.ticketDays).toBeGreaterThan(100);
    expect(report.after).not.toBeNull();
    expect(report.after?.meanAbsoluteErrorSeconds).toBeLessThan(report.before.meanAbsoluteErrorSeconds);
    expect(report.relativeReduction).toBeGreaterThan(0);

    const { accepted, edited, rejected } = report.corrections;
    const reviews = await store.reviews.list();
    expect(reviews).toHaveLength(accepted + edited + rejected);
    expect(reviews.filter((r) => r.decision === "rejected")).toHaveLength(rejected);
    expect(reviews.filter((r) => r.decision === "edited")).toHaveLength(edited);
    expect(await store.worklogs.list({ origin: "confirmed" })).toHaveLength(accepted + edited);
    expect(reviews.every((r) => r.day >= "2024-03-18" && r.day <= "2024-04-12")).toBe(true);
  });

  it("links again after learning from reviews", async () => {
    const { relink, before } = report;
    if (relink === null) throw new Error("the loop with the learned ranker trains the linking model");
    expect(relink.labelledActivities).toBeGreaterThan(100);
    expect(relink.activitiesWithoutIssue).toBeGreaterThan(0);
    expect(relink.gate.outcome).toBe("promoted");
    expect(relink.gate.holdoutWindow).toEqual({ from: "2024-04-08", to: "2024-04-12" });
    expect((await store.models.live("linking"))?.id).toBe(relink.gate.candidate?.id);
    // The stand-ups name no issue; the bundled model links many of them, the retrained one few.
    expect(relink.relinked?.keylessMeetings.total).toBe(before.keylessMeetings.total);
    expect(relink.relinked?.keylessMeetings.linked).toBeLessThan(before.keylessMeetings.linked / 2);
    expect(relink.relinked?.parts.falseLinks.ticketDays).toBeLessThan(before.parts.falseLinks.ticketDays);
  });

  it("splits the error by its source", () => {
    for (const error of [report.before, report.after]) {
      if (error === null) throw new Error("the gate promoted no time model");
      const { missed, falseLinks, misSized } = error.parts;
      expect(missed.ticketDays + falseLinks.ticketDays + misSized.ticketDays).toBe(error.ticketDays);
      // Each part is rounded to a tenth of a minute.
      expect(Math.abs(missed.minutes + falseLinks.minutes + misSized.minutes - error.meanAbsoluteErrorSeconds / 60)).toBeLessThan(0.16);
    }
  });

  it("promotes the time model over the rules", async () => {
    const { gate } = report;
    expect(gate.outcome).toBe("promoted");
    expect(gate.reference.model).toBeNull();
    expect(gate.holdoutWindow).toEqual({ from: "2024-04-08", to: "2024-04-12" });
    expect(gate.trainingWindow).toEqual({ from: "2024-03-18", to: "2024-04-07" });
    expect(gate.candidate?.error).toBeLessThan(gate.reference.error);
    const live = await store.models.live("time");
    expect(live?.id).toBe(gate.candidate?.id);
    expect(live?.metrics["holdout_error"]).toBe(gate.candidate?.error);
  });

  it("rejects a candidate trained on shuffled labels", async () => {
    const live = await store.models.live("time");

    const gate = await trainAndGate(store, shuffledTimeTrainer, backend, { ...report.windows.gate, clock: CLOCK });

    expect(gate.outcome).toBe("rejected");
    expect(gate.reference.model).toEqual({ id: live?.id, version: 1 });
    expect(gate.candidate?.error).toBeGreaterThan(gate.reference.error);
    expect((await store.models.live("time"))?.id).toBe(live?.id);
    expect((await store.models.list("time")).map((m) => m.status).sort()).toEqual(["live", "rejected"]);
  }, 120_000);

  it("rollback restores the previous model", async () => {
    const first = await store.models.live("time");
    if (first === undefined) throw new Error("the loop promoted no time model");
    const rows = await buildTimeDataset(store, report.windows.corrected);
    const second = await store.models.add({ artifact: trainTimeModel(backend, shuffleLabels(rows, 9), { now: CLOCK() }), createdAt: CLOCK() });
    await store.models.promote(second.id, "promoted by hand for the rollback test", CLOCK());
    const { evaluation } = report.windows;
    const suggest = async (model: TimeModel | undefined) => {
      await runAllocation(store, evaluation, DEFAULT_ALLOCATION_OPTIONS, model);
      return store.results.suggestions(evaluation.from, evaluation.to);
    };
    const withSecond = await suggest(await currentTimeModel(store));

    const restored = await store.models.rollback("time", "the shuffled model is worse", CLOCK());

    expect(restored.id).toBe(first.id);
    const afterRollback = await suggest(await currentTimeModel(store));
    const withFirst = await suggest(TimeModel.fromArtifact(first.artifact));
    expect(afterRollback).toEqual(withFirst);
    expect(afterRollback).not.toEqual(withSecond);
    expect(afterRollback.some((s) => s.evidence.some((e) => e.kind === "model:time"))).toBe(true);
  }, 120_000);

  it("retrains after people's times drift", async () => {
    // From 2024-04-15 on, people work half as long again as their traces show, and correct the suggestions to that.
    const { evaluation } = report.windows;
    const changed = truth.map((row) => (row.day >= evaluation.from ? { ...row, seconds: Math.round(row.seconds * 1.5) } : row));
    await applySimulatedCorrections(store, changed, { ...evaluation, seed: 3, share: 0.6 });
    const today = shiftDay(evaluation.to, 1);
    const drift = { windowDays: 26, minSamples: 20 };

    const check = await checkDrift(store, timeTrainer, { today, ...drift, clock: CLOCK });

    expect(check.drifted).toBe(true);
    expect(check.record?.n).toBeGreaterThanOrEqual(20);
    const run = await runModelTraining(store, {
      trainers: [timeTrainer],
      loadBackend: () => backend,
      logger: pino({ level: "silent" }),
      today,
      maxAgeDays: 365,
      gate: { holdoutDays: 7, trainingDays: 19 },
      drift,
      clock: CLOCK,
    });
    const kind = run.kinds[0];
    expect(kind?.trainReason).toMatch(/^drift: /);
    expect(kind?.gate?.outcome).toBe("promoted");
    expect(kind?.gate?.reference.model?.version).toBe(1);
    const live = await store.models.live("time");
    expect(live?.version).toBe(2);
    expect(live?.artifact.window).toEqual({ from: "2024-04-15", to: "2024-05-03" });
    expect((await currentTimeModel(store))?.artifact.version).toBe(2);
  }, 120_000);
});

describe("runFeedbackLoop on PostgreSQL", () => {
  it("lowers the error without relinking", async () => {
    const handle = await openTestStore("postgres");
    try {
      const report = await runFeedbackLoop({ ...TEAM, backend: loadXGBoost(), store: handle.store, clock: CLOCK, relink: false });
      expect(report.relink).toBeNull();
      expect(await handle.store.models.live("linking")).toBeUndefined();
      expect(report.gate.outcome).toBe("promoted");
      expect(report.after?.meanAbsoluteErrorSeconds).toBeLessThan(report.before.meanAbsoluteErrorSeconds);
    } finally {
      await handle.dispose();
    }
  }, 240_000);
});
