import type { ActivityKind } from "../../domain/types.js";

/** Properties of one calendar event (a series, a single event, or a moved instance) that the classifier reads. */
export interface EventFacts {
  title: string;
  /** STATUS: TENTATIVE, CONFIRMED or CANCELLED (RFC 5545 section 3.8.1.11). */
  status: string | undefined;
  /** TRANSP: OPAQUE (the default) or TRANSPARENT (RFC 5545 section 3.8.2.7). */
  transparency: string | undefined;
  /** Outlook's X-MICROSOFT-CDO-BUSYSTATUS, else X-MICROSOFT-CDO-INTENDEDSTATUS: FREE, TENTATIVE, BUSY, OOF or WORKINGELSEWHERE. */
  busyStatus: string | undefined;
  /** CLASS: PUBLIC (the default), PRIVATE or CONFIDENTIAL. */
  classification: string | undefined;
  /** PARTSTAT of the importing person when the event lists them as an ATTENDEE. */
  personStatus: string | undefined;
}

export type CalendarKind = Extract<ActivityKind, "meeting" | "focus" | "out_of_office">;

export type Classification =
  | { kind: CalendarKind; keepText: boolean }
  | { skip: string };

/**
 * Title words for out-of-office time, matched as whole words, case-insensitively.
 * A few German, French, Spanish and Dutch words are included because those
 * calendars often title absences in the local language.
 */
export const OUT_OF_OFFICE_WORDS: readonly string[] = [
  "ooo",
  "out of office",
  "out of the office",
  "out-of-office",
  "vacation",
  "holiday",
  "holidays",
  "pto",
  "sick",
  "sick leave",
  "off sick",
  "day off",
  "days off",
  "on leave",
  "annual leave",
  "parental leave",
  "maternity leave",
  "paternity leave",
  "urlaub",
  "feiertag",
  "krank",
  "congé",
  "congés",
  "vacances",
  "vacaciones",
  "vakantie",
  "verlof",
];

/** Title words for time a person blocked for their own work, matched like OUT_OF_OFFICE_WORDS. */
export const FOCUS_WORDS: readonly string[] = [
  "focus",
  "focus time",
  "deep work",
  "no meeting",
  "no meetings",
  "no-meeting",
  "no-meetings",
  "heads down",
  "heads-down",
  "do not book",
  "do not disturb",
  "dnd",
  "maker time",
  "coding time",
];

const OUT_OF_OFFICE = wordPattern(OUT_OF_OFFICE_WORDS);
const FOCUS = wordPattern(FOCUS_WORDS);

/**
 * Classify a calendar event. Standard and vendor properties decide first, the
 * title second:
 *
 * 1. STATUS:CANCELLED is skipped: the event did not take place.
 * 2. An event the importing person declined (their ATTENDEE has PARTSTAT=DECLINED) is skipped.
 * 3. X-MICROSOFT-CDO-BUSYSTATUS:OOF (Outlook's "Away") is out of office.
 * 4. A title containing one of OUT_OF_OFFICE_WORDS is out of office.
 * 5. A title containing one of FOCUS_WORDS is focus time.
 * 6. A free event (TRANSP:TRANSPARENT, or busy status FREE or WORKINGELSEWHERE) that
 *    steps 3 to 5 did not match is skipped: it does not block the person's time.
 * 7. Everything else is a meeting; attendees are not required, because many
 *    exports drop them.
 *
 * Steps 4 and 5 run before step 6 because calendars often mark holidays and focus
 * blocks as free so that others can still book over them.
 *
 * CLASS:PRIVATE and CLASS:CONFIDENTIAL keep the kind but set `keepText` to false:
 * the owner hid the event's details, so its title and description are not stored
 * (issue keys named in them still are).
 */
export function classifyEvent(facts: EventFacts): Classification {
  const status = facts.status?.toUpperCase();
  const busy = facts.busyStatus?.toUpperCase();
  const keepText = !["PRIVATE", "CONFIDENTIAL"].includes(facts.classification?.toUpperCase() ?? "");

  if (status === "CANCELLED") return { skip: "STATUS:CANCELLED: the event was cancelled, so it took no time" };
  if (facts.personStatus?.toUpperCase() === "DECLINED") {
    return { skip: "the person declined it (ATTENDEE PARTSTAT=DECLINED), so it took none of their time" };
  }
  if (busy === "OOF") return { kind: "out_of_office", keepText };
  if (OUT_OF_OFFICE.test(facts.title)) return { kind: "out_of_office", keepText };
  if (FOCUS.test(facts.title)) return { kind: "focus", keepText };

  const free = facts.transparency?.toUpperCase() === "TRANSPARENT" || busy === "FREE" || busy === "WORKINGELSEWHERE";
  if (free) {
    return {
      skip: "the event is marked free (TRANSP:TRANSPARENT or busy status FREE) and is neither focus time nor out of office, so it does not block time",
    };
  }
  return { kind: "meeting", keepText };
}

/** Whole-word, case-insensitive match of any phrase; letters and digits on either side break the match. */
function wordPattern(words: readonly string[]): RegExp {
  const alternatives = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/[\s-]+/g, "[\\s-]+"));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, "iu");
}
