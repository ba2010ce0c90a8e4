import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActivityInput, ActivityText } from "../domain/types.js";
import { keyFingerprint } from "../privacy/crypto.js";
import { StaticKeyProvider, type KeyProvider } from "../privacy/key-provider.js";
import { rotateKeys } from "./key-rotation.js";
import type { ModelArtifact } from "./model-types.js";
import { Repositories, Store, type StoreConfig } from "./store.js";
import { BACKENDS, TEST_POSTGRES_URL, type Backend } from "./test-support/backends.js";

interface Location {
  config: StoreConfig;
  cleanup: () => void;
}

function newLocation(backend: Backend): Location {
  if (backend === "sqlite") {
    const folder = mkdtempSync(join(tmpdir(), "worklens-rotate-"));
    return { config: { kind: "sqlite", file: join(folder, "store.sqlite") }, cleanup: () => { rmSync(folder, { recursive: true, force: true }); } };
  }
  return { config: { kind: "postgres", connectionString: TEST_POSTGRES_URL, schema: `test_${randomBytes(6).toString("hex")}` }, cleanup: () => undefined };
}

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
    text: { title, body: `body of ${title}` },
  };
}

function artifact(): ModelArtifact {
  return {
    kind: "time",
    version: 0,
    featureNames: ["suggested_seconds"],
    model: { learner: { note: "not a real XGBoost model; the registry does not read it" } },
    trainedAt: "2025-03-15T00:00:00.000Z",
    window: { from: "2024-09-01", to: "2025-02-28" },
    metrics: {},
  };
}

/** Everything the test wrote, as read back through the repositories. */
async function snapshot(store: Repositories, activityIds: number[]): Promise<string> {
  const people = await store.people.list();
  const texts = await store.activities.texts(activityIds);
  const issues = await store.issues.texts();
  const secret = await store.settings.secret("linking-embedding");
  const model = await store.models.live("time");
  // Sorted, because PostgreSQL returns updated rows in another order.
  return JSON.stringify({ people, texts: [...texts].sort((x, y) => x[0] - y[0]), issues: [...issues].sort((x, y) => x[0] - y[0]), secret: secret.toString("base64"), model: model?.artifact });
}

describe.each(BACKENDS)("key rotation on %s", (backend) => {
  let location: Location;
  let keys: KeyProvider;
  let opened: Store[];
  const open = async (provider: KeyProvider = keys): Promise<Store> => {
    const store = await Store.open(location.config, { keys: provider });
    opened.push(store);
    return store;
  };
  beforeEach(() => {
    location = newLocation(backend);
    keys = new StaticKeyProvider(randomBytes(32));
    opened = [];
  });
  afterEach(async () => {
    for (const store of opened) await store.close().catch(() => undefined);
    const store = await Store.open(location.config, { keys }).catch(() => undefined);
    if (store !== undefined) {
      await store.wipeForTests();
      await store.close();
    }
    location.cleanup();
  });

  it("rotates while readers keep reading", async () => {
    const store = await open();
    const activityIds: number[] = [];
    for (let p = 0; p < 3; p++) {
      const person = await store.people.resolve({ source: "git", externalId: `dev${String(p)}@example.org`, email: `dev${String(p)}@example.org`, displayName: `Dev ${String(p)}` });
      await store.activities.insert(Array.from({ length: 10 }, (_, i) => commit(`${String(p)}-${String(i)}`, person.personId, person.identityId, `title ${String(p)}-${String(i)}`)));
    }
    for (const activity of await store.activities.list()) activityIds.push(activity.id);
    for (let i = 0; i < 12; i++) {
      await store.issues.upsert({ sourceId: String(10_000 + i), key: `PROJ-${String(i)}`, projectKey: "PROJ", isSubtask: false, createdAt: 1_741_000_000_000, text: { summary: `summary ${String(i)}`, description: `description ${String(i)}`, comments: "" } }, { assigneeId: null, reporterId: null });
    }
    const firstIssue = (await store.issues.idsByKey()).get("PROJ-0") ?? 0;
    for (let i = 0; i < 4; i++) {
      await store.issues.insertEvent({ sourceUid: `jira:change:${String(i)}`, issueId: firstIssue, personId: null, kind: "update", at: 1_741_000_000_000 + i, tz: null, field: "assignee", fromValue: `Dev ${String(i)}`, toValue: null, body: null });
    }
    await store.settings.secret("linking-embedding");
    const model = await store.models.add({ artifact: artifact() });
    await store.models.promote(model.id, "test");
    const before = await snapshot(store, activityIds);
    const secrets = await store.db.selectFrom("settings").select("key").where("key", "like", "secret:%").execute();

    const state = { rotating: true };
    let reads = 0;
    const mismatches: string[] = [];
    const reader = (async () => {
      while (state.rotating) {
        const now = await snapshot(store, activityIds);
        if (now !== before) mismatches.push(now);
        reads++;
      }
    })();
    const report = await rotateKeys(store, { newDataKey: true, master: false, batchSize: 5 });
    state.rotating = false;
    await reader;

    expect(mismatches).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(report.newVersion).toBe(2);
    expect(report.personKeysRewrapped).toBe(3);
    expect(report.rows).toEqual({ person_texts: 0, identity_texts: 0, activity_texts: 0, worklog_texts: 0, issue_event_texts: 0, issue_texts: 12, issue_events: 4, models: 1, settings: secrets.length });
    expect(report.retiredVersions).toEqual([1]);
    expect(report.stillInUse).toEqual([]);

    const dataKeys = await store.db.selectFrom("data_keys").select(["version", "retired_at"]).execute();
    expect(dataKeys).toEqual([{ version: 2, retired_at: null }]);
    const personKeys = await store.db.selectFrom("person_keys").select("data_key_version").execute();
    expect(personKeys.map((k) => k.data_key_version)).toEqual([2, 2, 2]);
    const issueTexts = await store.db.selectFrom("issue_texts").select("summary").execute();
    expect(issueTexts.every((t) => t.summary.startsWith("wl1.t2."))).toBe(true);
    const changes = await store.db.selectFrom("issue_events").select("from_value").execute();
    expect(changes.map((c) => c.from_value?.slice(0, 7))).toEqual(["wl1.t2.", "wl1.t2.", "wl1.t2.", "wl1.t2."]);
    expect((await store.issues.events()).map((event) => event.fromValue)).toEqual(["Dev 0", "Dev 1", "Dev 2", "Dev 3"]);
    expect(await snapshot(new Repositories(store.db, store.vault.uncached()), activityIds)).toBe(before);
  });

  it("rewraps data keys under a new master key", async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    keys = new StaticKeyProvider(oldKey);
    const first = await open();
    const dev = await first.people.resolve({ source: "git", externalId: "dev@example.org", displayName: "Dev Master" });
    await first.activities.insert([commit("m1", dev.personId, dev.identityId, "master title")]);
    await first.close();

    const rotating = await open(new StaticKeyProvider(newKey, [oldKey]));
    const report = await rotateKeys(rotating, { newDataKey: true, master: true });
    expect(report.dataKeysRewrapped).toBe(1);
    expect(report.retiredVersions).toEqual([1]);
    await rotating.close();

    keys = new StaticKeyProvider(newKey);
    const after = await open();
    expect((await after.people.list())[0]?.displayName).toBe("Dev Master");
    const [activity] = await after.activities.list();
    expect((await after.activities.texts([activity?.id ?? 0])).get(activity?.id ?? 0)?.title).toBe("master title");
    await after.close();

    await expect(Store.open(location.config, { keys: new StaticKeyProvider(oldKey) })).rejects.toThrow(`wrapped by master key ${keyFingerprint(newKey)}, which the configured key provider does not have`);
  });

  it("upgrades a plain-text store", async () => {
    const store = await open();
    const { db } = store;
    const sha = (field: string, value: string) => createHash("sha256").update(field).update("\u0000").update(value).digest("base64url");
    // A store as written before encryption: no data key, no flag, plain text and unkeyed lookups.
    await db.deleteFrom("data_keys").execute();
    await db.deleteFrom("settings").where("key", "=", "privacy.encrypted").execute();
    const person = await db.insertInto("persons").values({ tz: null, created_at: 1 }).returning("id").executeTakeFirstOrThrow();
    await db.insertInto("person_texts").values({ person_id: person.id, display_name: "Plain Person", email: "plain@example.org" }).execute();
    const identity = await db
      .insertInto("identities")
      .values({ person_id: person.id, source: "git", lookup: sha("identity:git", "plain@example.org"), email_lookup: sha("email", "plain@example.org"), name_lookup: sha("name", "plain person"), pinned: 0, tz: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db.insertInto("identity_texts").values({ identity_id: identity.id, external_id: "plain@example.org", display_name: "Plain Person", email: "plain@example.org" }).execute();
    const activity = await db
      .insertInto("activities")
      .values({ source_uid: "git:plain", source: "git", kind: "commit", person_id: person.id, identity_id: identity.id, start_at: 1, end_at: 1, tz: "UTC", date_only: 0, local_date: null, local_end_date: null, landed_at: null, repo: null, project: null, machine: null, explicit_keys: "[]", metrics: "{}" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db.insertInto("activity_texts").values({ activity_id: activity.id, title: "Plain title", body: null, branch: "feature/plain", paths: null }).execute();
    const issue = await db
      .insertInto("issues")
      .values({ source_id: "1", key: "PROJ-1", project_key: "PROJ", issue_type: null, is_subtask: 0, parent_key: null, epic_key: null, priority: null, status: null, status_category: null, created_at: 1, updated_at: null, resolved_at: null, assignee_id: null, reporter_id: null, content_digest: "old" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db.insertInto("issue_texts").values({ issue_id: issue.id, summary: "Plain summary", description: "", comments: "" }).execute();
    const secret = randomBytes(32);
    await db.insertInto("settings").values({ key: "secret:linking-embedding", value: secret.toString("base64") }).execute();
    await store.close();

    const upgraded = await open();
    const persons = await upgraded.db.selectFrom("person_texts").selectAll().execute();
    const identities = await upgraded.db.selectFrom("identity_texts").selectAll().execute();
    const titles = await upgraded.db.selectFrom("activity_texts").selectAll().execute();
    const summaries = await upgraded.db.selectFrom("issue_texts").selectAll().execute();
    const stored = [
      ...persons.flatMap((r) => [r.display_name, r.email]),
      ...identities.flatMap((r) => [r.external_id, r.display_name, r.email]),
      ...titles.flatMap((r) => [r.title, r.branch]),
      ...summaries.flatMap((r) => [r.summary, r.description, r.comments]),
    ];
    expect(stored.filter((value) => value !== null && !value.startsWith("wl1."))).toEqual([]);
    expect(persons[0]?.display_name?.startsWith(`wl1.p${String(person.id)}.`)).toBe(true);
    const lookups = await upgraded.db.selectFrom("identities").select(["lookup", "email_lookup"]).executeTakeFirstOrThrow();
    expect(lookups.email_lookup).not.toBe(sha("email", "plain@example.org"));
    expect(lookups.lookup).not.toBe(sha("identity:git", "plain@example.org"));

    expect((await upgraded.people.list()).map((p) => [p.displayName, p.email])).toEqual([["Plain Person", "plain@example.org"]]);
    expect((await upgraded.activities.texts([activity.id])).get(activity.id)).toEqual({ title: "Plain title", body: undefined, branch: "feature/plain", paths: undefined } satisfies { [K in keyof Required<ActivityText>]: ActivityText[K] });
    expect((await upgraded.issues.texts()).get(issue.id)?.summary).toBe("Plain summary");
    expect((await upgraded.settings.secret("linking-embedding")).equals(secret)).toBe(true);
    // The recomputed lookups still match: the same identity and the same e-mail from another source.
    expect(await upgraded.people.findIdentity("git", "plain@example.org")).toEqual({ personId: person.id, identityId: identity.id });
    expect((await upgraded.people.resolve({ source: "jira", externalId: "acc-plain", email: "Plain@example.org" })).personId).toBe(person.id);
  });
});
