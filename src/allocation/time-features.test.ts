import { describe, expect, it } from "vitest";
import { startOfDay } from "../domain/time.js";
import type { ActivityKind, ActivityRecord, LinkRecord } from "../domain/types.js";
import { allocate, allocateDetailed } from "./allocate.js";
import { TIME_FEATURE_NAMES, TimeFeatureIndex, USUAL_DAY_HISTORY, type TimeFeatureName } from "./time-features.js";

const H = 3_600_000;
const M = 60_000;
const ZONE = "America/Los_Angeles";

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
    tz: ZONE,
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

/** Local instant in the test zone, so the test reads the same under every host TZ. */
function at(day: string, hours: number): number {
  return startOfDay(day, ZONE) + hours * H;
}

function valueOf(values: readonly number[], name: TimeFeatureName): number {
  return values[TIME_FEATURE_NAMES.indexOf(name)] ?? Number.NaN;
}

/** A working day: two commits and heartbeats on issue 10, a linked meeting, a Jira action on issue 20. */
function workday(day: string): { activities: ActivityRecord[]; links: LinkRecord[] } {
  const c1 = activity("commit", at(day, 9), undefined, { metrics: { linesAdded: 40, linesDeleted: 5, filesChanged: 3 } });
  const c2 = activity("commit", at(day, 10), undefined, { metrics: { linesAdded: 10, linesDeleted: 1, filesChanged: 1 } });
  const beats = [0, 5, 10, 15].map((m) => activity("ide_heartbeat", at(day, 10) + m * M, undefined, { machine: "laptop" }));
  const meeting = activity("meeting", at(day, 11), at(day, 11.5));
  const action = activity("issue_action", at(day, 12));
  const standup = activity("meeting", at(day, 8), at(day, 8.25));
  const links = [c1, c2, ...beats, meeting].map((a) => explicit(a, 10));
  links.push(explicit(action, 20));
  return { activities: [c1, c2, ...beats, meeting, action, standup], links };
}

describe("allocateDetailed", () => {
  it("keeps allocate's suggestions and days", () => {
    const { activities, links } = workday("2025-03-10");
    const input = { activities, links, zones: new Map([[1, ZONE]]) };
    const detailed = allocateDetailed(input);
    expect({ suggestions: detailed.suggestions, days: detailed.days }).toEqual(allocate(input));
    expect(detailed.details.map((d) => d.suggestion)).toEqual(detailed.suggestions);
  });

  it("reports sources, counts, hours and day", () => {
    const { activities, links } = workday("2025-03-10");
    const { details } = allocateDetailed({ activities, links, zones: new Map([[1, ZONE]]) });
    const ticket = details.find((d) => d.suggestion.issueId === 10);
    expect(ticket?.zone).toBe(ZONE);
    // Commit session 08:30 to 10:00, heartbeats 10:00 to 10:15, meeting 11:00 to 11:30.
    expect(ticket?.breakdown.sourceSeconds).toEqual({ ide: 900, meeting: 1800, focus: 0, commit: 5400, pull_request: 0, issue_action: 0 });
    expect(ticket?.breakdown.counts).toEqual({ commits: 2, linesAdded: 50, linesDeleted: 6, filesChanged: 4, issueActions: 0, pullRequests: 0, meetings: 1, heartbeats: 4, machines: 1 });
    expect(ticket?.breakdown.firstLocalHour).toBe(9);
    expect(ticket?.breakdown.lastLocalHour).toBe(11.5);
    expect(ticket?.breakdown.day).toEqual({ workedSeconds: 9300, linkedSeconds: 8400, meetingSeconds: 2700, outOfOfficeSeconds: 0, tickets: 2, weekday: 1 });

    const action = details.find((d) => d.suggestion.issueId === 20);
    expect(action?.breakdown.sourceSeconds.issue_action).toBe(300);
    expect(action?.breakdown.counts.issueActions).toBe(1);
  });
});

describe("TimeFeatureIndex", () => {
  const days = ["2025-03-10", "2025-03-11", "2025-03-12", "2025-03-13"];

  const build = (extra: ActivityRecord[] = []) => {
    const parts = days.map(workday);
    const activities = [...parts.flatMap((p) => p.activities), ...extra];
    const links = [...parts.flatMap((p) => p.links), ...extra.map((a) => explicit(a, 30))];
    return new TimeFeatureIndex(allocateDetailed({ activities, links, zones: new Map([[1, ZONE]]) }));
  };

  it("names every value", () => {
    const row = build().rowFor(1, "2025-03-10", 10);
    expect(row.values).toHaveLength(TIME_FEATURE_NAMES.length);
    expect(valueOf(row.values, "deterministic_seconds")).toBe(row.deterministicSeconds);
    expect(valueOf(row.values, "share_of_day")).toBeCloseTo(row.deterministicSeconds / 9300);
    expect(row.meetingSeconds).toBe(1800);
  });

  it("usual day uses earlier days only", () => {
    const index = build();
    expect(Number.isNaN(valueOf(index.rowFor(1, "2025-03-10", 10).values, "usual_day_seconds"))).toBe(true);
    expect(valueOf(index.rowFor(1, "2025-03-12", 10).values, "usual_day_seconds")).toBe(9300);
    expect(USUAL_DAY_HISTORY).toBe(20);
  });

  it("later day leaves earlier features unchanged", () => {
    const before = build();
    // Six hours of heartbeats on the last day, on a new issue.
    const late = Array.from({ length: 72 }, (_, i) => activity("ide_heartbeat", at("2025-03-13", 13) + i * 5 * M));
    const after = build(late);
    expect(valueOf(after.rowFor(1, "2025-03-13", 30).values, "day_worked_seconds")).toBeGreaterThan(9300);
    for (const day of days.slice(0, 3)) {
      for (const issueId of [10, 20]) expect(after.rowFor(1, day, issueId).values).toEqual(before.rowFor(1, day, issueId).values);
    }
  });

  it("fills day context without a suggestion", () => {
    const row = build().rowFor(1, "2025-03-11", 99);
    expect(row.deterministicSeconds).toBe(0);
    expect(valueOf(row.values, "day_worked_seconds")).toBe(9300);
    expect(valueOf(row.values, "day_tickets")).toBe(2);
    expect(valueOf(row.values, "usual_day_seconds")).toBe(9300);
    expect(Number.isNaN(valueOf(row.values, "first_local_hour"))).toBe(true);
  });
});
