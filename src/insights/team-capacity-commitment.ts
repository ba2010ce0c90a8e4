import { DateTime } from "luxon";
import { daysBetween, nextDay, startOfDay, MS_PER_HOUR } from "../domain/time.js";
import type { ActivityRecord } from "../domain/types.js";
import type { Commitment } from "../store/team-repository.js";

/**
 * Seconds of out-of-office time per local day of one person, from their calendar's
 * out-of-office activities: an all-day event covers whole local days, a timed one its
 * overlap with each local day in `zone`.
 */
export function outOfOfficeSecondsByDay(activities: readonly ActivityRecord[], days: readonly string[], zone: string): Map<string, number> {
  const byDay = new Map<string, number>();
  for (const activity of activities) {
    if (activity.kind !== "out_of_office") continue;
    for (const day of days) {
      let seconds: number;
      if (activity.dateOnly && activity.localDate !== null) {
        // localEndDate is exclusive, as in iCalendar, and a missing one means one day.
        const end = activity.localEndDate ?? nextDay(activity.localDate);
        seconds = day >= activity.localDate && day < end ? 24 * 3600 : 0;
      } else {
        const dayStart = startOfDay(day, zone);
        const dayEnd = startOfDay(nextDay(day), zone);
        seconds = Math.max(0, Math.min(activity.endAt, dayEnd) - Math.max(activity.startAt, dayStart)) / 1000;
      }
      if (seconds > 0) byDay.set(day, Math.min(24 * 3600, (byDay.get(day) ?? 0) + seconds));
    }
  }
  return byDay;
}

/**
 * Committed seconds of one member over local days `from` to `to`: on each working day,
 * the share of a full week times the hours per day, less the day's out-of-office time
 * (an all-day absence removes the whole day).
 */
export function committedSeconds(commitment: Commitment, from: string, to: string, outOfOffice: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const day of daysBetween(from, to)) {
    const weekday = DateTime.fromISO(day, { zone: "UTC" }).weekday;
    if (!commitment.workingDays.includes(weekday)) continue;
    const workSeconds = commitment.hoursPerDay * MS_PER_HOUR / 1000;
    const available = Math.max(0, workSeconds - (outOfOffice.get(day) ?? 0));
    total += commitment.share * available;
  }
  return Math.round(total);
}
