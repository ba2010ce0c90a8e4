import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jiraAuthorization } from "../connectors/jira/credentials.js";
import { startMockJira, type MockIssue, type MockJira } from "../connectors/jira/test-support/mock-jira.js";
import { calendar, vevent } from "../ingest/ics/test-support/calendar.js";
import { InProcessJobQueue } from "../jobs/in-process.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { acceptSuggestion } from "../review/decide.js";
import { seedSuggestions } from "../review/test-support/seed.js";
import { integrationsSchema, type IntegrationConfig } from "./config.js";
import { Integrations } from "./registry.js";

const ENV = { WORKLENS_JIRA_EMAIL: "sync@example.com", WORKLENS_JIRA_API_TOKEN: "cloud-secret-token" };
const ISSUES: MockIssue[] = [
  { id: "10001", key: "PROJ-1", updated: "2025-03-02T09:00:00.000+0100" },
  { id: "10002", key: "PROJ-2", updated: "2025-03-02T10:00:00.000+0100" },
];
const FEED = calendar([vevent("UID:standup", "DTSTART;TZID=Europe/Berlin:20250303T100000", "DTEND;TZID=Europe/Berlin:20250303T101500", "RRULE:FREQ=DAILY;COUNT=3", "SUMMARY:Standup", "ORGANIZER:mailto:dev@example.com")]);

describe.each(BACKENDS)("Integrations on %s", (backend) => {
  let handle: TestStore;
  let jira: MockJira;
  let feed: Server;
  let feedUrl: string;
  let feedRequests: number;
  let queue: InProcessJobQueue;
  let integrations: Integrations | undefined;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    jira = await startMockJira({ issues: ISSUES, authorization: jiraAuthorization("cloud", ENV), timeZone: "Europe/Berlin" });
    feedRequests = 0;
    feed = createServer((request, response) => {
      feedRequests += 1;
      if (request.headers["if-none-match"] === '"v1"') response.writeHead(304).end();
      else response.writeHead(200, { etag: '"v1"', "content-type": "text/calendar" }).end(FEED);
    });
    await new Promise<void>((resolve) => feed.listen(0, "127.0.0.1", resolve));
    feedUrl = `http://127.0.0.1:${String((feed.address() as AddressInfo).port)}/private/token-abc/basic.ics`;
    queue = new InProcessJobQueue({ retryLimit: 0 });
  });
  afterEach(async () => {
    integrations?.stop();
    integrations = undefined;
    await queue.stop();
    await jira.close();
    feed.closeAllConnections();
    await new Promise<void>((resolve) => feed.close(() => { resolve(); }));
    await handle.dispose();
  });

  function configs(extra: unknown[] = []): IntegrationConfig[] {
    return integrationsSchema.parse([
      { kind: "jira", name: "jira", url: jira.url, flavor: "cloud", projects: ["PROJ"], writeBack: true },
      { kind: "ics", name: "calendar", url: feedUrl, person: "Dev One <dev@example.com>" },
      ...extra,
    ]);
  }

  async function start(list: IntegrationConfig[], env: NodeJS.ProcessEnv = ENV, minuteMs?: number): Promise<Integrations> {
    integrations = new Integrations({
      store: handle.store,
      queue,
      integrations: list,
      env,
      logger: pino({ level: "silent" }),
      refreshDelayMs: 0,
      connectors: { allowLoopbackForTests: true, retry: { maxAttempts: 1 } },
      ...(minuteMs === undefined ? {} : { minuteMs }),
    });
    await integrations.start();
    return integrations;
  }

  it("Jira sync runs as a job", async () => {
    const running = await start(configs());
    expect(await running.requestSync("jira")).toEqual(expect.any(String));
    await queue.idle();
    expect((await handle.store.issues.list()).map((i) => i.key)).toEqual(["PROJ-1", "PROJ-2"]);

    await running.requestSync("jira");
    await queue.idle();
    const runs = await handle.store.syncRuns.recent("jira");
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    expect(runs[0]?.summary).toMatchObject({ imported: 0 });
    expect(runs[1]?.summary).toMatchObject({ detail: { counts: { issues: { imported: 2 } } } });

    const [status] = await running.list();
    expect(status).toMatchObject({ name: "jira", kind: "jira", target: new URL(jira.url).host, writeBack: true, lastRun: { status: "succeeded" } });
  });

  it("feed sync keeps its ETag", async () => {
    const running = await start(configs());
    await running.requestSync("calendar");
    await queue.idle();
    await running.requestSync("calendar");
    await queue.idle();
    expect(feedRequests).toBe(2);
    const runs = await handle.store.syncRuns.recent("calendar");
    expect(runs.map((r) => r.summary)).toEqual([
      { imported: 0, duplicate: 0, skipped: 0, detail: { notModified: true } },
      { imported: 3, duplicate: 0, skipped: 0, detail: { warnings: 0 } },
    ]);
    const statuses = await running.list();
    expect(JSON.stringify(statuses)).not.toContain("token-abc");
  });

  it("failed run names the credential", async () => {
    const running = await start(configs(), {});
    await running.requestSync("jira");
    await queue.idle();
    const [run] = await handle.store.syncRuns.recent("jira");
    expect(run?.status).toBe("failed");
    expect(run?.error).toContain("WORKLENS_JIRA_EMAIL");
    expect(JSON.stringify(await running.list())).not.toContain("cloud-secret-token");
  });

  it("write-back posts once", async () => {
    const seed = await seedSuggestions(handle.store);
    const running = await start(configs());
    const ref = { personId: seed.personId, day: "2025-03-10", issueId: seed.issueIds.get("PROJ-1") ?? -1 };
    const { worklogId } = await acceptSuggestion(handle.store, ref, { comment: "Reviewed the importer" }, { decidedBy: "admin", now: Date.now() });
    await running.requestWriteBack();
    await queue.idle();
    await running.requestWriteBack();
    await queue.idle();

    const posts = jira.requests.filter((r) => r.method === "POST" && r.path === "/rest/api/3/issue/PROJ-1/worklog");
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ started: "2025-03-10T08:15:00.000+0100", timeSpentSeconds: 7200 });
    const written = await handle.store.worklogs.get(worklogId);
    expect(written?.writeBack).toBe("written");
    expect(written?.remoteId).toMatch(/^\d+$/);
    expect((await handle.store.syncRuns.recent("jira")).map((r) => [r.kind, r.status])).toEqual([
      ["write-back", "succeeded"],
      ["write-back", "succeeded"],
    ]);
  });

  it("refuses an unknown integration name", async () => {
    const running = await start(configs());
    await expect(running.requestSync("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("syncs on its schedule", async () => {
    const list = integrationsSchema.parse([{ kind: "ics", name: "calendar", url: feedUrl, person: "dev@example.com", everyMinutes: 1 }]);
    await start(list, ENV, 25);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await queue.idle();
    expect(feedRequests).toBeGreaterThanOrEqual(2);
  });

  it("sync refreshes suggestions", async () => {
    const running = await start(configs());
    await running.requestSync("calendar");
    await queue.idle();
    const suggestions = await handle.store.results.suggestions("2025-03-03", "2025-03-05");
    expect(suggestions.map((s) => [s.day, s.seconds])).toEqual([
      ["2025-03-03", 900],
      ["2025-03-04", 900],
      ["2025-03-05", 900],
    ]);
  });
});

describe("integration config", () => {
  it("errors name entry and rule", () => {
    const result = integrationsSchema.safeParse([
      { kind: "github", name: "gh", repositories: [] },
      { kind: "jira", name: "jira", url: "http://jira.example.com", flavor: "cloud" },
      { kind: "ics", name: "cal", url: "https://user:pw@cal.example.com/x.ics", person: "a@b.c" },
    ]);
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(messages).toEqual([
      "0.repositories: list at least one repository: only listed ones are read",
      "1.url: must use https (plain http is accepted for 127.0.0.1 and localhost only)",
      "2.url: must not contain a user name or password: credentials come from environment variables",
    ]);
  });

  it("rejects duplicate names and writers", () => {
    const jira = { kind: "jira", url: "https://a.atlassian.net", flavor: "cloud", writeBack: true };
    const result = integrationsSchema.safeParse([
      { ...jira, name: "a" },
      { ...jira, name: "a" },
    ]);
    expect(result.error?.issues.map((i) => i.message)).toEqual(["is used by an earlier integration; names must be unique", "more than one Jira integration sets writeBack; set it on one only"]);
  });
});
