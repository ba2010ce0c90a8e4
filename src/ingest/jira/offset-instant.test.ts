import fc from "fast-check";
import { DateTime, FixedOffsetZone } from "luxon";
import { describe, expect, it } from "vitest";
import { parseOffsetInstant } from "../../domain/time.js";

/** Instants from 1990 to 2100, the range worklens accepts. */
const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) - 1 });
/** Offsets in minutes east of UTC; real zones use -12:00 to +14:00, the format allows up to 23:59. */
const offset = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });

describe("parseOffsetInstant against Luxon", () => {
  it("reads Jira's offset without a colon", () => {
    fc.assert(
      fc.property(instant, offset, (ms, minutes) => {
        const local = DateTime.fromMillis(ms, { zone: FixedOffsetZone.instance(minutes) });
        const text = local.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ");
        expect(parseOffsetInstant(text)).toEqual({ instant: ms, offsetMinutes: minutes });
        expect(DateTime.fromISO(text, { setZone: true }).toMillis()).toBe(ms);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads ISO 8601 offsets with a colon and Z", () => {
    fc.assert(
      fc.property(instant, offset, fc.boolean(), (ms, minutes, utc) => {
        const zone = utc ? FixedOffsetZone.utcInstance : FixedOffsetZone.instance(minutes);
        const text = DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true, includeOffset: true }) ?? "";
        const luxon = DateTime.fromISO(text, { setZone: true });
        expect(parseOffsetInstant(text)).toEqual({ instant: luxon.toMillis(), offsetMinutes: luxon.offset });
      }),
      { numRuns: 1000 },
    );
  });

  it("rejects text without an offset", () => {
    expect(parseOffsetInstant("2025-03-10T00:30:00.000")).toBeUndefined();
    expect(parseOffsetInstant("2025-03-10")).toBeUndefined();
    expect(parseOffsetInstant("2025-02-30T00:30:00.000+0100")).toBeUndefined();
  });
});
