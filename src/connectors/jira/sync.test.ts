import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { importJira } from "../../ingest/jira/import.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { createJiraClient } from "./client.js";
import { jiraAuthorization } from "./credentials.js";
import type { JiraFlavor } from "./flavor.js";
import { integrationName, syncJira } from "./sync.js";
import { history, startMockJira, worklog, type MockIssue, type MockJira, type MockJiraOptions } from "./test-support/mock-jira.js";

const CLOUD_ENV = { WORKLENS_JIRA_EMAIL: "sync@example.com", WORKLENS_JIRA_API_TOKEN: "cloud-secret-token" };
const DC_ENV = { WORKLENS_JIRA_PAT: "dc-secret-pat" };
const CLOUD_AUTH = jiraAuthorization("cloud", CLOUD_ENV);
const DC_AUTH = jiraAuthorization("data-center", DC_ENV);

/** Issues PROJ-1 to PROJ-n, updated an hour apart from 2025-03-02 09:00 Berlin time. */
function issues(count: number): MockIssue[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(10001 + i),
    key: `PROJ-${i + 1}`,
    updated: `2025-03-02T${String(9 + i).padStart(2, "0")}:00:00.000+0100`,
  }));
}

async function rejection(promise: Promise<unknown>): Promise<WorklensError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected the sync to fail");
}

describe.each(BACKENDS)("syncJira on %s", (backend) => {
  let handle: TestStore;
  let jira: MockJira | undefined;
  let sleeps: number[];

  beforeEach(async () => {
    handle = await openTestStore(backend);
    sleeps = [];
  });
  afterEach(async () => {
    await jira?.close();
    jira = undefined;
    await handle.dispose();
  });

  async function start(options: Partial<MockJiraOptions> & { issues: MockIssue[] }): Promise<MockJira> {
    jira = await startMockJira({ authorization: CLOUD_AUTH, timeZone: "Europe/Berlin", pageSize: 2, ...options });
    return jira;
  }

  function sync(server: MockJira, flavor: JiraFlavor = "cloud", env: NodeJS.ProcessEnv = CLOUD_ENV) {
    const client = createJiraClient({
      flavor,
      env,
      baseUrl: server.url,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      now: () => Date.UTC(2025, 2, 10),
    });
    return syncJira(handle.store, client, { flavor, baseUrl: server.url, projects: ["PROJ"], now: () => Date.UTC(2025, 2, 10) });
  }

  /** Returns the running mock, for intercept callbacks that run after start() returned. */
  const running = (): MockJira => {
    if (jira === undefined) throw new Error("the mock Jira is not running");
    return jira;
  };
  const first = (): MockIssue => ({ id: "10001", key: "PROJ-1", updated: "2025-03-02T09:00:00.000+0100" });
  const searches = (server: MockJira) => server.requests.filter((r) => r.path.includes("/search"));

  it("pages search/jql by nextPageToken", async () => {
    const server = await start({ issues: issues(5) });

    const report = await sync(server);

    expect(report.counts.issues.imported).toBe(5);
    expect(report.pages).toBe(3);
    expect((await handle.store.issues.list()).map((i) => i.key).sort()).toEqual(["PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4", "PROJ-5"]);
    const bodies = searches(server).map((r) => r.body ?? {});
    expect(bodies.map((b) => "startAt" in b)).toEqual([false, false, false]);
    expect(bodies.map((b) => b["fields"])).toEqual([["*all"], ["*all"], ["*all"]]);
    expect(bodies[0]?.["nextPageToken"]).toBeUndefined();
    expect(typeof bodies[1]?.["nextPageToken"]).toBe("string");
    expect(bodies[0]?.["jql"]).toBe('project in ("PROJ") AND updated >= "1970-01-01 00:00" ORDER BY updated ASC');
  });

  it("stores the latest updated as checkpoint", async () => {
    const server = await start({ issues: issues(3) });

    await sync(server);

    const checkpoint = await handle.store.checkpoints.get(integrationName(server.url), 'search project in ("PROJ")');
    expect(checkpoint?.value).toBe("2025-03-02T10:00:00.000Z");
  });

  it("completes a truncated changelog", async () => {
    const histories = Array.from({ length: 7 }, (_, i) => history(30001 + i, `2025-03-01T1${i}:00:00.000+0100`, `S${i}`, `S${i + 1}`));
    const server = await start({ issues: [{ ...first(), histories }], embeddedHistories: 2, subPageSize: 3 });

    const report = await sync(server);

    const changelog = server.requests.filter((r) => r.path === "/rest/api/3/issue/PROJ-1/changelog");
    expect(changelog.map((r) => r.query.get("startAt"))).toEqual(["0", "3", "6"]);
    expect(report.warnings).toEqual([]);
    const events = await handle.store.issues.events();
    expect(events.filter((e) => e.kind === "status_change")).toHaveLength(7);
  });

  it("pages worklogs beyond the embedded ones", async () => {
    const worklogs = Array.from({ length: 5 }, (_, i) => worklog(40001 + i, "10001", `2025-03-0${i + 1}T10:00:00.000+0100`, 1800));
    const server = await start({ issues: [{ ...first(), worklogs }], embeddedWorklogs: 2, subPageSize: 2 });

    const report = await sync(server);

    const pages = server.requests.filter((r) => r.path === "/rest/api/3/issue/PROJ-1/worklog");
    expect(pages.map((r) => r.query.get("startAt"))).toEqual(["0", "2", "4"]);
    expect(report.counts.worklogs.imported).toBe(5);
    expect(await handle.store.issues.worklogs()).toHaveLength(5);
  });

  it("waits Retry-After on 429", async () => {
    const server = await start({
      issues: issues(1),
      intercept: (request) => (request.path.endsWith("/search/jql") && searches(running()).length === 1 ? { status: 429, headers: { "Retry-After": "2" } } : undefined),
    });

    const report = await sync(server);

    expect(sleeps).toEqual([2_000]);
    expect(report.counts.issues.imported).toBe(1);
  });

  it("backs off on 429 without Retry-After", async () => {
    const server = await start({
      issues: issues(1),
      intercept: (request) => (request.path.endsWith("/search/jql") && searches(running()).length <= 2 ? { status: 429 } : undefined),
    });

    const report = await sync(server);

    // Equal jitter with random() = 0.5: three quarters of 1 s, then of 2 s.
    expect(sleeps).toEqual([750, 1_500]);
    expect(report.counts.issues.imported).toBe(1);
  });

  it("names the path on 401, not the token", async () => {
    const server = await start({ issues: issues(1) });
    const error = await rejection(sync(server, "cloud", { ...CLOUD_ENV, WORKLENS_JIRA_API_TOKEN: "wrong-secret-token" }));

    expect(error.message).toBe("GET /rest/api/3/myself failed with HTTP 401: authentication failed");
    expect(error.hint).toContain("WORKLENS_JIRA_API_TOKEN");
    expect(`${error.message} ${error.hint ?? ""}`).not.toContain("secret");
    expect(sleeps).toEqual([]);
  });

  it("resumes an interrupted sync from the checkpoint", async () => {
    let failing = true;
    const server = await start({
      issues: issues(5),
      intercept: (request) => (failing && request.path.endsWith("/search/jql") && searches(running()).length === 2 ? { status: 500 } : undefined),
    });

    const error = await rejection(sync(server));
    expect(error.message).toBe("POST /rest/api/3/search/jql failed with HTTP 500 (1 earlier page was written)");
    expect(error.hint).toContain("the next sync resumes after the last written page");
    expect(await handle.store.issues.list()).toHaveLength(2);

    failing = false;
    const resumed = await sync(server);
    // The checkpoint is PROJ-2's update, 10:00 Berlin time; the search starts 5 minutes before it.
    expect(resumed.jql).toBe('project in ("PROJ") AND updated >= "2025-03-02 09:55" ORDER BY updated ASC');
    expect(resumed.counts.issues).toEqual({ imported: 3, updated: 0, duplicate: 1 });

    const again = await sync(server);
    expect(again.imported).toBe(0);
    const keys = (await handle.store.issues.list()).map((i) => i.key).sort();
    expect(keys).toEqual(["PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4", "PROJ-5"]);
  });

  it("dedupes with a file import", async () => {
    const server = await start({ issues: issues(2), pageSize: 50 });
    await sync(server);
    const response = await fetch(`${server.url}/rest/api/3/search/jql`, {
      method: "POST",
      headers: { Authorization: CLOUD_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ jql: "project = PROJ", maxResults: 50, fields: ["*all"] }),
    });
    const folder = mkdtempSync(join(tmpdir(), "worklens-sync-file-"));
    const file = join(folder, "search.json");
    writeFileSync(file, await response.text());

    const report = await importJira(handle.store, file);
    rmSync(folder, { recursive: true, force: true });

    expect(report.imported).toBe(0);
    expect(report.counts.issues.duplicate).toBe(2);
  });

  it("pages Data Center search by startAt", async () => {
    const server = await start({ issues: issues(5), authorization: DC_AUTH });

    const report = await sync(server, "data-center", DC_ENV);

    expect(report.counts.issues.imported).toBe(5);
    expect(searches(server).map((r) => r.path)).toEqual(["/rest/api/2/search", "/rest/api/2/search", "/rest/api/2/search"]);
    expect(searches(server).map((r) => r.body?.["startAt"])).toEqual([0, 2, 4]);
    expect(server.requests.every((r) => r.authorization === "Bearer dc-secret-pat")).toBe(true);
  });
});
