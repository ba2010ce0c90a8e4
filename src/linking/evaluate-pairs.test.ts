import { describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import type { ActivityRecord, IssueRecord, LinkRecord } from "../domain/types.js";
import { evaluatePairs, parsePairs, type LinkPair } from "./evaluate-pairs.js";
import type { ActivityLinker } from "./learned-linker.js";

const T0 = Date.UTC(2025, 2, 1);

function issue(id: number): IssueRecord {
  return {
    id, key: `PROJ-${String(id)}`, projectKey: "PROJ", issueType: null, isSubtask: false, parentKey: null, epicKey: null,
    priority: null, status: null, statusCategory: null, createdAt: T0, updatedAt: null, resolvedAt: null, assigneeId: null, reporterId: null,
  };
}

function commit(id: number): ActivityRecord {
  return {
    id, source: "git", kind: "commit", personId: 1, startAt: T0, endAt: T0, tz: "UTC", dateOnly: false, localDate: null,
    localEndDate: null, landedAt: null, repo: "repo", project: null, machine: null, explicitKeys: [], metrics: {},
  };
}

/**
 * A linker with fixed rankings per activity id, whose confidence is the top score,
 * so each commit's prediction is set by hand.
 */
class FixedLinker implements ActivityLinker {
  readonly threshold = 0.5;
  readonly calls: { activityId: number; exhaustive: boolean }[] = [];

  constructor(private readonly rankings: ReadonlyMap<number, { issueId: number; score: number }[]>) {}

  link(): LinkRecord[] {
    throw new Error("evaluatePairs must not call link");
  }

  rankIssues(activity: ActivityRecord, exhaustive: boolean): { issue: IssueRecord; score: number }[] {
    this.calls.push({ activityId: activity.id, exhaustive });
    return (this.rankings.get(activity.id) ?? []).map((r) => ({ issue: issue(r.issueId), score: r.score }));
  }

  confidence(ranked: readonly { score: number }[]): number {
    return ranked[0]?.score ?? 0;
  }
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("parsePairs", () => {
  it("reads the columns in any order", () => {
    const text = "labels,Commit_SHA,note,Issue_Key\r\n1,ABCDEF0123,first,PROJ-1\r\n\r\n0, abcdef4567 ,second, PROJ-2 \r\n";
    expect(parsePairs(text, "pairs.csv")).toEqual<LinkPair[]>([
      { issueKey: "PROJ-1", commitSha: "abcdef0123", linked: true },
      { issueKey: "PROJ-2", commitSha: "abcdef4567", linked: false },
    ]);
  });

  it("returns no pairs for a header alone", () => {
    expect(parsePairs("Issue_Key,Commit_SHA,labels\n", "pairs.csv")).toEqual([]);
  });

  it("names the line of a bad label", () => {
    const text = "Issue_Key,Commit_SHA,labels\nPROJ-1,abc,1\nPROJ-2,def,yes\n";
    const error = thrown(() => parsePairs(text, "/tmp/pairs.csv"));
    expect(error).toBeInstanceOf(WorklensError);
    expect(error).toMatchObject({ code: "INVALID_INPUT" });
    expect(String(error)).toContain("/tmp/pairs.csv: line 3: labels is \"yes\", expected 0 or 1");
  });

  it("rejects a line without a label", () => {
    const error = thrown(() => parsePairs("Issue_Key,Commit_SHA,labels\nPROJ-1,abc\n", "short.csv"));
    expect(String(error)).toContain("short.csv: line 2: labels is \"\", expected 0 or 1");
  });

  it("names a missing column", () => {
    for (const [header, missing] of [
      ["Commit_SHA,labels", "Issue_Key"],
      ["Issue_Key,labels", "Commit_SHA"],
      ["Issue_Key,Commit_SHA,preds", "labels"],
      ["issue_key,commit_sha,labels", "Issue_Key"],
    ] as const) {
      const error = thrown(() => parsePairs(`${header}\nPROJ-1,abc,1\n`, "pairs.csv"));
      expect(error).toMatchObject({ code: "INVALID_INPUT" });
      expect(String(error)).toContain(`pairs.csv: the header has no ${missing} column`);
    }
    expect(String(thrown(() => parsePairs("", "empty.csv")))).toContain("empty.csv: the header has no Issue_Key column");
  });
});

describe("evaluatePairs", () => {
  const commits = new Map([
    ["aaa", commit(1)],
    ["bbb", commit(2)],
    ["ccc", commit(3)],
    ["ddd", commit(4)],
  ]);
  const issueIds = new Map([1, 2, 3, 4].map((id) => [`PROJ-${String(id)}`, id]));
  const rankings = new Map([
    // Confident on PROJ-1.
    [1, [{ issueId: 1, score: 0.9 }, { issueId: 2, score: 0.2 }]],
    // PROJ-2 first but below the threshold.
    [2, [{ issueId: 2, score: 0.3 }, { issueId: 1, score: 0.1 }]],
    // Confident on PROJ-3.
    [3, [{ issueId: 3, score: 0.8 }, { issueId: 1, score: 0.7 }]],
    // Commit 4 has no candidates.
  ]);

  const pairs: LinkPair[] = [
    { issueKey: "PROJ-1", commitSha: "aaa", linked: true }, // true positive
    { issueKey: "PROJ-2", commitSha: "aaa", linked: false }, // true negative: another issue is first
    { issueKey: "PROJ-2", commitSha: "bbb", linked: true }, // false negative: not confident
    { issueKey: "PROJ-3", commitSha: "ccc", linked: false }, // false positive
    { issueKey: "PROJ-1", commitSha: "ccc", linked: true }, // false negative: second, not first
    { issueKey: "PROJ-4", commitSha: "ddd", linked: true }, // false negative: nothing ranked
    { issueKey: "PROJ-9", commitSha: "aaa", linked: true }, // issue not imported
    { issueKey: "PROJ-9", commitSha: "zzz", linked: false }, // neither imported: counted once, as the issue
    { issueKey: "PROJ-1", commitSha: "zzz", linked: true }, // commit not imported
    { issueKey: "PROJ-4", commitSha: "yyy", linked: false }, // commit not imported
  ];

  it("counts skipped pairs", () => {
    const metrics = evaluatePairs(pairs, commits, issueIds, new FixedLinker(rankings));
    expect(metrics.pairs).toBe(10);
    expect(metrics.skipped_unknown_issue).toBe(2);
    expect(metrics.skipped_unknown_commit).toBe(2);
    expect(metrics.evaluated).toBe(6);
  });

  it("scores precision, recall and F1", () => {
    const metrics = evaluatePairs(pairs, commits, issueIds, new FixedLinker(rankings));
    expect(metrics.positives).toBe(4);
    expect(metrics.true_positives).toBe(1);
    expect(metrics.false_positives).toBe(1);
    expect(metrics.false_negatives).toBe(3);
    expect(metrics.precision).toBe(0.5);
    expect(metrics.recall).toBe(0.25);
    // 2 * 0.5 * 0.25 / 0.75, rounded to four decimals.
    expect(metrics.f1).toBe(0.3333);
    expect(metrics.threshold).toBe(0.5);
  });

  it("ranks each commit once, exhaustively", () => {
    const linker = new FixedLinker(rankings);
    evaluatePairs(pairs, commits, issueIds, linker);
    expect(linker.calls.map((c) => c.activityId).sort()).toEqual([1, 2, 3, 4]);
    expect(linker.calls.every((c) => c.exhaustive)).toBe(true);
  });

  it("gives zeros when nothing is predicted", () => {
    const metrics = evaluatePairs(pairs, commits, issueIds, new FixedLinker(new Map()));
    expect(metrics.true_positives).toBe(0);
    expect(metrics.false_positives).toBe(0);
    expect(metrics.false_negatives).toBe(4);
    expect(metrics.precision).toBe(0);
    expect(metrics.recall).toBe(0);
    expect(metrics.f1).toBe(0);
  });

  it("scores a perfect linker 1", () => {
    const perfect = new Map([
      [1, [{ issueId: 1, score: 0.9 }]],
      [2, [{ issueId: 2, score: 0.9 }]],
      [3, [{ issueId: 1, score: 0.9 }]],
      [4, [{ issueId: 4, score: 0.9 }]],
    ]);
    const metrics = evaluatePairs(pairs, commits, issueIds, new FixedLinker(perfect));
    expect(metrics.true_positives).toBe(4);
    expect(metrics.false_positives).toBe(0);
    expect(metrics.precision).toBe(1);
    expect(metrics.recall).toBe(1);
    expect(metrics.f1).toBe(1);
  });
});
