import { DateTime } from "luxon";
import { formatProperty, type Component, type Property } from "./components.js";
import type { CalendarZone, ZoneResolver } from "./zones.js";

/**
 * Date-valued VEVENT properties that node-ical reads. RDATE is absent because
 * node-ical 0.26 ignores it; the caller reports it.
 */
const TIME_PROPERTIES = new Set(["DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE"]);
const LIST_PROPERTIES = new Set(["EXDATE"]);

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/;

type ValueKind = "date" | "utc" | "local";

export type NormalizedEvent =
  | { ok: true; text: string; warnings: string[] }
  | { ok: false; reason: string };

/**
 * Rewrite one VEVENT block into text that node-ical reads the same way on every
 * host. Each TZID is replaced by a zone that node-ical resolves without looking
 * at the host (an IANA name or "GMT+hhmm"). Floating times (no TZID, no Z) get
 * the calendar's zone, because node-ical would read them in a VTIMEZONE of the
 * file or in the host's zone. Nested blocks (VALARM) are dropped.
 *
 * Returns a reason instead when DTSTART or DTEND is missing or malformed. A
 * malformed EXDATE line is dropped with a warning.
 *
 * NOTE: node-ical 0.26 reads a local time in the hour repeated at a DST fall-back
 * as the later of the two instants, but RFC 5545 section 3.3.5 requires the first.
 */
export function normalizeEvent(event: Component, zones: ZoneResolver, calendarZone: CalendarZone): NormalizedEvent {
  const warnings: string[] = [];
  const starts = event.properties.filter((property) => property.name === "DTSTART");
  const ends = event.properties.filter((property) => property.name === "DTEND");
  const start = starts[0];
  if (start === undefined) return { ok: false, reason: "has no DTSTART, so it has no time: add DTSTART or remove the event" };
  if (starts.length > 1) return { ok: false, reason: `has ${starts.length} DTSTART lines (line ${start.lineNumber} and later): keep one` };
  if (ends.length > 1) return { ok: false, reason: `has ${ends.length} DTEND lines: keep one` };

  const startKind = valueKinds(start)?.[0];
  if (startKind === undefined || start.value.includes(",")) return { ok: false, reason: invalidValue(start) };
  const end = ends[0];
  if (end !== undefined) {
    const endKind = valueKinds(end)?.[0];
    if (endKind === undefined || end.value.includes(",")) return { ok: false, reason: invalidValue(end) };
    if ((endKind === "date") !== (startKind === "date")) {
      return { ok: false, reason: `DTSTART (line ${start.lineNumber}) and DTEND (line ${end.lineNumber}) must both be dates or both be date-times` };
    }
  }

  const lines = ["BEGIN:VEVENT"];
  for (const property of event.properties) {
    if (!TIME_PROPERTIES.has(property.name)) {
      lines.push(formatProperty(property));
      continue;
    }

    const kinds = valueKinds(property);
    if (kinds === undefined || (!LIST_PROPERTIES.has(property.name) && kinds.length !== 1)) {
      if (property.name !== "EXDATE") return { ok: false, reason: invalidValue(property) };
      warnings.push(`${invalidValue(property)}; the line was ignored`);
      continue;
    }
    lines.push(formatProperty(withZone(property, kinds, zones, calendarZone)));
  }
  lines.push("END:VEVENT");
  return { ok: true, text: lines.join("\r\n"), warnings };
}

/** Classify each comma-separated value, or return undefined when any value is malformed or dates and date-times are mixed. */
function valueKinds(property: Property): ValueKind[] | undefined {
  const declared = property.params.get("VALUE")?.toUpperCase();
  const kinds: ValueKind[] = [];
  for (const value of property.value.split(",")) {
    const kind = valueKind(value.trim());
    if (kind === undefined) return undefined;
    if (declared === "DATE" && kind !== "date") return undefined;
    if (declared === "DATE-TIME" && kind === "date") return undefined;
    kinds.push(kind);
  }
  const dates = kinds.filter((kind) => kind === "date").length;
  return dates === 0 || dates === kinds.length ? kinds : undefined;
}

function valueKind(value: string): ValueKind | undefined {
  const date = DATE.exec(value);
  if (date) return isValidLocal(date, false) ? "date" : undefined;
  const dateTime = DATE_TIME.exec(value);
  if (!dateTime || !isValidLocal(dateTime, true)) return undefined;
  return dateTime[7] === "Z" ? "utc" : "local";
}

function isValidLocal(match: RegExpExecArray, withTime: boolean): boolean {
  const [, year, month, day, hour, minute, second] = match;
  const local = DateTime.fromObject(
    {
      year: Number(year),
      month: Number(month),
      day: Number(day),
      ...(withTime ? { hour: Number(hour), minute: Number(minute), second: Number(second) } : {}),
    },
    { zone: "UTC" },
  );
  return local.isValid;
}

function withZone(property: Property, kinds: readonly ValueKind[], zones: ZoneResolver, calendarZone: CalendarZone): Property {
  const params = new Map(property.params);
  const tzid = params.get("TZID");
  params.delete("TZID");

  if (kinds.every((kind) => kind === "date")) {
    params.set("VALUE", "DATE");
  } else if (!kinds.every((kind) => kind === "utc")) {
    const year = Number(property.value.slice(0, 4));
    params.set("TZID", tzid === undefined ? calendarZone.tzid : zones.resolve(tzid, year).tzid);
  }
  return { ...property, params };
}

function invalidValue(property: Property): string {
  return (
    `${property.name} "${property.value}" (line ${property.lineNumber}) is not a valid RFC 5545 DATE or DATE-TIME: ` +
    `expected a form such as 20250310, 20250310T090000 or 20250310T090000Z`
  );
}
