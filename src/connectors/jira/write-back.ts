import { WorklensError } from "../../domain/errors.js";
import { resolveZone } from "../../domain/time.js";
import type { Repositories, Store } from "../../store/store.js";
import type { WorklogEntry } from "../../store/worklog-repository.js";
import type { HttpClient } from "../http/client.js";
import type { JiraFlavor } from "./flavor.js";
import { requireWriteBackClient } from "./write-back-client.js";
import { describeFailure, failureOf, type Failure } from "./write-back-failure.js";
import { findExisting, listRemoteWorklogs, postWorklog, type JiraUserRef, type MatchKind } from "./write-back-jira.js";

export { createWriteBackClient } from "./write-back-client.js";
export { DEFAULT_COMMENT, MARKER_PROPERTY } from "./write-back-jira.js";
export { RETRY_DELAYS_MS } from "./write-back-failure.js";

/** Lease of one attempt on a worklog: well above the HTTP client's time limit times its retries. */
const CLAIM_LEASE_MS = 10 * 60_000;

export interface WriteBackOptions {
  flavor: JiraFlavor;
  /** Id of the confirmed worklog in the store. */
  worklogId: number;
  now?: () => number;
  /** The person's Jira user id: Cloud accountId, or Data Center user key or name. Defaults to their first stored Jira identity. */
  accountId?: string | undefined;
  /** The person's Data Center user name, when it differs from `accountId`. */
  personName?: string | undefined;
}

export interface WriteBackDueOptions {
  flavor: JiraFlavor;
  /** Name under which the run is recorded in sync_runs, such as the Jira integration's name. */
  integration: string;
  now?: () => number;
  /** Maximum number of worklogs written in this run, 100 when undefined (the store's default). */
  limit?: number | undefined;
}

/** Outcome of writing one worklog. */
export type WriteBackOutcome =
  | { status: "written"; worklogId: number; remoteId: string }
  | { status: "already-in-jira"; worklogId: number; remoteId: string; matchedBy: MatchKind }
  | { status: "failed"; worklogId: number; error: string; retryAt: number | undefined }
  | { status: "skipped"; worklogId: number; reason: string };

export interface WriteBackFailure {
  worklogId: number;
  error: string;
  /** Epoch milliseconds of the next automatic attempt, or undefined when only a person's retry starts one. */
  retryAt: number | undefined;
}

export interface WriteBackReport {
  /** Worklogs posted to Jira in this run. */
  written: number;
  /** Worklogs found in Jira already (our marker, or the same start and duration) and adopted without a POST. */
  alreadyInJira: number;
  failed: WriteBackFailure[];
  /** Worklogs that were due when the run started but not by the time they were read, such as one written by a concurrent run. */
  skipped: { worklogId: number; reason: string }[];
}

/**
 * Writes one confirmed worklog to Jira unless Jira has it already. It reads every
 * worklog of the issue first: one that carries our marker property (left by an
 * earlier POST whose response was lost), or one with the same start minute and
 * seconds, is adopted without a POST. A failure is recorded on the worklog with the
 * time of the next attempt. Skips worklogs that are not confirmed, already written,
 * or failed and not yet due.
 */
export async function writeBackWorklog(store: Store, client: HttpClient, options: WriteBackOptions): Promise<WriteBackOutcome> {
  requireWriteBackClient(client);
  const now = options.now ?? Date.now;
  const entry = await store.worklogs.get(options.worklogId);
  if (entry === undefined) return { status: "skipped", worklogId: options.worklogId, reason: "not found in the store" };

  const stored = entry.personId === null ? undefined : (await jiraAccounts(store)).get(entry.personId);
  const user = { accountId: options.accountId ?? stored, personName: options.personName };
  return writeEntry(store, client, entry, { flavor: options.flavor, now, user });
}

/**
 * Writes every confirmed worklog whose write-back is due, oldest first, and records
 * the run in sync_runs with kind "write-back". A failed worklog does not stop the
 * run. The run is recorded as failed when any worklog failed, with the first error.
 * Throws only on an unexpected error, such as a store failure, after recording it.
 */
export async function writeBackDue(store: Store, client: HttpClient, options: WriteBackDueOptions): Promise<WriteBackReport> {
  requireWriteBackClient(client);
  const now = options.now ?? Date.now;
  const report: WriteBackReport = { written: 0, alreadyInJira: 0, failed: [], skipped: [] };
  const runId = await store.syncRuns.start(options.integration, "write-back", now());

  let attempted = 0;
  try {
    const due = await store.worklogs.dueForWriteBack(now(), options.limit);
    const accounts = await jiraAccounts(store);
    for (const id of due) {
      const entry = await store.worklogs.get(id);
      if (entry === undefined) {
        addOutcome(report, { status: "skipped", worklogId: id, reason: "deleted after the run started" });
        continue;
      }
      const accountId = entry.personId === null ? undefined : accounts.get(entry.personId);
      const outcome = await writeEntry(store, client, entry, { flavor: options.flavor, now, user: { accountId } });
      if (outcome.status !== "skipped") attempted += 1;
      addOutcome(report, outcome);
    }
  } catch (error) {
    const message = error instanceof WorklensError ? error.message : "write-back stopped on an unexpected error";
    await store.syncRuns.finish(runId, { status: "failed", error: message, summary: report }, now());
    throw error;
  }

  const first = report.failed[0];
  if (first === undefined) {
    await store.syncRuns.finish(runId, { status: "succeeded", summary: report }, now());
  } else {
    const error = `${report.failed.length} of ${attempted} worklogs failed; first: ${first.error}`;
    await store.syncRuns.finish(runId, { status: "failed", error, summary: report }, now());
  }
  return report;
}

interface EntryContext {
  flavor: JiraFlavor;
  now: () => number;
  user: JiraUserRef;
}

async function writeEntry(store: Store, client: HttpClient, entry: WorklogEntry, context: EntryContext): Promise<WriteBackOutcome> {
  const skip = skipReason(entry, context.now());
  if (skip !== undefined) return { status: "skipped", worklogId: entry.id, reason: skip };
  if (!(await store.worklogs.claimForWriteBack(entry.id, context.now(), CLAIM_LEASE_MS))) {
    return { status: "skipped", worklogId: entry.id, reason: "another write-back run holds it" };
  }
  if (resolveZone(entry.tz) === undefined) {
    return recordFailure(store, entry, { reason: `zone "${entry.tz}" is not a time zone, so started cannot be written`, permanent: true }, context.now());
  }

  try {
    const remote = await listRemoteWorklogs(client, context.flavor, entry.issueKey);
    const existing = findExisting(entry, remote, await claimedRemoteIds(store, entry), context.user);
    if (existing !== undefined) {
      await store.worklogs.markWritten(entry.id, existing.id, context.now());
      return { status: "already-in-jira", worklogId: entry.id, remoteId: existing.id, matchedBy: existing.kind };
    }

    const remoteId = await postWorklog(client, context.flavor, entry);
    if (remoteId === undefined) {
      // Jira stored the worklog but its id is unreadable, so the next run adopts it by its marker.
      return await recordFailure(store, entry, { reason: "Jira accepted the worklog but returned no worklog id", permanent: false }, context.now());
    }
    await store.worklogs.markWritten(entry.id, remoteId, context.now());
    return { status: "written", worklogId: entry.id, remoteId };
  } catch (error) {
    if (!(error instanceof WorklensError)) throw error;
    return recordFailure(store, entry, failureOf(error), context.now());
  }
}

/** Returns why a worklog is not written now, or undefined when it is due. */
function skipReason(entry: WorklogEntry, now: number): string | undefined {
  if (entry.origin !== "confirmed") return "imported from Jira, not confirmed in worklens";
  if (entry.writeBack === "written") return "already written to Jira";
  if (entry.writeBack === "sending" && entry.nextAttemptAt !== null && entry.nextAttemptAt > now) return "another write-back run holds it";
  if (entry.writeBack === "failed" && entry.nextAttemptAt === null) return "failed and not retried until a person retries it";
  if (entry.writeBack === "failed" && entry.nextAttemptAt !== null && entry.nextAttemptAt > now) return `failed; next attempt at ${new Date(entry.nextAttemptAt).toISOString()}`;
  if (entry.writeBack === null) return "has no write-back state";
  return undefined;
}

async function recordFailure(store: Store, entry: WorklogEntry, failure: Failure, now: number): Promise<WriteBackOutcome> {
  const { error, retryAt } = describeFailure(entry, failure, now);
  await store.worklogs.markFailed(entry.id, error, retryAt);
  return { status: "failed", worklogId: entry.id, error, retryAt };
}

/** Jira worklog ids that other confirmed worklogs of nearby days adopted, so two of ours never share one. */
async function claimedRemoteIds(store: Repositories, entry: WorklogEntry): Promise<Set<string>> {
  // Days are local to each worklog's zone, so the same instant can fall on the day before or after.
  const nearby = await store.worklogs.list({ origin: "confirmed", from: shiftDay(entry.day, -1), to: shiftDay(entry.day, 1) });
  return new Set(nearby.flatMap((w) => (w.id !== entry.id && w.remoteId !== null ? [w.remoteId] : [])));
}

function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Maps each person to their first Jira identity, the author id Jira shows on their worklogs. */
async function jiraAccounts(store: Repositories): Promise<Map<number, string>> {
  const accounts = new Map<number, string>();
  for (const person of await store.people.list()) {
    const identity = person.identities.find((i) => i.source === "jira");
    if (identity !== undefined) accounts.set(person.id, identity.externalId);
  }
  return accounts;
}

function addOutcome(report: WriteBackReport, outcome: WriteBackOutcome): void {
  if (outcome.status === "written") report.written += 1;
  else if (outcome.status === "already-in-jira") report.alreadyInJira += 1;
  else if (outcome.status === "failed") report.failed.push({ worklogId: outcome.worklogId, error: outcome.error, retryAt: outcome.retryAt });
  else report.skipped.push({ worklogId: outcome.worklogId, reason: outcome.reason });
}
