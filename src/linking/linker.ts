import { maskIssueKeys, projectOf } from "../domain/issue-keys.js";
import type { ActivityRecord, ActivityText, Evidence, IssueEventRecord, IssueRecord, LinkRecord } from "../domain/types.js";
import type { IssueText } from "../store/issue-repository.js";
import {
  DEFAULT_WEIGHTS,
  FEATURE_LABELS,
  FEATURE_NAMES,
  PersonActions,
  RepoProjectPrior,
  StatusTimeline,
  issueRecency,
  statusWeight,
  weightedScore,
  type CandidateFeatures,
  type ScoreWeights,
} from "./features.js";
import { confidenceOf, type ConfidenceModel, DEFAULT_CONFIDENCE } from "./confidence.js";
import type { ActivityLinker } from "./learned-linker.js";
import { TfIdfIndex } from "./tfidf.js";
import { tokenize, tokenizePaths } from "./tokens.js";

const DAY_MS = 86_400_000;
const EXPLICIT_CONFIDENCE = 0.99;
const MAX_RANKED_CONFIDENCE = 0.95;

export interface LinkerOptions {
  weights: ScoreWeights;
  confidence: ConfidenceModel;
  /** Below this confidence a ranked activity stays unlinked. */
  threshold: number;
  /** How many ranked candidates to keep per activity. */
  keep: number;
  /** Hide issue keys and Jira URLs from every activity's text and ignore explicit keys (evaluation). */
  maskKeys: boolean;
  /** Issues last updated or resolved more than this long before an activity are out of its window. */
  staleAfterMs: number;
}

export const DEFAULT_LINKER_OPTIONS: LinkerOptions = {
  weights: DEFAULT_WEIGHTS,
  confidence: DEFAULT_CONFIDENCE,
  threshold: 0.5,
  keep: 3,
  maskKeys: false,
  staleAfterMs: DAY_MS,
};

/** The linker's input. Its texts must already be scrubbed, as `loadLinkingInput` returns them. */
export interface LinkingInput {
  issues: readonly IssueRecord[];
  issueTexts: ReadonlyMap<number, IssueText>;
  events: readonly IssueEventRecord[];
  activities: readonly ActivityRecord[];
  activityTexts: ReadonlyMap<number, ActivityText>;
}

export interface RankedCandidate {
  issue: IssueRecord;
  score: number;
  features: CandidateFeatures;
}

/**
 * First-version linking. Explicit issue keys win; otherwise candidate issues in the
 * activity's time window are ranked by a weighted score of text similarity, the
 * person's relation to the issue, the issue's status then, its age, and the
 * repository's usual project.
 */
export class Linker implements ActivityLinker {
  private readonly options: LinkerOptions;
  private readonly index: TfIdfIndex;
  private readonly issueTokens = new Map<number, Set<string>>();
  private readonly issuesById = new Map<number, IssueRecord>();
  private readonly issuesByKey = new Map<string, IssueRecord>();
  private readonly projects = new Set<string>();
  private readonly statuses: StatusTimeline;
  private readonly actions = new PersonActions();
  private readonly repoPrior = new RepoProjectPrior();
  private readonly texts: ReadonlyMap<number, ActivityText>;
  private readonly boilerplate = new Set<string>();
  /** Query terms per activity id, boilerplate removed, computed once: ranking and the ranker's features both read them. */
  private readonly queryCache = new Map<number, string[]>();
  private readonly pathCache = new Map<number, string[]>();
  private readonly issueList: IssueRecord[];

  constructor(input: LinkingInput, options: Partial<LinkerOptions> = {}) {
    this.options = { ...DEFAULT_LINKER_OPTIONS, ...options };
    this.texts = input.activityTexts;
    const documents = new Map<number, string[]>();
    for (const issue of input.issues) {
      this.issuesById.set(issue.id, issue);
      this.issuesByKey.set(issue.key, issue);
      this.projects.add(issue.projectKey);
      const text = input.issueTexts.get(issue.id);
      const tokens = text
        ? [...tokenize(text.summary), ...tokenize(text.summary), ...tokenize(text.description), ...tokenize(text.comments)]
        : [];
      documents.set(issue.id, tokens);
      this.issueTokens.set(issue.id, new Set(tokens));
    }
    this.index = new TfIdfIndex(documents);
    this.issueList = [...this.issuesById.values()];
    const raw = input.activities.map((a) => this.rawQueryTokens(a));
    this.boilerplate = boilerplateTerms(raw);
    for (const [i, activity] of input.activities.entries()) {
      this.queryCache.set(activity.id, this.withoutBoilerplate(raw[i] ?? []));
    }
    this.statuses = new StatusTimeline(input.events);
    // Creation is left out: the "reported" feature already credits the reporter.
    for (const event of input.events) {
      if (event.personId !== null && event.kind !== "create") this.actions.add(event.personId, event.issueId, event.at);
    }
    if (!this.options.maskKeys) {
      for (const activity of input.activities) {
        if (activity.kind === "issue_action") continue;
        for (const key of activity.explicitKeys) {
          const issue = this.issuesByKey.get(key);
          if (!issue) continue;
          this.actions.add(activity.personId, issue.id, activity.startAt);
          const repo = activity.repo ?? activity.project;
          if (repo !== null) this.repoPrior.add(repo, issue.projectKey);
        }
      }
    }
  }

  /**
   * Returns the links of an activity that names issue keys. The list is empty when it
   * names a key of a known project whose issue was not imported, because ranking would
   * only guess wrong. Returns undefined when ranking should decide.
   */
  explicitLinks(activity: ActivityRecord): LinkRecord[] | undefined {
    if (this.options.maskKeys) return undefined;
    const explicit = activity.explicitKeys.flatMap((key) => {
      const issue = this.issuesByKey.get(key);
      return issue ? [issue] : [];
    });
    if (explicit.length > 0) {
      return explicit.map((issue, rank) => ({
        activityId: activity.id,
        issueId: issue.id,
        rank,
        score: 1,
        confidence: EXPLICIT_CONFIDENCE,
        method: "explicit",
        evidence: [{ kind: "explicit_key", detail: `names ${issue.key}`, activityId: activity.id }],
      }));
    }
    if (activity.explicitKeys.some((key) => this.projects.has(projectOf(key)))) return [];
    return undefined;
  }

  get threshold(): number {
    return this.options.threshold;
  }

  rankIssues(activity: ActivityRecord, exhaustive: boolean): RankedCandidate[] {
    return this.rank(activity, exhaustive);
  }

  /** Probability that the top candidate is right, from its score and lead. */
  confidence(ranked: readonly { score: number }[]): number {
    const top = ranked[0]?.score;
    if (top === undefined) return 0;
    return Math.min(MAX_RANKED_CONFIDENCE, confidenceOf(this.options.confidence, top, ranked[1]?.score ?? 0));
  }

  /** Links of one activity: its explicit keys, or its best ranked candidates when confident enough. */
  link(activity: ActivityRecord): LinkRecord[] {
    const explicit = this.explicitLinks(activity);
    if (explicit !== undefined) return explicit;
    const ranked = this.rank(activity);
    const top = ranked[0];
    if (!top) return [];
    // A ranked link never claims the certainty of a named key.
    const confidence = this.confidence(ranked);
    if (confidence < this.options.threshold) return [];
    return ranked.slice(0, this.options.keep).map((candidate, rank) => ({
      activityId: activity.id,
      issueId: candidate.issue.id,
      rank,
      score: candidate.score,
      confidence: rank === 0 ? confidence : confidence * (candidate.score / top.score) * 0.5,
      method: "ranked",
      evidence: this.explain(activity, candidate),
    }));
  }

  /**
   * Rank every candidate issue in the activity's window, best first. With `exhaustive`,
   * issues that share no term and no person relation are ranked too (evaluation ranks
   * all issues in the window).
   */
  rank(activity: ActivityRecord, exhaustive = false, limit = Number.POSITIVE_INFINITY): RankedCandidate[] {
    const similarities = this.index.similarities(this.queryTokens(activity));
    const personal = this.actions.recent(activity.personId, activity.startAt);
    const ranked: RankedCandidate[] = [];
    const consider = (issue: IssueRecord): void => {
      if (!this.inWindow(issue, activity.startAt)) return;
      const features: CandidateFeatures = {
        text: similarities.get(issue.id) ?? 0,
        assigned: issue.assigneeId === activity.personId ? 1 : 0,
        reported: issue.reporterId === activity.personId ? 1 : 0,
        personActions: personal.get(issue.id) ?? 0,
        recency: issueRecency(issue, activity.startAt),
        status: statusWeight(this.statuses.statusAt(issue.id, activity.startAt)),
        repoProject: this.repoPrior.share(activity, issue.projectKey),
      };
      ranked.push({ issue, features, score: weightedScore(features, this.options.weights) });
    };
    if (exhaustive) {
      for (const issue of this.issueList) consider(issue);
    } else {
      const candidateIds = new Set<number>([...similarities.keys(), ...personal.keys()]);
      for (const issue of this.issueList) if (issue.assigneeId === activity.personId) candidateIds.add(issue.id);
      for (const id of candidateIds) {
        const issue = this.issuesById.get(id);
        if (issue !== undefined) consider(issue);
      }
    }
    return bestFirst(ranked, limit);
  }

  /** Returns the activity's query terms, without boilerplate and with keys masked when evaluating. */
  queryTokensOf(activity: ActivityRecord): string[] {
    return this.queryTokens(activity);
  }

  /** Returns the terms of an issue's summary, description and comments. */
  issueTokensOf(issueId: number): ReadonlySet<string> {
    return this.issueTokens.get(issueId) ?? new Set();
  }

  /** Returns the activity's stored text. */
  textOf(activity: ActivityRecord): ActivityText {
    return this.texts.get(activity.id) ?? {};
  }

  /** Returns the activity's path terms alone, for the path-overlap feature. */
  pathTokensOf(activity: ActivityRecord): string[] {
    const cached = this.pathCache.get(activity.id);
    if (cached !== undefined) return cached;
    const paths = this.texts.get(activity.id)?.paths;
    const tokens = paths === undefined ? [] : tokenizePaths(this.options.maskKeys ? maskIssueKeys(paths) : paths);
    this.pathCache.set(activity.id, tokens);
    return tokens;
  }

  private inWindow(issue: IssueRecord, at: number): boolean {
    if (issue.createdAt > at) return false;
    const staleBefore = at - this.options.staleAfterMs;
    if (issue.updatedAt !== null && issue.updatedAt < staleBefore) return false;
    if (issue.resolvedAt !== null && issue.resolvedAt < staleBefore) return false;
    return true;
  }

  private queryTokens(activity: ActivityRecord): string[] {
    const cached = this.queryCache.get(activity.id);
    if (cached !== undefined) return cached;
    const tokens = this.withoutBoilerplate(this.rawQueryTokens(activity));
    this.queryCache.set(activity.id, tokens);
    return tokens;
  }

  private withoutBoilerplate(tokens: string[]): string[] {
    return this.boilerplate.size === 0 ? tokens : tokens.filter((t) => !this.boilerplate.has(t));
  }

  private rawQueryTokens(activity: ActivityRecord): string[] {
    const text = this.texts.get(activity.id) ?? {};
    const prepare = (value: string | undefined): string => {
      if (value === undefined) return "";
      return this.options.maskKeys ? maskIssueKeys(value) : value;
    };
    return [
      ...tokenize(prepare(text.title)),
      ...tokenize(prepare(text.body)),
      ...tokenize(prepare(text.branch)),
      ...tokenizePaths(prepare(text.paths)),
    ];
  }

  private explain(activity: ActivityRecord, candidate: RankedCandidate): Evidence[] {
    const contributions = FEATURE_NAMES.map((name) => ({ name, value: candidate.features[name] * this.options.weights[name] }))
      .filter((c) => c.value > 0)
      .sort((a, b) => b.value - a.value)
      .slice(0, 3);
    return contributions.map(({ name, value }) => {
      let detail = FEATURE_LABELS[name];
      if (name === "text") {
        const terms = this.index.topSharedTerms(this.queryTokens(activity), this.issueTokens.get(candidate.issue.id) ?? new Set(), 3);
        detail = `${detail}: shares "${terms.join('", "')}" with ${candidate.issue.key}`;
      }
      return { kind: `feature:${name}`, detail, activityId: activity.id, weight: Math.round(value * 1000) / 1000 };
    });
  }
}

/** Ties go to the newer issue, then to the lower id, so rankings are reproducible. */
function compareCandidates(a: RankedCandidate, b: RankedCandidate): number {
  return b.score - a.score || b.issue.createdAt - a.issue.createdAt || a.issue.id - b.issue.id;
}

/**
 * Returns the best `limit` candidates in order. When only a few of many are wanted, a
 * bounded insertion keeps them without sorting the rest, because the ranker takes
 * the best 100 of every issue in the window for each activity.
 */
function bestFirst(candidates: RankedCandidate[], limit: number): RankedCandidate[] {
  if (candidates.length <= limit * 4) return candidates.sort(compareCandidates).slice(0, limit);
  const best: RankedCandidate[] = [];
  for (const candidate of candidates) {
    const last = best[best.length - 1];
    if (best.length === limit && last !== undefined && compareCandidates(candidate, last) >= 0) continue;
    let at = best.length;
    while (at > 0 && compareCandidates(candidate, best[at - 1] as RankedCandidate) < 0) at -= 1;
    best.splice(at, 0, candidate);
    if (best.length > limit) best.pop();
  }
  return best;
}

/** Share of activities a term may appear in before it counts as boilerplate, such as a line every commit message carries. */
const BOILERPLATE_SHARE = 0.2;
/** Below this many activities the shares are too noisy to call anything boilerplate. */
const BOILERPLATE_MIN_ACTIVITIES = 50;

/**
 * Terms in more than a fifth of all activities' texts: tool-added trailers
 * ("git-svn-id: https://svn.apache.org/..."), sign-offs and the project's own name.
 * They match every issue a little and so only add noise to the ranking.
 */
function boilerplateTerms(documents: readonly string[][]): Set<string> {
  const terms = new Set<string>();
  if (documents.length < BOILERPLATE_MIN_ACTIVITIES) return terms;
  const frequency = new Map<string, number>();
  for (const tokens of documents) for (const t of new Set(tokens)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  for (const [term, count] of frequency) if (count / documents.length > BOILERPLATE_SHARE) terms.add(term);
  return terms;
}
