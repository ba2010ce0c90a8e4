import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayOf, formatJiraInstant, offsetZoneName, parseOffsetInstant, resolveZone, splitByDay, startOfDay } from "./time.js";

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "UTC+05:45"];
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

describe("dayOf", () => {
  it("uses the given zone, not the host's", () => {
    const at = Date.UTC(2025, 2, 9, 23, 30);
    expect(dayOf(at, "UTC")).toBe("2025-03-09");
    expect(dayOf(at, "Europe/Berlin")).toBe("2025-03-10");
    expect(dayOf(at, "America/Los_Angeles")).toBe("2025-03-09");
    expect(dayOf(at, "UTC+01:00")).toBe("2025-03-10");
  });

  it("rejects unknown zones with the name", () => {
    expect(() => dayOf(0, "Mars/Olympus")).toThrow(/Mars\/Olympus/);
  });

  it("agrees with startOfDay for every zone", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => {
        const day = dayOf(at, zone);
        expect(startOfDay(day, zone)).toBeLessThanOrEqual(at);
        expect(dayOf(startOfDay(day, zone), zone)).toBe(day);
      }),
    );
  });
});

describe("splitByDay", () => {
  it("splits an event across midnight in its zone", () => {
    const start = Date.UTC(2025, 2, 11, 3, 0); // 23:00 in New York (EDT)
    const end = Date.UTC(2025, 2, 11, 5, 30); // 01:30 the next day
    const slices = splitByDay(start, end, "America/New_York");
    expect(slices.map((s) => [s.day, (s.end - s.start) / 1000])).toEqual([
      ["2025-03-10", 3600],
      ["2025-03-11", 5400],
    ]);
  });

  it("conserves time and keeps each slice in one day", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 5 * 86_400_000 }), fc.constantFrom(...ZONES), (start, length, zone) => {
        const slices = splitByDay(start, start + length, zone);
        const total = slices.reduce((sum, s) => sum + (s.end - s.start), 0);
        expect(total).toBe(length);
        for (const slice of slices) {
          expect(dayOf(slice.start, zone)).toBe(slice.day);
          expect(dayOf(slice.end - 1, zone)).toBe(slice.day);
        }
      }),
    );
  });
});

describe("parseOffsetInstant", () => {
  it("reads Jira's offset without a colon", () => {
    expect(parseOffsetInstant("2025-03-10T00:30:00.000+0100")).toEqual({ instant: Date.UTC(2025, 2, 9, 23, 30), offsetMinutes: 60 });
    expect(parseOffsetInstant("2011-12-29T14:35:31+00:00")?.instant).toBe(Date.UTC(2011, 11, 29, 14, 35, 31));
    expect(parseOffsetInstant("2025-03-10T12:57:00.000-0530")?.instant).toBe(Date.UTC(2025, 2, 10, 18, 27));
  });

  it("returns undefined without an offset or with a bad date", () => {
    expect(parseOffsetInstant("2025-03-10T00:30:00")).toBeUndefined();
    expect(parseOffsetInstant("2025-02-30T00:30:00Z")).toBeUndefined();
    expect(parseOffsetInstant("yesterday")).toBeUndefined();
  });

  it("round-trips through formatJiraInstant", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => {
        const ms = at - (at % 1000);
        expect(parseOffsetInstant(formatJiraInstant(ms, zone))?.instant).toBe(ms);
      }),
    );
  });
});

describe("zones", () => {
  it("names fixed offsets canonically", () => {
    expect(offsetZoneName(0)).toBe("UTC");
    expect(offsetZoneName(60)).toBe("UTC+01:00");
    expect(offsetZoneName(-330)).toBe("UTC-05:30");
    expect(resolveZone("UTC+01:00")?.offset(0)).toBe(60);
    expect(resolveZone("+0530")?.offset(0)).toBe(330);
    expect(resolveZone("+25:00")).toBeUndefined();
    expect(resolveZone("+01:75")).toBeUndefined();
  });
});
