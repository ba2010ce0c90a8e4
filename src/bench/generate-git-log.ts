import { createHash } from "node:crypto";
import { DateTime } from "luxon";
import { Random } from "./random.js";
import { modulePath, workInstant, workWindow, YEAR_START, type PlannedIssue, type SyntheticPerson, type SyntheticWorld } from "./synthetic-world.js";
import { CHORES, PROJECTS, VERBS, type ProjectVocabulary } from "./vocabulary.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface PlannedCommit {
  sha: string;
  repo: string;
  author: SyntheticPerson;
  authorDate: number;
  commitDate: number;
  message: string[];
  files: { added: number; deleted: number; path: string }[];
}

export interface GeneratedGitLog {
  repo: string;
  commits: number;
  /** Output in the form of `git log --all --date-order --format=fuller --date=iso-strict --numstat`. */
  text: string;
}

/**
 * Plans `count` commits by the world's engineers, three in four naming the issue
 * they work on, and writes one git log per repository (one per project), newest
 * commit first as `--date-order` prints them.
 */
export function generateGitLogs(world: SyntheticWorld, count: number): GeneratedGitLog[] {
  const commits = planCommits(world, count);
  const logs: GeneratedGitLog[] = [];
  for (const project of PROJECTS) {
    const own = commits.filter((c) => c.repo === project.repo).sort((a, b) => b.commitDate - a.commitDate || (a.sha < b.sha ? -1 : 1));
    if (own.length === 0) continue;
    logs.push({ repo: project.repo, commits: own.length, text: own.map(formatCommit).join("") });
  }
  return logs;
}

export function planCommits(world: SyntheticWorld, count: number): PlannedCommit[] {
  const random = new Random(world.seed).fork("git");
  const assigned = world.issues.filter((i) => i.assignee !== undefined);
  const commits: PlannedCommit[] = [];

  for (let index = 0; index < count; index += 1) {
    const issue = assigned.length > 0 && random.chance(0.75) ? random.pick(assigned) : undefined;
    const commit = issue === undefined ? choreCommit(world, random) : issueCommit(world, issue, random);
    const sha = createHash("sha1").update(`${world.seed}:${index}`).digest("hex");
    commits.push({ ...commit, sha });
  }
  return commits;
}

type Unhashed = Omit<PlannedCommit, "sha">;

function issueCommit(world: SyntheticWorld, issue: PlannedIssue, random: Random): Unhashed {
  const assignee = world.people[issue.assignee ?? -1];
  const author = assignee !== undefined && random.chance(0.85) ? assignee : random.pick(world.engineers);
  const window = workWindow(issue);
  const authorDate = workInstant(random, window.from + Math.floor(random.next() * (window.to - window.from)), author.zone);

  const subject = random.chance(0.5) ? issue.summary : `${random.pick(VERBS)} tests for ${issue.module}`;
  const message = [`${issue.key} ${subject}`];
  if (random.chance(0.4)) message.push("", `The ${issue.module} change keeps the old behaviour behind a setting.`);

  const files = uniquePaths(Array.from({ length: random.int(1, 4) }, () => fileChange(random, issue.project, issue.module)));
  return { repo: issue.project.repo, author, authorDate, commitDate: landedAt(random, authorDate), message, files };
}

function choreCommit(world: SyntheticWorld, random: Random): Unhashed {
  const author = random.pick(world.engineers);
  const project = random.pick(PROJECTS);
  const authorDate = workInstant(random, randomInstantOfYear(random), author.zone);
  const files = [{ added: random.int(1, 12), deleted: random.int(0, 12), path: random.pick(["package.json", "README.md", "CHANGES.txt"]) }];
  if (random.chance(0.5)) files.push(fileChange(random, project, random.pick(project.modules)));
  return { repo: project.repo, author, authorDate, commitDate: landedAt(random, authorDate), message: [random.pick(CHORES)], files: uniquePaths(files) };
}

/** Picks the committer date: mostly the author date, sometimes hours later as after a rebase or a merge. */
function landedAt(random: Random, authorDate: number): number {
  return random.chance(0.8) ? authorDate : authorDate + random.int(1, 48) * HOUR_MS;
}

function fileChange(random: Random, project: ProjectVocabulary, module: string): PlannedCommit["files"][number] {
  return { added: random.int(0, 80), deleted: random.int(0, 40), path: modulePath(random, project, module) };
}

/** Git lists each path once per commit. */
function uniquePaths(files: PlannedCommit["files"]): PlannedCommit["files"] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  return [...byPath.values()];
}

function randomInstantOfYear(random: Random): number {
  return YEAR_START + random.int(0, 364) * DAY_MS;
}

function formatCommit(commit: PlannedCommit): string {
  const signature = `${commit.author.displayName} <${commit.author.email}>`;
  const lines = [
    `commit ${commit.sha}`,
    `Author:     ${signature}`,
    `AuthorDate: ${isoStrict(commit.authorDate, commit.author.zone)}`,
    `Commit:     ${signature}`,
    `CommitDate: ${isoStrict(commit.commitDate, commit.author.zone)}`,
    "",
    // Git indents every message line by four spaces, blank ones included.
    ...commit.message.map((line) => `    ${line}`),
    "",
    ...commit.files.map((f) => `${f.added}\t${f.deleted}\t${f.path}`),
    "",
  ];
  return `${lines.join("\n")}\n`;
}

/** Formats an instant as `git log --date=iso-strict` does: local time with a "+hh:mm" offset. */
export function isoStrict(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}
