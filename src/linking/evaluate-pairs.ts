import { invalidInput } from "../domain/errors.js";
import type { ActivityRecord } from "../domain/types.js";
import type { ActivityLinker } from "./learned-linker.js";

/** One labelled issue–commit pair, as in BTLink's published test sets. */
export interface LinkPair {
  issueKey: string;
  commitSha: string;
  linked: boolean;
}

export interface PairMetrics {
  pairs: number;
  /** Pairs whose issue was not imported, or whose commit is not in the store: reported, not scored. */
  skipped_unknown_issue: number;
  skipped_unknown_commit: number;
  evaluated: number;
  positives: number;
  true_positives: number;
  false_positives: number;
  false_negatives: number;
  precision: number;
  recall: number;
  f1: number;
  threshold: number;
}

/**
 * Read a CSV with a header naming `Issue_Key`, `Commit_SHA` and `labels` (1 linked, 0
 * not), the columns of BTLink's test files. Values hold no commas, so lines are split
 * on commas; anything else in the file is ignored.
 */
export function parsePairs(text: string, file: string): LinkPair[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw invalidInput(file, `the header has no ${name} column`, "the file needs the columns Issue_Key, Commit_SHA and labels");
    return index;
  };
  const issue = column("Issue_Key");
  const sha = column("Commit_SHA");
  const label = column("labels");
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    const value = cells[label]?.trim();
    if (value !== "0" && value !== "1") throw invalidInput(file, `line ${String(i + 2)}: labels is "${value ?? ""}", expected 0 or 1`, "fix or remove that line");
    return { issueKey: cells[issue]?.trim() ?? "", commitSha: (cells[sha]?.trim() ?? "").toLowerCase(), linked: value === "1" };
  });
}

/**
 * Score pairs the way a link classifier is scored: a pair is predicted linked when
 * the linker ranks its issue first for its commit with confidence at or above its
 * threshold.
 */
export function evaluatePairs(
  pairs: readonly LinkPair[],
  commits: ReadonlyMap<string, ActivityRecord>,
  issueIds: ReadonlyMap<string, number>,
  linker: ActivityLinker,
): PairMetrics {
  let skippedIssue = 0;
  let skippedCommit = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let positives = 0;
  const topOf = new Map<number, { issueId: number; confident: boolean } | null>();
  for (const pair of pairs) {
    const issueId = issueIds.get(pair.issueKey);
    if (issueId === undefined) {
      skippedIssue += 1;
      continue;
    }
    const commit = commits.get(pair.commitSha);
    if (commit === undefined) {
      skippedCommit += 1;
      continue;
    }
    let top = topOf.get(commit.id);
    if (top === undefined) {
      const ranked = linker.rankIssues(commit, true);
      const first = ranked[0];
      top = first === undefined ? null : { issueId: first.issue.id, confident: linker.confidence(ranked) >= linker.threshold };
      topOf.set(commit.id, top);
    }
    const predicted = top !== null && top.confident && top.issueId === issueId;
    if (pair.linked) positives += 1;
    if (predicted && pair.linked) tp += 1;
    if (predicted && !pair.linked) fp += 1;
    if (!predicted && pair.linked) fn += 1;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const round = (v: number) => Math.round(v * 10_000) / 10_000;
  return {
    pairs: pairs.length,
    skipped_unknown_issue: skippedIssue,
    skipped_unknown_commit: skippedCommit,
    evaluated: pairs.length - skippedIssue - skippedCommit,
    positives,
    true_positives: tp,
    false_positives: fp,
    false_negatives: fn,
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
    threshold: linker.threshold,
  };
}
