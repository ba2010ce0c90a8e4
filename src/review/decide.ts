import { DateTime } from "luxon";
import { WorklensError } from "../domain/errors.js";
import { dayOf, resolveZone } from "../domain/time.js";
import type { SuggestionRecord } from "../domain/types.js";
import type { ReviewRecord } from "../store/review-repository.js";
import type { Repositories, Store } from "../store/store.js";
import type { WeekReviewRecord } from "../store/week-review-repository.js";
import { lockedWeeksOf, requireUnlockedWeek, WeekLockedError } from "./weeks.js";

/** Jira rejects worklogs under one minute, and a day has at most 24 hours. */
export const MIN_WORKLOG_SECONDS = 60;
export const MAX_WORKLOG_SECONDS = 24 * 3600;
/** Local start hour of a worklog when its evidence carries no time. */
const DEFAULT_START_HOUR = 9;

/** Key of the suggestion a decision is about, as suggestion rows are keyed. */
export interface SuggestionRef {
  personId: number;
  day: string;
  /** Null for unlinked time, which needs `change.issueKey` to be accepted. */
  issueId: number | null;
}

/** Changes a person made before accepting. With every field absent, the accept is plain. */
export interface SuggestionChange {
  seconds?: number | undefined;
  /** Another issue to log the time on, by key. */
  issueKey?: string | undefined;
  comment?: string | undefined;
  /** Start instant in epoch milliseconds; it must fall on the suggestion's day. */
  startedAt?: number | undefined;
}

export interface Decider {
  /** "person:<id>" or "admin", stored with the decision. */
  decidedBy: string;
  now: number;
}

export interface AcceptOutcome {
  review: ReviewRecord;
  worklogId: number;
}

/**
 * Accepts a suggestion, with or without changes: stores the decision and a confirmed
 * worklog waiting for write-back, in one transaction. A changed suggestion is stored
 * as "edited", so the difference between the model's suggestion and the person's worklog is a
 * training label. Like every decision, it raises WeekLockedError while the person's week
 * of that day is submitted or approved.
 */
export async function acceptSuggestion(store: Store, ref: SuggestionRef, change: SuggestionChange, by: Decider): Promise<AcceptOutcome> {
  return store.transaction((tx) => acceptInTransaction(tx, ref, change, by));
}

/** Accepts a suggestion as acceptSuggestion does, within the caller's transaction. */
export async function acceptInTransaction(tx: Repositories, ref: SuggestionRef, change: SuggestionChange, by: Decider): Promise<AcceptOutcome> {
  await requireUnlockedWeek(tx, ref.personId, ref.day);
  const suggestion = await requireUndecided(tx, ref);
  const target = await targetIssue(tx, suggestion, change.issueKey);
  const seconds = change.seconds ?? suggestion.seconds;
  checkSeconds(seconds);
  const tz = await personZone(tx, ref.personId);
  const startedAt = change.startedAt ?? defaultStart(suggestion, tz);
  if (dayOf(startedAt, tz) !== ref.day) {
    throw new WorklensError("USAGE", `startedAt falls on ${dayOf(startedAt, tz)} in ${tz}, not on the suggestion's day ${ref.day}`, "pass a start time on the day of the suggestion, or leave it out");
  }
  const edited =
    (change.seconds !== undefined && change.seconds !== suggestion.seconds) ||
    target !== suggestion.issueId ||
    change.comment !== undefined ||
    change.startedAt !== undefined;

  const worklogId = await tx.worklogs.insertConfirmed({
    issueId: target,
    personId: ref.personId,
    startedAt,
    tz,
    day: ref.day,
    seconds,
    comment: change.comment ?? null,
  });
  const review = await tx.reviews.insert({
    personId: ref.personId,
    day: ref.day,
    issueId: ref.issueId,
    decision: edited ? "edited" : "accepted",
    suggestedSeconds: suggestion.seconds,
    suggestedConfidence: suggestion.confidence,
    worklogId,
    decidedAt: by.now,
    decidedBy: by.decidedBy,
  });
  if (review === undefined) throw alreadyDecided(ref);
  return { review, worklogId };
}

/** Rejects a suggestion: nothing is logged, and the rejection is kept as a label. */
export async function rejectSuggestion(store: Store, ref: SuggestionRef, by: Decider): Promise<ReviewRecord> {
  return store.transaction((tx) => rejectInTransaction(tx, ref, by));
}

/** Rejects a suggestion as rejectSuggestion does, within the caller's transaction. */
export async function rejectInTransaction(tx: Repositories, ref: SuggestionRef, by: Decider): Promise<ReviewRecord> {
  await requireUnlockedWeek(tx, ref.personId, ref.day);
  const suggestion = await requireUndecided(tx, ref);
  const review = await tx.reviews.insert({
    personId: ref.personId,
    day: ref.day,
    issueId: ref.issueId,
    decision: "rejected",
    suggestedSeconds: suggestion.seconds,
    suggestedConfidence: suggestion.confidence,
    worklogId: null,
    decidedAt: by.now,
    decidedBy: by.decidedBy,
  });
  if (review === undefined) throw alreadyDecided(ref);
  return review;
}

/**
 * Takes a decision back, so the suggestion is pending again. Refused while its week is
 * locked, and once its worklog is written to Jira: the worklog must then be changed in Jira itself.
 */
export async function undoDecision(store: Store, ref: SuggestionRef): Promise<void> {
  await store.transaction(async (tx) => {
    await requireUnlockedWeek(tx, ref.personId, ref.day);
    const review = await tx.reviews.find(ref.personId, ref.day, ref.issueId);
    if (review === undefined) throw new WorklensError("NOT_FOUND", `suggestion ${describe(ref)} has no decision to undo`, "list the suggestions to see which ones are decided");
    if (review.worklogId !== null && !(await tx.worklogs.deleteUnwritten(review.worklogId))) {
      throw new WorklensError("CONFLICT", `the worklog of suggestion ${describe(ref)} is already written to Jira`, "change or delete the worklog in Jira; worklens reads it back on the next sync");
    }
    await tx.reviews.delete(review.id);
  });
}

export interface BulkAcceptOutcome {
  accepted: number;
  /** Suggestions left as they were, with the reason for each. */
  skipped: { personId: number; day: string; issueId: number | null; reason: string }[];
}

/**
 * Accepts every pending linked suggestion of a range whose confidence reaches
 * `minConfidence`. Unlinked time and decided suggestions are skipped with a reason.
 * Rejects the whole request, accepting nothing, when a suggestion of the range falls in
 * a submitted or approved week.
 */
export async function bulkAccept(
  store: Store,
  query: { personId?: number | undefined; from: string; to: string; minConfidence?: number | undefined },
  by: Decider,
): Promise<BulkAcceptOutcome> {
  const suggestions = (await store.results.suggestions(query.from, query.to)).filter((s) => query.personId === undefined || s.personId === query.personId);
  const locked = await lockedWeeksOf(store, suggestions);
  if (locked.length > 0) throw lockedWeeksError(locked, query.personId !== undefined);
  const outcome: BulkAcceptOutcome = { accepted: 0, skipped: [] };
  for (const s of suggestions) {
    const ref = { personId: s.personId, day: s.day, issueId: s.issueId };
    const skip = (reason: string) => outcome.skipped.push({ ...ref, reason });
    if (s.issueId === null) {
      skip("unlinked time: accept it one by one with an issue key");
      continue;
    }
    if (query.minConfidence !== undefined && s.confidence < query.minConfidence) {
      skip(`confidence ${s.confidence.toFixed(2)} is below ${String(query.minConfidence)}`);
      continue;
    }
    if ((await store.reviews.find(s.personId, s.day, s.issueId)) !== undefined) {
      skip("already decided");
      continue;
    }
    if (s.seconds < MIN_WORKLOG_SECONDS) {
      skip(`${String(s.seconds)} s is under Jira's minimum of one minute`);
      continue;
    }
    try {
      await acceptSuggestion(store, ref, {}, by);
      outcome.accepted += 1;
    } catch (error) {
      // Another request decided it, or submitted its week, between the check and the write.
      if (error instanceof WeekLockedError) skip(error.message);
      else if (error instanceof WorklensError && error.code === "CONFLICT") skip("already decided");
      else throw error;
    }
  }
  return outcome;
}

export async function requireUndecided(tx: Repositories, ref: SuggestionRef): Promise<SuggestionRecord> {
  const suggestion = (await tx.results.suggestions(ref.day, ref.day)).find((s) => s.personId === ref.personId && s.issueId === ref.issueId);
  if (suggestion === undefined) {
    throw new WorklensError("NOT_FOUND", `no suggestion ${describe(ref)}`, "list the suggestions of that day; they change when new activity arrives");
  }
  if ((await tx.reviews.find(ref.personId, ref.day, ref.issueId)) !== undefined) throw alreadyDecided(ref);
  return suggestion;
}

export async function targetIssue(tx: Repositories, suggestion: SuggestionRecord, issueKey: string | undefined): Promise<number> {
  if (issueKey === undefined) {
    if (suggestion.issueId === null) throw new WorklensError("USAGE", "unlinked time needs an issue to be logged on", "pass issueKey with the key of the issue the time was for");
    return suggestion.issueId;
  }
  const id = (await tx.issues.idsByKey()).get(issueKey);
  if (id === undefined) throw new WorklensError("NOT_FOUND", `issue ${issueKey} is not in the store`, "sync or import the issue first, or pass the key of a stored issue");
  return id;
}

export function checkSeconds(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < MIN_WORKLOG_SECONDS || seconds > MAX_WORKLOG_SECONDS) {
    throw new WorklensError("USAGE", `seconds must be a whole number from ${String(MIN_WORKLOG_SECONDS)} to ${String(MAX_WORKLOG_SECONDS)}`, "Jira rejects worklogs under one minute; split longer work over days");
  }
}

/** Returns the person's zone: the one set by hand, else the one their identities report most, else UTC. */
export async function personZone(tx: Repositories, personId: number): Promise<string> {
  const person = (await tx.people.list()).find((p) => p.id === personId);
  if (person?.tz != null) return person.tz;
  const zones = await tx.people.identityZones(personId);
  const counts = new Map<string, number>();
  for (const zone of zones) if (resolveZone(zone) !== undefined) counts.set(zone, (counts.get(zone) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "UTC";
}

/** Returns the earliest evidence time on the day, else 09:00 local. */
export function defaultStart(suggestion: SuggestionRecord, tz: string): number {
  const times = suggestion.evidence.flatMap((e) => (e.at !== undefined && dayOf(e.at, tz) === suggestion.day ? [e.at] : []));
  if (times.length > 0) return Math.min(...times);
  // From the local date, not midnight plus nine hours, which a DST change would shift.
  return DateTime.fromISO(suggestion.day, { zone: tz }).set({ hour: DEFAULT_START_HOUR }).toMillis();
}

/** Returns the error of a bulk request that touches locked weeks, naming each week, and its person when the request spans people. */
function lockedWeeksError(locked: readonly WeekReviewRecord[], onePerson: boolean): WorklensError {
  const hint = "narrow the range or the person to leave those weeks out, or ask a manager to reopen them";
  const name = (week: WeekReviewRecord) => (onePerson ? week.weekStart : `${week.weekStart} of person ${String(week.personId)}`);
  const [first] = locked;
  if (locked.length === 1 && first !== undefined) {
    return onePerson ? new WeekLockedError(first.weekStart, first.status) : new WorklensError("CONFLICT", `the week of ${name(first)} is ${first.status} and locked`, hint);
  }
  return new WorklensError("CONFLICT", `the weeks of ${locked.map((w) => `${name(w)} (${w.status})`).join(", ")} are locked`, hint);
}

function alreadyDecided(ref: SuggestionRef): WorklensError {
  return new WorklensError("CONFLICT", `suggestion ${describe(ref)} is already decided`, "undo the decision first to decide again");
}

function describe(ref: SuggestionRef): string {
  return `for person ${String(ref.personId)} on ${ref.day} (${ref.issueId === null ? "unlinked" : `issue id ${String(ref.issueId)}`})`;
}
