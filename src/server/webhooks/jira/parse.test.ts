import { describe, expect, it } from "vitest";
import type { AcceptedDelivery, WebhookParseResult } from "../result.js";
import { parseJiraWebhook, type JiraWebhookRecord } from "./parse.js";

const ANA = { accountId: "5b10ac8d82e05b22cc7d4ef5", displayName: "Ana Lopes", timeZone: "Europe/Lisbon" };
const BEN = { accountId: "712020:ben", displayName: "Ben Ito", timeZone: "Asia/Tokyo" };

/** An issue as Jira Cloud embeds it in webhook bodies, shaped like Atlassian's webhook examples. */
const ISSUE = {
  id: "10042",
  key: "PROJ-7",
  fields: {
    summary: "Import calendars",
    project: { key: "PROJ" },
    issuetype: { name: "Task", subtask: false },
    status: { name: "In Progress", statusCategory: { key: "indeterminate" } },
    priority: { name: "High" },
    created: "2025-03-10T09:00:00.000+0000",
    updated: "2025-03-11T16:30:00.000+0000",
    assignee: BEN,
    reporter: ANA,
  },
};

/** 2025-03-11T16:30:00Z in epoch milliseconds, as Jira sends `timestamp`. */
const UPDATED_AT = Date.UTC(2025, 2, 11, 16, 30);

function parse(body: unknown, deliveryId = "a1b2c3"): WebhookParseResult<JiraWebhookRecord> {
  return parseJiraWebhook({ deliveryId, body });
}

function expectAccepted(result: WebhookParseResult<JiraWebhookRecord>): AcceptedDelivery<JiraWebhookRecord> {
  if (result.status !== "accepted") throw new Error(`expected accepted, got ${result.status}: ${result.reason}`);
  return result;
}

function events(result: AcceptedDelivery<JiraWebhookRecord>) {
  return result.records.flatMap((record) => (record.kind === "event" ? [record.event] : []));
}

describe("parseJiraWebhook issue events", () => {
  it("reads a created issue", () => {
    const result = expectAccepted(parse({ timestamp: Date.UTC(2025, 2, 10, 9), webhookEvent: "jira:issue_created", user: ANA, issue: ISSUE }));

    expect(result.event).toBe("jira:issue_created");
    expect(result.deliveryId).toBe("a1b2c3");
    expect(result.records.map((record) => record.kind)).toEqual(["issue", "event"]);
    expect(events(result)[0]).toMatchObject({ sourceUid: "jira:create:10042", kind: "create", issueKey: "PROJ-7", tz: "Europe/Lisbon" });
  });

  it("reads status, assignee and priority changes", () => {
    const body = {
      timestamp: UPDATED_AT,
      webhookEvent: "jira:issue_updated",
      issue_event_type_name: "issue_generic",
      user: BEN,
      issue: ISSUE,
      changelog: {
        id: "30137",
        items: [
          { field: "status", fieldtype: "jira", fieldId: "status", from: "10000", fromString: "To Do", to: "3", toString: "In Progress" },
          { field: "assignee", fieldtype: "jira", fieldId: "assignee", from: null, fromString: null, to: BEN.accountId, toString: "Ben Ito" },
          { field: "priority", fieldtype: "jira", fieldId: "priority", from: "3", fromString: "Medium", to: "2", toString: "High" },
        ],
      },
    };
    const changes = events(expectAccepted(parse(body))).filter((event) => event.sourceUid.startsWith("jira:history:"));

    expect(changes).toEqual([
      {
        sourceUid: "jira:history:30137:0",
        issueKey: "PROJ-7",
        kind: "status_change",
        at: UPDATED_AT,
        tz: "Asia/Tokyo",
        actor: { source: "jira", externalId: BEN.accountId, displayName: "Ben Ito", email: undefined, tz: "Asia/Tokyo" },
        field: "status",
        fromValue: "To Do",
        toValue: "In Progress",
      },
      expect.objectContaining({ sourceUid: "jira:history:30137:1", kind: "assignee_change", fromValue: undefined, toValue: BEN.accountId }) as unknown,
      expect.objectContaining({ sourceUid: "jira:history:30137:2", kind: "priority_change", fromValue: "Medium", toValue: "High" }) as unknown,
    ]);
  });

  it("skips a changelog without a timestamp", () => {
    const body = { webhookEvent: "jira:issue_updated", user: BEN, issue: ISSUE, changelog: { id: 5, items: [{ field: "status", toString: "Done" }] } };
    const result = expectAccepted(parse(body));
    expect(result.skipped).toEqual([{ record: "PROJ-7 changelog 5", reason: expect.stringMatching(/timestamp is missing/) as unknown }]);
  });

  it("skips a changelog with an impossible timestamp", () => {
    const body = { timestamp: 9e15, webhookEvent: "jira:issue_updated", user: BEN, issue: ISSUE, changelog: { id: 6, items: [{ field: "status", toString: "Done" }] } };
    const result = expectAccepted(parse(body));
    expect(result.skipped[0]?.record).toBe("PROJ-7 changelog 6");
  });

  it("reads a comment attached to an update", () => {
    const comment = { id: "777", author: ANA, body: "Looks good", created: "2025-03-11T16:30:00.000+0000" };
    const body = { timestamp: UPDATED_AT, webhookEvent: "jira:issue_updated", issue_event_type_name: "issue_commented", user: ANA, issue: ISSUE, comment };
    expect(events(expectAccepted(parse(body))).map((event) => event.sourceUid)).toContain("jira:comment:777");
  });

  it("reads a deleted issue", () => {
    const result = expectAccepted(parse({ timestamp: UPDATED_AT, webhookEvent: "jira:issue_deleted", user: ANA, issue: ISSUE }));
    expect(result.records).toEqual([{ kind: "issue_deleted", where: "issue (PROJ-7)", issue: { key: "PROJ-7", sourceId: "10042" } }]);
  });

  it("reports an issue with a malformed key as invalid", () => {
    const result = parse({ webhookEvent: "jira:issue_updated", issue: { ...ISSUE, key: "proj 7" } });
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" ? result.reason : "").not.toContain("proj 7");
  });

  it("skips an issue without fields but keeps its changelog", () => {
    const body = { timestamp: UPDATED_AT, webhookEvent: "jira:issue_updated", user: BEN, issue: { id: "10042", key: "PROJ-7" }, changelog: { id: "9", items: [{ field: "status", toString: "Done" }] } };
    const result = expectAccepted(parse(body));
    expect(result.skipped).toHaveLength(1);
    expect(events(result).map((event) => event.kind)).toEqual(["status_change"]);
  });
});

describe("parseJiraWebhook comments and worklogs", () => {
  it("reads a created comment", () => {
    const comment = { id: "778", author: ANA, updateAuthor: ANA, body: "PR is up", created: "2025-03-11T17:05:00.000+0000", updated: "2025-03-11T17:05:00.000+0000" };
    const result = expectAccepted(parse({ timestamp: UPDATED_AT, webhookEvent: "comment_created", comment, issue: { id: "10042", key: "PROJ-7", fields: { summary: "Import calendars" } } }));
    expect(events(result)).toEqual([
      expect.objectContaining({ sourceUid: "jira:comment:778", kind: "comment", issueKey: "PROJ-7", at: Date.UTC(2025, 2, 11, 17, 5), body: "PR is up" }) as unknown,
    ]);
  });

  it("maps an edited comment to the same event", () => {
    const comment = { id: "778", author: ANA, body: "PR is up (edited)", created: "2025-03-11T17:05:00.000+0000", updated: "2025-03-11T18:00:00.000+0000" };
    const result = expectAccepted(parse({ webhookEvent: "comment_updated", comment, issue: { id: "10042", key: "PROJ-7" } }));
    expect(events(result)[0]?.sourceUid).toBe("jira:comment:778");
  });

  it("reports a comment without its issue as invalid", () => {
    expect(parse({ webhookEvent: "comment_created", comment: { id: "1" } }).status).toBe("invalid");
  });

  it("reads a created worklog by issue id", () => {
    const worklog = { id: "100028", issueId: "10042", author: BEN, started: "2025-03-12T08:30:00.000+0900", timeSpentSeconds: 5400, comment: "pairing" };
    const result = expectAccepted(parse({ timestamp: UPDATED_AT, webhookEvent: "worklog_created", worklog }));
    expect(result.records).toEqual([
      {
        kind: "worklog",
        where: "worklog 100028",
        issue: { sourceId: "10042" },
        worklog: {
          sourceId: "jira:worklog:100028",
          author: { source: "jira", externalId: BEN.accountId, displayName: "Ben Ito", email: undefined, tz: "Asia/Tokyo" },
          startedAt: Date.UTC(2025, 2, 11, 23, 30),
          tz: "Asia/Tokyo",
          day: "2025-03-12",
          seconds: 5400,
          comment: "pairing",
        },
      },
    ]);
  });

  it("skips a worklog with no duration", () => {
    const worklog = { id: "100029", issueId: "10042", author: BEN, started: "2025-03-12T08:30:00.000+0900", timeSpentSeconds: 0 };
    const result = expectAccepted(parse({ webhookEvent: "worklog_updated", worklog }));
    expect(result.records).toEqual([]);
    expect(result.skipped[0]?.record).toBe("worklog 100029");
  });
});

describe("parseJiraWebhook events", () => {
  it("ignores unknown events", () => {
    const result = parse({ webhookEvent: "sprint_started", sprint: { id: 1 } });
    expect(result).toEqual({ status: "ignored", event: "sprint_started", deliveryId: "a1b2c3", reason: expect.stringMatching(/sprint_started/) as unknown });
  });

  it("reports a body without webhookEvent as invalid", () => {
    expect(parse({ issue: ISSUE }).status).toBe("invalid");
    expect(parse([]).status).toBe("invalid");
  });
});
