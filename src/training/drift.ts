import type { DriftRecord } from "../store/model-types.js";
import type { Store } from "../store/store.js";
import { formatError, recordedHoldoutError } from "./gate.js";
import type { DayWindow, ModelKind, ModelTrainer } from "./trainer.js";
import { requireWholeNumber, windowBefore } from "./windows.js";

/**
 * Relative tolerance of a drift check unless the caller sets another. The training job
 * never sets one, so the server's drift chart derives its threshold from it.
 */
export const DEFAULT_DRIFT_TOLERANCE = 0.25;

export interface DriftOptions {
  /** The day of the check (YYYY-MM-DD); the window ends the day before. */
  today: string;
  /** Days of recent feedback the observed error is measured on; 14 by default. */
  windowDays?: number;
  /**
   * Relative tolerance: drift when the observed error exceeds the live model's
   * held-out error by more than this fraction of it. DEFAULT_DRIFT_TOLERANCE by default.
   */
  tolerance?: number;
  /** Minimum number of labels for a drift verdict; 20 by default. */
  minSamples?: number;
  clock?: () => number;
}

export interface DriftReport {
  kind: ModelKind;
  /** False when there was nothing to compare: no live model, or one without a recorded held-out error. */
  checked: boolean;
  drifted: boolean;
  /** True when the drift calls for retraining. */
  retrainDue: boolean;
  window: DayWindow;
  /** The stored check; undefined when nothing was compared. */
  record: DriftRecord | undefined;
  reason: string;
}

/**
 * Compares the observed error of the live model over the last `windowDays` days with
 * the held-out error recorded when it was promoted, and stores the check in
 * `model_drift`. Drift means more than `tolerance` worse, relative, on at least
 * `minSamples` labels.
 */
export async function checkDrift(store: Store, trainer: ModelTrainer, options: DriftOptions): Promise<DriftReport> {
  const windowDays = requireWholeNumber("windowDays", options.windowDays ?? 14, 1);
  const minSamples = requireWholeNumber("minSamples", options.minSamples ?? 20, 1);
  const tolerance = options.tolerance ?? DEFAULT_DRIFT_TOLERANCE;
  const clock = options.clock ?? Date.now;
  const { kind } = trainer;
  const window = windowBefore(options.today, windowDays);
  const unchecked = (reason: string): DriftReport => ({ kind, checked: false, drifted: false, retrainDue: false, window, record: undefined, reason });

  const live = await store.models.live(kind);
  if (live === undefined) return unchecked(`no live ${kind} model to check`);
  const baseline = recordedHoldoutError(live);
  if (baseline === undefined) return unchecked(`live ${kind} v${String(live.version)} has no recorded held-out error, because it was not promoted by the gate`);

  const observed = await trainer.observedError(store, window);
  const limit = baseline * (1 + tolerance);
  const enough = observed.n >= minSamples;
  const drifted = enough && observed.error > limit;
  const record = await store.models.recordDrift({
    kind,
    modelId: live.id,
    checkedAt: clock(),
    window,
    n: observed.n,
    error: observed.error,
    baselineError: baseline,
    drifted,
    action: drifted ? "retrain_queued" : "none",
  });

  const comparison = `observed error ${formatError(observed.error)} on ${String(observed.n)} labels from ${window.from} to ${window.to}, held-out error of live v${String(live.version)} ${formatError(baseline)}, limit ${formatError(limit)}`;
  let reason: string;
  if (!enough) reason = `no verdict: ${comparison}; fewer than ${String(minSamples)} labels`;
  else reason = drifted ? `drift: ${comparison}` : `no drift: ${comparison}`;
  return { kind, checked: true, drifted, retrainDue: drifted, window, record, reason };
}
