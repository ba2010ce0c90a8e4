import { readFileSync } from "node:fs";
import { DateTime } from "luxon";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJiraClient } from "../../src/connectors/jira/client.js";
import { jiraAuthorization } from "../../src/connectors/jira/credentials.js";
import { integrationName, syncJira, type JiraSyncReport } from "../../src/connectors/jira/sync.js";
import { startMockJira, type MockIssue, type MockJira, type MockJiraOptions, type RecordedRequest } from "../../src/connectors/jira/test-support/mock-jira.js";
import { BACKENDS, openTestStore, type TestStore } from "../../src/store/test-support/backends.js";

type Json = Record<string, unknown>;

function fieldCase(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../../shared/cases/field/${name}`, import.meta.url), "utf8")) as Json;
}

function object(value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("expected a JSON object in the field case");
  return value as Json;
}

function array(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error("expected a JSON array in the field case");
  return value;
}

const CLOUD_ENV = { WORKLENS_JIRA_EMAIL: "sync@example.com", WORKLENS_JIRA_API_TOKEN: "cloud-secret-token" };
const CLOUD_AUTH = jiraAuthorization("cloud", CLOUD_ENV);
const NOW = Date.UTC(2025, 2, 11);
const SEARCH_PATH = "/rest/api/3/search/jql";

/** Writes a request as method, path and query, such as `GET /rest/api/3/issue/PROJ-42/changelog?startAt=0&maxResults=100`. */
function requestLine(request: RecordedRequest): string {
  const query = request.query.toString();
  return `${request.method} ${request.path}${query === "" ? "" : `?${query}`}`;
}

/** Formats an instant as Jira does, such as 2025-03-01T09:00:00.000+0100. */
function jiraTime(iso: string, plusHours: number): string {
  return DateTime.fromISO(iso, { setZone: true }).plus({ hours: plusHours }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ");
}

// The truncated changelog: 137 histories, of which the search embeds only the newest.
const changelogCase = fieldCase("19-jira-changelog-truncated.json");
const excerpt = object(changelogCase["response_excerpt"]);
const embeddedChangelog = object(excerpt["changelog"]);
const shownHistories = array(embeddedChangelog["histories"]);
const HISTORY_TOTAL = embeddedChangelog["total"] as number;
const author = object(object(shownHistories[0])["author"]);

/** Builds a history entry in the case's shape, with one changed field. */
function caseHistory(id: number, created: string, field: string, from: string, to: string): Json {
  return { id: String(id), created, author, items: [{ field, fieldtype: "jira", fieldId: field, from: null, fromString: from, to: null, toString: to }] };
}

/**
 * Returns all 137 histories of PROJ-42, oldest first as the changelog endpoint pages them.
 * The two the case shows (30038 and 30137) are used as they are. The 37 that the case lists as
 * missing (30001 to 30037) are older than 30038 and start with the first "In Progress"
 * transition. The others change labels only, so the status changes are exactly two.
 */
function fullChangelog(): Json[] {
  const newest = object(shownHistories[0]);
  const oldestEmbedded = object(shownHistories[1]);
  const histories: Json[] = [caseHistory(30001, "2025-02-03T10:15:00.000+0100", "status", "To Do", "In Progress")];
  for (let id = 30002; id <= 30037; id += 1) histories.push(caseHistory(id, jiraTime("2025-02-04T09:00:00.000+01:00", 12 * (id - 30002)), "labels", `l${id - 1}`, `l${id}`));
  histories.push(oldestEmbedded);
  for (let id = 30039; id <= 30136; id += 1) histories.push(caseHistory(id, jiraTime("2025-03-01T10:00:00.000+01:00", 2 * (id - 30039)), "labels", `l${id - 1}`, `l${id}`));
  histories.push(newest);
  return histories;
}

/** PROJ-42 with the case's fields. The excerpt lacks the id and created date a real response has, so they are added. */
function truncatedIssue(): MockIssue {
  return {
    id: "10042",
    key: String(excerpt["key"]),
    updated: String(object(shownHistories[0])["created"]),
    histories: fullChangelog(),
    fields: { ...object(excerpt["fields"]), created: "2025-02-03T10:00:00.000+0100" },
  };
}

// The search/jql paging: PROJ-1 and PROJ-2 on the first page with a token, PROJ-3 on the last.
const paginationCase = fieldCase("21-jira-search-jql-pagination.json");
const firstPage = object(paginationCase["page_1_response"]);
const lastPage = object(paginationCase["page_2_response"]);
const CASE_TOKEN = String(firstPage["nextPageToken"]);
const PAGE_SIZE = array(firstPage["issues"]).length;

/** Builds the case's three issues, updated an hour apart, so ORDER BY updated ASC gives the case's pages. */
function pagedIssues(): MockIssue[] {
  return [...array(firstPage["issues"]), ...array(lastPage["issues"])].map((raw, index) => {
    const issue = object(raw);
    return { id: String(issue["id"]), key: String(issue["key"]), updated: jiraTime("2025-03-10T10:00:00.000+01:00", index) };
  });
}

describe("mock Jira replays the field cases", () => {
  let jira: MockJira | undefined;
  afterEach(async () => {
    await jira?.close();
    jira = undefined;
  });

  async function post(server: MockJira, path: string, body: unknown): Promise<Json> {
    const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { Authorization: CLOUD_AUTH, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    return object(await response.json());
  }

  it("replays search/jql pages, ignoring startAt", async () => {
    jira = await startMockJira({ issues: pagedIssues(), authorization: CLOUD_AUTH, pageSize: PAGE_SIZE, pageTokens: [CASE_TOKEN] });
    const request = object(paginationCase["page_1_request"]);
    const withoutFields = { jql: request["jql"], maxResults: request["maxResults"] };

    expect(await post(jira, SEARCH_PATH, withoutFields)).toEqual(firstPage);
    expect(await post(jira, SEARCH_PATH, { ...withoutFields, nextPageToken: CASE_TOKEN })).toEqual(lastPage);
    const wrongLoop = object(paginationCase["wrong_loop_request_2"]);
    expect(await post(jira, SEARCH_PATH, { ...withoutFields, startAt: wrongLoop["startAt"] })).toEqual(firstPage);
  });

  it.each([100, 40])("embeds the newest %i histories", async (embedded) => {
    jira = await startMockJira({ issues: [truncatedIssue()], authorization: CLOUD_AUTH, embeddedHistories: embedded });

    const page = await post(jira, SEARCH_PATH, { jql: 'project in ("PROJ")', maxResults: 100, fields: ["*all"], expand: "changelog" });
    const changelog = object(object(array(page["issues"])[0])["changelog"]);
    const histories = array(changelog["histories"]);

    expect(changelog["total"]).toBe(HISTORY_TOTAL);
    expect(changelog["maxResults"]).toBe(embedded);
    expect(histories).toHaveLength(embedded);
    expect(histories[0]).toEqual(shownHistories[0]);
    if (embedded === 100) expect(histories[99]).toEqual(shownHistories[1]);
  });
});

describe.each(BACKENDS)("Jira sync of field cases on %s", (backend) => {
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
    jira = await startMockJira({ authorization: CLOUD_AUTH, timeZone: "Europe/Berlin", ...options });
    return jira;
  }

  /** Returns the running mock, for intercept callbacks that run after start() returned. */
  function running(): MockJira {
    if (jira === undefined) throw new Error("the mock Jira is not running");
    return jira;
  }

  /** Runs syncJira with a client whose sleep records each wait instead of waiting. */
  function sync(server: MockJira): Promise<JiraSyncReport> {
    const client = createJiraClient({
      flavor: "cloud",
      env: CLOUD_ENV,
      baseUrl: server.url,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      now: () => NOW,
    });
    return syncJira(handle.store, client, { flavor: "cloud", baseUrl: server.url, projects: ["PROJ"], now: () => NOW });
  }

  async function eventUids(): Promise<string[]> {
    const rows = await handle.store.db.selectFrom("issue_events").select("source_uid").execute();
    return rows.map((row) => row.source_uid);
  }

  const searches = (server: MockJira): RecordedRequest[] => server.requests.filter((r) => r.path === SEARCH_PATH);
  const searchBodies = (server: MockJira): Json[] => searches(server).map((r) => r.body ?? {});

  describe("truncated embedded changelog", () => {
    const changelogPath = "/rest/api/3/issue/PROJ-42/changelog";
    const historyUids = Array.from({ length: HISTORY_TOTAL }, (_, i) => `jira:history:${30001 + i}:0`);
    const changelogRequests = (server: MockJira): string[] => server.requests.filter((r) => r.path === changelogPath).map(requestLine);

    /** Asserts that the store contains every history once, the creation event and the issue as the case describes it. */
    async function expectFullChangelog(): Promise<void> {
      const uids = await eventUids();
      expect(uids).toHaveLength(HISTORY_TOTAL + 1);
      expect(new Set(uids).size).toBe(uids.length);
      expect([...uids].sort()).toEqual([...historyUids, "jira:create:10042"].sort());

      const transitions = (await handle.store.issues.events()).filter((e) => e.kind === "status_change");
      expect(transitions.map((e) => e.toValue)).toEqual(["In Progress", "In Review"]);
      expect(transitions[0]?.at).toBe(Date.parse("2025-02-03T09:15:00Z"));
      expect(transitions[1]?.at).toBe(Date.parse("2025-03-10T15:05:12.345Z"));

      const issues = await handle.store.issues.list();
      expect(issues.map((i) => [i.key, i.status, i.issueType, i.isSubtask])).toEqual([["PROJ-42", "In Review", "Sub-task", true]]);
    }

    it.each([100, 40])("pages changelog with %i embedded", async (embedded) => {
      const server = await start({ issues: [truncatedIssue()], embeddedHistories: embedded });

      const report = await sync(server);

      expect(searchBodies(server).map((b) => b["expand"])).toEqual(["changelog,names"]);
      expect(server.requests.map(requestLine)).toEqual([
        "GET /rest/api/3/myself",
        `POST ${SEARCH_PATH}`,
        `GET ${changelogPath}?startAt=0&maxResults=100`,
        `GET ${changelogPath}?startAt=100&maxResults=100`,
      ]);
      expect(report.warnings).toEqual([]);
      expect(report.skipped).toEqual([]);
      expect(report.counts.events).toEqual({ imported: HISTORY_TOTAL + 1, duplicate: 0 });
      await expectFullChangelog();
      const summaries = [...(await handle.store.issues.texts()).values()].map((t) => t.summary);
      expect(summaries).toEqual([object(excerpt["fields"])["summary"]]);
    });

    it("pages changelog in small pages", async () => {
      const server = await start({ issues: [truncatedIssue()], embeddedHistories: 100, subPageSize: 40 });

      await sync(server);

      expect(changelogRequests(server)).toEqual([0, 40, 80, 120].map((start) => `GET ${changelogPath}?startAt=${start}&maxResults=100`));
      await expectFullChangelog();
    });

    it("second sync adds nothing", async () => {
      const server = await start({ issues: [truncatedIssue()], embeddedHistories: 100 });
      await sync(server);
      const activities = await handle.store.activities.count();

      const again = await sync(server);

      expect(again.imported).toBe(0);
      expect(again.counts.issues).toEqual({ imported: 0, updated: 0, duplicate: 1 });
      expect(again.counts.events).toEqual({ imported: 0, duplicate: HISTORY_TOTAL + 1 });
      await expectFullChangelog();
      expect(await handle.store.activities.count()).toBe(activities);
    });

    it("survives 429 between changelog pages", async () => {
      let limited = false;
      const server = await start({
        issues: [truncatedIssue()],
        embeddedHistories: 100,
        intercept: (request) => {
          if (limited || request.path !== changelogPath || request.query.get("startAt") !== "100") return undefined;
          limited = true;
          return { status: 429, headers: { "Retry-After": "3" } };
        },
      });

      const report = await sync(server);

      expect(sleeps).toEqual([3_000]);
      expect(changelogRequests(server)).toEqual([0, 100, 100].map((start) => `GET ${changelogPath}?startAt=${start}&maxResults=100`));
      expect(running().requests).toHaveLength(5);
      expect(report.warnings).toEqual([]);
      await expectFullChangelog();
    });
  });

  describe("search/jql token paging", () => {
    const keys = ["PROJ-1", "PROJ-2", "PROJ-3"];

    async function start21(options: Partial<MockJiraOptions> = {}): Promise<MockJira> {
      return start({ issues: pagedIssues(), pageSize: PAGE_SIZE, pageTokens: [CASE_TOKEN], ...options });
    }

    /** Asserts that the store contains each of the case's issues once, with the fields the search requested. */
    async function expectThreeIssues(): Promise<void> {
      const issues = await handle.store.issues.list();
      expect(issues.map((i) => i.key).sort()).toEqual(keys);
      expect(issues.every((i) => i.status === "Open")).toBe(true);
      const summaries = [...(await handle.store.issues.texts()).values()].map((t) => t.summary).sort();
      expect(summaries).toEqual(keys.map((key) => `Work on ${key}`));
      const uids = await eventUids();
      expect(uids.sort()).toEqual(["jira:create:10001", "jira:create:10002", "jira:create:10003"]);
    }

    it("follows nextPageToken until absent", async () => {
      const server = await start21();

      const report = await sync(server);

      const bodies = searchBodies(server);
      expect(server.requests.map(requestLine)).toEqual(["GET /rest/api/3/myself", `POST ${SEARCH_PATH}`, `POST ${SEARCH_PATH}`]);
      expect(bodies.map((b) => "startAt" in b)).toEqual([false, false]);
      expect(bodies.map((b) => b["nextPageToken"])).toEqual([undefined, CASE_TOKEN]);
      expect(bodies.map((b) => b["fields"])).toEqual([["*all"], ["*all"]]);
      expect(report.pages).toBe(2);
      expect(report.counts.issues).toEqual({ imported: 3, updated: 0, duplicate: 0 });
      expect(report.warnings).toEqual([]);
      expect(report.skipped).toEqual([]);
      await expectThreeIssues();
    });

    it.each([
      ["token absent without isLast", {}],
      ["token null", { nextPageToken: null }],
      ["isLast true with a token", { isLast: true, nextPageToken: "CAEaAggC" }],
    ])("stops at %s", async (_name, lastPageFields) => {
      const server = await start21({ lastPageFields });

      const report = await sync(server);

      expect(searchBodies(server).map((b) => b["nextPageToken"])).toEqual([undefined, CASE_TOKEN]);
      expect(report.pages).toBe(2);
      await expectThreeIssues();
    });

    it("keeps no token in checkpoint", async () => {
      const server = await start21();
      await sync(server);

      const rows = await handle.store.db.selectFrom("sync_checkpoints").selectAll().execute();
      expect(rows.map((r) => [r.integration, r.resource, r.value])).toEqual([[integrationName(server.url), 'search project in ("PROJ")', "2025-03-10T11:00:00.000Z"]]);
      expect(JSON.stringify(rows)).not.toContain(CASE_TOKEN);
    });

    it("second sync adds nothing", async () => {
      const server = await start21();
      await sync(server);
      const activities = await handle.store.activities.count();
      const before = server.requests.length;

      const again = await sync(server);

      const bodies = server.requests.slice(before).filter((r) => r.path === SEARCH_PATH).map((r) => r.body ?? {});
      expect(bodies.map((b) => b["nextPageToken"])).toEqual([undefined]);
      expect(bodies.map((b) => "startAt" in b)).toEqual([false]);
      expect(bodies[0]?.["jql"]).toBe('project in ("PROJ") AND updated >= "2025-03-10 11:55" ORDER BY updated ASC');
      expect(again.imported).toBe(0);
      expect(again.counts.issues).toEqual({ imported: 0, updated: 0, duplicate: 1 });
      await expectThreeIssues();
      expect(await handle.store.activities.count()).toBe(activities);
    });

    it("survives 429 before the second page", async () => {
      let limited = false;
      const server = await start21({
        intercept: (request) => {
          if (limited || request.path !== SEARCH_PATH || request.body?.["nextPageToken"] !== CASE_TOKEN) return undefined;
          limited = true;
          return { status: 429, headers: { "Retry-After": "2" } };
        },
      });

      const report = await sync(server);

      expect(sleeps).toEqual([2_000]);
      const bodies = searchBodies(server);
      expect(bodies.map((b) => b["nextPageToken"])).toEqual([undefined, CASE_TOKEN, CASE_TOKEN]);
      expect(bodies.map((b) => "startAt" in b)).toEqual([false, false, false]);
      expect(report.pages).toBe(2);
      expect(report.counts.issues).toEqual({ imported: 3, updated: 0, duplicate: 0 });
      await expectThreeIssues();
    });

    /** Starts the mock so that PROJ-1 is edited at 13:00 Berlin time after the first page was served, which moves it behind PROJ-3. */
    async function startWithEditWhilePaging(): Promise<MockJira> {
      const issues = pagedIssues();
      return start({
        issues,
        pageSize: PAGE_SIZE,
        pageTokens: [CASE_TOKEN],
        intercept: (request) => {
          const edited = issues[0];
          if (edited !== undefined && request.body?.["nextPageToken"] === CASE_TOKEN) edited.updated = "2025-03-10T13:00:00.000+0100";
          return undefined;
        },
      });
    }

    it("stores moved issue once", async () => {
      const server = await startWithEditWhilePaging();

      const report = await sync(server);
      await sync(server);

      // The first pass reads 2 pages and finds that PROJ-1 moved, so a second pass reads 2 more and finds PROJ-3.
      expect(report.pages).toBe(4);
      expect(report.counts.issues).toEqual({ imported: 3, updated: 1, duplicate: 0 });
      const issues = await handle.store.issues.list();
      const moved = issues.filter((i) => i.key === "PROJ-1");
      expect(moved.map((i) => i.updatedAt)).toEqual([Date.parse("2025-03-10T12:00:00Z")]);
      expect(new Set(issues.map((i) => i.key)).size).toBe(issues.length);
      const uids = await eventUids();
      expect(new Set(uids).size).toBe(uids.length);
      expect(searches(server).every((r) => r.body !== undefined && !("startAt" in r.body))).toBe(true);
    });

    // The mock's token is an offset, so after the edit moves PROJ-1 behind PROJ-3 the second page starts past PROJ-3.
    // Jira does not document what its tokens encode, so the sync searches again from the kept checkpoint.
    it("re-query finds skipped issue", async () => {
      const server = await startWithEditWhilePaging();

      await sync(server);
      await sync(server);

      expect((await handle.store.issues.list()).map((i) => i.key).sort()).toEqual(keys);
    });
  });
});
