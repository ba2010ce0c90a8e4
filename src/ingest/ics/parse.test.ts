import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { OWNER, calendar, iso, parse, spans, vevent } from "./test-support/calendar.js";

function errorOf(run: () => unknown): WorklensError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected a WorklensError");
}

const CUSTOM_US_EASTERN = [
  "BEGIN:VTIMEZONE",
  "TZID:Customized Time Zone",
  "BEGIN:STANDARD",
  "DTSTART:16010101T020000",
  "TZOFFSETFROM:-0400",
  "TZOFFSETTO:-0500",
  "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11",
  "END:STANDARD",
  "BEGIN:DAYLIGHT",
  "DTSTART:16010101T020000",
  "TZOFFSETFROM:-0500",
  "TZOFFSETTO:-0400",
  "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3",
  "END:DAYLIGHT",
  "END:VTIMEZONE",
];

describe("ICS time zones", () => {
  it.each([
    ["W. Europe Standard Time", "2025-03-10T08:00:00.000Z", "Europe/Berlin"],
    ['"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"', "2025-03-10T08:00:00.000Z", "Europe/Berlin"],
    ["/mozilla.org/20050126_1/America/New_York", "2025-03-10T13:00:00.000Z", "America/New_York"],
    ["europe/london", "2025-03-10T09:00:00.000Z", "Europe/London"],
    ['"UTC+05:30"', "2025-03-10T03:30:00.000Z", "UTC+05:30"],
    ["Pacific Standard Time", "2025-03-10T16:00:00.000Z", "America/Los_Angeles"],
  ])("reads TZID %s", (tzid, start, zone) => {
    const bytes = calendar([vevent("UID:z", `DTSTART;TZID=${tzid}:20250310T090000`, `DTEND;TZID=${tzid}:20250310T100000`, "SUMMARY:Call")]);

    const result = parse(bytes);

    expect(result.warnings).toEqual([]);
    expect(result.records.map((record) => iso(record.startAt))).toEqual([start]);
    expect(result.records[0]?.tz).toBe(zone);
  });

  it("matches a custom VTIMEZONE to an IANA zone", () => {
    const bytes = calendar([
      CUSTOM_US_EASTERN,
      vevent("UID:custom-winter", "DTSTART;TZID=Customized Time Zone:20250305T090000", "DTEND;TZID=Customized Time Zone:20250305T100000", "SUMMARY:Call"),
      vevent("UID:custom-summer", "DTSTART;TZID=Customized Time Zone:20250310T090000", "DTEND;TZID=Customized Time Zone:20250310T100000", "SUMMARY:Call"),
    ]);

    const result = parse(bytes);

    expect(result.warnings).toEqual([]);
    expect(result.records.map((record) => iso(record.startAt))).toEqual(["2025-03-05T14:00:00.000Z", "2025-03-10T13:00:00.000Z"]);
    expect(result.records[0]?.tz).toBe("America/New_York");
  });

  it("falls back to a fixed offset for a VTIMEZONE no IANA zone matches", () => {
    const odd = ["BEGIN:VTIMEZONE", "TZID:Odd", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0117", "TZOFFSETTO:+0117", "END:STANDARD", "END:VTIMEZONE"];
    const bytes = calendar([odd, vevent("UID:odd", "DTSTART;TZID=Odd:20250310T090000", "DTEND;TZID=Odd:20250310T100000", "SUMMARY:Call")]);

    const result = parse(bytes);

    expect(result.records.map((record) => iso(record.startAt))).toEqual(["2025-03-10T07:43:00.000Z"]);
    expect(result.records[0]?.tz).toBe("UTC+01:17");
    expect(result.warnings.join("\n")).toContain('VTIMEZONE "Odd" matches no IANA zone');
  });

  it("reads an unknown TZID in the default zone with a warning", () => {
    const bytes = calendar([vevent("UID:unknown", "DTSTART;TZID=Foo Bar Time:20250310T090000", "DTEND;TZID=Foo Bar Time:20250310T100000", "SUMMARY:Call")]);

    const result = parse(bytes, { defaultZone: "America/Chicago" });

    expect(result.records.map((record) => iso(record.startAt))).toEqual(["2025-03-10T14:00:00.000Z"]);
    expect(result.records[0]?.tz).toBe("America/Chicago");
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('unknown time zone TZID "Foo Bar Time"');
  });

  it("reads floating times in X-WR-TIMEZONE", () => {
    const bytes = calendar([vevent("UID:floating", "DTSTART:20250310T090000", "DTEND:20250310T100000", "SUMMARY:Call")], ["X-WR-TIMEZONE:America/Los_Angeles"]);

    const result = parse(bytes, { defaultZone: "Asia/Tokyo" });

    expect(spans(result.records)).toEqual(["2025-03-10T16:00:00.000Z 2025-03-10T17:00:00.000Z"]);
    expect(result.records[0]?.tz).toBe("America/Los_Angeles");
  });

  it("reads floating times in the default zone, else UTC", () => {
    const bytes = calendar([vevent("UID:floating", "DTSTART:20250309T023000", "DTEND:20250309T033000", "SUMMARY:Call")]);

    // 02:30 on 2025-03-09 does not exist in Los Angeles, so a host there must not change the result.
    expect(spans(parse(bytes, { defaultZone: "Europe/Berlin" }).records)).toEqual(["2025-03-09T01:30:00.000Z 2025-03-09T02:30:00.000Z"]);
    expect(spans(parse(bytes).records)).toEqual(["2025-03-09T02:30:00.000Z 2025-03-09T03:30:00.000Z"]);
  });

  it("gives UTC times the local day of the calendar zone", () => {
    const bytes = calendar([vevent("UID:utc", "DTSTART:20250311T013000Z", "DTEND:20250311T023000Z", "SUMMARY:Call")], ["X-WR-TIMEZONE:America/Los_Angeles"]);

    const records = parse(bytes).records;

    expect(records).toHaveLength(1);
    expect(records[0]?.tz).toBe("America/Los_Angeles");
    expect(records[0]?.sourceUid).toBe(`${OWNER}:utc:2025-03-11T01:30:00.000Z:2025-03-10`);
  });

  it("places all-day dates in X-WR-TIMEZONE", () => {
    const bytes = calendar([vevent("UID:day", "DTSTART;VALUE=DATE:20250301", "DTEND;VALUE=DATE:20250302", "SUMMARY:Holiday")], ["X-WR-TIMEZONE:Europe/Berlin"]);

    const records = parse(bytes).records;

    expect(records.map((record) => [record.localDate, iso(record.startAt), iso(record.endAt), record.tz])).toEqual([
      ["2025-03-01", "2025-02-28T23:00:00.000Z", "2025-03-01T23:00:00.000Z", "Europe/Berlin"],
    ]);
  });
});

describe("ICS activity fields", () => {
  it("fills text, keys, kind and actor", () => {
    const bytes = calendar([
      vevent("UID:review", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:Review PROJ-12\\, then OPS-3", "DESCRIPTION:Notes for PROJ-12\\nand WEB-7"),
    ]);

    const [record] = parse(bytes).records;

    expect(record?.kind).toBe("meeting");
    expect(record?.source).toBe("ics");
    expect(record?.actor.externalId).toBe("dev@example.com");
    expect(record?.text).toEqual({ title: "Review PROJ-12, then OPS-3", body: "Notes for PROJ-12\nand WEB-7" });
    expect(record?.explicitKeys).toEqual(["PROJ-12", "OPS-3", "WEB-7"]);
  });

  it("keeps no text of a private event but keeps its keys", () => {
    const bytes = calendar([vevent("UID:private", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:Doctor then PROJ-9", "CLASS:PRIVATE")]);

    const [record] = parse(bytes).records;

    expect(record?.text).toEqual({});
    expect(record?.explicitKeys).toEqual(["PROJ-9"]);
  });

  it("skips declined, free and cancelled events once each", () => {
    const bytes = calendar([
      vevent("UID:declined", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:Sync", "ATTENDEE;PARTSTAT=DECLINED;CN=Dev One:mailto:DEV@example.com"),
      vevent("UID:free", "DTSTART:20250310T120000Z", "DTEND:20250310T130000Z", "SUMMARY:Lunch", "TRANSP:TRANSPARENT", "RRULE:FREQ=DAILY;COUNT=5"),
      vevent("UID:cancelled", "DTSTART:20250310T140000Z", "DTEND:20250310T150000Z", "SUMMARY:Demo", "STATUS:CANCELLED"),
      vevent("UID:kept", "DTSTART:20250310T150000Z", "DTEND:20250310T160000Z", "SUMMARY:Demo", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:dev@example.com"),
    ]);

    const result = parse(bytes);

    expect(result.records.map((record) => record.sourceUid)).toEqual([`${OWNER}:kept:2025-03-10T15:00:00.000Z:2025-03-10`]);
    expect(result.skipped.map((skip) => skip.record)).toEqual(["event declined (line 4)", "event free (line 12)", "event cancelled (line 21)"]);
    expect(result.skipped[0]?.reason).toContain("declined");
    expect(result.skipped[1]?.reason).toContain("free");
    expect(result.skipped[2]?.reason).toContain("CANCELLED");
  });

  it("reads a line with an empty parameter", () => {
    const bytes = calendar([
      vevent("UID:empty-param", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY;LANGUAGE=:Sync", "ATTENDEE;CN=;PARTSTAT=DECLINED:mailto:dev@example.com"),
    ]);

    const result = parse(bytes);

    expect(result.records).toEqual([]);
    expect(result.skipped[0]?.reason).toContain("declined");
  });

  it("merges events sharing a UID with a warning", () => {
    const bytes = calendar([
      vevent("UID:shared", "SEQUENCE:1", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:Newer"),
      vevent("UID:shared", "SEQUENCE:0", "DTSTART:20250311T090000Z", "DTEND:20250311T100000Z", "SUMMARY:Older"),
    ]);

    const result = parse(bytes);

    expect(result.records.map((record) => record.text.title)).toEqual(["Newer"]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain("2 events share this UID");
  });

  it("gives the same source ids on every parse", () => {
    const bytes = calendar([vevent("UID:weekly", "DTSTART;TZID=Europe/Berlin:20250303T100000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Sync")]);

    const first = parse(bytes).records.map((record) => record.sourceUid);
    const second = parse(bytes).records.map((record) => record.sourceUid);

    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(first[0]).toBe(`${OWNER}:weekly:2025-03-03T09:00:00.000Z:2025-03-03`);
  });

  it("gives an event without UID an id that ignores DTSTAMP", () => {
    const event = (stamp: string) => ["BEGIN:VEVENT", `DTSTAMP:${stamp}`, "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:Call", "END:VEVENT"];

    const first = parse(calendar([event("20250301T000000Z")])).records[0]?.sourceUid;
    const second = parse(calendar([event("20250402T120000Z")])).records[0]?.sourceUid;

    expect(first?.startsWith(`${OWNER}:no-uid-`)).toBe(true);
    expect(first).toMatch(/:no-uid-[0-9a-f]{16}:2025-03-10T09:00:00\.000Z:2025-03-10$/);
    expect(second).toBe(first);
  });
});

describe("ICS bad events", () => {
  const good = vevent("UID:good", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:Good");

  it.each([
    ["no-start", ["SUMMARY:No start", "DTEND:20250310T100000Z"], "no DTSTART"],
    ["backwards", ["DTSTART:20250310T100000Z", "DTEND:20250310T090000Z", "SUMMARY:Backwards"], "DTEND is before its DTSTART"],
    ["ancient", ["DTSTART:18000310T090000Z", "DTEND:18000310T100000Z", "SUMMARY:Old"], "outside 1990-2099"],
    ["ancient-day", ["DTSTART;VALUE=DATE:18000310", "SUMMARY:Old"], "outside 1990-2099"],
    ["bad-date", ["DTSTART:20251345T990000Z", "SUMMARY:Bad"], 'DTSTART "20251345T990000Z" (line 7) is not a valid'],
    ["dashes", ["DTSTART:2025-03-10", "SUMMARY:Bad"], "is not a valid RFC 5545 DATE or DATE-TIME"],
    ["two-starts", ["DTSTART:20250310T090000Z", "DTSTART:20250310T100000Z", "SUMMARY:Twice"], "2 DTSTART lines"],
    ["mixed", ["DTSTART;VALUE=DATE:20250310", "DTEND:20250310T100000Z", "SUMMARY:Mixed"], "both be dates or both be date-times"],
    ["bad-rule", ["DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "RRULE:FREQ=SOMETIMES;COUNT=3", "SUMMARY:Bad rule"], "could not be parsed"],
    ["no-length", ["DTSTART:20250310T090000Z", "SUMMARY:Reminder"], "no duration"],
  ])("skips %s and keeps the rest", (uid, properties, reason) => {
    const bytes = calendar([vevent(`UID:${uid}`, ...properties), good]);

    const result = parse(bytes);

    expect(result.records.map((record) => record.text.title)).toEqual(["Good"]);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.record).toBe(`event ${uid} (line 4)`);
    expect(result.skipped[0]?.reason).toContain(reason);
  });

  it("skips only a moved instance with a bad date", () => {
    const bytes = calendar([
      vevent("UID:series", "DTSTART:20250303T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=2", "SUMMARY:Sync"),
      vevent("UID:series", "RECURRENCE-ID:20250310T090000Z", "DTSTART:2025-03-11", "SUMMARY:Sync"),
    ]);

    const result = parse(bytes);

    expect(result.records.map((record) => iso(record.startAt))).toEqual(["2025-03-03T09:00:00.000Z", "2025-03-10T09:00:00.000Z"]);
    expect(result.skipped.map((skip) => skip.record)).toEqual(["event series (line 4), moved instance at line 12"]);
  });

  it("ignores a bad EXDATE line with a warning", () => {
    const bytes = calendar([vevent("UID:series", "DTSTART:20250303T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=2", "EXDATE:someday", "SUMMARY:Sync")]);

    const result = parse(bytes);

    expect(result.records).toHaveLength(2);
    expect(result.warnings.join("\n")).toContain('EXDATE "someday" (line 10) is not a valid');
  });
});

describe("ICS bad files", () => {
  const complete = calendar([
    vevent("UID:first", "DTSTART:20250310T090000Z", "DTEND:20250310T100000Z", "SUMMARY:First"),
    vevent("UID:second", "DTSTART:20250311T090000Z", "DTEND:20250311T100000Z", "SUMMARY:Second"),
  ]);

  it("reads the complete events of a truncated file", () => {
    const text = complete.toString("utf8");
    const cut = Buffer.from(text.slice(0, text.indexOf("SUMMARY:Second")), "utf8");

    const result = parse(cut);

    expect(result.records.map((record) => record.text.title)).toEqual(["First"]);
    expect(result.skipped).toEqual([{ record: "event second (line 11)", reason: expect.stringContaining("no END:VEVENT") as string }]);
    expect(result.warnings.join("\n")).toContain("no END:VCALENDAR");
  });

  it("rejects binary data", () => {
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 151 + 7) % 256));

    const error = errorOf(() => parse(garbage));

    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toBe("test.ics: is not an iCalendar file: it has no BEGIN:VCALENDAR line");
    expect(error.hint).toContain("NUL bytes");
  });

  it.each([
    ["an empty file", ""],
    ["JSON", '{"events": []}'],
    ["a vCard", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dev One\r\nEND:VCARD\r\n"],
  ])("rejects %s", (_name, text) => {
    const error = errorOf(() => parse(Buffer.from(text, "utf8")));

    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("test.ics");
    expect(error.hint).toContain("BEGIN:VCALENDAR");
  });

  it("reads UTF-16 with a byte order mark", () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(complete.toString("utf8").replace("First", "Första"), "utf16le")]);

    const result = parse(utf16);

    expect(result.records.map((record) => record.text.title)).toEqual(["Första", "Second"]);
  });

  it("rejects UTF-16 without a byte order mark", () => {
    const error = errorOf(() => parse(Buffer.from(complete.toString("utf8"), "utf16le")));

    expect(error.code).toBe("INVALID_INPUT");
    expect(error.hint).toContain("UTF-16");
  });

  it("reads Latin-1 with a warning", () => {
    const latin1 = Buffer.from(complete.toString("utf8").replace("SUMMARY:First", "SUMMARY:Café PROJ-4"), "latin1");

    const result = parse(latin1);

    expect(result.records[0]?.text.title).toBe("Caf\uFFFD PROJ-4");
    expect(result.records[0]?.explicitKeys).toEqual(["PROJ-4"]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain("invalid UTF-8 (first at line 9)");
  });

  it("reads LF line ends and a UTF-8 byte order mark", () => {
    const text = complete.toString("utf8").replaceAll("\r\n", "\n");

    const result = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]));

    expect(result.records.map((record) => record.text.title)).toEqual(["First", "Second"]);
    expect(result.warnings).toEqual([]);
  });

  it("rejects an invalid default zone or window", () => {
    expect(errorOf(() => parse(complete, { defaultZone: "Mars/Olympus" })).code).toBe("USAGE");
    expect(errorOf(() => parse(complete, { from: Date.UTC(2025, 3, 1), to: Date.UTC(2025, 2, 1) })).code).toBe("USAGE");
  });
});
