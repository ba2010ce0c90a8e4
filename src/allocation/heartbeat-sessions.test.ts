import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MS_PER_MINUTE } from "../domain/time.js";
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  heartbeatSegments,
  sessionsOf,
  totalDuration,
  type HeartbeatPoint,
  type TimeSpan,
} from "./heartbeat-sessions.js";

const T0 = Date.UTC(2025, 2, 10, 9, 0, 0);
const min = (n: number) => T0 + n * MS_PER_MINUTE;

function beat(at: number, label: string | null = null, machine: string | null = null): HeartbeatPoint {
  return { at, label, machine };
}

/** Measure of the union of spans, computed independently of the code under test. */
function unionLength(spans: readonly TimeSpan[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let total = 0;
  let cursor = -Infinity;
  for (const span of sorted) {
    const start = Math.max(span.start, cursor);
    if (span.end > start) total += span.end - start;
    cursor = Math.max(cursor, span.end);
  }
  return total;
}

const timeArb = fc.integer({ min: 0, max: 6 * 60 * MS_PER_MINUTE }).map((offset) => T0 + offset);
const labelArb = fc.constantFrom<string | null>(null, "PROJ-1", "PROJ-2", "OPS-7");
const beatsArb = (machine: string) =>
  fc.array(fc.record({ at: timeArb, label: labelArb }).map((b) => ({ ...b, machine })), { maxLength: 40 });
const timeoutArb = fc.integer({ min: 0, max: 60 * MS_PER_MINUTE });

describe("heartbeatSegments", () => {
  it("counts gaps up to the timeout", () => {
    const segments = heartbeatSegments([beat(min(0), "A"), beat(min(10), "A"), beat(min(25), "A")], DEFAULT_HEARTBEAT_TIMEOUT_MS);
    expect(segments).toEqual([{ start: min(0), end: min(25), label: "A" }]);
  });

  it("gap above the timeout ends the session", () => {
    const segments = heartbeatSegments([beat(min(0), "A"), beat(min(5), "A"), beat(min(21), "A"), beat(min(22), "A")], DEFAULT_HEARTBEAT_TIMEOUT_MS);
    expect(segments).toEqual([
      { start: min(0), end: min(5), label: "A" },
      { start: min(21), end: min(22), label: "A" },
    ]);
  });

  it("gap of exactly the timeout counts", () => {
    const segments = heartbeatSegments([beat(min(0)), beat(min(15))], DEFAULT_HEARTBEAT_TIMEOUT_MS);
    expect(totalDuration(segments)).toBe(15 * MS_PER_MINUTE);
  });

  it("segment belongs to its starting heartbeat", () => {
    const segments = heartbeatSegments([beat(min(0), "A"), beat(min(4), "B"), beat(min(6), null)], DEFAULT_HEARTBEAT_TIMEOUT_MS);
    expect(segments).toEqual([
      { start: min(0), end: min(4), label: "A" },
      { start: min(4), end: min(6), label: "B" },
    ]);
  });

  it("sorts unsorted input", () => {
    const segments = heartbeatSegments([beat(min(4), "B"), beat(min(0), "A"), beat(min(6))], DEFAULT_HEARTBEAT_TIMEOUT_MS);
    expect(segments[0]).toEqual({ start: min(0), end: min(4), label: "A" });
  });

  it("lone heartbeat counts nothing", () => {
    expect(heartbeatSegments([beat(min(0), "A")], DEFAULT_HEARTBEAT_TIMEOUT_MS)).toEqual([]);
    expect(heartbeatSegments([], DEFAULT_HEARTBEAT_TIMEOUT_MS)).toEqual([]);
  });

  it("same instant on two machines counts once", () => {
    const beats = [beat(min(0), "A", "a"), beat(min(0), "A", "b"), beat(min(2), "A", "a"), beat(min(2), "A", "b")];
    expect(totalDuration(heartbeatSegments(beats, DEFAULT_HEARTBEAT_TIMEOUT_MS))).toBe(2 * MS_PER_MINUTE);
  });

  it("two labels at one instant: one owner", () => {
    const beats = [beat(min(0), "PROJ-2", "a"), beat(min(0), "PROJ-1", "b"), beat(min(3), null, "a")];
    const segments = heartbeatSegments(beats, DEFAULT_HEARTBEAT_TIMEOUT_MS);
    expect(segments).toEqual([{ start: min(0), end: min(3), label: "PROJ-2" }]);
  });

  it("rejects a bad timeout", () => {
    expect(() => heartbeatSegments([beat(min(0))], -1)).toThrow(RangeError);
    expect(() => heartbeatSegments([beat(min(0))], Number.NaN)).toThrow(RangeError);
  });

  it("rejects a non-finite time", () => {
    expect(() => heartbeatSegments([beat(Number.NaN)], 1000)).toThrow(RangeError);
  });
});

describe("sessionsOf", () => {
  it("joins touching segments across labels", () => {
    const sessions = sessionsOf([beat(min(0), "A"), beat(min(4), "B"), beat(min(6)), beat(min(30)), beat(min(31))]);
    expect(sessions).toEqual([
      { start: min(0), end: min(6) },
      { start: min(30), end: min(31) },
    ]);
  });

  it("uses a configurable timeout", () => {
    const beats = [beat(min(0)), beat(min(20))];
    expect(sessionsOf(beats)).toEqual([]);
    expect(sessionsOf(beats, 30 * MS_PER_MINUTE)).toEqual([{ start: min(0), end: min(20) }]);
  });
});

describe("heartbeat time properties", () => {
  it("total within span and timeout bound", () => {
    fc.assert(
      fc.property(beatsArb("a"), timeoutArb, (beats, timeout) => {
        const total = totalDuration(heartbeatSegments(beats, timeout));
        const times = beats.map((b) => b.at);
        const span = times.length === 0 ? 0 : Math.max(...times) - Math.min(...times);
        expect(total).toBeLessThanOrEqual(span);
        expect(total).toBeLessThanOrEqual(timeout * Math.max(0, beats.length - 1));
      }),
    );
  });

  it("segments are sorted and disjoint", () => {
    fc.assert(
      fc.property(beatsArb("a"), beatsArb("b"), timeoutArb, (a, b, timeout) => {
        const segments = heartbeatSegments([...a, ...b], timeout);
        for (let i = 0; i < segments.length; i += 1) {
          const segment = segments[i];
          const next = segments[i + 1];
          expect(segment).toBeDefined();
          expect(segment?.end).toBeGreaterThan(segment?.start ?? Infinity);
          if (segment && next) expect(next.start).toBeGreaterThanOrEqual(segment.end);
        }
        expect(totalDuration(segments)).toBe(unionLength(segments));
      }),
    );
  });

  it("merging keeps every machine's time", () => {
    fc.assert(
      fc.property(beatsArb("a"), beatsArb("b"), timeoutArb, (a, b, timeout) => {
        const perMachine = [...heartbeatSegments(a, timeout), ...heartbeatSegments(b, timeout)];
        const merged = heartbeatSegments([...a, ...b], timeout);
        expect(unionLength([...merged, ...perMachine])).toBe(totalDuration(merged));
      }),
    );
  });

  it("merged time bounded by sum plus switches", () => {
    // Each gap between two heartbeats of one machine is that machine's own gap. Only
    // gaps where the stream switches machine are new, and each counts at most the timeout.
    fc.assert(
      fc.property(beatsArb("a"), beatsArb("b"), timeoutArb, (a, b, timeout) => {
        const sum = totalDuration(heartbeatSegments(a, timeout)) + totalDuration(heartbeatSegments(b, timeout));
        const merged = totalDuration(heartbeatSegments([...a, ...b], timeout));
        const ordered = [...a, ...b].sort((x, y) => x.at - y.at);
        let switches = 0;
        for (let i = 1; i < ordered.length; i += 1) {
          if (ordered[i]?.machine !== ordered[i - 1]?.machine) switches += 1;
        }
        expect(merged).toBeLessThanOrEqual(sum + switches * timeout);
      }),
    );
  });

  it("overlapping sessions never exceed their sum", () => {
    // Two machines that each report one unbroken session over overlapping periods:
    // the merged time is the union of both periods, never the sum of both.
    const sessionArb = fc
      .record({ start: timeArb, steps: fc.array(fc.integer({ min: 0, max: 15 * MS_PER_MINUTE }), { minLength: 1, maxLength: 30 }) })
      .map(({ start, steps }) => {
        const times = [start];
        for (const step of steps) times.push((times.at(-1) ?? start) + step);
        return times;
      });
    fc.assert(
      fc.property(sessionArb, sessionArb, (timesA, timesB) => {
        const firstA = timesA[0] ?? 0;
        const lastA = timesA.at(-1) ?? 0;
        const firstB = timesB[0] ?? 0;
        const lastB = timesB.at(-1) ?? 0;
        fc.pre(firstA <= lastB && firstB <= lastA);

        const a = timesA.map((at) => beat(at, null, "a"));
        const b = timesB.map((at) => beat(at, null, "b"));
        const sum = totalDuration(heartbeatSegments(a, DEFAULT_HEARTBEAT_TIMEOUT_MS)) + totalDuration(heartbeatSegments(b, DEFAULT_HEARTBEAT_TIMEOUT_MS));
        const merged = totalDuration(heartbeatSegments([...a, ...b], DEFAULT_HEARTBEAT_TIMEOUT_MS));
        expect(merged).toBeLessThanOrEqual(sum);
        expect(merged).toBe(Math.max(lastA, lastB) - Math.min(firstA, firstB));
      }),
    );
  });

  it("merged time can exceed the sum when bridging", () => {
    // Machine a alone has one 20-minute gap (above the timeout) and machine b one lone
    // heartbeat, so each counts nothing. Together the gaps are 10 minutes each and count.
    const a = [beat(min(0), null, "a"), beat(min(20), null, "a")];
    const b = [beat(min(10), null, "b")];
    expect(totalDuration(heartbeatSegments(a, DEFAULT_HEARTBEAT_TIMEOUT_MS))).toBe(0);
    expect(totalDuration(heartbeatSegments(b, DEFAULT_HEARTBEAT_TIMEOUT_MS))).toBe(0);
    expect(totalDuration(heartbeatSegments([...a, ...b], DEFAULT_HEARTBEAT_TIMEOUT_MS))).toBe(20 * MS_PER_MINUTE);
  });

  it("copied stream counts once", () => {
    fc.assert(
      fc.property(beatsArb("a"), timeoutArb, (a, timeout) => {
        const copy = a.map((b) => ({ ...b, machine: "b" }));
        const single = totalDuration(heartbeatSegments(a, timeout));
        expect(totalDuration(heartbeatSegments([...a, ...copy], timeout))).toBe(single);
      }),
    );
  });
});
