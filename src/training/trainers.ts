import type { ModelTrainer } from "./trainer.js";

/**
 * Returns the trainers the `model-training` job and `worklens train` run, one per model kind.
 * NOTE: empty until the linking ranker and the time model register their trainers here.
 */
export function registeredTrainers(): ModelTrainer[] {
  return [];
}
