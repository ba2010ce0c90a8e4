import type { ActivityKind, ActivityRecord } from "../domain/types.js";
import type { Dataset, TrainParams, TrainingBackend } from "../ml/backend.js";
import { GbdtModel } from "../ml/gbdt.js";
import { fitConfidence } from "./confidence.js";
import type { TextEmbedder } from "./embedding.js";
import type { LinkingArtifact } from "./learned-linker.js";
import { Linker, type LinkingInput } from "./linker.js";
import { RANKER_FEATURES, RankerFeatureBuilder } from "./ranker-features.js";

/**
 * An activity with known labels. Self-supervised examples name their issue's key,
 * which is hidden when their features are computed. Feedback examples come from
 * people's reviews of ranked links (`LinkFeedback`). One with an empty `truth` is an
 * activity whose every reviewed issue was rejected, so none of its candidates is right.
 */
export interface LinkingExample {
  activity: ActivityRecord;
  /** Issues the activity was for; empty only for feedback that rejected every issue. */
  truth: ReadonlySet<number>;
  /** Issues known to be wrong; their rows are kept even beyond the best candidates. */
  wrong?: ReadonlySet<number> | undefined;
}

/** People's verdict on the issues that ranking linked one activity to, from their reviews. */
export interface LinkFeedback {
  activity: ActivityRecord;
  /** Issues the person confirmed time on for this activity. */
  right: ReadonlySet<number>;
  /** Issues the person rejected for this activity. With `right` empty, the activity is for no issue. */
  wrong: ReadonlySet<number>;
}

export interface RankerTrainingOptions {
  kinds: readonly ActivityKind[];
  /** Only examples that started before this instant train the model (a split by time). */
  before?: number | undefined;
  /** Only examples that started at or after this instant train the model. */
  after?: number | undefined;
  /** Activities never used for training, such as an evaluation set. */
  exclude?: ((activity: ActivityRecord) => boolean) | undefined;
  maxCandidates: number;
  staleAfterMs: number;
  params: TrainParams;
  /** Share of the latest examples held out to calibrate the confidence. */
  calibrationShare: number;
  threshold: number;
  version: number;
  now: Date;
  /**
   * Labels from reviews, already limited to the training window by the caller (a
   * review's day is in the person's zone, which the UTC bounds above would cut).
   * Activities that name an issue ignore their feedback: the key is the stronger label.
   */
  feedback?: readonly LinkFeedback[] | undefined;
}

export const DEFAULT_RANKER_PARAMS: TrainParams = {
  objective: "binary:logistic",
  rounds: 300,
  maxDepth: 5,
  eta: 0.08,
  minChildWeight: 3,
  subsample: 0.8,
  colsampleByTree: 0.8,
  lambda: 1,
  seed: 7,
  // One thread: on 2 shared cores OpenMP's extra threads made training several times slower.
  threads: 1,
};

/**
 * Training keeps each group's best this many candidates by rule score, plus the true
 * issue: the rest score near zero on every feature and only slow training down.
 */
const TRAINING_ROWS_PER_GROUP = 40;

export const DEFAULT_RANKER_TRAINING: Omit<RankerTrainingOptions, "now"> = {
  kinds: ["commit", "pull_request", "ide_session", "meeting", "focus"],
  maxCandidates: 100,
  staleAfterMs: 86_400_000,
  params: DEFAULT_RANKER_PARAMS,
  calibrationShare: 0.25,
  threshold: 0.5,
  version: 1,
};

/** Activities that name an imported issue, oldest first: the self-supervised labels. */
export function linkingExamples(input: LinkingInput, kinds: readonly ActivityKind[]): LinkingExample[] {
  const byKey = new Map(input.issues.map((i) => [i.key, i.id]));
  const examples: LinkingExample[] = [];
  for (const activity of input.activities) {
    if (!kinds.includes(activity.kind)) continue;
    const truth = new Set(activity.explicitKeys.flatMap((k) => (byKey.has(k) ? [byKey.get(k) ?? -1] : [])));
    if (truth.size > 0) examples.push({ activity, truth });
  }
  return examples.sort((a, b) => a.activity.startAt - b.activity.startAt || a.activity.id - b.activity.id);
}

/** Turns the feedback of activities that name no issue into examples. An activity with no right issue gets an empty truth. */
export function feedbackExamples(feedback: readonly LinkFeedback[], kinds: readonly ActivityKind[], selfSupervised: readonly LinkingExample[]): LinkingExample[] {
  const named = new Set(selfSupervised.map((e) => e.activity.id));
  return feedback
    .filter((f) => kinds.includes(f.activity.kind) && !named.has(f.activity.id) && (f.right.size > 0 || f.wrong.size > 0))
    .map((f) => ({ activity: f.activity, truth: f.right, wrong: f.wrong }));
}

/**
 * Feature rows of the examples' candidates, one query group per example whose true
 * issue is a candidate. An example with no true issue is a group of negatives only,
 * so the model learns to score all of that activity's candidates low and leave it unlinked.
 */
export function rankerDataset(builder: RankerFeatureBuilder, examples: readonly LinkingExample[]): { dataset: Dataset; dropped: number } {
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  const groups: number[] = [];
  let dropped = 0;
  for (const example of examples) {
    const { candidates, rows } = builder.build(example.activity);
    // Without the true issue among the candidates a group teaches nothing.
    if (candidates.length === 0 || (example.truth.size > 0 && !candidates.some((c) => example.truth.has(c.issue.id)))) {
      dropped += 1;
      continue;
    }
    const width = RANKER_FEATURES.length;
    let kept = 0;
    for (const [i, c] of candidates.entries()) {
      const positive = example.truth.has(c.issue.id);
      if (i >= TRAINING_ROWS_PER_GROUP && !positive && example.wrong?.has(c.issue.id) !== true) continue;
      chunks.push(rows.subarray(i * width, (i + 1) * width));
      labels.push(positive ? 1 : 0);
      kept += 1;
    }
    groups.push(kept);
  }
  const rows = new Float32Array(labels.length * RANKER_FEATURES.length);
  let offset = 0;
  for (const chunk of chunks) {
    rows.set(chunk, offset);
    offset += chunk.length;
  }
  return { dataset: { featureNames: RANKER_FEATURES, rows, labels: Float32Array.from(labels), groups }, dropped };
}

/**
 * Train model 1 on the activities that name their issue, with the keys hidden so the
 * model learns from everything else. The latest examples first calibrate the
 * confidence of a model trained without them; the final model then trains on all.
 */
export function trainRanker(input: LinkingInput, backend: TrainingBackend, embedder: TextEmbedder, options: RankerTrainingOptions): LinkingArtifact {
  const rules = new Linker(input, { maskKeys: true, staleAfterMs: options.staleAfterMs });
  const builder = new RankerFeatureBuilder(rules, embedder, input.issues, input.issueTexts, options.maxCandidates);
  const selfSupervised = linkingExamples(input, options.kinds).filter(
    (e) =>
      (options.before === undefined || e.activity.startAt < options.before) &&
      (options.after === undefined || e.activity.startAt >= options.after) &&
      options.exclude?.(e.activity) !== true,
  );
  const fromReviews = feedbackExamples(options.feedback ?? [], options.kinds, selfSupervised).filter((e) => options.exclude?.(e.activity) !== true);
  const examples = [...selfSupervised, ...fromReviews].sort((a, b) => a.activity.startAt - b.activity.startAt || a.activity.id - b.activity.id);
  const cut = Math.floor(examples.length * (1 - options.calibrationShare));
  const early = rankerDataset(builder, examples.slice(0, cut));
  const late = examples.slice(cut);

  const probe = GbdtModel.fromJson(backend.train(early.dataset, options.params));
  const samples = late.map((example) => {
    const { candidates, rows } = builder.build(example.activity);
    const width = RANKER_FEATURES.length;
    const scored = candidates
      .map((c, i) => ({ id: c.issue.id, score: probe.margin(rows.subarray(i * width, (i + 1) * width)) }))
      .sort((a, b) => b.score - a.score);
    const top = scored[0];
    return { top: top?.score ?? 0, second: scored[1]?.score ?? (top?.score ?? 0) - 10, correct: top !== undefined && example.truth.has(top.id) };
  });
  const calibration = fitConfidence(samples);

  const all = rankerDataset(builder, examples);
  const model = backend.train(all.dataset, options.params);
  const first = examples[0]?.activity.startAt;
  const last = examples.at(-1)?.activity.startAt;
  return {
    kind: "linking",
    version: options.version,
    featureNames: [...RANKER_FEATURES],
    embedding: embedder.name,
    maxCandidates: options.maxCandidates,
    staleAfterMs: options.staleAfterMs,
    model,
    calibration,
    threshold: options.threshold,
    trainedAt: options.now.toISOString(),
    window: { from: dayOf(first), to: dayOf(last) },
    metrics: {
      examples: examples.length,
      feedback_examples: fromReviews.length,
      feedback_without_issue: fromReviews.filter((e) => e.truth.size === 0).length,
      training_rows: all.dataset.labels.length,
      true_issue_not_a_candidate: all.dropped,
      calibration_examples: samples.length,
      calibration_hit_at_1: samples.length === 0 ? 0 : round(samples.filter((s) => s.correct).length / samples.length),
    },
  };
}

function dayOf(at: number | undefined): string {
  return at === undefined ? "" : new Date(at).toISOString().slice(0, 10);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
