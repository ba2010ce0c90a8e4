import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { issueId, openApiTestApp, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

interface Suggestion {
  id: string;
  day: string;
  issueKey: string | null;
  seconds: number;
  status: string;
  evidence: unknown[];
  changedSinceReview: boolean;
  review: { id: number; decidedBy: string } | null;
  worklog: { id: number; issueKey: string; seconds: number } | null;
}

interface Recompute {
  activities: number;
  linked: { explicit: number; ranked: number };
  unlinked: number;
  suggestions: number;
  seconds: number;
  range: { from: string; to: string };
}

const RANGE = { from: "2025-03-10", to: "2025-03-12" };
/** A value no response or log line should contain; tests send it where validation fails. */
const MARKER = "zq-secret-marker-7390";

describe.each(BACKENDS)("suggestion recompute route on %s", (backend) => {
  let t: ApiTestApp;
  let devDay1: string;
  let otherDay1: string;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    await seedSuggestions(t.base.handle.store);
    const proj1 = await issueId(t, "PROJ-1");
    const proj2 = await issueId(t, "PROJ-2");
    devDay1 = `${String(t.devId)}:2025-03-10:${String(proj1)}`;
    otherDay1 = `${String(t.otherId)}:2025-03-10:${String(proj2)}`;
  });
  afterEach(async () => {
    expect(t.logs()).not.toContain(MARKER);
    await t.close();
  });

  async function list(): Promise<Suggestion[]> {
    const response = await t.as("admin", { url: `/suggestions?from=${RANGE.from}&to=${RANGE.to}` });
    expect(response.statusCode).toBe(200);
    return response.json<{ data: Suggestion[] }>().data;
  }

  async function recompute(payload: Record<string, unknown> = RANGE) {
    return t.as("admin", { method: "POST", url: "/suggestions/recompute", payload });
  }

  it("writes the range's suggestions", async () => {
    const before = await list();
    const store = t.base.handle.store;
    await store.transaction((tx) => tx.results.replaceSuggestions(RANGE.from, RANGE.to, []));
    await store.transaction((tx) => tx.results.replaceLinks([], []));
    expect(await list()).toEqual([]);

    const response = await recompute();
    expect(response.statusCode).toBe(200);
    // The seed contains 138 heartbeats on branches that name an issue and 2 Jira comments.
    expect(response.json<{ data: Recompute }>().data).toEqual({
      activities: 140,
      linked: { explicit: 140, ranked: 0 },
      unlinked: 0,
      suggestions: 3,
      seconds: 7200 + 3600 + 5400,
      range: RANGE,
    });
    expect(await list()).toEqual(before);
  });

  it("keeps the decisions people made", async () => {
    const accepted = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    expect(accepted.statusCode).toBe(200);
    const rejected = await t.as("other", { method: "POST", url: `/suggestions/${otherDay1}/reject` });
    expect(rejected.statusCode).toBe(200);
    const store = t.base.handle.store;
    await store.transaction((tx) => tx.results.replaceSuggestions("2025-03-12", "2025-03-12", [
      { personId: t.devId, day: "2025-03-12", issueId: null, seconds: 1800, confidence: 0.2, evidence: [{ kind: "ide_heartbeat", detail: "editor activity at 15:00", at: Date.UTC(2025, 2, 12, 15) }] },
    ]));
    const unlinkedId = `${String(t.devId)}:2025-03-12:unlinked`;
    const edited = await t.as("dev", { method: "POST", url: `/suggestions/${unlinkedId}/edit`, payload: { issueKey: "PROJ-2" } });
    expect(edited.statusCode).toBe(200);
    const before = await list();
    const reviews = await store.reviews.list();
    expect(reviews).toHaveLength(3);

    const response = await recompute();
    expect(response.statusCode).toBe(200);
    expect(response.json<{ data: Recompute }>().data.suggestions).toBe(3);

    expect(await store.reviews.list()).toEqual(reviews);
    const after = await list();
    // A decision without a current suggestion is listed without evidence and marked as changed. Everything else stays.
    const stable = (suggestions: Suggestion[]) => suggestions.map(({ evidence: _evidence, changedSinceReview: _changed, ...rest }) => rest);
    expect(stable(after)).toEqual(stable(before));
    expect(after.find((s) => s.id === devDay1)).toMatchObject({ status: "accepted", changedSinceReview: false, review: { decidedBy: `person:${String(t.devId)}` }, worklog: { issueKey: "PROJ-1", seconds: 7200 } });
    expect(after.find((s) => s.id === otherDay1)).toMatchObject({ status: "rejected", changedSinceReview: false, worklog: null });
    // Allocation no longer produces the unlinked suggestion, but its decision is still listed with the time it was reviewed with.
    expect(await store.results.suggestions("2025-03-12", "2025-03-12")).toEqual([]);
    expect(after.find((s) => s.id === unlinkedId)).toMatchObject({ status: "edited", seconds: 1800, evidence: [], changedSinceReview: true, worklog: { issueKey: "PROJ-2", seconds: 1800 } });
    expect(await store.worklogs.list({ origin: "confirmed" })).toHaveLength(2);
  });

  it("cuts days in a zone set through the API", async () => {
    const zone = await t.as("dev", { method: "PUT", url: `/people/${String(t.devId)}/zone`, payload: { tz: "Pacific/Kiritimati" } });
    expect(zone.statusCode).toBe(200);
    const response = await recompute();
    expect(response.statusCode).toBe(200);
    // UTC+14: the heartbeats from 09:00 to 11:00 UTC on 03-10 cross local midnight, and those from 13:00 UTC on 03-11 fall on 03-12.
    const dev = (await list()).filter((s) => s.id.startsWith(`${String(t.devId)}:`));
    expect(dev.map((s) => [s.day, s.seconds])).toEqual([
      ["2025-03-10", 3600],
      ["2025-03-11", 3600],
      ["2025-03-12", 3600],
    ]);
  });

  it("needs the admin token", async () => {
    const before = await list();
    await t.base.handle.store.transaction((tx) => tx.results.replaceSuggestions(RANGE.from, RANGE.to, []));
    const response = await t.as("dev", { method: "POST", url: "/suggestions/recompute", payload: RANGE });
    expect(response.statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: "POST", url: "/api/worklens/v1/suggestions/recompute", payload: RANGE });
    expect(anonymous.statusCode).toBe(401);
    expect(await list()).toEqual([]);
    expect(before).toHaveLength(3);
  });

  it("rejects ranges over 366 days", async () => {
    const long = await recompute({ from: "2024-01-01", to: "2025-01-01" });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({
      error: "invalid range: 367 days from 2024-01-01 to 2025-01-01, more than the 366 days one request may cover",
      hint: "split the range into requests of at most 366 days each",
    });
    const backwards = await recompute({ from: "2025-03-12", to: "2025-03-10" });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json<{ error: string }>().error).toBe("invalid range: to is before from");
    expect(await list()).toHaveLength(3);
  });

  it("rejects invalid bodies without echoing them", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ from: MARKER, to: "2025-03-12" }, "invalid request: body.from: invalid_format (must be a calendar day as YYYY-MM-DD)"],
      [{ from: "2025-02-30", to: "2025-03-12" }, "invalid request: body.from: invalid_format (must be a calendar day as YYYY-MM-DD)"],
      [{ from: "2025-03-10" }, "invalid request: body.to: invalid_type (is required)"],
      [{ ...RANGE, [MARKER]: 1 }, "invalid request: body: unrecognized_keys (remove the fields this route does not take)"],
    ];
    for (const [payload, error] of cases) {
      const response = await recompute(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: string }>().error).toBe(error);
      expect(response.body).not.toContain(MARKER);
    }
    const empty = await t.as("admin", { method: "POST", url: "/suggestions/recompute" });
    expect(empty.statusCode).toBe(400);
    expect(empty.json<{ error: string }>().error).toContain("body: invalid_type");
  });
});
