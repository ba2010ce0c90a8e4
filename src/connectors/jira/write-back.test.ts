import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { dayOf, parseOffsetInstant } from "../../domain/time.js";
import { acceptSuggestion } from "../../review/decide.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import type { HttpClient } from "../http/client.js";
import { createJiraClient } from "./client.js";
import { jiraAuthorization } from "./credentials.js";
import type { JiraFlavor } from "./flavor.js";
import { integrationName, syncJira } from "./sync.js";
import { startMockJira, worklog, type MockIssue, type MockJira, type MockJiraOptions, type RecordedRequest } from "./test-support/mock-jira.js";
import { createWriteBackClient, writeBackDue, writeBackWorklog } from "./write-back.js";

const CLOUD_ENV = { WORKLENS_JIRA_EMAIL: "sync@example.com", WORKLENS_JIRA_API_TOKEN: "cloud-secret-token" };
const DC_ENV = { WORKLENS_JIRA_PAT: "dc-secret-pat" };
const CLOUD_AUTH = jiraAuthorization("cloud", CLOUD_ENV);
const DC_AUTH = jiraAuthorization("data-center", DC_ENV);

const BERLIN = "Europe/Berlin";
/** 2025-03-11 09:00 UTC: the clock at the first write-back run of each test. */
const T0 = Date.UTC(2025, 2, 11, 9, 0);
const MINUTE = 60_000;

type Json = Record<string, unknown>;

function fieldCase(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../../../shared/cases/field/${name}`, import.meta.url), "utf8")) as Json;
}

function object(value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("expected a JSON object");
  return value as Json;
}

function instant(text: string): number {
  const parsed = parseOffsetInstant(text);
  if (parsed === undefined) throw new Error(`expected an instant with an offset, got ${text}`);
  return parsed.instant;
}

const isWorklogPost = (r: RecordedRequest) => r.method === "POST" && r.path.endsWith("/worklog");
/** Worklog listings of write-back, which expand properties, unlike the sync's worklog pages. */
const isWorklogListing = (r: RecordedRequest) => r.method === "GET" && r.path.endsWith("/worklog") && r.query.get("expand") === "properties";

describe.each(BACKENDS)("Jira write-back on %s", (backend) => {
  let handle: TestStore;
  let jira: MockJira | undefined;
  let sleeps: number[];
  let clock: number;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    sleeps = [];
    clock = T0;
  });
  afterEach(async () => {
    await jira?.close();
    jira = undefined;
    await handle.dispose();
  });

  const now = () => clock;

  /** Issues PROJ-1 and PROJ-2, reported by acc-1 (Dev One, Europe/Berlin). */
  function mockIssues(): MockIssue[] {
    return [
      { id: "10001", key: "PROJ-1", updated: "2025-03-02T09:00:00.000+0100" },
      { id: "10002", key: "PROJ-2", updated: "2025-03-02T10:00:00.000+0100" },
    ];
  }

  function client(server: MockJira, flavor: JiraFlavor): HttpClient {
    return createWriteBackClient({
      flavor,
      env: flavor === "cloud" ? CLOUD_ENV : DC_ENV,
      baseUrl: server.url,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      now,
    });
  }

  /** Starts the mock and imports its issues and reporter with the Jira sync, as a real set-up does. */
  async function start(options: Partial<MockJiraOptions> = {}, flavor: JiraFlavor = "cloud") {
    const issues = options.issues ?? mockIssues();
    const server = await startMockJira({ authorization: flavor === "cloud" ? CLOUD_AUTH : DC_AUTH, timeZone: BERLIN, ...options, issues });
    jira = server;
    const http = client(server, flavor);
    await syncJira(handle.store, http, { flavor, baseUrl: server.url, projects: ["PROJ"], now });

    const identity = await handle.store.people.findIdentity("jira", "acc-1");
    if (identity === undefined) throw new Error("the sync did not import the reporter");
    const issueIds = await handle.store.issues.idsByKey();
    const issueId = (key: string): number => {
      const id = issueIds.get(key);
      if (id === undefined) throw new Error(`the sync did not import ${key}`);
      return id;
    };
    const issue = (key: string): MockIssue => {
      const found = issues.find((i) => i.key === key);
      if (found === undefined) throw new Error(`the mock has no issue ${key}`);
      return found;
    };
    const integration = integrationName(server.url);
    const due = () => writeBackDue(handle.store, http, { flavor, integration, now });
    return { server, http, personId: identity.personId, issueId, issue, integration, due };
  }

  /** Stores a confirmed worklog of Dev One starting at `started` (Jira text with an offset). */
  async function confirm(issueId: number, personId: number, started: string, seconds: number, comment: string | null = null): Promise<number> {
    const startedAt = instant(started);
    return handle.store.worklogs.insertConfirmed({ issueId, personId, startedAt, tz: BERLIN, day: dayOf(startedAt, BERLIN), seconds, comment });
  }

  async function stored(id: number) {
    const entry = await handle.store.worklogs.get(id);
    if (entry === undefined) throw new Error(`worklog ${id} is not stored`);
    return entry;
  }

  it("writes an accepted suggestion once", async () => {
    const { server, personId, issueId, integration, due } = await start();
    const day = "2025-03-10";
    await handle.store.results.replaceSuggestions(day, day, [{ personId, day, issueId: issueId("PROJ-1"), seconds: 3600, confidence: 0.9, evidence: [] }]);
    const { worklogId } = await acceptSuggestion(handle.store, { personId, day, issueId: issueId("PROJ-1") }, {}, { decidedBy: `person:${personId}`, now: T0 });

    const first = await due();
    const second = await due();

    expect(first).toEqual({ written: 1, alreadyInJira: 0, failed: [], skipped: [] });
    expect(second).toEqual({ written: 0, alreadyInJira: 0, failed: [], skipped: [] });
    expect(server.requests.filter(isWorklogPost)).toHaveLength(1);
    const entry = await stored(worklogId);
    expect(entry.writeBack).toBe("written");
    expect(entry.remoteId).toBe("90001");
    expect(entry.writtenAt).toBe(T0);
    const runs = await handle.store.syncRuns.recent(integration);
    expect(runs.filter((r) => r.kind === "write-back").map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    expect(runs[1]?.summary).toEqual({ written: 1, alreadyInJira: 0, failed: [], skipped: [] });
  });

  it("posts Cloud body with ADF", async () => {
    const { server, personId, issueId, due } = await start();
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);
    const { sourceId } = await stored(id);

    await due();

    const post = server.requests.find(isWorklogPost);
    expect(post?.path).toBe("/rest/api/3/issue/PROJ-1/worklog");
    expect(post?.query.get("notifyUsers")).toBe("false");
    expect(post?.query.get("adjustEstimate")).toBe("auto");
    expect(post?.body).toEqual({
      started: "2025-03-10T09:00:00.000+0100",
      timeSpentSeconds: 3600,
      comment: { type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: "Logged with worklens" }] }] },
      properties: [{ key: "worklens", value: { worklogId: sourceId } }],
    });
    const listing = server.requests.find(isWorklogListing);
    expect(listing?.path).toBe("/rest/api/3/issue/PROJ-1/worklog");
  });

  it("sends comment as ADF paragraphs", async () => {
    const { server, personId, issueId, due } = await start();
    await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 1800, "Reviewed the parser\nFixed two tests");

    await due();

    const comment = object(server.requests.find(isWorklogPost)?.body?.["comment"]);
    expect(comment["content"]).toEqual([
      { type: "paragraph", content: [{ type: "text", text: "Reviewed the parser" }] },
      { type: "paragraph", content: [{ type: "text", text: "Fixed two tests" }] },
    ]);
  });

  it("posts Data Center string comment", async () => {
    const { server, personId, issueId, due } = await start({}, "data-center");
    const plain = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);
    await confirm(issueId("PROJ-2"), personId, "2025-03-10T11:00:00.000+0100", 900, "Pairing on the importer");
    const { sourceId } = await stored(plain);

    const report = await due();

    expect(report.written).toBe(2);
    const posts = server.requests.filter(isWorklogPost);
    expect(posts.map((p) => p.path)).toEqual(["/rest/api/2/issue/PROJ-1/worklog", "/rest/api/2/issue/PROJ-2/worklog"]);
    expect(posts[0]?.body).toEqual({
      started: "2025-03-10T09:00:00.000+0100",
      timeSpentSeconds: 3600,
      comment: "Logged with worklens",
      properties: [{ key: "worklens", value: { worklogId: sourceId } }],
    });
    expect(posts[1]?.body?.["comment"]).toBe("Pairing on the importer");
    expect(server.requests.filter(isWorklogListing).map((r) => r.path)).toEqual(["/rest/api/2/issue/PROJ-1/worklog", "/rest/api/2/issue/PROJ-2/worklog"]);
    expect(posts.every((p) => p.authorization === "Bearer dc-secret-pat")).toBe(true);
  });

  it("adopts marker after lost response", async () => {
    let losing = true;
    const { server, http, personId, issueId } = await start({ loseWorklogResponse: () => losing });
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);

    const lost = await writeBackWorklog(handle.store, http, { flavor: "cloud", worklogId: id, now });

    expect(lost).toMatchObject({ status: "failed", retryAt: T0 + MINUTE });
    expect(server.requests.filter(isWorklogPost)).toHaveLength(1);
    const failed = await stored(id);
    expect(failed.writeBack).toBe("failed");
    expect(failed.lastError).toContain(`worklog ${id} on PROJ-1`);
    expect(failed.lastError).toContain("not retried because Jira may have stored the worklog");

    losing = false;
    clock = T0 + MINUTE;
    const adopted = await writeBackWorklog(handle.store, http, { flavor: "cloud", worklogId: id, now });

    expect(adopted).toEqual({ status: "already-in-jira", worklogId: id, remoteId: "90001", matchedBy: "marker" });
    expect(server.requests.filter(isWorklogPost)).toHaveLength(1);
    const written = await stored(id);
    expect(written.writeBack).toBe("written");
    expect(written.remoteId).toBe("90001");
    expect(written.lastError).toBeNull();
  });

  it("adopts same start and seconds", async () => {
    // Logged by hand in Jira and returned in UTC: the same instant as 09:00 in Berlin.
    const { server, http, personId, issueId, issue } = await start();
    issue("PROJ-1").worklogs = [worklog(40001, "10001", "2025-03-10T08:00:00.000+0000", 3600)];
    const same = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);
    const longer = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 5400);

    const adopted = await writeBackWorklog(handle.store, http, { flavor: "cloud", worklogId: same, now });
    const posted = await writeBackWorklog(handle.store, http, { flavor: "cloud", worklogId: longer, now });

    expect(adopted).toEqual({ status: "already-in-jira", worklogId: same, remoteId: "40001", matchedBy: "started-and-seconds" });
    expect(posted).toEqual({ status: "written", worklogId: longer, remoteId: "90001" });
    expect(server.requests.filter(isWorklogPost).map((p) => p.body?.["timeSpentSeconds"])).toEqual([5400]);
  });

  it("posts identical worklogs of two rows", async () => {
    const { server, personId, issueId, due } = await start();
    const first = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);
    const second = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);

    const report = await due();

    expect(report.written).toBe(2);
    expect(server.requests.filter(isWorklogPost)).toHaveLength(2);
    expect((await stored(first)).remoteId).toBe("90001");
    expect((await stored(second)).remoteId).toBe("90002");
  });

  it("reads all pages before deciding", async () => {
    // 120 worklogs over 3 pages of 50: a start-and-seconds match on page 1, our marker on page 3.
    const existing = Array.from({ length: 120 }, (_, i) => worklog(50001 + i, "10001", `2025-03-0${1 + (i % 9)}T1${i % 10}:00:00.000+0100`, 600 + i));
    existing[0] = worklog(50001, "10001", "2025-03-10T09:00:00.000+0100", 3600);
    const { server, http, personId, issueId, issue } = await start({ subPageSize: 50 });
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);
    const { sourceId } = await stored(id);
    existing[119] = { ...object(worklog(50120, "10001", "2025-03-10T09:00:00.000+0100", 3600)), properties: [{ key: "worklens", value: { worklogId: sourceId } }] };
    issue("PROJ-1").worklogs = existing;

    const outcome = await writeBackWorklog(handle.store, http, { flavor: "cloud", worklogId: id, now });

    expect(server.requests.filter(isWorklogListing).map((r) => r.query.get("startAt"))).toEqual(["0", "50", "100"]);
    expect(outcome).toEqual({ status: "already-in-jira", worklogId: id, remoteId: "50120", matchedBy: "marker" });
    expect(server.requests.filter(isWorklogPost)).toHaveLength(0);
  });

  it("waits out a 429 on POST", async () => {
    const { server, personId, issueId, issue, due } = await start({
      intercept: (request) => (isWorklogPost(request) && (jira?.requests.filter(isWorklogPost).length ?? 0) === 1 ? { status: 429, headers: { "Retry-After": "3" }, body: { errorMessages: ["Rate limit exceeded."] } } : undefined),
    });
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);

    const report = await due();

    expect(report.written).toBe(1);
    expect(sleeps).toEqual([3_000]);
    expect(server.requests.filter(isWorklogPost)).toHaveLength(2);
    expect(issue("PROJ-1").worklogs).toHaveLength(1);
    expect((await stored(id)).writeBack).toBe("written");
  });

  it("backs off on 500, then gives up", async () => {
    let failing = true;
    const { server, personId, issueId, integration, due } = await start({
      intercept: (request) => (failing && isWorklogPost(request) ? { status: 500, body: { errorMessages: ["Internal server error"] } } : undefined),
    });
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);

    const retryTimes: (number | undefined)[] = [];
    for (const delay of [0, MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE]) {
      clock += delay;
      const report = await due();
      retryTimes.push(report.failed[0]?.retryAt);
    }

    expect(retryTimes).toEqual([T0 + MINUTE, T0 + 6 * MINUTE, T0 + 36 * MINUTE, T0 + 156 * MINUTE, undefined]);
    expect(server.requests.filter(isWorklogPost)).toHaveLength(5);
    const failed = await stored(id);
    expect(failed.writeBack).toBe("failed");
    expect(failed.nextAttemptAt).toBeNull();
    expect(failed.attempts).toBe(5);
    expect(failed.lastError).toBe(`worklog ${id} on PROJ-1: POST /rest/api/3/issue/PROJ-1/worklog failed with HTTP 500; gave up after 5 attempts`);
    const [lastRun] = await handle.store.syncRuns.recent(integration, 1);
    expect(lastRun?.status).toBe("failed");
    expect(lastRun?.error).toBe(`1 of 1 worklogs failed; first: ${failed.lastError ?? ""}`);

    clock += 24 * 60 * MINUTE;
    expect(await due()).toEqual({ written: 0, alreadyInJira: 0, failed: [], skipped: [] });
    expect(server.requests.filter(isWorklogPost)).toHaveLength(5);

    failing = false;
    expect(await handle.store.worklogs.retry(id)).toBe(true);
    expect((await due()).written).toBe(1);
  });

  it("waits for the retry time", async () => {
    const { server, personId, issueId, due } = await start({
      intercept: (request) => (isWorklogPost(request) ? { status: 500 } : undefined),
    });
    await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);

    await due();
    clock += MINUTE - 1;
    const early = await due();

    expect(early).toEqual({ written: 0, alreadyInJira: 0, failed: [], skipped: [] });
    expect(server.requests.filter(isWorklogPost)).toHaveLength(1);
  });

  it("gives up on 400 at once", async () => {
    const { server, personId, issueId, due } = await start({
      intercept: (request) => (isWorklogPost(request) ? { status: 400, body: { errorMessages: ["Cannot log work on a closed issue."], errors: {} } } : undefined),
    });
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);

    const report = await due();

    expect(report.failed).toEqual([
      { worklogId: id, error: `worklog ${id} on PROJ-1: POST /rest/api/3/issue/PROJ-1/worklog failed with HTTP 400: Cannot log work on a closed issue.; not retried`, retryAt: undefined },
    ]);
    expect(server.requests.filter(isWorklogPost)).toHaveLength(1);
    const failed = await stored(id);
    expect(failed.nextAttemptAt).toBeNull();
    expect(failed.lastError).toContain("Cannot log work on a closed issue.");
  });

  it("gives up on 404 for deleted issue", async () => {
    const issues = mockIssues();
    const { server, personId, issueId, due } = await start({ issues });
    const id = await confirm(issueId("PROJ-2"), personId, "2025-03-10T09:00:00.000+0100", 3600);
    issues.splice(1, 1);

    const report = await due();

    expect(report.failed[0]?.retryAt).toBeUndefined();
    expect(report.failed[0]?.error).toContain(`worklog ${id} on PROJ-2: POST /rest/api/3/issue/PROJ-2/worklog failed with HTTP 404`);
    expect(report.failed[0]?.error).toContain("the issue was deleted or the account cannot see it");
    expect(server.requests.filter(isWorklogPost)).toHaveLength(1);
  });

  it("keeps tokens out of errors", async () => {
    const { personId, issueId, due } = await start({ intercept: (request) => (isWorklogPost(request) ? { status: 401 } : undefined) });
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);

    const report = await due();

    const failed = await stored(id);
    expect(report.failed[0]?.retryAt).toBe(T0 + MINUTE);
    expect(failed.lastError).toBe(`worklog ${id} on PROJ-1: POST /rest/api/3/issue/PROJ-1/worklog failed with HTTP 401: authentication failed`);
    expect(failed.lastError).not.toContain("secret");
  });

  it("skips worklogs that are not due", async () => {
    const { http, personId, issueId } = await start();
    const id = await confirm(issueId("PROJ-1"), personId, "2025-03-10T09:00:00.000+0100", 3600);
    await handle.store.worklogs.markWritten(id, "777", T0);

    const outcome = await writeBackWorklog(handle.store, http, { flavor: "cloud", worklogId: id, now });
    const missing = await writeBackWorklog(handle.store, http, { flavor: "cloud", worklogId: 9_999, now });

    expect(outcome).toEqual({ status: "skipped", worklogId: id, reason: "already written to Jira" });
    expect(missing).toEqual({ status: "skipped", worklogId: 9_999, reason: "not found in the store" });
  });

  it("rejects a client that retries POSTs", async () => {
    const { server } = await start();
    const plain = createJiraClient({ flavor: "cloud", env: CLOUD_ENV, baseUrl: server.url });

    const error = await writeBackDue(handle.store, plain, { flavor: "cloud", integration: "jira test", now }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(WorklensError);
    expect(error instanceof WorklensError ? error.hint : undefined).toBe("create the client with createWriteBackClient");
  });

  it("writes started in the person's zone", async () => {
    const fixture = fieldCase("22-jira-worklog-started-timezone.json");
    const night = object(fixture["worklog_from_api"]);
    const noon = object(fixture["second_worklog"]);
    const { server, personId, issueId, due } = await start();
    const day = "2025-03-10";
    const cases = [
      { issueId: issueId("PROJ-1"), started: String(night["started"]), seconds: Number(night["timeSpentSeconds"]) },
      { issueId: issueId("PROJ-2"), started: String(noon["started"]), seconds: Number(noon["timeSpentSeconds"]) },
    ];
    await handle.store.results.replaceSuggestions(day, day, cases.map((c) => ({ personId, day, issueId: c.issueId, seconds: c.seconds, confidence: 0.8, evidence: [] })));
    for (const c of cases) {
      await acceptSuggestion(handle.store, { personId, day, issueId: c.issueId }, { startedAt: instant(c.started) }, { decidedBy: `person:${personId}`, now: T0 });
    }

    const report = await due();

    expect(instant(String(night["started"]))).toBe(Date.parse("2025-03-09T23:30:00Z"));
    const confirmed = await handle.store.worklogs.list({ origin: "confirmed" });
    expect(confirmed.map((w) => [w.day, w.tz])).toEqual([
      [day, BERLIN],
      [day, BERLIN],
    ]);
    expect(report.written).toBe(2);
    const started = server.requests.filter(isWorklogPost).map((p) => p.body?.["started"]);
    expect(started).toEqual(["2025-03-10T00:30:00.000+0100", "2025-03-10T12:57:00.000+0100"]);
    expect(started).toEqual(cases.map((c) => c.started));
    expect(started).not.toContain("2025-03-10T00:57:00.000+0100");
  });
});

