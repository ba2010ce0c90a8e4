import type { VEvent } from "node-ical";
import { WorklensError, invalidInput } from "../../domain/errors.js";
import { MIN_PLAUSIBLE_INSTANT, isPlausibleInstant } from "../../domain/time.js";
import type { ActivityInput, IdentityInput } from "../../domain/types.js";
import type { ParseResult } from "../parse-result.js";
import { occurrenceActivities } from "./activities.js";
import { classifyEvent, type Classification } from "./classify.js";
import { firstProperty, readCalendar, type Calendar } from "./components.js";
import { describeRecurrenceId, expandEvent, parseEvents, type EventComponent } from "./expand.js";
import { eventFacts, eventText } from "./facts.js";
import { groupEvents, isMovedInstance, type EventGroup } from "./groups.js";
import { containsNul, unfoldLines } from "./lines.js";
import { normalizeEvent } from "./normalize.js";
import { UTC_ZONE, ZoneResolver, zoneByName, type CalendarZone } from "./zones.js";

export interface IcsParseOptions {
  /** Name of the file in messages. */
  file: string;
  /** The calendar's owner: the actor of every activity, and the attendee whose declines are skipped. */
  person: IdentityInput;
  /** Zone for floating times and all-day dates when the calendar has no X-WR-TIMEZONE; UTC when unset. */
  defaultZone?: string | undefined;
  /** Start of the expansion window in epoch ms; see expansionWindow for the default. */
  from?: number | undefined;
  /** End of the expansion window in epoch ms; see expansionWindow for the default. */
  to?: number | undefined;
  /** Current time in epoch ms, for the default window end; Date.now() when unset. */
  now?: number | undefined;
}

/** Occurrences kept per event; a rule with more in the window is cut off with a warning. */
export const MAX_OCCURRENCES_PER_EVENT = 5_000;

/** How far past the later of "now" and the file's last DTSTART an open-ended rule is expanded by default. */
const DEFAULT_HORIZON_MS = 366 * 24 * 3_600_000;

/**
 * Parse an iCalendar file into one activity per occurrence per local day.
 * Pure: the bytes in, records out. Throws invalidInput when the bytes are not a
 * calendar at all, and a USAGE error for an invalid option. A bad event is
 * skipped with a reason, and the rest is imported.
 */
export function parseIcs(bytes: Buffer, options: IcsParseOptions): ParseResult<ActivityInput> {
  const { file } = options;
  const result: ParseResult<ActivityInput> = { records: [], skipped: [], warnings: [] };

  const unfolded = unfoldLines(bytes, file);
  result.warnings.push(...unfolded.warnings);
  const calendar = readCalendar(unfolded.lines);
  if (calendar === undefined) throw notACalendar(file, bytes);
  reportDamage(calendar, file, result.warnings);

  const calendarZone = chooseCalendarZone(calendar, options, result.warnings);
  const window = expansionWindow(calendar, options);
  const zones = new ZoneResolver(calendar.timezones, calendarZone, file, result.warnings);
  const { groups, skipped } = groupEvents(calendar.events);
  result.skipped.push(...skipped);

  for (const group of groups) {
    readGroup(group, { file, person: options.person, calendarZone, zones, ...window }, result);
  }
  return result;
}

interface GroupContext {
  file: string;
  person: IdentityInput;
  calendarZone: CalendarZone;
  zones: ZoneResolver;
  from: number;
  to: number;
}

/** Normalize, parse, expand and classify one UID's blocks, adding activities, skips and warnings to `result`. */
function readGroup(group: EventGroup, context: GroupContext, result: ParseResult<ActivityInput>): void {
  const record = `event ${group.uid} (line ${group.lineNumber})`;
  const blocks: string[] = [];
  for (const block of group.blocks) {
    const normalized = normalizeEvent(block, context.zones, context.calendarZone);
    if (!normalized.ok) {
      // Without its series block the moved instances would stand alone, so the whole UID is skipped.
      if (!isMovedInstance(block)) {
        result.skipped.push({ record, reason: normalized.reason });
        return;
      }
      result.skipped.push({ record: `${record}, moved instance at line ${block.lineNumber}`, reason: normalized.reason });
      continue;
    }
    for (const warning of normalized.warnings) result.warnings.push(`${context.file}: ${record}: ${warning}`);
    if (firstProperty(block, "RDATE") !== undefined) {
      // NOTE: node-ical 0.26 ignores RDATE, so the extra dates a series lists are missing.
      result.warnings.push(`${context.file}: ${record}: RDATE is not supported, so the extra dates it lists were not imported`);
    }
    blocks.push(normalized.text);
  }
  if (blocks.length === 0) return;

  const seriesBlocks = group.blocks.filter((block) => !isMovedInstance(block)).length;
  if (seriesBlocks > 1) {
    result.warnings.push(
      `${context.file}: ${record}: ${seriesBlocks} events share this UID without RECURRENCE-ID, so they were merged into one, ` +
        `taking the fields of the one with the highest SEQUENCE (the later one on a tie). Give each event its own UID.`,
    );
  }

  let events: VEvent[];
  try {
    events = parseEvents(["BEGIN:VCALENDAR", "VERSION:2.0", ...blocks, "END:VCALENDAR", ""].join("\r\n"));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result.skipped.push({ record, reason: `it could not be parsed (${message}): check its RRULE and date lines` });
    return;
  }

  for (const event of events) addOccurrences(event, group.uid, record, context, result);
}

function addOccurrences(event: VEvent, uid: string, record: string, context: GroupContext, result: ParseResult<ActivityInput>): void {
  const expansion = expandEvent(event, {
    from: context.from,
    to: context.to,
    calendarZone: context.calendarZone,
    maxOccurrences: MAX_OCCURRENCES_PER_EVENT,
  });
  for (const problem of expansion.problems) {
    result.skipped.push({ record: problem.part === "" ? record : `${record}, ${problem.part}`, reason: problem.reason });
  }
  for (const warning of expansion.warnings) result.warnings.push(`${context.file}: ${record}: ${warning}`);

  // Each component is classified, and reported when skipped, once for all its occurrences.
  const decisions = new Map<EventComponent, Classification>();
  const componentRecord = (component: EventComponent): string =>
    component.recurrenceid === undefined ? record : `${record}, moved instance ${describeRecurrenceId(component.recurrenceid, context.calendarZone)}`;

  for (const occurrence of expansion.occurrences) {
    const component = occurrence.component;
    let decision = decisions.get(component);
    if (decision === undefined) {
      decision = classifyEvent(eventFacts(component, context.person));
      const time = occurrence.time;
      if (!("skip" in decision) && !time.dateOnly && time.start === time.end) {
        decision = { skip: "it has no duration (DTEND equals DTSTART), so it took no time" };
      }
      decisions.set(component, decision);
      if ("skip" in decision) result.skipped.push({ record: componentRecord(component), reason: decision.skip });
    }
    if ("skip" in decision) continue;

    const activities = occurrenceActivities(uid, occurrence, decision.kind, eventText(component), decision.keepText, {
      person: context.person,
      calendarZone: context.calendarZone,
      from: context.from,
      to: context.to,
    });
    result.records.push(...activities);
  }
}

/** Choose the zone for floating times and all-day dates: X-WR-TIMEZONE, else `defaultZone`, else UTC. */
function chooseCalendarZone(calendar: Calendar, options: IcsParseOptions, warnings: string[]): CalendarZone {
  let fallback = UTC_ZONE;
  if (options.defaultZone !== undefined) {
    const zone = zoneByName(options.defaultZone);
    if (zone === undefined) {
      throw new WorklensError(
        "USAGE",
        `invalid default time zone "${options.defaultZone}"`,
        "Use an IANA name such as Europe/Berlin or an offset such as +01:00.",
      );
    }
    fallback = zone;
  }

  const declared = calendar.properties.find((property) => property.name === "X-WR-TIMEZONE")?.value.trim();
  if (declared === undefined || declared === "") return fallback;
  const zone = zoneByName(declared);
  if (zone !== undefined) return zone;
  warnings.push(`${options.file}: X-WR-TIMEZONE "${declared}" is not a known time zone, so ${fallback.name} was used for floating times and all-day dates.`);
  return fallback;
}

/**
 * Compute the window that bounds recurrence expansion, in epoch ms. By default it
 * starts at the plausible minimum, because a rule never recurs before its DTSTART.
 * It ends 366 days after the later of now and the file's last DTSTART. That bounds
 * open-ended rules and still keeps every single event.
 */
export function expansionWindow(calendar: Calendar, options: IcsParseOptions): { from: number; to: number } {
  const from = options.from ?? MIN_PLAUSIBLE_INSTANT;
  const to = options.to ?? Math.max(options.now ?? Date.now(), latestStart(calendar)) + DEFAULT_HORIZON_MS;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    throw new WorklensError(
      "USAGE",
      `invalid import window from ${from} to ${to}`,
      "Pass from and to as epoch milliseconds with from before to.",
    );
  }
  return { from, to };
}

/** Find the latest plausible DTSTART date in the file (read as UTC midnight), or MIN_PLAUSIBLE_INSTANT. */
function latestStart(calendar: Calendar): number {
  let latest = MIN_PLAUSIBLE_INSTANT;
  for (const event of calendar.events) {
    const match = /^(\d{4})(\d{2})(\d{2})/.exec(firstProperty(event, "DTSTART")?.value ?? "");
    if (!match) continue;
    const instant = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (isPlausibleInstant(instant) && instant > latest) latest = instant;
  }
  return latest;
}

function reportDamage(calendar: Calendar, file: string, warnings: string[]): void {
  if (calendar.truncated) {
    warnings.push(
      `${file}: the VCALENDAR block has no END:VCALENDAR line, so the file looks cut short; the complete events before the cut were read. ` +
        `Export the calendar again to get the rest.`,
    );
  }
  const [firstMalformed] = calendar.malformedLines;
  if (firstMalformed !== undefined) {
    warnings.push(
      `${file}: ${calendar.malformedLines.length} line(s) are not iCalendar content lines (NAME:VALUE) and were ignored, the first at line ${firstMalformed}.`,
    );
  }
  if (calendar.events.length === 0) warnings.push(`${file}: the calendar contains no events (VEVENT).`);
}

function notACalendar(file: string, bytes: Buffer): WorklensError {
  const hint = containsNul(bytes)
    ? "It contains NUL bytes, so it is binary data or UTF-16 text without a byte order mark. Export the calendar as an .ics file in UTF-8."
    : "Export the calendar as an iCalendar (.ics) file: its first line is BEGIN:VCALENDAR.";
  return invalidInput(file, "is not an iCalendar file: it has no BEGIN:VCALENDAR line", hint);
}
