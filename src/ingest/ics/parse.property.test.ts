import fc from "fast-check";
import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { MS_PER_HOUR, MS_PER_MINUTE, dayOf } from "../../domain/time.js";
import type { ActivityInput } from "../../domain/types.js";
import { calendar, parse, vevent } from "./test-support/calendar.js";

/** Zones with DST in either hemisphere, half-hour and 45-minute offsets, and a 30-minute DST shift. */
const ZONES = [
  "UTC",
  "America/New_York",
  "America/St_Johns",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Africa/Casablanca",
];

const WINDOW = { from: Date.UTC(2023, 0, 1), to: Date.UTC(2028, 0, 1) };

function compact(instant: number): string {
  return DateTime.fromMillis(instant, { zone: "UTC" }).toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** Check the slices of one event: contiguous, each inside one local day, ids ending in that day. */
function expectDaySlices(records: readonly ActivityInput[], zone: string): void {
  for (const [i, record] of records.entries()) {
    expect(record.tz).toBe(zone);
    expect(record.endAt).toBeGreaterThan(record.startAt);
    const day = dayOf(record.startAt, zone);
    expect(dayOf(record.endAt - 1, zone)).toBe(day);
    expect(record.sourceUid.endsWith(`:${day}`)).toBe(true);
    const next = records[i + 1];
    if (next !== undefined) expect(next.startAt).toBe(record.endAt);
  }
}

describe("ICS day slices", () => {
  it("sum to the event's length for UTC times", () => {
    const event = fc.record({
      zone: fc.constantFrom(...ZONES),
      startMinute: fc.integer({ min: 0, max: 3 * 365 * 24 * 60 }),
      minutes: fc.integer({ min: 1, max: 96 * 60 }),
    });
    fc.assert(
      fc.property(event, ({ zone, startMinute, minutes }) => {
        const start = Date.UTC(2024, 0, 1) + startMinute * MS_PER_MINUTE;
        const end = start + minutes * MS_PER_MINUTE;
        const bytes = calendar(
          [vevent("UID:random", `DTSTART:${compact(start)}`, `DTEND:${compact(end)}`, "SUMMARY:Work")],
          [`X-WR-TIMEZONE:${zone}`],
        );

        const records = parse(bytes, WINDOW).records;

        expect(records.reduce((sum, record) => sum + record.endAt - record.startAt, 0)).toBe(end - start);
        expect(records[0]?.startAt).toBe(start);
        expect(records.at(-1)?.endAt).toBe(end);
        expectDaySlices(records, zone);
      }),
    );
  });

  it("sum to the event's length for local times with a TZID", () => {
    const event = fc.record({
      zone: fc.constantFrom(...ZONES),
      local: fc.date({ min: new Date(Date.UTC(2024, 0, 1)), max: new Date(Date.UTC(2026, 11, 31)), noInvalidDate: true }),
      minutes: fc.integer({ min: 1, max: 96 * 60 }),
    });
    fc.assert(
      fc.property(event, ({ zone, local, minutes }) => {
        // The generated date's UTC fields are the wall-clock time in the event's zone.
        const wallClock = DateTime.fromJSDate(local, { zone: "UTC" }).startOf("minute");
        const bytes = calendar([
          vevent("UID:random", `DTSTART;TZID=${zone}:${wallClock.toFormat("yyyyMMdd'T'HHmmss")}`, `DURATION:PT${minutes}M`, "SUMMARY:Work"),
        ]);

        const records = parse(bytes, WINDOW).records;

        const first = records[0]?.startAt ?? Number.NaN;
        expect(records.reduce((sum, record) => sum + record.endAt - record.startAt, 0)).toBe(minutes * MS_PER_MINUTE);
        expectDaySlices(records, zone);

        // Away from a DST change the wall-clock time has exactly one instant, which must be the start.
        const expected = DateTime.fromObject(wallClock.toObject(), { zone }).toMillis();
        const iana = IANAZone.create(zone);
        if (iana.offset(expected - 3 * MS_PER_HOUR) === iana.offset(expected + 3 * MS_PER_HOUR)) expect(first).toBe(expected);
      }),
    );
  });
});
