import type { Store } from "../store/store.js";
import { truthKey, type TruthRow } from "./truth.js";

/** A stored suggestion with its person's e-mail and its issue's key, the terms the truth uses. */
export interface NamedSuggestion {
  personId: number;
  personEmail: string;
  day: string;
  /** Null for time linked to no issue. */
  issueKey: string | null;
  seconds: number;
}

/** Loads the stored suggestions of days `from` to `to` (both included), naming people by e-mail and issues by key. */
export async function loadNamedSuggestions(store: Store, from?: string, to?: string): Promise<NamedSuggestion[]> {
  const people = await store.people.list();
  const emails = new Map(people.map((p) => [p.id, p.email?.toLowerCase() ?? `person:${p.id}`]));
  const keys = new Map((await store.issues.list()).map((i) => [i.id, i.key]));
  const suggestions = await store.results.suggestions(from, to);
  return suggestions.map((s) => ({
    personId: s.personId,
    personEmail: emails.get(s.personId) ?? `person:${s.personId}`,
    day: s.day,
    issueKey: s.issueId === null ? null : (keys.get(s.issueId) ?? null),
    seconds: s.seconds,
  }));
}

export interface TicketDayError {
  /** Person-day-issue triples with true or suggested time on an issue. */
  ticketDays: number;
  /** Mean over those triples of |suggested - true| seconds. */
  meanAbsoluteErrorSeconds: number;
  /** Mean true seconds over the triples with true time. */
  meanTrueSeconds: number;
  /** Sums over all triples, to see whether suggestions over- or under-count. */
  trueSeconds: number;
  suggestedSeconds: number;
}

/**
 * Compares suggestions with the truth per person, local day and issue, over the
 * days listed in `days`. Time on no issue is left out on both sides, and a triple
 * missing on one side counts as 0 there.
 */
export function ticketDayError(suggestions: readonly NamedSuggestion[], truth: readonly TruthRow[], days: readonly string[]): TicketDayError {
  const inRange = new Set(days);
  const pairs = new Map<string, { truth: number; suggested: number }>();
  const pairOf = (key: string) => {
    const existing = pairs.get(key);
    if (existing !== undefined) return existing;
    const created = { truth: 0, suggested: 0 };
    pairs.set(key, created);
    return created;
  };
  for (const row of truth) {
    if (row.issueKey !== null && inRange.has(row.day)) pairOf(truthKey(row.personEmail, row.day, row.issueKey)).truth += row.seconds;
  }
  for (const s of suggestions) {
    if (s.issueKey !== null && inRange.has(s.day)) pairOf(truthKey(s.personEmail, s.day, s.issueKey)).suggested += s.seconds;
  }

  let absolute = 0;
  let trueSeconds = 0;
  let suggestedSeconds = 0;
  let withTruth = 0;
  for (const pair of pairs.values()) {
    absolute += Math.abs(pair.suggested - pair.truth);
    trueSeconds += pair.truth;
    suggestedSeconds += pair.suggested;
    if (pair.truth > 0) withTruth += 1;
  }
  return {
    ticketDays: pairs.size,
    meanAbsoluteErrorSeconds: pairs.size === 0 ? 0 : absolute / pairs.size,
    meanTrueSeconds: withTruth === 0 ? 0 : trueSeconds / withTruth,
    trueSeconds,
    suggestedSeconds,
  };
}
