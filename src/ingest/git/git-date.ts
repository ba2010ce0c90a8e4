import { MS_PER_MINUTE, type ParsedInstant } from "../../domain/time.js";

/** `--date=iso-strict`: "2025-03-03T10:15:00+01:00", and "Z" for a zero offset as ISO 8601 allows. */
const ISO_STRICT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$/;
/** `--date=iso`: "2025-03-03 10:15:00 +0100". */
const ISO = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/;
/** `--date=default`, what git prints without a `--date` option: "Mon Mar 3 10:15:00 2025 +0100". */
const DEFAULT = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) ([+-]\d{4})$/;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Largest offset accepted, in minutes: ISO 8601 and Luxon stop at ±18:00. */
const MAX_OFFSET_MINUTES = 18 * 60;

/**
 * Parses a date as `git log` prints it with `--date=iso-strict`, `--date=iso` or no
 * `--date` option, keeping the date's own offset. Returns undefined for any other text
 * and for impossible fields such as February 30.
 *
 * Hand-written instead of Luxon because it runs twice per commit and a large
 * repository has millions of commits.
 */
export function parseGitDate(text: string): ParsedInstant | undefined {
  const strict = ISO_STRICT.exec(text);
  if (strict) {
    const [, year, month, day, hour, minute, second, offset] = strict;
    return build(year, month, day, hour, minute, second, offset === "Z" ? 0 : parseOffset(offset));
  }

  const iso = ISO.exec(text);
  if (iso) {
    const [, year, month, day, hour, minute, second, offset] = iso;
    return build(year, month, day, hour, minute, second, parseOffset(offset));
  }

  const fallback = DEFAULT.exec(text);
  if (fallback) {
    const [, monthName, day, hour, minute, second, year, offset] = fallback;
    const month = MONTHS.indexOf(monthName ?? "") + 1;
    if (month === 0) return undefined;
    return build(year, String(month), day, hour, minute, second, parseOffset(offset));
  }

  return undefined;
}

/** Converts "+01:00" or "+0100" to minutes east of UTC, or NaN when malformed. */
function parseOffset(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const digits = text.length === 6 ? text.slice(1, 3) + text.slice(4, 6) : text.slice(1);
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (minutes >= 60) return Number.NaN;
  const total = hours * 60 + minutes;
  return text.startsWith("-") ? -total : total;
}

function build(
  yearText: string | undefined,
  monthText: string | undefined,
  dayText: string | undefined,
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
  offsetMinutes: number,
): ParsedInstant | undefined {
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (!Number.isFinite(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;

  // setUTCFullYear, unlike Date.UTC, keeps years below 100 as they are. An overflowing
  // day rolls into the next month, so a changed day means the date does not exist.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, 0);
  if (local.getUTCDate() !== day) return undefined;

  return { instant: local.getTime() - offsetMinutes * MS_PER_MINUTE, offsetMinutes };
}
