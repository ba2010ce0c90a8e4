import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ActivityKind, ActivityRecord, LinkRecord } from "../domain/types.js";
import { allocate, DEFAULT_ALLOCATION_OPTIONS } from "./allocate.js";
import { commitBlocks } from "./commit-sessions.js";
import { attribute } from "./timeline.js";

const H = 3_600_000;
const M = 60_000;
const BASE = Date.UTC(2025, 2, 10, 8, 0); // Monday 2025-03-10 08:00 UTC

const SOURCE_OF_KIND: Record<ActivityKind, ActivityRecord["source"]> = {
  commit: "git",
  pull_request: "git",
  ide_heartbeat: "wakatime",
  ide_session: "activitywatch",
  issue_action: "jira",
  meeting: "ics",
  focus: "ics",
  out_of_office: "ics",
};

let nextId = 1;
function activity(kind: ActivityKind, startAt: number, endAt = startAt, extra: Partial<ActivityRecord> = {}): ActivityRecord {
  return {
    id: nextId++,
    source: SOURCE_OF_KIND[kind],
    kind,
    personId: 1,
    startAt,
    endAt,
    tz: "UTC",
    dateOnly: false,
    localDate: null,
    localEndDate: null,
    landedAt: null,
    repo: null,
    project: null,
    machine: null,
    explicitKeys: [],
    metrics: {},
    ...extra,
  };
}

function explicit(a: ActivityRecord, issueId: number): LinkRecord {
  return { activityId: a.id, issueId, rank: 0, score: 1, confidence: 0.99, method: "explicit", evidence: [] };
}

describe("commitBlocks", () => {
  it("joins commits within the gap and credits the first commit", () => {
    const times = [BASE, BASE + 30 * M, BASE + 5 * H];
    const blocks = commitBlocks(times, (t) => t);
    expect(blocks.map((b) => (b.end - b.start) / M)).toEqual([30, 30, 30]);
    expect(blocks[1]?.start).toBe(BASE);
  });

  it("adds no time for commits rebased to one instant", () => {
    const blocks = commitBlocks([BASE, BASE, BASE], (t) => t);
    expect(blocks.reduce((s, b) => s + b.end - b.start, 0)).toBe(30 * M);
  });
});

describe("attribute", () => {
  it("splits overlapping linked blocks and never counts an instant twice", () => {
    const slices = attribute(
      [
        { start: BASE, end: BASE + H, label: 1, linked: true, ref: 0 },
        { start: BASE + 30 * M, end: BASE + 90 * M, label: 2, linked: true, ref: 1 },
        { start: BASE, end: BASE + 2 * H, label: null, linked: false, ref: 2 },
      ],
      "UTC",
    );
    const byLabel = new Map(slices.map((s) => [s.label, s.ms / M]));
    expect(byLabel.get(1)).toBe(45);
    expect(byLabel.get(2)).toBe(45);
    expect(byLabel.get(null)).toBe(30);
    expect(slices.reduce((s, x) => s + x.ms, 0)).toBe(2 * H);
  });

  it("total equals the union of blocks", () => {
    const block = fc.record({ start: fc.integer({ min: 0, max: 10 * H }), length: fc.integer({ min: 0, max: 3 * H }), label: fc.constantFrom(1, 2, 3, null) });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 12 }), (raw) => {
        const blocks = raw.map((b, ref) => ({ start: BASE + b.start, end: BASE + b.start + b.length, label: b.label, linked: b.label !== null, ref }));
        const total = attribute(blocks, "Asia/Tokyo").reduce((s, x) => s + x.ms, 0);
        let union = 0;
        let reach = -Infinity;
        for (const b of [...blocks].sort((x, y) => x.start - y.start)) {
          if (b.end <= b.start) continue;
          const from = Math.max(b.start, reach);
          if (b.end > from) union += b.end - from;
          reach = Math.max(reach, b.end);
        }
        expect(Math.round(total)).toBe(union);
      }),
    );
  });
});

describe("allocate", () => {
  it("attributes commits, heartbeats and meetings to their issues", () => {
    const c1 = activity("commit", BASE + H);
    const c2 = activity("commit", BASE + 2 * H);
    const meeting = activity("meeting", BASE + 4 * H, BASE + 5 * H);
    const beats = [0, 5, 10, 15].map((m) => activity("ide_heartbeat", BASE + 6 * H + m * M));
    const links = [explicit(c1, 10), explicit(c2, 10), ...beats.map((b) => explicit(b, 20))];
    const { suggestions, days } = allocate({ activities: [c1, c2, meeting, ...beats], links, zones: new Map([[1, "UTC"]]) });

    const seconds = new Map(suggestions.map((s) => [s.issueId, s.seconds]));
    expect(seconds.get(10)).toBe(90 * 60); // 30 min before the first commit, then one hour between them
    expect(seconds.get(20)).toBe(15 * 60);
    expect(seconds.get(null)).toBe(60 * 60); // the meeting names no issue
    expect(days[0]?.meetingSeconds).toBe(3600);
    for (const s of suggestions) {
      expect(s.confidence).toBeGreaterThan(0);
      expect(s.confidence).toBeLessThan(1);
      expect(s.evidence.length).toBeGreaterThan(0);
    }
  });

  it("buckets days in the person's zone", () => {
    const late = activity("commit", Date.UTC(2025, 2, 10, 23, 50));
    const { suggestions } = allocate({ activities: [late], links: [explicit(late, 10)], zones: new Map([[1, "Europe/Berlin"]]) });
    expect(suggestions.map((s) => s.day)).toEqual(["2025-03-11"]);
  });

  it("removes out-of-office from capacity", () => {
    const ooo = activity("out_of_office", BASE, BASE, { dateOnly: true, localDate: "2025-03-10", localEndDate: "2025-03-10" });
    const work = activity("commit", BASE + H);
    const { days } = allocate({ activities: [ooo, work], links: [explicit(work, 10)], zones: new Map([[1, "UTC"]]) });
    expect(days[0]?.outOfOfficeSeconds).toBe(DEFAULT_ALLOCATION_OPTIONS.workdaySeconds);
    expect(days[0]?.capacitySeconds).toBe(0);
  });

  it("counts overlapping heartbeats of two machines once", () => {
    const a = [0, 2, 4, 6].map((m) => activity("ide_heartbeat", BASE + m * M, undefined, { machine: "a" }));
    const b = [1, 3, 5, 7].map((m) => activity("ide_heartbeat", BASE + m * M, undefined, { machine: "b" }));
    const links = [...a, ...b].map((x) => explicit(x, 10));
    const { suggestions } = allocate({ activities: [...a, ...b], links, zones: new Map([[1, "UTC"]]) });
    expect(suggestions.map((s) => s.seconds)).toEqual([7 * 60]);
  });
});
