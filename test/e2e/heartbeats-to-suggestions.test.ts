import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Integrations } from "../../src/integrations/registry.js";
import { InProcessJobQueue } from "../../src/jobs/in-process.js";
import { buildApp } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/api-keys.js";
import { basicAuth, testConfig, testIdentity } from "../../src/server/test-support/app.js";
import { BACKENDS, openTestStore, type TestStore } from "../../src/store/test-support/backends.js";
import type { FastifyInstance } from "fastify";

/** The server's clock: 2025-03-13T12:00:00Z. */
const NOW = Date.UTC(2025, 2, 13, 12);
const USER_AGENT = "wakatime/v1.90.0 (linux-6.1.0-amd64) go1.22.0 vscode/1.90.0 vscode-wakatime/24.0.0";

/**
 * Builds a heartbeats.bulk body as wakatime-cli sends it (the fields of its pkg/api
 * testdata): one heartbeat every two minutes for an hour on a branch that names
 * PROJ-7, with float times, and nulls for values the editor does not have.
 */
function cliBulk(start: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    branch: "feature/PROJ-7-retry-fetcher",
    category: "coding",
    cursorpos: 10 + i,
    dependencies: i === 0 ? ["fetcher", "http"] : null,
    entity: "/home/dev/crawler/src/fetcher.ts",
    is_write: i % 4 === 0,
    language: "TypeScript",
    lineno: 40 + i,
    lines: 320,
    project: "crawler",
    project_root_count: 4,
    type: "file",
    time: start + i * 120 + 0.25,
    user_agent: USER_AGENT,
  }));
}

describe.each(BACKENDS)("heartbeats to suggested worklogs on %s", (backend) => {
  let handle: TestStore;
  let queue: InProcessJobQueue;
  let integrations: Integrations;
  let app: FastifyInstance;
  let key: string;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    await handle.store.issues.upsert(
      { sourceId: "10007", key: "PROJ-7", projectKey: "PROJ", isSubtask: false, createdAt: Date.UTC(2025, 0, 2), text: { summary: "Retry failed fetches", description: "", comments: "" } },
      { assigneeId: null, reporterId: null },
    );
    const created = await handle.store.transaction((tx) => createApiKey(tx, testIdentity(), NOW));
    key = created.secret;
    await handle.store.people.setTimeZone(created.personId, "Europe/Berlin");

    queue = new InProcessJobQueue({ retryLimit: 0 });
    integrations = new Integrations({ store: handle.store, queue, integrations: [], env: {}, logger: pino({ level: "silent" }), refreshDelayMs: 0 });
    await integrations.start();
    app = await buildApp({ store: handle.store, config: testConfig({ WORKLENS_LOG_LEVEL: "silent" }), clock: () => NOW, integrations });
  });
  afterEach(async () => {
    await app.close();
    integrations.stop();
    await queue.stop();
    await handle.dispose();
  });

  it("bulk request becomes a suggestion", async () => {
    // 2025-03-10 08:00 UTC, 09:00 in Berlin: 30 heartbeats over 58 minutes.
    await app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${String((app.server.address() as AddressInfo).port)}`;
    const response = await fetch(`${base}/api/v1/users/current/heartbeats.bulk`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basicAuth(key), "user-agent": USER_AGENT, "x-machine-name": "laptop-a" },
      body: JSON.stringify(cliBulk(Date.UTC(2025, 2, 10, 8) / 1000, 30)),
    });
    expect(response.status).toBe(202);
    const bulk = (await response.json()) as { responses: [unknown, number][] };
    expect(bulk.responses).toHaveLength(30);
    expect(bulk.responses.every(([, status]) => status === 201)).toBe(true);

    await queue.idle();

    const listed = await fetch(`${base}/api/worklens/v1/suggestions?from=2025-03-10&to=2025-03-10`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.status).toBe(200);
    const { data } = (await listed.json()) as { data: { id: string; issueKey: string | null; seconds: number; status: string; evidence: { kind: string }[] }[] };
    expect(data).toHaveLength(1);
    const [suggestion] = data;
    expect(suggestion?.issueKey).toBe("PROJ-7");
    expect(suggestion?.status).toBe("pending");
    expect(suggestion?.seconds).toBeGreaterThanOrEqual(58 * 60);
    expect(suggestion?.seconds).toBeLessThanOrEqual(60 * 60);
    expect(suggestion?.evidence.length).toBeGreaterThan(0);

    const accepted = await fetch(`${base}/api/worklens/v1/suggestions/${encodeURIComponent(suggestion?.id ?? "")}/accept`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
    expect(accepted.status).toBe(200);
    const [worklog] = await handle.store.worklogs.list({ origin: "confirmed" });
    expect(worklog).toMatchObject({ issueKey: "PROJ-7", day: "2025-03-10", tz: "Europe/Berlin", writeBack: "pending" });
  });

  it("repeated bulk changes nothing", async () => {
    const body = JSON.stringify(cliBulk(Date.UTC(2025, 2, 10, 8) / 1000, 10));
    const send = () => app.inject({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", payload: body, headers: { "content-type": "application/json", authorization: basicAuth(key) } });
    await send();
    await queue.idle();
    const first = await handle.store.results.suggestions("2025-03-10", "2025-03-10");
    const again = await send();
    expect(again.statusCode).toBe(202);
    await queue.idle();
    expect(await handle.store.results.suggestions("2025-03-10", "2025-03-10")).toEqual(first);
    expect(await handle.store.activities.count()).toBe(10);
  });
});
