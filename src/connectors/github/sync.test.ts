import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import type { JsonServer, RecordedRequest } from "../code-host/test-support/json-server.js";
import { createGitHubClient } from "./client.js";
import { syncGitHub, type GitHubSyncOptions } from "./sync.js";
import { hourlyCommits, hourlyPulls } from "./test-support/fixtures.js";
import { startMockGitHub, type MockGitHubOptions } from "./test-support/mock-github.js";

const TOKEN = "ghp-test-secret-token";
const ENV = { WORKLENS_GITHUB_TOKEN: TOKEN };
const NOW = Date.UTC(2025, 2, 11);

async function rejection(promise: Promise<unknown>): Promise<WorklensError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected the sync to fail");
}

describe.each(BACKENDS)("syncGitHub on %s", (backend) => {
  let handle: TestStore;
  let github: JsonServer | undefined;
  let sleeps: number[];

  beforeEach(async () => {
    handle = await openTestStore(backend);
    sleeps = [];
  });
  afterEach(async () => {
    await github?.close();
    github = undefined;
    await handle.dispose();
  });

  async function start(options: Partial<MockGitHubOptions> = {}): Promise<JsonServer> {
    github = await startMockGitHub({
      token: TOKEN,
      pageSize: 2,
      repositories: {
        "acme/api": { commits: hourlyCommits(5), pulls: hourlyPulls(3) },
        "acme/secret": { commits: hourlyCommits(2), pulls: hourlyPulls(1) },
      },
      ...options,
    });
    return github;
  }

  function sync(server: JsonServer, options: Partial<GitHubSyncOptions> = {}, prefix = "") {
    const client = createGitHubClient({
      apiUrl: `${server.url}${prefix}`,
      env: ENV,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      now: () => NOW,
    });
    return syncGitHub(handle.store, client, { name: "acme", apiUrl: `${server.url}${prefix}`, repositories: ["acme/api"], now: () => NOW, ...options });
  }

  const paths = (server: JsonServer, suffix: string): RecordedRequest[] => server.requests.filter((r) => r.path.endsWith(suffix));

  it("pages every list to the end", async () => {
    const server = await start();

    const report = await sync(server);

    expect(report.counts).toEqual({ commits: { imported: 5, duplicate: 0 }, pullRequests: { imported: 3, duplicate: 0 }, reviews: { imported: 3, duplicate: 0 } });
    expect(report.pages).toBe(5);
    expect(paths(server, "/commits").map((r) => r.query.get("page"))).toEqual([null, "2", "3"]);
    expect(paths(server, "/pulls").map((r) => r.query.get("page"))).toEqual([null, "2"]);
    expect(paths(server, "/reviews").map((r) => r.path)).toEqual(["/repos/acme/api/pulls/3/reviews", "/repos/acme/api/pulls/2/reviews", "/repos/acme/api/pulls/1/reviews"]);
    expect(await handle.store.activities.count()).toBe(11);
  });

  it("sends the token and API version", async () => {
    const server = await start();

    await sync(server);

    for (const request of server.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers.accept).toBe("application/vnd.github+json");
      expect(request.headers["x-github-api-version"]).toBe("2022-11-28");
    }
  });

  it("requests no repository outside the list", async () => {
    const server = await start();

    await sync(server);

    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.filter((r) => !r.path.startsWith("/repos/acme/api/"))).toEqual([]);
  });

  it("rejects an empty or malformed list before any request", async () => {
    const server = await start();

    const empty = await rejection(sync(server, { repositories: [] }));
    const malformed = await rejection(sync(server, { repositories: ["acme/api", "../../users"] }));

    expect(empty.code).toBe("USAGE");
    expect(malformed.code).toBe("USAGE");
    expect(malformed.message).toContain("repositories");
    expect(server.requests).toEqual([]);
  });

  it("keeps a checkpoint per repository and resource", async () => {
    const server = await start();

    await sync(server);

    const commits = await handle.store.checkpoints.get("github acme", "acme/api commits");
    const pulls = await handle.store.checkpoints.get("github acme", "acme/api pull requests");
    expect(commits?.value).toBe('{"mark":"2025-03-10T11:00:00.000Z"}');
    expect(pulls?.value).toBe('{"mark":"2025-03-10T10:00:00.000Z"}');
  });

  it("starts over from an unreadable checkpoint", async () => {
    const server = await start();
    await handle.store.checkpoints.set("github acme", "acme/api commits", "not json", NOW);

    const report = await sync(server);

    expect(report.counts.commits.imported).toBe(5);
    expect(paths(server, "/commits")[0]?.query.get("since")).toBeNull();
  });

  it("second sync adds nothing", async () => {
    const server = await start();
    await sync(server);
    const before = server.requests.length;

    const again = await sync(server);

    expect(again.imported).toBe(0);
    expect(again.duplicate).toBeGreaterThan(0);
    const commits = server.requests.slice(before).filter((r) => r.path.endsWith("/commits"));
    // The newest commit is from 2025-03-10 11:00 UTC, and commit scans overlap by a day.
    expect(commits[0]?.query.get("since")).toBe("2025-03-09T11:00:00Z");
    expect(await handle.store.activities.count()).toBe(11);
  });

  it("resumes an interrupted commit scan", async () => {
    let failing = true;
    const server = await start({
      intercept: (request) => (failing && request.path.endsWith("/commits") && request.query.get("page") === "2" ? { status: 500, body: { message: "Server Error" } } : undefined),
    });

    const error = await rejection(sync(server, { overlapMs: 60_000 }));
    expect(error.message).toBe("GET /repos/acme/api/commits failed with HTTP 500 (1 earlier page was written)");
    expect(error.hint).toContain("the next sync resumes after the last written page");
    expect(await handle.store.activities.count()).toBe(2);

    failing = false;
    const before = server.requests.length;
    const resumed = await sync(server, { overlapMs: 60_000 });

    // Page 1 contained commits 5 and 4, so the resumed range ends at commit 4's date plus the overlap.
    const first = server.requests.slice(before).find((r) => r.path.endsWith("/commits"));
    expect(first?.query.get("until")).toBe("2025-03-10T10:01:00Z");
    expect(first?.query.get("since")).toBeNull();
    expect(resumed.counts.commits).toEqual({ imported: 3, duplicate: 2 });
    expect(await handle.store.activities.count()).toBe(11);
  });

  it("resumes pull requests without reading reviews again", async () => {
    let failing = true;
    const server = await start({
      intercept: (request) => (failing && request.path.endsWith("/pulls") && request.query.get("page") === "2" ? { status: 500, body: { message: "Server Error" } } : undefined),
    });
    await rejection(sync(server, { overlapMs: 60_000 }));
    expect(paths(server, "/reviews")).toHaveLength(2);

    failing = false;
    const before = server.requests.length;
    const resumed = await sync(server, { overlapMs: 60_000 });

    const reviews = server.requests.slice(before).filter((r) => r.path.endsWith("/reviews")).map((r) => r.path);
    // Page 1 contained pull requests 3 and 2. The resumed range reads 2 again, the oldest written,
    // then 1. The fresh scan reads 3, the newest, inside its overlap.
    expect(reviews).toEqual(["/repos/acme/api/pulls/2/reviews", "/repos/acme/api/pulls/1/reviews", "/repos/acme/api/pulls/3/reviews"]);
    expect(resumed.counts.pullRequests.imported).toBe(1);
    expect(await handle.store.activities.count()).toBe(11);
  });

  it("waits out a secondary rate limit", async () => {
    const server = await start({ rateLimits: [{ kind: "secondary", value: 3, match: (r) => r.path.endsWith("/commits") }] });

    const report = await sync(server);

    expect(sleeps).toEqual([3_000]);
    expect(report.counts.commits.imported).toBe(5);
  });

  it("waits until the primary limit resets", async () => {
    const reset = NOW / 1_000 + 42;
    const server = await start({ rateLimits: [{ kind: "primary", value: reset, match: (r) => r.path.endsWith("/pulls") }] });

    const report = await sync(server);

    // One second past the reset, so the retry does not land inside the reset second.
    expect(sleeps).toEqual([43_000]);
    expect(report.counts.pullRequests.imported).toBe(3);
  });

  it("waits a minute on a bare 429", async () => {
    const server = await start({ rateLimits: [{ kind: "plain", match: (r) => r.path.endsWith("/reviews") }] });

    await sync(server);

    expect(sleeps).toEqual([60_000]);
  });

  it("fails on a reset beyond the longest wait", async () => {
    const server = await start({ rateLimits: [{ kind: "primary", value: NOW / 1_000 + 3_600, match: () => true }] });

    const error = await rejection(sync(server));

    expect(error.message).toContain("was rate limited with Retry-After 3601 s");
    expect(sleeps).toEqual([]);
  });

  it("treats a 403 without a rate limit as permission denied", async () => {
    const server = await start({ intercept: () => ({ status: 403, body: { message: "Resource not accessible by personal access token" } }) });

    const error = await rejection(sync(server));

    expect(error.code).toBe("USAGE");
    expect(error.message).toBe("GET /repos/acme/api/commits failed with HTTP 403: permission denied");
    expect(error.hint).toContain("WORKLENS_GITHUB_TOKEN");
  });

  it("names the variable on 401, not the token", async () => {
    const server = await start({ token: "another-token" });

    const error = await rejection(sync(server));

    expect(error.message).toBe("GET /repos/acme/api/commits failed with HTTP 401: authentication failed");
    expect(error.hint).toContain("WORKLENS_GITHUB_TOKEN");
    expect(`${error.message} ${error.hint ?? ""}`).not.toContain(TOKEN);
  });

  it("follows links under an Enterprise path prefix", async () => {
    const server = await start({ prefix: "/api/v3" });

    const report = await sync(server, {}, "/api/v3");

    expect(report.counts.commits.imported).toBe(5);
    expect(paths(server, "/commits").map((r) => r.path)).toEqual(["/api/v3/repos/acme/api/commits", "/api/v3/repos/acme/api/commits", "/api/v3/repos/acme/api/commits"]);
  });
});

describe("createGitHubClient", () => {
  it("names the missing variable", () => {
    expect(() => createGitHubClient({ env: {} })).toThrow(expect.objectContaining({ code: "USAGE", message: "WORKLENS_GITHUB_TOKEN is not set" }) as Error);
  });
});
