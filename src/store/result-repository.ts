import type { Kysely } from "kysely";
import type { Evidence, LinkRecord, SuggestionRecord } from "../domain/types.js";
import type { Database } from "./schema.js";

const CHUNK = 200;

/** Links and suggested worklogs: derived data that a new run replaces. */
export class ResultRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Replace every link of the given activities with `links`. */
  async replaceLinks(activityIds: readonly number[], links: readonly LinkRecord[]): Promise<void> {
    for (let i = 0; i < activityIds.length; i += 500) {
      await this.db.deleteFrom("links").where("activity_id", "in", activityIds.slice(i, i + 500)).execute();
    }
    for (let i = 0; i < links.length; i += CHUNK) {
      await this.db
        .insertInto("links")
        .values(
          links.slice(i, i + CHUNK).map((l) => ({
            activity_id: l.activityId,
            issue_id: l.issueId,
            rank: l.rank,
            score: l.score,
            confidence: l.confidence,
            method: l.method,
            evidence: JSON.stringify(l.evidence),
          })),
        )
        .execute();
    }
  }

  async links(): Promise<LinkRecord[]> {
    const rows = await this.db.selectFrom("links").selectAll().orderBy("activity_id").orderBy("rank").execute();
    return rows.map((r) => ({
      activityId: r.activity_id,
      issueId: r.issue_id,
      rank: r.rank,
      score: r.score,
      confidence: r.confidence,
      method: r.method === "explicit" ? "explicit" : "ranked",
      evidence: JSON.parse(r.evidence) as Evidence[],
    }));
  }

  /** Replace the suggestions of every day from `fromDay` to `toDay` (inclusive) with `rows`. */
  async replaceSuggestions(fromDay: string, toDay: string, rows: readonly SuggestionRecord[]): Promise<void> {
    await this.db.deleteFrom("suggestions").where("day", ">=", fromDay).where("day", "<=", toDay).execute();
    const now = Date.now();
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db
        .insertInto("suggestions")
        .values(
          rows.slice(i, i + CHUNK).map((s) => ({
            person_id: s.personId,
            day: s.day,
            issue_id: s.issueId,
            seconds: s.seconds,
            confidence: s.confidence,
            evidence: JSON.stringify(s.evidence),
            created_at: now,
          })),
        )
        .execute();
    }
  }

  async suggestions(fromDay?: string, toDay?: string): Promise<SuggestionRecord[]> {
    let q = this.db.selectFrom("suggestions").selectAll();
    if (fromDay !== undefined) q = q.where("day", ">=", fromDay);
    if (toDay !== undefined) q = q.where("day", "<=", toDay);
    const rows = await q.orderBy("day").orderBy("person_id").orderBy("issue_id").execute();
    return rows.map((r) => ({
      personId: r.person_id,
      day: r.day,
      issueId: r.issue_id,
      seconds: r.seconds,
      confidence: r.confidence,
      evidence: JSON.parse(r.evidence) as Evidence[],
    }));
  }
}
