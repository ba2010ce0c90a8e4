import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "../../../store/store.js";
import { createApiKey } from "../../auth/api-keys.js";
import { startServer, type RunningServer } from "../../start.js";
import { testConfig, testIdentity, TEST_ADMIN_TOKEN } from "../../test-support/app.js";
import { FakeIntegrations, seedSuggestions } from "./test-support/api-app.js";

describe("API on a socket", () => {
  let folder: string;
  let server: RunningServer;
  let key: string;
  let personId: number;
  let integrations: FakeIntegrations;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-api-socket-"));
    const store = await Store.open({ kind: "sqlite", file: join(folder, "store.sqlite") });
    const created = await store.transaction((tx) => createApiKey(tx, testIdentity(), Date.now()));
    key = created.secret;
    personId = created.personId;
    await seedSuggestions(store);
    integrations = new FakeIntegrations();
    // The server owns the store from here: shutting it down closes the store.
    server = await startServer({ store, config: testConfig({ WORKLENS_PORT: "0", WORKLENS_LOG_LEVEL: "silent" }), integrations });
  });
  afterEach(async () => {
    await server.shutdown("test");
    rmSync(folder, { recursive: true, force: true });
  });

  const api = (path: string) => `${server.url}/api/worklens/v1${path}`;

  it("serves the OpenAPI document without a key", async () => {
    const response = await fetch(api("/openapi.json"));
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain("/api/worklens/v1/suggestions");
  });

  it("lists and accepts with a bearer key", async () => {
    const headers = { authorization: `Bearer ${key}` };
    const list = await fetch(api("/suggestions?from=2025-03-10&to=2025-03-12&status=pending"), { headers });
    expect(list.status).toBe(200);
    const suggestions = ((await list.json()) as { data: { id: string; personId: number }[] }).data;
    expect(suggestions.map((s) => s.personId)).toEqual([personId, personId]);

    const id = suggestions[0]?.id ?? "";
    const accept = await fetch(api(`/suggestions/${encodeURIComponent(id)}/accept`), { method: "POST", headers });
    expect(accept.status).toBe(200);
    expect(((await accept.json()) as { data: { status: string } }).data.status).toBe("accepted");

    const again = await fetch(api(`/suggestions/${id}/accept`), { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "" });
    expect(again.status).toBe(409);
  });

  it("downloads the CSV report", async () => {
    const response = await fetch(api("/reports/worklogs?from=2025-03-10&to=2025-03-12&format=csv"), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines).toHaveLength(4);
  });

  it("queues a sync for the admin", async () => {
    const response = await fetch(api("/integrations/jira-main/sync"), { method: "POST", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "queued", jobId: "sync-jira-main-1" });
    expect(integrations.syncRequests).toEqual(["jira-main"]);
  });
});
