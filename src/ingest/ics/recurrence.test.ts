import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_OCCURRENCES_PER_EVENT } from "./parse.js";
import { OWNER, calendar, iso, parse, spans, vevent } from "./test-support/calendar.js";

describe("ICS recurrence", () => {
  it("converts a local UNTIL with the DTSTART zone", () => {
    const bytes = calendar([
      vevent("UID:until-local", "DTSTART;TZID=Europe/Berlin:20250325T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;UNTIL=20250401T090000", "SUMMARY:Standup"),
    ]);

    const starts = parse(bytes).records.map((record) => iso(record.startAt));

    expect(starts).toHaveLength(8);
    expect(starts[0]).toBe("2025-03-25T08:00:00.000Z");
    expect(starts[4]).toBe("2025-03-29T08:00:00.000Z");
    expect(starts[5]).toBe("2025-03-30T07:00:00.000Z");
    expect(starts[7]).toBe("2025-04-01T07:00:00.000Z");
  });

  it("stops at a UTC UNTIL", () => {
    const bytes = calendar([
      vevent("UID:until-utc", "DTSTART;TZID=Europe/Berlin:20250325T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;UNTIL=20250328T080000Z", "SUMMARY:Standup"),
    ]);

    expect(parse(bytes).records.map((record) => iso(record.startAt))).toEqual([
      "2025-03-25T08:00:00.000Z",
      "2025-03-26T08:00:00.000Z",
      "2025-03-27T08:00:00.000Z",
      "2025-03-28T08:00:00.000Z",
    ]);
  });

  it("keeps all-day dates of a weekly series across DST ends", () => {
    // US and EU clocks change between these dates; a host in either zone must not shift them.
    const bytes = calendar([
      vevent("UID:allday-weekly", "DTSTART;VALUE=DATE:20251020", "DTEND;VALUE=DATE:20251021", "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;VALUE=DATE:20251103", "SUMMARY:Release day"),
    ]);

    const records = parse(bytes).records;

    expect(records.map((record) => record.localDate)).toEqual(["2025-10-20", "2025-10-27", "2025-11-10"]);
    expect(records.map((record) => iso(record.startAt))).toEqual(["2025-10-20T00:00:00.000Z", "2025-10-27T00:00:00.000Z", "2025-11-10T00:00:00.000Z"]);
  });

  it("gives one record per date of a multi-day all-day event", () => {
    const bytes = calendar([vevent("UID:trip", "DTSTART;VALUE=DATE:20251031", "DTEND;VALUE=DATE:20251104", "SUMMARY:Vacation")]);

    const records = parse(bytes, { defaultZone: "America/Los_Angeles" }).records;

    expect(records.map((record) => record.localDate)).toEqual(["2025-10-31", "2025-11-01", "2025-11-02", "2025-11-03"]);
    // 2025-11-02 has 25 hours in Los Angeles.
    expect(records.map((record) => (record.endAt - record.startAt) / 3_600_000)).toEqual([24, 24, 25, 24]);
    expect(records.every((record) => record.tz === "America/Los_Angeles" && record.kind === "out_of_office")).toBe(true);
  });

  it("reads an all-day DURATION and a missing DTEND", () => {
    const bytes = calendar([
      vevent("UID:two-days", "DTSTART;VALUE=DATE:20250310", "DURATION:P2D", "SUMMARY:Offsite"),
      vevent("UID:one-day", "DTSTART;VALUE=DATE:20250320", "SUMMARY:Planning"),
    ]);

    const records = parse(bytes).records;

    expect(records.map((record) => record.localDate)).toEqual(["2025-03-10", "2025-03-11", "2025-03-20"]);
  });

  it("drops an instance whose moved copy is cancelled", () => {
    const bytes = calendar([
      vevent("UID:weekly", "DTSTART;TZID=Europe/Berlin:20250303T100000", "DTEND;TZID=Europe/Berlin:20250303T110000", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Sync"),
      vevent("UID:weekly", "RECURRENCE-ID;TZID=Europe/Berlin:20250310T100000", "DTSTART;TZID=Europe/Berlin:20250310T100000", "DTEND;TZID=Europe/Berlin:20250310T110000", "STATUS:CANCELLED", "SUMMARY:Sync"),
    ]);

    const result = parse(bytes);

    expect(result.records.map((record) => iso(record.startAt))).toEqual(["2025-03-03T09:00:00.000Z", "2025-03-17T09:00:00.000Z"]);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.record).toContain("weekly");
    expect(result.skipped[0]?.record).toContain("moved instance 2025-03-10");
    expect(result.skipped[0]?.reason).toContain("CANCELLED");
  });

  it("replaces a single event by its moved copy", () => {
    const bytes = calendar([
      vevent("UID:single", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:Review"),
      vevent("UID:single", "RECURRENCE-ID:20250310T090000Z", "DTSTART:20250310T140000Z", "DTEND:20250310T150000Z", "SUMMARY:Review (later)"),
    ]);

    const result = parse(bytes);

    expect(spans(result.records)).toEqual(["2025-03-10T14:00:00.000Z 2025-03-10T15:00:00.000Z"]);
    expect(result.records[0]?.text.title).toBe("Review (later)");
  });

  it("reads a moved instance without its series", () => {
    const bytes = calendar([
      vevent("UID:orphan", "RECURRENCE-ID:20250310T090000Z", "DTSTART:20250311T090000Z", "DTEND:20250311T093000Z", "SUMMARY:Moved review"),
    ]);

    const result = parse(bytes);

    expect(spans(result.records)).toEqual(["2025-03-11T09:00:00.000Z 2025-03-11T09:30:00.000Z"]);
    expect(result.records[0]?.text.title).toBe("Moved review");
  });

  it("gives the same result when a moved instance comes first", () => {
    const file = readFileSync(new URL("../../../../shared/cases/field/03-dst-weekly-exdate-override.ics", import.meta.url), "utf8");
    const [head = "", series = "", moved = ""] = file.split(/(?=BEGIN:VEVENT)/);
    const reordered = Buffer.from(head + moved.replace("END:VCALENDAR\r\n", "") + series + "END:VCALENDAR\r\n");
    expect(reordered.toString()).toContain("RECURRENCE-ID");

    const result = parse(reordered);

    expect(spans(result.records)).toEqual([
      "2025-03-17T09:00:00.000Z 2025-03-17T09:30:00.000Z",
      "2025-03-31T08:00:00.000Z 2025-03-31T08:30:00.000Z",
      "2025-04-07T12:00:00.000Z 2025-04-07T13:00:00.000Z",
      "2025-04-14T08:00:00.000Z 2025-04-14T08:30:00.000Z",
    ]);
    expect(result.records.map((record) => record.text.title)).toEqual(["Weekly sync", "Weekly sync", "Weekly sync (moved)", "Weekly sync"]);
  });

  it("bounds an open-ended rule by from and to", () => {
    const bytes = calendar([vevent("UID:daily", "DTSTART;TZID=Europe/Berlin:20250101T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY", "SUMMARY:Standup")]);

    const records = parse(bytes, { from: Date.UTC(2025, 2, 1), to: Date.UTC(2025, 2, 8) }).records;

    expect(records.map((record) => iso(record.startAt))).toEqual([
      "2025-03-01T08:00:00.000Z",
      "2025-03-02T08:00:00.000Z",
      "2025-03-03T08:00:00.000Z",
      "2025-03-04T08:00:00.000Z",
      "2025-03-05T08:00:00.000Z",
      "2025-03-06T08:00:00.000Z",
      "2025-03-07T08:00:00.000Z",
    ]);
  });

  it("ends the default window 366 days after now", () => {
    const bytes = calendar([vevent("UID:daily", "DTSTART;TZID=Europe/Berlin:20250101T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY", "SUMMARY:Standup")]);

    // NOW is 2025-06-01, so the window ends at 2026-06-02T00:00Z: 2025-01-01 to 2026-06-01 is 517 days.
    const records = parse(bytes).records;

    expect(records).toHaveLength(517);
    expect(iso(records.at(-1)?.startAt ?? 0)).toBe("2026-06-01T07:00:00.000Z");
  });

  it("caps a dense open-ended rule with a warning", () => {
    const bytes = calendar([vevent("UID:minutely", "DTSTART:20250310T090000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY", "SUMMARY:Ping")]);

    const result = parse(bytes);

    expect(result.records).toHaveLength(MAX_OCCURRENCES_PER_EVENT);
    expect(iso(result.records.at(-1)?.startAt ?? 0)).toBe(iso(Date.UTC(2025, 2, 10, 9) + (MAX_OCCURRENCES_PER_EVENT - 1) * 60_000));
    expect(result.warnings.join("\n")).toContain(`more than ${MAX_OCCURRENCES_PER_EVENT} occurrences`);
  });

  it("does not warn when the window holds exactly the cap", () => {
    const bytes = calendar([vevent("UID:daily", "DTSTART:20100101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY", "SUMMARY:Standup")]);
    const from = Date.UTC(2010, 0, 1);

    const result = parse(bytes, { from, to: from + MAX_OCCURRENCES_PER_EVENT * 86_400_000 });

    expect(result.records).toHaveLength(MAX_OCCURRENCES_PER_EVENT);
    expect(result.warnings).toEqual([]);
  });

  it("keeps only the day slices inside the window", () => {
    const bytes = calendar([vevent("UID:late", "DTSTART;TZID=America/New_York:20250310T230000", "DTEND;TZID=America/New_York:20250311T013000", "SUMMARY:Late deploy")]);

    // From local midnight of 2025-03-11 in New York (04:00Z).
    const records = parse(bytes, { from: Date.UTC(2025, 2, 11, 4), to: Date.UTC(2025, 2, 12) }).records;

    expect(spans(records)).toEqual(["2025-03-11T04:00:00.000Z 2025-03-11T05:30:00.000Z"]);
    expect(records[0]?.sourceUid).toBe(`${OWNER}:late:2025-03-11T03:00:00.000Z:2025-03-11`);
  });
});
