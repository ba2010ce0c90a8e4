import type { Kysely } from "kysely";
import type { ActivityInput, ActivityKind, ActivityRecord, ActivityText, Source } from "../domain/types.js";
import type { Vault } from "../privacy/vault.js";
import type { Database } from "./schema.js";

export type ActivityRow = ActivityInput & { personId: number; identityId: number };

export interface ActivityQuery {
  from?: number;
  to?: number;
  personId?: number;
  source?: Source;
  kind?: ActivityKind;
  /** Only activities stored after the one with this id. */
  afterId?: number;
}

/** Rows per INSERT statement: well below SQLite's and PostgreSQL's bound-parameter limits at 17 columns a row. */
const INSERT_CHUNK = 200;

const activityTextPlace = (activityId: number, column: string) => ({ table: "activity_texts", column, row: activityId });

export class ActivityRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
  ) {}

  /** Encrypts an activity's texts under its person's key. */
  private async encryptText(activityId: number, personId: number, text: ActivityText) {
    return {
      title: await this.vault.encryptNullable(activityTextPlace(activityId, "title"), text.title, personId),
      body: await this.vault.encryptNullable(activityTextPlace(activityId, "body"), text.body, personId),
      branch: await this.vault.encryptNullable(activityTextPlace(activityId, "branch"), text.branch, personId),
      paths: await this.vault.encryptNullable(activityTextPlace(activityId, "paths"), text.paths, personId),
    };
  }

  /** Replaces the texts of an activity, such as to remove a deleted person's name from them. Returns false when the activity is not stored. */
  async setText(activityId: number, text: ActivityText): Promise<boolean> {
    const activity = await this.db.selectFrom("activities").select("person_id").where("id", "=", activityId).executeTakeFirst();
    if (activity === undefined) return false;
    const encrypted = await this.encryptText(activityId, activity.person_id, text);
    await this.db.deleteFrom("activity_texts").where("activity_id", "=", activityId).execute();
    await this.db.insertInto("activity_texts").values({ activity_id: activityId, ...encrypted }).execute();
    return true;
  }

  /** Insert activities; returns the source ids that were new. Existing source ids are left unchanged. */
  async insert(rows: readonly ActivityRow[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const created = await this.db
        .insertInto("activities")
        .values(chunk.map(toRow))
        .onConflict((oc) => oc.column("source_uid").doNothing())
        .returning(["id", "source_uid"])
        .execute();
      if (created.length === 0) continue;
      const byUid = new Map(chunk.map((r) => [r.sourceUid, r]));
      const texts = [];
      for (const c of created) {
        const row = byUid.get(c.source_uid);
        if (row === undefined) throw new Error(`activity ${c.source_uid} was inserted but is not in the batch`);
        texts.push({ activity_id: c.id, ...(await this.encryptText(c.id, row.personId, row.text)) });
      }
      await this.db.insertInto("activity_texts").values(texts).execute();
      for (const c of created) inserted.add(c.source_uid);
    }
    return inserted;
  }

  async list(query: ActivityQuery = {}): Promise<ActivityRecord[]> {
    let q = this.db.selectFrom("activities").selectAll();
    if (query.from !== undefined) q = q.where("end_at", ">", query.from);
    if (query.to !== undefined) q = q.where("start_at", "<", query.to);
    if (query.personId !== undefined) q = q.where("person_id", "=", query.personId);
    if (query.source !== undefined) q = q.where("source", "=", query.source);
    if (query.kind !== undefined) q = q.where("kind", "=", query.kind);
    if (query.afterId !== undefined) q = q.where("id", ">", query.afterId);
    const rows = await q.orderBy("start_at").orderBy("id").execute();
    return rows.map((r) => ({
      id: r.id,
      source: r.source as Source,
      kind: r.kind as ActivityKind,
      personId: r.person_id,
      startAt: r.start_at,
      endAt: r.end_at,
      tz: r.tz,
      dateOnly: r.date_only === 1,
      localDate: r.local_date,
      localEndDate: r.local_end_date,
      landedAt: r.landed_at,
      repo: r.repo,
      project: r.project,
      machine: r.machine,
      explicitKeys: JSON.parse(r.explicit_keys) as string[],
      metrics: JSON.parse(r.metrics) as ActivityRecord["metrics"],
    }));
  }

  /**
   * Returns the id, person and kind of each activity overlapping the range: the columns
   * aggregate reports need, read without parsing the JSON columns of every row.
   */
  async kinds(query: { from: number; to: number }): Promise<{ id: number; personId: number; kind: ActivityKind }[]> {
    const rows = await this.db
      .selectFrom("activities")
      .select(["id", "person_id", "kind"])
      .where("end_at", ">", query.from)
      .where("start_at", "<", query.to)
      .execute();
    return rows.map((r) => ({ id: r.id, personId: r.person_id, kind: r.kind as ActivityKind }));
  }

  async texts(ids: readonly number[]): Promise<Map<number, ActivityText>> {
    const result = new Map<number, ActivityText>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom("activity_texts")
        .selectAll()
        .where("activity_id", "in", ids.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        const decrypt = async (column: "title" | "body" | "branch" | "paths") => (await this.vault.decryptNullable(activityTextPlace(r.activity_id, column), r[column])) ?? undefined;
        result.set(r.activity_id, { title: await decrypt("title"), body: await decrypt("body"), branch: await decrypt("branch"), paths: await decrypt("paths") });
      }
    }
    return result;
  }

  /** Activity ids by source-unique id, for the given ids that are stored. */
  async idsBySourceUid(uids: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (let i = 0; i < uids.length; i += 500) {
      const rows = await this.db.selectFrom("activities").select(["id", "source_uid"]).where("source_uid", "in", uids.slice(i, i + 500)).execute();
      for (const row of rows) result.set(row.source_uid, row.id);
    }
    return result;
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom("activities").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    return row.n;
  }
}

function toRow(r: ActivityRow) {
  return {
    source_uid: r.sourceUid,
    source: r.source,
    kind: r.kind,
    person_id: r.personId,
    identity_id: r.identityId,
    start_at: r.startAt,
    end_at: r.endAt,
    tz: r.tz,
    date_only: r.dateOnly ? 1 : 0,
    local_date: r.localDate ?? null,
    local_end_date: r.localEndDate ?? null,
    landed_at: r.landedAt ?? null,
    repo: r.repo ?? null,
    project: r.project ?? null,
    machine: r.machine ?? null,
    explicit_keys: JSON.stringify(r.explicitKeys),
    metrics: JSON.stringify(r.metrics ?? {}),
  };
}
