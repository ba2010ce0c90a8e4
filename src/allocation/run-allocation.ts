import { DateTime } from "luxon";
import { startOfDay, nextDay } from "../domain/time.js";
import type { Store } from "../store/store.js";
import { allocate, DEFAULT_ALLOCATION_OPTIONS, type Allocation, type AllocationOptions } from "./allocate.js";

export interface DayRange {
  from: string;
  to: string;
}

/**
 * Suggest worklogs for every day of `range` (all stored days when absent) and replace
 * the stored suggestions of those days. Activities a day beyond each end are read too,
 * because zones shift days and a commit session can start before midnight.
 */
export async function runAllocation(
  store: Store,
  range: DayRange | undefined,
  options: AllocationOptions = DEFAULT_ALLOCATION_OPTIONS,
): Promise<Allocation & { range: DayRange | undefined }> {
  const padding = 2 * 86_400_000;
  const activities = await store.activities.list(
    range ? { from: startOfDay(range.from, "UTC") - padding, to: startOfDay(nextDay(range.to), "UTC") + padding } : {},
  );
  const people = await store.people.list();
  const zones = new Map(people.map((p) => [p.id, p.tz]));
  const links = await store.results.links();
  const allocation = allocate({ activities, links, zones }, options);

  const effective = range ?? spanOf(allocation.suggestions.map((s) => s.day));
  if (!effective) return { ...allocation, range: undefined };
  const inRange = (day: string) => day >= effective.from && day <= effective.to;
  const suggestions = allocation.suggestions.filter((s) => inRange(s.day));
  const days = allocation.days.filter((d) => inRange(d.day));
  await store.transaction((tx) => tx.results.replaceSuggestions(effective.from, effective.to, suggestions));
  return { suggestions, days, range: effective };
}

function spanOf(days: readonly string[]): DayRange | undefined {
  if (days.length === 0) return undefined;
  let from = days[0] ?? "";
  let to = from;
  for (const day of days) {
    if (day < from) from = day;
    if (day > to) to = day;
  }
  return { from, to };
}

/** Parse a --from/--to pair of YYYY-MM-DD dates; either one alone means that single day. */
export function parseDayRange(from: string | undefined, to: string | undefined): DayRange | undefined {
  if (from === undefined && to === undefined) return undefined;
  const start = from ?? to ?? "";
  const end = to ?? from ?? "";
  for (const [name, value] of [["--from", start], ["--to", end]] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: "UTC" }).isValid) {
      throw new RangeError(`invalid ${name} "${value}": expected a date as YYYY-MM-DD`);
    }
  }
  if (end < start) throw new RangeError(`invalid range: --to ${end} is before --from ${start}`);
  return { from: start, to: end };
}
