import { api } from "../../api.js";
import { addDays } from "./format.js";
import type { Issue, Person, Suggestion, WeekReview, Worklog } from "./types.js";

/** Summaries of issues already fetched, by key; issues rarely change while the page is open. */
const summaries = new Map<string, string | undefined>();

/**
 * Returns the `person=ID` query of a request about `personId`, or "" when it must be left
 * out. A member's own requests must leave it out (the server rejects it from a plain
 * member), while a person with the admin role must send it even for themselves, because
 * without it the admin's lists cover everyone.
 */
export function personQuery(personId: number, selfId: number, admin: boolean): string {
  return admin || personId !== selfId ? `person=${String(personId)}` : "";
}

export function withQuery(path: string, ...parts: string[]): string {
  const query = parts.filter((part) => part !== "").join("&");
  return query === "" ? path : `${path}?${query}`;
}

export interface WeekData {
  suggestions: Suggestion[];
  review: WeekReview | undefined;
  /** The error that kept the review from loading; the grid still shows the suggestions. */
  reviewError: unknown;
  /** The error that kept the suggestions from loading, such as a manager's request the server rejects; the review is still shown. */
  suggestionsError: unknown;
  summaries: Map<string, string | undefined>;
}

/** Loads a week's suggestions and review, and the summaries of the issues in it. */
export async function loadWeek(monday: string, person: string): Promise<WeekData> {
  const range = `from=${monday}&to=${addDays(monday, 6)}`;
  const [listed, review, logged] = await Promise.all([
    settle(api.get<{ data: Suggestion[] }>(withQuery("/suggestions", range, person))),
    settle(api.get<{ data: WeekReview }>(withQuery(`/weeks/${monday}`, person))),
    settle(api.get<{ data: Worklog[] }>(withQuery("/worklogs", range, person, "origin=confirmed"))),
  ]);
  const suggestions = [...(listed.value?.data ?? [])];
  suggestions.push(...worklogsWithoutSuggestion(suggestions, logged.value?.data ?? []));
  const keys = [...new Set(suggestions.flatMap((s) => [s.issueKey, s.worklog?.issueKey ?? null]).filter((key): key is string => key !== null))];
  await Promise.all(keys.filter((key) => !summaries.has(key)).map(fetchSummary));
  return { suggestions, suggestionsError: listed.error, review: review.value?.data, reviewError: review.error, summaries };
}

/**
 * Returns confirmed worklogs that no suggestion of the week carries, as read-only grid
 * entries. Moving time to another issue logs it there without a suggestion, and the
 * week's totals count it, so the grid must show it too.
 */
function worklogsWithoutSuggestion(suggestions: readonly Suggestion[], worklogs: readonly Worklog[]): Suggestion[] {
  const carried = new Set(suggestions.flatMap((suggestion) => (suggestion.worklog === null ? [] : [suggestion.worklog.id])));
  // NOTE: a grid cell shows one entry, so time moved onto an issue that has its own
  // suggestion that day is left out of the grid. The week's confirmed total still counts it.
  const occupied = new Set(suggestions.map((suggestion) => `${suggestion.issueKey ?? "unlinked"}/${suggestion.day}`));
  // Several moves onto one issue and day share a cell, so their seconds are summed.
  const byCell = new Map<string, Suggestion>();
  for (const worklog of worklogs) {
    const cell = `${worklog.issueKey}/${worklog.day}`;
    if (carried.has(worklog.id) || worklog.personId === null || occupied.has(cell)) continue;
    const seen = byCell.get(cell);
    if (seen !== undefined) {
      seen.seconds += worklog.seconds;
      if (seen.worklog !== null) seen.worklog.seconds += worklog.seconds;
      continue;
    }
    byCell.set(cell, {
      id: `worklog-${String(worklog.id)}`,
      personId: worklog.personId,
      day: worklog.day,
      issueId: worklog.issueId,
      issueKey: worklog.issueKey,
      seconds: worklog.seconds,
      confidence: 1,
      evidence: [{ kind: "worklog", detail: "time moved here from another suggestion", at: worklog.startedAt }],
      status: "accepted",
      changedSinceReview: false,
      review: null,
      worklog: { id: worklog.id, issueKey: worklog.issueKey, seconds: worklog.seconds, startedAt: worklog.startedAt, writeBack: worklog.writeBack, remoteId: worklog.remoteId, lastError: worklog.lastError },
      worklogOnly: true,
    });
  }
  return [...byCell.values()];
}

async function settle<T>(promise: Promise<T>): Promise<{ value: T | undefined; error: unknown }> {
  try {
    return { value: await promise, error: undefined };
  } catch (error: unknown) {
    return { value: undefined, error };
  }
}

async function fetchSummary(key: string): Promise<void> {
  try {
    const response = await api.get<{ data: Issue[] }>(`/issues?key=${encodeURIComponent(key)}&limit=1`);
    summaries.set(key, response.data[0]?.summary);
  } catch {
    // A summary only labels the row; without it the key alone is shown.
    summaries.set(key, undefined);
  }
}

/** Returns the newest week with suggestions or worklogs, or undefined when the person has none. */
export async function newestWeek(person: string): Promise<string | undefined> {
  const response = await api.get<{ data: WeekReview[] }>(withQuery("/weeks", person, "limit=1"));
  return response.data[0]?.weekStart;
}

/**
 * Returns the people a viewer may pick. The admin gets everyone from GET /people. A
 * manager gets themselves plus the people of the submitted weeks they may decide,
 * because GET /people lists only the manager's own person.
 */
export async function pickablePeople(admin: boolean, manager: boolean): Promise<Person[]> {
  const people = await api.get<{ data: Person[] }>("/people").then((response) => response.data);
  if (admin || !manager) return people;
  const submitted = await api.get<{ data: WeekReview[] }>("/weeks/submitted").then(
    (response) => response.data,
    () => [],
  );
  const known = new Set(people.map((person) => person.id));
  for (const week of submitted) {
    if (known.has(week.personId)) continue;
    known.add(week.personId);
    people.push({ id: week.personId, displayName: week.personName, tz: null });
  }
  return people;
}

export function personName(person: Person): string {
  return person.displayName ?? `person ${String(person.id)}`;
}
