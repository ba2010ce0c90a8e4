import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requireMinGroup, suppressSmallCells, type GroupCell } from "../../src/privacy/min-group.js";

function cell(label: string, seconds: number, people: number[]): GroupCell {
  return { label, seconds, people: new Set(people) };
}

/** Computes what a reader gets by subtracting every shown cell from the total. */
function hiddenRemainder(cells: readonly GroupCell[], shown: readonly { seconds: number }[]): number {
  return cells.reduce((sum, c) => sum + c.seconds, 0) - shown.reduce((sum, c) => sum + c.seconds, 0);
}

describe("suppressSmallCells", () => {
  it("merges cells under the minimum", () => {
    const cells = [cell("A", 100, [1, 2, 3, 4, 5, 6]), cell("B", 50, [1, 2, 3, 4, 5]), cell("C", 10, [1, 2]), cell("D", 7, [3])];
    // C and D together have three people, so B, the smallest shown cell, joins them.
    expect(suppressSmallCells(cells, 5)).toEqual({ cells: [{ label: "A", seconds: 100, people: 6 }], small: { label: "fewer than 5 people", seconds: 67, cells: 3 } });
    // D alone would be one person's seconds, so C, the smallest shown cell, joins it.
    expect(suppressSmallCells(cells, 2)).toEqual({
      cells: [
        { label: "A", seconds: 100, people: 6 },
        { label: "B", seconds: 50, people: 5 },
      ],
      small: { label: "fewer than 2 people", seconds: 17, cells: 2 },
    });
  });

  it("single small cell gets a complement", () => {
    const cells = [cell("A", 100, [1, 2, 3, 4, 5, 6]), cell("B", 60, [1, 2, 3, 4, 5]), cell("solo", 30, [7])];
    const result = suppressSmallCells(cells, 5);
    expect(result.cells).toEqual([{ label: "A", seconds: 100, people: 6 }]);
    expect(result.small).toEqual({ label: "fewer than 5 people", seconds: 90, cells: 2 });
    // Subtracting the shown cells from the total gives B and solo together, never solo's 30 alone.
    expect(hiddenRemainder(cells, result.cells)).toBe(90);

    // Control: merging only the small cells, without a complement, hands person 7's 30 seconds to anyone who subtracts.
    const naive = cells.filter((c) => c.people.size >= 5);
    expect(hiddenRemainder(cells, naive)).toBe(30);
  });

  it("keeps a breakdown without small cells", () => {
    expect(suppressSmallCells([cell("A", 10, [1, 2]), cell("B", 0, [3]), cell("C", 5, [])], 2)).toEqual({ cells: [{ label: "A", seconds: 10, people: 2 }], small: null });
  });

  it("rejects an invalid minimum", () => {
    expect(() => suppressSmallCells([], 0)).toThrow("minimum group size must be a whole number of at least 1, not 0");
    expect(() => suppressSmallCells([], 2.5)).toThrow("minimum group size must be a whole number of at least 1, not 2.5");
  });

  it("never shows a small group", () => {
    const cellArbitrary = fc.record({
      seconds: fc.integer({ min: 1, max: 100_000 }),
      people: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(cellArbitrary, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), (raw, minimum) => {
        const cells = raw.map((c, i) => cell(`c${String(i)}`, c.seconds, c.people));
        const result = suppressSmallCells(cells, minimum);
        const total = cells.reduce((sum, c) => sum + c.seconds, 0);
        // Nothing is lost: shown cells and the bucket add up to the total.
        expect(result.cells.reduce((sum, c) => sum + c.seconds, 0) + (result.small?.seconds ?? 0)).toBe(total);
        for (const shown of result.cells) expect(shown.people).toBeGreaterThanOrEqual(minimum);
        if (result.small === null) return;
        const merged = cells.filter((c) => !result.cells.some((s) => s.label === c.label));
        const people = new Set(merged.flatMap((c) => [...c.people]));
        // The bucket is a group of at least the minimum, unless every cell is in it.
        expect(people.size >= minimum || result.cells.length === 0).toBe(true);
        // A bucket never equals one cell while other cells could complement it.
        expect(result.small.cells >= 2 || cells.length === 1).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("requireMinGroup", () => {
  it("throws under the minimum", () => {
    expect(() => { requireMinGroup(5, 5, 'team "web"', "members"); }).not.toThrow();
    expect(() => { requireMinGroup(4, 5, 'team "web"', "members"); }).toThrow('team "web" has fewer members than the minimum group size of 5, so it is not shown');
  });
});
