import type { Random } from "../bench/random.js";
import { modulePath } from "../bench/synthetic-world.js";
import { CHORES, PROBLEMS, VERBS } from "../bench/vocabulary.js";
import type { SimIssue, SimPerson } from "./model.js";
import type { TeamState } from "./state.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Editor plugins send a heartbeat about every 2 minutes while a file is edited: here 90 to 150 s apart. */
export const HEARTBEAT_GAP_SECONDS = [90, 150] as const;
/** Chance per heartbeat of a pause of 3 to 10 minutes (reading, a test run), still under WakaTime's 15-minute timeout. */
export const HEARTBEAT_PAUSE_SHARE = 0.04;
export const HEARTBEAT_PAUSE_SECONDS = [180, 600] as const;
/** Chance that a coding block of a person with two machines also has heartbeats from the other one for part of the block. */
export const OVERLAP_SHARE = 0.25;
/** Chance that a block of a person with two machines is coded on the second machine. */
export const SECOND_MACHINE_BLOCK_SHARE = 0.35;
/** One commit per 40 to 90 minutes of coding, on average. */
export const COMMIT_EVERY_MINUTES = [40, 90] as const;
/** Commit messages: 70 % name the key, 15 % rely on the branch alone, 15 % name nothing (see commitMessage). */
export const COMMIT_KEY_SHARE = 0.7;
export const COMMIT_BRANCH_ONLY_SHARE = 0.15;

/** Writes the heartbeats and commits of a block of coding on `issue`, spread over [start, end). */
export function codingTraces(state: TeamState, person: SimPerson, issue: SimIssue, start: number, end: number, random: Random): void {
  const branch = state.branchFor(person, issue, random);
  const [main, second] = person.machines;
  const machine = second !== undefined && random.chance(SECOND_MACHINE_BLOCK_SHARE) ? second : (main ?? "laptop");
  heartbeats(state, person, issue, branch, machine, start, end, random);

  // The duplicate-heartbeat case: a second editor open on the same files reports the same minutes.
  if (second !== undefined && main !== undefined && random.chance(OVERLAP_SHARE)) {
    const other = machine === main ? second : main;
    const from = start + Math.floor(random.next() * (end - start) * 0.5);
    const to = from + Math.floor((end - from) * (0.3 + 0.7 * random.next()));
    heartbeats(state, person, issue, branch, other, from, to, random);
  }

  const minutes = (end - start) / MINUTE;
  const count = Math.floor(minutes / random.int(COMMIT_EVERY_MINUTES[0], COMMIT_EVERY_MINUTES[1]));
  for (let i = 0; i < count; i += 1) {
    const at = start + 10 * MINUTE + Math.floor(random.next() * Math.max(end - start - 10 * MINUTE, MINUTE));
    commit(state, person, issue, Math.min(at, end - SECOND), random);
  }
}

/** Writes heartbeats every 90 to 150 s from shortly after `start` until before `end`. */
export function heartbeats(state: TeamState, person: SimPerson, issue: SimIssue, branch: string, machine: string, start: number, end: number, random: Random): void {
  const project = state.project(issue);
  let path = modulePath(random, project, issue.module);
  let at = start + random.int(5, 40) * SECOND + random.int(0, 999);
  while (at < end - 5 * SECOND) {
    if (random.chance(0.15)) path = modulePath(random, project, issue.module);
    state.heartbeats.push({
      person: person.index,
      machine,
      at,
      entity: `/home/${person.login}/code/${issue.repo}/${path}`,
      project: issue.repo,
      branch,
      language: path.endsWith(".yaml") ? "YAML" : "TypeScript",
      isWrite: random.chance(0.15),
    });
    at += random.int(HEARTBEAT_GAP_SECONDS[0], HEARTBEAT_GAP_SECONDS[1]) * SECOND + random.int(0, 999);
    if (random.chance(HEARTBEAT_PAUSE_SHARE)) at += random.int(HEARTBEAT_PAUSE_SECONDS[0], HEARTBEAT_PAUSE_SECONDS[1]) * SECOND;
  }
}

function commit(state: TeamState, person: SimPerson, issue: SimIssue, at: number, random: Random): void {
  const project = state.project(issue);
  const files = new Map<string, { added: number; deleted: number; path: string }>();
  const fileCount = random.int(1, 4);
  for (let i = 0; i < fileCount; i += 1) {
    const path = modulePath(random, project, issue.module);
    files.set(path, { added: random.int(0, 80), deleted: random.int(0, 40), path });
  }
  state.commits.push({
    sha: state.nextSha(),
    repo: issue.repo,
    person: person.index,
    authorDate: at,
    // Mostly committed as authored; sometimes amended or rebased minutes later.
    commitDate: random.chance(0.85) ? at : at + random.int(1, 30) * MINUTE,
    message: commitMessage(issue, random),
    files: [...files.values()],
  });
}

/**
 * Writes a commit message: the key and a subject, or a subject that leaves the key
 * to the branch name, or a chore line that names nothing. A git log file does not
 * carry branch names, so only the first kind links by key after import.
 */
function commitMessage(issue: SimIssue, random: Random): string[] {
  const roll = random.next();
  const subject = random.chance(0.5) ? issue.summary : `${random.pick(VERBS)} tests for ${issue.module}`;
  if (roll < COMMIT_KEY_SHARE) {
    const message = [`${issue.key} ${subject}`];
    if (random.chance(0.4)) message.push("", `The ${issue.module} change keeps the old behaviour behind a setting.`);
    return message;
  }
  if (roll < COMMIT_KEY_SHARE + COMMIT_BRANCH_ONLY_SHARE) return [subject];
  return [random.pick(CHORES)];
}

/** Adds a comment by `person` on `issue` at `at`. */
export function comment(issue: SimIssue, person: SimPerson, at: number, random: Random): void {
  const body = random.chance(0.5)
    ? `Checked the ${issue.module} part: it ${random.pick(PROBLEMS)} only in some setups.`
    : `Pushed a first version for ${issue.module}; tests follow.`;
  issue.comments.push({ at, by: person.index, body });
}

/** Opens the pull request of a finished ticket at `at`. */
export function pullRequest(state: TeamState, person: SimPerson, issue: SimIssue, at: number, random: Random): void {
  const branch = state.branchFor(person, issue, random);
  state.pullRequests.push({
    repo: issue.repo,
    number: state.nextPullNumber(issue.repo),
    title: `${issue.key} ${issue.summary}`,
    branch,
    person: person.index,
    createdAt: at,
  });
}
