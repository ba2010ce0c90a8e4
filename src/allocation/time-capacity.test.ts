import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayCapacitySeconds, fitToCapacity, ROUNDING_SECONDS } from "./time-capacity.js";

describe("fitToCapacity", () => {
  it("rounds estimates under capacity", () => {
    expect(fitToCapacity([{ predictedSeconds: 3700, floorSeconds: 0 }, { predictedSeconds: 1000, floorSeconds: 0 }], 8 * 3600)).toEqual([3600, 900]);
  });

  it("scales down above the meeting floors", () => {
    const fitted = fitToCapacity([{ predictedSeconds: 6 * 3600, floorSeconds: 3600 }, { predictedSeconds: 4 * 3600, floorSeconds: 0 }], 8 * 3600, 3600);
    expect(fitted.reduce((a, b) => a + b, 0)).toBe(7 * 3600);
    expect(fitted[0]).toBeGreaterThanOrEqual(3600);
    // The part above the floor is scaled by one factor: 5 h and 4 h become 3.33 h and 2.67 h.
    expect(fitted).toEqual([4 * 3600 + 1200, 2 * 3600 + 2400]);
  });

  it("raises an estimate to its meetings", () => {
    expect(fitToCapacity([{ predictedSeconds: 600, floorSeconds: 1700 }], 8 * 3600)).toEqual([1800]);
  });

  it("capacity wins over meetings", () => {
    expect(fitToCapacity([{ predictedSeconds: 0, floorSeconds: 3600 }, { predictedSeconds: 0, floorSeconds: 3600 }], 3600)).toEqual([1800, 1800]);
  });

  it("holds for any day", () => {
    const item = fc.record({ predictedSeconds: fc.double({ min: -3600, max: 12 * 3600, noNaN: true }), floorSeconds: fc.integer({ min: 0, max: 4 * 3600 }) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.integer({ min: 0, max: 10 * 3600 }), fc.integer({ min: 0, max: 10 * 3600 }), (items, capacity, fixed) => {
        const fitted = fitToCapacity(items, capacity, fixed);
        const total = fitted.reduce((a, b) => a + b, 0);
        expect(fitted).toHaveLength(items.length);
        expect(total).toBeLessThanOrEqual(Math.max(0, capacity - fixed));
        for (const [i, seconds] of fitted.entries()) {
          expect(seconds).toBeGreaterThanOrEqual(0);
          expect(seconds % ROUNDING_SECONDS).toBe(0);
          const floor = Math.ceil((items[i]?.floorSeconds ?? 0) / ROUNDING_SECONDS) * ROUNDING_SECONDS;
          const floorsFit = items.reduce((sum, it) => sum + Math.ceil(it.floorSeconds / ROUNDING_SECONDS) * ROUNDING_SECONDS, 0) <= capacity - fixed;
          if (floorsFit) expect(seconds).toBeGreaterThanOrEqual(floor);
        }
      }),
    );
  });
});

describe("dayCapacitySeconds", () => {
  it("subtracts out-of-office", () => {
    expect(dayCapacitySeconds({ day: "2025-03-10", workedSeconds: 0, outOfOfficeSeconds: 4 * 3600 }, 8 * 3600)).toBe(4 * 3600);
  });

  it("weekend needs activity", () => {
    expect(dayCapacitySeconds({ day: "2025-03-15", workedSeconds: 0, outOfOfficeSeconds: 0 }, 8 * 3600)).toBe(0);
    expect(dayCapacitySeconds({ day: "2025-03-16", workedSeconds: 600, outOfOfficeSeconds: 0 }, 8 * 3600)).toBe(8 * 3600);
  });
});
