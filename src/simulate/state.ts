import { createHash } from "node:crypto";
import type { Random } from "../bench/random.js";
import type {
  SimCalendarEvent,
  SimCommit,
  SimHeartbeat,
  SimIssue,
  SimOutOfOffice,
  SimPerson,
  SimPullRequest,
  StatusName,
  WorkInterval,
} from "./model.js";
import type { SimProject } from "./issues.js";

/** Share of tickets whose working branch names the key; the rest are worked on a branch without it. */
export const BRANCH_KEY_SHARE = 0.85;

/** A review waiting for its reviewer: seconds of true work, due from `day` on and not before the instant `readyAt`. */
export interface PendingReview {
  issueKey: string;
  day: string;
  /** Epoch ms at which the ticket went to In Review; a reviewer in a zone further east can reach the next day earlier. */
  readyAt: number;
  seconds: number;
}

/**
 * The team's mutable state while days are simulated: what is left of each ticket,
 * issue statuses, reviews waiting, and every fact produced so far.
 */
export class TeamState {
  readonly issueByKey: Map<string, SimIssue>;
  readonly projectByKey: Map<string, SimProject>;
  readonly remaining = new Map<string, number>();
  readonly status = new Map<string, StatusName>();
  readonly reviews = new Map<number, PendingReview[]>();

  readonly intervals: WorkInterval[] = [];
  readonly heartbeats: SimHeartbeat[] = [];
  readonly commits: SimCommit[] = [];
  readonly calendarEvents: SimCalendarEvent[] = [];
  readonly outOfOffice: SimOutOfOffice[] = [];
  readonly pullRequests: SimPullRequest[] = [];

  private readonly branches = new Map<string, string>();
  private readonly pullNumbers = new Map<string, number>();
  private commitCount = 0;

  constructor(
    readonly seed: number,
    readonly people: readonly SimPerson[],
    readonly issues: readonly SimIssue[],
    readonly queues: Map<number, SimIssue[]>,
    projects: readonly SimProject[],
  ) {
    this.issueByKey = new Map(issues.map((i) => [i.key, i]));
    this.projectByKey = new Map(projects.map((p) => [p.key, p]));
    for (const issue of issues) {
      this.remaining.set(issue.key, issue.effortSeconds);
      this.status.set(issue.key, "To Do");
    }
  }

  issue(key: string): SimIssue {
    const issue = this.issueByKey.get(key);
    if (issue === undefined) throw new RangeError(`no simulated issue ${key}`);
    return issue;
  }

  project(issue: SimIssue): SimProject {
    const project = this.projectByKey.get(issue.projectKey);
    if (project === undefined) throw new RangeError(`no simulated project ${issue.projectKey}`);
    return project;
  }

  /** Moves an issue to `to` at `at`, recording the transition in its changelog. */
  transition(issue: SimIssue, to: StatusName, at: number, by: number): void {
    const from = this.status.get(issue.key) ?? "To Do";
    issue.transitions.push({ at, by, from, to });
    this.status.set(issue.key, to);
  }

  /** Returns the branch a person works on an issue in, chosen once per person and issue. */
  branchFor(person: SimPerson, issue: SimIssue, random: Random): string {
    const id = `${person.index}|${issue.key}`;
    const known = this.branches.get(id);
    if (known !== undefined) return known;
    const slug = issue.summary.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    const branch = random.chance(BRANCH_KEY_SHARE) ? `feature/${issue.key}-${slug}` : `${person.login.split(".")[0] ?? "dev"}/${slug}`;
    this.branches.set(id, branch);
    return branch;
  }

  /** Returns the branch a person already used for an issue, if any. */
  knownBranch(person: number, issueKey: string): string | undefined {
    return this.branches.get(`${person}|${issueKey}`);
  }

  /** Returns a 40-digit commit hash derived from the seed and a counter, so reruns give the same hashes. */
  nextSha(): string {
    this.commitCount += 1;
    return createHash("sha1").update(`worklens-simulate:${this.seed}:${this.commitCount}`).digest("hex");
  }

  nextPullNumber(repo: string): number {
    const number = (this.pullNumbers.get(repo) ?? 0) + 1;
    this.pullNumbers.set(repo, number);
    return number;
  }

  /** Removes and returns the reviews a person can do on `day`. */
  takeReviews(person: number, day: string): PendingReview[] {
    const pending = this.reviews.get(person) ?? [];
    const due = pending.filter((r) => r.day <= day);
    this.reviews.set(person, pending.filter((r) => r.day > day));
    return due;
  }

  addReview(person: number, review: PendingReview): void {
    const pending = this.reviews.get(person) ?? [];
    pending.push(review);
    this.reviews.set(person, pending);
  }
}
