import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ALLOCATION_OPTIONS } from "../allocation/allocate.js";
import { runAllocation } from "../allocation/run-allocation.js";
import { TimeModel, type TimeModelArtifact } from "../allocation/time-model.js";
import { WorklensError } from "../domain/errors.js";
import { EMBEDDING_SECRET, type RankerMode } from "../linking/model-choice.js";
import { loadLinkingInput, runLinking } from "../linking/run-linking.js";
import type { TrainingBackend } from "../ml/backend.js";
import { loadNamedSuggestions, ticketDayError, type TicketDayError } from "../simulate/evaluate.js";
import { importSimulation } from "../simulate/import-simulation.js";
import { resolveSimulationOptions } from "../simulate/options.js";
import { simulateTeam, writeSimulation } from "../simulate/simulate.js";
import type { TruthRow } from "../simulate/truth.js";
import { Store } from "../store/store.js";
import { applySimulatedCorrections, type AppliedCorrections } from "./feedback-corrections.js";
import { ticketDayErrorParts, type ErrorParts } from "./feedback-error-parts.js";
import { feedbackWindows, type FeedbackWindows } from "./feedback-windows.js";
import { trainAndGate, type GateOptions, type GateReport } from "./gate.js";
import { deriveLinkFeedback } from "./link-feedback.js";
import { linkingTrainer } from "./linking-trainer.js";
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
  /**
   * After the corrections, train the linking model on the reviewed links through the
   * promotion gate and, when promoted, link and allocate again before the time model
   * trains. True by default. It applies only with the learned ranker, because the rules do not learn.
   */
  relink?: boolean | undefined;
  /** A store to import into; it must be empty. When absent, a SQLite store in a temporary folder is used and deleted. */
  store?: Store | undefined;
  /** Registry timestamps; the run repeats exactly only with a fixed clock. */
  clock?: (() => number) | undefined;
  /** Called with a short line as each step starts. */
  onStep?: ((step: string) => void) | undefined;
}

/** Ticket-day error in the units the report uses, split by where it comes from. */
export interface FeedbackError extends TicketDayError {
  meanAbsoluteErrorMinutes: number;
  parts: ErrorParts;
  /** Meetings that name no issue key on the measured days, and how many of them are linked to an issue. */
  keylessMeetings: { total: number; linked: number };
}

/** The linking step of the loop: labels read from the reviews, the gate, and the error once linked again. */
export interface RelinkReport {
  /** Activities with a label from a review, and those whose every reviewed issue was rejected. */
  labelledActivities: number;
  activitiesWithoutIssue: number;
  gate: GateReport;
  /** The evaluation days linked with the promoted model and allocated with the rules, or null when nothing was promoted. */
  relinked: FeedbackError | null;
}

export interface FeedbackLoopReport {
  seed: number;
  people: number;
  days: number;
  testDays: number;
  windows: FeedbackWindows;
  corrections: AppliedCorrections;
  ranker: RankerMode;
  /** The linking model trained on the reviews, or null when relinking was off or the rules linked. */
  relink: RelinkReport | null;
  /** Linking with `ranker` and rule-based allocation, on the evaluation days. */
  before: FeedbackError;
  /**
   * The same days after the corrections: linked again when the linking gate promoted
   * a model, then allocated with the time model when its gate promoted one. Null when
   * neither gate promoted anything.
   */
  after: FeedbackError | null;
  /** (before − after) / before of the mean absolute error; null without `after`. */
  relativeReduction: number | null;
  gate: GateReport;
  /** The live time model after the gate, when it is the one the gate promoted. */
  model: TimeModelArtifact | null;
  /** Wall-clock seconds of each step. */
  timings: { simulateSeconds: number; importSeconds: number; linkingSeconds: number; correctionSeconds: number; relinkSeconds: number; trainingSeconds: number; totalSeconds: number };
}

const DEFAULTS = { people: 8, days: 40, testDays: 10, correctionShare: 0.6 } as const;

/**
 * Runs the feedback loop on a simulated team. It imports the team, links (with the
 * learned ranker unless told otherwise), allocates with the rules, and measures the
 * error per ticket-day on the last `testDays` working days. Then it stores simulated
 * corrections of the earlier days through the review service. With the learned
 * ranker, it trains the linking model on those reviews through the promotion gate
 * and, when promoted, links and allocates every day again. Then it trains the time
 * model through the gate. When the gate promotes that model, the evaluation days are
 * allocated again with it and measured anew. The errors are the same for the same
 * options, but timings and registry timestamps vary.
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
    const before = await measure(store, result.truth, windows.evaluationDays, windows.evaluation);

    step(`reviewing the suggestions of ${windows.corrected.from} to ${windows.corrected.to}`);
    mark = performance.now();
    const share = options.correctionShare ?? DEFAULTS.correctionShare;
    const corrections = await applySimulatedCorrections(store, result.truth, { ...windows.corrected, seed: simulation.seed, share });
    const correctionSeconds = secondsSince(mark);

    const gateOptions: GateOptions = {
      today: windows.gate.today,
      holdoutDays: windows.gate.holdoutDays,
      trainingDays: windows.gate.trainingDays,
      ...(options.minHoldout === undefined ? {} : { minHoldout: options.minHoldout }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    };
    mark = performance.now();
    let relink: RelinkReport | null = null;
    if (ranker === "learned" && options.relink !== false) {
      step(`training the linking model on the reviewed links of ${windows.gate.trainingFrom} to ${windows.gate.trainingTo} and gating it on ${windows.gate.holdoutFrom} to ${windows.corrected.to}`);
      relink = await relinkFromReviews(store, options.backend, gateOptions, async () => {
        step("linking every day again with the promoted linking model and allocating with the rules");
        await runLinking(store, { ranker });
        await runAllocation(store, { from: windows.simulated.from, to: windows.simulated.to });
        return measure(store, result.truth, windows.evaluationDays, windows.evaluation);
      });
    }
    const relinkSeconds = secondsSince(mark);

    step(`training the time model on ${windows.gate.trainingFrom} to ${windows.gate.trainingTo} and gating it on ${windows.gate.holdoutFrom} to ${windows.corrected.to}`);
    mark = performance.now();
    const gate = await trainAndGate(store, timeTrainer, options.backend, gateOptions);
    const trainingSeconds = secondsSince(mark);

    // Without a promoted time model, the rules allocate the relinked days, if any.
    let after: FeedbackError | null = relink?.relinked ?? null;
    let model: TimeModelArtifact | null = null;
    const live = await store.models.live("time");
    if (gate.outcome === "promoted" && live !== undefined && live.id === gate.candidate?.id) {
      step("allocating the evaluation days with the promoted time model");
      const timeModel = TimeModel.fromArtifact(live.artifact, `registered time model ${String(live.version)}`);
      model = timeModel.artifact;
      await runAllocation(store, windows.evaluation, DEFAULT_ALLOCATION_OPTIONS, timeModel);
      after = await measure(store, result.truth, windows.evaluationDays, windows.evaluation);
    }

    return {
      seed: simulation.seed,
      people,
      days,
      testDays,
      ranker,
      relink,
      windows,
      corrections,
      before,
      after,
      relativeReduction: after === null || before.meanAbsoluteErrorSeconds === 0 ? null : (before.meanAbsoluteErrorSeconds - after.meanAbsoluteErrorSeconds) / before.meanAbsoluteErrorSeconds,
      gate,
      model,
      timings: { simulateSeconds, importSeconds, linkingSeconds, correctionSeconds, relinkSeconds, trainingSeconds, totalSeconds: secondsSince(started) },
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

/**
 * Trains the linking model on the self-supervised examples and the reviewed links
 * through the gate, and runs `relinked` when the gate promotes it, so the loop
 * links with it. Returns the counts of labels the reviews gave.
 */
async function relinkFromReviews(store: Store, backend: TrainingBackend, gateOptions: GateOptions, relinked: () => Promise<FeedbackError>): Promise<RelinkReport> {
  const { feedback } = await deriveLinkFeedback(store, await loadLinkingInput(store));
  const gate = await trainAndGate(store, linkingTrainer, backend, gateOptions);
  return {
    labelledActivities: feedback.length,
    activitiesWithoutIssue: feedback.filter((f) => f.right.size === 0).length,
    gate,
    relinked: gate.outcome === "promoted" ? await relinked() : null,
  };
}

async function measure(store: Store, truth: readonly TruthRow[], days: readonly string[], window: { from: string; to: string }): Promise<FeedbackError> {
  const suggestions = await loadNamedSuggestions(store, window.from, window.to);
  const error = ticketDayError(suggestions, truth, days);
  return {
    ...error,
    meanAbsoluteErrorMinutes: Math.round((error.meanAbsoluteErrorSeconds / 60) * 10) / 10,
    parts: ticketDayErrorParts(suggestions, truth, days),
    keylessMeetings: await keylessMeetingLinks(store, window),
  };
}

/** Counts the meetings of `window` (UTC days) that name no issue key, and those linked to an issue. */
async function keylessMeetingLinks(store: Store, window: { from: string; to: string }): Promise<{ total: number; linked: number }> {
  const meetings = (await store.activities.list({ from: Date.parse(`${window.from}T00:00:00Z`), to: Date.parse(`${window.to}T00:00:00Z`) + 86_400_000 })).filter(
    (a) => a.kind === "meeting" && a.explicitKeys.length === 0,
  );
  const linked = new Set((await store.results.links()).map((l) => l.activityId));
  return { total: meetings.length, linked: meetings.filter((m) => linked.has(m.id)).length };
}

function secondsSince(mark: number): number {
  return Math.round(performance.now() - mark) / 1000;
}
