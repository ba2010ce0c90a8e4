import { localInstant, planMeetings, type PlannedMeeting } from "./meetings.js";
import type { SimIssue } from "./model.js";
import type { PendingReview } from "./state.js";
import { driveByBlock, recordInterval, reviewBlock, strayBlock, ticketBlock, uid, type DayWork } from "./work-blocks.js";

const SECOND = 1000;

/** Chance that a person is out of office on a working day (vacation or sick leave). */
export const OUT_OF_OFFICE_SHARE = 0.04;
/** A day's working time varies from 85 % to 115 % of the person's usual day length. */
export const DAY_LENGTH_SPREAD = [0.85, 1.15] as const;
/** Upper bound of a day's working time over the usual day length, in seconds. */
export const OVERTIME_SECONDS = 2 * 3600;
/** Full-time people take a 30 to 60 minute lunch break after 3.5 to 4.5 hours of work; part-time people take none. */
export const LUNCH_AFTER_MINUTES = [210, 270] as const;
export const LUNCH_MINUTES = [30, 60] as const;
/** Daily unlinked work (mail, chat, reading) with no trace: 15 to 40 minutes, halved for part-time people. */
export const UNLINKED_MINUTES = [15, 40] as const;
/** Work blocks on a ticket last 30 to 120 minutes, cut short by meetings, breaks and the end of the day. */
export const BLOCK_MINUTES = [30, 120] as const;
/** Chance, per block, of a drive-by comment (3 to 8 minutes) and of a stray visit to a colleague's branch (3 to 6 minutes). */
export const DRIVE_BY_SHARE = 0.05;
export const STRAY_SHARE = 0.04;
/** Chance that a block goes to the second ticket in the queue, so some days have two tickets in progress. */
export const SECOND_TICKET_SHARE = 0.2;

/**
 * Simulates one working day of one person: meetings, a lunch break, reviews due,
 * unlinked work and ticket work in blocks. The day is walked in time order from its
 * local start until its working time is used up, and every span of work stays
 * inside the person's local day.
 */
export function simulateDay(work: DayWork): void {
  const { state, person, day, random } = work;
  if (random.chance(OUT_OF_OFFICE_SHARE)) {
    state.outOfOffice.push({ person: person.index, day, title: random.chance(0.7) ? "Vacation" : "Sick leave" });
    return;
  }

  const dayStart = localInstant(day, person.zone, person.startMinute + random.int(-1, 1) * 15);
  const spread = DAY_LENGTH_SPREAD[0] + random.next() * (DAY_LENGTH_SPREAD[1] - DAY_LENGTH_SPREAD[0]);
  const workSeconds = Math.min(Math.round((person.daySeconds * spread) / 60) * 60, person.daySeconds + OVERTIME_SECONDS);
  const meetings = planMeetings(state, person, day, dayStart, workSeconds, random);
  const lunchAfter = person.commitment === "full-time" ? random.int(LUNCH_AFTER_MINUTES[0], LUNCH_AFTER_MINUTES[1]) * 60 : undefined;
  let unlinkedLeft = Math.round(random.int(UNLINKED_MINUTES[0], UNLINKED_MINUTES[1]) * (person.commitment === "full-time" ? 1 : 0.5)) * 60;
  const reviews: PendingReview[] = state.takeReviews(person.index, day);

  let cursor = dayStart;
  let worked = 0;
  let lunchTaken = lunchAfter === undefined;
  let standUpTaken = false;
  const upcoming = [...meetings];

  while (worked < workSeconds) {
    const next = upcoming[0];
    if (next !== undefined && next.start <= cursor) {
      upcoming.shift();
      if (next.start < cursor) continue;
      attendMeeting(work, next);
      standUpTaken ||= next.standUp;
      cursor = next.end;
      worked += (next.end - next.start) / SECOND;
      continue;
    }
    const untilMeeting = next === undefined ? Number.POSITIVE_INFINITY : (next.start - cursor) / SECOND;
    if (!lunchTaken && lunchAfter !== undefined && worked >= lunchAfter) {
      const lunch = random.int(LUNCH_MINUTES[0], LUNCH_MINUTES[1]) * 60;
      if (lunch <= untilMeeting) {
        cursor += lunch * SECOND;
        lunchTaken = true;
        continue;
      }
    }

    let room = Math.min(untilMeeting, workSeconds - worked);
    if (!lunchTaken && lunchAfter !== undefined && lunchAfter > worked) room = Math.min(room, lunchAfter - worked);
    if (room < 5 * 60 && next !== undefined && untilMeeting < 5 * 60) {
      // Too short to start anything: wait for the meeting.
      cursor = next.start;
      continue;
    }
    const seconds = doBlock(work, cursor, room, reviews, unlinkedLeft);
    if (seconds.unlinked) unlinkedLeft -= seconds.length;
    cursor += seconds.length * SECOND;
    worked += seconds.length;
  }
  // Reviews not reached today wait for the next day.
  for (const review of reviews) state.addReview(person.index, review);
  if (!standUpTaken) throw new RangeError(`simulated day ${day} of ${person.login} has no stand-up: the day planner is inconsistent`);
}

function attendMeeting(work: DayWork, meeting: PlannedMeeting): void {
  recordInterval(work, meeting.start, meeting.end, meeting.issueKey, "meeting", true);
  if (meeting.standUp) return;
  work.state.calendarEvents.push({ person: work.person.index, uid: uid(work, meeting.start), start: meeting.start, end: meeting.end, title: meeting.title, kind: "meeting" });
}

/** Does one block of work of at most `room` seconds from `start`, and returns its length. */
function doBlock(work: DayWork, start: number, room: number, reviews: PendingReview[], unlinkedLeft: number): { length: number; unlinked: boolean } {
  const { state, person, random } = work;
  const review = reviews.find((r) => r.readyAt <= start);
  if (review !== undefined) {
    const length = Math.min(review.seconds, room);
    review.seconds -= length;
    if (review.seconds <= 0) reviews.splice(reviews.indexOf(review), 1);
    if (review.seconds <= 0) reviewBlock(work, state.issue(review.issueKey), start, start + length * SECOND);
    else recordInterval(work, start, start + length * SECOND, review.issueKey, "review", false);
    return { length, unlinked: false };
  }

  if (room >= 8 * 60 && random.chance(DRIVE_BY_SHARE)) {
    const target = colleagueIssue(work);
    if (target !== undefined) {
      const length = random.int(3, 8) * 60;
      driveByBlock(work, target, start, start + length * SECOND);
      return { length, unlinked: false };
    }
  }
  if (room >= 6 * 60 && random.chance(STRAY_SHARE)) {
    const target = colleagueIssue(work);
    const branch = target?.assignee === undefined ? undefined : state.knownBranch(target.assignee, target.key);
    if (target !== undefined && branch !== undefined) {
      const length = random.int(3, 6) * 60;
      strayBlock(work, target, branch, start, start + length * SECOND);
      return { length, unlinked: false };
    }
  }

  const queue = state.queues.get(person.index) ?? [];
  const ticket = queue.length > 1 && random.chance(SECOND_TICKET_SHARE) ? queue[1] : queue[0];
  if (ticket === undefined || (unlinkedLeft > 0 && random.chance(0.15))) {
    const length = Math.max(60, Math.min(room, random.int(10, 25) * 60, unlinkedLeft > 0 ? unlinkedLeft : room));
    recordInterval(work, start, start + length * SECOND, null, "unlinked", false);
    return { length, unlinked: true };
  }

  const effortLeft = Math.max(60, Math.ceil((state.remaining.get(ticket.key) ?? 0) / 60) * 60);
  const length = Math.min(room, random.int(BLOCK_MINUTES[0], BLOCK_MINUTES[1]) * 60, effortLeft);
  ticketBlock(work, ticket, start, start + length * SECOND);
  return { length, unlinked: false };
}

/** Picks the ticket a random colleague is working on, if they have started one. */
function colleagueIssue(work: DayWork): SimIssue | undefined {
  const { state, person, random } = work;
  if (state.people.length < 2) return undefined;
  const colleague = random.pick(state.people);
  if (colleague.index === person.index) return undefined;
  const ticket = state.queues.get(colleague.index)?.[0];
  return ticket !== undefined && state.status.get(ticket.key) === "In Progress" ? ticket : undefined;
}
