import type { Random } from "../bench/random.js";
import type { IntervalKind, SimIssue, SimPerson } from "./model.js";
import type { TeamState } from "./state.js";
import { codingTraces, comment, heartbeats, pullRequest } from "./traces.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Share of ticket blocks that leave no trace: thinking, reading, sketching on paper. */
export const UNTRACED_TICKET_SHARE = 0.12;
/** Chance that a ticket block gets a Jira comment by the person. */
export const TICKET_COMMENT_SHARE = 0.2;
/** Chance that a coding block of 90 minutes or more was booked as focus time in the calendar. */
export const FOCUS_SHARE = 0.35;
/** A review takes 20 to 45 minutes in the browser, with no heartbeats; half end with a comment. */
export const REVIEW_MINUTES = [20, 45] as const;
export const REVIEW_COMMENT_SHARE = 0.5;

/** Context of one person's working day. */
export interface DayWork {
  state: TeamState;
  person: SimPerson;
  day: string;
  /** The next working day, when reviews of tickets finished today are due; undefined on the last day. */
  nextDay: string | undefined;
  random: Random;
}

export function recordInterval(work: DayWork, start: number, end: number, issueKey: string | null, kind: IntervalKind, traced: boolean): void {
  work.state.intervals.push({ person: work.person.index, day: work.day, start, end, issueKey, kind, traced });
}

/**
 * Works on a ticket for [start, end): starts it when it is still To Do and writes the
 * block's traces. When the ticket's effort is used up, it opens the pull request,
 * moves the ticket to In Review and queues a review for a colleague.
 */
export function ticketBlock(work: DayWork, issue: SimIssue, start: number, end: number): void {
  const { state, person, random } = work;
  let traced = false;
  if (state.status.get(issue.key) === "To Do") {
    state.transition(issue, "In Progress", Math.min(start + random.int(1, 3) * MINUTE, end - SECOND), person.index);
    traced = true;
  }
  if (!random.chance(UNTRACED_TICKET_SHARE)) {
    codingTraces(state, person, issue, start, end, random);
    traced = true;
    if (end - start >= 90 * MINUTE && random.chance(FOCUS_SHARE)) {
      state.calendarEvents.push({ person: person.index, uid: uid(work, start), start, end, title: "Focus time", kind: "focus" });
    }
  }
  if (random.chance(TICKET_COMMENT_SHARE)) {
    comment(issue, person, start + Math.floor(random.next() * (end - start)), random);
    traced = true;
  }

  const left = (state.remaining.get(issue.key) ?? 0) - (end - start) / SECOND;
  state.remaining.set(issue.key, left);
  if (left <= 0) {
    const readyAt = Math.max(start, end - MINUTE);
    pullRequest(state, person, issue, Math.max(start, end - 2 * MINUTE), random);
    state.transition(issue, "In Review", readyAt, person.index);
    traced = true;
    state.queues.set(person.index, (state.queues.get(person.index) ?? []).filter((i) => i !== issue));
    if (work.nextDay !== undefined) {
      const reviewer = state.people.length > 1 ? (person.index + 1) % state.people.length : person.index;
      state.addReview(reviewer, { issueKey: issue.key, day: work.nextDay, readyAt, seconds: random.int(REVIEW_MINUTES[0], REVIEW_MINUTES[1]) * 60 });
    }
  }
  recordInterval(work, start, end, issue.key, "ticket", traced);
}

/** Reviews a colleague's pull request in the browser, then comments or not and moves the issue to Done. */
export function reviewBlock(work: DayWork, issue: SimIssue, start: number, end: number): void {
  const { state, person, random } = work;
  if (random.chance(REVIEW_COMMENT_SHARE)) comment(issue, person, end - 2 * MINUTE, random);
  if (state.status.get(issue.key) === "In Review") state.transition(issue, "Done", end - MINUTE, person.index);
  recordInterval(work, start, end, issue.key, "review", true);
}

/** Records a short comment on someone else's issue: a few true minutes and one Jira action. */
export function driveByBlock(work: DayWork, issue: SimIssue, start: number, end: number): void {
  comment(issue, work.person, end - 30 * SECOND, work.random);
  recordInterval(work, start, end, issue.key, "drive-by", true);
}

/** Records a few minutes in a colleague's branch (reading their change), with heartbeats on that branch. */
export function strayBlock(work: DayWork, issue: SimIssue, branch: string, start: number, end: number): void {
  const machine = work.person.machines[0] ?? "laptop";
  heartbeats(work.state, work.person, issue, branch, machine, start, end, work.random);
  recordInterval(work, start, end, issue.key, "stray", true);
}

export function uid(work: DayWork, start: number): string {
  return `${work.person.login}-${start.toString(36)}@simulate.worklens.example.org`;
}
