import { WorklensError } from "../domain/errors.js";

/** One cell of an aggregate breakdown: its label, the seconds in it, and the people whose time it contains. */
export interface GroupCell {
  label: string;
  seconds: number;
  people: ReadonlySet<number>;
}

/** A cell safe to show: at least the minimum group size of people contributed to it. */
export interface ShownCell {
  label: string;
  seconds: number;
  people: number;
}

/** Cells merged because too few people contributed to them, shown only as one sum. */
export interface SmallCellBucket {
  /** "fewer than N people" */
  label: string;
  seconds: number;
  /** How many cells were merged, so readers know the bucket is not one category. */
  cells: number;
}

export interface SuppressedBreakdown {
  cells: ShownCell[];
  /** Null when every cell had enough people. */
  small: SmallCellBucket | null;
}

export function smallBucketLabel(minGroupSize: number): string {
  return `fewer than ${String(minGroupSize)} people`;
}

function assertGroupSize(minGroupSize: number): void {
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
    throw new RangeError(`minimum group size must be a whole number of at least 1, not ${String(minGroupSize)}`);
  }
}

/**
 * Small-cell suppression of one breakdown. Cells that fewer than `minGroupSize` people
 * contributed to are merged into one bucket. The bucket itself is shown, so it must not
 * stand for a small group either: while the people in it number fewer than the minimum,
 * the shown cell with the fewest people (then the fewest seconds) joins it. That
 * complementary suppression also stops a reader from getting a single suppressed cell
 * back as the total minus the shown cells, because the bucket then contains at least two
 * cells and at least the minimum number of people.
 *
 * NOTE: this protects one breakdown. Two breakdowns of the same total that group people
 * differently (by project and by issue type) can still be combined to narrow a cell down.
 */
export function suppressSmallCells(cells: readonly GroupCell[], minGroupSize: number): SuppressedBreakdown {
  assertGroupSize(minGroupSize);
  const nonEmpty = cells.filter((c) => c.seconds > 0 && c.people.size > 0);
  const shown = nonEmpty.filter((c) => c.people.size >= minGroupSize);
  const merged = nonEmpty.filter((c) => c.people.size < minGroupSize);
  if (merged.length === 0) return { cells: shown.map(toShown).sort(bySecondsThenLabel), small: null };

  const bucketPeople = new Set<number>();
  for (const cell of merged) for (const person of cell.people) bucketPeople.add(person);
  // Smallest first, so the cheapest cells join the bucket.
  shown.sort((a, b) => a.people.size - b.people.size || a.seconds - b.seconds || a.label.localeCompare(b.label));
  while ((bucketPeople.size < minGroupSize || merged.length < 2) && shown.length > 0) {
    const next = shown.shift();
    if (next === undefined) break;
    merged.push(next);
    for (const person of next.people) bucketPeople.add(person);
  }

  return {
    cells: shown.map(toShown).sort(bySecondsThenLabel),
    small: { label: smallBucketLabel(minGroupSize), seconds: merged.reduce((sum, c) => sum + c.seconds, 0), cells: merged.length },
  };
}

/**
 * Throws unless at least `minGroupSize` people contributed to an aggregate, so no team
 * or period with fewer people is shown at all. The message reads
 * "<subject> has fewer <counted> than the minimum group size of N".
 */
export function requireMinGroup(count: number, minGroupSize: number, subject: string, counted: string): void {
  assertGroupSize(minGroupSize);
  if (count < minGroupSize) {
    throw new WorklensError(
      "CONFLICT",
      `${subject} has fewer ${counted} than the minimum group size of ${String(minGroupSize)}, so it is not shown`,
      `aggregates are shown only for groups of at least ${String(minGroupSize)} people (setting privacy.minGroupSize) so no one's time can be read from them; choose a longer range or a larger team`,
    );
  }
}

function toShown(cell: GroupCell): ShownCell {
  return { label: cell.label, seconds: cell.seconds, people: cell.people.size };
}

function bySecondsThenLabel(a: ShownCell, b: ShownCell): number {
  return b.seconds - a.seconds || a.label.localeCompare(b.label);
}
