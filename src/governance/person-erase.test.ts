import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAllocation } from "../allocation/run-allocation.js";
import { WorklensError } from "../domain/errors.js";
import { runLinking } from "../linking/run-linking.js";
import { createApiKey, wakatimeIdentity } from "../server/auth/api-keys.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { erasePerson, receiptIsIntact } from "./person-erase.js";
import { exportPersonDocument } from "./person-export.js";
import { resolvePersonRef } from "./person-ref.js";
import { columnValues, listColumns } from "./test-support/catalog.js";
import { A_COMMIT_TEXT, B_COMMIT_TEXT, PERSON_A, PERSON_B, SEED_FROM, SEED_TO, seedTwoPeople, type SeedResult } from "./test-support/two-people.js";

const NOW = Date.UTC(2025, 2, 13, 12);

/** Columns that hold a person id, by name, in every table that has one. */
const PERSON_COLUMN = /(^|_)person_id$|^assignee_id$|^reporter_id$/;

describe.each(BACKENDS)("person export and erase (%s)", (backend) => {
  let t: TestStore;
  let seed: SeedResult;

  beforeEach(async () => {
    t = await openTestStore(backend);
    seed = await seedTwoPeople(t.store);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("export contains the person's data", async () => {
    const document = await exportPersonDocument(t.store, seed.personA, { now: NOW, actor: "cli" });
    const text = JSON.stringify(document);

    expect(document["kind"]).toBe("worklens.person-export");
    expect(document["schemaVersion"]).toBe(1);
    expect(document["person"]).toMatchObject({ id: seed.personA, displayName: PERSON_A.name, email: PERSON_A.email });
    const identities = document["identities"] as { source: string; externalId: string | null; email: string | null }[];
    expect(identities.map((i) => i.source).sort()).toEqual(["git", "jira"]);
    expect(identities.find((i) => i.source === "git")?.externalId).toBe(PERSON_A.email);
    expect(identities.find((i) => i.source === "jira")?.email).toBe(PERSON_A.email);

    // Two commits and the Jira comment, each with its text and its link to PROJ-1.
    const activities = document["activities"] as { source: string; text: { title?: string } | null; links: { issueKey: string | null }[] }[];
    expect(activities.map((a) => a.source).sort()).toEqual(["git", "git", "jira"]);
    for (const activity of activities.filter((a) => a.source === "git")) expect(activity.text?.title).toContain(A_COMMIT_TEXT);
    for (const activity of activities) expect(activity.links[0]?.issueKey).toBe("PROJ-1");

    const worklogs = document["worklogs"] as { id: number; origin: string; comment: string | null }[];
    expect(worklogs.map((w) => w.origin).sort()).toEqual(["confirmed", "jira"]);
    expect(worklogs.find((w) => w.origin === "jira")?.comment).toBe("Investigated the drift");
    expect(worklogs.some((w) => w.id === seed.acceptedA)).toBe(true);
    expect(document["reviews"]).toHaveLength(1);
    expect((document["suggestions"] as unknown[]).length).toBeGreaterThan(0);

    const events = document["issueEvents"] as { issueKey: string; body: string | null }[];
    expect(events.some((e) => e.issueKey === "PROJ-1" && e.body?.includes("I am on it") === true)).toBe(true);

    const audit = document["auditEntries"] as { action: string; subject: string | null }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: "privacy.export", subject: `person:${String(seed.personA)}` }));

    // Nothing of B's own records is in A's export.
    expect(text).not.toContain(B_COMMIT_TEXT);
    expect(text).not.toContain(PERSON_B.email);
  });

  it("export leaves out API key digests", async () => {
    const identity = wakatimeIdentity(PERSON_A.email);
    if (identity === undefined) throw new Error("test e-mail is not accepted as a wakatime identity");
    const created = await t.store.transaction((tx) => createApiKey(tx, identity, NOW));
    expect(created.personId).toBe(seed.personA);
    const stored = await t.store.db.selectFrom("api_keys").select(["digest", "prefix"]).executeTakeFirstOrThrow();

    const document = await exportPersonDocument(t.store, seed.personA, { now: NOW, actor: "cli" });

    expect(document["apiKeys"]).toEqual([expect.objectContaining({ prefix: stored.prefix })]);
    expect(JSON.stringify(document)).not.toContain(stored.digest);
    expect(JSON.stringify(document)).not.toContain(created.secret);
  });

  it("export of an unknown person is not found", async () => {
    await expect(exportPersonDocument(t.store, 9999, { now: NOW, actor: "cli" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("person reference takes an id or an e-mail", async () => {
    expect(await resolvePersonRef(t.store, String(seed.personA))).toBe(seed.personA);
    expect(await resolvePersonRef(t.store, PERSON_A.email.toUpperCase())).toBe(seed.personA);
    expect(await resolvePersonRef(t.store, PERSON_B.email)).toBe(seed.personB);
    await expect(resolvePersonRef(t.store, "nobody@example.com")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(resolvePersonRef(t.store, "9999")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(resolvePersonRef(t.store, "not an e-mail")).rejects.toBeInstanceOf(WorklensError);
  });

  it("erase deletes every row of the person", async () => {
    const receipt = await erasePerson(t.store, seed.personA, { now: NOW, actor: "cli" });

    expect(receipt.deleted).toEqual({
      persons: 1,
      person_texts: 1,
      identities: 2,
      identity_texts: 2,
      activities: 3,
      activity_texts: 3,
      links: 3,
      suggestions: 1,
      reviews: 1,
      worklogs: 2,
      worklog_texts: 1,
      issue_event_texts: 1,
    });
    expect(receipt.detached).toEqual({ "issues.assignee_id": 1, "issue_events.person_id": 1 });
    expect(receipt.keyDestroyed).toBe(true);
    expect(receipt.worklogsInJira).toBe(1);
    expect(receipt.writeBacksCancelled).toBe(1);
    expect(receiptIsIntact(receipt)).toBe(true);
    expect(receipt.person).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(receipt)).not.toContain(PERSON_A.name);

    // No person-id column of any table contains A's id, including tables added after this test was written.
    for (const { table, column } of (await listColumns(t.store)).filter((c) => PERSON_COLUMN.test(c.column))) {
      const values = await columnValues(t.store, table, column);
      expect(values.filter((value) => value === String(seed.personA)), `${table}.${column}`).toEqual([]);
    }
    expect(await t.store.db.selectFrom("person_keys").select("person_id").where("person_id", "=", seed.personA).execute()).toEqual([]);
  });

  it("erase keeps the other person intact", async () => {
    const before = await exportPersonDocument(t.store, seed.personB, { now: NOW, actor: "cli" });
    await erasePerson(t.store, seed.personA, { now: NOW, actor: "cli" });
    const after = await exportPersonDocument(t.store, seed.personB, { now: NOW, actor: "cli" });

    for (const key of ["person", "identities", "worklogs", "reviews", "suggestions"]) expect(after[key], key).toEqual(before[key]);
    const ids = (document: Record<string, unknown>) => (document["activities"] as { id: number }[]).map((a) => a.id);
    expect(ids(after)).toEqual(ids(before));
    const commits = await t.store.activities.list({ personId: seed.personB, source: "git" });
    const titles = [...(await t.store.activities.texts(commits.map((a) => a.id))).values()].map((x) => x.title);
    expect(titles.sort()).toEqual([`PROJ-2 ${B_COMMIT_TEXT} more`, `PROJ-2 ${B_COMMIT_TEXT}, paired with [deleted person]`]);
    const issues = await t.store.issues.list();
    expect(issues.find((i) => i.key === "PROJ-1")?.reporterId).toBe(seed.personB);
    expect(issues.find((i) => i.key === "PROJ-1")?.assigneeId).toBeNull();
  });

  it("erase replaces the name in others' text", async () => {
    const before = [...(await t.store.issues.texts()).values()].map((x) => x.description).join("\n");
    expect(before).toContain(PERSON_A.name);

    const receipt = await erasePerson(t.store, seed.personA, { now: NOW, actor: "cli" });

    expect(receipt.redacted).toEqual({ issue_texts: 1, activity_texts: 1 });
    const issueTexts = [...(await t.store.issues.texts()).values()];
    const all = JSON.stringify(issueTexts);
    for (const term of [PERSON_A.name, PERSON_A.email, PERSON_A.accountId]) expect(all.toLowerCase()).not.toContain(term.toLowerCase());
    expect(issueTexts.map((x) => x.description)).toContain(`Reported by ${PERSON_B.name}; ask [deleted person] ([deleted person]) for the calibration notes.`);
  });

  it("erase replaces the name in field changes", async () => {
    const issueId = [...(await t.store.issues.idsByKey()).values()][0];
    if (issueId === undefined) throw new Error("no issue in the seed");
    const change = { issueId, personId: seed.personB, kind: "update" as const, at: NOW - 1000, tz: null, field: "assignee", body: null };
    await t.store.issues.insertEvent({ ...change, sourceUid: "jira:test-change:1", fromValue: PERSON_A.name, toValue: PERSON_B.name });

    const receipt = await erasePerson(t.store, seed.personA, { now: NOW, actor: "cli" });

    expect(receipt.redacted["issue_events"]).toBe(1);
    const values = (await t.store.issues.events()).filter((event) => event.field === "assignee").map((event) => [event.fromValue, event.toValue]);
    expect(values).toEqual([["[deleted person]", PERSON_B.name]]);
  });

  it("erase is audited without the name", async () => {
    await erasePerson(t.store, seed.personA, { now: NOW, actor: "cli" });
    const entries = await t.store.db.selectFrom("audit_log").selectAll().where("action", "=", "privacy.delete").execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.subject).toBe(`person:${String(seed.personA)}`);
    expect(entries[0]?.actor).toBe("cli");
    const details = JSON.parse(entries[0]?.details ?? "{}") as { deleted: Record<string, number> };
    expect(details.deleted["persons"]).toBe(1);
    expect(entries[0]?.details).not.toContain(PERSON_A.name);
    expect(entries[0]?.details).not.toContain(PERSON_A.email);
  });

  it("linking and suggestions run after erase", async () => {
    await erasePerson(t.store, seed.personA, { now: NOW, actor: "cli" });
    await runLinking(t.store);
    await runAllocation(t.store, { from: SEED_FROM, to: SEED_TO });
    const suggestions = await t.store.results.suggestions(SEED_FROM, SEED_TO);
    expect(suggestions.some((s) => s.personId === seed.personB)).toBe(true);
    expect(suggestions.some((s) => s.personId === seed.personA)).toBe(false);
  });

  it("erase of an unknown person is not found", async () => {
    await expect(erasePerson(t.store, 9999, { now: NOW, actor: "cli" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("edited receipt fails its checksum", async () => {
    const receipt = await erasePerson(t.store, seed.personA, { now: NOW, actor: "cli" });
    expect(receiptIsIntact({ ...receipt, deleted: { ...receipt.deleted, activities: 0 } })).toBe(false);
    expect(receiptIsIntact({ ...receipt, keyDestroyed: !receipt.keyDestroyed })).toBe(false);
  });
});
