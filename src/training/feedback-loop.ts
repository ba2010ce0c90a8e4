import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ALLOCATION_OPTIONS } from "../allocation/allocate.js";
import { runAllocation } from "../allocation/run-allocation.js";
import { TimeModel, type TimeModelArtifact } from "../allocation/time-model.js";
import { WorklensError } from "../domain/errors.js";
import { EMBEDDING_SECRET, type RankerMode } from "../linking/model-choice.js";
import { runLinking } from "../linking/run-linking.js";
import type { TrainingBackend } from "../ml/backend.js";
import { loadNamedSuggestions, ticketDayError, type TicketDayError } from "../simulate/evaluate.js";
import { importSimulation } from "../simulate/import-simulation.js";
import { resolveSimulationOptions } from "../simulate/options.js";
import { simulateTeam, writeSimulation } from "../simulate/simulate.js";
import type { TruthRow } from "../simulate/truth.js";
import { Store } from "../store/store.js";
import { applySimulatedCorrections, type AppliedCorrections } from "./feedback-corrections.js";
import { feedbackWindows, type FeedbackWindows } from "./feedback-windows.js";
import { trainAndGate, type GateReport } from "./gate.js";
import { timeTrainer } from "./time-trainer.js";

export interface FeedbackLoopOptions {
  backend: TrainingBackend;
  /** Team size; 8 by default. */
  people?: number | undefined;
  /** Working days simulated; 40 by default. */
  days?: number | undefined;
  seed?: number | undefined;
  /** The last working days, on which the error is measured before and after; 10 by default. */
  testDays?: number | undefined;
  /** First day of the simulation, YYYY-MM-DD; the simulator's default when absent. */
  start?: string | undefined;
  /** Share of suggestions people review on the corrected days, from 0 to 1; 0.6 by default. */
  correctionShare?: number | undefined;
  /** Working days at the end of the corrected days that the gate holds out; a quarter of them by default. */
  holdoutWorkingDays?: number | undefined;
  /** Minimum held-out labels for the gate to compare; the gate's default of 20 when absent. */
  minHoldout?: number | undefined;
  /** Linking before allocation: the learned ranker by default, or the AI-off rules for comparison. */
  ranker?: RankerMode | undefined;
  /** A store to import into; it must be empty. When absent, a SQLite store in a temporary folder is used and deleted. */
  store?: Store | undefined;
  /** Registry timestamps; the run repeats exactly only with a fixed clock. */
  clock?: (() => number) | undefined;
  /** Called with a short line as each step starts. */
  onStep?: ((step: string) => void) | undefined;
}

/** Ticket-day error in the units the report uses. */
export interface FeedbackError extends TicketDayError {
  meanAbsoluteErrorMinutes: number;
}

export interface FeedbackLoopReport {
  seed: number;
  people: number;
  days: number;
  testDays: number;
  windows: FeedbackWindows;
  corrections: AppliedCorrections;
  ranker: RankerMode;
  /** Linking with `ranker` and rule-based allocation, on the evaluation days. */
  before: FeedbackError;
  /** The same days allocated with the promoted time model; null when the gate promoted nothing. */
  after: FeedbackError | null;
  /** (before − after) / before of the mean absolute error; null without `after`. */
  relativeReduction: number | null;
  gate: GateReport;
  /** The live time model after the gate, when it is the one the gate promoted. */
  model: TimeModelArtifact | null;
  /** Wall-clock seconds of each step. */
  timings: { simulateSeconds: number; importSeconds: number; linkingSeconds: number; correctionSeconds: number; trainingSeconds: number; totalSeconds: number };
}

const DEFAULTS = { people: 8, days: 40, testDays: 10, correctionShare: 0.6 } as const;

/**
 * Runs the feedback loop on a simulated team. It imports the team, links (with the
 * learned ranker unless told otherwise), allocates with the rules, and measures the
 * error per ticket-day on the last `testDays` working days. Then it stores simulated
 * corrections of the earlier days through the review service and trains the time
 * model through the promotion gate. When the gate promotes the model, the evaluation
 * days are allocated again with it and measured anew. The errors are the same for the
 * same options, but timings and registry timestamps vary.
 */
export async function runFeedbackLoop(options: FeedbackLoopOptions): Promise<FeedbackLoopReport> {
  const started = performance.now();
  const people = options.people ?? DEFAULTS.people;
  const days = options.days ?? DEFAULTS.days;
  const testDays = options.testDays ?? DEFAULTS.testDays;
  const simulation = resolveSimulationOptions({ people, days, ...(options.seed === undefined ? {} : { seed: options.seed }), ...(options.start === undefined ? {} : { start: options.start }) });
  const windows = feedbackWindows(simulation, testDays, options.holdoutWorkingDays);
  const step = options.onStep ?? (() => undefined);

  const folder = await mkdtemp(join(tmpdir(), "worklens-feedback-"));
  const store = options.store ?? (await Store.open({ kind: "sqlite", file: join(folder, "feedback.sqlite") }));
  try {
    if ((await store.activities.count()) > 0) {
      throw new WorklensError("USAGE", "the store passed to the feedback loop already contains activities", "pass an empty store, or none to use a temporary SQLite store");
    }
    step(`simulating ${String(people)} people for ${String(days)} working days (seed ${String(simulation.seed)})`);
    let mark = performance.now();
    const result = simulateTeam(simulation);
    await writeSimulation(join(folder, "simulation"), result);
    const simulateSeconds = secondsSince(mark);

    step("importing the simulated files");
    mark = performance.now();
    await importSimulation(store, join(folder, "simulation"));
    const importSeconds = secondsSince(mark);

    const ranker = options.ranker ?? "learned";
    step(`linking with the ${ranker === "learned" ? "learned ranker" : "rules"} and allocating with the rules`);
    mark = performance.now();
    await fixEmbeddingSecret(store, simulation.seed);
    await runLinking(store, { ranker });
    await runAllocation(store, { from: windows.simulated.from, to: windows.simulated.to });
    const linkingSeconds = secondsSince(mark);
    const before = await measure(store, result.truth, windows.evaluationDays);

    step(`reviewing the suggestions of ${windows.corrected.from} to ${windows.corrected.to}`);
    mark = performance.now();
    const share = options.correctionShare ?? DEFAULTS.correctionShare;
    const corrections = await applySimulatedCorrections(store, result.truth, { ...windows.corrected, seed: simulation.seed, share });
    const correctionSeconds = secondsSince(mark);

    step(`training the time model on ${windows.gate.trainingFrom} to ${windows.gate.trainingTo} and gating it on ${windows.gate.holdoutFrom} to ${windows.corrected.to}`);
    mark = performance.now();
    const gate = await trainAndGate(store, timeTrainer, options.backend, {
      today: windows.gate.today,
      holdoutDays: windows.gate.holdoutDays,
      trainingDays: windows.gate.trainingDays,
      ...(options.minHoldout === undefined ? {} : { minHoldout: options.minHoldout }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    const trainingSeconds = secondsSince(mark);

    let after: FeedbackError | null = null;
    let model: TimeModelArtifact | null = null;
    const live = await store.models.live("time");
    if (gate.outcome === "promoted" && live !== undefined && live.id === gate.candidate?.id) {
      step("allocating the evaluation days with the promoted time model");
      const timeModel = TimeModel.fromArtifact(live.artifact, `registered time model ${String(live.version)}`);
      model = timeModel.artifact;
      await runAllocation(store, windows.evaluation, DEFAULT_ALLOCATION_OPTIONS, timeModel);
      after = await measure(store, result.truth, windows.evaluationDays);
    }

    return {
      seed: simulation.seed,
      people,
      days,
      testDays,
      ranker,
      windows,
      corrections,
      before,
      after,
      relativeReduction: after === null || before.meanAbsoluteErrorSeconds === 0 ? null : (before.meanAbsoluteErrorSeconds - after.meanAbsoluteErrorSeconds) / before.meanAbsoluteErrorSeconds,
      gate,
      model,
      timings: { simulateSeconds, importSeconds, linkingSeconds, correctionSeconds, trainingSeconds, totalSeconds: secondsSince(started) },
    };
  } finally {
    if (options.store === undefined) await store.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Sets the store's text-embedding secret from the seed when none is stored yet. A
 * fresh store otherwise draws a random one, and the learned ranker's links, with
 * every error after them, would change from run to run.
 */
async function fixEmbeddingSecret(store: Store, seed: number): Promise<void> {
  const key = `secret:${EMBEDDING_SECRET}`;
  if ((await store.settings.get(key)) !== undefined) return;
  await store.settings.set(key, createHash("sha256").update(`worklens feedback loop ${String(seed)}`).digest("base64"));
}

async function measure(store: Store, truth: readonly TruthRow[], days: readonly string[]): Promise<FeedbackError> {
  const first = days[0] ?? "";
  const last = days[days.length - 1] ?? "";
  const error = ticketDayError(await loadNamedSuggestions(store, first, last), truth, days);
  return { ...error, meanAbsoluteErrorMinutes: Math.round((error.meanAbsoluteErrorSeconds / 60) * 10) / 10 };
}

function secondsSince(mark: number): number {
  return Math.round(performance.now() - mark) / 1000;
}
