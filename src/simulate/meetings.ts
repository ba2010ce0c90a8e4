import { DateTime } from "luxon";
import type { Random } from "../bench/random.js";
import type { SimPerson } from "./model.js";
import type { TeamState } from "./state.js";

const MINUTE = 60_000;

/** The daily stand-up: 09:30 to 09:45 in each person's own zone, every working day they are in. */
export const STAND_UP_MINUTE = 9 * 60 + 30;
export const STAND_UP_MINUTES = 15;
/** Ad hoc meetings a day: 0 to 2 for full-time people, 0 to 1 for part-time people, each 30, 45 or 60 minutes. */
export const AD_HOC_MEETINGS = { "full-time": [0, 2], "part-time": [0, 1] } as const;
export const AD_HOC_LENGTHS = [30, 45, 60] as const;
/** Share of ad hoc meetings with an issue key in the title, which makes their time true time on that issue. */
export const MEETING_KEY_SHARE = 0.4;

const KEYED_TITLES = ["{key} design review", "Walkthrough of {key}", "{key} estimation"] as const;
const PLAIN_TITLES = ["Sprint planning", "Architecture sync", "Customer call", "Incident review", "Hiring interview", "Release planning"] as const;

export interface PlannedMeeting {
  start: number;
  end: number;
  title: string;
  issueKey: string | null;
  standUp: boolean;
}

/** Returns the instant of a local time on a day in a zone. */
export function localInstant(day: string, zone: string, minuteOfDay: number): number {
  return DateTime.fromISO(day, { zone }).startOf("day").plus({ minutes: minuteOfDay }).toMillis();
}

/**
 * Plans one person's meetings of a day: the stand-up and ad hoc meetings that start
 * on a quarter hour, overlap nothing else, and start at least 75 minutes after the
 * day starts and end an hour before its planned end.
 */
export function planMeetings(state: TeamState, person: SimPerson, day: string, dayStart: number, workSeconds: number, random: Random): PlannedMeeting[] {
  const standUpStart = localInstant(day, person.zone, STAND_UP_MINUTE);
  const meetings: PlannedMeeting[] = [
    { start: standUpStart, end: standUpStart + STAND_UP_MINUTES * MINUTE, title: "Daily stand-up", issueKey: null, standUp: true },
  ];

  const [low, high] = AD_HOC_MEETINGS[person.commitment];
  const count = random.int(low, high);
  for (let i = 0; i < count; i += 1) {
    const length = random.pick(AD_HOC_LENGTHS);
    const latest = Math.floor((workSeconds / 60 - 60 - length) / 15);
    if (latest < 5) continue;
    const start = dayStart + random.int(5, latest) * 15 * MINUTE;
    const end = start + length * MINUTE;
    if (meetings.some((m) => start < m.end && m.start < end)) continue;
    const issueKey = random.chance(MEETING_KEY_SHARE) ? meetingIssue(state, person, random) : null;
    const title = issueKey === null ? plainTitle(state, person, random) : random.pick(KEYED_TITLES).replace("{key}", issueKey);
    meetings.push({ start, end, title, issueKey, standUp: false });
  }
  return meetings.sort((a, b) => a.start - b.start);
}

/** Picks the issue a meeting is about: mostly the person's current ticket, else the one a random colleague is working on. */
function meetingIssue(state: TeamState, person: SimPerson, random: Random): string | null {
  const own = state.queues.get(person.index)?.[0];
  if (own !== undefined && random.chance(0.6)) return own.key;
  const colleague = random.pick(state.people);
  const theirs = state.queues.get(colleague.index)?.[0];
  if (theirs !== undefined && state.status.get(theirs.key) === "In Progress") return theirs.key;
  return own?.key ?? null;
}

function plainTitle(state: TeamState, person: SimPerson, random: Random): string {
  if (state.people.length > 1 && random.chance(0.25)) {
    const picked = random.pick(state.people);
    const other = picked.index === person.index ? state.people[(person.index + 1) % state.people.length] : picked;
    return `1:1 with ${other?.displayName.split(" ")[0] ?? "a colleague"}`;
  }
  return random.pick(PLAIN_TITLES);
}
