import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ActivityInput } from "../../../domain/types.js";
import type { AcceptedDelivery, WebhookParseResult } from "../result.js";
import { parseGithubWebhook } from "./parse.js";
import { GITHUB_WEBHOOK_COMMIT_CAP } from "./push.js";

/** Loads the example payloads of @octokit/webhooks-examples, by event name. */
function loadExamples(): Map<string, unknown[]> {
  const path = createRequire(import.meta.url).resolve("@octokit/webhooks-examples");
  const definitions = z
    .array(z.object({ name: z.string(), examples: z.array(z.unknown()) }))
    .parse(JSON.parse(readFileSync(path, "utf8")));
  return new Map(definitions.map((definition) => [definition.name, definition.examples]));
}

const EXAMPLES = loadExamples();

function examplesOf(event: string): unknown[] {
  const examples = EXAMPLES.get(event);
  if (examples === undefined || examples.length === 0) throw new Error(`@octokit/webhooks-examples has no ${event} example`);
  return examples;
}

function actionOf(example: unknown): string | undefined {
  const parsed = z.object({ action: z.string() }).safeParse(example);
  return parsed.success ? parsed.data.action : undefined;
}

function parse(event: string, body: unknown, deliveryId = "d-1"): WebhookParseResult<ActivityInput> {
  return parseGithubWebhook({ event, deliveryId, body });
}

function expectAccepted(result: WebhookParseResult<ActivityInput>): AcceptedDelivery<ActivityInput> {
  if (result.status !== "accepted") throw new Error(`expected accepted, got ${result.status}: ${result.reason}`);
  return result;
}

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

function pushBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ref: "refs/heads/feature/PROJ-7-import",
    before: SHA_A,
    after: SHA_B,
    repository: { full_name: "acme/worklens" },
    commits: [
      {
        id: SHA_B,
        message: "Import calendars for PROJ-8\n\nReads ICS files.\n",
        timestamp: "2025-03-10T08:15:00+01:00",
        author: { name: "Dev One", email: "Dev1@Example.com", username: "dev1" },
        distinct: true,
        added: ["src/a.ts"],
        modified: ["src/b.ts", "src/a.ts"],
        removed: [],
      },
    ],
    ...overrides,
  };
}

describe("parseGithubWebhook with octokit examples", () => {
  for (const event of ["push", "pull_request", "pull_request_review", "create", "delete", "ping"]) {
    it(`parses every ${event} example`, () => {
      for (const [index, example] of examplesOf(event).entries()) {
        const result = parse(event, example, `example-${index}`);
        expect(result.status, `${event} example ${index} (${actionOf(example) ?? "no action"})`).not.toBe("invalid");
        expect(result.deliveryId).toBe(`example-${index}`);
        expect(result.event).toBe(event);
      }
    });
  }

  it("reads the initial commit push example", () => {
    const example = examplesOf("push").find((body) => JSON.stringify(body).includes('"message":"Initial commit"'));
    const result = expectAccepted(parse("push", example));

    expect(result.records).toHaveLength(1);
    expect(result.truncated).toBeUndefined();
    expect(result.records[0]).toEqual({
      sourceUid: "git:6113728f27ae82c7b1a177c8d03f9e96e0adf246",
      source: "git",
      kind: "commit",
      actor: {
        source: "git",
        externalId: "21031067+codertocat@users.noreply.github.com",
        displayName: "Codertocat",
        email: "21031067+Codertocat@users.noreply.github.com",
        tz: "UTC",
      },
      startAt: Date.UTC(2019, 4, 15, 15, 19, 25),
      endAt: Date.UTC(2019, 4, 15, 15, 19, 25),
      tz: "UTC",
      dateOnly: false,
      repo: "Codertocat/Hello-World",
      explicitKeys: [],
      metrics: { filesChanged: 1 },
      text: { title: "Initial commit", branch: "master", paths: "README.md" },
    });
  });

  it("reads a tag deletion as no commits", () => {
    const example = examplesOf("push").find((body) => JSON.stringify(body).includes('"deleted":true'));
    const result = expectAccepted(parse("push", example));
    expect(result.records).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it("reads the opened pull request example", () => {
    const example = examplesOf("pull_request").find((body) => actionOf(body) === "opened");
    const result = expectAccepted(parse("pull_request", example));
    expect(result.records).toEqual([
      {
        sourceUid: `github:pull_request:Codertocat/Hello-World#2:opened:${Date.UTC(2019, 4, 15, 15, 20, 33)}`,
        source: "git",
        kind: "pull_request",
        actor: { source: "git", externalId: "github:codertocat", displayName: "Codertocat" },
        startAt: Date.UTC(2019, 4, 15, 15, 20, 33),
        endAt: Date.UTC(2019, 4, 15, 15, 20, 33),
        tz: "UTC",
        dateOnly: false,
        repo: "Codertocat/Hello-World",
        explicitKeys: [],
        text: { title: "Update the README with new information.", branch: "changes", body: "This is a pretty simple change that we need to pull into master." },
      },
    ]);
  });

  it("dates a closed pull request by closed_at", () => {
    const example = examplesOf("pull_request").find((body) => actionOf(body) === "closed");
    const result = expectAccepted(parse("pull_request", example));
    expect(result.records[0]?.startAt).toBe(Date.UTC(2019, 4, 15, 15, 21, 18));
  });

  it("ignores a labeled pull request", () => {
    const example = examplesOf("pull_request").find((body) => actionOf(body) === "labeled");
    const result = parse("pull_request", example);
    expect(result.status).toBe("ignored");
    expect(result.status === "ignored" ? result.reason : "").toMatch(/"labeled"/);
  });

  it("reads the submitted review example", () => {
    const example = examplesOf("pull_request_review").find((body) => actionOf(body) === "submitted");
    const result = expectAccepted(parse("pull_request_review", example));
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({
      sourceUid: "github:review:237895671",
      kind: "pull_request",
      actor: { externalId: "github:codertocat" },
      startAt: Date.UTC(2019, 4, 15, 15, 20, 38),
      text: { branch: "changes" },
    });
  });

  it("ignores a dismissed review", () => {
    const example = examplesOf("pull_request_review").find((body) => actionOf(body) === "dismissed");
    expect(parse("pull_request_review", example).status).toBe("ignored");
  });

  it("ignores branch creation and deletion", () => {
    for (const event of ["create", "delete"]) {
      const result = parse(event, examplesOf(event)[0]);
      expect(result.status).toBe("ignored");
    }
  });

  it("accepts ping with no records", () => {
    expect(expectAccepted(parse("ping", examplesOf("ping")[0])).records).toEqual([]);
  });
});

describe("parseGithubWebhook push", () => {
  it("reads keys from the message and the branch", () => {
    const result = expectAccepted(parse("push", pushBody()));
    const commit = result.records[0];
    expect(commit?.explicitKeys).toEqual(["PROJ-8", "PROJ-7"]);
    expect(commit?.text).toEqual({
      title: "Import calendars for PROJ-8",
      body: "Reads ICS files.",
      branch: "feature/PROJ-7-import",
      paths: "src/a.ts\nsrc/b.ts",
    });
    expect(commit?.metrics).toEqual({ filesChanged: 2 });
  });

  it("keeps the author's offset as the zone", () => {
    const commit = expectAccepted(parse("push", pushBody())).records[0];
    expect(commit?.startAt).toBe(Date.UTC(2025, 2, 10, 7, 15));
    expect(commit?.tz).toBe("UTC+01:00");
    expect(commit?.actor).toEqual({ source: "git", externalId: "dev1@example.com", displayName: "Dev One", email: "Dev1@Example.com", tz: "UTC+01:00" });
  });

  it("skips a commit without an offset", () => {
    const body = pushBody();
    const commits = body["commits"] as Record<string, unknown>[];
    const good = commits[0] ?? {};
    body["commits"] = [{ ...good, id: SHA_A, timestamp: "2025-03-10T08:15:00" }, good];
    const result = expectAccepted(parse("push", body));
    expect(result.records.map((r) => r.sourceUid)).toEqual([`git:${SHA_B}`]);
    expect(result.skipped).toEqual([{ record: `commit ${SHA_A}`, reason: expect.stringMatching(/offset/) as unknown }]);
  });

  it("skips a commit with a malformed id", () => {
    const body = pushBody();
    const commits = body["commits"] as Record<string, unknown>[];
    body["commits"] = [{ ...commits[0], id: "not-a-sha" }];
    const result = expectAccepted(parse("push", body));
    expect(result.records).toEqual([]);
    expect(result.skipped[0]?.record).toBe("commits[0]");
    expect(result.skipped[0]?.reason).not.toContain("not-a-sha");
  });

  it("flags a push whose size exceeds the list", () => {
    const result = expectAccepted(parse("push", pushBody({ size: 25, distinct_size: 25 })));
    expect(result.truncated).toEqual({
      listed: 1,
      total: 25,
      before: SHA_A,
      after: SHA_B,
      repository: "acme/worklens",
      branch: "feature/PROJ-7-import",
      reason: "size says the push has 25 commits but 1 are listed",
    });
  });

  it("flags a push whose distinct_size exceeds the list", () => {
    const result = expectAccepted(parse("push", pushBody({ distinct_size: 3 })));
    expect(result.truncated?.total).toBe(3);
  });

  it("flags a push at GitHub's cap", () => {
    const template = (pushBody()["commits"] as Record<string, unknown>[])[0] ?? {};
    const commits = Array.from({ length: GITHUB_WEBHOOK_COMMIT_CAP }, (_, i) => ({ ...template, id: i.toString(16).padStart(40, "0") }));
    const result = expectAccepted(parse("push", pushBody({ commits })));
    expect(result.records).toHaveLength(GITHUB_WEBHOOK_COMMIT_CAP);
    expect(result.truncated).toMatchObject({ listed: GITHUB_WEBHOOK_COMMIT_CAP, total: undefined, before: SHA_A, after: SHA_B });
  });

  it("leaves a complete push unflagged", () => {
    expect(expectAccepted(parse("push", pushBody({ size: 1, distinct_size: 1 }))).truncated).toBeUndefined();
  });

  it("has no branch for a tag push", () => {
    const commit = expectAccepted(parse("push", pushBody({ ref: "refs/tags/PROJ-9" }))).records[0];
    expect(commit?.text.branch).toBeUndefined();
    expect(commit?.explicitKeys).toEqual(["PROJ-8"]);
  });

  it("reports a body without a repository as invalid", () => {
    const result = parse("push", pushBody({ repository: undefined }));
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" ? result.reason : "").toMatch(/repository/);
  });
});

describe("parseGithubWebhook events", () => {
  it("ignores unknown events", () => {
    const result = parse("star", { action: "created" });
    expect(result).toEqual({ status: "ignored", event: "star", deliveryId: "d-1", reason: expect.stringMatching(/"star"/) as unknown });
  });

  it("reports a missing event header", () => {
    expect(parseGithubWebhook({ event: undefined, deliveryId: undefined, body: {} }).status).toBe("invalid");
  });

  it("reports a body that is not an object", () => {
    expect(parse("pull_request", "text").status).toBe("invalid");
    expect(parse("push", null).status).toBe("invalid");
  });

  it("dates a synchronize by updated_at", () => {
    const example = examplesOf("pull_request").find((body) => actionOf(body) === "synchronize");
    const result = expectAccepted(parse("pull_request", example));
    expect(result.records[0]?.startAt).toBe(Date.UTC(2019, 4, 15, 15, 20, 33));
    expect(result.records[0]?.sourceUid).toMatch(/:synchronize:/);
  });
});
