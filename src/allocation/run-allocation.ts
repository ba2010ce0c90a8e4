import { DateTime } from "luxon";
import { startOfDay, nextDay } from "../domain/time.js";
import type { Store } from "../store/store.js";
import { allocate, allocateDetailed, DEFAULT_ALLOCATION_OPTIONS, type Allocation, type AllocationOptions } from "./allocate.js";
import { applyTimeModel, historyStartOf } from "./model-allocation.js";
import type { TimeModel } from "./time-model.js";

/** Days from `from` to `to`, both included; a missing end means the first or last day with activity. */
export interface DayRange {
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Suggest worklogs for every day of `range` and replace the stored suggestions of
 * those days. Activities two days beyond each end are read too, because zones shift
 * days and a commit session can start before midnight.
 *
 * With a time model, linked suggestions get the model's seconds under the capacity
 * policy of `applyTimeModel`, and activities from `HISTORY_CALENDAR_DAYS` before the
 * range are read too for the usual day length. Without one, the seconds are the rules'.
 */
export async function runAllocation(
  store: Store,
  range: DayRange = {},
  options: AllocationOptions = DEFAULT_ALLOCATION_OPTIONS,
  timeModel?: TimeModel,
): Promise<Allocation & { range: Required<DayRange> | undefined }> {
  const padding = 2 * 86_400_000;
  let from: number | undefined;
  if (range.from !== undefined) from = timeModel === undefined ? startOfDay(range.from, "UTC") : historyStartOf(range.from);
  const activities = await store.activities.list({
    ...(from === undefined ? {} : { from: from - padding }),
    ...(range.to === undefined ? {} : { to: startOfDay(nextDay(range.to), "UTC") + padding }),
  });
  const people = await store.people.list();
  const zones = new Map(people.map((p) => [p.id, p.tz]));
  const links = await store.results.links();
  const input = { activities, links, zones };
  const allocation = timeModel === undefined ? allocate(input, options) : applyTimeModel(allocateDetailed(input, options), timeModel, options);

  const span = spanOf(allocation.suggestions.map((s) => s.day));
  const first = range.from ?? span?.from;
  const last = range.to ?? span?.to;
  if (first === undefined || last === undefined) return { ...allocation, range: undefined };
  const inRange = (day: string) => day >= first && day <= last;
  const suggestions = allocation.suggestions.filter((s) => inRange(s.day));
  const days = allocation.days.filter((d) => inRange(d.day));
  await store.transaction((tx) => tx.results.replaceSuggestions(first, last, suggestions));
  return { suggestions, days, range: { from: first, to: last } };
}

function spanOf(days: readonly string[]): Required<DayRange> | undefined {
  if (days.length === 0) return undefined;
  let from = days[0] ?? "";
  let to = from;
  for (const day of days) {
    if (day < from) from = day;
    if (day > to) to = day;
  }
  return { from, to };
}

/** Parse --from and --to, each a YYYY-MM-DD date or absent. */
export function parseDayRange(from: string | undefined, to: string | undefined): DayRange {
  for (const [name, value] of [["--from", from], ["--to", to]] as const) {
    if (value === undefined) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new RangeError(`invalid ${name} "${value}": expected a date as YYYY-MM-DD`);
    if (!DateTime.fromISO(value, { zone: "UTC" }).isValid) throw new RangeError(`invalid ${name} "${value}": no such calendar date`);
  }
  if (from !== undefined && to !== undefined && to < from) throw new RangeError(`invalid range: --to ${to} is before --from ${from}`);
  return { from, to };
}
