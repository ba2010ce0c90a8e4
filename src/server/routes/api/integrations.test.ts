import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { TEST_ADMIN_TOKEN } from "../../test-support/app.js";
import { openApiTestApp, type ApiTestApp } from "./test-support/api-app.js";

describe.each(BACKENDS)("integration routes on %s", (backend) => {
  let t: ApiTestApp;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
  });
  afterEach(async () => {
    await t.close();
  });

  it("admin lists integrations with their runs", async () => {
    const response = await t.as("admin", { url: "/integrations" });
    expect(response.statusCode).toBe(200);
    const { data } = response.json<{ data: Record<string, unknown>[] }>();
    expect(data).toHaveLength(2);
    expect(data[0]).toEqual({
      name: "jira-main",
      kind: "jira",
      target: "example.atlassian.net",
      everyMinutes: 15,
      writeBack: true,
      lastRun: { id: 7, kind: "sync", status: "succeeded", startedAt: "2025-03-13T11:00:00.000Z", finishedAt: "2025-03-13T11:01:40.000Z", summary: { issues: 3 }, error: null },
      lastSuccess: expect.objectContaining({ id: 7 }) as unknown,
    });
    expect(data[1]).toMatchObject({ name: "team-calendar", everyMinutes: null, lastRun: null });
  });

  it("person keys get 403", async () => {
    const list = await t.as("dev", { url: "/integrations" });
    expect(list.statusCode).toBe(403);
    const sync = await t.as("dev", { method: "POST", url: "/integrations/jira-main/sync" });
    expect(sync.statusCode).toBe(403);
    expect(t.integrations.syncRequests).toEqual([]);
  });

  it("sync queues a job once", async () => {
    const first = await t.as("admin", { method: "POST", url: "/integrations/jira-main/sync" });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ status: "queued", jobId: "sync-jira-main-1" });
    const second = await t.as("admin", { method: "POST", url: "/integrations/jira-main/sync" });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ status: "already queued", jobId: null });
  });

  it("sync of an unknown integration returns 404", async () => {
    const response = await t.as("admin", { method: "POST", url: "/integrations/nope/sync" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "integration nope is not configured", hint: "list the integrations with GET /integrations" });
  });

  it("sync rejects a malformed name", async () => {
    const response = await t.as("admin", { method: "POST", url: "/integrations/Not_Valid/sync" });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toBe("invalid request: params.name: invalid_format (expected an integration name: lower-case letters, digits and dashes)");
  });

  it("routes return 404 without integrations", async () => {
    const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const list = await t.bare.inject({ url: "/api/worklens/v1/integrations", headers });
    expect(list.statusCode).toBe(404);
    expect(list.json()).toEqual({ error: "this server runs without integrations", hint: "add integrations to the JSON config file given with --config (docs/integrations.md), then restart `worklens serve`" });
    const sync = await t.bare.inject({ method: "POST", url: "/api/worklens/v1/integrations/jira-main/sync", headers });
    expect(sync.statusCode).toBe(404);
  });
});
