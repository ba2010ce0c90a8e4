import { sql, type Kysely, type RawBuilder } from "kysely";
import { personKeyRef, Vault, type TextPlace } from "../privacy/vault.js";
import type { Database } from "./schema.js";

/**
 * One table with encrypted columns: how its rows are keyed, which columns are
 * encrypted, and whose key encrypts them. `owner` names the table and column holding
 * the person a row belongs to; rows without one use the tenant data key.
 */
export interface EncryptedTable {
  table: string;
  key: string;
  columns: readonly string[];
  owner?: { table: string; id: string; person: string } | "self";
  /** SQL condition on the table's own columns (alias t) limiting which rows are encrypted. */
  where?: string;
  /** The row part of each value's place, from the selected row; the key column when absent. */
  placeRow?: { columns: readonly string[]; format: (row: Record<string, unknown>) => string };
}

/**
 * Every encrypted column of the store.
 * NOTE: columns outside these tables stay plain text, among them activities.repo,
 * project and machine, sync_runs.summary and worklogs.last_error.
 * week_reviews.comment is encrypted but not listed, because its rows are keyed by two
 * columns (person and week) and resealBatch pages and updates by one. No pass needs it:
 * the comment is always written under its person's key, which a rotation rewraps, and a
 * merge deletes the merged person's week rows with the person.
 */
export const ENCRYPTED_TABLES: readonly EncryptedTable[] = [
  { table: "person_texts", key: "person_id", columns: ["display_name", "email"], owner: "self" },
  { table: "identity_texts", key: "identity_id", columns: ["external_id", "display_name", "email"], owner: { table: "identities", id: "id", person: "person_id" } },
  { table: "activity_texts", key: "activity_id", columns: ["title", "body", "branch", "paths"], owner: { table: "activities", id: "id", person: "person_id" } },
  { table: "worklog_texts", key: "worklog_id", columns: ["comment"], owner: { table: "worklogs", id: "id", person: "person_id" } },
  { table: "issue_event_texts", key: "event_id", columns: ["body"], owner: { table: "issue_events", id: "id", person: "person_id" } },
  { table: "issue_texts", key: "issue_id", columns: ["summary", "description", "comments"] },
  // Field changes are under the tenant key, not the actor's: the values often name someone else
  // (a previous assignee), and the event stays in the issue's history when its actor is deleted.
  { table: "issue_events", key: "id", columns: ["from_value", "to_value"], placeRow: { columns: ["source_uid"], format: (row) => String(row["source_uid"]) } },
  { table: "models", key: "id", columns: ["artifact"], placeRow: { columns: ["kind", "version"], format: (row) => modelPlaceRow(String(row["kind"]), Number(row["version"])) } },
  { table: "settings", key: "key", columns: ["value"], where: "t.key like 'secret:%'" },
];

/** Row part of a model artifact's place: kind and version, known before the row's id is. */
export function modelPlaceRow(kind: string, version: number): string {
  return `${kind}:${String(version)}`;
}

/** Selection of the rows a pass re-encrypts. */
export interface ResealScope {
  /** Only rows owned by this person (tables without an owner are skipped). */
  ownerPersonId?: number;
  /** Re-encrypt values under a tenant data key version other than the current one (rotation). */
  rotateTenantKeys: boolean;
}

export interface ResealBatch {
  /** Key of the last row read, to start the next batch after; undefined when the table is done. */
  last: string | number | undefined;
  /** Rows whose values changed. */
  changed: number;
}

/**
 * Re-encrypts one batch of a table's rows in place, reading and writing through `db`
 * and `vault` (give both of one transaction). A value is rewritten when it is plain
 * text, as in a store written before encryption. It is also rewritten when it is under
 * a key other than its owner's (after a merge or split), or, with `rotateTenantKeys`,
 * under an older tenant data key version.
 */
export async function resealBatch(db: Kysely<Database>, vault: Vault, spec: EncryptedTable, after: string | number | undefined, limit: number, scope: ResealScope): Promise<ResealBatch> {
  if (scope.ownerPersonId !== undefined && spec.owner === undefined) return { last: undefined, changed: 0 };
  const rows = await selectBatch(db, spec, after, limit, scope.ownerPersonId);
  const current = await vault.currentDataKey();
  let changed = 0;
  for (const row of rows) {
    const owner = row["owner"] === null || row["owner"] === undefined ? null : Number(row["owner"]);
    const targetRef = owner === null ? current.keyRef : personKeyRef(owner);
    const placeRow = spec.placeRow === undefined ? (row["k"] as string | number) : spec.placeRow.format(row);
    const update: Record<string, string> = {};
    for (const column of spec.columns) {
      const stored = row[column];
      if (typeof stored !== "string") continue;
      const place: TextPlace = { table: spec.table, column, row: placeRow };
      const keyRef = Vault.keyRefOf(stored);
      const stale = keyRef === undefined || (keyRef !== targetRef && (owner !== null || scope.rotateTenantKeys));
      if (!stale) continue;
      const plaintext = keyRef === undefined ? stored : await vault.decryptText(place, stored);
      update[column] = await vault.encryptText(place, plaintext, owner);
    }
    if (Object.keys(update).length === 0) continue;
    const assignments = sql.join(Object.entries(update).map(([column, value]) => sql`${sql.ref(column)} = ${value}`));
    await sql`update ${sql.table(spec.table)} set ${assignments} where ${sql.ref(spec.key)} = ${row["k"]}`.execute(db);
    changed++;
  }
  const last = rows.at(-1)?.["k"] as string | number | undefined;
  return { last: rows.length < limit ? undefined : last, changed };
}

async function selectBatch(db: Kysely<Database>, spec: EncryptedTable, after: string | number | undefined, limit: number, ownerPersonId: number | undefined): Promise<Record<string, unknown>[]> {
  const columns = sql.join([...spec.columns, ...(spec.placeRow?.columns ?? [])].map((column) => sql.ref(`t.${column}`)));
  let owner: RawBuilder<unknown> = sql`null`;
  if (spec.owner === "self") owner = sql.ref(`t.${spec.key}`);
  else if (spec.owner !== undefined) owner = sql.ref(`o.${spec.owner.person}`);
  const join = spec.owner === undefined || spec.owner === "self" ? sql`` : sql`left join ${sql.table(spec.owner.table)} o on o.${sql.ref(spec.owner.id)} = t.${sql.ref(spec.key)}`;
  const conditions = [sql`1 = 1`];
  if (after !== undefined) conditions.push(sql`t.${sql.ref(spec.key)} > ${after}`);
  if (spec.where !== undefined) conditions.push(sql.raw(spec.where));
  if (ownerPersonId !== undefined) conditions.push(sql`${owner} = ${ownerPersonId}`);
  const result = await sql<Record<string, unknown>>`select t.${sql.ref(spec.key)} as k, ${owner} as owner, ${columns} from ${sql.table(spec.table)} t ${join} where ${sql.join(conditions, sql` and `)} order by t.${sql.ref(spec.key)} limit ${limit}`.execute(db);
  return result.rows;
}

/** Re-encrypts every row owned by one person under that person's key, in the caller's connection or transaction. */
export async function resealOwnedRows(db: Kysely<Database>, vault: Vault, personId: number): Promise<number> {
  let changed = 0;
  for (const spec of ENCRYPTED_TABLES) {
    if (spec.owner === undefined) continue;
    let after: string | number | undefined;
    do {
      const batch = await resealBatch(db, vault, spec, after, 500, { ownerPersonId: personId, rotateTenantKeys: false });
      changed += batch.changed;
      after = batch.last;
    } while (after !== undefined);
  }
  return changed;
}

/** Returns the versions among `candidates` that some encrypted value or person key still uses. */
export async function dataKeyVersionsInUse(db: Kysely<Database>, candidates: readonly number[]): Promise<Set<number>> {
  const versions = new Set<number>();
  for (const version of candidates) {
    const person = await db.selectFrom("person_keys").select("person_id").where("data_key_version", "=", version).limit(1).executeTakeFirst();
    if (person !== undefined) {
      versions.add(version);
      continue;
    }
    const pattern = `wl1.t${String(version)}.%`;
    search: for (const spec of ENCRYPTED_TABLES) {
      for (const column of spec.columns) {
        const found = await sql<{ one: number }>`select 1 as one from ${sql.table(spec.table)} where ${sql.ref(column)} like ${pattern} limit 1`.execute(db);
        if (found.rows.length > 0) {
          versions.add(version);
          break search;
        }
      }
    }
  }
  return versions;
}
