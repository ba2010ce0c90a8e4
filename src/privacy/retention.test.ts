import { describe, expect, it } from "vitest";
import { DEFAULT_RETENTION, firstKeptDay, parseRetentionDays, parseRetentionPolicy, requireRetentionClass, retentionCutoffs } from "./retention.js";

const WHERE = 'settings row "privacy.retention"';

describe("retention policy", () => {
  it("defaults when nothing is stored", () => {
    expect(parseRetentionPolicy(undefined, WHERE)).toEqual({ raw_events: 400, derived: 400, suggestions: 730, worklogs: null, audit: 2557 });
  });

  it("fills missing classes with defaults", () => {
    expect(parseRetentionPolicy(JSON.stringify({ raw_events: 30, worklogs: 3650 }), WHERE)).toEqual({ ...DEFAULT_RETENTION, raw_events: 30, worklogs: 3650 });
    expect(parseRetentionPolicy(JSON.stringify({ audit: null }), WHERE).audit).toBeNull();
  });

  it("rejects invalid values with the field", () => {
    expect(() => parseRetentionPolicy(JSON.stringify({ raw_events: 0 }), WHERE)).toThrow(/settings row "privacy.retention" is invalid: raw_events: /);
    expect(() => parseRetentionPolicy(JSON.stringify({ derived: 1.5 }), WHERE)).toThrow(/derived: /);
    expect(() => parseRetentionPolicy(JSON.stringify({ raw_events: "400" }), WHERE)).toThrow(/raw_events: /);
    expect(() => parseRetentionPolicy(JSON.stringify({ activities: 30 }), WHERE)).toThrow(/is invalid/);
    expect(() => parseRetentionPolicy("[1,2]", WHERE)).toThrow(/is invalid/);
    expect(() => parseRetentionPolicy("{", WHERE)).toThrow(/is not valid JSON/);
  });

  it("parses days from the command line", () => {
    expect(parseRetentionDays("400")).toBe(400);
    expect(parseRetentionDays(" keep ")).toBeNull();
    expect(parseRetentionDays("FOREVER")).toBeNull();
    for (const bad of ["0", "-5", "1.5", "36501", "", "ten"]) expect(() => parseRetentionDays(bad), bad).toThrow(/invalid retention/);
  });

  it("names the classes on an unknown one", () => {
    expect(requireRetentionClass("audit")).toBe("audit");
    expect(() => requireRetentionClass("logs")).toThrow(/unknown data class "logs"/);
  });

  it("computes cut-offs per class", () => {
    const now = Date.UTC(2025, 5, 1, 6);
    const cutoffs = retentionCutoffs({ raw_events: 1, derived: 400, suggestions: 730, worklogs: null, audit: 2557 }, now);
    expect(cutoffs.raw_events).toBe(Date.UTC(2025, 4, 31, 6));
    expect(cutoffs.derived).toBe(now - 400 * 86_400_000);
    expect(cutoffs.worklogs).toBeUndefined();
  });

  it("keeps the day of the cut-off", () => {
    expect(firstKeptDay(Date.UTC(2025, 2, 10, 12))).toBe("2025-03-10");
    expect(firstKeptDay(Date.UTC(2025, 2, 10, 0))).toBe("2025-03-10");
    expect(firstKeptDay(Date.UTC(2025, 2, 9, 23, 59))).toBe("2025-03-09");
  });
});
