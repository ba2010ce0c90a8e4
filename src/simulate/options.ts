import { DateTime } from "luxon";
import { WorklensError } from "../domain/errors.js";

export interface SimulationOptions {
  /** Team size. */
  people: number;
  /** Working days (Monday to Friday) to simulate, counted from `start`. */
  days: number;
  /** First calendar day, YYYY-MM-DD; a Saturday or Sunday start moves to the next Monday. */
  start: string;
  /** Seed of every random draw: the same options give the same files byte for byte. */
  seed: number;
  /** Jira project keys; each takes the words and repository layout of one bench vocabulary project. */
  projectKeys: readonly string[];
}

/**
 * 2024-03-18 is a Monday, so the default 20 working days run to 2024-04-12 and cross the
 * European daylight-saving change of 2024-03-31 and New Zealand's of 2024-04-07.
 */
export const DEFAULT_SIMULATION_OPTIONS: SimulationOptions = {
  people: 8,
  days: 20,
  start: "2024-03-18",
  seed: 1,
  projectKeys: ["CRAWL", "INDEX", "WEB", "OPS"],
};

/** Upper bounds that keep one simulation in memory: every file is built as a string before it is written. */
export const MAX_PEOPLE = 5_000;
export const MAX_DAYS = 260;

const PROJECT_KEY = /^[A-Z][A-Z0-9_]+$/;

/** Fills in defaults and checks each option, raising a USAGE error that names the option. */
export function resolveSimulationOptions(partial: Partial<SimulationOptions> = {}): SimulationOptions {
  const options: SimulationOptions = { ...DEFAULT_SIMULATION_OPTIONS, ...partial };
  checkInteger("people", options.people, 1, MAX_PEOPLE);
  checkInteger("days", options.days, 1, MAX_DAYS);
  checkInteger("seed", options.seed, 0, 0xffff_ffff);

  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.start) || !DateTime.fromISO(options.start, { zone: "UTC" }).isValid) {
    throw new WorklensError("USAGE", `invalid start date "${options.start}"`, "pass the first day as YYYY-MM-DD, such as 2024-03-18");
  }

  if (options.projectKeys.length === 0) {
    throw new WorklensError("USAGE", "the list of Jira project keys is empty", "pass at least one key, such as --projects WEB,OPS");
  }
  for (const key of options.projectKeys) {
    if (!PROJECT_KEY.test(key)) {
      throw new WorklensError("USAGE", `invalid Jira project key "${key}"`, "use upper-case letters, digits and underscores, starting with a letter, such as WEB or OPS2");
    }
  }
  if (new Set(options.projectKeys).size !== options.projectKeys.length) {
    throw new WorklensError("USAGE", `the Jira project keys ${options.projectKeys.join(",")} repeat a key`, "list each project key once");
  }
  return { ...options, projectKeys: [...options.projectKeys] };
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WorklensError("USAGE", `invalid ${name} ${String(value)}: expected a whole number from ${min} to ${max}`, `pass --${name} within that range`);
  }
}

/** Lists `count` working days (Monday to Friday) from `start` on, as YYYY-MM-DD. */
export function workingDays(start: string, count: number): string[] {
  const days: string[] = [];
  let date = DateTime.fromISO(start, { zone: "UTC" });
  while (days.length < count) {
    if (date.weekday <= 5) days.push(date.toISODate() ?? start);
    date = date.plus({ days: 1 });
  }
  return days;
}
