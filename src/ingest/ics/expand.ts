import { createRequire } from "node:module";
import type * as NodeIcal from "node-ical";
import type { DateWithTimeZone, RRule, VEvent } from "node-ical";
import { DateTime } from "luxon";
import {
  MAX_PLAUSIBLE_INSTANT,
  MIN_PLAUSIBLE_INSTANT,
  MS_PER_HOUR,
  dayOf,
  isPlausibleInstant,
  startOfDay,
  type Day,
} from "../../domain/time.js";
import { zoneByName, type CalendarZone } from "./zones.js";

// node-ical is CommonJS and Node cannot see its named exports from ESM, so it is loaded through require.
const ical = createRequire(import.meta.url)("node-ical") as typeof NodeIcal;

const MS_PER_DAY = 24 * MS_PER_HOUR;
const MS_PER_YEAR = 365 * MS_PER_DAY;

/** A VEVENT as node-ical returns it: a series, a single event, or one moved instance (RECURRENCE-ID). */
export type EventComponent = VEvent;

export type OccurrenceTime =
  | { dateOnly: false; start: number; end: number; zone: CalendarZone }
  | { dateOnly: true; firstDay: Day; dayCount: number };

export interface Occurrence {
  /** The component whose properties (title, status...) describe this occurrence. */
  component: EventComponent;
  /** True for an instance a RECURRENCE-ID component replaced. */
  moved: boolean;
  time: OccurrenceTime;
}

export interface ExpandOptions {
  /** Expansion window in epoch ms: occurrences that overlap [from, to) are kept. */
  from: number;
  to: number;
  /** Zone for floating and UTC times and for the instants of all-day dates. */
  calendarZone: CalendarZone;
  maxOccurrences: number;
}

export interface Expansion {
  occurrences: Occurrence[];
  /** Components left out, each with the reason. `part` is "" for the series itself, else it names the moved instance. */
  problems: { part: string; reason: string }[];
  warnings: string[];
}

/** Parse normalized calendar text with node-ical and return its VEVENTs. Throws what node-ical throws. */
export function parseEvents(text: string): VEvent[] {
  const parsed = ical.sync.parseICS(text);
  const events: VEvent[] = [];
  for (const component of Object.values(parsed)) {
    if (component?.type === "VEVENT") events.push(component);
  }
  return events;
}

/**
 * Expand one VEVENT (with its RECURRENCE-ID instances) into occurrences that overlap
 * the window. The rule comes from node-ical; EXDATE, moved instances and the
 * window are applied here, on true instants for timed events and on dates for
 * all-day events, so that no step depends on the host's zone.
 */
export function expandEvent(event: VEvent, options: ExpandOptions): Expansion {
  const expansion: Expansion = { occurrences: [], problems: [], warnings: [] };
  const from = Math.max(options.from, MIN_PLAUSIBLE_INSTANT);
  const to = Math.min(options.to, MAX_PLAUSIBLE_INSTANT);
  // node-ical types moved instances as Omit<VEvent, "recurrences">, which loses every named field
  // because VEvent has an index signature; at run time they are VEVENT objects without `recurrences`.
  const moved = [...new Set(Object.values(event.recurrences ?? {}))] as EventComponent[];

  // A RECURRENCE-ID component whose series is not in the file arrives as the event itself.
  const isSeries = event.recurrenceid === undefined || event.rrule !== undefined;
  let seriesTime: OccurrenceTime | undefined;
  let capped = false;
  if (isSeries) {
    // A series may start before 1990 (a yearly birthday) and still recur inside the window.
    const base = occurrenceTime(event, options.calendarZone, undefined, event.rrule === undefined);
    if (typeof base === "string") {
      expansion.problems.push({ part: "", reason: base });
      return expansion;
    }
    seriesTime = base;
    capped = expandSeries(event, base, moved, { ...options, from, to }, expansion);
  }

  for (const component of moved) {
    const time = occurrenceTime(component, options.calendarZone, seriesTime, true);
    const part = `moved instance ${describeRecurrenceId(component.recurrenceid, options.calendarZone)}`;
    if (typeof time === "string") expansion.problems.push({ part, reason: time });
    else if (overlaps(time, from, to, options.calendarZone)) expansion.occurrences.push({ component, moved: true, time });
  }

  const startOf = new Map(expansion.occurrences.map((occurrence) => [occurrence, bounds(occurrence.time, options.calendarZone)[0]]));
  expansion.occurrences.sort((a, b) => (startOf.get(a) ?? 0) - (startOf.get(b) ?? 0));
  const overCap = expansion.occurrences.length > options.maxOccurrences;
  if (overCap) expansion.occurrences.length = options.maxOccurrences;
  if (overCap || capped) {
    expansion.warnings.push(
      `it has more than ${options.maxOccurrences} occurrences in the import window, so only the first ${options.maxOccurrences} were imported; ` +
        `pass a narrower from/to window to import the rest`,
    );
  }
  return expansion;
}

/** Add the series' own occurrences. Returns true when the cap cut off starts inside the window. */
function expandSeries(event: VEvent, base: OccurrenceTime, moved: readonly EventComponent[], options: ExpandOptions, expansion: Expansion): boolean {
  const { from, to, calendarZone } = options;
  const replaced = keysOf(moved.flatMap((component) => component.recurrenceid ?? []), calendarZone);
  if (event.rrule === undefined) {
    if (!matches(base, replaced) && overlaps(base, from, to, calendarZone)) {
      expansion.occurrences.push({ component: event, moved: false, time: base });
    }
    return false;
  }

  const [baseStart, baseEnd] = bounds(base, calendarZone);
  const searchFrom = Math.max(from - (baseEnd - baseStart) - 2 * MS_PER_DAY, baseStart - 2 * MS_PER_DAY);
  const searchTo = to + 2 * MS_PER_DAY;
  if (searchFrom >= searchTo) return false;

  const starts = ruleStarts(event.rrule, searchFrom, searchTo, options.maxOccurrences);
  if (starts.error !== undefined) {
    expansion.problems.push({ part: "", reason: `its RRULE could not be expanded (${starts.error}): check the rule` });
    return false;
  }

  const excluded = keysOf(Object.values(event.exdate ?? {}), calendarZone);
  for (const date of starts.dates.slice(0, options.maxOccurrences)) {
    const time = shiftTo(base, date);
    if (matches(time, excluded) || matches(time, replaced)) continue;
    if (overlaps(time, from, to, calendarZone)) expansion.occurrences.push({ component: event, moved: false, time });
  }

  const firstCut = starts.dates[options.maxOccurrences];
  return firstCut !== undefined && firstCut.getTime() < to;
}

/** Instants and dates that identify occurrences, from EXDATE or RECURRENCE-ID values. */
interface OccurrenceKeys {
  instants: Set<number>;
  /** DATE values: every occurrence on that date matches. */
  dates: Set<Day>;
  /** Dates of DATE-TIME values in their own zone, which is how an all-day occurrence is matched. */
  datesOfInstants: Set<Day>;
}

function keysOf(values: readonly DateWithTimeZone[], calendarZone: CalendarZone): OccurrenceKeys {
  const keys: OccurrenceKeys = { instants: new Set(), dates: new Set(), datesOfInstants: new Set() };
  for (const value of new Set(values)) {
    if (value.dateOnly === true) {
      keys.dates.add(localDate(value));
    } else {
      keys.instants.add(value.getTime());
      keys.datesOfInstants.add(dayOf(value.getTime(), zoneOf(value, calendarZone).name));
    }
  }
  return keys;
}

function matches(time: OccurrenceTime, keys: OccurrenceKeys): boolean {
  if (time.dateOnly) return keys.dates.has(time.firstDay) || keys.datesOfInstants.has(time.firstDay);
  return keys.instants.has(time.start) || keys.dates.has(dayOf(time.start, time.zone.name));
}

/** Move the series' time to one start that the rule produced. */
function shiftTo(base: OccurrenceTime, date: Date): OccurrenceTime {
  if (base.dateOnly) return { dateOnly: true, firstDay: localDate(date), dayCount: base.dayCount };
  return { ...base, start: date.getTime(), end: date.getTime() + (base.end - base.start) };
}

/**
 * Time of a component from its DTSTART and DTEND (node-ical has already applied
 * DURATION). A moved instance without its own length takes the series' length.
 * Returns a reason when the component cannot be used, or when `checkPlausible` is
 * set and the time lies outside the plausible range.
 */
function occurrenceTime(
  component: EventComponent,
  calendarZone: CalendarZone,
  series: OccurrenceTime | undefined,
  checkPlausible: boolean,
): OccurrenceTime | string {
  const time = readTime(component, calendarZone, series);
  if (typeof time === "string" || !checkPlausible) return time;
  return implausible(time, calendarZone) ?? time;
}

function readTime(component: EventComponent, calendarZone: CalendarZone, series: OccurrenceTime | undefined): OccurrenceTime | string {
  const start = component.start as DateWithTimeZone | undefined;
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) return "has no valid DTSTART";
  const end = component.end instanceof Date && !Number.isNaN(component.end.getTime()) ? component.end : undefined;

  if (component.datetype === "date" || start.dateOnly === true) {
    // Both are host-local midnights, so a DST change on the host makes a day 23 or 25 hours; rounding absorbs it.
    const dayCount = end === undefined ? 1 : Math.round((end.getTime() - start.getTime()) / MS_PER_DAY);
    if (dayCount < 0) return "its DTEND is before its DTSTART: fix the event's dates";
    return { dateOnly: true, firstDay: localDate(start), dayCount: Math.max(dayCount, 1) };
  }

  const startAt = start.getTime();
  let endAt = end?.getTime() ?? startAt;
  if (endAt < startAt) return "its DTEND is before its DTSTART: fix the event's times";
  if (endAt === startAt && series !== undefined && !series.dateOnly) endAt = startAt + (series.end - series.start);
  return { dateOnly: false, start: startAt, end: endAt, zone: zoneOf(start, calendarZone) };
}

function implausible(time: OccurrenceTime, calendarZone: CalendarZone): string | undefined {
  const [start, end] = bounds(time, calendarZone);
  if (isPlausibleInstant(start) && isPlausibleInstant(end)) return undefined;
  const when = time.dateOnly ? time.firstDay : new Date(time.start).toISOString();
  return `its date ${when} is outside 1990-2099, which worklens treats as a corrupt date: fix the event's DTSTART and DTEND`;
}

/** Start and end instants; an all-day occurrence runs from midnight to midnight in the calendar's zone. */
export function bounds(time: OccurrenceTime, calendarZone: CalendarZone): [number, number] {
  if (!time.dateOnly) return [time.start, time.end];
  const first = DateTime.fromISO(time.firstDay, { zone: "UTC" });
  const after = first.plus({ days: time.dayCount }).toISODate() ?? time.firstDay;
  return [startOfDay(time.firstDay, calendarZone.name), startOfDay(after, calendarZone.name)];
}

function overlaps(time: OccurrenceTime, from: number, to: number, calendarZone: CalendarZone): boolean {
  const [start, end] = bounds(time, calendarZone);
  return start === end ? start >= from && start < to : start < to && end > from;
}

/**
 * Read the date that node-ical means by a DATE value. node-ical 0.26 builds DATE
 * values (and the dates an all-day RRULE yields) at host-local midnight, so the
 * host's local calendar fields give back the date written in the file.
 *
 * NOTE: on a host whose zone skipped a whole calendar day (Pacific/Apia skipped
 * 2011-12-30), node-ical cannot build that date, and the next date comes back.
 */
function localDate(date: Date): Day {
  const month = String(date.getMonth() + 1).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, "0");
  return `${String(date.getFullYear()).padStart(4, "0")}-${month}-${day}`;
}

/**
 * Find the zone of a DATE-TIME. A UTC time ("Z"), which node-ical marks with
 * "Etc/UTC", carries no local zone, so the calendar's zone decides its local day.
 * Other values carry the TZID that normalizeEvent wrote.
 */
function zoneOf(date: DateWithTimeZone, calendarZone: CalendarZone): CalendarZone {
  if (date.tz === undefined || date.tz === "Etc/UTC") return calendarZone;
  return zoneByName(date.tz) ?? calendarZone;
}

/** Format the RECURRENCE-ID of a moved instance for messages: its date, and its instant when it has a time. */
export function describeRecurrenceId(date: DateWithTimeZone | undefined, calendarZone: CalendarZone): string {
  if (date === undefined) return "(no RECURRENCE-ID)";
  if (date.dateOnly === true) return localDate(date);
  return `${dayOf(date.getTime(), zoneOf(date, calendarZone).name)} (${date.toISOString()})`;
}

interface RuleStarts {
  dates: Date[];
  error?: string;
}

/**
 * Return the occurrence starts of a rule in [from, to], at most `cap` + 1, where
 * an extra start shows the caller that the cap was reached. rrule-temporal, which
 * node-ical uses, throws after 10,000 iterations in one call, so a dense
 * open-ended rule (FREQ=MINUTELY) is walked in shrinking chunks up to the cap.
 *
 * NOTE: a rule with COUNT is stepped from its DTSTART on every call, so when the
 * window starts more than 10,000 steps after DTSTART it fails however small the
 * chunk (seen with rrule-temporal 1.6.0: FREQ=DAILY;COUNT=20000 from 1990, window in 2025).
 */
function ruleStarts(rule: RRule, from: number, to: number, cap: number): RuleStarts {
  try {
    return { dates: rule.between(new Date(from), new Date(to), true).slice(0, cap + 1) };
  } catch (error) {
    if (!isIterationLimit(error)) return { dates: [], error: messageOf(error) };
  }

  const seen = new Set<number>();
  const dates: Date[] = [];
  let chunk = MS_PER_YEAR;
  let cursor = from;
  while (cursor < to && dates.length <= cap) {
    const chunkEnd = Math.min(cursor + chunk, to);
    let found: Date[];
    try {
      found = rule.between(new Date(cursor), new Date(chunkEnd), true);
    } catch (error) {
      if (!isIterationLimit(error) || chunk <= MS_PER_HOUR) return { dates, error: messageOf(error) };
      chunk = Math.max(chunk / 10, MS_PER_HOUR);
      continue;
    }
    for (const date of found) {
      if (seen.has(date.getTime())) continue;
      seen.add(date.getTime());
      dates.push(date);
    }
    cursor = chunkEnd;
  }
  return { dates: dates.slice(0, cap + 1) };
}

function isIterationLimit(error: unknown): boolean {
  return error instanceof Error && error.message.includes("Maximum iterations");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
