import { IANAZone } from "luxon";
import { MS_PER_HOUR, MS_PER_MINUTE } from "../../domain/time.js";
import { firstProperty, type Component } from "./components.js";

/** One STANDARD or DAYLIGHT block of a VTIMEZONE (RFC 5545 section 3.6.5). */
interface Observance {
  offsetFrom: number;
  offsetTo: number;
  /** Local wall time of the first onset, as if it were UTC, in epoch ms. */
  firstOnset: number;
  rule: YearlyRule | undefined;
  /** Extra onsets from RDATE, local wall time as if UTC. */
  extraOnsets: number[];
  isStandard: boolean;
}

interface YearlyRule {
  month: number;
  /** Weekday 1 = Monday .. 7 = Sunday, with ordinal (1..5, or -1 for the last); undefined means the day of the month of the first onset. */
  weekday: { day: number; ordinal: number | undefined } | undefined;
  monthDays: number[];
  /** Last onset allowed, local wall time as if UTC. */
  until: number | undefined;
}

const WEEKDAYS: Record<string, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };
const SAMPLE_DAYS = [1, 15];

/**
 * Find an IANA zone whose offsets agree with a VTIMEZONE's rules throughout `year`:
 * on the 1st and 15th of every month, and two hours either side of each
 * transition. Zones in `preferred` are tried first, so that ties go to the usual
 * zone for a region (Europe/Berlin rather than Africa/Ceuta). Returns undefined
 * when no zone agrees.
 */
export function matchVTimezone(component: Component, year: number, preferred: readonly string[]): string | undefined {
  const observances = component.children.flatMap((child) => readObservance(child) ?? []);
  if (observances.length === 0) return undefined;

  const transitions = [year - 1, year, year + 1].flatMap((y) => transitionsIn(observances, y)).sort((a, b) => a.at - b.at);
  const offsetAt = (instant: number): number => {
    const last = transitions.findLast((transition) => transition.at <= instant);
    return last?.offsetTo ?? transitions[0]?.offsetFrom ?? observances[0]?.offsetTo ?? 0;
  };

  const samples: number[] = [];
  for (let month = 0; month < 12; month += 1) {
    for (const day of SAMPLE_DAYS) samples.push(Date.UTC(year, month, day));
  }
  for (const transition of transitions) {
    if (new Date(transition.at).getUTCFullYear() !== year) continue;
    samples.push(transition.at - 2 * MS_PER_HOUR, transition.at + 2 * MS_PER_HOUR);
  }
  const expected = samples.map(offsetAt);

  const candidates = new Set([...preferred, ...Intl.supportedValuesOf("timeZone")]);
  for (const name of candidates) {
    if (!IANAZone.isValidZone(name)) continue;
    const zone = IANAZone.create(name);
    if (samples.every((sample, i) => zone.offset(sample) === expected[i])) return name;
  }
  return undefined;
}

/** UTC offset in minutes of the STANDARD observance (or the first one), for a fixed-offset fallback. */
export function standardOffset(component: Component): number | undefined {
  const observances = component.children.flatMap((child) => readObservance(child) ?? []);
  return (observances.find((observance) => observance.isStandard) ?? observances[0])?.offsetTo;
}

/** Return the zone name in the X-LIC-LOCATION extension property of a VTIMEZONE. */
export function licLocation(component: Component): string | undefined {
  return firstProperty(component, "X-LIC-LOCATION")?.value.trim();
}

interface Transition {
  at: number;
  offsetFrom: number;
  offsetTo: number;
}

function transitionsIn(observances: readonly Observance[], year: number): Transition[] {
  const transitions: Transition[] = [];
  for (const observance of observances) {
    const onsets = observance.extraOnsets.filter((onset) => new Date(onset).getUTCFullYear() === year);
    if (new Date(observance.firstOnset).getUTCFullYear() === year) onsets.push(observance.firstOnset);
    const ruled = observance.rule === undefined ? undefined : onsetInYear(observance, observance.rule, year);
    if (ruled !== undefined) onsets.push(ruled);

    // The onset is local wall time in the offset in force before it (TZOFFSETFROM).
    for (const onset of onsets) {
      transitions.push({ at: onset - observance.offsetFrom * MS_PER_MINUTE, offsetFrom: observance.offsetFrom, offsetTo: observance.offsetTo });
    }
  }
  return transitions;
}

function onsetInYear(observance: Observance, rule: YearlyRule, year: number): number | undefined {
  const first = new Date(observance.firstOnset);
  if (year < first.getUTCFullYear()) return undefined;
  const timeOfDay = observance.firstOnset - Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());

  const day = dayOfMonth(rule, year, first.getUTCDate());
  if (day === undefined) return undefined;
  const onset = Date.UTC(year, rule.month - 1, day) + timeOfDay;
  return rule.until !== undefined && onset > rule.until ? undefined : onset;
}

function dayOfMonth(rule: YearlyRule, year: number, defaultDay: number): number | undefined {
  if (rule.weekday === undefined) return rule.monthDays[0] ?? defaultDay;

  const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
  const matching: number[] = [];
  for (let day = 1; day <= daysInMonth; day += 1) {
    const weekday = new Date(Date.UTC(year, rule.month - 1, day)).getUTCDay() || 7;
    if (weekday !== rule.weekday.day) continue;
    if (rule.monthDays.length > 0 && !rule.monthDays.includes(day)) continue;
    matching.push(day);
  }
  const ordinal = rule.weekday.ordinal ?? 1;
  return ordinal > 0 ? matching[ordinal - 1] : matching.at(ordinal);
}

function readObservance(component: Component): Observance | undefined {
  if (component.name !== "STANDARD" && component.name !== "DAYLIGHT") return undefined;
  const offsetFrom = parseUtcOffset(firstProperty(component, "TZOFFSETFROM")?.value);
  const offsetTo = parseUtcOffset(firstProperty(component, "TZOFFSETTO")?.value);
  const firstOnset = parseLocalDateTime(firstProperty(component, "DTSTART")?.value);
  if (offsetFrom === undefined || offsetTo === undefined || firstOnset === undefined) return undefined;

  const rrule = firstProperty(component, "RRULE")?.value;
  const extraOnsets = component.properties
    .filter((property) => property.name === "RDATE")
    .flatMap((property) => property.value.split(","))
    .flatMap((value) => parseLocalDateTime(value) ?? []);
  return {
    offsetFrom,
    offsetTo,
    firstOnset,
    rule: rrule === undefined ? undefined : parseYearlyRule(rrule),
    extraOnsets,
    isStandard: component.name === "STANDARD",
  };
}

function parseYearlyRule(text: string): YearlyRule | undefined {
  const parts = new Map(text.split(";").map((part) => {
    const [key = "", value = ""] = part.split("=");
    return [key.trim().toUpperCase(), value.trim().toUpperCase()] as const;
  }));
  const month = Number(parts.get("BYMONTH"));
  if (parts.get("FREQ") !== "YEARLY" || !Number.isInteger(month) || month < 1 || month > 12) return undefined;

  const byDay = /^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(parts.get("BYDAY") ?? "");
  const weekdayCode = byDay?.[2];
  const weekday = weekdayCode === undefined ? undefined : { day: WEEKDAYS[weekdayCode] ?? 7, ordinal: byDay?.[1] === undefined ? undefined : Number(byDay[1]) };
  const monthDays = (parts.get("BYMONTHDAY") ?? "").split(",").filter((day) => day !== "").map(Number).filter((day) => Number.isInteger(day) && day > 0);
  const untilText = parts.get("UNTIL");
  return { month, weekday, monthDays, until: untilText === undefined ? undefined : parseLocalDateTime(untilText) };
}

/** "+0100", "-0500", "+053000" to minutes east of UTC. */
function parseUtcOffset(text: string | undefined): number | undefined {
  const match = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(text?.trim() ?? "");
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]) + Math.round(Number(match[4] ?? "0") / 60);
  return match[1] === "-" ? -minutes : minutes;
}

/** "19700329T020000" (a trailing Z is ignored) to epoch ms of that wall time read as UTC. */
function parseLocalDateTime(text: string | undefined): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(text?.trim() ?? "");
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour ?? "0"), Number(minute ?? "0"), Number(second ?? "0"));
}
