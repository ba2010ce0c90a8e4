import { PostgresAdapter, sql, type Selectable } from "kysely";
import { WorklensError } from "../domain/errors.js";
import type { TextPlace } from "../privacy/vault.js";
import type { WeekReviewsTable } from "./schema.js";
import type { Repositories } from "./store.js";

/** States stored in `week_reviews`. A week without a row is "open". */
export type StoredWeekStatus = "submitted" | "approved" | "rejected" | "reopened";

const STORED_STATUSES: readonly StoredWeekStatus[] = ["submitted", "approved", "rejected", "reopened"];

/** One person's week under review, with the manager's comment decrypted. */
export interface WeekReviewRecord {
  personId: number;
  /** Monday of the ISO week, YYYY-MM-DD. */
  weekStart: string;
  status: StoredWeekStatus;
  submittedAt: number | null;
  /** Audit actor of the last approval, rejection or reopening: "person:<id>" or "admin". */
  decidedBy: string | null;
  decidedAt: number | null;
  comment: string | null;
  updatedAt: number;
}

export interface WeekReviewFilter {
  personIds?: readonly number[] | undefined;
  status?: StoredWeekStatus | undefined;
  /** First week start, included. */
  from?: string | undefined;
  /** Last week start, included. */
  to?: string | undefined;
}

/**
 * Returns the place bound into the comment's encryption. The table has no id column,
 * so the row part is the primary key, person and week.
 */
export function weekCommentPlace(personId: number, weekStart: string): TextPlace {
  return { table: "week_reviews", column: "comment", row: `${String(personId)}:${weekStart}` };
}

/** Reads one week's review row; undefined when the week was never submitted or was withdrawn. */
export async function getWeekReview(repositories: Repositories, personId: number, weekStart: string): Promise<WeekReviewRecord | undefined> {
  const row = await repositories.db.selectFrom("week_reviews").selectAll().where("person_id", "=", personId).where("week_start", "=", weekStart).executeTakeFirst();
  return row === undefined ? undefined : toRecord(repositories, row);
}

/** Lists review rows by person, status and week range, newest week first, then by person id. */
export async function listWeekReviews(repositories: Repositories, filter: WeekReviewFilter = {}): Promise<WeekReviewRecord[]> {
  if (filter.personIds?.length === 0) return [];
  let query = repositories.db.selectFrom("week_reviews").selectAll();
  if (filter.personIds !== undefined) query = query.where("person_id", "in", [...filter.personIds]);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  if (filter.from !== undefined) query = query.where("week_start", ">=", filter.from);
  if (filter.to !== undefined) query = query.where("week_start", "<=", filter.to);
  const rows = await query.orderBy("week_start", "desc").orderBy("person_id").execute();
  const records: WeekReviewRecord[] = [];
  for (const row of rows) records.push(await toRecord(repositories, row));
  return records;
}

/** Inserts or replaces one week's review row, encrypting the comment under the week's person's key. */
export async function upsertWeekReview(repositories: Repositories, record: WeekReviewRecord): Promise<void> {
  const comment = await repositories.vault.encryptNullable(weekCommentPlace(record.personId, record.weekStart), record.comment, record.personId);
  const values = {
    status: record.status,
    submitted_at: record.submittedAt,
    decided_by: record.decidedBy,
    decided_at: record.decidedAt,
    comment,
    updated_at: record.updatedAt,
  };
  await repositories.db
    .insertInto("week_reviews")
    .values({ person_id: record.personId, week_start: record.weekStart, ...values })
    .onConflict((oc) => oc.columns(["person_id", "week_start"]).doUpdateSet(values))
    .execute();
}

/** Deletes one week's review row, which makes the week open again. */
export async function deleteWeekReview(repositories: Repositories, personId: number, weekStart: string): Promise<void> {
  await repositories.db.deleteFrom("week_reviews").where("person_id", "=", personId).where("week_start", "=", weekStart).execute();
}

/**
 * Serializes, until the transaction ends, every transaction that changes or decides on
 * one person's week. Without it, on PostgreSQL's READ COMMITTED a submit could count no
 * pending suggestion while an undo in another transaction makes one pending again.
 * SQLite needs nothing: the store runs one transaction at a time on its one connection.
 * The two-integer form of pg_advisory_xact_lock has its own key space, apart from the
 * single bigint keys that pg-boss takes.
 */
export async function lockWeek(repositories: Repositories, personId: number, weekStart: string): Promise<void> {
  if (!(repositories.db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const weekNumber = Math.floor(Date.parse(`${weekStart}T00:00:00Z`) / (7 * 86_400_000));
  await sql`select pg_advisory_xact_lock(${personId}::integer, ${weekNumber}::integer)`.execute(repositories.db);
}

async function toRecord(repositories: Repositories, row: Selectable<WeekReviewsTable>): Promise<WeekReviewRecord> {
  const status = STORED_STATUSES.find((s) => s === row.status);
  if (status === undefined) {
    throw new WorklensError("STORE", `week_reviews row of person ${String(row.person_id)}, week ${row.week_start} has unknown status "${row.status}"`, "restore the row from a backup, or delete it to make the week open again");
  }
  return {
    personId: row.person_id,
    weekStart: row.week_start,
    status,
    submittedAt: row.submitted_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    comment: await repositories.vault.decryptNullable(weekCommentPlace(row.person_id, row.week_start), row.comment),
    updatedAt: row.updated_at,
  };
}
