import type { Kysely } from "kysely";
import type { IssueEventKind, IssueEventRecord, IssueInput, IssueRecord } from "../domain/types.js";
import { contentDigest } from "./digest.js";
import type { Database } from "./schema.js";

export type UpsertOutcome = "imported" | "updated" | "duplicate";

export interface IssueText {
  summary: string;
  description: string;
  comments: string;
}

export interface IssueEventRow {
  sourceUid: string;
  issueId: number;
  personId: number | null;
  kind: IssueEventKind;
  at: number;
  tz: string | null;
  field: string | null;
  fromValue: string | null;
  toValue: string | null;
  body: string | null;
}

export interface WorklogRow {
  sourceId: string;
  issueId: number;
  personId: number | null;
  startedAt: number;
  tz: string;
  day: string;
  seconds: number;
  origin: "jira" | "confirmed";
  comment: string | null;
}

/** Source ids of worklogs read from Jira start with this, followed by Jira's worklog id. */
const JIRA_WORKLOG_PREFIX = "jira:worklog:";

/** Jira issues, their events and worklogs. */
export class IssueRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Insert an issue, or update it when the stored copy differs. Issues are matched
   * by Jira id, so a renamed key updates the existing row.
   */
  async upsert(issue: IssueInput, people: { assigneeId: number | null; reporterId: number | null }): Promise<UpsertOutcome> {
    const digest = contentDigest({ issue, people });
    const row = {
      source_id: issue.sourceId,
      key: issue.key,
      project_key: issue.projectKey,
      issue_type: issue.issueType ?? null,
      is_subtask: issue.isSubtask ? 1 : 0,
      parent_key: issue.parentKey ?? null,
      epic_key: issue.epicKey ?? null,
      priority: issue.priority ?? null,
      status: issue.status ?? null,
      status_category: issue.statusCategory ?? null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt ?? null,
      resolved_at: issue.resolvedAt ?? null,
      assignee_id: people.assigneeId,
      reporter_id: people.reporterId,
      content_digest: digest,
    };
    const existing = await this.db
      .selectFrom("issues")
      .select(["id", "content_digest", "updated_at"])
      .where("source_id", "=", issue.sourceId)
      .executeTakeFirst();
    const text = { summary: issue.text.summary, description: issue.text.description, comments: issue.text.comments };

    if (!existing) {
      const inserted = await this.db.insertInto("issues").values(row).returning("id").executeTakeFirstOrThrow();
      await this.db.insertInto("issue_texts").values({ issue_id: inserted.id, ...text }).execute();
      return "imported";
    }
    if (existing.content_digest === digest) return "duplicate";
    // An older copy of an issue (for example from an earlier export) never overwrites a newer one.
    if (existing.updated_at !== null && issue.updatedAt !== undefined && issue.updatedAt < existing.updated_at) {
      return "duplicate";
    }
    await this.db.updateTable("issues").set(row).where("id", "=", existing.id).execute();
    await this.db.updateTable("issue_texts").set(text).where("issue_id", "=", existing.id).execute();
    return "updated";
  }

  async idsByKey(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom("issues").select(["id", "key"]).execute();
    return new Map(rows.map((r) => [r.key, r.id]));
  }

  async insertEvent(event: IssueEventRow): Promise<boolean> {
    const inserted = await this.db
      .insertInto("issue_events")
      .values({
        source_uid: event.sourceUid,
        issue_id: event.issueId,
        person_id: event.personId,
        kind: event.kind,
        at: event.at,
        tz: event.tz,
        field: event.field,
        from_value: event.fromValue,
        to_value: event.toValue,
      })
      .onConflict((oc) => oc.column("source_uid").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return false;
    if (event.body !== null) {
      await this.db.insertInto("issue_event_texts").values({ event_id: inserted.id, body: event.body }).execute();
    }
    return true;
  }

  /**
   * Stores a worklog read from Jira: inserted when new, changed when Jira's copy
   * changed (an edit in Jira wins), else a duplicate. A Jira worklog that worklens
   * wrote back is not stored twice: the confirmed row that stores its id takes the
   * edit instead, so each worklog is counted once.
   */
  async upsertWorklog(worklog: WorklogRow): Promise<"imported" | "updated" | "duplicate"> {
    const remoteId = worklog.sourceId.startsWith(JIRA_WORKLOG_PREFIX) ? worklog.sourceId.slice(JIRA_WORKLOG_PREFIX.length) : undefined;
    const written =
      remoteId === undefined
        ? undefined
        : await this.db.selectFrom("worklogs").select(["id", "issue_id", "started_at", "seconds"]).where("origin", "=", "confirmed").where("remote_id", "=", remoteId).executeTakeFirst();
    const existing = written ?? (await this.db.selectFrom("worklogs").select(["id", "issue_id", "started_at", "seconds"]).where("source_id", "=", worklog.sourceId).executeTakeFirst());

    if (existing === undefined) {
      const inserted = await this.db
        .insertInto("worklogs")
        .values({
          source_id: worklog.sourceId,
          issue_id: worklog.issueId,
          person_id: worklog.personId,
          started_at: worklog.startedAt,
          tz: worklog.tz,
          day: worklog.day,
          seconds: worklog.seconds,
          origin: worklog.origin,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      if (worklog.comment !== null) await this.db.insertInto("worklog_texts").values({ worklog_id: inserted.id, comment: worklog.comment }).execute();
      return "imported";
    }

    const text = await this.db.selectFrom("worklog_texts").select("comment").where("worklog_id", "=", existing.id).executeTakeFirst();
    const same = existing.issue_id === worklog.issueId && existing.started_at === worklog.startedAt && existing.seconds === worklog.seconds && (text?.comment ?? null) === worklog.comment;
    if (same) return "duplicate";

    // A confirmed row keeps its zone and person, and only the fields Jira has change.
    await this.db
      .updateTable("worklogs")
      .set(written === undefined ? { issue_id: worklog.issueId, person_id: worklog.personId, started_at: worklog.startedAt, tz: worklog.tz, day: worklog.day, seconds: worklog.seconds } : { issue_id: worklog.issueId, started_at: worklog.startedAt, day: worklog.day, seconds: worklog.seconds })
      .where("id", "=", existing.id)
      .execute();
    await this.db.deleteFrom("worklog_texts").where("worklog_id", "=", existing.id).execute();
    if (worklog.comment !== null) await this.db.insertInto("worklog_texts").values({ worklog_id: existing.id, comment: worklog.comment }).execute();
    return "updated";
  }

  async list(): Promise<IssueRecord[]> {
    const rows = await this.db.selectFrom("issues").selectAll().orderBy("id").execute();
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      projectKey: r.project_key,
      issueType: r.issue_type,
      isSubtask: r.is_subtask === 1,
      parentKey: r.parent_key,
      epicKey: r.epic_key,
      priority: r.priority,
      status: r.status,
      statusCategory: r.status_category,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      resolvedAt: r.resolved_at,
      assigneeId: r.assignee_id,
      reporterId: r.reporter_id,
    }));
  }

  async texts(): Promise<Map<number, IssueText>> {
    const rows = await this.db.selectFrom("issue_texts").selectAll().execute();
    return new Map(rows.map((r) => [r.issue_id, { summary: r.summary, description: r.description, comments: r.comments }]));
  }

  async events(): Promise<IssueEventRecord[]> {
    const rows = await this.db.selectFrom("issue_events").selectAll().orderBy("at").execute();
    return rows.map((r) => ({
      id: r.id,
      issueId: r.issue_id,
      personId: r.person_id,
      kind: r.kind as IssueEventKind,
      at: r.at,
      field: r.field,
      fromValue: r.from_value,
      toValue: r.to_value,
    }));
  }

  async worklogs(): Promise<WorklogRow[]> {
    const rows = await this.db
      .selectFrom("worklogs")
      .leftJoin("worklog_texts", "worklog_texts.worklog_id", "worklogs.id")
      .selectAll("worklogs")
      .select("worklog_texts.comment")
      .orderBy("worklogs.started_at")
      .execute();
    return rows.map((r) => ({
      sourceId: r.source_id,
      issueId: r.issue_id,
      personId: r.person_id,
      startedAt: r.started_at,
      tz: r.tz,
      day: r.day,
      seconds: r.seconds,
      origin: r.origin === "confirmed" ? "confirmed" : "jira",
      comment: r.comment,
    }));
  }
}
