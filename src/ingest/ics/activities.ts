import { createHash } from "node:crypto";
import { extractIssueKeys } from "../../domain/issue-keys.js";
import { nextDay, splitByDay, startOfDay, type Day } from "../../domain/time.js";
import type { ActivityInput, ActivityText, IdentityInput } from "../../domain/types.js";
import type { CalendarKind } from "./classify.js";
import type { Occurrence } from "./expand.js";
import type { EventText } from "./facts.js";
import type { CalendarZone } from "./zones.js";

export interface ActivityContext {
  person: IdentityInput;
  calendarZone: CalendarZone;
  /** Window in epoch ms; only day slices that overlap [from, to) are returned. */
  from: number;
  to: number;
}

/**
 * Build one activity per local day of an occurrence. A timed occurrence is split
 * at midnights of its own zone. An all-day occurrence gives one activity per date,
 * with instants from midnight to midnight in the calendar's zone.
 *
 * Issue keys come from the title and description even when `keepText` is false.
 *
 * The source id is `ics:<person>:<UID>:<occurrence start>:<day>`, where the start is an
 * ISO instant for a timed occurrence and the first date for an all-day one, so a
 * re-import of the same file yields the same ids. `<person>` is a short digest of the
 * calendar owner's id: the same meeting in two people's calendars is two people's time.
 */
export function occurrenceActivities(
  uid: string,
  occurrence: Occurrence,
  kind: CalendarKind,
  text: EventText,
  keepText: boolean,
  context: ActivityContext,
): ActivityInput[] {
  const shared = {
    source: "ics" as const,
    kind,
    actor: context.person,
    explicitKeys: extractIssueKeys(`${text.title}\n${text.description}`),
    text: keepText ? activityText(text) : {},
  };
  const activities: ActivityInput[] = [];
  const time = occurrence.time;
  const prefix = `ics:${personKey(context.person)}:${uid}`;

  if (!time.dateOnly) {
    const occurrenceId = new Date(time.start).toISOString();
    for (const slice of splitByDay(time.start, time.end, time.zone.name)) {
      if (slice.start >= context.to || slice.end <= context.from) continue;
      activities.push({
        ...shared,
        sourceUid: `${prefix}:${occurrenceId}:${slice.day}`,
        startAt: slice.start,
        endAt: slice.end,
        tz: time.zone.name,
        dateOnly: false,
      });
    }
    return activities;
  }

  const zone = context.calendarZone.name;
  let day: Day = time.firstDay;
  for (let i = 0; i < time.dayCount; i += 1, day = nextDay(day)) {
    const startAt = startOfDay(day, zone);
    const endAt = startOfDay(nextDay(day), zone);
    if (startAt >= context.to || endAt <= context.from) continue;
    activities.push({
      ...shared,
      sourceUid: `${prefix}:${time.firstDay}:${day}`,
      startAt,
      endAt,
      tz: zone,
      dateOnly: true,
      localDate: day,
      localEndDate: day,
    });
  }
  return activities;
}

function activityText(text: EventText): ActivityText {
  const result: ActivityText = {};
  if (text.title !== "") result.title = text.title;
  if (text.description !== "") result.body = text.description;
  return result;
}

/** First 12 characters of the SHA-256 of the owner's lower-cased id: enough to keep owners apart, without the e-mail itself. */
export function personKey(person: IdentityInput): string {
  return createHash("sha256").update(person.externalId.trim().toLowerCase()).digest("base64url").slice(0, 12);
}
