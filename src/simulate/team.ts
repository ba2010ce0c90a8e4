import type { Random } from "../bench/random.js";
import { FIRST_NAMES, LAST_NAMES } from "../bench/vocabulary.js";
import type { SimPerson } from "./model.js";

/**
 * Zones assigned in turn, so any team of two or more has a zone with daylight saving
 * time (Europe/Berlin) and a far-east zone (Asia/Tokyo, UTC+9, whose working morning
 * falls on the previous UTC day). Pacific/Auckland adds a southern-hemisphere change.
 */
export const TEAM_ZONES = [
  "Europe/Berlin",
  "Asia/Tokyo",
  "America/New_York",
  "Asia/Kolkata",
  "Europe/London",
  "America/Los_Angeles",
  "Pacific/Auckland",
] as const;

/** Every fourth person works part time. */
const PART_TIME_EVERY = 4;
/** Usual day length: full time 7.5 to 8.5 h, part time 4 to 5 h, in steps of 15 minutes. */
const FULL_TIME_QUARTERS = [30, 34] as const;
const PART_TIME_QUARTERS = [16, 20] as const;
/** Share of people with a second machine (a desktop next to the laptop). */
const SECOND_MACHINE_SHARE = 0.4;

/** Plans `count` people with names, e-mails at the reserved example.org domain (RFC 2606), zones and working habits. */
export function planTeam(count: number, random: Random): SimPerson[] {
  const people: SimPerson[] = [];
  for (let index = 0; index < count; index += 1) {
    const first = FIRST_NAMES[index % FIRST_NAMES.length] ?? "Ada";
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length] ?? "Ashford";
    // Past 400 people the name pairs repeat, so a number keeps logins and e-mails unique.
    const round = Math.floor(index / (FIRST_NAMES.length * LAST_NAMES.length));
    const suffix = round === 0 ? "" : String(round + 1);
    const login = `${first}.${last}${suffix}`.toLowerCase();
    const partTime = index % PART_TIME_EVERY === PART_TIME_EVERY - 1;
    const [low, high] = partTime ? PART_TIME_QUARTERS : FULL_TIME_QUARTERS;
    const machines = [`${login.replace(".", "-")}-laptop`];
    if (random.chance(SECOND_MACHINE_SHARE)) machines.push(`${login.replace(".", "-")}-desktop`);

    people.push({
      index,
      displayName: `${first} ${last}${suffix === "" ? "" : ` ${suffix}`}`,
      login,
      email: `${login}@example.org`,
      zone: TEAM_ZONES[index % TEAM_ZONES.length] ?? "UTC",
      commitment: partTime ? "part-time" : "full-time",
      daySeconds: random.int(low, high) * 900,
      // 08:00 to 09:00 local, so the day always starts before the 09:30 stand-up.
      startMinute: 480 + random.int(0, 4) * 15,
      machines,
    });
  }
  return people;
}
