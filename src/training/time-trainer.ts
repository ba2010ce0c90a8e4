import { WorklensError } from "../domain/errors.js";
import { TimeModel } from "../allocation/time-model.js";
import type { Store } from "../store/store.js";
import { buildTimeDataset } from "./time-dataset.js";
import { evaluateTimeModel, trainTimeModel } from "./time-training.js";
import type { DayWindow, ErrorMeasure, ModelTrainer } from "./trainer.js";

/** Fewer labelled ticket-days than this cannot both train a model and hold out a test set. */
const MIN_TRAINING_ROWS = 30;

/**
 * Model 2 in the registry. Its labels are the seconds people confirmed (accepted,
 * edited, rejected as 0) and Jira worklogs. Its error is the mean absolute error in
 * seconds per person, day and ticket.
 */
export const timeTrainer: ModelTrainer = {
  kind: "time",

  async train(store, backend, window) {
    const rows = await buildTimeDataset(store, window);
    if (rows.length < MIN_TRAINING_ROWS) {
      throw new WorklensError("NOT_FOUND", `only ${String(rows.length)} labelled ticket-days from ${window.from} to ${window.to}; the time model needs at least ${String(MIN_TRAINING_ROWS)}`, "review more suggestions or import Jira worklogs, then train again");
    }
    return trainTimeModel(backend, rows);
  },

  async evaluate(store, artifact, window) {
    const rows = await buildTimeDataset(store, window);
    if (artifact === null) {
      const error = rows.reduce((sum, row) => sum + Math.abs(row.deterministicSeconds - row.label), 0);
      return { error: rows.length === 0 ? 0 : error / rows.length, n: rows.length };
    }
    const evaluation = evaluateTimeModel(TimeModel.fromArtifact(artifact, `time model ${String(artifact.version)}`).artifact, rows);
    return { error: evaluation.mae_seconds, n: evaluation.n };
  },

  observedError(store, window) {
    return suggestedVersusConfirmed(store, window);
  },
};

/** Mean absolute difference between the seconds suggested and the seconds people confirmed, per reviewed suggestion. */
async function suggestedVersusConfirmed(store: Store, window: DayWindow): Promise<ErrorMeasure> {
  const reviews = await store.reviews.list({ from: window.from, to: window.to });
  const suggested = new Map(reviews.flatMap((r) => (r.issueId === null ? [] : [[`${String(r.personId)}|${r.day}|${String(r.issueId)}`, r.suggestedSeconds] as const])));
  const rows = (await buildTimeDataset(store, window)).filter((row) => row.labelSource !== "jira");
  let sum = 0;
  let n = 0;
  for (const row of rows) {
    const seconds = suggested.get(`${String(row.personId)}|${row.day}|${String(row.issueId)}`);
    if (seconds === undefined) continue;
    sum += Math.abs(seconds - row.label);
    n += 1;
  }
  return { error: n === 0 ? 0 : sum / n, n };
}
