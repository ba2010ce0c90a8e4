import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ActivityInput } from "../../domain/types.js";
import { parseGithubWebhook } from "../../server/webhooks/index.js";
import { githubCommitActivity, openedPullRequestActivity, reviewActivity } from "./activities.js";
import { commitSchema, pullSchema } from "./schemas.js";
import { exampleEvent, examplePush } from "./test-support/examples.js";

// The REST builders must write what the webhook parsers write for the same act, so a
// pull request seen both ways is stored once. Each test feeds one GitHub example both ways.

function webhookRecords(event: string, body: unknown): ActivityInput[] {
  const result = parseGithubWebhook({ event, deliveryId: "d-1", body });
  if (result.status !== "accepted") throw new Error(`expected accepted, got ${result.status}: ${result.reason}`);
  return result.records;
}

const eventSchema = z.looseObject({ pull_request: z.unknown(), review: z.unknown().optional(), repository: z.object({ full_name: z.string() }) });

describe("GitHub REST activities", () => {
  it("opened pull request equals the webhook's", () => {
    const event = eventSchema.parse(exampleEvent("pull_request"));
    const rest = openedPullRequestActivity(pullSchema.parse(event.pull_request), event.repository.full_name);

    expect(rest.ok).toBe(true);
    expect(rest.ok ? [rest.activity] : []).toEqual(webhookRecords("pull_request", event));
  });

  it("submitted review equals the webhook's", () => {
    const event = eventSchema.parse(exampleEvent("pull_request_review"));
    const pull = pullSchema.pick({ number: true, title: true, head: true }).parse(event.pull_request);
    const rest = reviewActivity(event.review, { ...pull, body: null, user: null, created_at: "", updated_at: "" }, event.repository.full_name, 0);

    expect(rest.ok).toBe(true);
    expect(rest.ok ? [rest.activity] : []).toEqual(webhookRecords("pull_request_review", event));
  });

  it("commit shares uid, author and keys with the push's", () => {
    const push = examplePush();
    const listed = push.commits[0];
    const webhook = webhookRecords("push", { ...push, ref: "refs/heads/PROJ-3-docs" })[0];
    const parsed = z.object({ id: z.string(), message: z.string(), timestamp: z.string(), author: z.object({ name: z.string(), email: z.string() }) }).parse(listed);
    const rest = githubCommitActivity(
      commitSchema.parse({ sha: parsed.id, commit: { message: parsed.message, author: { ...parsed.author, date: parsed.timestamp }, committer: { ...parsed.author, date: parsed.timestamp } } }),
      { repo: "Codertocat/Hello-World", branch: "PROJ-3-docs" },
    );

    expect(rest.ok).toBe(true);
    const activity = rest.ok ? rest.activity : undefined;
    expect(activity?.sourceUid).toBe(webhook?.sourceUid);
    expect(activity?.actor).toEqual(webhook?.actor);
    expect(activity?.startAt).toBe(webhook?.startAt);
    expect(activity?.explicitKeys).toEqual(["PROJ-3"]);
    expect(activity?.explicitKeys).toEqual(webhook?.explicitKeys);
    expect(activity?.metrics).toBeUndefined();
  });

  it("skips a pending review", () => {
    const outcome = reviewActivity(
      { id: 7, user: { login: "rev" }, state: "PENDING" },
      { number: 1, title: "t", head: { ref: "b" }, body: null, user: null, created_at: "", updated_at: "" },
      "acme/api",
      0,
    );

    expect(outcome).toEqual({ ok: false, skipped: { record: "acme/api#1 review 7", reason: "the review is pending, not submitted; it is read once it is submitted" } });
  });
});
