import { describe, expect, it } from "vitest";
import type { ActivityKind, ActivityRecord, ActivityText, IssueRecord } from "../domain/types.js";
import { loadXGBoost } from "../ml/index.js";
import { HashingEmbedder } from "./embedding.js";
import { LearnedLinker } from "./learned-linker.js";
import type { LinkingInput } from "./linker.js";
import { DEFAULT_RANKER_PARAMS, DEFAULT_RANKER_TRAINING, feedbackExamples, trainRanker, type LinkFeedback } from "./train-ranker.js";

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 6, 9);
const PERSON = 1;
const SUMMARIES = ["parser crashes on empty input", "export report to spreadsheet", "login page timeout after redirect"];

function issue(id: number): IssueRecord {
  return {
    id,
    key: `PROJ-${String(id)}`,
    projectKey: "PROJ",
    issueType: "Task",
    isSubtask: false,
    parentKey: null,
    epicKey: null,
    priority: null,
    status: null,
    statusCategory: null,
    createdAt: START - 30 * DAY,
    updatedAt: null,
    resolvedAt: null,
    assigneeId: PERSON,
    reporterId: null,
  };
}

function activity(id: number, kind: ActivityKind, startAt: number, keys: string[]): ActivityRecord {
  return {
    id,
    source: kind === "meeting" ? "ics" : "git",
    kind,
    personId: PERSON,
    startAt,
    endAt: startAt + (kind === "meeting" ? 15 * 60_000 : 0),
    tz: "UTC",
    dateOnly: false,
    localDate: null,
    localEndDate: null,
    landedAt: null,
    repo: kind === "commit" ? "app" : null,
    project: null,
    machine: null,
    explicitKeys: keys,
    metrics: {},
  };
}

/**
 * Builds one person, three issues assigned to them, and 40 days of one commit naming
 * an issue (with words of its summary) and one daily stand-up that names none. The
 * rules make every assigned issue a candidate of the stand-up.
 */
function world(): { input: LinkingInput; standups: ActivityRecord[] } {
  const issues = [1, 2, 3].map(issue);
  const activities: ActivityRecord[] = [];
  const texts = new Map<number, ActivityText>();
  const standups: ActivityRecord[] = [];
  for (let day = 0; day < 40; day++) {
    const target = (day % 3) + 1;
    const commit = activity(2 * day + 1, "commit", START + day * DAY + 2 * 3_600_000, [`PROJ-${String(target)}`]);
    texts.set(commit.id, { title: `PROJ-${String(target)} fix ${SUMMARIES[target - 1] ?? ""}` });
    const standup = activity(2 * day + 2, "meeting", START + day * DAY, []);
    texts.set(standup.id, { title: "daily standup" });
    activities.push(standup, commit);
    standups.push(standup);
  }
  const issueTexts = new Map(issues.map((i) => [i.id, { summary: SUMMARIES[i.id - 1] ?? "", description: "", comments: "" }]));
  return { input: { issues, issueTexts, events: [], activities, activityTexts: texts }, standups };
}

describe("trainRanker with feedback from reviews", () => {
  const { input, standups } = world();
  const embedder = new HashingEmbedder(Buffer.alloc(32, 7), 256);
  const options = { ...DEFAULT_RANKER_TRAINING, params: { ...DEFAULT_RANKER_PARAMS, rounds: 40 }, version: 1, now: new Date(START) };
  // People rejected PROJ-1 on the stand-ups of the first 30 days and moved no time elsewhere.
  const rejected: LinkFeedback[] = standups.slice(0, 30).map((s) => ({ activity: s, right: new Set(), wrong: new Set([1]) }));
  const laterStandup = standups[35];
  if (laterStandup === undefined) throw new Error("the world has 40 stand-ups");

  it("turns an activity with every issue rejected into a group without a positive", () => {
    const examples = feedbackExamples(rejected, DEFAULT_RANKER_TRAINING.kinds, []);
    expect(examples).toHaveLength(30);
    expect(examples.every((e) => e.truth.size === 0 && e.wrong?.has(1) === true)).toBe(true);
    // Feedback on an activity that names its issue gives way to the key.
    const commit = input.activities.find((a) => a.kind === "commit");
    if (commit === undefined) throw new Error("the world has commits");
    const named = [{ activity: commit, truth: new Set([1]) }];
    expect(feedbackExamples([{ activity: commit, right: new Set(), wrong: new Set([1]) }], DEFAULT_RANKER_TRAINING.kinds, named)).toEqual([]);
  });

  it("scores a rejected pair lower once trained on the rejections", () => {
    const backend = loadXGBoost();
    const plain = trainRanker(input, backend, embedder, options);
    const taught = trainRanker(input, backend, embedder, { ...options, feedback: rejected });
    expect(plain.metrics["feedback_examples"]).toBe(0);
    expect(taught.metrics["feedback_examples"]).toBe(30);
    expect(taught.metrics["feedback_without_issue"]).toBe(30);

    const scoreOf = (model: LearnedLinker) => model.score(laterStandup).find((c) => c.issue.id === 1)?.score;
    const before = scoreOf(new LearnedLinker(input, plain, embedder));
    const after = scoreOf(new LearnedLinker(input, taught, embedder));
    if (before === undefined || after === undefined) throw new Error("PROJ-1 is a candidate of every stand-up");
    expect(after).toBeLessThan(before - 1);
    expect(new LearnedLinker(input, taught, embedder).link(laterStandup)).toEqual([]);
  }, 60_000);
});
