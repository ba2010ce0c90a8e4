import { DateTime, FixedOffsetZone, IANAZone, type Zone } from "luxon";

/** Calendar day "YYYY-MM-DD". */
export type Day = string;

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;

const OFFSET_PATTERN = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/;

/**
 * Resolve a zone name to a Luxon zone: an IANA name ("Europe/Berlin"), "UTC", or a
 * fixed offset ("+01:00", "+0100", "UTC+01:00"). Returns undefined for anything else.
 */
export function resolveZone(name: string): Zone | undefined {
  // Validating an IANA name builds an Intl.DateTimeFormat, which costs far more than the
  // arithmetic it guards, and day bucketing resolves the same few zones millions of times.
  if (zoneCache.has(name)) return zoneCache.get(name);
  const zone = lookUpZone(name);
  if (zoneCache.size >= MAX_CACHED_ZONES) zoneCache.clear();
  zoneCache.set(name, zone);
  return zone;
}

/** Bound on cached zone names, so arbitrary input cannot grow the cache without limit. */
const MAX_CACHED_ZONES = 1024;
const zoneCache = new Map<string, Zone | undefined>();

function lookUpZone(name: string): Zone | undefined {
  const trimmed = name.trim();
  if (trimmed === "Z" || trimmed.toUpperCase() === "UTC" || trimmed.toUpperCase() === "GMT") {
    return FixedOffsetZone.utcInstance;
  }
  const offset = OFFSET_PATTERN.exec(trimmed);
  if (offset) {
    const [, sign, hours, minutes] = offset;
    const total = Number(hours) * 60 + Number(minutes);
    // Real UTC offsets lie within ±18 hours (the range java.time and ISO 8601 profiles accept).
    if (Number(minutes) > 59 || total > 18 * 60) return undefined;
    return FixedOffsetZone.instance(sign === "-" ? -total : total);
  }
  return IANAZone.isValidZone(trimmed) ? IANAZone.create(trimmed) : undefined;
}

/** Like resolveZone, but throws with the name when it is not a zone. */
export function requireZone(name: string): Zone {
  const zone = resolveZone(name);
  if (!zone) {
    throw new RangeError(
      `invalid time zone "${name}": use an IANA name such as Europe/Berlin or an offset such as +01:00`,
    );
  }
  return zone;
}

/** Canonical stored name of a fixed offset in minutes east of UTC: "UTC", "UTC+01:00", "UTC-05:30". */
export function offsetZoneName(offsetMinutes: number): string {
  if (offsetMinutes === 0) return "UTC";
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `UTC${sign}${hh}:${mm}`;
}

/** Calendar day of an instant in a zone. The host's TZ never enters. */
export function dayOf(instant: number, zone: string): Day {
  const local = DateTime.fromMillis(instant, { zone: requireZone(zone) });
  return local.toISODate() ?? fail(`instant ${instant} is outside the supported date range`);
}

/** Return the instant at which a calendar day starts in a zone, handling DST gaps at midnight. */
export function startOfDay(day: Day, zone: string): number {
  const local = DateTime.fromISO(day, { zone: requireZone(zone) }).startOf("day");
  if (!local.isValid) throw new RangeError(`invalid day "${day}": expected YYYY-MM-DD`);
  return local.toMillis();
}

export function nextDay(day: Day): Day {
  return DateTime.fromISO(day, { zone: "UTC" }).plus({ days: 1 }).toISODate() ?? fail(`invalid day ${day}`);
}

export interface DaySlice {
  day: Day;
  start: number;
  end: number;
}

/**
 * Split the interval [start, end) at local midnights of a zone, so that time that
 * spans midnight lands on each day in its true share. An empty interval yields none.
 */
export function splitByDay(start: number, end: number, zone: string): DaySlice[] {
  const slices: DaySlice[] = [];
  let cursor = start;
  while (cursor < end) {
    const day = dayOf(cursor, zone);
    const boundary = startOfDay(nextDay(day), zone);
    const sliceEnd = Math.min(end, boundary);
    slices.push({ day, start: cursor, end: sliceEnd });
    cursor = sliceEnd;
  }
  return slices;
}

/** List every day from `from` to `to`, both included. */
export function daysBetween(from: Day, to: Day): Day[] {
  const days: Day[] = [];
  for (let d = from; d <= to; d = nextDay(d)) days.push(d);
  return days;
}

const JIRA_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

export interface ParsedInstant {
  instant: number;
  /** Offset of the text in minutes east of UTC. */
  offsetMinutes: number;
}

/**
 * Parse an ISO-8601 instant with an explicit offset, including Jira's form without a
 * colon ("2025-03-10T00:30:00.000+0100"). Explicit parsing, because Date.parse of that
 * form is implementation-defined. Returns undefined for text without an offset.
 */
export function parseOffsetInstant(text: string): ParsedInstant | undefined {
  const match = JIRA_INSTANT.exec(text.trim());
  if (!match) return undefined;
  const [, date, hh, mi, ss, frac, offset] = match;
  const offsetMinutes = parseOffset(offset ?? "Z");
  const millis = Math.round(Number(`0.${frac ?? "0"}`) * 1000);
  const local = DateTime.fromISO(`${date}T${hh}:${mi}:${ss ?? "00"}`, { zone: "UTC" });
  if (!local.isValid) return undefined;
  return { instant: local.toMillis() + millis - offsetMinutes * MS_PER_MINUTE, offsetMinutes };
}

function parseOffset(offset: string): number {
  if (offset === "Z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/** Format an instant for Jira's worklog `started`: local time in `zone` with a numeric offset, no colon. */
export function formatJiraInstant(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone: requireZone(zone) }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ");
}

/** Earliest and latest instants worklens accepts: 1990 to 2100. Anything outside is treated as a corrupt date. */
export const MIN_PLAUSIBLE_INSTANT = Date.UTC(1990, 0, 1);
export const MAX_PLAUSIBLE_INSTANT = Date.UTC(2100, 0, 1);

export function isPlausibleInstant(instant: number): boolean {
  return Number.isFinite(instant) && instant >= MIN_PLAUSIBLE_INSTANT && instant < MAX_PLAUSIBLE_INSTANT;
}

function fail(message: string): never {
  throw new RangeError(message);
}
