import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from "./retry.js";

describe("parseRetryAfter", () => {
  const now = Date.UTC(2025, 2, 10, 12, 0, 0);

  it("reads seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
  });

  it("reads an HTTP date", () => {
    expect(parseRetryAfter("Mon, 10 Mar 2025 12:00:30 GMT", now)).toBe(30_000);
  });

  it("returns 0 for a past date", () => {
    expect(parseRetryAfter("Mon, 10 Mar 2025 11:00:00 GMT", now)).toBe(0);
  });

  it("returns undefined when missing or unreadable", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("stays between half and all of the capped exponential", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, random) => {
        const ceiling = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (retry - 1));
        const delay = backoffDelay(retry, DEFAULT_RETRY_POLICY, () => random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});
