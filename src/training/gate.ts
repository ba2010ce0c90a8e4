import { WorklensError } from "../domain/errors.js";
import type { TrainingBackend } from "../ml/backend.js";
import type { ModelSummary } from "../store/model-types.js";
import type { Store } from "../store/store.js";
import type { DayWindow, ModelKind, ModelTrainer } from "./trainer.js";
import { requireWholeNumber, shiftDay, windowBefore } from "./windows.js";

export interface GateOptions {
  /** The day training runs on (YYYY-MM-DD); the holdout ends the day before. */
  today: string;
  /** Days of the most recent feedback held out for the comparison; 14 by default. */
  holdoutDays?: number;
  /** Days of feedback before the holdout to train on; 180 by default. */
  trainingDays?: number;
  /** Minimum number of held-out labels for a comparison; with fewer, nothing is trained or promoted. 20 by default. */
  minHoldout?: number;
  clock?: () => number;
}

export type GateOutcome = "promoted" | "rejected" | "insufficient_holdout" | "no_training_labels";

export interface GateReport {
  kind: ModelKind;
  outcome: GateOutcome;
  trainingWindow: DayWindow;
  holdoutWindow: DayWindow;
  /** Held-out labels both errors were measured on. */
  holdoutN: number;
  /** The stored candidate; null when too little held-out data meant nothing was trained. */
  candidate: { id: number; version: number; error: number } | null;
  /**
   * The model the candidate was compared with. It is the live one, or when `model` is
   * null, the model serving without one (such as the bundled linking model) or the
   * AI-off rules, as `name` tells.
   */
  reference: { model: { id: number; version: number } | null; name: string; error: number };
  /** Reason for the promotion or rejection, as stored in the registry's note. */
  note: string;
}

/**
 * Trains a candidate on the feedback before the holdout and compares it with the
 * live model (or the AI-off rules when none is live) on the same held-out recent
 * feedback. The candidate is promoted only when its error is lower; otherwise it is
 * stored as rejected. Both errors go into the candidate's metrics.
 */
export async function trainAndGate(store: Store, trainer: ModelTrainer, backend: TrainingBackend, options: GateOptions): Promise<GateReport> {
  const holdoutDays = requireWholeNumber("holdoutDays", options.holdoutDays ?? 14, 1);
  const trainingDays = requireWholeNumber("trainingDays", options.trainingDays ?? 180, 1);
  const minHoldout = requireWholeNumber("minHoldout", options.minHoldout ?? 20, 1);
  const clock = options.clock ?? Date.now;
  const holdoutWindow = windowBefore(options.today, holdoutDays);
  const trainingWindow = { from: shiftDay(holdoutWindow.from, -trainingDays), to: shiftDay(holdoutWindow.from, -1) };
  const { kind } = trainer;

  // NOTE: the live model may have been trained on days that are now held out, which
  // favours it. The gate then errs on the side of keeping the live model.
  const live = await store.models.live(kind);
  // Without a live model the candidate replaces whatever serves then: a bundled model, or the rules.
  const fallback = live === undefined ? await trainer.unregisteredDefault?.(store) : undefined;
  const referenceName = live !== undefined ? `live v${live.version}` : (fallback?.name ?? "AI-off rules");
  const reference = await trainer.evaluate(store, live?.artifact ?? fallback?.artifact ?? null, holdoutWindow);
  const base = {
    kind,
    trainingWindow,
    holdoutWindow,
    reference: { model: live === undefined ? null : { id: live.id, version: live.version }, name: referenceName, error: reference.error },
  };
  const labels = `${String(reference.n)} held-out labels from ${holdoutWindow.from} to ${holdoutWindow.to}`;
  if (reference.n < minHoldout) {
    const note = `not trained: ${labels}, fewer than the ${String(minHoldout)} a comparison with the ${referenceName} needs`;
    return { ...base, outcome: "insufficient_holdout", holdoutN: reference.n, candidate: null, note };
  }

  let artifact: Awaited<ReturnType<ModelTrainer["train"]>>;
  try {
    artifact = await trainer.train(store, backend, trainingWindow);
  } catch (error) {
    // Trainers report a window without enough labels as NOT_FOUND: an outcome, not a failure.
    if (!(error instanceof WorklensError) || error.code !== "NOT_FOUND") throw error;
    const note = `not trained: ${error.message}`;
    return { ...base, outcome: "no_training_labels", holdoutN: reference.n, candidate: null, note };
  }
  if (artifact.kind !== kind) {
    throw new WorklensError("INTERNAL", `the ${kind} trainer returned an artifact of kind ${artifact.kind}`, "report this as a bug in the trainer");
  }
  const candidate = await trainer.evaluate(store, artifact, holdoutWindow);
  const metrics = {
    holdout_error: candidate.error,
    holdout_n: candidate.n,
    reference_error: reference.error,
    reference_version: live?.version ?? 0,
  };
  const errors = `held-out error ${formatError(candidate.error)} vs ${formatError(reference.error)} of the ${referenceName} on ${labels}`;
  const promote = candidate.error < reference.error;
  const note = promote ? `promoted: ${errors}` : `rejected: ${errors}; the candidate is not better`;

  const at = clock();
  const stored = await store.transaction(async (tx) => {
    const added = await tx.models.add({ artifact, status: promote ? "candidate" : "rejected", metrics, note, createdAt: at });
    if (promote) await tx.models.promote(added.id, note, at);
    return added;
  });
  return {
    ...base,
    outcome: promote ? "promoted" : "rejected",
    holdoutN: candidate.n,
    candidate: { id: stored.id, version: stored.version, error: candidate.error },
    note,
  };
}

/** Formats an error with four significant digits, enough to tell close errors apart in a note. */
export function formatError(error: number): string {
  return Number.isFinite(error) ? String(Number(error.toPrecision(4))) : String(error);
}

/** Returns the held-out error the gate recorded for a model, if it went through the gate. */
export function recordedHoldoutError(model: Pick<ModelSummary, "metrics">): number | undefined {
  return model.metrics["holdout_error"];
}
