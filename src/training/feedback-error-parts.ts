import type { NamedSuggestion } from "../simulate/evaluate.js";
import { truthKey, type TruthRow } from "../simulate/truth.js";

/** One kind of ticket-day error: how many ticket-days, and their part of the mean absolute error. */
export interface ErrorPart {
  ticketDays: number;
  /** Sum of |suggested − true| over these ticket-days, divided by every ticket-day compared, in minutes. */
  minutes: number;
}

/**
 * The mean absolute error per ticket-day split by where it comes from. The three
 * parts add up to the mean absolute error of `ticketDayError` on the same input.
 */
export interface ErrorParts {
  /** True time on an issue with no suggestion for it: a missed or wrong link, or no trace. */
  missed: ErrorPart;
  /** A suggestion on an issue the person spent no time on that day: a false link. */
  falseLinks: ErrorPart;
  /** Both true and suggested time: the link is right, the seconds are not. */
  misSized: ErrorPart;
}

/** Splits the ticket-day error of `suggestions` against `truth` on `days`, comparing as `ticketDayError` does. */
export function ticketDayErrorParts(suggestions: readonly NamedSuggestion[], truth: readonly TruthRow[], days: readonly string[]): ErrorParts {
  const inRange = new Set(days);
  const pairs = new Map<string, { truth: number; suggested: number }>();
  const pairOf = (key: string) => {
    const existing = pairs.get(key) ?? { truth: 0, suggested: 0 };
    pairs.set(key, existing);
    return existing;
  };
  for (const row of truth) if (row.issueKey !== null && inRange.has(row.day)) pairOf(truthKey(row.personEmail, row.day, row.issueKey)).truth += row.seconds;
  for (const s of suggestions) if (s.issueKey !== null && inRange.has(s.day)) pairOf(truthKey(s.personEmail, s.day, s.issueKey)).suggested += s.seconds;

  const sums = { missed: { ticketDays: 0, seconds: 0 }, falseLinks: { ticketDays: 0, seconds: 0 }, misSized: { ticketDays: 0, seconds: 0 } };
  for (const pair of pairs.values()) {
    let part = sums.misSized;
    if (pair.suggested === 0) part = sums.missed;
    else if (pair.truth === 0) part = sums.falseLinks;
    part.ticketDays += 1;
    part.seconds += Math.abs(pair.suggested - pair.truth);
  }
  const minutes = (seconds: number) => (pairs.size === 0 ? 0 : Math.round((seconds / pairs.size / 60) * 10) / 10);
  return {
    missed: { ticketDays: sums.missed.ticketDays, minutes: minutes(sums.missed.seconds) },
    falseLinks: { ticketDays: sums.falseLinks.ticketDays, minutes: minutes(sums.falseLinks.seconds) },
    misSized: { ticketDays: sums.misSized.ticketDays, minutes: minutes(sums.misSized.seconds) },
  };
}
