import { describe, expect, it } from "vitest";
import { parseGitlabWebhook } from "./parse.js";

/** Builds a Merge Request Hook body shaped like the example in GitLab's webhook events reference. */
function mergeRequestBody(attributes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object_kind: "merge_request",
    event_type: "merge_request",
    user: { id: 7, name: "Ode Lind", username: "ode", email: "[REDACTED]" },
    project: { id: 42, name: "Ledger", path_with_namespace: "finance/ledger" },
    object_attributes: {
      id: 9001,
      iid: 17,
      title: "Draft: PAY-12 round totals",
      description: "Rounds half to even.",
      source_branch: "pay-13-rounding",
      target_branch: "main",
      state: "opened",
      action: "open",
      created_at: "2025-07-01 08:00:00 UTC",
      updated_at: "2025-07-01T09:30:00+02:00",
      ...attributes,
    },
  };
}

function parse(body: unknown) {
  return parseGitlabWebhook({ event: "Merge Request Hook", deliveryId: "key-1", body });
}

describe("parseGitlabWebhook merge request", () => {
  it("reads an opened merge request", () => {
    const result = parse(mergeRequestBody());
    expect(result.status).toBe("accepted");
    expect(result.status === "accepted" ? result.records : []).toEqual([
      {
        sourceUid: `gitlab:merge_request:42!17:open:${Date.UTC(2025, 6, 1, 8)}`,
        source: "git",
        kind: "pull_request",
        actor: { source: "git", externalId: "gitlab:ode", displayName: "Ode Lind" },
        startAt: Date.UTC(2025, 6, 1, 8),
        endAt: Date.UTC(2025, 6, 1, 8),
        tz: "UTC",
        dateOnly: false,
        repo: "finance/ledger",
        explicitKeys: ["PAY-12"],
        text: { title: "Draft: PAY-12 round totals", branch: "pay-13-rounding", body: "Rounds half to even." },
      },
    ]);
  });

  it("dates an update by updated_at with its offset", () => {
    const result = parse(mergeRequestBody({ action: "update", source_branch: "PAY-13-rounding" }));
    const activity = result.status === "accepted" ? result.records[0] : undefined;
    expect(activity?.startAt).toBe(Date.UTC(2025, 6, 1, 7, 30));
    expect(activity?.tz).toBe("UTC+02:00");
    expect(activity?.explicitKeys).toEqual(["PAY-12", "PAY-13"]);
  });

  it("reads a merge", () => {
    expect(parse(mergeRequestBody({ action: "merge", state: "merged" })).status).toBe("accepted");
  });

  it("ignores withdrawn approvals and missing actions", () => {
    const unapproved = parse(mergeRequestBody({ action: "unapproved" }));
    expect(unapproved.status).toBe("ignored");
    expect(unapproved.status === "ignored" ? unapproved.reason : "").toMatch(/"unapproved"/);
    expect(parse(mergeRequestBody({ action: undefined })).status).toBe("ignored");
  });

  it("reports an unreadable timestamp as invalid", () => {
    const result = parse(mergeRequestBody({ created_at: "yesterday" }));
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" ? result.reason : "").toMatch(/created_at/);
  });

  it("reports a body without attributes as invalid", () => {
    expect(parse({ object_kind: "merge_request" }).status).toBe("invalid");
  });
});
