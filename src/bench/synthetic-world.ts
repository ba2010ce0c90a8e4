import { DateTime } from "luxon";
import { Random } from "./random.js";
import {
  FILE_STEMS,
  FIRST_NAMES,
  ISSUE_TYPES,
  LAST_NAMES,
  PRIORITIES,
  PROBLEMS,
  PROJECTS,
  VERBS,
  ZONES,
  type ProjectVocabulary,
} from "./vocabulary.js";

const DAY_MS = 86_400_000;

/** First instant of the synthetic year (2024-01-01T00:00Z) and the instant after its last. */
export const YEAR_START = Date.UTC(2024, 0, 1);
export const YEAR_END = Date.UTC(2025, 0, 1);

export interface SyntheticPerson {
  index: number;
  displayName: string;
  /** Jira user name and home folder name. */
  login: string;
  email: string;
  zone: string;
  /** Engineers commit and send IDE heartbeats; the others only file and comment on issues. */
  engineer: boolean;
}

export interface PlannedComment {
  author: number;
  at: number;
  body: string;
}

/** An issue with the facts every generator needs, so Jira, git and WakaTime data agree with each other. */
export interface PlannedIssue {
  index: number;
  id: string;
  key: string;
  project: ProjectVocabulary;
  module: string;
  summary: string;
  description: string;
  type: string;
  priority: string;
  reporter: number;
  assignee: number | undefined;
  createdAt: number;
  /** When the issue moved to In Progress; only assigned issues start. */
  startedAt: number | undefined;
  resolvedAt: number | undefined;
  updatedAt: number;
  comments: PlannedComment[];
}

export interface SyntheticWorld {
  seed: number;
  people: SyntheticPerson[];
  engineers: SyntheticPerson[];
  issues: PlannedIssue[];
  /** Issue indexes by assignee index. */
  issuesByAssignee: Map<number, number[]>;
}

/**
 * Plans a team of `people` working on `issues` issues over 2024. Every generator
 * draws from its own fork of the seed, so the files agree on people and issues.
 */
export function planWorld(sizes: { people: number; issues: number }, seed: number): SyntheticWorld {
  if (sizes.people < 2) throw new RangeError("the synthetic team needs at least 2 people");
  const random = new Random(seed);
  const people = planPeople(sizes.people, random.fork("people"));
  const engineers = people.filter((p) => p.engineer);
  const issueRandom = random.fork("issues");
  const numbers = new Map<string, number>();
  const issues: PlannedIssue[] = [];
  for (let index = 0; index < sizes.issues; index += 1) {
    issues.push(planIssue(index, people, engineers, numbers, issueRandom));
  }

  const issuesByAssignee = new Map<number, number[]>();
  for (const issue of issues) {
    if (issue.assignee === undefined) continue;
    const list = issuesByAssignee.get(issue.assignee) ?? [];
    list.push(issue.index);
    issuesByAssignee.set(issue.assignee, list);
  }
  return { seed, people, engineers, issues, issuesByAssignee };
}

function planPeople(count: number, random: Random): SyntheticPerson[] {
  const people: SyntheticPerson[] = [];
  for (let index = 0; index < count; index += 1) {
    const first = FIRST_NAMES[index % FIRST_NAMES.length] ?? "Ada";
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length] ?? "Ashford";
    // Past 400 people the name pairs repeat, so a number keeps logins and e-mails unique.
    const round = Math.floor(index / (FIRST_NAMES.length * LAST_NAMES.length));
    const suffix = round === 0 ? "" : String(round + 1);
    const login = `${first}.${last}${suffix}`.toLowerCase();
    people.push({
      index,
      displayName: `${first} ${last}${suffix === "" ? "" : ` ${suffix}`}`,
      login,
      email: `${login}@example.org`,
      zone: random.pick(ZONES),
      // About four in five are engineers; the first two always are, so small teams still code.
      engineer: index < 2 || random.chance(0.8),
    });
  }
  return people;
}

function planIssue(
  index: number,
  people: readonly SyntheticPerson[],
  engineers: readonly SyntheticPerson[],
  numbers: Map<string, number>,
  random: Random,
): PlannedIssue {
  const project = random.pick(PROJECTS);
  const number = (numbers.get(project.key) ?? 0) + 1;
  numbers.set(project.key, number);

  const module = random.pick(project.modules);
  const noun = random.pick(project.nouns);
  const reporter = random.pick(people);
  const assignee = random.chance(0.9) ? random.pick(engineers) : undefined;

  const createdAt = workInstant(random, YEAR_START + random.int(0, 350) * DAY_MS, reporter.zone);
  const startedAt = assignee === undefined ? undefined : workInstant(random, createdAt + random.int(0, 3) * DAY_MS, assignee.zone);
  const plannedEnd = startedAt === undefined ? undefined : workInstant(random, startedAt + random.int(1, 20) * DAY_MS, assignee?.zone ?? "UTC");
  const resolvedAt = plannedEnd !== undefined && plannedEnd < YEAR_END && random.chance(0.85) ? plannedEnd : undefined;

  const comments: PlannedComment[] = [];
  const commentCount = random.int(0, 4);
  const lastCommentAt = Math.min(resolvedAt ?? YEAR_END - DAY_MS, createdAt + 40 * DAY_MS);
  for (let i = 0; i < commentCount; i += 1) {
    const author = random.chance(0.5) && assignee !== undefined ? assignee : random.pick(people);
    comments.push({
      author: author.index,
      at: createdAt + Math.floor(random.next() * Math.max(lastCommentAt - createdAt, 60_000)),
      body: `Looked at the ${module} ${noun}: ${random.pick(PROBLEMS)} only when ${random.pick(project.nouns)} is involved.`,
    });
  }
  comments.sort((a, b) => a.at - b.at);

  const updatedAt = Math.max(createdAt, startedAt ?? 0, resolvedAt ?? 0, ...comments.map((c) => c.at));
  return {
    index,
    id: String(100_000 + index),
    key: `${project.key}-${number}`,
    project,
    module,
    summary: `${random.pick(VERBS)} ${noun} in ${module}`,
    description: `The ${module} ${random.pick(PROBLEMS)}. It shows with the ${noun} and with ${random.pick(project.nouns)}.`,
    type: random.pick(ISSUE_TYPES),
    priority: random.pick(PRIORITIES),
    reporter: reporter.index,
    assignee: assignee?.index,
    createdAt,
    startedAt,
    resolvedAt,
    updatedAt,
    comments,
  };
}

/** Returns the span of time in which work on an issue happens: from its start until it is resolved, or 30 days. */
export function workWindow(issue: PlannedIssue): { from: number; to: number } {
  const from = issue.startedAt ?? issue.createdAt;
  const to = issue.resolvedAt ?? Math.min(from + 30 * DAY_MS, YEAR_END - 1);
  return { from, to: Math.max(to, from + DAY_MS) };
}

/**
 * Picks an instant on the working day of `near` in `zone`: a weekday between 09:00
 * and 17:59 local time. Weekend days move to the next Monday.
 */
export function workInstant(random: Random, near: number, zone: string): number {
  let local = DateTime.fromMillis(near, { zone }).startOf("day");
  if (local.weekday > 5) local = local.plus({ days: 8 - local.weekday });
  return local.set({ hour: random.int(9, 17), minute: random.int(0, 59), second: random.int(0, 59) }).toMillis();
}

/** Picks a source file path of a module, relative to the repository root. */
export function modulePath(random: Random, project: ProjectVocabulary, module: string): string {
  const extension = project.key === "OPS" ? "yaml" : "ts";
  return `src/${module}/${random.pick(FILE_STEMS)}.${extension}`;
}
