import { describe, expect, it } from "vitest";
import type { ActivityInput } from "../domain/types.js";
import { applyActivityPolicy, applyEventPolicy, applyIssuePolicy, collectionPolicySchema, collectionSourceOf, DEFAULT_COLLECTION_POLICY, repositoryAllowed } from "./collection.js";

function activity(overrides: Partial<ActivityInput>): ActivityInput {
  return {
    sourceUid: "git:abc",
    source: "git",
    kind: "commit",
    actor: { source: "git", externalId: "dev@example.com" },
    startAt: 0,
    endAt: 0,
    tz: "UTC",
    dateOnly: false,
    explicitKeys: ["PROJ-1"],
    text: { title: "PROJ-1 title", body: "body", branch: "feature/PROJ-1", paths: "a.ts" },
    ...overrides,
  };
}

function kept(policy: unknown, input: ActivityInput) {
  const decision = applyActivityPolicy(collectionPolicySchema.parse(policy), input);
  if (!decision.collect) throw new Error(decision.reason);
  return decision.activity;
}

describe("collection policy", () => {
  it("default keeps every field", () => {
    const input = activity({ metrics: { linesAdded: 3, linesDeleted: 1, filesChanged: 1 } });

    expect(applyActivityPolicy(DEFAULT_COLLECTION_POLICY, input)).toEqual({ collect: true, activity: input });
    expect(DEFAULT_COLLECTION_POLICY.repositories).toBeNull();
    expect(DEFAULT_COLLECTION_POLICY.metadataOnly).toBe(false);
  });

  it("sources from source and uid", () => {
    expect(collectionSourceOf({ source: "git", sourceUid: "git:abc" })).toBe("git");
    expect(collectionSourceOf({ source: "git", sourceUid: "github:review:1" })).toBe("github");
    expect(collectionSourceOf({ source: "git", sourceUid: "gitlab:note:1" })).toBe("gitlab");
    expect(collectionSourceOf({ source: "ics", sourceUid: "ics:x" })).toBe("calendar");
    expect(collectionSourceOf({ source: "wakatime", sourceUid: "w" })).toBe("ide");
    expect(collectionSourceOf({ source: "activitywatch", sourceUid: "a" })).toBe("activitywatch");
    expect(collectionSourceOf({ source: "jira", sourceUid: "jira:action:1" })).toBe("jira");
  });

  it("git line counts off drops counts only", () => {
    const result = kept({ git: { lineCounts: false } }, activity({ metrics: { linesAdded: 3, linesDeleted: 1, filesChanged: 2 } }));

    expect(result.metrics).toEqual({ filesChanged: 2 });
    expect(result.text.paths).toBe("a.ts");
  });

  it("gitlab rules apply to gitlab uids only", () => {
    const policy = { gitlab: { body: false, branch: false } };

    expect(kept(policy, activity({ sourceUid: "gitlab:note:7", kind: "pull_request" })).text).toEqual({ title: "PROJ-1 title", paths: "a.ts" });
    expect(kept(policy, activity({})).text).toEqual({ title: "PROJ-1 title", body: "body", branch: "feature/PROJ-1", paths: "a.ts" });
  });

  it("calendar title modes", () => {
    const meeting = activity({ source: "ics", sourceUid: "ics:m", kind: "meeting", explicitKeys: ["PROJ-4", "OPS-2"], text: { title: "PROJ-4 and OPS-2 sync with Ann", body: "agenda" } });
    const keyless = { ...meeting, explicitKeys: [] };

    expect(kept({ calendar: { title: "issue-keys" } }, meeting).text).toEqual({ title: "PROJ-4 OPS-2", body: "agenda" });
    expect(kept({ calendar: { title: "issue-keys" } }, keyless).text).toEqual({ body: "agenda" });
    expect(kept({ calendar: { title: "none", description: false } }, meeting).text).toEqual({});
    expect(kept({ calendar: { title: "none" } }, meeting).explicitKeys).toEqual(["PROJ-4", "OPS-2"]);
  });

  it("repository globs", () => {
    const allow = ["acme/*", "platform/**", "tool?", "Exact.Name"];

    expect(repositoryAllowed(allow, "acme/shop")).toBe(true);
    expect(repositoryAllowed(allow, "ACME/Shop")).toBe(true);
    expect(repositoryAllowed(allow, "acme/shop/sub")).toBe(false);
    expect(repositoryAllowed(allow, "platform/a/b/c")).toBe(true);
    expect(repositoryAllowed(allow, "tools")).toBe(true);
    expect(repositoryAllowed(allow, "toolset")).toBe(false);
    expect(repositoryAllowed(allow, "exact.name")).toBe(true);
    expect(repositoryAllowed(allow, "exactxname")).toBe(false);
    expect(repositoryAllowed([], "acme/shop")).toBe(false);
  });

  it("allowlist never filters non-code sources", () => {
    const heartbeat = activity({ source: "wakatime", sourceUid: "w1", kind: "ide_heartbeat", repo: undefined });

    expect(applyActivityPolicy(collectionPolicySchema.parse({ repositories: ["acme/*"] }), heartbeat).collect).toBe(true);
  });

  it("jira issue and event rules", () => {
    const policy = collectionPolicySchema.parse({ jira: { summary: false, comments: false } });
    const issue = { sourceId: "1", key: "PROJ-1", projectKey: "PROJ", isSubtask: false, createdAt: 0, text: { summary: "s", description: "d", comments: "c" } };

    expect(applyIssuePolicy(policy, issue).text).toEqual({ summary: "", description: "d", comments: "" });
    expect(applyIssuePolicy(DEFAULT_COLLECTION_POLICY, issue)).toBe(issue);
    expect(applyEventPolicy(policy, "Summary", { body: null, fromValue: "old", toValue: "new" })).toEqual({ body: null, fromValue: null, toValue: null });
    expect(applyEventPolicy(policy, "status", { body: "b", fromValue: "Open", toValue: "Done" })).toEqual({ body: null, fromValue: "Open", toValue: "Done" });
  });

  it("schema rejects unknown fields", () => {
    expect(collectionPolicySchema.safeParse({ git: { files: false } }).success).toBe(false);
    expect(collectionPolicySchema.safeParse({ repositories: [""] }).success).toBe(false);
  });
});
