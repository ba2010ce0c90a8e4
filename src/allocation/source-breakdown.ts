import { dayOf, nextDay, startOfDay, MS_PER_HOUR } from "../domain/time.js";
import type { ActivityKind, ActivityRecord, SuggestionRecord } from "../domain/types.js";

/** Kinds of evidence a suggestion's time can come from; IDE heartbeats and IDE sessions are both "ide". */
export type SourceKind = "ide" | "meeting" | "focus" | "commit" | "pull_request" | "issue_action";

export const SOURCE_KINDS: readonly SourceKind[] = ["ide", "meeting", "focus", "commit", "pull_request", "issue_action"];

/** Source kind of an activity kind; undefined for out-of-office, which is never work time. */
export function sourceKindOf(kind: ActivityKind): SourceKind | undefined {
  switch (kind) {
    case "ide_heartbeat":
    case "ide_session":
      return "ide";
    case "out_of_office":
      return undefined;
    default:
      return kind;
  }
}

/** Counts over the activities of one person, local day and issue (the day of an activity is the day of its start). */
export interface ActivityCounts {
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  filesChanged: number;
  issueActions: number;
  pullRequests: number;
  meetings: number;
  heartbeats: number;
  /** Distinct machines named by the activities. */
  machines: number;
}

/** The person's whole day, as the deterministic allocation saw it. */
export interface DayContext {
  workedSeconds: number;
  linkedSeconds: number;
  meetingSeconds: number;
  outOfOfficeSeconds: number;
  /** Linked suggestions of the day. */
  tickets: number;
  /** ISO weekday of the day: 1 is Monday, 7 is Sunday. */
  weekday: number;
}

/** Inputs of one rule-based suggestion: its sources, activity counts, first and last hours, and day. */
export interface SuggestionBreakdown {
  /**
   * Seconds of the suggestion during which each kind of source covered it. Sources
   * overlap (an IDE session during a commit session), so these can sum to more than
   * the suggestion's seconds.
   */
  sourceSeconds: Record<SourceKind, number>;
  counts: ActivityCounts;
  /** Hours since local midnight of the first activity start and the last activity end (at most 24); null without activities that start that day. */
  firstLocalHour: number | null;
  lastLocalHour: number | null;
  day: DayContext;
}

export interface SuggestionDetail {
  suggestion: SuggestionRecord;
  breakdown: SuggestionBreakdown;
  /** Zone whose local days the suggestion uses. */
  zone: string;
}

interface Tally {
  counts: ActivityCounts;
  machines: Set<string>;
  first: number;
  last: number;
}

/**
 * Counts and first and last instants per local day and issue of one person's
 * activities. An activity linked to several issues counts for each of them.
 */
export class ActivityTally {
  private readonly tallies = new Map<string, Tally>();
  private readonly dayStarts = new Map<string, number>();
  private readonly findDay: (instant: number) => string;

  constructor(private readonly zone: string) {
    this.findDay = dayFinder(zone);
  }

  add(activity: ActivityRecord, issueIds: readonly (number | null)[]): void {
    if (activity.kind === "out_of_office" || activity.dateOnly) return;
    const day = this.findDay(activity.startAt);
    for (const issueId of issueIds) {
      const key = keyOf(day, issueId);
      const tally = this.tallies.get(key) ?? { counts: emptyCounts(), machines: new Set<string>(), first: activity.startAt, last: activity.endAt };
      this.tallies.set(key, tally);
      countInto(tally, activity);
    }
  }

  breakdownOf(day: string, issueId: number | null, sourceSeconds: Record<SourceKind, number>, context: DayContext): SuggestionBreakdown {
    const tally = this.tallies.get(keyOf(day, issueId));
    if (tally === undefined) return { sourceSeconds, counts: emptyCounts(), firstLocalHour: null, lastLocalHour: null, day: context };
    const midnight = this.midnightOf(day);
    const hourOf = (instant: number) => Math.min(24, Math.max(0, Math.round(((instant - midnight) / MS_PER_HOUR) * 100) / 100));
    return {
      sourceSeconds,
      counts: { ...tally.counts, machines: tally.machines.size },
      firstLocalHour: hourOf(tally.first),
      lastLocalHour: hourOf(tally.last),
      day: context,
    };
  }

  private midnightOf(day: string): number {
    const known = this.dayStarts.get(day);
    if (known !== undefined) return known;
    const start = startOfDay(day, this.zone);
    this.dayStarts.set(day, start);
    return start;
  }
}

export function emptyCounts(): ActivityCounts {
  return { commits: 0, linesAdded: 0, linesDeleted: 0, filesChanged: 0, issueActions: 0, pullRequests: 0, meetings: 0, heartbeats: 0, machines: 0 };
}

export function emptySourceSeconds(): Record<SourceKind, number> {
  return { ide: 0, meeting: 0, focus: 0, commit: 0, pull_request: 0, issue_action: 0 };
}

/** ISO weekday (1 is Monday) of a calendar day, independent of any zone. */
export function isoWeekday(day: string): number {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

function countInto(tally: Tally, activity: ActivityRecord): void {
  const counts = tally.counts;
  tally.first = Math.min(tally.first, activity.startAt);
  tally.last = Math.max(tally.last, activity.endAt);
  if (activity.machine !== null) tally.machines.add(activity.machine);
  switch (activity.kind) {
    case "commit":
      counts.commits += 1;
      counts.linesAdded += activity.metrics.linesAdded ?? 0;
      counts.linesDeleted += activity.metrics.linesDeleted ?? 0;
      counts.filesChanged += activity.metrics.filesChanged ?? 0;
      break;
    case "issue_action":
      counts.issueActions += 1;
      break;
    case "pull_request":
      counts.pullRequests += 1;
      break;
    case "meeting":
      counts.meetings += 1;
      break;
    case "ide_heartbeat":
      counts.heartbeats += 1;
      break;
    case "ide_session":
    case "focus":
    case "out_of_office":
      break;
  }
}

function keyOf(day: string, issueId: number | null): string {
  return `${day}|${String(issueId)}`;
}

/**
 * Day lookup that remembers the last day's bounds, because a person's activities
 * come mostly in time order and resolving a zone per heartbeat is slow.
 */
function dayFinder(zone: string): (instant: number) => string {
  let day = "";
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  return (instant) => {
    if (instant >= start && instant < end) return day;
    day = dayOf(instant, zone);
    start = startOfDay(day, zone);
    end = startOfDay(nextDay(day), zone);
    return day;
  };
}
