import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActivityInput } from "../domain/types.js";
import { StaticKeyProvider } from "../privacy/key-provider.js";
import { Repositories, Store } from "./store.js";
import { BACKENDS, openTestStore, TEST_POSTGRES_URL, testKeyProvider, type Backend, type TestStore } from "./test-support/backends.js";

function commit(sha: string, personId: number, identityId: number, title: string): ActivityInput & { personId: number; identityId: number } {
  return {
    sourceUid: `git:${sha}`,
    source: "git",
    kind: "commit",
    actor: { source: "git", externalId: "x" },
    personId,
    identityId,
    startAt: 1_741_600_000_000,
    endAt: 1_741_600_000_000,
    tz: "UTC",
    dateOnly: false,
    explicitKeys: [],
    text: { title, paths: "src/secret-plan.ts" },
  };
}

const issueInput = {
  sourceId: "10001",
  key: "PROJ-1",
  projectKey: "PROJ",
  isSubtask: false,
  createdAt: 1_741_000_000_000,
  text: { summary: "Summary of PROJ-1", description: "Described", comments: "" },
};

async function rawTitle(store: Store, activityId: number): Promise<string | null> {
  const row = await store.db.selectFrom("activity_texts").select("title").where("activity_id", "=", activityId).executeTakeFirstOrThrow();
  return row.title;
}

describe.each(BACKENDS)("encryption at rest on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("encrypts field change values", async () => {
    const { store } = handle;
    await store.issues.upsert(issueInput, { assigneeId: null, reporterId: null });
    const issueId = (await store.issues.idsByKey()).get("PROJ-1");
    if (issueId === undefined) throw new Error("no issue");
    const change = { issueId, personId: null, kind: "status_change" as const, at: 1_741_100_000_000, tz: null, field: "assignee", body: null };
    await store.issues.insertEvent({ ...change, sourceUid: "jira:change:1", fromValue: "Zoë Quartermaine", toValue: "Ravi Oyelaran" });
    await store.issues.insertEvent({ ...change, sourceUid: "jira:change:2", fromValue: null, toValue: "In Progress" });

    const raw = await store.db.selectFrom("issue_events").select(["source_uid", "from_value", "to_value"]).orderBy("source_uid").execute();
    expect(raw.map((row) => [row.from_value?.startsWith("wl1.t") ?? null, row.to_value?.startsWith("wl1.t")])).toEqual([
      [true, true],
      [null, true],
    ]);
    expect(JSON.stringify(raw)).not.toContain("Quartermaine");
    expect((await store.issues.events()).map((event) => [event.fromValue, event.toValue])).toEqual([
      ["Zoë Quartermaine", "Ravi Oyelaran"],
      [null, "In Progress"],
    ]);

    // A value moved to another event fails to decrypt, because its place names the event.
    const first = raw[0]?.to_value ?? null;
    await store.db.updateTable("issue_events").set({ to_value: first }).where("source_uid", "=", "jira:change:2").execute();
    await expect(store.issues.events()).rejects.toThrow(/issue_events\.to_value/);
  });

  it("encrypts person text under the person key", async () => {
    const { store } = handle;
    const dev = await store.people.resolve({ source: "git", externalId: "zoe@example.org", email: "zoe@example.org", displayName: "Zoë Quartermaine" });
    await store.activities.insert([commit("a1", dev.personId, dev.identityId, "Rework the quartermaine index")]);
    await store.issues.upsert(issueInput, { assigneeId: null, reporterId: null });
    const [activity] = await store.activities.list();
    if (activity === undefined) throw new Error("no activity");

    const person = await store.db.selectFrom("person_texts").selectAll().executeTakeFirstOrThrow();
    expect(person.display_name?.startsWith(`wl1.p${String(dev.personId)}.`)).toBe(true);
    expect(person.email?.startsWith(`wl1.p${String(dev.personId)}.`)).toBe(true);
    expect((await rawTitle(store, activity.id))?.startsWith(`wl1.p${String(dev.personId)}.`)).toBe(true);
    const issueText = await store.db.selectFrom("issue_texts").selectAll().executeTakeFirstOrThrow();
    expect(issueText.summary.startsWith("wl1.t1.")).toBe(true);

    const [listed] = await store.people.list();
    expect(listed?.displayName).toBe("Zoë Quartermaine");
    expect(listed?.email).toBe("zoe@example.org");
    expect(listed?.identities[0]?.externalId).toBe("zoe@example.org");
    expect((await store.activities.texts([activity.id])).get(activity.id)).toEqual({ title: "Rework the quartermaine index", body: undefined, branch: undefined, paths: "src/secret-plan.ts" });
    expect([...(await store.issues.texts()).values()]).toEqual([issueInput.text]);
  });

  it("rejects a value copied to another row", async () => {
    const { store } = handle;
    const dev = await store.people.resolve({ source: "git", externalId: "dev@example.org" });
    await store.activities.insert([commit("a1", dev.personId, dev.identityId, "first title"), commit("a2", dev.personId, dev.identityId, "second title")]);
    const [first, second] = await store.activities.list();
    if (first === undefined || second === undefined) throw new Error("missing activities");
    // Control: both rows read before the copy.
    expect((await store.activities.texts([second.id])).get(second.id)?.title).toBe("second title");

    await store.db.updateTable("activity_texts").set({ title: await rawTitle(store, first.id) }).where("activity_id", "=", second.id).execute();
    await expect(store.activities.texts([second.id])).rejects.toThrow(
      `activity_texts.title of row ${String(second.id)} failed decryption: the value was modified, copied from another row, column or tenant, or the wrong master key is configured`,
    );
  });

  it("rejects a value copied to another column", async () => {
    const { store } = handle;
    const dev = await store.people.resolve({ source: "git", externalId: "dev@example.org", displayName: "Dev Name" });
    const row = await store.db.selectFrom("person_texts").selectAll().executeTakeFirstOrThrow();
    await store.db.updateTable("person_texts").set({ email: row.display_name }).where("person_id", "=", dev.personId).execute();
    await expect(store.people.list()).rejects.toThrow(`person_texts.email of row ${String(dev.personId)} failed decryption`);
  });

  it("rejects a flipped byte in a stored value", async () => {
    const { store } = handle;
    await store.issues.upsert(issueInput, { assigneeId: null, reporterId: null });
    const row = await store.db.selectFrom("issue_texts").selectAll().executeTakeFirstOrThrow();
    // A character inside the base64 text, because the last one may carry only padding bits.
    const at = row.summary.length - 10;
    const flipped = row.summary[at] === "A" ? "B" : "A";
    await store.db.updateTable("issue_texts").set({ summary: `${row.summary.slice(0, at)}${flipped}${row.summary.slice(at + 1)}` }).execute();
    await expect(store.issues.texts()).rejects.toThrow(`issue_texts.summary of row ${String(row.issue_id)} failed decryption`);
  });

  it("rejects a plain-text value", async () => {
    const { store } = handle;
    await store.issues.upsert(issueInput, { assigneeId: null, reporterId: null });
    await store.db.updateTable("issue_texts").set({ summary: "injected" }).execute();
    await expect(store.issues.texts()).rejects.toThrow("is not encrypted: it was modified outside worklens");
  });

  it("destroyPersonKey shreds the person's text", async () => {
    const { store } = handle;
    const dev = await store.people.resolve({ source: "git", externalId: "gone@example.org", email: "gone@example.org", displayName: "Gone Person" });
    const other = await store.people.resolve({ source: "git", externalId: "stays@example.org", displayName: "Stays Person" });
    await store.activities.insert([commit("a1", dev.personId, dev.identityId, "shredded title"), commit("a2", other.personId, other.identityId, "kept title")]);
    const activities = await store.activities.list();
    const mine = activities.find((a) => a.personId === dev.personId);
    const theirs = activities.find((a) => a.personId === other.personId);
    if (mine === undefined || theirs === undefined) throw new Error("missing activities");

    expect(await store.vault.destroyPersonKey(dev.personId)).toBe(true);
    expect(await store.vault.destroyPersonKey(dev.personId)).toBe(false);

    await expect(store.activities.texts([mine.id])).rejects.toThrow(
      `activity_texts.title of row ${String(mine.id)} cannot be decrypted because this person's data was deleted (the key of person ${String(dev.personId)} was destroyed)`,
    );
    // A vault with an empty cache and the master key still cannot read it.
    const fresh = new Repositories(store.db, store.vault.uncached());
    await expect(fresh.activities.texts([mine.id])).rejects.toThrow("this person's data was deleted");
    expect((await fresh.activities.texts([theirs.id])).get(theirs.id)?.title).toBe("kept title");
    expect(await store.db.selectFrom("person_keys").select("person_id").where("person_id", "=", dev.personId).executeTakeFirst()).toBeUndefined();
  });

  it("forgets a key from a rolled-back transaction", async () => {
    const { store } = handle;
    await expect(
      store.transaction(async (repositories) => {
        await repositories.people.resolve({ source: "git", externalId: "rolled@example.org", displayName: "Rolled Back" });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await store.db.selectFrom("person_keys").select("person_id").execute()).toEqual([]);

    // SQLite reuses the rolled-back person id here, so a key cached from the rolled-back
    // transaction would encrypt under a key that no stored row holds.
    const dev = await store.people.resolve({ source: "git", externalId: "kept@example.org", displayName: "Kept Person" });
    const fresh = new Repositories(store.db, store.vault.uncached());
    expect((await fresh.people.list()).map((p) => [p.id, p.displayName])).toEqual([[dev.personId, "Kept Person"]]);
  });

  it("merge moves text to the kept person's key", async () => {
    const { store } = handle;
    const kept = await store.people.resolve({ source: "git", externalId: "kept@example.org", displayName: "Kept" });
    const moved = await store.people.resolve({ source: "jira", externalId: "acc-9", displayName: "Moved" });
    await store.activities.insert([commit("m1", moved.personId, moved.identityId, "moved title")]);
    await store.people.merge(kept.personId, moved.personId);

    const [activity] = await store.activities.list();
    if (activity === undefined) throw new Error("no activity");
    expect((await rawTitle(store, activity.id))?.startsWith(`wl1.p${String(kept.personId)}.`)).toBe(true);
    expect((await store.activities.texts([activity.id])).get(activity.id)?.title).toBe("moved title");
    expect((await store.db.selectFrom("person_keys").select("person_id").execute()).map((r) => r.person_id)).toEqual([kept.personId]);

    const split = await store.people.split(moved.identityId);
    expect((await rawTitle(store, activity.id))?.startsWith(`wl1.p${String(split)}.`)).toBe(true);
    expect((await store.activities.texts([activity.id])).get(activity.id)?.title).toBe("moved title");
  });

  it("lookups are keyed per store", async () => {
    const { store } = handle;
    const second = await openTestStore(backend);
    try {
      const here = await store.people.resolve({ source: "git", externalId: "same@example.org", email: "same@example.org" });
      await second.store.people.resolve({ source: "git", externalId: "same@example.org", email: "same@example.org" });
      const lookupHere = await store.db.selectFrom("identities").select(["lookup", "email_lookup"]).executeTakeFirstOrThrow();
      const lookupThere = await second.store.db.selectFrom("identities").select(["lookup", "email_lookup"]).executeTakeFirstOrThrow();
      expect(lookupHere.email_lookup).not.toBe(lookupThere.email_lookup);
      expect(lookupHere.lookup).not.toBe(lookupThere.lookup);
      // Not the unkeyed SHA-256 digest the store used before.
      const unkeyed = createHash("sha256").update("email").update("\u0000").update("same@example.org").digest("base64url");
      expect(lookupHere.email_lookup).not.toBe(unkeyed);

      // Matching across sources by e-mail still works.
      const jira = await store.people.resolve({ source: "jira", externalId: "acc-1", email: "SAME@example.org ", displayName: "Someone" });
      expect(jira.personId).toBe(here.personId);
    } finally {
      await second.dispose();
    }
  });
});

/** A store at a location of the test's choosing, so it can be closed and opened again with other keys. */
interface Location {
  config: { kind: "sqlite"; file: string } | { kind: "postgres"; connectionString: string; schema: string };
  cleanup: () => void;
}

function newLocation(backend: Backend): Location {
  if (backend === "sqlite") {
    const folder = mkdtempSync(join(tmpdir(), "worklens-enc-"));
    return { config: { kind: "sqlite", file: join(folder, "store.sqlite") }, cleanup: () => { rmSync(folder, { recursive: true, force: true }); } };
  }
  return { config: { kind: "postgres", connectionString: TEST_POSTGRES_URL, schema: `test_${randomBytes(6).toString("hex")}` }, cleanup: () => undefined };
}

describe.each(BACKENDS)("master keys on %s", (backend) => {
  let location: Location;
  beforeEach(() => {
    location = newLocation(backend);
  });
  afterEach(async () => {
    const store = await Store.open(location.config, { keys: testKeyProvider() }).catch(() => undefined);
    if (store !== undefined) {
      await store.wipeForTests();
      await store.close();
    }
    location.cleanup();
  });

  it("wrong master key fails at open", async () => {
    const store = await Store.open(location.config, { keys: testKeyProvider() });
    await store.people.resolve({ source: "git", externalId: "dev@example.org", displayName: "Dev" });
    const fingerprint = (await testKeyProvider().current()).id;
    await store.close();

    await expect(Store.open(location.config, { keys: new StaticKeyProvider(randomBytes(32)) })).rejects.toThrow(
      `data key version 1 is wrapped by master key ${fingerprint}, which the configured key provider does not have`,
    );
  });

  it("tenant id is bound to the store", async () => {
    const store = await Store.open(location.config, { keys: testKeyProvider(), tenantId: "acme" });
    expect(store.vault.scope).toBe("tenant:acme");
    await store.close();
    await expect(Store.open(location.config, { keys: testKeyProvider(), tenantId: "globex" })).rejects.toThrow("this store does not belong to tenant globex");
    const again = await Store.open(location.config, { keys: testKeyProvider(), tenantId: "acme" });
    await again.close();
  });

  it("rejects a value copied from another tenant", async () => {
    const other = newLocation(backend);
    const a = await Store.open(location.config, { keys: testKeyProvider(), tenantId: "tenant-a" });
    const b = await Store.open(other.config, { keys: testKeyProvider(), tenantId: "tenant-b" });
    try {
      await a.issues.upsert(issueInput, { assigneeId: null, reporterId: null });
      await b.issues.upsert({ ...issueInput, text: { summary: "B's summary", description: "", comments: "" } }, { assigneeId: null, reporterId: null });
      const fromB = await b.db.selectFrom("issue_texts").selectAll().executeTakeFirstOrThrow();
      await a.db.updateTable("issue_texts").set({ summary: fromB.summary }).where("issue_id", "=", fromB.issue_id).execute();
      await expect(a.issues.texts()).rejects.toThrow(`issue_texts.summary of row ${String(fromB.issue_id)} failed decryption`);
      expect([...(await b.issues.texts()).values()][0]?.summary).toBe("B's summary");
    } finally {
      await a.close();
      await b.wipeForTests();
      await b.close();
      other.cleanup();
    }
  });
});

describe("default key file of SQLite", () => {
  it("is created 0600 and required later", async () => {
    const folder = mkdtempSync(join(tmpdir(), "worklens-keyfile-"));
    try {
      const file = join(folder, "store.sqlite");
      const store = await Store.open({ kind: "sqlite", file });
      await store.people.resolve({ source: "git", externalId: "dev@example.org", displayName: "Dev" });
      const secureDelete = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(store.db);
      expect(secureDelete.rows[0]?.secure_delete).toBe(1);
      await store.close();
      expect(statSync(`${file}.key`).mode & 0o777).toBe(0o600);

      const reopened = await Store.open({ kind: "sqlite", file });
      expect((await reopened.people.list())[0]?.displayName).toBe("Dev");
      await reopened.close();

      rmSync(`${file}.key`);
      await expect(Store.open({ kind: "sqlite", file })).rejects.toThrow(`the master key file ${file}.key of this store is missing`);
      expect(existsSync(`${file}.key`)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("PostgreSQL needs a configured key", async () => {
    const schema = `test_${randomBytes(6).toString("hex")}`;
    await expect(Store.open({ kind: "postgres", connectionString: TEST_POSTGRES_URL, schema })).rejects.toThrow("no master key is configured for the PostgreSQL store");
    const store = await Store.open({ kind: "postgres", connectionString: TEST_POSTGRES_URL, schema }, { keys: testKeyProvider() });
    await store.wipeForTests();
    await store.close();
  });
});
