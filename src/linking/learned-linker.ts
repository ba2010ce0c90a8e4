import { WorklensError } from "../domain/errors.js";
import type { ActivityRecord, Evidence, IssueRecord, LinkRecord } from "../domain/types.js";
import { GbdtModel } from "../ml/gbdt.js";
import { confidenceOf, type ConfidenceModel } from "./confidence.js";
import type { TextEmbedder } from "./embedding.js";
import { Linker, type LinkerOptions, type LinkingInput, type RankedCandidate } from "./linker.js";
import { RANKER_FEATURES, RANKER_FEATURE_LABELS, RankerFeatureBuilder, type RankerFeature } from "./ranker-features.js";

/** A trained linking ranker as saved in the registry and in `models/`. */
export interface LinkingArtifact {
  kind: "linking";
  version: number;
  featureNames: string[];
  /** The embedding the model was trained with, such as "hashing-2048"; the key is the tenant's. */
  embedding: string;
  /** Candidates per activity: the best this many by the rule score. */
  maxCandidates: number;
  /** Issues last updated or resolved more than this long before an activity are not candidates. */
  staleAfterMs: number;
  /** XGBoost JSON model. */
  model: unknown;
  /** Maps the top candidate's margin and its lead over the next to a probability of being right. */
  calibration: ConfidenceModel;
  /** Below this confidence an activity stays unlinked. */
  threshold: number;
  trainedAt: string;
  window: { from: string; to: string };
  metrics: Record<string, number>;
}

export interface ScoredCandidate {
  issue: IssueRecord;
  score: number;
  row: Float32Array;
}

/** Linking by issue key and ranking, shared by the rules and the learned ranker so evaluation can take either. */
export interface ActivityLinker {
  link(activity: ActivityRecord): LinkRecord[];
  /** Candidates best first, with every issue in the window when `exhaustive` (evaluation). */
  rankIssues(activity: ActivityRecord, exhaustive: boolean): { issue: IssueRecord; score: number }[];
  /** Probability that the top candidate is right. */
  confidence(ranked: readonly { score: number }[]): number;
  readonly threshold: number;
}

const MAX_RANKED_CONFIDENCE = 0.95;

/**
 * Linking scores every candidate with the first trees only, then finishes the best
 * few. Most of an activity's hundred candidates are far behind after a sixth of the
 * trees, and the full scores of the finished ones are exactly the model's margins.
 * On Nutch and on the simulator the best candidate was the same as with every tree
 * for at least 99.9 % of activities (docs/evaluation.md, "Linking speed").
 */
const CASCADE = { firstTrees: 50, keep: 20 };

/**
 * Model 1. Explicit keys link first, as in the rules. Otherwise the rules propose
 * candidates, and a gradient-boosted model trained on the tenant's own activities
 * re-ranks them. The confidence is calibrated on held-out activities.
 */
export class LearnedLinker implements ActivityLinker {
  readonly threshold: number;
  private readonly rules: Linker;
  private readonly features: RankerFeatureBuilder;
  private readonly model: GbdtModel;

  constructor(
    input: LinkingInput,
    private readonly artifact: LinkingArtifact,
    embedder: TextEmbedder,
    options: Partial<LinkerOptions> = {},
  ) {
    if (artifact.featureNames.join(",") !== RANKER_FEATURES.join(",")) {
      throw new WorklensError("INVALID_INPUT", `linking model version ${String(artifact.version)} was trained on other features than this worklens computes`, "retrain it with `worklens train --kind linking`, or roll back to an earlier model");
    }
    if (artifact.embedding !== embedder.name) {
      throw new WorklensError("INVALID_INPUT", `linking model version ${String(artifact.version)} expects the ${artifact.embedding} embedding, not ${embedder.name}`, "retrain it with `worklens train --kind linking`");
    }
    this.threshold = options.threshold ?? artifact.threshold;
    this.rules = new Linker(input, { ...options, staleAfterMs: artifact.staleAfterMs });
    this.features = new RankerFeatureBuilder(this.rules, embedder, input.issues, input.issueTexts, artifact.maxCandidates);
    this.model = GbdtModel.fromJson(artifact.model);
  }

  /** The wrapped rules, for explicit keys. */
  get ruleLinker(): Linker {
    return this.rules;
  }

  link(activity: ActivityRecord): LinkRecord[] {
    const explicit = this.rules.explicitLinks(activity);
    if (explicit !== undefined) return explicit;
    const ranked = this.score(activity, true);
    const top = ranked[0];
    if (!top) return [];
    const confidence = this.confidence(ranked);
    if (confidence < this.threshold) return [];
    return ranked.slice(0, 3).map((candidate, rank) => ({
      activityId: activity.id,
      issueId: candidate.issue.id,
      rank,
      score: candidate.score,
      confidence: rank === 0 ? confidence : confidence * Math.exp(candidate.score - top.score) * 0.5,
      method: "ranked",
      evidence: this.explain(activity, candidate),
    }));
  }

  rankIssues(activity: ActivityRecord): ScoredCandidate[] {
    return this.score(activity);
  }

  confidence(ranked: readonly { score: number }[]): number {
    const top = ranked[0]?.score;
    if (top === undefined) return 0;
    return Math.min(MAX_RANKED_CONFIDENCE, confidenceOf(this.artifact.calibration, top, ranked[1]?.score ?? top - 10));
  }

  /**
   * Candidates with the model's margin as score, best first. With `cascade`, only the
   * candidates that lead after the first trees are returned, with their full margins.
   */
  score(activity: ActivityRecord, cascade = false): ScoredCandidate[] {
    const { candidates, rows } = this.features.build(activity);
    const width = RANKER_FEATURES.length;
    const model = this.model;
    const trees = model.treeCount;
    const staged = cascade && candidates.length > CASCADE.keep && trees > CASCADE.firstTrees;
    const split = staged ? CASCADE.firstTrees : trees;
    const sums = new Float64Array(candidates.length).fill(model.bias);
    model.addTrees(rows, width, sums, 0, split);
    let order = candidates.map((_, i) => i);
    if (staged) {
      order = bestOf(order, candidates, sums).slice(0, CASCADE.keep);
      model.addTrees(rows, width, sums, split, trees, Int32Array.from(order));
    }
    return bestOf(order, candidates, sums).map((i) => ({
      issue: (candidates[i] as RankedCandidate).issue,
      score: sums[i] as number,
      row: rows.subarray(i * width, (i + 1) * width),
    }));
  }

  /** Lists the three features that raised this candidate's score most, as evidence. */
  private explain(activity: ActivityRecord, candidate: ScoredCandidate): Evidence[] {
    const { values } = this.model.contributions(candidate.row);
    return RANKER_FEATURES.map((name: RankerFeature, i) => ({ name, value: values[i] ?? 0 }))
      .filter((c) => c.value > 0)
      .sort((a, b) => b.value - a.value)
      .slice(0, 3)
      .map(({ name, value }) => ({
        kind: `feature:${name}`,
        detail: `${RANKER_FEATURE_LABELS[name]} (${candidate.issue.key})`,
        activityId: activity.id,
        weight: Math.round(value * 1000) / 1000,
      }));
  }
}

/** Candidate indices by score, best first; ties go to the newer issue, then to the lower id, so rankings are reproducible. */
function bestOf(indices: number[], candidates: readonly RankedCandidate[], scores: Float64Array): number[] {
  const issue = (i: number): IssueRecord => (candidates[i] as RankedCandidate).issue;
  return indices.sort((a, b) => (scores[b] as number) - (scores[a] as number) || issue(b).createdAt - issue(a).createdAt || issue(a).id - issue(b).id);
}
