import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseOffsetInstant } from "../../domain/time.js";
import { parseGitDate } from "./git-date.js";

describe("parseGitDate", () => {
  it("reads --date=iso-strict with its offset", () => {
    expect(parseGitDate("2025-03-03T10:15:00+01:00")).toEqual({ instant: Date.UTC(2025, 2, 3, 9, 15), offsetMinutes: 60 });
    expect(parseGitDate("2025-03-03T10:15:00-05:30")).toEqual({ instant: Date.UTC(2025, 2, 3, 15, 45), offsetMinutes: -330 });
  });

  it("reads Z and +00:00 as UTC", () => {
    expect(parseGitDate("2011-12-29T14:35:31Z")).toEqual({ instant: Date.UTC(2011, 11, 29, 14, 35, 31), offsetMinutes: 0 });
    expect(parseGitDate("2011-12-29T14:35:31+00:00")).toEqual({ instant: Date.UTC(2011, 11, 29, 14, 35, 31), offsetMinutes: 0 });
  });

  it("reads --date=iso", () => {
    expect(parseGitDate("2025-03-03 10:15:00 +0100")).toEqual({ instant: Date.UTC(2025, 2, 3, 9, 15), offsetMinutes: 60 });
  });

  it("reads git's default date format", () => {
    expect(parseGitDate("Mon Mar 3 10:15:00 2025 +0100")).toEqual({ instant: Date.UTC(2025, 2, 3, 9, 15), offsetMinutes: 60 });
    expect(parseGitDate("Fri Dec 4 21:12:08 2026 -0800")).toEqual({ instant: Date.UTC(2026, 11, 5, 5, 12, 8), offsetMinutes: -480 });
  });

  it.each([
    ["empty", ""],
    ["no offset", "2025-03-03T10:15:00"],
    ["February 30", "2025-02-30T10:00:00+01:00"],
    ["hour 24", "2025-03-03T24:00:00+01:00"],
    ["minute 60 in offset", "2025-03-03T10:00:00+01:60"],
    ["offset beyond 18 hours", "2025-03-03T10:00:00+19:00"],
    ["month 13", "2025-13-03T10:00:00+01:00"],
    ["unknown month name", "Mon Foo 3 10:15:00 2025 +0100"],
    ["fractional seconds", "2025-03-03T10:15:00.5+01:00"],
    ["trailing text", "2025-03-03T10:15:00+01:00 x"],
  ])("rejects %s", (_name, text) => {
    expect(parseGitDate(text)).toBeUndefined();
  });

  it("keeps two-digit years as they are", () => {
    expect(parseGitDate("0095-01-01T00:00:00Z")?.instant).toBe(new Date("0095-01-01T00:00:00Z").getTime());
  });

  it("agrees with parseOffsetInstant", () => {
    const offsets = fc.integer({ min: -18 * 4, max: 18 * 4 }).map((quarters) => quarters * 15);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 11, 31) }), offsets, (instant, offset) => {
        const wholeSecond = instant - (instant % 1000);
        const text = isoStrict(wholeSecond, offset);
        expect(parseGitDate(text)).toEqual(parseOffsetInstant(text));
        expect(parseGitDate(text)).toEqual({ instant: wholeSecond, offsetMinutes: offset });
      }),
    );
  });
});

function isoStrict(instant: number, offsetMinutes: number): string {
  const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
