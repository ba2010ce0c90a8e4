import { createHash } from "node:crypto";
import type { ActivityRecord, IssueRecord } from "../domain/types.js";
import { sparseCosine, sparseOf, type TextEmbedder } from "./embedding.js";
import type { IssueText } from "../store/issue-repository.js";
import type { Linker, RankedCandidate } from "./linker.js";
import { issueEmbeddingTokens } from "./embedding-texts.js";

const DAY_MS = 86_400_000;

/**
 * The learned ranker's features, in column order. docs/models.md defines each one.
 * Changing the list changes the meaning of every saved model, so models record it
 * and refuse to load against another list.
 */
export const RANKER_FEATURES = [
  "text",
  "text_rank_inverse",
  "text_ratio_to_best",
  "text_gap_to_next",
  "embedding",
  "embedding_rank_inverse",
  "embedding_ratio_to_best",
  "summary_embedding",
  "summary_overlap",
  "path_overlap",
  "issue_names_revision",
  "assigned",
  "reported",
  "person_actions",
  "status",
  "repo_project",
  "age_days_log",
  "resolved_after_days",
  "updated_after_days",
  "is_subtask",
  "priority",
  "type_bug",
  "type_feature",
  "type_improvement",
  "type_task",
  "candidates_log",
] as const;
export type RankerFeature = (typeof RANKER_FEATURES)[number];

/** Column of each feature in a row. */
const COLUMN = Object.fromEntries(RANKER_FEATURES.map((name, column) => [name, column])) as Record<RankerFeature, number>;

/** Words for explanations. */
export const RANKER_FEATURE_LABELS: Record<RankerFeature, string> = {
  text: "shared terms (TF-IDF)",
  text_rank_inverse: "best shared-term match among candidates",
  text_ratio_to_best: "shared terms close to the best candidate's",
  text_gap_to_next: "shared-term lead over the next candidate",
  embedding: "similar wording (character n-grams)",
  embedding_rank_inverse: "most similar wording among candidates",
  embedding_ratio_to_best: "wording close to the best candidate's",
  summary_embedding: "wording similar to the issue summary",
  summary_overlap: "summary terms present in the activity",
  path_overlap: "file names match the issue text",
  issue_names_revision: "issue text names this commit's revision",
  assigned: "assigned to the person",
  reported: "reported by the person",
  person_actions: "person acted on the issue recently",
  status: "issue in progress at the time",
  repo_project: "repository usually works on this project",
  age_days_log: "issue age",
  resolved_after_days: "issue resolved soon after",
  updated_after_days: "issue updated soon after",
  is_subtask: "sub-task",
  priority: "issue priority",
  type_bug: "issue type bug",
  type_feature: "issue type new feature",
  type_improvement: "issue type improvement",
  type_task: "issue type task",
  candidates_log: "number of candidate issues",
};

const PRIORITY: Record<string, number> = { blocker: 5, highest: 5, critical: 4, high: 4, major: 3, medium: 3, minor: 2, low: 2, trivial: 1, lowest: 1 };

export interface CandidateRows {
  candidates: RankedCandidate[];
  /** Row-major, `candidates.length` rows of `RANKER_FEATURES.length` columns. */
  rows: Float32Array;
}

interface IssueEntry {
  /** SHA-256 of the texts the entry was computed from. */
  digest: string;
  vector: Float32Array;
  summaryVector: Float32Array;
  summaryTokens: Set<string>;
  revisions: Set<string>;
}

/**
 * Issue embeddings per embedder, reused while an issue's text is unchanged, so that
 * the refresh after each burst of heartbeats does not embed every issue again.
 * Keyed weakly by the embedder, which `tenantEmbedder` keeps one of per key.
 */
const ISSUE_CACHE = new WeakMap<TextEmbedder, Map<number, IssueEntry>>();

function issueEntry(embedder: TextEmbedder, text: IssueText, digest: string): IssueEntry {
  const { all, summary } = issueEmbeddingTokens(text);
  return {
    digest,
    vector: embedder.embed(all),
    summaryVector: embedder.embed(summary),
    summaryTokens: new Set(summary),
    revisions: revisionsNamedIn(`${text.description}\n${text.comments}`),
  };
}

/**
 * Computes the ranker's feature rows for an activity's candidates. The rule-based
 * linker supplies the candidates (its best `maxCandidates` by rule score) and the
 * base features. This class adds embeddings, issue attributes and features that
 * compare a candidate with the others.
 */
export class RankerFeatureBuilder {
  /** Per issue, its embeddings, terms, revisions and the columns that depend on the issue alone. */
  private readonly issueData = new Map<number, IssueEntry & { columns: IssueColumns }>();
  private readonly zero: Float32Array;

  constructor(
    private readonly linker: Linker,
    private readonly embedder: TextEmbedder,
    issues: readonly IssueRecord[],
    issueTexts: ReadonlyMap<number, IssueText>,
    private readonly maxCandidates: number,
  ) {
    let cache = ISSUE_CACHE.get(embedder);
    if (cache === undefined) {
      cache = new Map();
      ISSUE_CACHE.set(embedder, cache);
    }
    for (const issue of issues) {
      const text = issueTexts.get(issue.id) ?? { summary: "", description: "", comments: "" };
      const digest = createHash("sha256").update(text.summary).update("\u0000").update(text.description).update("\u0000").update(text.comments).digest("base64");
      let entry = cache.get(issue.id);
      if (entry?.digest !== digest) {
        entry = issueEntry(embedder, text, digest);
        cache.set(issue.id, entry);
      }
      this.issueData.set(issue.id, { ...entry, columns: issueColumnsOf(issue) });
    }
    this.zero = new Float32Array(embedder.dimensions);
  }

  build(activity: ActivityRecord): CandidateRows {
    const candidates = this.linker.rank(activity, true, this.maxCandidates);
    const width = RANKER_FEATURES.length;
    const rows = new Float32Array(candidates.length * width);
    if (candidates.length === 0) return { candidates, rows };

    const query = this.linker.queryTokensOf(activity);
    const queryVector = sparseOf(this.embedder.embed(query));
    const querySet = new Set(query);
    const paths = new Set(this.linker.pathTokensOf(activity));
    const revision = commitRevision(this.linker.textOf(activity).body);
    const data = candidates.map((c) => this.issueData.get(c.issue.id));
    const embeddings = data.map((d) => sparseCosine(queryVector, d?.vector ?? this.zero));
    const texts = candidates.map((c) => c.features.text);
    const textRanks = ranksOf(texts);
    const embeddingRanks = ranksOf(embeddings);
    const bestText = Math.max(...texts);
    const [firstText = 0, secondText = 0] = [...texts].sort((a, b) => b - a);
    const bestEmbedding = Math.max(...embeddings);
    const candidatesLog = Math.log1p(candidates.length);

    for (const [i, candidate] of candidates.entries()) {
      const issue = candidate.issue;
      const f = candidate.features;
      // The best score among the other candidates: the runner-up's for the leader, the leader's for the rest.
      const otherBest = Math.max(0, f.text === firstText ? secondText : firstText);
      const entry = data[i];
      const summary = entry?.summaryTokens ?? new Set<string>();
      const fixed = entry?.columns ?? issueColumnsOf(issue);
      const embedding = embeddings[i] ?? 0;
      const at = i * width;
      rows[at + COLUMN.text] = f.text;
      rows[at + COLUMN.text_rank_inverse] = 1 / (textRanks[i] ?? 1);
      rows[at + COLUMN.text_ratio_to_best] = bestText > 0 ? f.text / bestText : 0;
      rows[at + COLUMN.text_gap_to_next] = f.text - otherBest;
      rows[at + COLUMN.embedding] = embedding;
      rows[at + COLUMN.embedding_rank_inverse] = 1 / (embeddingRanks[i] ?? 1);
      rows[at + COLUMN.embedding_ratio_to_best] = bestEmbedding > 0 ? embedding / bestEmbedding : 0;
      rows[at + COLUMN.summary_embedding] = sparseCosine(queryVector, entry?.summaryVector ?? this.zero);
      rows[at + COLUMN.summary_overlap] = overlap(summary, querySet);
      rows[at + COLUMN.path_overlap] = paths.size === 0 ? Number.NaN : overlap(paths, this.linker.issueTokensOf(issue.id));
      rows[at + COLUMN.issue_names_revision] = revision === undefined ? 0 : (entry?.revisions.has(revision) ?? false) ? 1 : 0;
      rows[at + COLUMN.assigned] = f.assigned;
      rows[at + COLUMN.reported] = f.reported;
      rows[at + COLUMN.person_actions] = f.personActions;
      rows[at + COLUMN.status] = f.status;
      rows[at + COLUMN.repo_project] = f.repoProject;
      rows[at + COLUMN.age_days_log] = Math.log1p(Math.max(0, activity.startAt - issue.createdAt) / DAY_MS);
      rows[at + COLUMN.resolved_after_days] = issue.resolvedAt === null ? Number.NaN : signedLog((issue.resolvedAt - activity.startAt) / DAY_MS);
      rows[at + COLUMN.updated_after_days] = issue.updatedAt === null ? Number.NaN : signedLog((issue.updatedAt - activity.startAt) / DAY_MS);
      rows[at + COLUMN.is_subtask] = fixed.isSubtask;
      rows[at + COLUMN.priority] = fixed.priority;
      rows[at + COLUMN.type_bug] = fixed.typeBug;
      rows[at + COLUMN.type_feature] = fixed.typeFeature;
      rows[at + COLUMN.type_improvement] = fixed.typeImprovement;
      rows[at + COLUMN.type_task] = fixed.typeTask;
      rows[at + COLUMN.candidates_log] = candidatesLog;
    }
    return { candidates, rows };
  }
}

/** The columns that depend on the issue alone. */
interface IssueColumns {
  isSubtask: number;
  priority: number;
  typeBug: number;
  typeFeature: number;
  typeImprovement: number;
  typeTask: number;
}

function issueColumnsOf(issue: IssueRecord): IssueColumns {
  return {
    isSubtask: issue.isSubtask ? 1 : 0,
    priority: PRIORITY[(issue.priority ?? "").toLowerCase()] ?? Number.NaN,
    typeBug: typeIs(issue, /bug|defect/),
    typeFeature: typeIs(issue, /feature|story|epic/),
    typeImprovement: typeIs(issue, /improvement|enhancement/),
    typeTask: typeIs(issue, /task/),
  };
}

/**
 * Subversion revisions an issue's text names, as committers wrote when closing an
 * issue ("Committed revision 1234567", "fixed in r1234567").
 */
function revisionsNamedIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(/\b(?:revision|rev\.?|r)\s*:?\s*(\d{4,8})\b/gi)) if (match[1] !== undefined) found.add(match[1]);
  return found;
}

/** Reads the Subversion revision of a commit mirrored by git-svn from its "git-svn-id: URL@REVISION UUID" trailer. */
function commitRevision(body: string | undefined): string | undefined {
  return body === undefined ? undefined : /git-svn-id:\s*\S+@(\d+)\s/.exec(body)?.[1];
}

/** 1-based rank of each value, highest first; ties share the better rank. */
function ranksOf(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => b - a);
  return values.map((v) => 1 + firstIndexAtMost(sorted, v));
}

/** Index of the first entry of a descending array that is at most `value` (binary search). */
function firstIndexAtMost(descending: readonly number[], value: number): number {
  let low = 0;
  let high = descending.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((descending[middle] ?? 0) > value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Share of `part`'s terms found in `whole`. */
function overlap(part: ReadonlySet<string>, whole: ReadonlySet<string>): number {
  if (part.size === 0) return 0;
  let found = 0;
  for (const term of part) if (whole.has(term)) found += 1;
  return found / part.size;
}

function signedLog(days: number): number {
  return Math.sign(days) * Math.log1p(Math.abs(days));
}

function typeIs(issue: IssueRecord, pattern: RegExp): number {
  return issue.issueType !== null && pattern.test(issue.issueType.toLowerCase()) ? 1 : 0;
}
