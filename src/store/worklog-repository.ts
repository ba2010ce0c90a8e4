import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Vault } from "../privacy/vault.js";
import type { Database } from "./schema.js";

/**
 * Write-back state of a confirmed worklog. It is "pending" until a job writes it, and
 * "sending" while a job has claimed it, until `nextAttemptAt` (the lease) passes. It is
 * "written" once Jira has it, whether a job created it or found it there already, and
 * "failed" when the last attempt failed. A failed one is retried while `nextAttemptAt` is set.
 */
export type WriteBackStatus = "pending" | "sending" | "written" | "failed";

const WRITE_BACK_STATUSES: readonly string[] = ["pending", "sending", "written", "failed"] satisfies WriteBackStatus[];

export interface WorklogEntry {
  id: number;
  sourceId: string;
  issueId: number;
  issueKey: string;
  personId: number | null;
  startedAt: number;
  /** IANA zone of the person when the worklog was confirmed; `started` is written in it. */
  tz: string;
  day: string;
  seconds: number;
  origin: "jira" | "confirmed";
  comment: string | null;
  writeBack: WriteBackStatus | null;
  remoteId: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  writtenAt: number | null;
}

export interface ConfirmedWorklogInput {
  issueId: number;
  personId: number;
  startedAt: number;
  tz: string;
  day: string;
  seconds: number;
  comment: string | null;
}

export interface WorklogFilter {
  personId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  origin?: "jira" | "confirmed" | undefined;
  writeBack?: WriteBackStatus | undefined;
}

/** Worklogs as people and Jira see them, with the write-back state of confirmed ones. */
export class WorklogRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
  ) {}

  /** Stores a worklog a person confirmed, waiting for write-back. */
  async insertConfirmed(worklog: ConfirmedWorklogInput): Promise<number> {
    const inserted = await this.db
      .insertInto("worklogs")
      .values({
        source_id: `worklens:${randomUUID()}`,
        issue_id: worklog.issueId,
        person_id: worklog.personId,
        started_at: worklog.startedAt,
        tz: worklog.tz,
        day: worklog.day,
        seconds: worklog.seconds,
        origin: "confirmed",
        write_back: "pending",
        remote_id: null,
        last_error: null,
        next_attempt_at: null,
        written_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (worklog.comment !== null) {
      await this.db.insertInto("worklog_texts").values({ worklog_id: inserted.id, comment: await this.vault.encryptText(commentPlace(inserted.id), worklog.comment, worklog.personId) }).execute();
    }
    return inserted.id;
  }

  async get(id: number): Promise<WorklogEntry | undefined> {
    const rows = await this.query().where("worklogs.id", "=", id).execute();
    const row = rows[0];
    return row === undefined ? undefined : toEntry(await this.decryptComment(row));
  }

  async list(filter: WorklogFilter = {}): Promise<WorklogEntry[]> {
    let query = this.query();
    if (filter.personId !== undefined) query = query.where("worklogs.person_id", "=", filter.personId);
    if (filter.from !== undefined) query = query.where("worklogs.day", ">=", filter.from);
    if (filter.to !== undefined) query = query.where("worklogs.day", "<=", filter.to);
    if (filter.origin !== undefined) query = query.where("worklogs.origin", "=", filter.origin);
    if (filter.writeBack !== undefined) query = query.where("worklogs.write_back", "=", filter.writeBack);
    const rows = await query.orderBy("worklogs.day").orderBy("worklogs.started_at").orderBy("worklogs.id").execute();
    const entries: WorklogEntry[] = [];
    for (const row of rows) entries.push(toEntry(await this.decryptComment(row)));
    return entries;
  }

  /** Ids of confirmed worklogs whose write-back is due at `now`, oldest first. */
  async dueForWriteBack(now: number, limit = 100): Promise<number[]> {
    const rows = await this.db
      .selectFrom("worklogs")
      .select("id")
      .where("origin", "=", "confirmed")
      .where((eb) =>
        eb.or([
          eb("write_back", "=", "pending"),
          eb.and([eb("write_back", "in", ["failed", "sending"]), eb("next_attempt_at", "is not", null), eb("next_attempt_at", "<=", now)]),
        ]),
      )
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Takes a due worklog for one write-back attempt until `now + leaseMs`, so two
   * jobs running at once never post it twice. Returns false when it is not due or
   * another job has claimed it. A job that dies leaves the lease to expire, and the next
   * attempt finds the worklog in Jira by its marker if the post got through.
   */
  async claimForWriteBack(id: number, now: number, leaseMs: number): Promise<boolean> {
    const updated = await this.db
      .updateTable("worklogs")
      .set({ write_back: "sending", next_attempt_at: now + leaseMs })
      .where("id", "=", id)
      .where("origin", "=", "confirmed")
      .where((eb) =>
        eb.or([
          eb("write_back", "=", "pending"),
          eb.and([eb("write_back", "in", ["failed", "sending"]), eb("next_attempt_at", "is not", null), eb("next_attempt_at", "<=", now)]),
        ]),
      )
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /** Changes a confirmed worklog that Jira does not hold yet. Returns false when it is being written, written, or gone. */
  async updateUnwritten(id: number, change: { seconds: number; startedAt: number; issueId: number; comment: string | null }): Promise<boolean> {
    const updated = await this.db
      .updateTable("worklogs")
      .set({ seconds: change.seconds, started_at: change.startedAt, issue_id: change.issueId })
      .where("id", "=", id)
      .where("origin", "=", "confirmed")
      .where("write_back", "in", ["pending", "failed"])
      .returning("person_id")
      .executeTakeFirst();
    if (updated === undefined) return false;
    await this.db.deleteFrom("worklog_texts").where("worklog_id", "=", id).execute();
    if (change.comment !== null) {
      await this.db.insertInto("worklog_texts").values({ worklog_id: id, comment: await this.vault.encryptText(commentPlace(id), change.comment, updated.person_id) }).execute();
    }
    return true;
  }

  /** Deletes a confirmed worklog that Jira does not hold yet. Returns false when it is being written, written, or gone. */
  async deleteUnwritten(id: number): Promise<boolean> {
    const found = await this.db
      .selectFrom("worklogs")
      .select("id")
      .where("id", "=", id)
      .where("origin", "=", "confirmed")
      .where("write_back", "in", ["pending", "failed"])
      .executeTakeFirst();
    if (found === undefined) return false;
    await this.db.updateTable("reviews").set({ worklog_id: null }).where("worklog_id", "=", id).execute();
    await this.db.deleteFrom("worklog_texts").where("worklog_id", "=", id).execute();
    await this.db.deleteFrom("worklogs").where("id", "=", id).execute();
    return true;
  }

  async markWritten(id: number, remoteId: string, at: number): Promise<void> {
    await this.db
      .updateTable("worklogs")
      .set((eb) => ({ write_back: "written", remote_id: remoteId, written_at: at, last_error: null, next_attempt_at: null, attempts: eb("attempts", "+", 1) }))
      .where("id", "=", id)
      .execute();
  }

  /** Records a failed attempt; `retryAt` undefined means it will not be retried without a request. */
  async markFailed(id: number, error: string, retryAt: number | undefined): Promise<void> {
    await this.db
      .updateTable("worklogs")
      .set((eb) => ({ write_back: "failed", last_error: error, next_attempt_at: retryAt ?? null, attempts: eb("attempts", "+", 1) }))
      .where("id", "=", id)
      .execute();
  }

  /** Makes a failed write-back due again at once with a fresh retry schedule, as a person's retry request does. */
  async retry(id: number): Promise<boolean> {
    const updated = await this.db
      .updateTable("worklogs")
      .set({ write_back: "pending", next_attempt_at: null, attempts: 0 })
      .where("id", "=", id)
      .where("write_back", "=", "failed")
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  private async decryptComment<T extends { id: number; comment: string | null }>(row: T): Promise<T> {
    return { ...row, comment: await this.vault.decryptNullable(commentPlace(row.id), row.comment) };
  }

  private query() {
    return this.db
      .selectFrom("worklogs")
      .innerJoin("issues", "issues.id", "worklogs.issue_id")
      .leftJoin("worklog_texts", "worklog_texts.worklog_id", "worklogs.id")
      .selectAll("worklogs")
      .select(["issues.key as issue_key", "worklog_texts.comment"]);
  }
}

function commentPlace(worklogId: number) {
  return { table: "worklog_texts", column: "comment", row: worklogId };
}

function toEntry(row: {
  id: number;
  source_id: string;
  issue_id: number;
  issue_key: string;
  person_id: number | null;
  started_at: number;
  tz: string;
  day: string;
  seconds: number;
  origin: string;
  comment: string | null;
  write_back: string | null;
  remote_id: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  written_at: number | null;
}): WorklogEntry {
  return {
    id: row.id,
    sourceId: row.source_id,
    issueId: row.issue_id,
    issueKey: row.issue_key,
    personId: row.person_id,
    startedAt: row.started_at,
    tz: row.tz,
    day: row.day,
    seconds: row.seconds,
    origin: row.origin === "confirmed" ? "confirmed" : "jira",
    comment: row.comment,
    writeBack: row.write_back !== null && WRITE_BACK_STATUSES.includes(row.write_back) ? (row.write_back as WriteBackStatus) : null,
    remoteId: row.remote_id,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    writtenAt: row.written_at,
  };
}
