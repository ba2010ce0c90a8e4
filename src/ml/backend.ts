/**
 * Inputs and outputs of a training backend. Training needs a native library, but
 * prediction does not, because `GbdtModel` walks the saved trees in TypeScript.
 */

export type Objective = "binary:logistic" | "rank:pairwise" | "rank:ndcg" | "reg:squarederror" | "reg:absoluteerror";

export interface Dataset {
  featureNames: readonly string[];
  /** Row-major values, `labels.length` rows of `featureNames.length` columns; NaN is a missing value. */
  rows: Float32Array;
  labels: Float32Array;
  /** Sizes of consecutive query groups, in row order; required by the ranking objectives. */
  groups?: readonly number[] | undefined;
  /** Per-row weights for the pointwise objectives, per-group weights for the ranking objectives. */
  weights?: Float32Array | undefined;
}

export interface TrainParams {
  objective: Objective;
  rounds: number;
  maxDepth: number;
  /** Learning rate. */
  eta: number;
  minChildWeight?: number | undefined;
  subsample?: number | undefined;
  colsampleByTree?: number | undefined;
  /** L2 regularization of leaf weights. */
  lambda?: number | undefined;
  seed: number;
  /** Threads for training; 0 lets the backend choose. */
  threads?: number | undefined;
}

export interface TrainingBackend {
  /** For example "xgboost". */
  readonly name: string;
  /** For example "1.7.4". */
  readonly version: string;
  /** Train and return the model in XGBoost's JSON model format, parsed. */
  train(data: Dataset, params: TrainParams): unknown;
  /** The backend's own predictions of a saved model on `rows` (tests compare them with `GbdtModel`). */
  predict(model: unknown, rows: Float32Array, featureCount: number): Float32Array;
}
