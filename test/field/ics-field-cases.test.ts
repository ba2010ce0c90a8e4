import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dayOf } from "../../src/domain/time.js";
import { parseIcs } from "../../src/ingest/ics/parse.js";
import { NOW, OWNER, PERSON, iso, spans } from "../../src/ingest/ics/test-support/calendar.js";

// These cases must give the same result under any host TZ; the test script runs them under several.

function fieldCase(name: string): Buffer {
  return readFileSync(new URL(`../../../shared/cases/field/${name}`, import.meta.url));
}

function parseCase(name: string) {
  return parseIcs(fieldCase(name), { file: name, person: PERSON, now: NOW });
}

describe("ICS field cases", () => {
  it("01: Office 365 all-day series with a TZID on RECURRENCE-ID", () => {
    const result = parseCase("01-o365-allday-recurrence-id-tzid.ics");

    expect(result.skipped).toEqual([]);
    expect(result.records.map((record) => record.localDate)).toEqual(["2025-03-03", "2025-03-10", "2025-03-18", "2025-03-24"]);
    expect(result.records.every((record) => record.dateOnly && record.localEndDate === record.localDate)).toBe(true);
    expect(result.records.map((record) => record.text.title)).toEqual([
      "Sprint review day",
      "Sprint review day",
      "Sprint review day (moved)",
      "Sprint review day",
    ]);
    // No X-WR-TIMEZONE and no default zone, so the dates are midnights in UTC.
    expect(iso(result.records[2]?.startAt ?? 0)).toBe("2025-03-18T00:00:00.000Z");
    expect(iso(result.records[2]?.endAt ?? 0)).toBe("2025-03-19T00:00:00.000Z");
  });

  it("01: all-day dates follow the default zone", () => {
    const result = parseIcs(fieldCase("01-o365-allday-recurrence-id-tzid.ics"), {
      file: "01",
      person: PERSON,
      now: NOW,
      defaultZone: "Europe/Berlin",
    });

    expect(result.records.map((record) => record.localDate)).toEqual(["2025-03-03", "2025-03-10", "2025-03-18", "2025-03-24"]);
    expect(iso(result.records[0]?.startAt ?? 0)).toBe("2025-03-02T23:00:00.000Z");
    expect(result.records[0]?.tz).toBe("Europe/Berlin");
  });

  it("03: weekly series across DST with EXDATE and a moved instance", () => {
    const result = parseCase("03-dst-weekly-exdate-override.ics");

    expect(result.skipped).toEqual([]);
    expect(spans(result.records)).toEqual([
      "2025-03-17T09:00:00.000Z 2025-03-17T09:30:00.000Z",
      "2025-03-31T08:00:00.000Z 2025-03-31T08:30:00.000Z",
      "2025-04-07T12:00:00.000Z 2025-04-07T13:00:00.000Z",
      "2025-04-14T08:00:00.000Z 2025-04-14T08:30:00.000Z",
    ]);
    expect(result.records.some((record) => iso(record.startAt).startsWith("2025-03-24"))).toBe(false);
    expect(result.records[2]?.text.title).toBe("Weekly sync (moved)");
    expect(result.records.every((record) => record.tz === "Europe/Berlin" && record.kind === "meeting")).toBe(true);
  });

  it("04: RRULE expansion does not depend on the host zone", () => {
    // The reproducer gives DTSTART and RRULE; wrap them in an event with a length.
    const ruleLines = readFileSync(new URL("../../../shared/cases/field/04-rrule-host-tz-dependence.txt", import.meta.url), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(ruleLines).toEqual(["DTSTART;TZID=Europe/Berlin:20250317T100000", "RRULE:FREQ=WEEKLY;COUNT=3"]);
    const ics = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "BEGIN:VEVENT",
      "UID:c4-rrule@probe",
      "DTSTAMP:20250301T000000Z",
      ...ruleLines,
      "DURATION:PT30M",
      "SUMMARY:Weekly sync",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");

    const result = parseIcs(Buffer.from(ics), { file: "04", person: PERSON, now: NOW });

    expect(result.records.map((record) => iso(record.startAt))).toEqual([
      "2025-03-17T09:00:00.000Z",
      "2025-03-24T09:00:00.000Z",
      "2025-03-31T08:00:00.000Z",
    ]);
    expect(result.records.map((record) => (record.endAt - record.startAt) / 1000)).toEqual([1800, 1800, 1800]);
  });

  it("06: Windows zone name without VTIMEZONE", () => {
    const result = parseCase("06-windows-tzid-no-vtimezone.ics");

    expect(result.warnings).toEqual([]);
    expect(spans(result.records)).toEqual(["2025-03-10T16:00:00.000Z 2025-03-10T17:00:00.000Z"]);
    expect(result.records[0]?.tz).toBe("America/Los_Angeles");
  });

  it("07: all-day dates never shift with the host zone", () => {
    const result = parseCase("07-allday-date-host-tz.ics");

    expect(result.skipped).toEqual([]);
    const holiday = result.records.filter((record) => record.text.title === "Holiday");
    const away = result.records.filter((record) => record.text.title === "Out of office");
    expect(holiday.map((record) => record.localDate)).toEqual(["2025-03-01"]);
    expect(holiday[0]?.kind).toBe("out_of_office");
    expect(away.map((record) => record.localDate)).toEqual(["2025-03-03", "2025-03-04", "2025-03-05"]);
    expect(away.every((record) => record.kind === "out_of_office" && record.dateOnly)).toBe(true);
    expect(away.map((record) => record.sourceUid)).toEqual([
      `${OWNER}:c4b@probe:2025-03-03:2025-03-03`,
      `${OWNER}:c4b@probe:2025-03-03:2025-03-04`,
      `${OWNER}:c4b@probe:2025-03-03:2025-03-05`,
    ]);
  });

  it("09: a fold inside a UTF-8 sequence keeps the character", () => {
    const bytes = fieldCase("09-fold-inside-utf8-sequence.ics");
    // The fold (CRLF and a space) splits U+1F680 after its first byte F0, before 9F 9A 80.
    expect(bytes.includes(Buffer.from([0xf0, 0x0d, 0x0a, 0x20, 0x9f, 0x9a, 0x80]))).toBe(true);

    const result = parseIcs(bytes, { file: "09", person: PERSON, now: NOW });

    expect(result.warnings).toEqual([]);
    const title = result.records[0]?.text.title ?? "";
    expect(title).toBe(`${"a".repeat(66)}\u{1F680} launch`);
    expect(title).not.toContain("\uFFFD");
    expect(Buffer.from(title, "utf8").subarray(66, 70)).toEqual(Buffer.from([0xf0, 0x9f, 0x9a, 0x80]));
    expect(spans(result.records)).toEqual(["2025-03-10T09:00:00.000Z 2025-03-10T10:00:00.000Z"]);
  });

  it("20: an event across midnight is split per local day", () => {
    const result = parseCase("20-event-spans-midnight.ics");

    expect(result.records.map((record) => [dayOf(record.startAt, record.tz), (record.endAt - record.startAt) / 1000])).toEqual([
      ["2025-03-10", 3600],
      ["2025-03-11", 5400],
    ]);
    expect(result.records.every((record) => record.tz === "America/New_York" && !record.dateOnly)).toBe(true);
    expect(spans(result.records)).toEqual([
      "2025-03-11T03:00:00.000Z 2025-03-11T04:00:00.000Z",
      "2025-03-11T04:00:00.000Z 2025-03-11T05:30:00.000Z",
    ]);
  });
});
