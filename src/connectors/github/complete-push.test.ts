import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { takeActivityDelivery } from "../../server/webhook-intake/intake.js";
import { parseGithubWebhook } from "../../server/webhooks/index.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import type { JsonServer } from "../code-host/test-support/json-server.js";
import { createGitHubClient } from "./client.js";
import { completeGitHubPush } from "./complete-push.js";
import { examplePush } from "./test-support/examples.js";
import { sha } from "./test-support/fixtures.js";
import { startMockGitHub, type MockCommit } from "./test-support/mock-github.js";

const TOKEN = "ghp-test-secret-token";
const REPOSITORY = "Codertocat/Hello-World";
const BRANCH = "PROJ-9-sync";
const ZERO = "0".repeat(40);

/** The base commit 100, then commits 101 to 125, a quarter hour apart, whose messages name no issue. */
const HISTORY: MockCommit[] = Array.from({ length: 26 }, (_, i) => ({
  sha: sha(100 + i),
  message: i === 0 ? "Initial commit" : `Sync step ${i}\n\nMoves data in batches.`,
  authorName: "Codertocat",
  authorEmail: "21031067+Codertocat@users.noreply.github.com",
  authoredAt: new Date(Date.UTC(2025, 2, 10, 7, 15 * i)).toISOString(),
  login: "Codertocat",
}));

/**
 * Turns the push example of @octokit/webhooks-examples into a push of 25 commits. Its
 * payload lists the newest 20 and counts all 25 in `size`, as the Events API's PushEvent does.
 */
function truncatedPush(): Record<string, unknown> {
  const push = examplePush();
  const template = push.commits[0] ?? {};
  const commits = HISTORY.slice(6).map((commit) => ({
    ...template,
    id: commit.sha,
    message: commit.message,
    timestamp: commit.authoredAt.replace(".000Z", "Z"),
    added: [],
    removed: [],
    modified: ["README.md"],
  }));
  return { ...push, ref: `refs/heads/${BRANCH}`, before: sha(100), after: sha(125), commits, size: 25, distinct_size: 25 };
}

describe.each(BACKENDS)("completeGitHubPush on %s", (backend) => {
  let handle: TestStore;
  let server: JsonServer | undefined;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    server = await startMockGitHub({ token: TOKEN, pageSize: 10, repositories: { [REPOSITORY]: { commits: HISTORY } } });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await handle.dispose();
  });

  /** Returns the running mock, started in beforeEach. */
  const github = (): JsonServer => {
    if (server === undefined) throw new Error("the mock GitHub is not running");
    return server;
  };
  const client = () => createGitHubClient({ apiUrl: github().url, env: { WORKLENS_GITHUB_TOKEN: TOKEN } });

  it("stores the commits a truncated push left out", async () => {
    const parsed = parseGithubWebhook({ event: "push", deliveryId: "delivery-1", body: truncatedPush() });
    const delivered = await takeActivityDelivery(handle.store, "github", parsed, Date.UTC(2025, 2, 10, 12));
    expect(delivered).toMatchObject({ status: "accepted", counts: { imported: 20 }, truncated: { listed: 20, total: 25 } });
    const truncated = delivered.status === "accepted" ? delivered.truncated : undefined;
    if (truncated?.repository === undefined) throw new Error("expected a truncated push with a repository");

    const report = await completeGitHubPush(handle.store, client(), { repository: truncated.repository, before: truncated.before, after: truncated.after, branch: BRANCH, total: truncated.total });

    expect(report).toMatchObject({ imported: 5, duplicate: 20, commits: 25, pages: 3, skipped: [], warnings: [] });
    const activities = await handle.store.activities.list();
    expect(activities).toHaveLength(25);
    expect(activities.filter((a) => a.kind === "commit")).toHaveLength(25);
    expect(activities.filter((a) => !a.explicitKeys.includes("PROJ-9"))).toEqual([]);
    const compare = github().requests.map((r) => `${r.path}?${r.query.toString()}`);
    expect(compare).toEqual([1, 2, 3].map((page) => `/repos/${REPOSITORY}/compare/${sha(100)}...${sha(125)}?per_page=100&page=${page}`));
  });

  it("reads a new branch's newest commits", async () => {
    const report = await completeGitHubPush(handle.store, client(), { repository: REPOSITORY, before: ZERO, after: sha(125), branch: BRANCH, total: 3 });

    expect(report).toMatchObject({ imported: 3, duplicate: 0, commits: 3 });
    expect(github().requests.map((r) => r.query.get("sha"))).toEqual([sha(125)]);
    expect(await handle.store.activities.count()).toBe(3);
  });

  it("skips a new branch without a count", async () => {
    const report = await completeGitHubPush(handle.store, client(), { repository: REPOSITORY, before: ZERO, after: sha(125), branch: BRANCH });

    expect(report.skipped).toHaveLength(1);
    expect(github().requests).toEqual([]);
  });

  it("reads nothing for a deleted branch", async () => {
    const report = await completeGitHubPush(handle.store, client(), { repository: REPOSITORY, before: sha(125), after: ZERO, branch: BRANCH });

    expect(report.commits).toBe(0);
    expect(github().requests).toEqual([]);
  });

  it("rejects a short hash", async () => {
    const error = await completeGitHubPush(handle.store, client(), { repository: REPOSITORY, before: "abc123", after: sha(125), branch: BRANCH }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorklensError);
    expect(error).toMatchObject({ code: "USAGE", message: "before is not a full commit hash" });
  });
});
