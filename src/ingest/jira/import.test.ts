import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import type { Store } from "../../store/store.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { importJira } from "./import.js";

const NUTCH = fileURLToPath(new URL("../../../../shared/data/nutch/jira-issues.json", import.meta.url));

const reporter = { accountId: "acc-1", displayName: "Dev One", emailAddress: "dev.one@example.com", timeZone: "Europe/Berlin" };

function issue(id: string, key: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    key,
    fields: {
      summary: `Work on ${key}`,
      created: "2025-03-01T09:00:00.000+0100",
      updated: "2025-03-02T09:00:00.000+0100",
      status: { name: "Open" },
      reporter,
      ...fields,
    },
  };
}

/** Everything an import can change, to compare before and after a rejected import. */
async function snapshot(store: Store) {
  return {
    issues: await store.issues.list(),
    texts: [...(await store.issues.texts())],
    events: await store.issues.events(),
    worklogs: await store.issues.worklogs(),
    people: await store.people.list(),
    activities: await store.activities.list(),
  };
}

async function rejection(promise: Promise<unknown>): Promise<WorklensError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected the import to fail");
}

describe.each(BACKENDS)("importJira on %s", (backend) => {
  let handle: TestStore;
  let folder: string;
  const write = (name: string, content: string | Buffer): string => {
    const file = join(folder, name);
    writeFileSync(file, content);
    return file;
  };

  beforeEach(async () => {
    handle = await openTestStore(backend);
    folder = mkdtempSync(join(tmpdir(), "worklens-jira-import-"));
  });
  afterEach(async () => {
    await handle.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("imports every Nutch issue once", async () => {
    const first = await importJira(handle.store, NUTCH);
    expect(first.skipped).toEqual([]);
    expect(first.counts).toEqual({
      issues: { imported: 464, updated: 0, duplicate: 0 },
      events: { imported: 464, duplicate: 0 },
      worklogs: { imported: 0, updated: 0, duplicate: 0 },
      actions: { imported: 464, duplicate: 0 },
    });
    expect(first.imported).toBe(464 * 3);

    const stored = await handle.store.issues.list();
    expect(stored).toHaveLength(464);
    const nutch6 = stored.find((i) => i.key === "NUTCH-6");
    expect(nutch6).toMatchObject({ projectKey: "NUTCH", status: "Closed", priority: "Trivial", createdAt: Date.parse("2005-03-11T07:14:35Z") });
    expect((await handle.store.issues.texts()).get(nutch6?.id ?? -1)?.comments).toContain("new Icons as requested");

    const again = await importJira(handle.store, NUTCH);
    expect(again.imported).toBe(0);
    expect(again.duplicate).toBe(464 * 3);
    expect(again.counts.issues.updated).toBe(0);
    expect(await handle.store.issues.list()).toHaveLength(464);
    expect(await handle.store.issues.events()).toHaveLength(464);
    expect(await handle.store.activities.count()).toBe(464);
  });

  it("writes issue actions for events with an actor", async () => {
    const file = write("issue.json", JSON.stringify(issue("10001", "PROJ-1", {
      comment: { comments: [{ id: "5", author: reporter, created: "2025-03-03T09:30:00.000+0100", body: "looked into it" }], total: 1 },
    })));
    const report = await importJira(handle.store, file);
    expect(report.counts.actions.imported).toBe(2);

    const activities = await handle.store.activities.list();
    expect(activities.map((a) => [a.kind, a.source, a.startAt, a.endAt, a.tz, a.explicitKeys])).toEqual([
      ["issue_action", "jira", Date.parse("2025-03-01T08:00:00Z"), Date.parse("2025-03-01T08:00:00Z"), "Europe/Berlin", ["PROJ-1"]],
      ["issue_action", "jira", Date.parse("2025-03-03T08:30:00Z"), Date.parse("2025-03-03T08:30:00Z"), "Europe/Berlin", ["PROJ-1"]],
    ]);
    const [person] = await handle.store.people.list();
    expect(activities.every((a) => a.personId === person?.id)).toBe(true);
    const [stored] = await handle.store.issues.list();
    expect(stored?.reporterId).toBe(person?.id);
  });

  it("updates a changed issue", async () => {
    await importJira(handle.store, write("v1.json", JSON.stringify({ issues: [issue("10001", "PROJ-1")] })));
    const changed = issue("10001", "PROJ-1", { status: { name: "Done" }, updated: "2025-03-05T09:00:00.000+0100" });
    const report = await importJira(handle.store, write("v2.json", JSON.stringify({ issues: [changed] })));
    expect(report.counts.issues).toEqual({ imported: 0, updated: 1, duplicate: 0 });
    expect(report.details?.at(-1)).toBe("issues: 0 new, 1 updated, 0 unchanged; events: 0 new, 1 unchanged; worklogs: 0 new, 0 updated, 0 unchanged; issue actions: 0 new, 1 unchanged");
    expect((await handle.store.issues.list())[0]?.status).toBe("Done");
  });

  it("skips a bad issue and imports the rest", async () => {
    const page = { issues: [issue("1", "PROJ-1", { created: "9999-01-01T00:00:00.000+0000" }), issue("2", "PROJ-2"), { id: "3", key: "PROJ-3" }] };
    const report = await importJira(handle.store, write("page.json", JSON.stringify(page)));
    expect((await handle.store.issues.list()).map((i) => i.key)).toEqual(["PROJ-2"]);
    expect(report.skipped.map((s) => s.record)).toEqual(["issues[0] (PROJ-1)", "issues[2] (PROJ-3)"]);
    expect(report.skipped[0]?.reason).toContain("fields.created is outside the years 1990 to 2100");
  });

  it("keeps a stored issue on an absurd date", async () => {
    await importJira(handle.store, write("good.json", JSON.stringify(issue("10001", "PROJ-1"))));
    const before = await snapshot(handle.store);
    const absurd = issue("10001", "PROJ-1", { created: "1970-01-01T00:00:00.000+0000", updated: "2025-03-09T09:00:00.000+0100", status: { name: "Done" } });
    const report = await importJira(handle.store, write("absurd.json", JSON.stringify(absurd)));
    expect(report.imported).toBe(0);
    expect(report.skipped[0]?.reason).toContain("fields.created is outside the years 1990 to 2100");
    expect(await snapshot(handle.store)).toEqual(before);
  });

  it("ignores unknown fields", async () => {
    await importJira(handle.store, write("plain.json", JSON.stringify({ issues: [issue("10001", "PROJ-1")] })));
    const before = await snapshot(handle.store);
    const extended = { ...issue("10001", "PROJ-1", { customfield_10099: { value: "x" }, watches: { watchCount: 2 } }), expand: "names", self: "https://example.atlassian.net/rest/api/3/issue/10001" };
    const report = await importJira(handle.store, write("extended.json", JSON.stringify({ issues: [extended], warningMessages: [] })));
    expect(report.imported).toBe(0);
    expect(report.skipped).toEqual([]);
    expect(await snapshot(handle.store)).toEqual(before);
  });

  it("skips events of an issue that is not stored", async () => {
    const page = { values: [{ id: "1", created: "2025-03-10T16:05:12.345+0100", author: reporter, items: [{ field: "status", toString: "Done" }] }] };
    const report = await importJira(handle.store, write("changelog.json", JSON.stringify(page)), { issueKey: "PROJ-9" });
    expect(report.imported).toBe(0);
    expect(report.skipped).toEqual([{ record: "PROJ-9", reason: expect.stringContaining("skipped 1 event for PROJ-9, which is not stored") as unknown }]);
    expect(await handle.store.issues.events()).toEqual([]);
    expect(await handle.store.activities.count()).toBe(0);
  });

  it("skips worklogs of an unknown issue id", async () => {
    const page = { worklogs: [{ id: "7", issueId: "55555", started: "2025-03-10T10:00:00.000+0100", timeSpentSeconds: 600 }] };
    const report = await importJira(handle.store, write("worklog.json", JSON.stringify(page)));
    expect(report.skipped).toEqual([{ record: "issue id 55555", reason: expect.stringContaining("skipped 1 worklog") as unknown }]);
    expect(await handle.store.issues.worklogs()).toEqual([]);
  });

  it("leaves stored data unchanged on bad files", async () => {
    await importJira(handle.store, write("good.json", JSON.stringify({ issues: [issue("10001", "PROJ-1")] })));
    const before = await snapshot(handle.store);
    const good = JSON.stringify({ issues: [issue("10002", "PROJ-2"), issue("10003", "PROJ-3")] });

    const cases: [string, string | Buffer, string][] = [
      ["truncated.json", good.slice(0, good.length - 40), "truncated"],
      ["not-json.json", "id,key\n10002,PROJ-2\n", "not JSON"],
      ["latin1.json", Buffer.from(good.replace("Work on", "Größe"), "latin1"), "not valid UTF-8"],
      ["utf16.json", Buffer.from(`\uFEFF${good}`, "utf16le"), "UTF-16"],
      ["changelog.json", JSON.stringify({ values: [] }), "--issue"],
    ];
    for (const [name, content, expected] of cases) {
      const file = write(name, content);
      const error = await rejection(importJira(handle.store, file));
      expect(error.code).toBe("INVALID_INPUT");
      expect(`${error.message} ${error.hint ?? ""}`).toContain(expected);
      expect(error.message).toContain(file);
    }
    expect(await snapshot(handle.store)).toEqual(before);
  });

  it("names a missing file", async () => {
    const missing = join(folder, "missing.json");
    const error = await rejection(importJira(handle.store, missing));
    expect(error.message).toBe(`${missing}: file not found`);
    expect(error.code).toBe("NOT_FOUND");
  });
});
