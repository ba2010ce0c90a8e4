import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ActivityInput } from "../../../domain/types.js";
import type { AcceptedDelivery, WebhookParseResult } from "../result.js";
import { parseGitlabWebhook } from "./parse.js";
import { GITLAB_PUSH_COMMIT_CAP } from "./push.js";

const fieldCase = z
  .object({ headers: z.record(z.string(), z.string()), body: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(new URL("../../../../../shared/cases/field/17-gitlab-push-commit-cap.json", import.meta.url), "utf8")));

function expectAccepted(result: WebhookParseResult<ActivityInput>): AcceptedDelivery<ActivityInput> {
  if (result.status !== "accepted") throw new Error(`expected accepted, got ${result.status}: ${result.reason}`);
  return result;
}

function parsePush(body: unknown): AcceptedDelivery<ActivityInput> {
  return expectAccepted(parseGitlabWebhook({ event: "Push Hook", deliveryId: "uuid-1", body }));
}

/** Builds a Push Hook body shaped like the example in GitLab's webhook events reference. */
function pushBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object_kind: "push",
    event_name: "push",
    before: "1".repeat(40),
    after: "2".repeat(40),
    ref: "refs/heads/main",
    user_username: "mara",
    project_id: 42,
    project: { id: 42, name: "Ledger", path_with_namespace: "finance/ledger", default_branch: "main" },
    commits: [
      {
        id: "2".repeat(40),
        message: "PAY-12 round totals\n",
        title: "PAY-12 round totals",
        timestamp: "2025-06-30T23:50:00-07:00",
        author: { name: "Mara Quist", email: "[REDACTED]" },
        added: [],
        modified: ["ledger/round.rb"],
        removed: [],
      },
    ],
    total_commits_count: 1,
    repository: { name: "Ledger", homepage: "https://gitlab.example.com/finance/ledger" },
    ...overrides,
  };
}

describe("GitLab push field case", () => {
  it("flags 20 listed of 25 commits with the range to fetch", () => {
    const result = parsePush(fieldCase.body);

    expect(result.records).toHaveLength(GITLAB_PUSH_COMMIT_CAP);
    expect(result.skipped).toEqual([]);
    expect(result.truncated).toEqual({
      listed: 20,
      total: 25,
      before: "a".repeat(40),
      after: "14".repeat(20),
      repository: undefined,
      projectId: 1,
      branch: "PROJ-7-import",
      reason: "total_commits_count says the push has 25 commits but 20 are listed (GitLab lists at most the newest 20)",
    });
  });

  it("reads each listed commit in its author's offset", () => {
    const result = parsePush(fieldCase.body);
    const first = result.records[0];

    expect(first).toEqual({
      sourceUid: `git:${"01".repeat(20)}`,
      source: "git",
      kind: "commit",
      actor: { source: "git", externalId: "dev2@example.com", displayName: "Dev Two", email: "dev2@example.com", tz: "UTC+01:00" },
      startAt: Date.UTC(2025, 2, 10, 7, 15),
      endAt: Date.UTC(2025, 2, 10, 7, 15),
      tz: "UTC+01:00",
      dateOnly: false,
      explicitKeys: ["PROJ-7"],
      text: { title: "PROJ-7 step 1", branch: "PROJ-7-import" },
    });
    expect(result.records.at(-1)?.startAt).toBe(Date.UTC(2025, 2, 10, 12, 0));
    expect(new Set(result.records.map((r) => r.sourceUid)).size).toBe(20);
  });
});

describe("parseGitlabWebhook push", () => {
  it("reads a documented-shape push", () => {
    const result = parsePush(pushBody());

    expect(result.deliveryId).toBe("uuid-1");
    expect(result.truncated).toBeUndefined();
    expect(result.records).toEqual([
      {
        sourceUid: `git:${"2".repeat(40)}`,
        source: "git",
        kind: "commit",
        actor: { source: "git", externalId: "name:mara quist", displayName: "Mara Quist", tz: "UTC-07:00" },
        startAt: Date.UTC(2025, 6, 1, 6, 50),
        endAt: Date.UTC(2025, 6, 1, 6, 50),
        tz: "UTC-07:00",
        dateOnly: false,
        repo: "finance/ledger",
        explicitKeys: ["PAY-12"],
        metrics: { filesChanged: 1 },
        text: { title: "PAY-12 round totals", branch: "main", paths: "ledger/round.rb" },
      },
    ]);
  });

  it("accepts a branch push without commits", () => {
    const result = parsePush(pushBody({ commits: [], total_commits_count: 0 }));
    expect(result.records).toEqual([]);
    expect(result.truncated).toBeUndefined();
  });

  it("skips a bad commit and keeps the rest", () => {
    const good = (pushBody()["commits"] as unknown[])[0];
    const result = parsePush(pushBody({ commits: [{ id: "2".repeat(40) }, good], total_commits_count: 2 }));
    expect(result.records).toHaveLength(1);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.record).toBe("commits[0]");
  });

  it("reports a body without total_commits_count as invalid", () => {
    const result = parseGitlabWebhook({ event: "Push Hook", deliveryId: undefined, body: pushBody({ total_commits_count: undefined }) });
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" ? result.reason : "").toMatch(/total_commits_count/);
  });

  it("ignores tag pushes and unknown events", () => {
    expect(parseGitlabWebhook({ event: "Tag Push Hook", deliveryId: undefined, body: {} }).status).toBe("ignored");
    expect(parseGitlabWebhook({ event: "Pipeline Hook", deliveryId: undefined, body: {} }).status).toBe("ignored");
  });

  it("reports a missing event header", () => {
    expect(parseGitlabWebhook({ event: undefined, deliveryId: undefined, body: {} }).status).toBe("invalid");
  });
});
