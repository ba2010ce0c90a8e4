import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { takeActivityDelivery } from "../../server/webhook-intake/intake.js";
import { parseGitlabWebhook } from "../../server/webhooks/index.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import type { JsonServer } from "../code-host/test-support/json-server.js";
import { createGitLabClient } from "./client.js";
import { completeGitLabPush } from "./complete-push.js";
import { startMockGitLab, type MockCommit } from "./test-support/mock-gitlab.js";

const TOKEN = "glpat-test-secret-token";
const ZERO = "0".repeat(40);

/** Field case: a Push Hook for a push of 25 commits whose payload lists the newest 20 and counts 25 in total_commits_count. */
const CASE = z
  .object({
    body: z.looseObject({
      before: z.string(),
      after: z.string(),
      ref: z.string(),
      commits: z.array(z.object({ id: z.string(), message: z.string(), timestamp: z.string(), author: z.object({ name: z.string(), email: z.string() }) })),
    }),
  })
  .parse(JSON.parse(readFileSync(new URL("../../../../shared/cases/field/17-gitlab-push-commit-cap.json", import.meta.url), "utf8")));

/**
 * Returns the project's history: the push's base, then five older commits of the push
 * that the payload left out and whose messages name no issue, then the twenty it listed.
 */
function history(): MockCommit[] {
  const author = { authorName: "Dev Two", authorEmail: "dev2@example.com" };
  const base = { sha: CASE.body.before, message: "Start the importer", authoredAt: "2025-03-10T06:00:00.000+01:00", ...author };
  const older = Array.from({ length: 5 }, (_, i) => ({ sha: `ab${String(i + 1).padStart(38, "0")}`, message: `Prepare the import, part ${i + 1}`, authoredAt: `2025-03-10T07:${String(i * 10).padStart(2, "0")}:00.000+01:00`, ...author }));
  const listed = CASE.body.commits.map((c) => ({ sha: c.id, message: c.message, authoredAt: c.timestamp, authorName: c.author.name, authorEmail: c.author.email }));
  return [base, ...older, ...listed];
}

describe.each(BACKENDS)("completeGitLabPush on %s", (backend) => {
  let handle: TestStore;
  let server: JsonServer | undefined;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    server = await startMockGitLab({ token: TOKEN, pageSize: 10, projects: [{ id: 1, path: "acme/importer", commits: history() }] });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await handle.dispose();
  });

  /** Returns the running mock, started in beforeEach. */
  const gitlab = (): JsonServer => {
    if (server === undefined) throw new Error("the mock GitLab is not running");
    return server;
  };
  const client = () => createGitLabClient({ url: gitlab().url, env: { WORKLENS_GITLAB_TOKEN: TOKEN } });

  it("completes the 20-commit cap of a 25-commit push", async () => {
    const parsed = parseGitlabWebhook({ event: "Push Hook", deliveryId: "key-17", body: CASE.body });
    const delivered = await takeActivityDelivery(handle.store, "gitlab", parsed, Date.UTC(2025, 2, 10, 14));
    expect(delivered).toMatchObject({ status: "accepted", counts: { imported: 20 }, truncated: { listed: 20, total: 25, projectId: 1 } });
    const truncated = delivered.status === "accepted" ? delivered.truncated : undefined;
    if (truncated?.projectId === undefined) throw new Error("expected a truncated push with a project id");

    const report = await completeGitLabPush(handle.store, client(), { project: truncated.projectId, before: truncated.before, after: truncated.after, branch: "PROJ-7-import", total: truncated.total });

    expect(report).toMatchObject({ imported: 5, duplicate: 20, commits: 25, pages: 3, skipped: [], warnings: [] });
    const activities = await handle.store.activities.list();
    expect(activities).toHaveLength(25);
    expect(activities.filter((a) => a.kind === "commit")).toHaveLength(25);
    expect(activities.filter((a) => !a.explicitKeys.includes("PROJ-7"))).toEqual([]);
    expect(gitlab().requests.map((r) => r.path)).toEqual(Array<string>(3).fill("/api/v4/projects/1/repository/commits"));
    expect(gitlab().requests.map((r) => r.query.get("ref_name"))).toEqual(Array<string>(3).fill(`${CASE.body.before}..${CASE.body.after}`));
  });

  it("takes a project path", async () => {
    const report = await completeGitLabPush(handle.store, client(), { project: "acme/importer", before: CASE.body.before, after: CASE.body.after, branch: "PROJ-7-import", total: 25 });

    expect(report).toMatchObject({ imported: 25, commits: 25 });
    expect(gitlab().requests[0]?.path).toBe("/api/v4/projects/acme%2Fimporter/repository/commits");
  });

  it("reads a new branch's newest commits", async () => {
    const report = await completeGitLabPush(handle.store, client(), { project: 1, before: ZERO, after: CASE.body.after, branch: "PROJ-7-import", total: 12 });

    expect(report).toMatchObject({ imported: 12, commits: 12, pages: 2 });
    expect(gitlab().requests.map((r) => r.query.get("ref_name"))).toEqual([CASE.body.after, CASE.body.after]);
  });

  it("warns when fewer commits come back than counted", async () => {
    const report = await completeGitLabPush(handle.store, client(), { project: 1, before: CASE.body.before, after: CASE.body.after, branch: undefined, total: 30 });

    expect(report.commits).toBe(25);
    expect(report.warnings).toHaveLength(1);
  });
});
