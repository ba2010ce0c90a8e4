import { describe, expect, it } from "vitest";
import type { ActivityInput } from "../../domain/types.js";
import { parseGitlabWebhook } from "../../server/webhooks/index.js";
import { gitlabCommitActivity, noteActivity, openedMergeRequestActivity } from "./activities.js";
import { commitSchema, mergeRequestSchema } from "./schemas.js";

// The REST builders must write what the webhook parsers write for the same act, so a
// merge request or note seen both ways is stored once. The webhook bodies follow GitLab's
// webhook events reference, and the REST objects follow its merge requests and notes API pages.

const USER = { id: 7, name: "Ode Lind", username: "ode", email: "[REDACTED]" };
const PROJECT = { id: 42, name: "Ledger", path_with_namespace: "finance/ledger" };

/** The REST merge request, with milliseconds as the REST API writes them. */
const MERGE_REQUEST = mergeRequestSchema.parse({
  id: 9001,
  iid: 17,
  project_id: 42,
  title: "Draft: PAY-12 round totals",
  description: "Rounds half to even.",
  source_branch: "pay-13-rounding",
  author: { id: 7, username: "ode", name: "Ode Lind", state: "active" },
  created_at: "2025-07-01T08:00:00.412Z",
  updated_at: "2025-07-01T09:30:00.000Z",
});

function webhookRecords(event: string, body: unknown): ActivityInput[] {
  const result = parseGitlabWebhook({ event, deliveryId: "key-1", body });
  if (result.status !== "accepted") throw new Error(`expected accepted, got ${result.status}: ${result.reason}`);
  return result.records;
}

describe("GitLab REST activities", () => {
  it("opened merge request equals the webhook's", () => {
    // Merge Request Hook deliveries write times in Ruby's form, to the second.
    const hook = {
      object_kind: "merge_request",
      user: USER,
      project: PROJECT,
      object_attributes: { iid: 17, title: MERGE_REQUEST.title, description: MERGE_REQUEST.description, source_branch: "pay-13-rounding", state: "opened", action: "open", created_at: "2025-07-01 08:00:00 UTC", updated_at: "2025-07-01 08:00:00 UTC" },
    };

    const rest = openedMergeRequestActivity(MERGE_REQUEST, "finance/ledger");

    expect(rest.ok ? [rest.activity] : rest.skipped).toEqual(webhookRecords("Merge Request Hook", hook));
  });

  it("merge request note equals the webhook's", () => {
    const hook = {
      object_kind: "note",
      user: USER,
      project: PROJECT,
      object_attributes: { id: 1244, note: "PAY-14 needs the same rounding", noteable_type: "MergeRequest", created_at: "2025-07-01 10:00:00 UTC", action: "create", system: false },
      merge_request: { iid: 17, title: MERGE_REQUEST.title, source_branch: "pay-13-rounding" },
    };
    const note = { id: 1244, type: null, body: "PAY-14 needs the same rounding", author: { id: 7, username: "ode", name: "Ode Lind" }, created_at: "2025-07-01T10:00:00.000Z", system: false, noteable_type: "MergeRequest", internal: false, confidential: false };

    const rest = noteActivity(note, MERGE_REQUEST, "finance/ledger", 0);

    expect(rest.ok ? [rest.activity] : rest.skipped).toEqual(webhookRecords("Note Hook", hook));
  });

  it("skips internal and system notes", () => {
    const base = { id: 1, body: "x", author: { username: "ode" }, created_at: "2025-07-01T10:00:00.000Z" };

    expect(noteActivity({ ...base, internal: true }, MERGE_REQUEST, "finance/ledger", 0).ok).toBe(false);
    expect(noteActivity({ ...base, system: true }, MERGE_REQUEST, "finance/ledger", 0).ok).toBe(false);
  });

  it("commit equals the push's", () => {
    const hook = {
      ref: "refs/heads/PAY-13-rounding",
      before: "a".repeat(40),
      after: "b".repeat(40),
      project_id: 42,
      project: PROJECT,
      total_commits_count: 1,
      commits: [{ id: "b".repeat(40), message: "Round totals\n", timestamp: "2025-07-01T10:15:00+02:00", author: { name: "Ode Lind", email: "[REDACTED]" } }],
    };
    const commit = commitSchema.parse({ id: "b".repeat(40), message: "Round totals\n", author_name: "Ode Lind", author_email: "[REDACTED]", authored_date: "2025-07-01T10:15:00.000+02:00", committed_date: "2025-07-01T10:15:00.000+02:00" });

    const rest = gitlabCommitActivity(commit, { repo: "finance/ledger", branch: "PAY-13-rounding" });

    expect(rest.ok ? [rest.activity] : rest.skipped).toEqual(webhookRecords("Push Hook", hook));
  });
});
