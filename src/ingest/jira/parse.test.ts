import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import type { IssueEventInput, IssueInput } from "../../domain/types.js";
import { parseJira } from "./parse.js";
import type { JiraRecord } from "./records.js";

const parse = (document: unknown, issueKey?: string) => parseJira(JSON.stringify(document), { file: "export.json", issueKey });

function issuesOf(records: JiraRecord[]): IssueInput[] {
  return records.flatMap((r) => (r.kind === "issue" ? [r.issue] : []));
}

function eventsOf(records: JiraRecord[]): IssueEventInput[] {
  return records.flatMap((r) => (r.kind === "event" ? [r.event] : []));
}

function thrown(run: () => unknown): WorklensError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected a WorklensError");
}

const devOne = { accountId: "acc-1", displayName: "Dev One", emailAddress: "dev.one@example.com", timeZone: "Europe/Berlin" };

function v3Issue(overrides: Record<string, unknown> = {}, fields: Record<string, unknown> = {}) {
  return {
    id: "10042",
    key: "PROJ-42",
    fields: {
      summary: "Import fails on empty archive",
      created: "2025-03-01T09:00:00.000+0100",
      updated: "2025-03-10T16:05:12.345+0100",
      project: { key: "PROJ" },
      issuetype: { name: "Bug", subtask: false, hierarchyLevel: 0 },
      status: { name: "In Review", statusCategory: { key: "indeterminate" } },
      priority: { name: "High" },
      reporter: devOne,
      ...fields,
    },
    ...overrides,
  };
}

describe("parseJira issue fields", () => {
  it("maps a v2 search page issue", () => {
    const page = {
      startAt: 0,
      maxResults: 50,
      total: 1,
      issues: [
        {
          id: "100006",
          key: "NUTCH-6",
          fields: {
            summary: "nutch illustration",
            description: "just the graphic",
            status: { name: "Closed" },
            priority: { name: "Trivial" },
            project: { key: "NUTCH", name: "Nutch" },
            reporter: { name: "eli.elmsworth", key: "eli.key", displayName: "Eli Elmsworth", emailAddress: "eli@example.org" },
            assignee: null,
            created: "2005-03-11T07:14:35.000+0000",
            updated: "2005-03-29T03:41:54.000+0000",
            resolutiondate: "2005-03-29T03:41:54.000+0000",
            comment: { comments: [{ body: "the graphic" }, { body: "" }, { body: "new icons" }], total: 3 },
          },
        },
      ],
    };
    const parsed = parse(page);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    expect(issuesOf(parsed.records)).toEqual([
      {
        sourceId: "100006",
        key: "NUTCH-6",
        projectKey: "NUTCH",
        issueType: undefined,
        isSubtask: false,
        parentKey: undefined,
        epicKey: undefined,
        priority: "Trivial",
        status: "Closed",
        statusCategory: undefined,
        createdAt: Date.parse("2005-03-11T07:14:35Z"),
        updatedAt: Date.parse("2005-03-29T03:41:54Z"),
        resolvedAt: Date.parse("2005-03-29T03:41:54Z"),
        assignee: undefined,
        reporter: { source: "jira", externalId: "eli.key", displayName: "Eli Elmsworth", email: "eli@example.org", tz: undefined },
        text: { summary: "nutch illustration", description: "just the graphic", comments: "the graphic\n\nnew icons" },
      },
    ]);
  });

  it("adds a create event by the reporter", () => {
    const events = eventsOf(parse(v3Issue()).records);
    expect(events).toEqual([
      {
        sourceUid: "jira:create:10042",
        issueKey: "PROJ-42",
        kind: "create",
        at: Date.parse("2025-03-01T08:00:00Z"),
        tz: "Europe/Berlin",
        actor: { source: "jira", externalId: "acc-1", displayName: "Dev One", email: "dev.one@example.com", tz: "Europe/Berlin" },
      },
    ]);
  });

  it("reads subtask, parent and epic", () => {
    const subtask = v3Issue({}, { issuetype: { name: "Sub-task", subtask: true }, parent: { key: "PROJ-40", fields: { issuetype: { name: "Story" } } } });
    const story = v3Issue({ id: "10043", key: "PROJ-43" }, { parent: { key: "PROJ-1", fields: { issuetype: { name: "Epic", hierarchyLevel: 1 } } } });
    const [first, second] = issuesOf(parse({ issues: [subtask, story] }).records);
    expect(first).toMatchObject({ isSubtask: true, issueType: "Sub-task", parentKey: "PROJ-40", epicKey: undefined });
    expect(second).toMatchObject({ isSubtask: false, parentKey: "PROJ-1", epicKey: "PROJ-1" });
  });

  it("reads the classic Epic Link field named by expand=names", () => {
    const issue = v3Issue({}, { customfield_10014: "PROJ-7", customfield_10020: "PROJ-8" });
    expect(issuesOf(parse({ issues: [issue], names: { customfield_10014: "Epic Link", customfield_10020: "Sprint" } }).records)[0]?.epicKey).toBe("PROJ-7");
    expect(issuesOf(parse({ issues: [issue] }).records)[0]?.epicKey).toBeUndefined();
    const withSchema = { issues: [issue], schema: { customfield_10014: { type: "any", custom: "com.pyxis.greenhopper.jira:gh-epic-link" } } };
    expect(issuesOf(parse(withSchema).records)[0]?.epicKey).toBe("PROJ-7");
  });

  it("takes the project key from the issue key when project is absent", () => {
    const issue = v3Issue({ key: "ABC_2-9" }, { project: undefined });
    expect(issuesOf(parse(issue).records)[0]?.projectKey).toBe("ABC_2");
  });

  it("picks the user id by accountId, key, then name", () => {
    const reporters = [{ accountId: "a", key: "k", name: "n" }, { key: "k", name: "n" }, { name: "n" }, { displayName: "Anonymous" }];
    const page = { issues: reporters.map((reporter, i) => v3Issue({ id: String(i + 1), key: `PROJ-${i + 1}` }, { reporter })) };
    expect(issuesOf(parse(page).records).map((i) => i.reporter?.externalId)).toEqual(["a", "k", "n", undefined]);
  });

  it("renders ADF descriptions", () => {
    const description = { type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: "Steps" }] }] };
    expect(issuesOf(parse(v3Issue({}, { description })).records)[0]?.text.description).toBe("Steps");
  });

  it("accepts unknown fields", () => {
    const issue = v3Issue({ expand: "renderedFields", self: "https://example.atlassian.net/rest/api/3/issue/10042" }, { customfield_10099: { nested: [1, 2] }, labels: ["x"] });
    const parsed = parse({ issues: [issue], extraTopLevel: true, warningMessages: [] });
    expect(parsed.skipped).toEqual([]);
    expect(issuesOf(parsed.records)).toHaveLength(1);
  });
});

describe("parseJira bad records", () => {
  it("skips an issue with an absurd created date", () => {
    const page = { issues: [v3Issue({ id: "1", key: "PROJ-1" }, { created: "0201-03-01T09:00:00.000+0100" }), v3Issue({ id: "2", key: "PROJ-2" })] };
    const parsed = parse(page);
    expect(issuesOf(parsed.records).map((i) => i.key)).toEqual(["PROJ-2"]);
    expect(parsed.skipped).toEqual([{ record: "issues[0] (PROJ-1)", reason: expect.stringContaining("fields.created is outside the years 1990 to 2100") as unknown }]);
  });

  it("skips an issue with an unreadable created date", () => {
    const parsed = parse(v3Issue({}, { created: "10/03/2025 09:00" }));
    expect(parsed.skipped[0]?.record).toBe("issue (PROJ-42)");
    expect(parsed.skipped[0]?.reason).toContain("fields.created is not an ISO 8601 date-time with an offset");
  });

  it("skips an issue with a field of the wrong type", () => {
    const parsed = parse({ issues: [v3Issue({}, { priority: "High" }), v3Issue({ id: "2", key: "PROJ-2" })] });
    expect(issuesOf(parsed.records).map((i) => i.key)).toEqual(["PROJ-2"]);
    expect(parsed.skipped[0]?.record).toBe("issues[0] (PROJ-42)");
    expect(parsed.skipped[0]?.reason).toContain("fields.priority");
  });

  it("skips an issue with an invalid key", () => {
    const parsed = parse({ issues: [v3Issue({ key: "not a key" })] });
    expect(parsed.skipped[0]?.reason).toContain("key: expected an issue key such as PROJ-42");
  });

  it("leaves an unreadable updated date empty with a warning", () => {
    const parsed = parse(v3Issue({}, { updated: "yesterday" }));
    expect(issuesOf(parsed.records)[0]?.updatedAt).toBeUndefined();
    expect(parsed.warnings).toEqual([expect.stringContaining("fields.updated is not an ISO 8601 date-time") as unknown]);
  });

  it("skips non-object elements of a top-level array", () => {
    const parsed = parse([v3Issue(), 42, { something: "else" }]);
    expect(issuesOf(parsed.records)).toHaveLength(1);
    expect(parsed.skipped.map((s) => s.record)).toEqual(["[1]", "[2]"]);
  });

  it("rejects JSON that is no Jira response", () => {
    expect(thrown(() => parse({ something: "else" })).message).toBe("export.json: the JSON is not a Jira response this importer reads");
    expect(thrown(() => parse(42)).code).toBe("INVALID_INPUT");
    expect(thrown(() => parse({ issues: [], total: "many" })).message).toContain("total");
  });
});

describe("parseJira changelog", () => {
  const author = { accountId: "acc-1", displayName: "Dev One" };
  const history = (id: string, items: unknown[], created = "2025-03-10T16:05:12.345+0100") => ({ id, created, author, items });

  it("maps fields to event kinds", () => {
    const issue = v3Issue({
      changelog: {
        startAt: 0,
        maxResults: 100,
        total: 1,
        histories: [
          history("30137", [
            { field: "status", fieldId: "status", from: "3", fromString: "In Progress", to: "10001", toString: "In Review" },
            { field: "assignee", fieldId: "assignee", from: "acc-0", fromString: "Old Name", to: "acc-1", toString: "Dev One" },
            { field: "priority", fieldId: "priority", from: "3", fromString: "Medium", to: "2", toString: "High" },
            { field: "description", fieldId: "description", from: null, fromString: "old text", to: null, toString: "new text" },
            { field: "Sprint", fieldId: "customfield_10020", from: "", fromString: "", to: "5", toString: "x".repeat(300) },
            { field: "labels", fieldId: "labels", from: null, fromString: "", to: null, toString: "backend" },
          ]),
        ],
      },
    });
    const events = eventsOf(parse(issue).records).filter((e) => e.kind !== "create");
    expect(events.map((e) => [e.sourceUid, e.kind, e.field, e.fromValue, e.toValue?.slice(0, 20)])).toEqual([
      ["jira:history:30137:0", "status_change", "status", "In Progress", "In Review"],
      ["jira:history:30137:1", "assignee_change", "assignee", "acc-0", "acc-1"],
      ["jira:history:30137:2", "priority_change", "priority", "Medium", "High"],
      ["jira:history:30137:3", "update", "description", undefined, undefined],
      ["jira:history:30137:4", "update", "Sprint", "", "x".repeat(20)],
      ["jira:history:30137:5", "update", "labels", "", "backend"],
    ]);
    expect(events[4]?.toValue).toHaveLength(200);
    expect(events[4]?.toValue?.endsWith("…")).toBe(true);
    expect(events[0]).toMatchObject({ at: Date.parse("2025-03-10T15:05:12.345Z"), tz: "UTC+01:00", actor: { externalId: "acc-1" } });
  });

  it("skips a history with a bad date or shape", () => {
    const issue = v3Issue({ changelog: { histories: [history("1", [], "not a date"), { id: "2", created: "2025-03-10T16:05:12.345+0100" }, history("3", [{ field: "status" }])] } });
    const parsed = parse(issue);
    expect(parsed.skipped.map((s) => s.record)).toEqual(["PROJ-42 history 1", "PROJ-42 changelog[1]"]);
    expect(parsed.skipped[1]?.reason).toContain("items");
    expect(eventsOf(parsed.records).map((e) => e.sourceUid)).toContain("jira:history:3:0");
  });

  it("requires --issue for a changelog page", () => {
    const page = { startAt: 0, maxResults: 100, total: 1, isLast: true, values: [history("30001", [{ field: "status", toString: "Done" }])] };
    const error = thrown(() => parse(page));
    expect(error.message).toContain("changelog page");
    expect(error.hint).toContain("--issue KEY");
    const parsed = parse(page, "proj-42");
    expect(eventsOf(parsed.records).map((e) => [e.issueKey, e.toValue])).toEqual([["PROJ-42", "Done"]]);
    expect(parsed.warnings).toEqual([]);
  });

  it("rejects an invalid --issue key", () => {
    const error = thrown(() => parse({ values: [] }, "PROJ 42"));
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain("PROJ 42");
  });

  it("reads the changelog of an issue without fields", () => {
    const parsed = parse({ issues: [{ id: "10042", key: "PROJ-42", changelog: { histories: [history("5", [{ field: "status", toString: "Done" }])] } }] });
    expect(parsed.skipped[0]?.reason).toContain("fields=*all");
    expect(eventsOf(parsed.records).map((e) => e.sourceUid)).toEqual(["jira:history:5:0"]);
  });
});

describe("parseJira comments and worklogs", () => {
  const adf = (value: string) => ({ type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: value }] }] });

  it("adds comment events with an author and a date", () => {
    const comments = [
      { id: "777", author: devOne, created: "2025-03-02T10:00:00.000+0100", body: adf("first") },
      { id: "778", created: "2025-03-02T11:00:00.000+0100", body: adf("anonymous") },
      { id: "779", author: devOne, body: "no date" },
      { id: "780", author: devOne, created: "02.03.2025", body: "bad date" },
    ];
    const parsed = parse(v3Issue({}, { comment: { comments, total: 4, maxResults: 4, startAt: 0 } }));
    const events = eventsOf(parsed.records).filter((e) => e.kind === "comment");
    expect(events).toEqual([
      expect.objectContaining({ sourceUid: "jira:comment:777", body: "first", at: Date.parse("2025-03-02T09:00:00Z"), tz: "Europe/Berlin" }),
    ]);
    expect(issuesOf(parsed.records)[0]?.text.comments).toBe("first\n\nanonymous\n\nno date\n\nbad date");
    expect(parsed.skipped).toEqual([{ record: "PROJ-42 comment 780", reason: expect.stringContaining("comment text is kept") as unknown }]);
  });

  it("warns when comments or worklogs are cut", () => {
    const worklog = { id: "1", started: "2025-03-02T10:00:00.000+0100", timeSpentSeconds: 60 };
    const parsed = parse(v3Issue({}, { comment: { comments: [], total: 25 }, worklog: { worklogs: [worklog], total: 21 } }));
    expect(parsed.warnings).toEqual([
      expect.stringContaining("embeds 0 of its 25 comments") as unknown,
      expect.stringContaining("embeds 1 of its 21 worklogs") as unknown,
    ]);
  });

  it("reads embedded worklogs", () => {
    const worklogs = [
      { id: "100001", author: devOne, started: "2025-03-10T00:30:00.000+0100", timeSpentSeconds: 5400, comment: adf("pairing") },
      { id: "100002", started: "2025-03-10T00:30:00.000+0100", timeSpentSeconds: 0 },
    ];
    const parsed = parse(v3Issue({}, { worklog: { worklogs, total: 2 } }));
    const records = parsed.records.filter((r) => r.kind === "worklog");
    expect(records).toEqual([
      {
        kind: "worklog",
        where: "PROJ-42 worklog 100001",
        issue: { key: "PROJ-42" },
        worklog: expect.objectContaining({ sourceId: "jira:worklog:100001", day: "2025-03-10", tz: "Europe/Berlin", seconds: 5400, comment: "pairing" }) as unknown,
      },
    ]);
    expect(parsed.skipped).toEqual([{ record: "PROJ-42 worklog 100002", reason: expect.stringContaining("timeSpentSeconds") as unknown }]);
  });

  it("requires --issue for a comment page", () => {
    const page = { startAt: 0, maxResults: 50, total: 1, comments: [{ id: "9", author: devOne, created: "2025-03-02T10:00:00.000+0100", body: "hi" }] };
    expect(thrown(() => parse(page)).hint).toContain("--issue KEY");
    expect(eventsOf(parse(page, "PROJ-42").records).map((e) => e.sourceUid)).toEqual(["jira:comment:9"]);
  });

  it("warns about a partial worklog page", () => {
    const page = { startAt: 0, maxResults: 1, total: 3, worklogs: [{ id: "1", started: "2025-03-02T10:00:00.000+0100", timeSpentSeconds: 60 }] };
    expect(parse(page, "PROJ-42").warnings).toEqual([expect.stringContaining("holds 1 of 3 worklogs") as unknown]);
  });
});

describe("parseJira pages", () => {
  it("warns about the rest of a v2 search", () => {
    const parsed = parse({ startAt: 50, maxResults: 50, total: 120, issues: [v3Issue()] });
    expect(parsed.warnings).toEqual([expect.stringContaining("holds issues 51 to 51 of 120") as unknown]);
    expect(parsed.warnings[0]).toContain("startAt=51");
  });

  it("reads an array of pages", () => {
    const parsed = parse([{ issues: [v3Issue()], isLast: false, nextPageToken: "t" }, { issues: [v3Issue({ id: "2", key: "PROJ-2" })], isLast: true }]);
    expect(issuesOf(parsed.records).map((i) => i.key)).toEqual(["PROJ-42", "PROJ-2"]);
    expect(parsed.warnings).toHaveLength(1);
  });
});
