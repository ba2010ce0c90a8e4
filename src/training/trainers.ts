import { linkingTrainer } from "./linking-trainer.js";
import { timeTrainer } from "./time-trainer.js";
import type { ModelTrainer } from "./trainer.js";

/** Returns the trainers that the `model-training` job and `worklens train` run, one per model kind. */
export function registeredTrainers(): ModelTrainer[] {
  return [linkingTrainer, timeTrainer];
}
