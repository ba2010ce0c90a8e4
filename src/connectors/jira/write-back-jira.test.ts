import { describe, expect, it } from "vitest";
import type { WorklogEntry } from "../../store/worklog-repository.js";
import { describeFailure, failureOf, retryTime } from "./write-back-failure.js";
import { findExisting, worklogBody, type RemoteWorklog } from "./write-back-jira.js";
import { HttpStatusError } from "../http/client.js";
import { WorklensError } from "../../domain/errors.js";

const STARTED = Date.parse("2025-03-10T08:00:00Z");

function entry(change: Partial<WorklogEntry> = {}): WorklogEntry {
  return {
    id: 7,
    sourceId: "worklens:abc",
    issueId: 1,
    issueKey: "PROJ-1",
    personId: 1,
    startedAt: STARTED,
    tz: "Europe/Berlin",
    day: "2025-03-10",
    seconds: 3600,
    origin: "confirmed",
    comment: null,
    writeBack: "pending",
    remoteId: null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    writtenAt: null,
    ...change,
  };
}

function remote(id: string, change: Partial<RemoteWorklog> = {}): RemoteWorklog {
  return { id, startedAt: STARTED, seconds: 3600, markerId: undefined, authorIds: ["acc-other"], ...change };
}

describe("findExisting", () => {
  it("prefers our marker over an earlier match", () => {
    const found = findExisting(entry(), [remote("1"), remote("2", { markerId: "worklens:abc", seconds: 60 })], new Set(), {});

    expect(found).toEqual({ id: "2", kind: "marker" });
  });

  it("matches the start minute, not the second", () => {
    const found = findExisting(entry({ startedAt: STARTED + 37_000 }), [remote("1")], new Set(), {});

    expect(found).toEqual({ id: "1", kind: "started-and-seconds" });
  });

  it("ignores another minute or duration", () => {
    const worklogs = [remote("1", { startedAt: STARTED + 60_000 }), remote("2", { seconds: 3540 }), remote("3", { startedAt: undefined })];

    expect(findExisting(entry(), worklogs, new Set(), {})).toBeUndefined();
  });

  it("skips worklogs of other rows", () => {
    const worklogs = [remote("1", { markerId: "worklens:other" }), remote("2")];

    expect(findExisting(entry(), worklogs, new Set(["2"]), {})).toBeUndefined();
  });

  it("prefers the person's own worklog", () => {
    const worklogs = [remote("1"), remote("2", { authorIds: ["acc-1"] })];

    expect(findExisting(entry(), worklogs, new Set(), { accountId: "acc-1" })?.id).toBe("2");
    expect(findExisting(entry(), worklogs, new Set(), { personName: "acc-1" })?.id).toBe("2");
    expect(findExisting(entry(), worklogs, new Set(), {})?.id).toBe("1");
  });
});

describe("worklogBody", () => {
  it("formats started in the stored zone", () => {
    const summer = entry({ startedAt: Date.parse("2025-07-01T07:05:09.250Z") });

    expect(worklogBody(summer, "data-center")["started"]).toBe("2025-07-01T09:05:09.250+0200");
    expect(worklogBody(entry({ tz: "America/Los_Angeles" }), "cloud")["started"]).toBe("2025-03-10T01:00:00.000-0700");
  });

  it("uses the default comment for blank text", () => {
    expect(worklogBody(entry({ comment: "  \n " }), "data-center")["comment"]).toBe("Logged with worklens");
  });
});

describe("write-back failures", () => {
  const status = (code: number) => new HttpStatusError("INVALID_INPUT", code, "/rest/api/3/issue/PROJ-1/worklog", `POST /rest/api/3/issue/PROJ-1/worklog failed with HTTP ${code}`, "hint");

  it("gives up on 400, 404 and 410 only", () => {
    expect([400, 401, 403, 404, 409, 410, 500, 502].map((code) => failureOf(status(code)).permanent)).toEqual([true, false, false, true, false, true, false, false]);
    expect(failureOf(new WorklensError("INVALID_INPUT", "GET /x timed out after 5 attempts")).permanent).toBe(false);
  });

  it("backs off 1 min, 5 min, 30 min, 2 h", () => {
    expect([0, 1, 2, 3, 4].map((attempts) => retryTime(attempts, 0))).toEqual([60_000, 300_000, 1_800_000, 7_200_000, undefined]);
  });

  it("names the worklog and the issue", () => {
    const described = describeFailure(entry({ attempts: 4 }), { reason: "timed out", permanent: false }, 0);

    expect(described).toEqual({ error: "worklog 7 on PROJ-1: timed out; gave up after 5 attempts", retryAt: undefined });
  });

  it("caps the stored error length", () => {
    const described = describeFailure(entry(), { reason: "x".repeat(2_000), permanent: true }, 0);

    expect(described.error).toHaveLength(500);
  });
});
