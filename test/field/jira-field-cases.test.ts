import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatJiraInstant } from "../../src/domain/time.js";
import { adfToText } from "../../src/ingest/jira/adf.js";
import { importJira } from "../../src/ingest/jira/import.js";
import { parseJira } from "../../src/ingest/jira/parse.js";
import type { JiraRecord } from "../../src/ingest/jira/records.js";
import { truncateGraphemes } from "../../src/ingest/jira/text.js";
import { BACKENDS, openTestStore, type TestStore } from "../../src/store/test-support/backends.js";

type Json = Record<string, unknown>;

function fieldCase(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../../shared/cases/field/${name}`, import.meta.url), "utf8")) as Json;
}

function object(value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("expected a JSON object in the field case");
  return value as Json;
}

function worklogs(records: JiraRecord[]): Extract<JiraRecord, { kind: "worklog" }>[] {
  return records.filter((r): r is Extract<JiraRecord, { kind: "worklog" }> => r.kind === "worklog");
}

const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

describe("truncated embedded changelog", () => {
  const excerpt = object(fieldCase("19-jira-changelog-truncated.json")["response_excerpt"]);
  const changelog = object(excerpt["changelog"]);
  const histories = changelog["histories"] as unknown[];
  const total = changelog["total"] as number;

  it("warns with the number of missing histories", () => {
    const parsed = parseJira(JSON.stringify(excerpt), { file: "issue.json" });
    const warning = parsed.warnings.find((w) => w.includes("changelog"));
    expect(total - histories.length).toBe(135);
    expect(warning).toContain("PROJ-42");
    expect(warning).toContain(`${histories.length} of ${total}`);
    expect(warning).toContain(`${total - histories.length} older ones are missing`);
    expect(warning).toContain("/rest/api/3/issue/PROJ-42/changelog");
    expect(warning).toContain("--issue PROJ-42");
  });

  it("still reads the embedded histories", () => {
    const parsed = parseJira(JSON.stringify(excerpt), { file: "issue.json" });
    const uids = parsed.records.flatMap((r) => (r.kind === "event" ? [r.event.sourceUid] : []));
    expect(uids).toEqual(["jira:history:30137:0", "jira:history:30038:0"]);
    const transition = parsed.records.find((r) => r.kind === "event" && r.event.kind === "status_change");
    expect(transition?.kind === "event" ? transition.event.toValue : undefined).toBe("In Review");
  });

  describe.each(BACKENDS)("changelog page import on %s", (backend) => {
    let handle: TestStore;
    let folder: string;
    beforeEach(async () => {
      handle = await openTestStore(backend);
      folder = mkdtempSync(join(tmpdir(), "worklens-jira-19-"));
    });
    afterEach(async () => {
      await handle.dispose();
      rmSync(folder, { recursive: true, force: true });
    });

    it("adds only the histories not embedded", async () => {
      // The excerpt lacks the id and created date a real response has; add them so the issue imports.
      const issue = { ...excerpt, id: "10042", fields: { ...object(excerpt["fields"]), created: "2025-02-03T10:00:00.000+0100" } };
      const issueFile = join(folder, "issue.json");
      writeFileSync(issueFile, JSON.stringify(issue));
      const first = await importJira(handle.store, issueFile);
      expect(first.counts.issues.imported).toBe(1);
      expect(first.counts.events.imported).toBe(3);

      const author = { accountId: "5b10a2844c20165700ede21g", displayName: "Dev One" };
      const page = {
        startAt: 0,
        maxResults: 100,
        total,
        isLast: false,
        values: [
          { id: "30001", created: "2025-02-03T10:15:00.000+0100", author, items: [{ field: "status", fieldId: "status", from: "1", fromString: "To Do", to: "3", toString: "In Progress" }] },
          { id: "30002", created: "2025-02-04T11:00:00.000+0100", author, items: [{ field: "assignee", fieldId: "assignee", from: null, fromString: null, to: author.accountId, toString: "Dev One" }] },
          histories[0],
        ],
      };
      const pageFile = join(folder, "changelog-0.json");
      writeFileSync(pageFile, JSON.stringify(page));
      const merged = await importJira(handle.store, pageFile, { issueKey: "PROJ-42" });

      expect(merged.counts.events.imported).toBe(2);
      expect(merged.counts.events.duplicate).toBe(1);
      expect(merged.warnings.some((w) => w.includes("startAt=3"))).toBe(true);
      const events = await handle.store.issues.events();
      expect(events).toHaveLength(5);
      expect(events.filter((e) => e.kind === "status_change").map((e) => e.toValue)).toEqual(["In Progress", "In Review"]);

      const again = await importJira(handle.store, pageFile, { issueKey: "PROJ-42" });
      expect(again.imported).toBe(0);
      expect(await handle.store.issues.events()).toHaveLength(5);
    });
  });
});

describe("search/jql pagination", () => {
  const fixture = fieldCase("21-jira-search-jql-pagination.json");

  it("skips id-only issues with the fields hint", () => {
    const parsed = parseJira(JSON.stringify(fixture["page_1_response"]), { file: "page-1.json" });
    expect(parsed.records).toEqual([]);
    expect(parsed.skipped.map((s) => s.record)).toEqual(["issues[0] (PROJ-1)", "issues[1] (PROJ-2)"]);
    for (const skip of parsed.skipped) expect(skip.reason).toContain("fields=*all");
  });

  it("warns that more pages exist", () => {
    const first = parseJira(JSON.stringify(fixture["page_1_response"]), { file: "page-1.json" });
    expect(first.warnings.some((w) => w.includes("nextPageToken") && w.includes("isLast"))).toBe(true);
    const last = parseJira(JSON.stringify(fixture["page_2_response"]), { file: "page-2.json" });
    expect(last.warnings).toEqual([]);
  });

  it("names created when it was not requested", () => {
    const requested = object(fixture["page_1_request"])["fields"] as string[];
    expect(requested).not.toContain("created");
    const page = { issues: [{ id: "10001", key: "PROJ-1", fields: { summary: "Crash", status: { name: "Open" }, updated: "2025-03-10T10:00:00.000+0100" } }], isLast: true };
    const parsed = parseJira(JSON.stringify(page), { file: "page.json" });
    expect(parsed.skipped[0]?.reason).toContain("fields.created is missing");
  });

  describe.each(BACKENDS)("page import on %s", (backend) => {
    let handle: TestStore;
    let folder: string;
    beforeEach(async () => {
      handle = await openTestStore(backend);
      folder = mkdtempSync(join(tmpdir(), "worklens-jira-21-"));
    });
    afterEach(async () => {
      await handle.dispose();
      rmSync(folder, { recursive: true, force: true });
    });

    function issue(id: string, key: string, updated: string): Json {
      return {
        id,
        key,
        fields: {
          summary: `Work on ${key}`,
          status: { name: "In Progress", statusCategory: { key: "indeterminate" } },
          issuetype: { name: "Task", subtask: false },
          created: "2025-03-01T09:00:00.000+0100",
          updated,
          reporter: { accountId: "acc-1", displayName: "Dev One" },
        },
      };
    }

    it("imports three issues and re-import adds nothing", async () => {
      // PROJ-2 moved between the requests (ORDER BY updated), so it is on both pages.
      const pages = [
        { issues: [issue("10001", "PROJ-1", "2025-03-10T10:00:00.000+0100"), issue("10002", "PROJ-2", "2025-03-10T09:00:00.000+0100")], nextPageToken: "CAEaAggB", isLast: false },
        { issues: [issue("10002", "PROJ-2", "2025-03-10T09:00:00.000+0100"), issue("10003", "PROJ-3", "2025-03-10T08:00:00.000+0100")], isLast: true },
      ];
      const files = pages.map((page, index) => {
        const file = join(folder, `page-${index + 1}.json`);
        writeFileSync(file, JSON.stringify(page));
        return file;
      });

      const first = [];
      for (const file of files) first.push(await importJira(handle.store, file));
      expect(first.map((r) => r.counts.issues.imported)).toEqual([2, 1]);
      expect(first[1]?.counts.issues.duplicate).toBe(1);
      expect(first[0]?.warnings.some((w) => w.includes("nextPageToken"))).toBe(true);
      expect((await handle.store.issues.list()).map((i) => i.key).sort()).toEqual(["PROJ-1", "PROJ-2", "PROJ-3"]);

      for (const file of files) {
        const again = await importJira(handle.store, file);
        expect(again.imported).toBe(0);
      }
      expect(await handle.store.issues.list()).toHaveLength(3);
      expect(await handle.store.issues.events()).toHaveLength(3);
      expect(await handle.store.activities.count()).toBe(3);
    });
  });
});

describe("worklog started time zone", () => {
  const fixture = fieldCase("22-jira-worklog-started-timezone.json");
  const page = { startAt: 0, maxResults: 2, total: 2, worklogs: [fixture["worklog_from_api"], fixture["second_worklog"]] };

  it("keeps the instant and the author's day", () => {
    const parsed = parseJira(JSON.stringify(page), { file: "worklog.json", issueKey: "PROJ-42" });
    const [first] = worklogs(parsed.records).map((r) => r.worklog);
    expect(first?.startedAt).toBe(Date.parse("2025-03-09T23:30:00Z"));
    expect(first?.tz).toBe("Europe/Berlin");
    expect(first?.day).toBe("2025-03-10");
    expect(first?.seconds).toBe(5400);
  });

  it("reads 12:57 as 24-hour time", () => {
    const parsed = parseJira(JSON.stringify(page), { file: "worklog.json", issueKey: "PROJ-42" });
    const second = worklogs(parsed.records)[1]?.worklog;
    expect(second?.startedAt).toBe(Date.parse("2025-03-10T11:57:00Z"));
    expect(second?.startedAt).not.toBe(Date.parse("2025-03-09T23:57:00Z"));
    // No author zone: the day is taken in the offset "started" was written with.
    expect(second?.tz).toBe("UTC+01:00");
    expect(second?.day).toBe("2025-03-10");
  });

  it("uses issueId without --issue", () => {
    const parsed = parseJira(JSON.stringify(page), { file: "worklog.json" });
    expect(worklogs(parsed.records).map((r) => r.issue)).toEqual([{ sourceId: "10042" }]);
    expect(parsed.skipped).toEqual([{ record: "worklog 100002", reason: expect.stringContaining("--issue KEY") as unknown }]);
  });

  it("formats started for Jira with a numeric offset", () => {
    expect(formatJiraInstant(Date.parse("2025-03-10T08:00:00Z"), "Europe/Berlin")).toBe("2025-03-10T09:00:00.000+0100");
  });

  describe.each(BACKENDS)("worklog import on %s", (backend) => {
    let handle: TestStore;
    let folder: string;
    beforeEach(async () => {
      handle = await openTestStore(backend);
      folder = mkdtempSync(join(tmpdir(), "worklens-jira-22-"));
    });
    afterEach(async () => {
      await handle.dispose();
      rmSync(folder, { recursive: true, force: true });
    });

    it("stores worklogs on the author's day", async () => {
      const issueFile = join(folder, "issue.json");
      writeFileSync(issueFile, JSON.stringify({ id: "10042", key: "PROJ-42", fields: { summary: "Import fails", created: "2025-03-01T09:00:00.000+0100" } }));
      await importJira(handle.store, issueFile);
      const worklogFile = join(folder, "worklog.json");
      writeFileSync(worklogFile, JSON.stringify(page));

      const byIssueId = await importJira(handle.store, worklogFile);
      expect(byIssueId.counts.worklogs.imported).toBe(1);
      expect(byIssueId.skipped.map((s) => s.record)).toEqual(["worklog 100002"]);

      const byOption = await importJira(handle.store, worklogFile, { issueKey: "PROJ-42" });
      expect(byOption.counts.worklogs).toEqual({ imported: 1, updated: 0, duplicate: 1 });

      const stored = await handle.store.issues.worklogs();
      expect(stored.map((w) => [w.startedAt, w.tz, w.day, w.origin])).toEqual([
        [Date.parse("2025-03-09T23:30:00Z"), "Europe/Berlin", "2025-03-10", "jira"],
        [Date.parse("2025-03-10T11:57:00Z"), "UTC+01:00", "2025-03-10", "jira"],
      ]);
    });
  });
});

describe("ADF description", () => {
  const fixture = fieldCase("23-jira-adf-description.json");
  const expected = fixture["_expected_plain_text_contains"] as string[];

  it("renders every expected string", () => {
    const text = adfToText(fixture["description"]);
    for (const part of expected) expect(text).toContain(part);
  });

  it("renders ADF in issues and comments", () => {
    const issue = {
      id: "10042",
      key: "PROJ-42",
      fields: {
        summary: "Import fails",
        created: "2025-03-01T09:00:00.000+0100",
        description: fixture["description"],
        comment: { comments: [{ id: "777", author: { accountId: "acc-1" }, created: "2025-03-02T09:00:00.000+0100", body: fixture["description"] }], total: 1 },
      },
    };
    const parsed = parseJira(JSON.stringify(issue), { file: "issue.json" });
    const record = parsed.records.find((r) => r.kind === "issue");
    const comment = parsed.records.find((r) => r.kind === "event" && r.event.kind === "comment");
    for (const part of expected) {
      expect(record?.kind === "issue" ? record.issue.text.description : "").toContain(part);
      expect(record?.kind === "issue" ? record.issue.text.comments : "").toContain(part);
      expect(comment?.kind === "event" ? comment.event.body : "").toContain(part);
    }
  });

  it("truncation keeps the ZWJ emoji whole", () => {
    const text = adfToText(fixture["description"]);
    const count = [...graphemes.segment(text)].length;
    const emojiEnd = [...graphemes.segment(text)].findIndex((s) => s.segment === "👩‍💻") + 1;
    expect(emojiEnd).toBeGreaterThan(0);
    expect(truncateGraphemes(text, emojiEnd).endsWith("👩‍💻")).toBe(true);
    expect(truncateGraphemes(text, emojiEnd - 1).endsWith(" ")).toBe(true);
    for (let max = 0; max <= count; max += 1) {
      const cut = truncateGraphemes(text, max);
      expect(text.startsWith(cut)).toBe(true);
      expect(!cut.includes("👩") || cut.includes("👩‍💻")).toBe(true);
    }
  });
});
