import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import { GbdtModel } from "../ml/gbdt.js";
import { TIME_FEATURE_NAMES, TIME_FEATURE_WORDS, type TimeFeatureName, type TimeFeatureRow } from "./time-features.js";

/**
 * `version` of a time model artifact before it is registered. The registry replaces
 * it with the registry version, so a reader accepts any whole number there and checks
 * the format by the fields and the feature names.
 */
export const TIME_ARTIFACT_VERSION = 1;

/**
 * Target of the trees: seconds directly, or the ratio of the true seconds to the
 * rule-based seconds (then a ticket the rules give 0 seconds is estimated at 0).
 */
export type TimeTarget = "seconds" | "ratio";

/** A trained time model as saved: everything needed to predict and to explain, in JSON. */
export interface TimeModelArtifact {
  kind: "time";
  /** The registry version once registered, else `TIME_ARTIFACT_VERSION`. */
  version: number;
  target: TimeTarget;
  featureNames: string[];
  /** XGBoost's JSON model, parsed. */
  model: unknown;
  /**
   * The 10 % and 90 % quantiles of held-out residuals (label minus prediction, in
   * seconds). A prediction's interval is the prediction plus each of them (split
   * conformal prediction), so about 80 % of labels fall inside.
   */
  interval: { low: number; high: number };
  /** ISO 8601 instant, as in every registered artifact. */
  trainedAt: string;
  /** First and last day of the training rows. */
  window: { from: string; to: string };
  /**
   * Mean absolute errors on the held-out rows, in seconds, of the model trained on the
   * `n_train` earlier rows and of the rule-based seconds. When `n_refit` is set, the
   * saved trees were trained again on all `n_refit` rows, held-out ones included, so
   * these errors estimate that model's error rather than measure it.
   */
  metrics: { mae_seconds: number; n_train: number; n_test: number; baseline_mae_seconds: number; n_refit?: number };
}

const artifactSchema = z.object({
  kind: z.literal("time"),
  version: z.number().int().nonnegative(),
  target: z.enum(["seconds", "ratio"]),
  featureNames: z.array(z.string()),
  model: z.unknown(),
  interval: z.object({ low: z.number(), high: z.number() }),
  trainedAt: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  metrics: z.object({ mae_seconds: z.number(), n_train: z.number().int(), n_test: z.number().int(), baseline_mae_seconds: z.number(), n_refit: z.number().int().optional() }),
});

export interface FeatureContribution {
  feature: TimeFeatureName;
  /** The feature in words, such as "IDE minutes". */
  words: string;
  /** How far the feature moved this estimate, in seconds (negative lowers it). */
  seconds: number;
}

export interface TimeEstimate {
  /** The model's estimate before the capacity policy, at least 0. */
  seconds: number;
  /** Interval from the held-out residual quantiles, clipped at 0. */
  low: number;
  high: number;
  /** The three features that moved the estimate most, largest first. */
  contributions: FeatureContribution[];
}

/** The learned time model: gradient-boosted trees over `TIME_FEATURE_NAMES`, with a conformal interval. */
export class TimeModel {
  private constructor(
    readonly artifact: TimeModelArtifact,
    private readonly trees: GbdtModel,
  ) {}

  /**
   * Check and load an artifact, from its JSON text or the parsed object. Throws
   * INVALID_INPUT when it is not a time model artifact or was trained
   * on other features.
   */
  static fromArtifact(input: unknown, source = "time model artifact"): TimeModel {
    let json: unknown = input;
    if (typeof input === "string") {
      try {
        json = JSON.parse(input);
      } catch (error) {
        throw new WorklensError("INVALID_INPUT", `${source}: not valid JSON`, "pass the JSON file that training wrote", { cause: error });
      }
    }
    const parsed = artifactSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new WorklensError("INVALID_INPUT", `${source}: field ${issue?.path.join(".") ?? "?"} is invalid: ${issue?.message ?? "?"}`, "pass a time model artifact that worklens training wrote, or train a new one");
    }
    const { n_refit: refitRows, ...metrics } = parsed.data.metrics;
    const artifact: TimeModelArtifact = { ...parsed.data, model: parsed.data.model, metrics: { ...metrics, ...(refitRows === undefined ? {} : { n_refit: refitRows }) } };
    if (artifact.featureNames.join(",") !== TIME_FEATURE_NAMES.join(",")) {
      throw new WorklensError("INVALID_INPUT", `${source}: trained on features [${artifact.featureNames.join(", ")}], which differ from this version's time features`, "train a new time model with this version of worklens");
    }
    let trees: GbdtModel;
    try {
      trees = GbdtModel.fromJson(artifact.model);
    } catch (error) {
      throw new WorklensError("INVALID_INPUT", `${source}: field model is not an XGBoost JSON model: ${error instanceof Error ? error.message : String(error)}`, "train a new time model", { cause: error });
    }
    return new TimeModel(artifact, trees);
  }

  /** Estimate one ticket's seconds on one person-day, with its interval and top contributing features. */
  predict(row: Pick<TimeFeatureRow, "values" | "deterministicSeconds">): TimeEstimate {
    if (row.values.length !== TIME_FEATURE_NAMES.length) {
      throw new WorklensError("INTERNAL", `time feature row has ${String(row.values.length)} values, expected ${String(TIME_FEATURE_NAMES.length)}`, "build rows with TimeFeatureIndex");
    }
    const scale = this.artifact.target === "ratio" ? row.deterministicSeconds : 1;
    const raw = this.trees.predict(row.values) * scale;
    const seconds = Math.max(0, raw);
    const { values } = this.trees.contributions(row.values);
    const contributions = TIME_FEATURE_NAMES.map((feature, i) => ({ feature, words: TIME_FEATURE_WORDS[feature], seconds: (values[i] ?? 0) * scale }))
      .filter((c) => c.seconds !== 0)
      .sort((a, b) => Math.abs(b.seconds) - Math.abs(a.seconds))
      .slice(0, 3);
    return {
      seconds,
      low: Math.max(0, raw + this.artifact.interval.low),
      high: Math.max(0, raw + this.artifact.interval.high),
      contributions,
    };
  }
}

/** Format a duration for people, rounded to the minute: "1 h 20 min", "55 min", "2 h". */
export function formatDuration(seconds: number): string {
  const minutes = Math.max(0, Math.round(seconds / 60));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${String(rest)} min`;
  return rest === 0 ? `${String(hours)} h` : `${String(hours)} h ${String(rest)} min`;
}
