import type { Logger } from "pino";
import { WorklensError } from "../domain/errors.js";
import type { TrainingBackend } from "../ml/backend.js";
import type { Store } from "../store/store.js";
import { checkDrift, type DriftOptions, type DriftReport } from "./drift.js";
import { trainAndGate, type GateOptions, type GateReport } from "./gate.js";
import type { ModelKind, ModelTrainer } from "./trainer.js";
import { requireWholeNumber, utcToday } from "./windows.js";

const MS_PER_DAY = 86_400_000;

export interface TrainingScheduleOptions {
  trainers: readonly ModelTrainer[];
  /** Loads the training library; called once per run, and only when some model needs training. */
  loadBackend: () => TrainingBackend;
  logger: Logger;
  /** The day of the run (YYYY-MM-DD); the current UTC day by default. */
  today?: string | undefined;
  /** Retrain when the live model was trained more than this many days ago; 7 by default. */
  maxAgeDays?: number | undefined;
  gate?: Omit<GateOptions, "today" | "clock"> | undefined;
  drift?: Omit<DriftOptions, "today" | "clock"> | undefined;
  /** Train every kind of `trainers` whatever its live model's age and drift, for a retraining an administrator requested. */
  force?: boolean | undefined;
  clock?: (() => number) | undefined;
}

export interface KindRun {
  kind: ModelKind;
  drift: DriftReport;
  /** Reason training ran; undefined when the live model is recent and has not drifted. */
  trainReason: string | undefined;
  gate: GateReport | undefined;
  /** Message of a failure of this kind's check or training, which the run logged. */
  error: string | undefined;
}

export interface TrainingRun {
  today: string;
  kinds: KindRun[];
  /** Set when training was due but the library could not be loaded, so the run stopped there. */
  skipped: string | undefined;
}

/**
 * The `model-training` job: checks each kind for drift, and retrains through the
 * promotion gate when the live model drifted, is older than `maxAgeDays`, or no model
 * is live, or always when `force` is set. A missing training library (UNAVAILABLE from `loadBackend`) ends the run
 * with one warning carrying the install hint instead of an error, so the queue
 * records no failure. A failure of one kind is logged and the next kind still runs.
 */
export async function runModelTraining(store: Store, options: TrainingScheduleOptions): Promise<TrainingRun> {
  const clock = options.clock ?? Date.now;
  const today = options.today ?? utcToday(clock());
  const maxAgeDays = requireWholeNumber("maxAgeDays", options.maxAgeDays ?? 7, 0);
  const { logger } = options;
  const run: TrainingRun = { today, kinds: [], skipped: undefined };
  let backend: TrainingBackend | undefined;

  for (const trainer of options.trainers) {
    const { kind } = trainer;
    let kindRun: KindRun | undefined;
    try {
      const drift = await checkDrift(store, trainer, { ...options.drift, today, clock });
      logger.info({ kind, drifted: drift.drifted, checked: drift.checked }, drift.reason);
      const reason = options.force === true ? "retraining requested" : await trainReason(store, kind, drift, maxAgeDays, clock());
      kindRun = { kind, drift, trainReason: reason, gate: undefined, error: undefined };
      run.kinds.push(kindRun);
      if (kindRun.trainReason === undefined) continue;

      if (backend === undefined) {
        try {
          backend = options.loadBackend();
        } catch (error) {
          if (!(error instanceof WorklensError && error.code === "UNAVAILABLE")) throw error;
          logger.warn({ kind, hint: error.hint }, `model training skipped: ${error.message}`);
          run.skipped = error.hint === undefined ? error.message : `${error.message}; ${error.hint}`;
          return run;
        }
      }
      const gate = await trainAndGate(store, trainer, backend, { ...options.gate, today, clock });
      kindRun.gate = gate;
      if (gate.candidate !== null && drift.record?.drifted === true) await store.models.setDriftAction(drift.record.id, "retrained");
      logger.info({ kind, outcome: gate.outcome, candidate: gate.candidate, reference: gate.reference }, `${kind} model training: ${gate.note}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ err: error, kind }, `${kind} model training failed: ${message}`);
      if (kindRun === undefined) {
        const window = { from: today, to: today };
        run.kinds.push({ kind, drift: { kind, checked: false, drifted: false, retrainDue: false, window, record: undefined, reason: "check failed" }, trainReason: undefined, gate: undefined, error: message });
      } else {
        kindRun.error = message;
      }
    }
  }
  return run;
}

/** Returns why a kind needs training, or undefined when its live model is recent and has not drifted. */
async function trainReason(store: Store, kind: ModelKind, drift: DriftReport, maxAgeDays: number, now: number): Promise<string | undefined> {
  if (drift.retrainDue) return drift.reason;
  const live = await store.models.live(kind);
  if (live === undefined) return `no live ${kind} model`;
  const ageDays = (now - live.createdAt) / MS_PER_DAY;
  if (ageDays > maxAgeDays) return `live ${kind} v${String(live.version)} was trained ${String(Math.floor(ageDays))} days ago, more than ${String(maxAgeDays)}`;
  return undefined;
}
