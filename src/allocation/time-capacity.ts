import type { DaySummary } from "./allocate.js";
import { isoWeekday } from "./source-breakdown.js";

/** Model estimates are rounded to this many seconds: 5 minutes. */
export const ROUNDING_SECONDS = 300;

/** One linked ticket's model estimate within a person's day. */
export interface CapacityItem {
  /** The model's estimate in seconds, before rounding. */
  predictedSeconds: number;
  /** Seconds the person spent in meetings linked to the ticket that day. */
  floorSeconds: number;
}

/**
 * Capacity of a person's day for model estimates: the workday minus out-of-office
 * time. A weekend day has no capacity unless the person had activity that day, and
 * then it gets the same capacity as a weekday.
 */
export function dayCapacitySeconds(summary: Pick<DaySummary, "day" | "workedSeconds" | "outOfOfficeSeconds">, workdaySeconds: number): number {
  const weekend = isoWeekday(summary.day) >= 6;
  if (weekend && summary.workedSeconds <= 0) return 0;
  return Math.max(0, workdaySeconds - Math.min(summary.outOfOfficeSeconds, workdaySeconds));
}

/**
 * Fit one person-day's model estimates to capacity. The rules, in order:
 *
 * 1. Each estimate becomes the larger of the estimate rounded to 5 minutes and the
 *    ticket's linked meeting time rounded up to 5 minutes, and never below 0.
 * 2. The budget is the capacity minus `fixedSeconds` (the day's unlinked time, which
 *    the model does not estimate), rounded down to 5 minutes, and at least 0.
 * 3. When the estimates exceed the budget, the part of each above its meeting floor
 *    is scaled down by one factor, so no ticket goes below its meetings. When the
 *    floors alone exceed the budget, the capacity wins and the floors are scaled
 *    down instead.
 * 4. Scaled values are cut to 5-minute steps and the steps left over go to the
 *    largest remainders, so the total is the budget exactly.
 *
 * Returns seconds per item in input order: multiples of 5 minutes, never negative,
 * with a total of at most the budget.
 */
export function fitToCapacity(items: readonly CapacityItem[], capacitySeconds: number, fixedSeconds = 0): number[] {
  const budgetSteps = Math.max(0, Math.floor((capacitySeconds - Math.max(0, fixedSeconds)) / ROUNDING_SECONDS));
  const floors = items.map((item) => Math.max(0, Math.ceil(finite(item.floorSeconds) / ROUNDING_SECONDS)));
  const requested = items.map((item, i) => Math.max(floors[i] ?? 0, Math.round(Math.max(0, finite(item.predictedSeconds)) / ROUNDING_SECONDS)));

  const total = sum(requested);
  if (total <= budgetSteps) return requested.map((steps) => steps * ROUNDING_SECONDS);

  const floorTotal = sum(floors);
  let shares: number[];
  if (floorTotal >= budgetSteps) {
    shares = floors.map((steps) => (floorTotal === 0 ? 0 : (steps * budgetSteps) / floorTotal));
  } else {
    const factor = (budgetSteps - floorTotal) / (total - floorTotal);
    shares = requested.map((steps, i) => (floors[i] ?? 0) + (steps - (floors[i] ?? 0)) * factor);
  }
  return largestRemainder(shares, budgetSteps).map((steps) => steps * ROUNDING_SECONDS);
}

/** Whole steps whose sum is `target`, each the floor of its share or one more, the extra going to the largest remainders. */
function largestRemainder(shares: readonly number[], target: number): number[] {
  const whole = shares.map((share) => Math.floor(share));
  let left = target - sum(whole);
  const order = shares.map((share, i) => ({ i, remainder: share - (whole[i] ?? 0) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    whole[i] = (whole[i] ?? 0) + 1;
    left -= 1;
  }
  return whole;
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
