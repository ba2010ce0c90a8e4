import { createHash, createHmac } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import type { Database } from "../store/schema.js";
import type { Repositories, Store } from "../store/store.js";
import { identifyingTerms, redactOthersText } from "./person-redact.js";

/** Store secret that keys the pseudonymous person id of deletion receipts. */
const RECEIPT_SECRET = "deletion-receipt";

/** Rows per IN list, well below the bound-parameter limits of SQLite and PostgreSQL. */
const ID_CHUNK = 500;

/** Proof of a hard delete, returned to the caller and printed by the CLI. */
export interface DeletionReceipt {
  kind: "worklens.deletion-receipt";
  version: 1;
  /** HMAC-SHA-256 of the person id under a store secret, so only the operator of this store can recompute it. */
  person: string;
  /** ISO instant of the deletion. */
  deletedAt: string;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  /** Rows of other people (or of no one) that referred to the person and now refer to no one, per table and column. */
  detached: Record<string, number>;
  /** Rows of others whose text named the person, per table; the name and e-mail there now read "[deleted person]". */
  redacted: Record<string, number>;
  /** Whether the person's data key existed and was destroyed, so any copy of their encrypted text is unreadable. */
  keyDestroyed: boolean;
  /** Worklogs written to Jira before the deletion: their Jira copies are outside worklens and stay until deleted in Jira. */
  worklogsInJira: number;
  /** Confirmed worklogs that were still waiting for write-back; they were deleted and will never reach Jira. */
  writeBacksCancelled: number;
  /** Method that cleared freed storage: SQLite checkpoint and VACUUM, or PostgreSQL VACUUM of the touched tables. */
  storage: string;
  /** SHA-256 (hex) of this receipt's JSON without this field, with keys in the order above. */
  sha256: string;
}

export interface EraseOptions {
  now: number;
  /** Audit actor: "cli", "admin" or "person:<id>". */
  actor: string;
}

type Db = Kysely<Database>;

/**
 * Deletes everything stored about one person. One transaction deletes their activities
 * with texts and links, suggestions, reviews, worklogs with comments, identities, API
 * keys, roles, team memberships, the comment texts of their issue events and the person
 * row. In the same transaction, references to them in rows they do not own (issue
 * assignee and reporter, issue events, team managers) become null, their name and
 * e-mail in others' text become "[deleted person]", and their data key is destroyed
 * (crypto-shredding). Then freed storage is cleared, and a "privacy.delete" audit entry with
 * the counts is appended. Returns the receipt.
 */
export async function erasePerson(store: Store, personId: number, options: EraseOptions): Promise<DeletionReceipt> {
  const counts = await store.transaction(async (tx) => {
    await requirePerson(tx.db, personId);
    // The names are read first, because deleting the rows below removes them.
    const redacted = await redactOthersText(tx, personId, await identifyingTerms(tx, personId));
    const rows = await deletePersonRows(tx, personId);
    // Destroying the key in the same transaction means the rows and the key go together or not at all.
    const keyDestroyed = await tx.vault.destroyPersonKey(personId);
    return { ...rows, redacted, keyDestroyed };
  });
  const { keyDestroyed } = counts;

  const touched = [...Object.keys(counts.deleted), ...Object.keys(counts.redacted), ...Object.keys(counts.detached).map((place) => place.split(".")[0] ?? place), "person_keys"];
  const storage = await clearFreedStorage(store, touched);

  const person = createHmac("sha256", await store.settings.secret(RECEIPT_SECRET)).update(`person:${String(personId)}`).digest("base64url");
  const body: Omit<DeletionReceipt, "sha256"> = {
    kind: "worklens.deletion-receipt",
    version: 1,
    person,
    deletedAt: new Date(options.now).toISOString(),
    deleted: counts.deleted,
    detached: counts.detached,
    redacted: counts.redacted,
    keyDestroyed,
    worklogsInJira: counts.worklogsInJira,
    writeBacksCancelled: counts.writeBacksCancelled,
    storage,
  };
  const receipt: DeletionReceipt = { ...body, sha256: createHash("sha256").update(JSON.stringify(body)).digest("hex") };

  await store.audit.append({
    at: options.now,
    actor: options.actor,
    action: "privacy.delete",
    subject: `person:${String(personId)}`,
    details: { deleted: counts.deleted, detached: counts.detached, redacted: counts.redacted, keyDestroyed, worklogsInJira: counts.worklogsInJira, writeBacksCancelled: counts.writeBacksCancelled, receiptSha256: receipt.sha256 },
  });
  return receipt;
}

/** Checks that a receipt's sha256 matches its other fields. */
export function receiptIsIntact(receipt: DeletionReceipt): boolean {
  const { sha256, ...body } = receipt;
  return createHash("sha256").update(JSON.stringify(body)).digest("hex") === sha256;
}

async function requirePerson(db: Db, personId: number): Promise<void> {
  const row = await db.selectFrom("persons").select("id").where("id", "=", personId).executeTakeFirst();
  if (row === undefined) throw new WorklensError("NOT_FOUND", `person ${String(personId)} not found`, 'run "worklens people list" to see person ids');
}

interface RowCounts {
  deleted: Record<string, number>;
  detached: Record<string, number>;
  worklogsInJira: number;
  writeBacksCancelled: number;
}

/** Deletes the person's rows in an order that respects every foreign key, and counts them per table. */
async function deletePersonRows(tx: Repositories, personId: number): Promise<RowCounts> {
  const db = tx.db;
  const deleted: Record<string, number> = {};
  const detached: Record<string, number> = {};
  const count = (table: string, n: number | bigint | undefined) => {
    const value = Number(n ?? 0);
    if (value > 0) deleted[table] = (deleted[table] ?? 0) + value;
  };
  const detach = (place: string, n: number | bigint | undefined) => {
    const value = Number(n ?? 0);
    if (value > 0) detached[place] = (detached[place] ?? 0) + value;
  };

  const identityIds = (await db.selectFrom("identities").select("id").where("person_id", "=", personId).execute()).map((r) => r.id);
  // Activities are found by person and by identity, so none is left behind should the two ever disagree.
  const activityIds = (
    await db
      .selectFrom("activities")
      .select("id")
      .where((eb) => eb.or([eb("person_id", "=", personId), ...(identityIds.length > 0 ? [eb("identity_id", "in", identityIds)] : [])]))
      .execute()
  ).map((r) => r.id);
  for (const ids of chunks(activityIds)) {
    count("links", (await db.deleteFrom("links").where("activity_id", "in", ids).executeTakeFirst()).numDeletedRows);
    count("activity_texts", (await db.deleteFrom("activity_texts").where("activity_id", "in", ids).executeTakeFirst()).numDeletedRows);
    count("activities", (await db.deleteFrom("activities").where("id", "in", ids).executeTakeFirst()).numDeletedRows);
  }

  count("suggestions", (await db.deleteFrom("suggestions").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  count("reviews", (await db.deleteFrom("reviews").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);

  const worklogs = await db.selectFrom("worklogs").select(["id", "origin", "write_back"]).where("person_id", "=", personId).execute();
  // Imported worklogs came from Jira and written ones reached it: both have a copy there.
  const worklogsInJira = worklogs.filter((w) => w.origin === "jira" || w.write_back === "written").length;
  const writeBacksCancelled = worklogs.filter((w) => w.origin === "confirmed" && w.write_back !== "written").length;
  for (const ids of chunks(worklogs.map((w) => w.id))) {
    // Another person's review can point at this worklog only after a merge or split moved it; it keeps its decision.
    detach("reviews.worklog_id", (await db.updateTable("reviews").set({ worklog_id: null }).where("worklog_id", "in", ids).executeTakeFirst()).numUpdatedRows);
    count("worklog_texts", (await db.deleteFrom("worklog_texts").where("worklog_id", "in", ids).executeTakeFirst()).numDeletedRows);
    count("worklogs", (await db.deleteFrom("worklogs").where("id", "in", ids).executeTakeFirst()).numDeletedRows);
  }

  // The events stay as part of their issue's history; what the person wrote in them goes.
  const eventIds = (await db.selectFrom("issue_events").select("id").where("person_id", "=", personId).execute()).map((r) => r.id);
  for (const ids of chunks(eventIds)) {
    count("issue_event_texts", (await db.deleteFrom("issue_event_texts").where("event_id", "in", ids).executeTakeFirst()).numDeletedRows);
    detach("issue_events.person_id", (await db.updateTable("issue_events").set({ person_id: null }).where("id", "in", ids).executeTakeFirst()).numUpdatedRows);
  }
  detach("issues.assignee_id", (await db.updateTable("issues").set({ assignee_id: null }).where("assignee_id", "=", personId).executeTakeFirst()).numUpdatedRows);
  detach("issues.reporter_id", (await db.updateTable("issues").set({ reporter_id: null }).where("reporter_id", "=", personId).executeTakeFirst()).numUpdatedRows);
  detach("teams.manager_person_id", (await db.updateTable("teams").set({ manager_person_id: null }).where("manager_person_id", "=", personId).executeTakeFirst()).numUpdatedRows);
  // Weeks this person approved or rejected as a manager keep their state but no longer name them.
  detach("week_reviews.decided_by", (await db.updateTable("week_reviews").set({ decided_by: null }).where("decided_by", "=", `person:${String(personId)}`).executeTakeFirst()).numUpdatedRows);

  count("api_keys", (await db.deleteFrom("api_keys").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  if (identityIds.length > 0) count("api_keys", (await db.deleteFrom("api_keys").where("identity_id", "in", identityIds).executeTakeFirst()).numDeletedRows);
  count("person_roles", (await db.deleteFrom("person_roles").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  count("web_sessions", (await db.deleteFrom("web_sessions").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  count("accounts", (await db.deleteFrom("accounts").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  count("week_reviews", (await db.deleteFrom("week_reviews").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  count("team_members", (await db.deleteFrom("team_members").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  for (const ids of chunks(identityIds)) {
    count("identity_texts", (await db.deleteFrom("identity_texts").where("identity_id", "in", ids).executeTakeFirst()).numDeletedRows);
    count("identities", (await db.deleteFrom("identities").where("id", "in", ids).executeTakeFirst()).numDeletedRows);
  }
  count("person_texts", (await db.deleteFrom("person_texts").where("person_id", "=", personId).executeTakeFirst()).numDeletedRows);
  count("persons", (await db.deleteFrom("persons").where("id", "=", personId).executeTakeFirst()).numDeletedRows);

  return { deleted, detached, worklogsInJira, writeBacksCancelled };
}

/**
 * Clears the bytes that deleted rows leave in the database files. SQLite: a TRUNCATE
 * checkpoint moves the WAL into the main file and empties it, VACUUM rewrites the file
 * without free pages, and a second checkpoint empties the WAL that VACUUM wrote.
 * PostgreSQL: VACUUM of each touched table, which marks the dead rows' space free but
 * may leave their bytes in data pages and in WAL segments until reused. The person's
 * texts among those bytes are encrypted under the key just destroyed.
 */
async function clearFreedStorage(store: Store, tables: readonly string[]): Promise<string> {
  if (store.dialect === "sqlite") {
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
    await sql`vacuum`.execute(store.db);
    const result = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
    // A reader in another process (a running server) can keep the checkpoint from finishing.
    const busy = result.rows[0]?.busy === 1;
    return busy ? "sqlite: VACUUM done; WAL checkpoint blocked by another connection, the WAL empties at its next checkpoint" : "sqlite: WAL checkpoint (TRUNCATE) and VACUUM";
  }
  const unique = [...new Set(tables)].sort();
  for (const table of unique) await sql`vacuum ${sql.table(table)}`.execute(store.db);
  return `postgresql: VACUUM of ${unique.join(", ")}`;
}

function* chunks(ids: readonly number[]): Generator<number[]> {
  for (let i = 0; i < ids.length; i += ID_CHUNK) yield ids.slice(i, i + ID_CHUNK);
}
