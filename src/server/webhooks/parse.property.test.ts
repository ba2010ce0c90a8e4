import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGithubWebhook } from "./github/parse.js";
import { parseGitlabWebhook } from "./gitlab/parse.js";
import { parseJiraWebhook } from "./jira/parse.js";

const GITHUB_EVENTS = ["push", "pull_request", "pull_request_review", "create", "delete", "ping", "issues"];
const GITLAB_EVENTS = ["Push Hook", "Merge Request Hook", "Note Hook", "Tag Push Hook"];
const JIRA_EVENTS = ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted", "comment_created", "worklog_updated", "sprint_started"];

/** Objects with the fields the parsers look for, filled with arbitrary JSON, so validation fails deep inside as well as at the top. */
const nearlyValidBody = fc.record(
  {
    action: fc.oneof(fc.constantFrom("opened", "submitted", "closed", "open", "merge"), fc.jsonValue()),
    ref: fc.oneof(fc.constant("refs/heads/PROJ-1-x"), fc.jsonValue()),
    before: fc.oneof(fc.constant("0".repeat(40)), fc.jsonValue()),
    after: fc.oneof(fc.constant("f".repeat(40)), fc.jsonValue()),
    commits: fc.array(fc.oneof(fc.record({ id: fc.constant("a".repeat(40)), message: fc.string(), timestamp: fc.string(), author: fc.jsonValue() }), fc.jsonValue())),
    repository: fc.oneof(fc.record({ full_name: fc.string() }), fc.jsonValue()),
    total_commits_count: fc.jsonValue(),
    project_id: fc.jsonValue(),
    pull_request: fc.jsonValue(),
    object_attributes: fc.jsonValue(),
    issue: fc.oneof(fc.record({ id: fc.string(), key: fc.constant("PROJ-1"), fields: fc.jsonValue() }), fc.jsonValue()),
    changelog: fc.oneof(fc.record({ id: fc.string(), items: fc.array(fc.jsonValue()) }), fc.jsonValue()),
    comment: fc.jsonValue(),
    worklog: fc.jsonValue(),
    timestamp: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.jsonValue()),
    user: fc.jsonValue(),
    sender: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(fc.jsonValue(), nearlyValidBody);

describe("webhook parsers on arbitrary bodies", () => {
  it("GitHub returns a status", () => {
    fc.assert(
      fc.property(fc.constantFrom(...GITHUB_EVENTS), body, (event, value) => {
        expect(["accepted", "ignored", "invalid"]).toContain(parseGithubWebhook({ event, deliveryId: "d", body: value }).status);
      }),
    );
  });

  it("GitLab returns a status", () => {
    fc.assert(
      fc.property(fc.constantFrom(...GITLAB_EVENTS), body, (event, value) => {
        expect(["accepted", "ignored", "invalid"]).toContain(parseGitlabWebhook({ event, deliveryId: "d", body: value }).status);
      }),
    );
  });

  it("Jira returns a status", () => {
    fc.assert(
      fc.property(fc.constantFrom(...JIRA_EVENTS), nearlyValidBody, (event, value) => {
        const result = parseJiraWebhook({ deliveryId: "d", body: { ...value, webhookEvent: event } });
        expect(["accepted", "ignored", "invalid"]).toContain(result.status);
      }),
    );
  });
});
