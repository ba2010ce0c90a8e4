import type { Kysely } from "kysely";
import type { IssueEventKind, IssueEventRecord, IssueInput, IssueRecord } from "../domain/types.js";
import type { Vault } from "../privacy/vault.js";
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

const issueTextPlace = (issueId: number, column: string) => ({ table: "issue_texts", column, row: issueId });
const eventTextPlace = (eventId: number) => ({ table: "issue_event_texts", column: "body", row: eventId });
/** Place of a field change's old or new value, keyed by the event's source uid because the row id is not known before the insert. */
export const eventValuePlace = (sourceUid: string, column: "from_value" | "to_value") => ({ table: "issue_events", column, row: sourceUid });
export const worklogTextPlace = (worklogId: number) => ({ table: "worklog_texts", column: "comment", row: worklogId });

/** Jira issues, their events and worklogs. */
export class IssueRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
    private readonly lookupKey: () => Promise<Buffer>,
  ) {}

  /** Encrypts an issue's texts under the tenant data key. */
  private async encryptIssueText(issueId: number, text: IssueText): Promise<IssueText> {
    return {
      summary: await this.vault.encryptText(issueTextPlace(issueId, "summary"), text.summary, null),
      description: await this.vault.encryptText(issueTextPlace(issueId, "description"), text.description, null),
      comments: await this.vault.encryptText(issueTextPlace(issueId, "comments"), text.comments, null),
    };
  }

  /** Replaces the texts of an issue, such as to remove a deleted person's name from them. Returns false when the issue has none. */
  async setText(issueId: number, text: IssueText): Promise<boolean> {
    const updated = await this.db.updateTable("issue_texts").set(await this.encryptIssueText(issueId, text)).where("issue_id", "=", issueId).executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /**
   * Insert an issue, or update it when the stored copy differs. Issues are matched
   * by Jira id, so a renamed key updates the existing row.
   */
  async upsert(issue: IssueInput, people: { assigneeId: number | null; reporterId: number | null }): Promise<UpsertOutcome> {
    const digest = contentDigest(await this.lookupKey(), { issue, people });
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
      labels: JSON.stringify(issue.labels ?? []),
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
      await this.db.insertInto("issue_texts").values({ issue_id: inserted.id, ...(await this.encryptIssueText(inserted.id, text)) }).execute();
      return "imported";
    }
    if (existing.content_digest === digest) return "duplicate";
    // An older copy of an issue (for example from an earlier export) never overwrites a newer one.
    if (existing.updated_at !== null && issue.updatedAt !== undefined && issue.updatedAt < existing.updated_at) {
      return "duplicate";
    }
    await this.db.updateTable("issues").set(row).where("id", "=", existing.id).execute();
    await this.db.updateTable("issue_texts").set(await this.encryptIssueText(existing.id, text)).where("issue_id", "=", existing.id).execute();
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
        from_value: event.fromValue === null ? null : await this.vault.encryptText(eventValuePlace(event.sourceUid, "from_value"), event.fromValue, null),
        to_value: event.toValue === null ? null : await this.vault.encryptText(eventValuePlace(event.sourceUid, "to_value"), event.toValue, null),
      })
      .onConflict((oc) => oc.column("source_uid").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return false;
    if (event.body !== null) {
      await this.db.insertInto("issue_event_texts").values({ event_id: inserted.id, body: await this.vault.encryptText(eventTextPlace(inserted.id), event.body, event.personId) }).execute();
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
        : await this.db.selectFrom("worklogs").select(["id", "issue_id", "started_at", "seconds", "person_id"]).where("origin", "=", "confirmed").where("remote_id", "=", remoteId).executeTakeFirst();
    const existing = written ?? (await this.db.selectFrom("worklogs").select(["id", "issue_id", "started_at", "seconds", "person_id"]).where("source_id", "=", worklog.sourceId).executeTakeFirst());

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
      if (worklog.comment !== null) {
        await this.db.insertInto("worklog_texts").values({ worklog_id: inserted.id, comment: await this.vault.encryptText(worklogTextPlace(inserted.id), worklog.comment, worklog.personId) }).execute();
      }
      return "imported";
    }

    const text = await this.db.selectFrom("worklog_texts").select("comment").where("worklog_id", "=", existing.id).executeTakeFirst();
    const comment = text === undefined ? null : await this.vault.decryptText(worklogTextPlace(existing.id), text.comment);
    const same = existing.issue_id === worklog.issueId && existing.started_at === worklog.startedAt && existing.seconds === worklog.seconds && comment === worklog.comment;
    if (same) return "duplicate";

    // A confirmed row keeps its zone and person, and only the fields Jira has change.
    await this.db
      .updateTable("worklogs")
      .set(written === undefined ? { issue_id: worklog.issueId, person_id: worklog.personId, started_at: worklog.startedAt, tz: worklog.tz, day: worklog.day, seconds: worklog.seconds } : { issue_id: worklog.issueId, started_at: worklog.startedAt, day: worklog.day, seconds: worklog.seconds })
      .where("id", "=", existing.id)
      .execute();
    await this.db.deleteFrom("worklog_texts").where("worklog_id", "=", existing.id).execute();
    const owner = written === undefined ? worklog.personId : existing.person_id;
    if (worklog.comment !== null) {
      await this.db.insertInto("worklog_texts").values({ worklog_id: existing.id, comment: await this.vault.encryptText(worklogTextPlace(existing.id), worklog.comment, owner) }).execute();
    }
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
      labels: parseLabels(r.key, r.labels),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      resolvedAt: r.resolved_at,
      assigneeId: r.assignee_id,
      reporterId: r.reporter_id,
    }));
  }

  async texts(): Promise<Map<number, IssueText>> {
    const rows = await this.db.selectFrom("issue_texts").selectAll().execute();
    const texts = new Map<number, IssueText>();
    for (const r of rows) {
      texts.set(r.issue_id, {
        summary: await this.vault.decryptText(issueTextPlace(r.issue_id, "summary"), r.summary),
        description: await this.vault.decryptText(issueTextPlace(r.issue_id, "description"), r.description),
        comments: await this.vault.decryptText(issueTextPlace(r.issue_id, "comments"), r.comments),
      });
    }
    return texts;
  }

  async events(): Promise<IssueEventRecord[]> {
    const rows = await this.db.selectFrom("issue_events").selectAll().orderBy("at").execute();
    const events: IssueEventRecord[] = [];
    for (const r of rows) {
      events.push({
        id: r.id,
        issueId: r.issue_id,
        personId: r.person_id,
        kind: r.kind as IssueEventKind,
        at: r.at,
        field: r.field,
        fromValue: r.from_value === null ? null : await this.vault.decryptText(eventValuePlace(r.source_uid, "from_value"), r.from_value),
        toValue: r.to_value === null ? null : await this.vault.decryptText(eventValuePlace(r.source_uid, "to_value"), r.to_value),
      });
    }
    return events;
  }

  async worklogs(): Promise<WorklogRow[]> {
    const rows = await this.db
      .selectFrom("worklogs")
      .leftJoin("worklog_texts", "worklog_texts.worklog_id", "worklogs.id")
      .selectAll("worklogs")
      .select("worklog_texts.comment")
      .orderBy("worklogs.started_at")
      .execute();
    const comments = new Map<number, string>();
    for (const r of rows) if (r.comment !== null) comments.set(r.id, await this.vault.decryptText(worklogTextPlace(r.id), r.comment));
    return rows.map((r) => ({
      sourceId: r.source_id,
      issueId: r.issue_id,
      personId: r.person_id,
      startedAt: r.started_at,
      tz: r.tz,
      day: r.day,
      seconds: r.seconds,
      origin: r.origin === "confirmed" ? "confirmed" : "jira",
      comment: comments.get(r.id) ?? null,
    }));
  }
}

/** Reads the labels column, which upsert writes with JSON.stringify; any other content means a damaged row. */
function parseLabels(issueKey: string, text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((label) => typeof label === "string")) {
    throw new Error(`issue ${issueKey}: the labels column is not a JSON array of strings`);
  }
  return parsed;
}
