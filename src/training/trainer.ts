import type { TrainingBackend } from "../ml/backend.js";
import type { DayWindow, ModelArtifact, ModelKind } from "../store/model-types.js";
import type { Store } from "../store/store.js";

export type { DayWindow, ModelArtifact, ModelKind } from "../store/model-types.js";

/** An error measurement: lower is better; `n` is the number of labels it was measured on. */
export interface ErrorMeasure {
  error: number;
  n: number;
}

/**
 * A learned model as the registry, the promotion gate and the drift monitor see it.
 * Each kind brings one trainer; the machinery around it never looks inside the artifact.
 */
export interface ModelTrainer {
  kind: ModelKind;
  /** Trains a candidate on labels with days in `window`. */
  train(store: Store, backend: TrainingBackend, window: DayWindow): Promise<ModelArtifact>;
  /** Measures the error of an artifact, or of the AI-off rules when `artifact` is null, on labels in `window`. */
  evaluate(store: Store, artifact: ModelArtifact | null, window: DayWindow): Promise<ErrorMeasure>;
  /** Measures the error between what was suggested and what people confirmed in `window`, for drift. */
  observedError(store: Store, window: DayWindow): Promise<ErrorMeasure>;
  /**
   * The model that serves suggestions while none of this kind is registered, such as
   * the bundled linking model; undefined when the AI-off rules serve then. A candidate
   * must beat it to go live, because it is the model a promotion replaces.
   */
  unregisteredDefault?(store: Store): Promise<{ artifact: ModelArtifact; name: string } | undefined>;
}
