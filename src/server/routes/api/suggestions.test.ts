import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { issueId, openApiTestApp, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

interface Suggestion {
  id: string;
  personId: number;
  day: string;
  issueId: number | null;
  issueKey: string | null;
  seconds: number;
  confidence: number;
  status: string;
  review: { id: number; decidedAt: string; decidedBy: string } | null;
  worklog: { id: number; issueKey: string; seconds: number; startedAt: string; writeBack: string | null } | null;
}

const RANGE = "from=2025-03-10&to=2025-03-12";

describe.each(BACKENDS)("suggestion routes on %s", (backend) => {
  let t: ApiTestApp;
  let devDay1: string;
  let devDay2: string;
  let otherDay1: string;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    await seedSuggestions(t.base.handle.store);
    const proj1 = await issueId(t, "PROJ-1");
    const proj2 = await issueId(t, "PROJ-2");
    devDay1 = `${String(t.devId)}:2025-03-10:${String(proj1)}`;
    devDay2 = `${String(t.devId)}:2025-03-11:${String(proj1)}`;
    otherDay1 = `${String(t.otherId)}:2025-03-10:${String(proj2)}`;
  });
  afterEach(async () => {
    await t.close();
  });

  async function list(principal: "dev" | "other" | "admin", query = RANGE): Promise<Suggestion[]> {
    const response = await t.as(principal, { url: `/suggestions?${query}` });
    expect(response.statusCode).toBe(200);
    return response.json<{ data: Suggestion[] }>().data;
  }

  it("lists a person's own suggestions", async () => {
    const own = await list("dev");
    expect(own.map((s) => s.id)).toEqual([devDay1, devDay2]);
    expect(own[0]).toMatchObject({ issueKey: "PROJ-1", seconds: 7200, status: "pending", review: null, worklog: null });
  });

  it("lists everyone's suggestions for the admin", async () => {
    const all = await list("admin");
    expect(all.map((s) => s.id)).toEqual([devDay1, otherDay1, devDay2]);
    const other = await list("admin", `${RANGE}&person=${String(t.otherId)}`);
    expect(other.map((s) => s.id)).toEqual([otherDay1]);
  });

  it("lets a team's manager read a member", async () => {
    const store = t.base.handle.store;
    const team = await store.teams.create({ name: "crawler", managerPersonId: t.devId });
    await store.teams.setMember(team.id, t.otherId, { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: "UTC" });
    const member = await list("dev", `${RANGE}&person=${String(t.otherId)}`);
    expect(member.map((s) => s.id)).toEqual([otherDay1]);
    const worklogs = await t.as("dev", { url: `/worklogs?${RANGE}&person=${String(t.otherId)}` });
    expect(worklogs.statusCode, worklogs.body).toBe(200);

    // The member is not the manager of the manager's team, so the reverse stays closed.
    const reverse = await t.as("other", { url: `/suggestions?${RANGE}&person=${String(t.devId)}` });
    expect(reverse.statusCode).toBe(403);
  });

  it("rejects the person parameter for a key", async () => {
    const response = await t.as("dev", { url: `/suggestions?${RANGE}&person=${String(t.otherId)}` });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: expect.stringContaining("only for the admin token and for managers") as unknown, hint: "leave out person" });

    const ownId = await t.as("dev", { url: `/suggestions?${RANGE}&person=${String(t.devId)}` });
    expect(ownId.statusCode).toBe(403);
  });

  it("rejects requests without a key", async () => {
    const response = await t.app.inject({ url: `/api/worklens/v1/suggestions?${RANGE}` });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toContain("Bearer");
    const wrong = await t.app.inject({ url: `/api/worklens/v1/suggestions?${RANGE}`, headers: { authorization: "Bearer not-a-key" } });
    expect(wrong.statusCode).toBe(401);
  });

  it("accept stores a worklog pending write-back", async () => {
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ data: Suggestion; writeBackJob: string | null }>();
    expect(body.writeBackJob).toBe("write-back-1");
    expect(t.integrations.writeBackRequests).toBe(1);
    expect(body.data).toMatchObject({ id: devDay1, status: "accepted", review: { decidedBy: `person:${String(t.devId)}` }, worklog: { issueKey: "PROJ-1", seconds: 7200, writeBack: "pending" } });
    // The earliest heartbeat of the day is the start.
    expect(body.data.worklog?.startedAt).toBe("2025-03-10T09:00:00.000Z");

    const worklogs = await t.as("dev", { url: `/worklogs?${RANGE}` });
    expect(worklogs.json<{ data: { issueKey: string; writeBack: string; origin: string }[] }>().data).toEqual([expect.objectContaining({ issueKey: "PROJ-1", writeBack: "pending", origin: "confirmed" })]);

    const accepted = await list("dev", `${RANGE}&status=accepted`);
    expect(accepted.map((s) => s.id)).toEqual([devDay1]);
  });

  it("accept with an empty JSON body works", async () => {
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept`, headers: { "content-type": "application/json" }, payload: "" });
    expect(response.statusCode).toBe(200);
  });

  it("double accept returns 409", async () => {
    const first = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    expect(first.statusCode).toBe(200);
    const second = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: expect.stringContaining("already decided") as unknown, hint: "undo the decision first to decide again" });
    const worklogs = await t.base.handle.store.worklogs.list({ origin: "confirmed" });
    expect(worklogs).toHaveLength(1);
  });

  it("undo makes the suggestion pending again", async () => {
    await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    const undo = await t.as("dev", { method: "DELETE", url: `/suggestions/${devDay1}/decision` });
    expect(undo.statusCode).toBe(200);
    expect(undo.json<{ data: Suggestion }>().data).toMatchObject({ id: devDay1, status: "pending", review: null, worklog: null });
    expect(await t.base.handle.store.worklogs.list({ origin: "confirmed" })).toEqual([]);

    const again = await t.as("dev", { method: "DELETE", url: `/suggestions/${devDay1}/decision` });
    expect(again.statusCode).toBe(404);
    const accept = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    expect(accept.statusCode).toBe(200);
  });

  it("undo of a written worklog returns 409", async () => {
    await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    const [worklog] = await t.base.handle.store.worklogs.list({ origin: "confirmed" });
    if (worklog === undefined) throw new Error("accept stored no worklog");
    await t.base.handle.store.worklogs.markWritten(worklog.id, "20001", Date.UTC(2025, 2, 13));
    const undo = await t.as("dev", { method: "DELETE", url: `/suggestions/${devDay1}/decision` });
    expect(undo.statusCode).toBe(409);
    expect(undo.json<{ error: string }>().error).toContain("already written to Jira");
  });

  it("edit stores the changes as an edited decision", async () => {
    const response = await t.as("dev", {
      method: "POST",
      url: `/suggestions/${devDay1}/edit`,
      payload: { seconds: 5400, issueKey: "PROJ-2", comment: "pairing on the parser", startedAt: "2025-03-10T10:30:00+01:00" },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ data: Suggestion }>();
    expect(body.data).toMatchObject({ status: "edited", worklog: { issueKey: "PROJ-2", seconds: 5400, startedAt: "2025-03-10T09:30:00.000Z", writeBack: "pending" } });
    const [worklog] = await t.base.handle.store.worklogs.list({ origin: "confirmed" });
    expect(worklog?.comment).toBe("pairing on the parser");
    expect(t.integrations.writeBackRequests).toBe(1);
  });

  it("edit rejects a start on another day", async () => {
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/edit`, payload: { startedAt: "2025-03-11T10:00:00Z" } });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toContain("not on the suggestion's day 2025-03-10");
  });

  it("edit needs at least one change", async () => {
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/edit`, payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toContain("body: custom (send at least one of seconds");
    const missing = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/edit` });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ error: string }>().error).toContain("body: invalid_type");
  });

  it("edit of an unknown issue key returns 404", async () => {
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/edit`, payload: { issueKey: "NOPE-9" } });
    expect(response.statusCode).toBe(404);
    expect(response.json<{ error: string }>().error).toBe("issue NOPE-9 is not in the store");
  });

  it("reject stores the decision without a worklog", async () => {
    const response = await t.as("admin", { method: "POST", url: `/suggestions/${otherDay1}/reject` });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ data: Suggestion }>().data).toMatchObject({ status: "rejected", review: { decidedBy: "admin" }, worklog: null });
    expect(await t.base.handle.store.worklogs.list({ origin: "confirmed" })).toEqual([]);
    expect(t.integrations.writeBackRequests).toBe(0);
  });

  it("a person cannot decide another's suggestion", async () => {
    for (const [method, action] of [["POST", "accept"], ["POST", "reject"], ["DELETE", "decision"]] as const) {
      const response = await t.as("dev", { method, url: `/suggestions/${otherDay1}/${action}` });
      expect(response.statusCode).toBe(403);
      expect(response.json<{ error: string }>().error).toBe(`suggestion ${otherDay1} belongs to another person`);
    }
    const edit = await t.as("dev", { method: "POST", url: `/suggestions/${otherDay1}/edit`, payload: { seconds: 600 } });
    expect(edit.statusCode).toBe(403);
    expect(await t.base.handle.store.reviews.list()).toEqual([]);
  });

  it("admin decides anyone's suggestion", async () => {
    const response = await t.as("admin", { method: "POST", url: `/suggestions/${otherDay1}/accept` });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ data: Suggestion }>().data.review?.decidedBy).toBe("admin");
  });

  it("unknown suggestion returns 404", async () => {
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${String(t.devId)}:2025-03-12:999/accept` });
    expect(response.statusCode).toBe(404);
    expect(response.json<{ error: string }>().error).toContain("no suggestion");
  });

  it("unlinked time needs an issue key", async () => {
    const store = t.base.handle.store;
    await store.results.replaceSuggestions("2025-03-12", "2025-03-12", [
      { personId: t.devId, day: "2025-03-12", issueId: null, seconds: 1800, confidence: 0.2, evidence: [{ kind: "ide_heartbeat", detail: "editor activity at 15:00", at: Date.UTC(2025, 2, 12, 15) }] },
    ]);
    const id = `${String(t.devId)}:2025-03-12:unlinked`;
    expect((await list("dev", "from=2025-03-12&to=2025-03-12")).map((s) => s.id)).toEqual([id]);

    const plain = await t.as("dev", { method: "POST", url: `/suggestions/${id}/accept` });
    expect(plain.statusCode).toBe(400);
    expect(plain.json<{ error: string }>().error).toBe("unlinked time needs an issue to be logged on");

    const edited = await t.as("dev", { method: "POST", url: `/suggestions/${id}/edit`, payload: { issueKey: "PROJ-2" } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json<{ data: Suggestion }>().data).toMatchObject({ id, status: "edited", worklog: { issueKey: "PROJ-2", seconds: 1800, startedAt: "2025-03-12T15:00:00.000Z" } });
  });

  it("bulk accept counts accepted and skipped suggestions", async () => {
    await t.as("admin", { method: "POST", url: `/suggestions/${devDay2}/reject` });
    const response = await t.as("admin", { method: "POST", url: "/suggestions/bulk-accept", payload: { from: "2025-03-10", to: "2025-03-12" } });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ data: { accepted: number; skipped: { id: string; reason: string }[] }; writeBackJob: string | null }>();
    expect(body.data.accepted).toBe(2);
    expect(body.data.skipped).toEqual([expect.objectContaining({ id: devDay2, reason: "already decided" })]);
    expect(body.writeBackJob).toBe("write-back-1");
    const decided = await list("admin");
    expect(decided.map((s) => s.status)).toEqual(["accepted", "accepted", "rejected"]);
    expect(decided.every((s) => s.review?.decidedBy === "admin")).toBe(true);
  });

  it("bulk accept by a person takes only their own", async () => {
    const response = await t.as("other", { method: "POST", url: "/suggestions/bulk-accept", payload: { from: "2025-03-10", to: "2025-03-12" } });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ data: { accepted: number } }>().data.accepted).toBe(1);
    const all = await list("admin");
    expect(all.filter((s) => s.status === "accepted").map((s) => s.id)).toEqual([otherDay1]);
    expect(all.find((s) => s.id === otherDay1)?.review?.decidedBy).toBe(`person:${String(t.otherId)}`);

    const forbidden = await t.as("other", { method: "POST", url: "/suggestions/bulk-accept", payload: { from: "2025-03-10", to: "2025-03-12", person: t.devId } });
    expect(forbidden.statusCode).toBe(403);
  });

  it("bulk accept skips suggestions below minConfidence", async () => {
    const response = await t.as("admin", { method: "POST", url: "/suggestions/bulk-accept", payload: { from: "2025-03-10", to: "2025-03-12", person: t.devId, minConfidence: 0.99 } });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ data: { accepted: number; skipped: { reason: string }[] }; writeBackJob: string | null }>();
    expect(body.data.accepted).toBe(0);
    expect(body.data.skipped.map((s) => s.reason)).toEqual(["confidence 0.94 is below 0.99", "confidence 0.94 is below 0.99"]);
    expect(body.writeBackJob).toBeNull();
    expect(t.integrations.writeBackRequests).toBe(0);
  });

  it("decisions work without integrations", async () => {
    const response = await t.bare.inject({ method: "POST", url: `/api/worklens/v1/suggestions/${devDay1}/accept`, headers: { authorization: `Bearer ${t.devKey}` } });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ writeBackJob: string | null }>().writeBackJob).toBeNull();
  });

  it("a failing write-back request keeps the decision", async () => {
    t.integrations.requestWriteBack = () => Promise.reject(new Error("queue is down"));
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${devDay1}/accept` });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ writeBackJob: string | null }>().writeBackJob).toBeNull();
    expect(t.logs()).toContain("queueing the write-back failed");
    expect((await list("dev")).find((s) => s.id === devDay1)?.status).toBe("accepted");
  });
});
