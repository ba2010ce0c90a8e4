import { projectOf } from "../../domain/issue-keys.js";
import type { ActivityInput, IdentityInput, IssueInput } from "../../domain/types.js";
import { applyEventPolicy, applyIssuePolicy } from "../../privacy/collection.js";
import { getCollectionPolicy } from "../../store/privacy-settings.js";
import type { PeopleRepository } from "../../store/people-repository.js";
import type { Repositories } from "../../store/store.js";
import { writeActivities } from "../import-activities.js";
import type { SkippedRecord } from "../parse-result.js";
import { issueAction } from "./actions.js";
import type { IssueRef, JiraRecord } from "./records.js";
import { issueKeysBySourceId } from "./store-lookup.js";

/** New, changed and unchanged rows of one Jira import, per kind. */
export interface JiraImportCounts {
  issues: { imported: number; updated: number; duplicate: number };
  events: { imported: number; duplicate: number };
  worklogs: { imported: number; updated: number; duplicate: number };
  /** issue_action activities derived from events with a known actor. */
  actions: { imported: number; duplicate: number };
}

/** Counts of one write, and the events and worklogs skipped because their issue is not stored. */
export type JiraWriteResult = JiraImportCounts & { skipped: SkippedRecord[] };

type EventRecord = Extract<JiraRecord, { kind: "event" }>;
type WorklogRecord = Extract<JiraRecord, { kind: "worklog" }>;

/**
 * Writes Jira records through repositories of the caller's open transaction: issues
 * are upserted by Jira id, events and worklogs are inserted by their stable source
 * ids, and each event with a known actor also becomes an issue_action activity.
 * Events and worklogs whose issue is neither in `records` nor stored are skipped with a reason.
 */
export async function writeJiraRecords(tx: Repositories, records: readonly JiraRecord[]): Promise<JiraWriteResult> {
  const counts: JiraImportCounts = {
    issues: { imported: 0, updated: 0, duplicate: 0 },
    events: { imported: 0, duplicate: 0 },
    worklogs: { imported: 0, updated: 0, duplicate: 0 },
    actions: { imported: 0, duplicate: 0 },
  };
  const actions: ActivityInput[] = [];
  const people = new IdentityCache(tx.people);
  // The collection policy drops the text fields it does not allow; issue keys are structured fields and stay.
  const policy = await getCollectionPolicy(tx);

  const issues = records.filter((r): r is Extract<JiraRecord, { kind: "issue" }> => r.kind === "issue").map((r) => r.issue);
  for (const issue of issues) {
    const outcome = await tx.issues.upsert(applyIssuePolicy(policy, issue), {
      assigneeId: await people.personId(issue.assignee),
      reporterId: await people.personId(issue.reporter),
    });
    counts.issues[outcome] += 1;
  }

  const resolver = await IssueResolver.create(tx, issues);
  const events = records.filter((r): r is EventRecord => r.kind === "event");
  for (const record of events) {
    const issueId = resolver.idOf({ key: record.event.issueKey }, "events");
    if (issueId === undefined) continue;
    const { event } = record;
    const text = applyEventPolicy(policy, event.field, { body: event.body ?? null, fromValue: event.fromValue ?? null, toValue: event.toValue ?? null });
    const inserted = await tx.issues.insertEvent({
      sourceUid: event.sourceUid,
      issueId,
      personId: await people.personId(event.actor),
      kind: event.kind,
      at: event.at,
      tz: event.tz ?? null,
      field: event.field ?? null,
      fromValue: text.fromValue,
      toValue: text.toValue,
      body: text.body,
    });
    counts.events[inserted ? "imported" : "duplicate"] += 1;
    const actor = event.actor;
    if (actor !== undefined) actions.push(issueAction({ ...event, actor }, resolver.projectOf(event.issueKey)));
  }

  const worklogs = records.filter((r): r is WorklogRecord => r.kind === "worklog");
  await resolver.learnSourceIds(worklogs.map((r) => r.issue));
  for (const record of worklogs) {
    const issueId = resolver.idOf(record.issue, "worklogs");
    if (issueId === undefined) continue;
    const { worklog } = record;
    const outcome = await tx.issues.upsertWorklog({
      sourceId: worklog.sourceId,
      issueId,
      personId: await people.personId(worklog.author),
      startedAt: worklog.startedAt,
      tz: worklog.tz,
      day: worklog.day,
      seconds: worklog.seconds,
      origin: "jira",
      comment: policy.jira.worklogComments ? (worklog.comment ?? null) : null,
    });
    counts.worklogs[outcome] += 1;
  }

  await writeActivities(tx, uniqueBySourceUid(actions), counts.actions);

  return { ...counts, skipped: resolver.unresolvedReasons() };
}

/** Resolves each Jira identity to a person once per import. */
class IdentityCache {
  private readonly known = new Map<string, number>();

  constructor(private readonly people: PeopleRepository) {}

  async personId(identity: IdentityInput | undefined): Promise<number | null> {
    if (identity === undefined) return null;
    const lookup = identity.externalId.trim().toLowerCase();
    const cached = this.known.get(lookup);
    if (cached !== undefined) return cached;
    const { personId } = await this.people.resolve(identity);
    this.known.set(lookup, personId);
    return personId;
  }
}

/**
 * Finds the stored issue of an event or worklog, by key or by Jira issue id, and
 * counts the records whose issue is not stored, per issue.
 */
class IssueResolver {
  private readonly keyBySourceId = new Map<string, string>();
  private readonly projectByKey = new Map<string, string>();
  private readonly unresolved = new Map<string, { events: number; worklogs: number }>();

  private constructor(
    private readonly tx: Repositories,
    private readonly idByKey: Map<string, number>,
    issues: readonly IssueInput[],
  ) {
    for (const issue of issues) {
      this.keyBySourceId.set(issue.sourceId, issue.key);
      this.projectByKey.set(issue.key, issue.projectKey);
    }
  }

  static async create(tx: Repositories, issues: readonly IssueInput[]): Promise<IssueResolver> {
    return new IssueResolver(tx, await tx.issues.idsByKey(), issues);
  }

  /** Looks up the keys of issues named only by Jira id, among those stored earlier. */
  async learnSourceIds(refs: readonly IssueRef[]): Promise<void> {
    const missing = new Set<string>();
    for (const ref of refs) if ("sourceId" in ref && !this.keyBySourceId.has(ref.sourceId)) missing.add(ref.sourceId);
    for (const [sourceId, key] of await issueKeysBySourceId(this.tx, [...missing])) this.keyBySourceId.set(sourceId, key);
  }

  /** Returns the stored issue's row id, or undefined (and counts the record) when the issue is not stored. */
  idOf(ref: IssueRef, kind: "events" | "worklogs"): number | undefined {
    const key = "key" in ref ? ref.key : this.keyBySourceId.get(ref.sourceId);
    const id = key === undefined ? undefined : this.idByKey.get(key);
    if (id === undefined) {
      const label = key ?? `issue id ${"sourceId" in ref ? ref.sourceId : ""}`;
      const tally = this.unresolved.get(label) ?? { events: 0, worklogs: 0 };
      tally[kind] += 1;
      this.unresolved.set(label, tally);
    }
    return id;
  }

  projectOf(key: string): string {
    return this.projectByKey.get(key) ?? projectOf(key);
  }

  unresolvedReasons(): { record: string; reason: string }[] {
    return [...this.unresolved].map(([label, tally]) => ({
      record: label,
      reason:
        `${describeTally(tally)} for ${label}, which is not stored: import that issue first ` +
        "(a search page or /rest/api/3/issue/KEY with its fields), then import this file again",
    }));
  }
}

function describeTally(tally: { events: number; worklogs: number }): string {
  const parts: string[] = [];
  if (tally.events > 0) parts.push(`${tally.events} event${tally.events === 1 ? "" : "s"}`);
  if (tally.worklogs > 0) parts.push(`${tally.worklogs} worklog${tally.worklogs === 1 ? "" : "s"}`);
  return `skipped ${parts.join(" and ")}`;
}

/** Activities with distinct source ids: an event repeated within one file yields one action. */
function uniqueBySourceUid(activities: readonly ActivityInput[]): ActivityInput[] {
  return [...new Map(activities.map((a) => [a.sourceUid, a])).values()];
}
