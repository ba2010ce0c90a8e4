import { DateTime } from "luxon";
import { WorklensError } from "../domain/errors.js";
import type { Repositories, Store } from "../store/store.js";
import {
  deleteWeekReview,
  getWeekReview,
  listWeekReviews,
  lockWeek,
  upsertWeekReview,
  type StoredWeekStatus,
  type WeekReviewRecord,
} from "../store/week-review-repository.js";
import { listSuggestions } from "./suggestions.js";

/** State of a person's week: "open" until submitted, and again after a withdrawal. */
export type WeekStatus = "open" | StoredWeekStatus;

/** Weeks in these states are locked: no decision on their suggestions is possible. */
const LOCKED_STATUSES: readonly WeekStatus[] = ["submitted", "approved"];

/** Maximum length of a manager's comment on a week, in characters. The limit is worklens's own, the same as for worklog comments. */
export const MAX_WEEK_COMMENT_LENGTH = 4000;

/** Number of weeks `listWeeks` returns when no limit is given, and the largest limit it takes. */
export const DEFAULT_WEEK_LIMIT = 10;
export const MAX_WEEK_LIMIT = 104;

/** The actor of a week step, as the server authenticated it. */
export interface WeekActor {
  /** Audit actor: "person:<id>" or "admin". */
  actor: string;
  /** The acting person; undefined for the admin token. */
  personId: number | undefined;
  /** True for the admin token and for a person with the admin role. */
  admin: boolean;
  now: number;
}

/** A person's week with its review state and the totals a reviewer needs. */
export interface WeekReviewView {
  personId: number;
  personName: string;
  weekStart: string;
  weekEnd: string;
  status: WeekStatus;
  submittedAt: number | null;
  /** Display name of the manager who last approved, rejected or reopened the week, or "admin". */
  decidedBy: string | null;
  decidedAt: number | null;
  comment: string | null;
  locked: boolean;
  /** Suggestions of the week without a decision. */
  pending: number;
  /** Time the model suggested for the week: the current suggestions, and the reviewed time of decided ones it no longer produces. */
  suggestedSeconds: number;
  /** Time of the person's worklogs in the week: the ones confirmed in worklens and the ones read from Jira. */
  confirmedSeconds: number;
}

/** Raised when an actor may not see or act on a person's week; the server returns 403. */
export class WeekAccessError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "WeekAccessError";
  }
}

/** Raised for a decision on a suggestion of a submitted or approved week. */
export class WeekLockedError extends WorklensError {
  constructor(
    readonly weekStart: string,
    readonly status: WeekStatus,
  ) {
    super("CONFLICT", `the week of ${weekStart} is ${status} and locked`, status === "approved" ? "ask a manager to reopen it" : "withdraw the submission first, or ask a manager to reopen it");
    this.name = "WeekLockedError";
  }
}

/** Returns the Monday of the ISO week (Monday to Sunday) that contains a day, both YYYY-MM-DD. */
export function isoWeekStart(day: string): string {
  const date = DateTime.fromISO(day, { zone: "UTC" });
  if (!date.isValid) throw new WorklensError("USAGE", `invalid day "${day}": expected a calendar day as YYYY-MM-DD`, "pass any day of the week, such as 2025-03-10");
  return date.startOf("week").toISODate();
}

/** Returns the Sunday of the week that starts on a Monday. */
export function isoWeekEnd(weekStart: string): string {
  return DateTime.fromISO(weekStart, { zone: "UTC" }).plus({ days: 6 }).toISODate() ?? weekStart;
}

export function isLocked(status: WeekStatus): boolean {
  return LOCKED_STATUSES.includes(status);
}

/**
 * Takes the week's lock for the rest of the transaction and raises WeekLockedError when
 * the person's week of `day` is submitted or approved. Every decision on a suggestion
 * calls it inside its own transaction, so a submit cannot slip in between check and write.
 */
export async function requireUnlockedWeek(tx: Repositories, personId: number, day: string): Promise<void> {
  const weekStart = isoWeekStart(day);
  await lockWeek(tx, personId, weekStart);
  const review = await getWeekReview(tx, personId, weekStart);
  if (review !== undefined && isLocked(review.status)) throw new WeekLockedError(weekStart, review.status);
}

/** Returns the locked weeks among the given people's weeks that contain any of `days`, by person and week start. */
export async function lockedWeeksOf(repositories: Repositories, entries: readonly { personId: number; day: string }[]): Promise<WeekReviewRecord[]> {
  if (entries.length === 0) return [];
  const requested = new Set(entries.map((e) => `${String(e.personId)}|${isoWeekStart(e.day)}`));
  const weekStarts = [...new Set(entries.map((e) => isoWeekStart(e.day)))].sort();
  const reviews = await listWeekReviews(repositories, {
    personIds: [...new Set(entries.map((e) => e.personId))],
    from: weekStarts[0],
    to: weekStarts.at(-1),
  });
  return reviews.filter((r) => isLocked(r.status) && requested.has(`${String(r.personId)}|${r.weekStart}`));
}

/** Returns one week of a person, for the person, the admin, or a manager of a team the person is in. */
export async function getWeek(store: Store, by: WeekActor, personId: number, day: string): Promise<WeekReviewView> {
  await requireViewer(store, by, personId);
  return weekView(store, personId, isoWeekStart(day));
}

/**
 * Lists the weeks of a person that have suggestions, worklogs or a review, newest first,
 * for the person, the admin, or a manager of a team the person is in.
 */
export async function listWeeks(store: Store, by: WeekActor, personId: number, limit: number = DEFAULT_WEEK_LIMIT): Promise<WeekReviewView[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_WEEK_LIMIT) {
    throw new WorklensError("USAGE", `invalid limit ${String(limit)}: expected a whole number from 1 to ${String(MAX_WEEK_LIMIT)}`, `ask for at most ${String(MAX_WEEK_LIMIT)} weeks, two years' worth`);
  }
  await requireViewer(store, by, personId);
  const weekStarts = (await weeksWithData(store, personId)).slice(0, limit);
  const names = await personNames(store);
  const views: WeekReviewView[] = [];
  for (const weekStart of weekStarts) views.push(await weekView(store, personId, weekStart, names));
  return views;
}

/**
 * Lists the submitted weeks an actor may approve: of people in teams the actor manages,
 * or of everyone for the admin, leaving out the actor's own. Oldest submission first.
 */
export async function listSubmittedWeeks(store: Store, by: WeekActor): Promise<WeekReviewView[]> {
  let people: number[] | undefined;
  if (!by.admin) {
    if (by.personId === undefined) throw new Error("a week actor without admin rights must be a person");
    const managed = await store.teams.teamsManagedBy(by.personId);
    const members = new Set<number>();
    for (const team of managed) for (const member of await store.teams.membersOf(team.id)) members.add(member.personId);
    people = [...members];
  }
  const reviews = (await listWeekReviews(store, { personIds: people, status: "submitted" })).filter((r) => r.personId !== by.personId);
  reviews.sort((a, b) => (a.submittedAt ?? 0) - (b.submittedAt ?? 0) || a.personId - b.personId);
  const names = await personNames(store);
  const views: WeekReviewView[] = [];
  for (const review of reviews) views.push(await weekView(store, review.personId, review.weekStart, names));
  return views;
}

/**
 * Submits a person's week for approval, which locks its suggestions. Rejected while any
 * suggestion of the week is pending, and for a week already submitted or approved. The
 * person or the admin may submit it.
 */
export async function submitWeek(store: Store, by: WeekActor, personId: number, day: string): Promise<WeekReviewView> {
  const weekStart = isoWeekStart(day);
  await store.transaction(async (tx) => {
    await requireSubmitter(tx, by, personId);
    await lockWeek(tx, personId, weekStart);
    const current = await getWeekReview(tx, personId, weekStart);
    const status: WeekStatus = current?.status ?? "open";
    if (status === "submitted") throw new WorklensError("CONFLICT", `the week of ${weekStart} is already submitted`, "wait for a manager's decision, or withdraw it to change it");
    if (status === "approved") throw new WorklensError("CONFLICT", `the week of ${weekStart} is approved and locked`, "ask a manager to reopen it");
    const totals = await weekTotals(tx, personId, weekStart);
    if (totals.pending > 0) {
      throw new WorklensError("CONFLICT", `the week of ${weekStart} has ${String(totals.pending)} pending ${totals.pending === 1 ? "suggestion" : "suggestions"}`, "accept, edit or reject them, or accept them all with POST /suggestions/bulk-accept (Accept week in the web UI), then submit again");
    }
    // A new submission starts without the last decision, so no stale comment is shown to a reviewer.
    await upsertWeekReview(tx, { personId, weekStart, status: "submitted", submittedAt: by.now, decidedBy: null, decidedAt: null, comment: null, updatedAt: by.now });
    await appendWeekAudit(tx, by, "week.submit", personId, { weekStart, from: status, suggestedSeconds: totals.suggestedSeconds, confirmedSeconds: totals.confirmedSeconds });
  });
  return weekView(store, personId, weekStart);
}

/** Takes a submission back, so the week is open and its suggestions can be decided again. Only the week's own person may. */
export async function withdrawWeek(store: Store, by: WeekActor, day: string): Promise<WeekReviewView> {
  const personId = by.personId;
  if (personId === undefined) {
    throw new WeekAccessError("only the person who submitted a week may withdraw it, and the admin token acts as no person", "send the request with the person's own key or session; a manager or the admin can reopen the week instead");
  }
  const weekStart = isoWeekStart(day);
  await store.transaction(async (tx) => {
    await lockWeek(tx, personId, weekStart);
    const current = await getWeekReview(tx, personId, weekStart);
    if (current?.status !== "submitted") {
      throw new WorklensError("CONFLICT", `the week of ${weekStart} is ${current?.status ?? "open"}, not submitted, so there is nothing to withdraw`, current?.status === "approved" ? "ask a manager to reopen it" : "submit the week when its suggestions are decided");
    }
    await deleteWeekReview(tx, personId, weekStart);
    await appendWeekAudit(tx, by, "week.withdraw", personId, { weekStart, from: current.status });
  });
  return weekView(store, personId, weekStart);
}

/** Approves a submitted week; it stays locked. Rejected while suggestions that arrived after the submission are pending. */
export async function approveWeek(store: Store, by: WeekActor, personId: number, day: string, comment: string | undefined): Promise<WeekReviewView> {
  return decideWeek(store, by, personId, day, { action: "approve", to: "approved", from: ["submitted"], comment: optionalComment(comment) });
}

/** Rejects a submitted week with a comment on what the person must change. The week is unlocked. */
export async function rejectWeek(store: Store, by: WeekActor, personId: number, day: string, comment: string | undefined): Promise<WeekReviewView> {
  const text = optionalComment(comment);
  if (text === null) throw new WorklensError("USAGE", "comment is required to reject a week", "say in the comment what the person should change before submitting again");
  return decideWeek(store, by, personId, day, { action: "reject", to: "rejected", from: ["submitted"], comment: text });
}

/** Reopens a submitted or approved week, which unlocks its suggestions until the person submits it again. */
export async function reopenWeek(store: Store, by: WeekActor, personId: number, day: string, comment: string | undefined): Promise<WeekReviewView> {
  return decideWeek(store, by, personId, day, { action: "reopen", to: "reopened", from: ["submitted", "approved"], comment: optionalComment(comment) });
}

interface WeekDecision {
  action: "approve" | "reject" | "reopen";
  to: StoredWeekStatus;
  /** States the week must be in. */
  from: readonly WeekStatus[];
  comment: string | null;
}

async function decideWeek(store: Store, by: WeekActor, personId: number, day: string, decision: WeekDecision): Promise<WeekReviewView> {
  const weekStart = isoWeekStart(day);
  await store.transaction(async (tx) => {
    await requireApprover(tx, by, personId, decision.action);
    await lockWeek(tx, personId, weekStart);
    const current = await getWeekReview(tx, personId, weekStart);
    const status: WeekStatus = current?.status ?? "open";
    if (current === undefined || !decision.from.includes(status)) {
      throw new WorklensError("CONFLICT", `cannot ${decision.action} the week of ${weekStart} of person ${String(personId)}: it is ${status}, not ${decision.from.join(" or ")}`, "list the submitted weeks to see which ones wait for a decision");
    }
    if (decision.action === "approve") {
      const { pending } = await weekTotals(tx, personId, weekStart);
      if (pending > 0) {
        throw new WorklensError("CONFLICT", `the week of ${weekStart} has ${String(pending)} pending ${pending === 1 ? "suggestion" : "suggestions"} that arrived after it was submitted`, "reject or reopen the week, so the person can decide them");
      }
    }
    await upsertWeekReview(tx, { ...current, status: decision.to, decidedBy: by.actor, decidedAt: by.now, comment: decision.comment, updatedAt: by.now });
    await appendWeekAudit(tx, by, `week.${decision.action}`, personId, { weekStart, from: status, comment: decision.comment !== null });
  });
  return weekView(store, personId, weekStart);
}

function optionalComment(comment: string | undefined): string | null {
  const trimmed = comment?.trim();
  if (trimmed === undefined || trimmed === "") return null;
  if (trimmed.length > MAX_WEEK_COMMENT_LENGTH) {
    throw new WorklensError("USAGE", `comment is ${String(trimmed.length)} characters long, more than the ${String(MAX_WEEK_COMMENT_LENGTH)} allowed`, "shorten the comment");
  }
  return trimmed;
}

/** Appends one audit entry of a step of the week review; details hold the week, states and counts, never the comment's text. */
async function appendWeekAudit(tx: Repositories, by: WeekActor, action: string, personId: number, details: Record<string, unknown>): Promise<void> {
  await tx.audit.append({ at: by.now, actor: by.actor, action, subject: `person:${String(personId)}`, details });
}

/** Checks that the person exists and that the actor may read their weeks: the person, the admin, or a manager of one of the person's teams. */
async function requireViewer(repositories: Repositories, by: WeekActor, personId: number): Promise<void> {
  if (by.personId === personId) return;
  if (by.admin) {
    await requirePerson(repositories, personId);
    return;
  }
  if (by.personId !== undefined && (await managesPerson(repositories, by.personId, personId))) return;
  throw new WeekAccessError(`you may not read the weeks of person ${String(personId)}`, "leave out person to read your own weeks; managers read the weeks of people in the teams they manage");
}

/** Checks that the actor may submit the person's week: the person or the admin. */
async function requireSubmitter(repositories: Repositories, by: WeekActor, personId: number): Promise<void> {
  if (by.personId === personId) return;
  if (by.admin) {
    await requirePerson(repositories, personId);
    return;
  }
  throw new WeekAccessError(`only person ${String(personId)} or the admin may submit that person's week`, "leave out person to submit your own week");
}

/** Checks that the actor may approve, reject or reopen the person's week: the admin or a manager of one of the person's teams, never the person. */
async function requireApprover(repositories: Repositories, by: WeekActor, personId: number, action: string): Promise<void> {
  if (by.personId === personId) {
    throw new WeekAccessError(`you cannot ${action} your own week`, "ask a manager of your team, or the admin, to decide it");
  }
  if (by.admin) {
    await requirePerson(repositories, personId);
    return;
  }
  if (by.personId !== undefined && (await managesPerson(repositories, by.personId, personId))) return;
  // A person who does not exist gets the same error, so person ids cannot be probed.
  throw new WeekAccessError(`you do not manage a team that person ${String(personId)} is in`, "ask an administrator to make you the manager of the person's team with `worklens teams set-manager`");
}

/** Returns true when the manager manages one of the teams the person is in. */
export async function managesPerson(repositories: Repositories, managerId: number, personId: number): Promise<boolean> {
  return (await repositories.teams.teamsOf(personId)).some((team) => team.managerPersonId === managerId);
}

async function requirePerson(repositories: Repositories, personId: number): Promise<void> {
  const row = await repositories.db.selectFrom("persons").select("id").where("id", "=", personId).executeTakeFirst();
  if (row === undefined) throw new WorklensError("NOT_FOUND", `person ${String(personId)} not found`, "list people and their ids with GET /people");
}

/** Week starts of a person's suggestions, decisions, worklogs and week reviews, newest first. */
async function weeksWithData(repositories: Repositories, personId: number): Promise<string[]> {
  const { db } = repositories;
  const days = [
    ...(await db.selectFrom("suggestions").select("day").distinct().where("person_id", "=", personId).execute()),
    ...(await db.selectFrom("reviews").select("day").distinct().where("person_id", "=", personId).execute()),
    ...(await db.selectFrom("worklogs").select("day").distinct().where("person_id", "=", personId).execute()),
  ].map((row) => row.day);
  const starts = new Set(days.map(isoWeekStart));
  for (const review of await listWeekReviews(repositories, { personIds: [personId] })) starts.add(review.weekStart);
  return [...starts].sort().reverse();
}

interface WeekTotals {
  pending: number;
  suggestedSeconds: number;
  confirmedSeconds: number;
}

async function weekTotals(repositories: Repositories, personId: number, weekStart: string): Promise<WeekTotals> {
  const range = { personId, from: weekStart, to: isoWeekEnd(weekStart) };
  const suggestions = await listSuggestions(repositories, range);
  const worklogs = await repositories.worklogs.list(range);
  return {
    pending: suggestions.filter((s) => s.status === "pending").length,
    suggestedSeconds: suggestions.reduce((sum, s) => sum + s.seconds, 0),
    confirmedSeconds: worklogs.reduce((sum, w) => sum + w.seconds, 0),
  };
}

/** Display names by person id, as the API names people: never by e-mail address. */
async function personNames(repositories: Repositories): Promise<Map<number, string | null>> {
  return new Map((await repositories.people.list()).map((p) => [p.id, p.displayName]));
}

async function weekView(repositories: Repositories, personId: number, weekStart: string, names?: ReadonlyMap<number, string | null>): Promise<WeekReviewView> {
  const known = names ?? (await personNames(repositories));
  const nameOf = (id: number) => known.get(id) ?? `person ${String(id)}`;
  const review = await getWeekReview(repositories, personId, weekStart);
  const status: WeekStatus = review?.status ?? "open";
  return {
    personId,
    personName: nameOf(personId),
    weekStart,
    weekEnd: isoWeekEnd(weekStart),
    status,
    submittedAt: review?.submittedAt ?? null,
    decidedBy: deciderName(review?.decidedBy ?? null, nameOf),
    decidedAt: review?.decidedAt ?? null,
    comment: review?.comment ?? null,
    locked: isLocked(status),
    ...(await weekTotals(repositories, personId, weekStart)),
  };
}

/** Turns a stored audit actor into the name a person reads: the manager's display name, or "admin". */
function deciderName(actor: string | null, nameOf: (id: number) => string): string | null {
  if (actor === null) return null;
  const person = /^person:(\d+)$/.exec(actor)?.[1];
  return person === undefined ? actor : nameOf(Number(person));
}
