import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { issueId, NOW, openApiTestApp, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

interface Worklog {
  id: number;
  issueKey: string;
  personId: number | null;
  origin: string;
  comment: string | null;
  writeBack: string | null;
  lastError: string | null;
  attempts: number;
}

const RANGE = "from=2025-03-10&to=2025-03-12";

describe.each(BACKENDS)("worklog routes on %s", (backend) => {
  let t: ApiTestApp;
  let devWorklog: number;
  let otherWorklog: number;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    const store = t.base.handle.store;
    await seedSuggestions(store);
    const proj1 = await issueId(t, "PROJ-1");
    const proj2 = await issueId(t, "PROJ-2");
    await t.as("dev", { method: "POST", url: `/suggestions/${String(t.devId)}:2025-03-10:${String(proj1)}/edit`, payload: { comment: "parser fix" } });
    await t.as("other", { method: "POST", url: `/suggestions/${String(t.otherId)}:2025-03-10:${String(proj2)}/accept` });
    const confirmed = await store.worklogs.list({ origin: "confirmed" });
    devWorklog = confirmed.find((w) => w.personId === t.devId)?.id ?? 0;
    otherWorklog = confirmed.find((w) => w.personId === t.otherId)?.id ?? 0;
    // A worklog read from Jira, whose comment the API must not serve.
    await store.issues.upsertWorklog({ sourceId: "jira:worklog:555", issueId: proj2, personId: t.devId, startedAt: Date.UTC(2025, 2, 11, 8), tz: "UTC", day: "2025-03-11", seconds: 1800, origin: "jira", comment: "jira-only comment text" });
  });
  afterEach(async () => {
    await t.close();
  });

  async function list(principal: "dev" | "other" | "admin", query = RANGE): Promise<Worklog[]> {
    const response = await t.as(principal, { url: `/worklogs?${query}` });
    expect(response.statusCode).toBe(200);
    return response.json<{ data: Worklog[] }>().data;
  }

  it("lists a person's own worklogs", async () => {
    const own = await list("dev");
    expect(own.map((w) => [w.issueKey, w.origin, w.writeBack])).toEqual([
      ["PROJ-1", "confirmed", "pending"],
      ["PROJ-2", "jira", null],
    ]);
    expect(own[0]?.comment).toBe("parser fix");
    expect(own[1]?.comment).toBeNull();
  });

  it("lists everyone's worklogs for the admin", async () => {
    expect((await list("admin")).map((w) => w.personId)).toEqual([t.devId, t.otherId, t.devId]);
    expect((await list("admin", `${RANGE}&person=${String(t.otherId)}`)).map((w) => w.id)).toEqual([otherWorklog]);
  });

  it("filters by origin and write-back state", async () => {
    expect((await list("admin", `${RANGE}&origin=jira`)).map((w) => w.origin)).toEqual(["jira"]);
    await t.base.handle.store.worklogs.markFailed(devWorklog, "Jira returned 400: issue is closed", undefined);
    expect((await list("admin", `${RANGE}&writeBack=failed`)).map((w) => w.id)).toEqual([devWorklog]);
    expect((await list("admin", `${RANGE}&writeBack=pending`)).map((w) => w.id)).toEqual([otherWorklog]);
  });

  it("never serves Jira worklog comments", async () => {
    const response = await t.as("admin", { url: `/worklogs?${RANGE}` });
    expect(response.body).not.toContain("jira-only comment text");
  });

  it("rejects the person parameter for a key", async () => {
    const response = await t.as("dev", { url: `/worklogs?${RANGE}&person=${String(t.otherId)}` });
    expect(response.statusCode).toBe(403);
  });

  it("retry makes a failed write-back pending", async () => {
    await t.base.handle.store.worklogs.markFailed(devWorklog, "Jira returned 503", undefined);
    const before = t.integrations.writeBackRequests;
    const response = await t.as("dev", { method: "POST", url: `/worklogs/${String(devWorklog)}/retry-write-back` });
    expect(response.statusCode).toBe(202);
    const body = response.json<{ data: Worklog; writeBackJob: string | null }>();
    expect(body.data).toMatchObject({ id: devWorklog, writeBack: "pending", lastError: "Jira returned 503" });
    expect(t.integrations.writeBackRequests).toBe(before + 1);
  });

  it("retry of a pending write-back returns 409", async () => {
    const response = await t.as("dev", { method: "POST", url: `/worklogs/${String(devWorklog)}/retry-write-back` });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: string }>().error).toBe(`worklog ${String(devWorklog)} has write-back state pending, not failed`);
  });

  it("retry of a Jira worklog returns 409", async () => {
    const jira = (await list("dev")).find((w) => w.origin === "jira");
    const response = await t.as("dev", { method: "POST", url: `/worklogs/${String(jira?.id ?? 0)}/retry-write-back` });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: string }>().error).toContain("was read from Jira");
  });

  it("retry of another's worklog returns 403", async () => {
    await t.base.handle.store.worklogs.markFailed(otherWorklog, "Jira returned 503", NOW + 60_000);
    const response = await t.as("dev", { method: "POST", url: `/worklogs/${String(otherWorklog)}/retry-write-back` });
    expect(response.statusCode).toBe(403);
    expect((await t.base.handle.store.worklogs.get(otherWorklog))?.writeBack).toBe("failed");

    const admin = await t.as("admin", { method: "POST", url: `/worklogs/${String(otherWorklog)}/retry-write-back` });
    expect(admin.statusCode).toBe(202);
  });

  it("retry of an unknown worklog returns 404", async () => {
    const response = await t.as("admin", { method: "POST", url: "/worklogs/99999/retry-write-back" });
    expect(response.statusCode).toBe(404);
    expect(response.json<{ error: string }>().error).toBe("worklog 99999 not found");
  });
});
