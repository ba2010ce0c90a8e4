import { WorklensError } from "../domain/errors.js";
import { DAY_PATTERN, type DayWindow } from "../store/model-types.js";

const MS_PER_DAY = 86_400_000;

/** Returns the day `days` calendar days after `day` (before, when negative); both YYYY-MM-DD. */
export function shiftDay(day: string, days: number): string {
  const [year, month, date] = day.split("-").map(Number);
  if (!DAY_PATTERN.test(day) || year === undefined || month === undefined || date === undefined) {
    throw new WorklensError("USAGE", `invalid day "${day}": expected YYYY-MM-DD`, "pass a calendar day such as 2025-03-14");
  }
  // UTC arithmetic on calendar days, so the host's zone and DST never shift the result.
  return new Date(Date.UTC(year, month - 1, date) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Returns the `days` days that end the day before `today`: today's feedback is still coming in. */
export function windowBefore(today: string, days: number): DayWindow {
  return { from: shiftDay(today, -days), to: shiftDay(today, -1) };
}

/** Returns the current calendar day in UTC, the default `today` of training and drift checks. */
export function utcToday(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Throws USAGE unless `value` is a whole number of at least `min`; `name` names the option in the message. */
export function requireWholeNumber(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new WorklensError("USAGE", `invalid ${name} ${String(value)}: expected a whole number of at least ${min}`, `pass ${name} as a whole number such as ${Math.max(min, 14)}`);
  }
  return value;
}
