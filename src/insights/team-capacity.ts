import { DateTime } from "luxon";
import { WorklensError } from "../domain/errors.js";
import { daysBetween, resolveZone } from "../domain/time.js";
import type { ActivityKind, ActivityRecord, IssueRecord, SuggestionRecord } from "../domain/types.js";
import { requireMinGroup, suppressSmallCells, type GroupCell, type SuppressedBreakdown } from "../privacy/min-group.js";
import { listCategoryRules } from "../store/category-repository.js";
import { getMinGroupSize } from "../store/privacy-settings.js";
import type { Store } from "../store/store.js";
import type { TeamMember } from "../store/team-repository.js";
import { categorize, type CategoryRule } from "./categories.js";
import { committedSeconds, outOfOfficeSecondsByDay } from "./team-capacity-commitment.js";

/** Maximum number of ISO weeks one capacity request may cover. */
export const MAX_CAPACITY_WEEKS = 53;
const DAY_MS = 86_400_000;

/** Kind of work a suggestion's time went to, from the kinds of its evidence activities. */
export type WorkCategory = "meetings" | "focus" | "coding" | "other";

export interface CapacityWeek {
  /** ISO week such as "2025-W11". */
  week: string;
  from: string;
  to: string;
  /** Null when fewer people than the minimum group size had time in the week, and every number is then left out. */
  totals: {
    /** Members with suggested or logged time in the week; at least the minimum group size. */
    contributors: number;
    committedSeconds: number;
    suggestedSeconds: number;
    /** Worklogs accepted in worklens or logged in Jira. */
    confirmedSeconds: number;
    byProject: SuppressedBreakdown;
    byEpic: SuppressedBreakdown;
    byIssueType: SuppressedBreakdown;
    /** By the first cost category rule the issue matches, "Uncategorized" when none does, "unlinked" for time without an issue. */
    byCostCategory: SuppressedBreakdown;
    /** By kind of work: meetings, focus, coding or other. */
    byCategory: SuppressedBreakdown;
    linkedVersusUnlinked: SuppressedBreakdown;
  } | null;
}

export interface TeamCapacity {
  team: { id: number; name: string };
  minGroupSize: number;
  from: string;
  to: string;
  weeks: CapacityWeek[];
}

export interface CapacityRequest {
  teamId: number;
  from: string;
  to: string;
  /** Audit actor of the reader: "admin", "cli" or "person:<id>". */
  actor: string;
  now?: number;
}

/** Monday of the ISO week of `from` to Sunday of the ISO week of `to`, so views never split a week. */
export function wholeWeeks(from: string, to: string): { from: string; to: string; weeks: { week: string; from: string; to: string }[] } {
  const start = DateTime.fromISO(from, { zone: "UTC" });
  const end = DateTime.fromISO(to, { zone: "UTC" });
  if (!start.isValid || !end.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) {
    throw new WorklensError("USAGE", `invalid range ${from} to ${to}: expected two dates as YYYY-MM-DD`, "pass from and to, for example 2025-03-03 and 2025-03-30");
  }
  if (end < start) throw new WorklensError("USAGE", `invalid range: ${to} is before ${from}`, "pass the earlier date as from");
  const weeks: { week: string; from: string; to: string }[] = [];
  for (let monday = start.startOf("week"); monday <= end; monday = monday.plus({ weeks: 1 })) {
    weeks.push({ week: `${String(monday.weekYear)}-W${String(monday.weekNumber).padStart(2, "0")}`, from: monday.toISODate(), to: monday.plus({ days: 6 }).toISODate() });
  }
  if (weeks.length > MAX_CAPACITY_WEEKS) {
    throw new WorklensError("USAGE", `range ${from} to ${to} covers ${String(weeks.length)} weeks, more than the maximum of ${String(MAX_CAPACITY_WEEKS)}`, "ask for a year or less at a time");
  }
  return { from: weeks[0]?.from ?? from, to: weeks[weeks.length - 1]?.to ?? to, weeks };
}

/**
 * Capacity of a team per ISO week: committed hours from the members' commitments less
 * their out-of-office time, suggested and confirmed hours, and time by project, epic,
 * issue type, cost category, kind of work and linked versus unlinked. The team must have at least the
 * minimum group size (setting privacy.minGroupSize) of members and of people with time
 * in the range, or the request fails. A week with fewer people with time is returned
 * without numbers, and within a week each breakdown merges small cells (see
 * suppressSmallCells). Each successful read is audited as "read.team_capacity".
 */
export async function teamCapacity(store: Store, request: CapacityRequest): Promise<TeamCapacity> {
  const team = await store.teams.require(request.teamId);
  const minGroupSize = await getMinGroupSize(store);
  const range = wholeWeeks(request.from, request.to);
  const members = await store.teams.membersOf(team.id);
  requireMinGroup(members.length, minGroupSize, `team "${team.name}"`, "members");

  const memberIds = new Set(members.map((m) => m.personId));
  const suggestions = (await store.results.suggestions(range.from, range.to)).filter((s) => memberIds.has(s.personId));
  const worklogs = (await store.worklogs.list({ from: range.from, to: range.to })).filter((w) => w.personId !== null && memberIds.has(w.personId));
  const contributors = new Set([...suggestions.map((s) => s.personId), ...worklogs.flatMap((w) => (w.personId === null ? [] : [w.personId]))]);
  requireMinGroup(contributors.size, minGroupSize, `team "${team.name}"`, `people with time from ${range.from} to ${range.to}`);

  // Two days of padding on each side, because each member's days are cut in their own zone.
  const padded = { from: Date.parse(`${range.from}T00:00:00Z`) - 2 * DAY_MS, to: Date.parse(`${range.to}T00:00:00Z`) + 3 * DAY_MS };
  const issues = new Map((await store.issues.list()).map((i) => [i.id, i]));
  const costCategoryOf = costCategories(await listCategoryRules(store));
  // Only the kind of each activity is needed for the work-kind breakdown, so the narrow
  // query skips decoding every column of a year of activities.
  const kinds = new Map((await store.activities.kinds(padded)).filter((a) => memberIds.has(a.personId)).map((a) => [a.id, a.kind]));
  const zones = await memberZones(store, members);
  // Only out-of-office activities change committed time, so they are read whole and grouped by member once.
  const outOfOfficeByMember = new Map<number, ActivityRecord[]>();
  for (const activity of await store.activities.list({ ...padded, kind: "out_of_office" })) {
    if (!memberIds.has(activity.personId)) continue;
    const own = outOfOfficeByMember.get(activity.personId) ?? [];
    own.push(activity);
    outOfOfficeByMember.set(activity.personId, own);
  }

  const weeks: CapacityWeek[] = range.weeks.map((week) => {
    const inWeek = (day: string) => day >= week.from && day <= week.to;
    const weekSuggestions = suggestions.filter((s) => inWeek(s.day));
    const weekWorklogs = worklogs.filter((w) => inWeek(w.day));
    const people = new Set([...weekSuggestions.map((s) => s.personId), ...weekWorklogs.flatMap((w) => (w.personId === null ? [] : [w.personId]))]);
    if (people.size < minGroupSize) return { ...week, totals: null };

    let committed = 0;
    for (const member of members) {
      const zone = zones.get(member.personId) ?? "UTC";
      const own = outOfOfficeByMember.get(member.personId) ?? [];
      committed += committedSeconds(member, week.from, week.to, outOfOfficeSecondsByDay(own, daysBetween(week.from, week.to), zone));
    }
    return {
      ...week,
      totals: {
        contributors: people.size,
        committedSeconds: committed,
        suggestedSeconds: sum(weekSuggestions.map((s) => s.seconds)),
        confirmedSeconds: sum(weekWorklogs.map((w) => w.seconds)),
        byProject: breakdown(weekSuggestions, minGroupSize, (s) => [[issueOf(issues, s)?.projectKey ?? "unlinked", s.seconds]]),
        byEpic: breakdown(weekSuggestions, minGroupSize, (s) => [[labelOr(issueOf(issues, s), (i) => i.epicKey, "no epic"), s.seconds]]),
        byIssueType: breakdown(weekSuggestions, minGroupSize, (s) => [[labelOr(issueOf(issues, s), (i) => i.issueType, "no issue type"), s.seconds]]),
        byCostCategory: breakdown(weekSuggestions, minGroupSize, (s) => [[costCategoryOf(issueOf(issues, s)), s.seconds]]),
        byCategory: breakdown(weekSuggestions, minGroupSize, (s) => categorySeconds(s, kinds)),
        linkedVersusUnlinked: breakdown(weekSuggestions, minGroupSize, (s) => [[s.issueId === null ? "unlinked" : "linked", s.seconds]]),
      },
    };
  });

  await store.audit.append({
    at: request.now ?? Date.now(),
    actor: request.actor,
    action: "read.team_capacity",
    subject: `team:${String(team.id)}`,
    details: { from: range.from, to: range.to, weeks: weeks.length, weeksShown: weeks.filter((w) => w.totals !== null).length },
  });
  return { team: { id: team.id, name: team.name }, minGroupSize, from: range.from, to: range.to, weeks };
}

function issueOf(issues: ReadonlyMap<number, IssueRecord>, suggestion: SuggestionRecord): IssueRecord | undefined {
  return suggestion.issueId === null ? undefined : issues.get(suggestion.issueId);
}

/** The issue's label from `pick`, `fallback` when the issue has none, "unlinked" without an issue. */
function labelOr(issue: IssueRecord | undefined, pick: (issue: IssueRecord) => string | null, fallback: string): string {
  if (issue === undefined) return "unlinked";
  return pick(issue) ?? fallback;
}

/** Returns a function from an issue to its cost category, which categorizes each issue once. */
function costCategories(rules: readonly CategoryRule[]): (issue: IssueRecord | undefined) => string {
  const cache = new Map<number, string>();
  return (issue) => {
    if (issue === undefined) return "unlinked";
    let category = cache.get(issue.id);
    if (category === undefined) {
      category = categorize(issue, rules);
      cache.set(issue.id, category);
    }
    return category;
  };
}

function categoryOf(kind: ActivityKind): WorkCategory {
  switch (kind) {
    case "meeting":
      return "meetings";
    case "focus":
      return "focus";
    case "commit":
    case "pull_request":
    case "ide_heartbeat":
    case "ide_session":
      return "coding";
    default:
      return "other";
  }
}

/**
 * Splits a suggestion's seconds over kinds of work in proportion to its evidence
 * activities of each kind. This is an estimate: evidence lists at most a fixed number
 * of activities, and it counts activities, not their minutes.
 */
function categorySeconds(suggestion: SuggestionRecord, kinds: ReadonlyMap<number, ActivityKind>): [string, number][] {
  const counts = new Map<WorkCategory, number>();
  for (const evidence of suggestion.evidence) {
    const kind = evidence.activityId === undefined ? undefined : kinds.get(evidence.activityId);
    if (kind === undefined) continue;
    const category = categoryOf(kind);
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  const total = sum([...counts.values()]);
  if (total === 0) return [["other", suggestion.seconds]];
  return [...counts].map(([category, count]) => [category, (suggestion.seconds * count) / total]);
}

function breakdown(suggestions: readonly SuggestionRecord[], minGroupSize: number, split: (s: SuggestionRecord) => [string, number][]): SuppressedBreakdown {
  const cells = new Map<string, { seconds: number; people: Set<number> }>();
  for (const suggestion of suggestions) {
    for (const [label, seconds] of split(suggestion)) {
      if (seconds <= 0) continue;
      const cell = cells.get(label) ?? { seconds: 0, people: new Set<number>() };
      cell.seconds += seconds;
      cell.people.add(suggestion.personId);
      cells.set(label, cell);
    }
  }
  const list: GroupCell[] = [...cells].map(([label, cell]) => ({ label, seconds: Math.round(cell.seconds), people: cell.people }));
  return suppressSmallCells(list, minGroupSize);
}

/** Zone of each member's working days: the commitment's zone, else the person's, else the one their identities report most, else UTC. */
async function memberZones(store: Store, members: readonly TeamMember[]): Promise<Map<number, string>> {
  const people = new Map((await store.people.list()).map((p) => [p.id, p.tz]));
  const zones = new Map<number, string>();
  for (const member of members) {
    let zone = member.tz ?? people.get(member.personId) ?? null;
    if (zone === null) {
      const counts = new Map<string, number>();
      for (const z of await store.people.identityZones(member.personId)) if (resolveZone(z) !== undefined) counts.set(z, (counts.get(z) ?? 0) + 1);
      zone = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "UTC";
    }
    zones.set(member.personId, zone);
  }
  return zones;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
