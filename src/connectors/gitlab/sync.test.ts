import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import type { JsonServer, RecordedRequest } from "../code-host/test-support/json-server.js";
import { createGitLabClient } from "./client.js";
import { syncGitLab, type GitLabSyncOptions } from "./sync.js";
import { startMockGitLab, type MockCommit, type MockGitLabOptions, type MockMergeRequest, type MockProject } from "./test-support/mock-gitlab.js";

const TOKEN = "glpat-test-secret-token";
const NOW = Date.UTC(2025, 2, 11);
const DEV = { id: 7, username: "dev.two", name: "Dev Two" };
const REVIEWER = { id: 8, username: "rev", name: "Rev Three" };

/** Commits 1 to `count`, an hour apart from 2025-03-10 08:00 Berlin time. */
function commits(count: number): MockCommit[] {
  return Array.from({ length: count }, (_, i) => ({
    sha: (i + 1).toString(16).padStart(40, "a"),
    message: `PROJ-${i + 1} step ${i + 1}`,
    authorName: "Dev Two",
    authorEmail: "dev2@example.com",
    authoredAt: `2025-03-10T${String(8 + i).padStart(2, "0")}:00:00.000+01:00`,
  }));
}

/** Merge requests 1 to `count`, updated an hour apart, each with a comment and a system note. */
function mergeRequests(count: number): MockMergeRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    iid: i + 1,
    title: `Draft: PROJ-${i + 1} change`,
    sourceBranch: `proj-${i + 1}-change`,
    author: DEV,
    createdAt: new Date(Date.UTC(2025, 2, 9, 8 + i, 0, 0, 123)).toISOString(),
    updatedAt: new Date(Date.UTC(2025, 2, 10, 8 + i)).toISOString(),
    notes: [
      { id: 500 + 2 * i, body: "Looks good", author: REVIEWER, createdAt: new Date(Date.UTC(2025, 2, 10, 8 + i)).toISOString() },
      { id: 501 + 2 * i, body: "approved this merge request", author: REVIEWER, createdAt: new Date(Date.UTC(2025, 2, 10, 8 + i)).toISOString(), system: true },
    ],
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

describe.each(BACKENDS)("syncGitLab on %s", (backend) => {
  let handle: TestStore;
  let gitlab: JsonServer | undefined;
  let sleeps: number[];

  beforeEach(async () => {
    handle = await openTestStore(backend);
    sleeps = [];
  });
  afterEach(async () => {
    await gitlab?.close();
    gitlab = undefined;
    await handle.dispose();
  });

  const PROJECTS: MockProject[] = [
    { id: 42, path: "finance/ledger/api", commits: commits(5), mergeRequests: mergeRequests(3) },
    { id: 43, path: "finance/secret", commits: commits(2), mergeRequests: mergeRequests(1) },
  ];

  async function start(options: Partial<MockGitLabOptions> = {}): Promise<JsonServer> {
    gitlab = await startMockGitLab({ token: TOKEN, pageSize: 2, projects: PROJECTS, ...options });
    return gitlab;
  }

  function sync(server: JsonServer, options: Partial<GitLabSyncOptions> = {}) {
    const client = createGitLabClient({
      url: server.url,
      env: { WORKLENS_GITLAB_TOKEN: TOKEN },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      now: () => NOW,
    });
    return syncGitLab(handle.store, client, { name: "ledger", url: server.url, projects: ["finance/ledger/api"], now: () => NOW, ...options });
  }

  const matching = (server: JsonServer, suffix: string): RecordedRequest[] => server.requests.filter((r) => r.path.endsWith(suffix));
  const BASE = "/api/v4/projects/finance%2Fledger%2Fapi";

  it("pages every list by x-next-page", async () => {
    const server = await start();

    const report = await sync(server);

    expect(report.counts).toEqual({ commits: { imported: 5, duplicate: 0 }, mergeRequests: { imported: 3, duplicate: 0 }, notes: { imported: 3, duplicate: 0 } });
    expect(report.skipped.map((s) => s.reason)).toEqual(Array<string>(3).fill("system notes are written by GitLab, not by a person"));
    expect(matching(server, "/repository/commits").map((r) => r.query.get("page"))).toEqual([null, "2", "3"]);
    expect(matching(server, "/merge_requests").map((r) => r.query.get("page"))).toEqual([null, "2"]);
    expect(matching(server, "/notes").map((r) => r.path)).toEqual([3, 2, 1].map((iid) => `${BASE}/merge_requests/${iid}/notes`));
    expect(matching(server, "/repository/commits")[0]?.query.get("all")).toBe("true");
  });

  it("follows Link alone", async () => {
    const server = await start({ linkOnly: true });

    const report = await sync(server);

    expect(report.counts.commits.imported).toBe(5);
    expect(matching(server, "/repository/commits")).toHaveLength(3);
  });

  it("sends PRIVATE-TOKEN and no Authorization", async () => {
    const server = await start();

    await sync(server);

    for (const request of server.requests) {
      expect(request.headers["private-token"]).toBe(TOKEN);
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  it("requests no project outside the list", async () => {
    const server = await start();

    await sync(server);

    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.filter((r) => !r.path.startsWith(`${BASE}/`))).toEqual([]);
  });

  it("rejects a project without a group", async () => {
    const server = await start();

    const error = await rejection(sync(server, { projects: ["ledger"] }));

    expect(error.code).toBe("USAGE");
    expect(server.requests).toEqual([]);
  });

  it("second sync adds nothing", async () => {
    const server = await start();
    await sync(server);
    const before = server.requests.length;

    const again = await sync(server);

    expect(again.imported).toBe(0);
    const later = server.requests.slice(before);
    // The newest commit is from 2025-03-10 12:00 Berlin time (11:00 UTC), and commit scans overlap by a day.
    expect(later.find((r) => r.path.endsWith("/repository/commits"))?.query.get("since")).toBe("2025-03-09T11:00:00Z");
    // The newest merge request update is at 10:00 UTC, and merge request scans overlap by 5 minutes.
    expect(later.find((r) => r.path.endsWith("/merge_requests"))?.query.get("updated_after")).toBe("2025-03-10T09:55:00Z");
    expect(await handle.store.activities.count()).toBe(11);
  });

  it("resumes an interrupted merge request scan", async () => {
    let failing = true;
    const server = await start({
      intercept: (request) => (failing && request.path.endsWith("/merge_requests") && request.query.get("page") === "2" ? { status: 500, body: { message: "500 Internal Server Error" } } : undefined),
    });

    const error = await rejection(sync(server, { overlapMs: 60_000 }));
    expect(error.message).toBe(`GET ${BASE}/merge_requests failed with HTTP 500 (4 earlier pages were written)`);

    failing = false;
    const before = server.requests.length;
    const resumed = await sync(server, { overlapMs: 60_000 });

    // Page 1 contained merge requests 3 and 2, so the resumed range ends at 2's update plus the overlap.
    const first = server.requests.slice(before).find((r) => r.path.endsWith("/merge_requests"));
    expect(first?.query.get("updated_before")).toBe("2025-03-10T09:01:00Z");
    expect(resumed.counts.mergeRequests).toEqual({ imported: 1, duplicate: 2 });
    expect(await handle.store.activities.count()).toBe(11);
  });

  it("waits Retry-After on 429", async () => {
    const server = await start({ rateLimits: [{ match: (r) => r.path.endsWith("/notes"), retryAfter: 4 }] });

    const report = await sync(server);

    expect(sleeps).toEqual([4_000]);
    expect(report.counts.notes.imported).toBe(3);
  });

  it("names the variable on 401, not the token", async () => {
    const server = await start({ token: "another-token" });

    const error = await rejection(sync(server));

    expect(error.message).toBe(`GET ${BASE}/repository/commits failed with HTTP 401: authentication failed`);
    expect(error.hint).toContain("WORKLENS_GITLAB_TOKEN");
    expect(`${error.message} ${error.hint ?? ""}`).not.toContain(TOKEN);
  });
});

describe("createGitLabClient", () => {
  it("names the missing variable", () => {
    expect(() => createGitLabClient({ url: "https://gitlab.com", env: { WORKLENS_GITLAB_TOKEN: " " } })).toThrow(
      expect.objectContaining({ code: "USAGE", message: "WORKLENS_GITLAB_TOKEN is not set" }) as Error,
    );
  });
});
