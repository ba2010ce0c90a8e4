import { DateTime } from "luxon";
import { STAND_UP_MINUTE, STAND_UP_MINUTES } from "./meetings.js";
import type { SimPerson, Simulation } from "./model.js";

const CRLF = "\r\n";

/**
 * Writes one person's calendar as iCalendar (RFC 5545). The stand-up is a weekly
 * series on weekdays with an EXDATE for each day out of office. Ad hoc meetings and
 * focus blocks are single events with TZID times in the person's zone, and each day
 * out of office is an all-day event.
 */
export function personCalendar(simulation: Simulation, person: SimPerson): string {
  const zone = person.zone;
  const first = simulation.workingDays[0];
  const last = simulation.workingDays.at(-1);
  if (first === undefined || last === undefined) throw new RangeError("a simulation has at least one working day");
  const stamp = `${first.replaceAll("-", "")}T000000Z`;
  const away = simulation.outOfOffice.filter((o) => o.person === person.index);

  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//worklens//simulate (synthetic data)//EN",
    "CALSCALE:GREGORIAN",
    `X-WR-CALNAME:${escapeText(`${person.displayName} (synthetic)`)}`,
    `X-WR-TIMEZONE:${zone}`,
  ];

  const standUp = `T${clock(STAND_UP_MINUTE)}`;
  lines.push(
    "BEGIN:VEVENT",
    `UID:stand-up-${person.login}@simulate.worklens.example.org`,
    `DTSTAMP:${stamp}`,
    `DTSTART;TZID=${zone}:${compact(first)}${standUp}`,
    `DTEND;TZID=${zone}:${compact(first)}T${clock(STAND_UP_MINUTE + STAND_UP_MINUTES)}`,
    // UNTIL is in UTC, as RFC 5545 requires with a TZID start; the end of the last day in UTC covers every zone's last stand-up.
    `RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=${untilUtc(last, zone)}`,
    ...away.map((o) => `EXDATE;TZID=${zone}:${compact(o.day)}${standUp}`),
    "SUMMARY:Daily stand-up",
    "END:VEVENT",
  );

  for (const event of simulation.calendarEvents) {
    if (event.person !== person.index) continue;
    lines.push(
      "BEGIN:VEVENT",
      `UID:${event.uid}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;TZID=${zone}:${localStamp(event.start, zone)}`,
      `DTEND;TZID=${zone}:${localStamp(event.end, zone)}`,
      `SUMMARY:${escapeText(event.title)}`,
      "END:VEVENT",
    );
  }

  for (const day of away) {
    const next = DateTime.fromISO(day.day, { zone: "UTC" }).plus({ days: 1 }).toISODate() ?? day.day;
    lines.push(
      "BEGIN:VEVENT",
      `UID:away-${person.login}-${day.day}@simulate.worklens.example.org`,
      `DTSTAMP:${stamp}`,
      `DTSTART;VALUE=DATE:${compact(day.day)}`,
      `DTEND;VALUE=DATE:${compact(next)}`,
      `SUMMARY:${escapeText(day.title)}`,
      "TRANSP:TRANSPARENT",
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.join(CRLF) + CRLF;
}

function compact(day: string): string {
  return day.replaceAll("-", "");
}

function clock(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, "0")}${String(minuteOfDay % 60).padStart(2, "0")}00`;
}

function localStamp(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toFormat("yyyyMMdd'T'HHmmss");
}

/** Formats the last instant of `day` in `zone` as a UTC date-time. */
function untilUtc(day: string, zone: string): string {
  return DateTime.fromISO(day, { zone }).endOf("day").toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** Escapes a TEXT value (RFC 5545 section 3.3.11). */
function escapeText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\n/g, "\\n");
}
