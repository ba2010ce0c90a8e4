import type { ActivityKind, ActivityRecord } from "../domain/types.js";
import { fitConfidence, type ConfidenceModel } from "./confidence.js";
import type { ActivityLinker } from "./learned-linker.js";
import { DEFAULT_LINKER_OPTIONS, Linker, type LinkerOptions, type LinkingInput } from "./linker.js";

export interface LinkingMetrics {
  /** Activities whose true issue is known (they name an issue that was imported). */
  n: number;
  hit_at_1: number;
  hit_at_3: number;
  mrr: number;
  /** Of the activities the linker linked (confidence at or above the threshold), the share linked to the true issue. */
  precision: number;
  /** Of all n activities, the share linked to the true issue. */
  recall: number;
  f1: number;
  threshold: number;
  linked: number;
  /** Activities whose true issue was outside the candidate window (counted as misses). */
  truth_outside_window: number;
  mean_candidates: number;
  mask_keys: boolean;
  kinds: ActivityKind[];
}

export interface EvaluationResult {
  metrics: LinkingMetrics;
  /** Confidence coefficients fitted on this data, when asked for. */
  fitted?: ConfidenceModel;
}

export interface EvaluationOptions {
  maskKeys: boolean;
  kinds: ActivityKind[];
  linker?: Partial<LinkerOptions>;
  fitConfidence?: boolean;
  /** The linker to measure; the first-version rules when absent. */
  model?: ActivityLinker;
  /** Only activities that started at or after this instant are scored (the test side of a split by time). */
  from?: number;
  /** Only activities that started before this instant are scored. */
  to?: number;
  /** Activities left out of the score, such as ones the model trained on. */
  exclude?: (activity: ActivityRecord) => boolean;
}

/**
 * Rank every issue in the window for each activity whose true issue is known from
 * the key it names, with the keys hidden when `maskKeys` is set, and score the
 * rankings and the linked/unlinked decision.
 */
export function evaluateLinking(input: LinkingInput, options: EvaluationOptions): EvaluationResult {
  const linkerOptions = { ...DEFAULT_LINKER_OPTIONS, ...options.linker, maskKeys: options.maskKeys };
  const linker = options.model ?? new Linker(input, linkerOptions);
  const keys = new Map(input.issues.map((i) => [i.key, i.id]));

  let n = 0;
  let hit1 = 0;
  let hit3 = 0;
  let reciprocalRanks = 0;
  let linked = 0;
  let linkedCorrect = 0;
  let outside = 0;
  let candidates = 0;
  const samples: { top: number; second: number; correct: boolean }[] = [];

  for (const activity of input.activities) {
    if (!options.kinds.includes(activity.kind)) continue;
    if (options.from !== undefined && activity.startAt < options.from) continue;
    if (options.to !== undefined && activity.startAt >= options.to) continue;
    if (options.exclude?.(activity) === true) continue;
    const truth = new Set(activity.explicitKeys.flatMap((k) => (keys.has(k) ? [keys.get(k) ?? -1] : [])));
    if (truth.size === 0) continue;
    n += 1;

    const ranked = linker.rankIssues(activity, true);
    candidates += ranked.length;
    const rank = ranked.findIndex((c) => truth.has(c.issue.id));
    if (rank < 0) outside += 1;
    if (rank === 0) hit1 += 1;
    if (rank >= 0 && rank < 3) hit3 += 1;
    if (rank >= 0) reciprocalRanks += 1 / (rank + 1);

    const top = ranked[0]?.score ?? 0;
    const second = ranked[1]?.score ?? 0;
    samples.push({ top, second, correct: rank === 0 });
    if (ranked.length > 0 && linker.confidence(ranked) >= linker.threshold) {
      linked += 1;
      if (rank === 0) linkedCorrect += 1;
    }
  }

  const precision = linked === 0 ? 0 : linkedCorrect / linked;
  const recall = n === 0 ? 0 : linkedCorrect / n;
  const metrics: LinkingMetrics = {
    n,
    hit_at_1: ratio(hit1, n),
    hit_at_3: ratio(hit3, n),
    mrr: ratio(reciprocalRanks, n),
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
    threshold: linker.threshold,
    linked,
    truth_outside_window: outside,
    mean_candidates: ratio(candidates, n),
    mask_keys: options.maskKeys,
    kinds: options.kinds,
  };
  return options.fitConfidence === true ? { metrics, fitted: fitConfidence(samples) } : { metrics };
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : round(part / whole);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
