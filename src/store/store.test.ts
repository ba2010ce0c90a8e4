import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActivityInput, IssueInput } from "../domain/types.js";
import { importActivities } from "../ingest/import-activities.js";
import { assertTestDatabase } from "./test-guard.js";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";

function commit(sha: string, email: string, at: number): ActivityInput {
  return {
    sourceUid: `git:${sha}`,
    source: "git",
    kind: "commit",
    actor: { source: "git", externalId: email, email, displayName: "Dev One" },
    startAt: at,
    endAt: at,
    tz: "UTC+01:00",
    dateOnly: false,
    explicitKeys: ["PROJ-1"],
    metrics: { linesAdded: 3, linesDeleted: 1, filesChanged: 1 },
    text: { title: "PROJ-1 fix", paths: "src/a.ts" },
  };
}

function issue(overrides: Partial<IssueInput> = {}): IssueInput {
  return {
    sourceId: "10001",
    key: "PROJ-1",
    projectKey: "PROJ",
    isSubtask: false,
    createdAt: Date.UTC(2025, 2, 1),
    updatedAt: Date.UTC(2025, 2, 2),
    assignee: { source: "jira", externalId: "acc-1", email: "dev@example.com", displayName: "Dev One" },
    text: { summary: "Fix the parser", description: "", comments: "" },
    ...overrides,
  };
}

describe.each(BACKENDS)("store on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("re-import of activities adds nothing", async () => {
    const parsed = { records: [commit("a1", "dev@example.com", 1_741_600_000_000)], skipped: [], warnings: [] };
    const first = await importActivities(handle.store, parsed, { source: "git", file: "x" });
    const second = await importActivities(handle.store, parsed, { source: "git", file: "x" });
    expect(first.imported).toBe(1);
    expect(second.imported).toBe(0);
    expect(second.duplicate).toBe(1);
    expect(await handle.store.activities.count()).toBe(1);
  });

  it("keeps raw text apart from activities", async () => {
    await importActivities(handle.store, { records: [commit("a2", "dev@example.com", 1_741_600_000_000)], skipped: [], warnings: [] }, { source: "git", file: "x" });
    const [activity] = await handle.store.activities.list();
    expect(activity?.explicitKeys).toEqual(["PROJ-1"]);
    expect(activity?.metrics.linesAdded).toBe(3);
    expect(activity?.startAt).toBe(1_741_600_000_000);
    const texts = await handle.store.activities.texts([activity?.id ?? -1]);
    expect(texts.get(activity?.id ?? -1)?.title).toBe("PROJ-1 fix");
  });

  it("matches identities across sources by e-mail", async () => {
    const jira = await handle.store.people.resolve({ source: "jira", externalId: "acc-1", email: "Dev@Example.com", displayName: "D. One" });
    const git = await handle.store.people.resolve({ source: "git", externalId: "dev@example.com", email: "dev@example.com", displayName: "Dev One" });
    const byName = await handle.store.people.resolve({ source: "wakatime", externalId: "laptop", displayName: "dev  ONE" });
    expect(git.personId).toBe(jira.personId);
    expect(byName.personId).toBe(jira.personId);
    const people = await handle.store.people.list();
    expect(people).toHaveLength(1);
    expect(people[0]?.identities).toHaveLength(3);
  });

  it("merge and split move identities and activities", async () => {
    await importActivities(handle.store, { records: [commit("b1", "one@example.com", 1_741_600_000_000)], skipped: [], warnings: [] }, { source: "git", file: "x" });
    const other = await handle.store.people.resolve({ source: "jira", externalId: "acc-9", email: "other@example.com", displayName: "Someone Else" });
    const [first] = await handle.store.people.list();
    await handle.store.people.merge(other.personId, first?.id ?? -1);
    expect(await handle.store.people.list()).toHaveLength(1);
    expect((await handle.store.activities.list())[0]?.personId).toBe(other.personId);

    const gitIdentity = (await handle.store.people.list())[0]?.identities.find((i) => i.source === "git");
    const newPerson = await handle.store.people.split(gitIdentity?.id ?? -1);
    expect((await handle.store.activities.list())[0]?.personId).toBe(newPerson);
    expect(await handle.store.people.list()).toHaveLength(2);
  });

  it("issue upsert is idempotent and updates on change", async () => {
    const assignee = await handle.store.people.resolve({ source: "jira", externalId: "acc-1" });
    const people = { assigneeId: assignee.personId, reporterId: null };
    expect(await handle.store.issues.upsert(issue(), people)).toBe("imported");
    expect(await handle.store.issues.upsert(issue(), people)).toBe("duplicate");
    const changed = issue({ status: "Done", updatedAt: Date.UTC(2025, 2, 3) });
    expect(await handle.store.issues.upsert(changed, people)).toBe("updated");
    const stale = issue({ status: "Open", updatedAt: Date.UTC(2025, 2, 1) });
    expect(await handle.store.issues.upsert(stale, people)).toBe("duplicate");
    const [stored] = await handle.store.issues.list();
    expect(stored?.status).toBe("Done");
  });

  it("failed transaction leaves stored data unchanged", async () => {
    await importActivities(handle.store, { records: [commit("c1", "dev@example.com", 1_741_600_000_000)], skipped: [], warnings: [] }, { source: "git", file: "x" });
    await expect(
      handle.store.transaction(async (tx) => {
        await tx.people.resolve({ source: "jira", externalId: "acc-2" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await handle.store.people.list()).toHaveLength(1);
    expect(await handle.store.activities.count()).toBe(1);
  });
});

describe("test database guard", () => {
  it("refuses non-test databases", () => {
    expect(() => { assertTestDatabase({ kind: "postgres", database: "worklens" }); }).toThrow(/refusing to wipe/);
    expect(() => { assertTestDatabase({ kind: "sqlite", file: "/var/lib/worklens/store.sqlite" }); }).toThrow(/refusing to wipe/);
  });

  it("accepts test databases", () => {
    expect(() => { assertTestDatabase({ kind: "postgres", database: "test" }); }).not.toThrow();
    expect(() => { assertTestDatabase({ kind: "postgres", database: "worklens_test" }); }).not.toThrow();
  });
});
