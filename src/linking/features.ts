import type { ActivityRecord, IssueEventRecord, IssueRecord } from "../domain/types.js";

const DAY_MS = 86_400_000;

/** The features of one issue candidate for one activity, in the order explanations list ties. */
export const FEATURE_NAMES = ["text", "assigned", "reported", "personActions", "recency", "status", "repoProject"] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Feature values of one candidate; see docs/linking-and-allocation.md for each definition. */
export type CandidateFeatures = Record<FeatureName, number>;

/** Weights of the first-version link score. Text similarity carries the score; the rest break ties. */
export type ScoreWeights = Record<FeatureName, number>;

/**
 * Chosen on the Apache Nutch data (docs/evaluation.md): text similarity dominates, and
 * assignment and recency add about a tenth each. They are round values, not a fitted
 * optimum, because switching any one of them off moved Hit@1 by at most 2 points there.
 */
export const DEFAULT_WEIGHTS: ScoreWeights = {
  text: 1,
  assigned: 0.1,
  reported: 0.05,
  personActions: 0.15,
  recency: 0.1,
  status: 0.1,
  repoProject: 0.05,
};

export const FEATURE_LABELS: Record<FeatureName, string> = {
  text: "text similarity",
  assigned: "assigned to the person",
  reported: "reported by the person",
  personActions: "person acted on the issue recently",
  recency: "issue created recently",
  status: "issue in progress at the time",
  repoProject: "repository usually works on this project",
};

export function weightedScore(features: CandidateFeatures, weights: ScoreWeights): number {
  let score = 0;
  for (const name of FEATURE_NAMES) score += features[name] * weights[name];
  return score;
}

/** Recency of the issue at the time of the activity: 1 when new, 0.5 after 30 days. */
export function issueRecency(issue: IssueRecord, at: number): number {
  const ageDays = Math.max(0, (at - issue.createdAt) / DAY_MS);
  return 1 / (1 + ageDays / 30);
}

const IN_PROGRESS = /progress|review|develop|doing|testing|implement/i;
const DONE = /done|closed|resolved|complete|released|won'?t|cancel/i;

/** Status category of a status name: +1 in progress, -1 done, 0 to do or unknown. */
export function statusWeight(status: string | null | undefined): number {
  if (!status) return 0;
  if (DONE.test(status)) return -1;
  if (IN_PROGRESS.test(status)) return 1;
  return 0;
}

/**
 * Status timelines per issue from status-change events. Only events are trusted:
 * an issue's current status is no evidence of its past, so without events the
 * status at a past instant is unknown (weight 0).
 */
export class StatusTimeline {
  private readonly changes = new Map<number, IssueEventRecord[]>();

  constructor(events: readonly IssueEventRecord[]) {
    for (const event of events) {
      if (event.kind !== "status_change") continue;
      const list = this.changes.get(event.issueId) ?? [];
      list.push(event);
      this.changes.set(event.issueId, list);
    }
    for (const list of this.changes.values()) list.sort((a, b) => a.at - b.at);
  }

  statusAt(issueId: number, at: number): string | null {
    const list = this.changes.get(issueId);
    if (!list || list.length === 0) return null;
    let status: string | null = list[0]?.fromValue ?? null;
    for (const change of list) {
      if (change.at > at) break;
      status = change.toValue;
    }
    return status;
  }
}

/**
 * Actions of each person on issues, with their instants: Jira events by a known
 * person, and activities that named an issue explicitly.
 */
export class PersonActions {
  private readonly byPerson = new Map<number, { issueId: number; at: number }[]>();
  /** People whose list has had actions added since it was last sorted by time. */
  private readonly unsorted = new Set<number>();

  add(personId: number, issueId: number, at: number): void {
    const list = this.byPerson.get(personId) ?? [];
    list.push({ issueId, at });
    this.byPerson.set(personId, list);
    this.unsorted.add(personId);
  }

  /** Issues the person acted on in the `windowDays` before `at` (not at `at` itself), each with exp(-days/7) of the latest action. */
  recent(personId: number, at: number, windowDays = 14): Map<number, number> {
    const result = new Map<number, number>();
    const list = this.sortedActions(personId);
    // Only the actions inside the window are read, because a busy person has years of them.
    // They are read newest first, so the first action met on an issue gives its weight.
    const oldest = firstAtOrAfter(list, at - windowDays * DAY_MS);
    // Strictly before `at`: an activity's own explicit key must not count as evidence for itself.
    for (let i = firstAtOrAfter(list, at) - 1; i >= oldest; i--) {
      const action = list[i] as { issueId: number; at: number };
      if (!result.has(action.issueId)) result.set(action.issueId, Math.exp(-(at - action.at) / DAY_MS / 7));
    }
    return result;
  }

  private sortedActions(personId: number): readonly { issueId: number; at: number }[] {
    const list = this.byPerson.get(personId) ?? [];
    if (this.unsorted.delete(personId)) list.sort((a, b) => a.at - b.at);
    return list;
  }
}

/** Index of the first action at or after `at` in a list sorted by time. */
function firstAtOrAfter(list: readonly { at: number }[], at: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((list[middle]?.at ?? 0) < at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Share of a repository's explicitly linked activities that went to each project, with add-one smoothing. */
export class RepoProjectPrior {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly projects = new Set<string>();

  add(repo: string, project: string): void {
    const perRepo = this.counts.get(repo) ?? new Map<string, number>();
    perRepo.set(project, (perRepo.get(project) ?? 0) + 1);
    this.counts.set(repo, perRepo);
    this.projects.add(project);
  }

  share(activity: ActivityRecord, project: string): number {
    const key = activity.repo ?? activity.project;
    if (key === null || this.projects.size <= 1) return 0;
    const perRepo = this.counts.get(key);
    if (!perRepo) return 0;
    let total = 0;
    for (const n of perRepo.values()) total += n;
    return ((perRepo.get(project) ?? 0) + 1) / (total + this.projects.size);
  }
}
