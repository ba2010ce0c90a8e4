import { describe, expect, it } from "vitest";
import type { ActivityRecord, ActivityText, IssueEventRecord, IssueRecord } from "../domain/types.js";
import type { IssueText } from "../store/issue-repository.js";
import { evaluateLinking } from "./evaluate.js";
import { Linker, type LinkingInput } from "./linker.js";
import { fitConfidence, confidenceOf } from "./confidence.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1);

function issue(id: number, key: string, createdDaysAgo: number, extra: Partial<IssueRecord> = {}): IssueRecord {
  return {
    id, key, projectKey: key.split("-")[0] ?? "", issueType: null, isSubtask: false, parentKey: null, epicKey: null,
    priority: null, status: null, statusCategory: null, createdAt: T0 - createdDaysAgo * DAY, updatedAt: T0 + 30 * DAY,
    resolvedAt: null, assigneeId: null, reporterId: null, ...extra,
  };
}

function commit(id: number, personId: number, at: number, keys: string[] = []): ActivityRecord {
  return {
    id, source: "git", kind: "commit", personId, startAt: at, endAt: at, tz: "UTC", dateOnly: false, localDate: null,
    localEndDate: null, landedAt: null, repo: "repo", project: null, machine: null, explicitKeys: keys, metrics: {},
  };
}

function input(activities: ActivityRecord[], texts: [number, ActivityText][], events: IssueEventRecord[] = []): LinkingInput {
  const issues = [
    issue(1, "PROJ-1", 10, { assigneeId: 7 }),
    issue(2, "PROJ-2", 5),
    issue(3, "PROJ-3", 2),
    issue(4, "PROJ-4", -5), // created after the activities
  ];
  const issueTexts = new Map<number, IssueText>([
    [1, { summary: "Fetcher hangs on robots.txt redirects", description: "The fetcher thread never returns", comments: "" }],
    [2, { summary: "Parser drops charset from meta tags", description: "HTML parser ignores the charset", comments: "" }],
    [3, { summary: "Update documentation for plugins", description: "", comments: "" }],
    [4, { summary: "Fetcher redirects robots again", description: "", comments: "" }],
  ]);
  return { issues, issueTexts, events, activities, activityTexts: new Map(texts) };
}

describe("Linker", () => {
  it("links explicit keys first", () => {
    const a = commit(100, 7, T0, ["PROJ-2"]);
    const links = new Linker(input([a], [[100, { title: "PROJ-2 robots fetcher" }]])).link(a);
    expect(links).toHaveLength(1);
    expect(links[0]?.issueId).toBe(2);
    expect(links[0]?.method).toBe("explicit");
  });

  it("ranks by text and never offers an issue created later", () => {
    const a = commit(101, 9, T0);
    const linker = new Linker(input([a], [[101, { title: "Fix fetcher hang on robots redirects", paths: "src/fetcher/Fetcher.java" }]]));
    const ranked = linker.rank(a);
    expect(ranked[0]?.issue.key).toBe("PROJ-1");
    expect(ranked.map((r) => r.issue.key)).not.toContain("PROJ-4");
    const links = linker.link(a);
    expect(links[0]?.issueId).toBe(1);
    expect(links[0]?.evidence[0]?.detail).toMatch(/fetcher/);
    expect(links[0]?.confidence).toBeGreaterThan(0.5);
  });

  it("leaves an activity naming an unimported issue unlinked", () => {
    const a = commit(105, 7, T0, ["PROJ-99"]);
    const links = new Linker(input([a], [[105, { title: "PROJ-99 fetcher hangs on robots redirects" }]])).link(a);
    expect(links).toEqual([]);
  });

  it("leaves an activity with no evidence unlinked", () => {
    const a = commit(102, 9, T0);
    const links = new Linker(input([a], [[102, { title: "bump version" }]])).link(a);
    expect(links).toEqual([]);
  });

  it("masks keys for evaluation", () => {
    const a = commit(103, 9, T0, ["PROJ-2"]);
    const data = input([a], [[103, { title: "PROJ-2: parser keeps the charset from meta tags" }]]);
    const linker = new Linker(data, { maskKeys: true });
    expect(linker.link(a)[0]?.method).toBe("ranked");
    const result = evaluateLinking(data, { maskKeys: true, kinds: ["commit"] });
    expect(result.metrics.n).toBe(1);
    expect(result.metrics.hit_at_1).toBe(1);
  });

  it("uses the status at the time of the activity", () => {
    const a = commit(104, 9, T0);
    const events: IssueEventRecord[] = [
      { id: 1, issueId: 3, personId: null, kind: "status_change", at: T0 - DAY, field: "status", fromValue: "Open", toValue: "In Progress" },
      { id: 2, issueId: 3, personId: null, kind: "status_change", at: T0 + DAY, field: "status", fromValue: "In Progress", toValue: "Done" },
    ];
    const ranked = new Linker(input([a], [[104, { title: "documentation" }]], events)).rank(a, true);
    expect(ranked.find((r) => r.issue.id === 3)?.features.status).toBe(1);
  });
});

describe("confidence", () => {
  it("fits a model that separates right from wrong", () => {
    const samples = [
      ...Array.from({ length: 50 }, () => ({ top: 0.6, second: 0.1, correct: true })),
      ...Array.from({ length: 50 }, () => ({ top: 0.1, second: 0.09, correct: false })),
    ];
    const model = fitConfidence(samples);
    expect(confidenceOf(model, 0.6, 0.1)).toBeGreaterThan(0.8);
    expect(confidenceOf(model, 0.1, 0.09)).toBeLessThan(0.2);
  });
});
