import { MS_PER_HOUR, MS_PER_MINUTE } from "../domain/time.js";

export interface CommitSessionRule {
  /** Commits at most this far apart belong to one session, and the time between them counts as work. */
  maxGapMs: number;
  /** Work credited before the first commit of a session, whose start no commit records. */
  firstCommitMs: number;
}

/**
 * git-hours counts 2 h for both. worklens keeps the 2 h gap but credits 30 min before a
 * session's first commit, because git-hours' 2 h turns every lone commit into two hours
 * and IDE or calendar data, where present, covers the real start anyway.
 */
export const DEFAULT_COMMIT_RULE: CommitSessionRule = { maxGapMs: 2 * MS_PER_HOUR, firstCommitMs: 30 * MS_PER_MINUTE };

export interface CommitBlock<T> {
  start: number;
  end: number;
  commit: T;
}

/**
 * One block per commit, ending at the commit: from the previous commit when the gap is
 * within `maxGapMs`, else `firstCommitMs` before it. Commits at the same instant share
 * one block (the later ones get an empty one), so a rebase or a squash of many commits
 * adds no time.
 */
export function commitBlocks<T>(commits: readonly T[], instantOf: (commit: T) => number, rule: CommitSessionRule = DEFAULT_COMMIT_RULE): CommitBlock<T>[] {
  const sorted = [...commits].sort((a, b) => instantOf(a) - instantOf(b));
  const blocks: CommitBlock<T>[] = [];
  let previous: number | undefined;
  for (const commit of sorted) {
    const at = instantOf(commit);
    const gap = previous === undefined ? Number.POSITIVE_INFINITY : at - previous;
    const start = gap <= rule.maxGapMs ? at - gap : at - rule.firstCommitMs;
    blocks.push({ start, end: at, commit });
    previous = at;
  }
  return blocks;
}
