import type { Kysely, Selectable } from "kysely";
import type { Database, ReviewsTable } from "./schema.js";

export type ReviewDecision = "accepted" | "edited" | "rejected";

const DECISIONS: readonly ReviewDecision[] = ["accepted", "edited", "rejected"];

export interface ReviewRecord {
  id: number;
  personId: number;
  day: string;
  /** Issue of the reviewed suggestion; null for unlinked time. */
  issueId: number | null;
  decision: ReviewDecision;
  suggestedSeconds: number;
  suggestedConfidence: number;
  worklogId: number | null;
  decidedAt: number;
  decidedBy: string;
}

export type ReviewInput = Omit<ReviewRecord, "id">;

export interface ReviewFilter {
  personId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * People's decisions on suggested worklogs. A decision is keyed by person, day and
 * issue, the key of a suggestion, so it outlives the suggestion rows that each
 * allocation run replaces.
 */
export class ReviewRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a decision; returns undefined when that suggestion already has one. */
  async insert(review: ReviewInput): Promise<ReviewRecord | undefined> {
    const inserted = await this.db
      .insertInto("reviews")
      .values({
        person_id: review.personId,
        day: review.day,
        issue_ref: review.issueId ?? 0,
        decision: review.decision,
        suggested_seconds: review.suggestedSeconds,
        suggested_confidence: review.suggestedConfidence,
        worklog_id: review.worklogId,
        decided_at: review.decidedAt,
        decided_by: review.decidedBy,
      })
      .onConflict((oc) => oc.columns(["person_id", "day", "issue_ref"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted === undefined ? undefined : { ...review, id: inserted.id };
  }

  async find(personId: number, day: string, issueId: number | null): Promise<ReviewRecord | undefined> {
    const row = await this.db
      .selectFrom("reviews")
      .selectAll()
      .where("person_id", "=", personId)
      .where("day", "=", day)
      .where("issue_ref", "=", issueId ?? 0)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async get(id: number): Promise<ReviewRecord | undefined> {
    const row = await this.db.selectFrom("reviews").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(filter: ReviewFilter = {}): Promise<ReviewRecord[]> {
    let query = this.db.selectFrom("reviews").selectAll();
    if (filter.personId !== undefined) query = query.where("person_id", "=", filter.personId);
    if (filter.from !== undefined) query = query.where("day", ">=", filter.from);
    if (filter.to !== undefined) query = query.where("day", "<=", filter.to);
    const rows = await query.orderBy("day").orderBy("person_id").orderBy("issue_ref").execute();
    return rows.map(toRecord);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom("reviews").where("id", "=", id).execute();
  }
}

function toRecord(row: Selectable<ReviewsTable>): ReviewRecord {
  return {
    id: row.id,
    personId: row.person_id,
    day: row.day,
    issueId: row.issue_ref === 0 ? null : row.issue_ref,
    decision: DECISIONS.find((decision) => decision === row.decision) ?? "accepted",
    suggestedSeconds: row.suggested_seconds,
    suggestedConfidence: row.suggested_confidence,
    worklogId: row.worklog_id,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
  };
}
