import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";
import type { WorklogRow } from "./issue-repository.js";

describe.each(BACKENDS)("worklogs read from Jira on %s", (backend) => {
  let handle: TestStore;
  let issueId: number;
  let personId: number;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    const { store } = handle;
    ({ personId } = await store.people.resolve({ source: "jira", externalId: "acc-dev", displayName: "Dev One" }));
    await store.issues.upsert({ sourceId: "10042", key: "PROJ-42", projectKey: "PROJ", isSubtask: false, createdAt: Date.UTC(2025, 0, 1), text: { summary: "s", description: "", comments: "" } }, { assigneeId: null, reporterId: null });
    issueId = (await store.issues.idsByKey()).get("PROJ-42") ?? -1;
  });
  afterEach(async () => {
    await handle.dispose();
  });

  const fromJira = (change: Partial<WorklogRow> = {}): WorklogRow => ({
    sourceId: "jira:worklog:100001",
    issueId,
    personId,
    startedAt: Date.parse("2025-03-10T08:00:00Z"),
    tz: "Europe/Berlin",
    day: "2025-03-10",
    seconds: 3600,
    origin: "jira",
    comment: "Reviewed",
    ...change,
  });

  it("Jira edit updates the row", async () => {
    const { issues } = handle.store;
    expect(await issues.upsertWorklog(fromJira())).toBe("imported");
    expect(await issues.upsertWorklog(fromJira())).toBe("duplicate");
    expect(await issues.upsertWorklog(fromJira({ seconds: 5400, comment: "Reviewed and fixed" }))).toBe("updated");

    const stored = await issues.worklogs();
    expect(stored.map((w) => [w.sourceId, w.seconds, w.comment])).toEqual([["jira:worklog:100001", 5400, "Reviewed and fixed"]]);
  });

  it("written-back worklog stays one row", async () => {
    const { store } = handle;
    const id = await store.worklogs.insertConfirmed({ issueId, personId, startedAt: Date.parse("2025-03-10T08:00:00Z"), tz: "Europe/Berlin", day: "2025-03-10", seconds: 3600, comment: "Reviewed" });
    await store.worklogs.markWritten(id, "100001", Date.parse("2025-03-11T08:00:00Z"));

    expect(await store.issues.upsertWorklog(fromJira())).toBe("duplicate");
    expect(await store.issues.upsertWorklog(fromJira({ seconds: 2700 }))).toBe("updated");

    const all = await store.worklogs.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id, origin: "confirmed", seconds: 2700, tz: "Europe/Berlin", writeBack: "written", remoteId: "100001" });
  });
});
