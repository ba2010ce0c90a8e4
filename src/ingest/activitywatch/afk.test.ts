import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ActivePeriods, type TimeSpan } from "./afk.js";
import { isEditorApp } from "./editor-apps.js";

const spanArb = fc
  .record({ start: fc.integer({ min: 0, max: 10_000 }), length: fc.integer({ min: 0, max: 2_000 }) })
  .map(({ start, length }) => ({ start, end: start + length }));

/** Length of the overlap of a span with a union of spans, by brute force on whole units. */
function overlapByUnits(span: TimeSpan, periods: readonly TimeSpan[]): number {
  let total = 0;
  for (let t = span.start; t < span.end; t += 1) {
    if (periods.some((p) => p.start <= t && t < p.end)) total += 1;
  }
  return total;
}

describe("ActivePeriods", () => {
  it("cuts across several periods", () => {
    const periods = new ActivePeriods([
      { start: 40, end: 60 },
      { start: 0, end: 20 },
      { start: 15, end: 25 },
    ]);
    expect(periods.cut(10, 50)).toEqual([
      { start: 10, end: 25 },
      { start: 40, end: 50 },
    ]);
    expect(periods.cut(25, 40)).toEqual([]);
    expect(periods.cut(60, 70)).toEqual([]);
  });

  it("joins touching periods", () => {
    expect(new ActivePeriods([{ start: 0, end: 10 }, { start: 10, end: 20 }]).cut(0, 20)).toEqual([{ start: 0, end: 20 }]);
  });

  it("pieces are the exact overlap", () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 12 }), spanArb, (spans, event) => {
        const pieces = new ActivePeriods(spans).cut(event.start, event.end);
        let covered = 0;
        let previousEnd = -Infinity;
        for (const piece of pieces) {
          expect(piece.end).toBeGreaterThan(piece.start);
          expect(piece.start).toBeGreaterThanOrEqual(Math.max(event.start, previousEnd));
          expect(piece.end).toBeLessThanOrEqual(event.end);
          covered += piece.end - piece.start;
          previousEnd = piece.end;
        }
        expect(covered).toBe(overlapByUnits(event, spans));
      }),
    );
  });
});

describe("isEditorApp", () => {
  const editors = ["Code", "Code.exe", "code", "idea64.exe", "jetbrains-idea-ce", "PyCharm", "iTerm2", "Terminal", "WindowsTerminal.exe", "gnome-terminal-server", "Emacs", "nvim", "Cursor", "Xcode.app"];
  const others = ["Slack", "firefox", "Google Chrome", "Spotify", "zoom.us", "explorer.exe", ""];

  for (const app of editors) {
    it(`accepts ${app}`, () => {
      expect(isEditorApp(app)).toBe(true);
    });
  }
  for (const app of others) {
    it(`rejects ${app || "empty"}`, () => {
      expect(isEditorApp(app)).toBe(false);
    });
  }
});
