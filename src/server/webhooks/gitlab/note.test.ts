import { describe, expect, it } from "vitest";
import { parseGitlabWebhook } from "./parse.js";

/** Builds a Note Hook body shaped like the examples in GitLab's webhook events reference. */
function noteBody(attributes: Record<string, unknown>, target: Record<string, unknown>): Record<string, unknown> {
  return {
    object_kind: "note",
    event_type: "note",
    user: { id: 7, name: "Ode Lind", username: "Ode", email: "ode@example.org" },
    project_id: 42,
    project: { id: 42, name: "Ledger", path_with_namespace: "finance/ledger" },
    object_attributes: {
      id: 1244,
      note: "Could this reuse PAY-3's helper?",
      noteable_type: "MergeRequest",
      created_at: "2025-07-01 10:15:00 +0200",
      updated_at: "2025-07-01 10:15:00 +0200",
      action: "create",
      ...attributes,
    },
    ...target,
  };
}

const MERGE_REQUEST = { merge_request: { id: 9001, iid: 17, title: "PAY-12 round totals", source_branch: "pay-12-rounding" } };
const COMMIT = { commit: { id: "3".repeat(40), message: "PAY-20 fix the cents\n\nLonger text." } };

function parse(body: unknown) {
  return parseGitlabWebhook({ event: "Note Hook", deliveryId: undefined, body });
}

describe("parseGitlabWebhook note", () => {
  it("reads a comment on a merge request", () => {
    const result = parse(noteBody({}, MERGE_REQUEST));
    expect(result.status === "accepted" ? result.records : []).toEqual([
      {
        sourceUid: "gitlab:note:1244",
        source: "git",
        kind: "pull_request",
        actor: { source: "git", externalId: "gitlab:ode", displayName: "Ode Lind", email: "ode@example.org" },
        startAt: Date.UTC(2025, 6, 1, 8, 15),
        endAt: Date.UTC(2025, 6, 1, 8, 15),
        tz: "UTC+02:00",
        dateOnly: false,
        repo: "finance/ledger",
        explicitKeys: ["PAY-12", "PAY-3"],
        text: { title: "PAY-12 round totals", branch: "pay-12-rounding", body: "Could this reuse PAY-3's helper?" },
      },
    ]);
  });

  it("reads a comment on a commit", () => {
    const result = parse(noteBody({ noteable_type: "Commit", note: "Looks right." }, COMMIT));
    const activity = result.status === "accepted" ? result.records[0] : undefined;
    expect(activity?.explicitKeys).toEqual(["PAY-20"]);
    expect(activity?.text).toEqual({ title: "PAY-20 fix the cents", body: "Looks right." });
  });

  it("ignores comments on issues", () => {
    const result = parse(noteBody({ noteable_type: "Issue" }, { issue: { iid: 3, title: "Broken" } }));
    expect(result.status).toBe("ignored");
    expect(result.status === "ignored" ? result.reason : "").toMatch(/Issue/);
  });

  it("ignores edited and system notes", () => {
    expect(parse(noteBody({ action: "update" }, MERGE_REQUEST)).status).toBe("ignored");
    expect(parse(noteBody({ system: true }, MERGE_REQUEST)).status).toBe("ignored");
  });

  it("reads a note without an action as new", () => {
    expect(parse(noteBody({ action: undefined }, MERGE_REQUEST)).status).toBe("accepted");
  });
});
