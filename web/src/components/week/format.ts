/**
 * Date and number formatting of the week pages. Days are `YYYY-MM-DD` strings that the
 * server already cut in the person's zone, so day arithmetic runs on UTC dates and
 * never shifts a day by the browser's own zone.
 */

const MS_PER_DAY = 86_400_000;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(value: string | null): value is string {
  return value !== null && DAY_PATTERN.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Returns the Monday of the ISO week that contains `day`. */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/** Returns the seven days of the week that starts on `monday`. */
export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, index) => addDays(monday, index));
}

const dayHeading = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
const dayLong = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** Formats a day as "Mon 10 Mar". */
export function formatDayShort(day: string): string {
  return dayHeading.format(new Date(`${day}T00:00:00Z`));
}

/** Formats a week as "Mon 10 Mar – Sun 16 Mar 2025". */
export function formatWeekRange(start: string, end: string): string {
  return `${formatDayShort(start)} – ${formatDayShort(end)} ${end.slice(0, 4)}`;
}

export function formatDayLong(day: string): string {
  return dayLong.format(new Date(`${day}T00:00:00Z`));
}

/** Formats seconds as hours with at most two decimals: 9000 → "2.5h", 3600 → "1h". */
export function formatHours(seconds: number): string {
  return `${String(Math.round((seconds / 3600) * 100) / 100)}h`;
}

export function formatPercent(share: number): string {
  return `${String(Math.round(share * 100))}%`;
}

/** Formats an instant as a time of day in `zone`; an invalid zone falls back to UTC, named in the output. */
export function formatTime(iso: string, zone: string | null): string {
  const date = new Date(iso);
  try {
    return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone ?? "UTC" }).format(date);
  } catch {
    return `${new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(date)} UTC`;
  }
}

export function formatInstant(iso: string, zone: string | null): string {
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone ?? "UTC" }).format(date);
  } catch {
    return `${new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(date)} UTC`;
  }
}

/** Parses hours typed by a person ("1.5", "1,5") into whole seconds, or undefined when it is no positive number. */
export function parseHours(text: string): number | undefined {
  const hours = Number(text.trim().replace(",", "."));
  if (text.trim() === "" || !Number.isFinite(hours) || hours <= 0) return undefined;
  return Math.round(hours * 3600);
}
