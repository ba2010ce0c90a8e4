import { WorklensError } from "../../domain/errors.js";
import type { Store } from "../../store/store.js";
import type { DayWindow, ErrorMeasure, ModelArtifact, ModelTrainer } from "../trainer.js";

/** One review turned into a label: the seconds suggested and the seconds the person confirmed. */
interface Label {
  suggested: number;
  confirmed: number;
}

/** Labels from the reviews of days in `window`: accepted keeps the suggestion, rejected is 0, edited is the worklog's seconds. */
async function labels(store: Store, window: DayWindow): Promise<Label[]> {
  const result: Label[] = [];
  for (const review of await store.reviews.list({ from: window.from, to: window.to })) {
    if (review.decision === "rejected") {
      result.push({ suggested: review.suggestedSeconds, confirmed: 0 });
      continue;
    }
    const worklog = review.worklogId === null ? undefined : await store.worklogs.get(review.worklogId);
    result.push({ suggested: review.suggestedSeconds, confirmed: worklog?.seconds ?? review.suggestedSeconds });
  }
  return result;
}

function multiplierOf(artifact: ModelArtifact): number {
  const model = artifact.model;
  if (typeof model === "object" && model !== null && "multiplier" in model && typeof model.multiplier === "number") return model.multiplier;
  throw new WorklensError("INVALID_INPUT", `time model v${String(artifact.version)} has no numeric model.multiplier`, "train it with the multiplier test trainer");
}

function meanAbsoluteError(rows: readonly Label[], predict: (suggested: number) => number): ErrorMeasure {
  if (rows.length === 0) return { error: 0, n: 0 };
  const total = rows.reduce((sum, row) => sum + Math.abs(predict(row.suggested) - row.confirmed), 0);
  return { error: total / rows.length, n: rows.length };
}

/**
 * A real, tiny time trainer for the registry tests: it fits one multiplier m of the
 * suggested seconds by least squares (m = Σ s·c / Σ s²) and measures the mean
 * absolute error in seconds. The AI-off rules are m = 1. It needs no backend.
 */
export const multiplierTrainer: ModelTrainer = {
  kind: "time",

  async train(store, _backend, window) {
    const rows = await labels(store, window);
    const sumSquares = rows.reduce((sum, row) => sum + row.suggested * row.suggested, 0);
    if (sumSquares === 0) {
      throw new WorklensError("NOT_FOUND", `no labels with suggested seconds from ${window.from} to ${window.to}`, "review some suggestions first");
    }
    const multiplier = rows.reduce((sum, row) => sum + row.suggested * row.confirmed, 0) / sumSquares;
    return {
      kind: "time",
      version: 0,
      featureNames: ["suggested_seconds"],
      model: { multiplier },
      trainedAt: new Date().toISOString(),
      window,
      metrics: { n_train: rows.length, train_mae_seconds: meanAbsoluteError(rows, (s) => multiplier * s).error },
    };
  },

  async evaluate(store, artifact, window) {
    const multiplier = artifact === null ? 1 : multiplierOf(artifact);
    return meanAbsoluteError(await labels(store, window), (s) => multiplier * s);
  },

  async observedError(store, window) {
    return meanAbsoluteError(await labels(store, window), (s) => s);
  },
};
