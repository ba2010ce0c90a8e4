import { projectOf } from "../../domain/issue-keys.js";
import type { ActivityInput, IdentityInput, ImportReport, IssueInput } from "../../domain/types.js";
import type { PeopleRepository } from "../../store/people-repository.js";
import type { Repositories, Store } from "../../store/store.js";
import { writeActivities } from "../import-activities.js";
import { readInputFile } from "../read-input.js";
import { issueAction } from "./actions.js";
import { parseJira } from "./parse.js";
import type { IssueRef, JiraRecord } from "./records.js";
import { issueKeysBySourceId } from "./store-lookup.js";

/** New, changed and unchanged rows of one Jira import, per kind. */
export interface JiraImportCounts {
  issues: { imported: number; updated: number; duplicate: number };
  events: { imported: number; duplicate: number };
  worklogs: { imported: number; duplicate: number };
  /** issue_action activities derived from events with a known actor. */
  actions: { imported: number; duplicate: number };
}

/** An ImportReport whose `imported` and `duplicate` add up every kind; `counts` splits them. */
export interface JiraImportReport extends ImportReport {
  counts: JiraImportCounts;
}

type EventRecord = Extract<JiraRecord, { kind: "event" }>;
type WorklogRecord = Extract<JiraRecord, { kind: "worklog" }>;

/**
 * Imports a Jira REST JSON file (see parseJira for the shapes) into the store: issues
 * are upserted by Jira id, events and worklogs are inserted by their stable source
 * ids, so a re-import adds nothing. Events and worklogs attach to issues stored now
 * or earlier; those whose issue is unknown are skipped with a reason. Each event with
 * a known actor also becomes an issue_action activity. Everything is written in one
 * transaction, so a failure leaves the store as it was.
 */
export async function importJira(store: Store, file: string, options: { issueKey?: string | undefined } = {}): Promise<JiraImportReport> {
  const parsed = parseJira(await readInputFile(file, "Jira JSON file"), { file, issueKey: options.issueKey });
  const counts: JiraImportCounts = {
    issues: { imported: 0, updated: 0, duplicate: 0 },
    events: { imported: 0, duplicate: 0 },
    worklogs: { imported: 0, duplicate: 0 },
    actions: { imported: 0, duplicate: 0 },
  };
  const skipped = [...parsed.skipped];
  const actions: ActivityInput[] = [];

  await store.transaction(async (tx) => {
    const people = new IdentityCache(tx.people);
    const issues = parsed.records.filter((r): r is Extract<JiraRecord, { kind: "issue" }> => r.kind === "issue").map((r) => r.issue);
    for (const issue of issues) {
      const outcome = await tx.issues.upsert(issue, {
        assigneeId: await people.personId(issue.assignee),
        reporterId: await people.personId(issue.reporter),
      });
      counts.issues[outcome] += 1;
    }

    const resolver = await IssueResolver.create(tx, issues);
    const events = parsed.records.filter((r): r is EventRecord => r.kind === "event");
    for (const record of events) {
      const issueId = resolver.idOf({ key: record.event.issueKey }, "events");
      if (issueId === undefined) continue;
      const { event } = record;
      const inserted = await tx.issues.insertEvent({
        sourceUid: event.sourceUid,
        issueId,
        personId: await people.personId(event.actor),
        kind: event.kind,
        at: event.at,
        tz: event.tz ?? null,
        field: event.field ?? null,
        fromValue: event.fromValue ?? null,
        toValue: event.toValue ?? null,
        body: event.body ?? null,
      });
      counts.events[inserted ? "imported" : "duplicate"] += 1;
      const actor = event.actor;
      if (actor !== undefined) actions.push(issueAction({ ...event, actor }, resolver.projectOf(event.issueKey)));
    }

    const worklogs = parsed.records.filter((r): r is WorklogRecord => r.kind === "worklog");
    await resolver.learnSourceIds(worklogs.map((r) => r.issue));
    for (const record of worklogs) {
      const issueId = resolver.idOf(record.issue, "worklogs");
      if (issueId === undefined) continue;
      const { worklog } = record;
      const inserted = await tx.issues.insertWorklog({
        sourceId: worklog.sourceId,
        issueId,
        personId: await people.personId(worklog.author),
        startedAt: worklog.startedAt,
        tz: worklog.tz,
        day: worklog.day,
        seconds: worklog.seconds,
        origin: "jira",
        comment: worklog.comment ?? null,
      });
      counts.worklogs[inserted ? "imported" : "duplicate"] += 1;
    }
    skipped.push(...resolver.unresolvedReasons());
    await writeActivities(tx, uniqueBySourceUid(actions), counts.actions);
  });

  return {
    source: "jira",
    file,
    imported: counts.issues.imported + counts.events.imported + counts.worklogs.imported + counts.actions.imported,
    duplicate: counts.issues.duplicate + counts.events.duplicate + counts.worklogs.duplicate + counts.actions.duplicate,
    skipped,
    warnings: [...parsed.warnings],
    details: [summarize(counts)],
    counts,
  };
}

function summarize(counts: JiraImportCounts): string {
  const pair = (c: { imported: number; duplicate: number }): string => `${c.imported} new, ${c.duplicate} unchanged`;
  return (
    `issues: ${counts.issues.imported} new, ${counts.issues.updated} updated, ${counts.issues.duplicate} unchanged; ` +
    `events: ${pair(counts.events)}; worklogs: ${pair(counts.worklogs)}; issue actions: ${pair(counts.actions)}`
  );
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
