import { z } from "zod";

/** The learned models: 1 links activities to issues, 2 estimates time per person, day and issue. */
export const MODEL_KINDS = ["linking", "time"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/**
 * Lifecycle of a registered model. A candidate waits for a decision, live serves
 * suggestions (at most one per kind), retired was live before, rejected lost the
 * promotion gate.
 */
export const MODEL_STATUSES = ["candidate", "live", "retired", "rejected"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** A range of days, YYYY-MM-DD, both ends included. */
export interface DayWindow {
  from: string;
  to: string;
}

/**
 * A trained model as a trainer returns it and the registry stores it, as JSON. Trainers may add fields
 * of their own (an interval, a tokenizer); the registry keeps them unchanged.
 */
export interface ModelArtifact {
  kind: ModelKind;
  /** The registry version; the registry overwrites it with the version it assigns when the model is added. */
  version: number;
  featureNames: readonly string[];
  /** The model in XGBoost's JSON model format, parsed. */
  model: unknown;
  /** ISO 8601 instant of the end of training. */
  trainedAt: string;
  /** The days of the labels the model was trained on. */
  window: DayWindow;
  metrics: Readonly<Record<string, number>>;
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const daySchema = z.string().regex(DAY_PATTERN, { error: "expected a day as YYYY-MM-DD" });

/** The fields every artifact has; unknown fields pass through. */
export const artifactSchema = z.looseObject({
  kind: z.enum(MODEL_KINDS),
  version: z.number().int(),
  featureNames: z.array(z.string()),
  model: z.unknown(),
  trainedAt: z.string(),
  window: z.object({ from: daySchema, to: daySchema }),
  metrics: z.record(z.string(), z.number()),
});

export const metricsSchema = z.record(z.string(), z.number());

/** A registered model without its artifact, which can be megabytes of trees. */
export interface ModelSummary {
  id: number;
  kind: ModelKind;
  version: number;
  status: ModelStatus;
  createdAt: number;
  promotedAt: number | null;
  retiredAt: number | null;
  window: DayWindow;
  /** The artifact's metrics plus the held-out errors measured by the promotion gate. */
  metrics: Record<string, number>;
  note: string | null;
}

export interface ModelRecord extends ModelSummary {
  artifact: ModelArtifact;
}

export interface NewModel {
  artifact: ModelArtifact;
  /** "candidate" unless the gate already rejected it. */
  status?: "candidate" | "rejected";
  /** Extra metrics merged over the artifact's own, such as held-out errors. */
  metrics?: Readonly<Record<string, number>>;
  note?: string | null;
  /** Epoch milliseconds; now by default. */
  createdAt?: number;
}

export const DRIFT_ACTIONS = ["none", "retrain_queued", "retrained"] as const;
export type DriftAction = (typeof DRIFT_ACTIONS)[number];

/** One drift check of the live model of a kind. */
export interface DriftRecord {
  id: number;
  kind: ModelKind;
  /** The live model the check compared against. */
  modelId: number | null;
  checkedAt: number;
  window: DayWindow;
  /** Labels the observed error was measured on. */
  n: number;
  /** Observed error between suggestions and confirmed values in the window. */
  error: number;
  /** The live model's held-out error when it was promoted. */
  baselineError: number;
  drifted: boolean;
  action: DriftAction;
}

export type NewDrift = Omit<DriftRecord, "id">;
