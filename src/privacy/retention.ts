import { z } from "zod";
import { WorklensError } from "../domain/errors.js";

/**
 * Data classes with their own retention period. Each purge removes the rows of a
 * class whose relevant instant is older than the class allows:
 * - raw_events: activities with their texts (by end_at), issue events with their texts (by at),
 *   webhook delivery ids (by received_at).
 * - derived: links of activities (by the activity's start_at) and model drift history (by checked_at).
 *   Embeddings are computed in memory for each linking run and never stored, so there is nothing else to purge.
 * - suggestions: suggested worklogs and people's reviews of them (by the worked day, in UTC).
 * - worklogs: confirmed and imported worklogs with their comments (by started_at).
 * - audit: audit log entries (by at), purged through the audit log's own anchored purge.
 */
export const RETENTION_CLASSES = ["raw_events", "derived", "suggestions", "worklogs", "audit"] as const;

export type RetentionClass = (typeof RETENTION_CLASSES)[number];

/** Days to keep per class; null keeps the class forever. */
export type RetentionPolicy = Readonly<Record<RetentionClass, number | null>>;

/** Name of the settings row that stores the policy as JSON. Missing classes take their default. */
export const RETENTION_SETTING = "privacy.retention";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Default retention. Raw events and derived data: 400 days, a year of history plus a
 * month to review it. Suggestions and reviews: 730 days, because reviews are the
 * training labels of the models. Worklogs: kept, because they are the timesheet record
 * itself. Audit: 2,557 days (7 years), a common period for business records.
 */
export const DEFAULT_RETENTION: RetentionPolicy = {
  raw_events: 400,
  derived: 400,
  suggestions: 730,
  worklogs: null,
  audit: 2557,
};

/** Largest accepted period: 100 years, so a cut-off instant stays far inside the range of a Date. */
export const MAX_RETENTION_DAYS = 36_500;

const daysSchema = z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable();

/** The retention setting as stored and as an API request sends it: any classes, each whole days or null. */
export const policySchema = z.strictObject(Object.fromEntries(RETENTION_CLASSES.map((name) => [name, daysSchema.optional()])) as Record<RetentionClass, z.ZodOptional<typeof daysSchema>>);

/** Returns true when the name is one of RETENTION_CLASSES. */
export function isRetentionClass(name: string): name is RetentionClass {
  return (RETENTION_CLASSES as readonly string[]).includes(name);
}

/**
 * Parses the stored JSON of the retention setting, filling classes it leaves out with
 * their defaults. `where` names the value in the error, such as the settings row.
 */
export function parseRetentionPolicy(json: string | undefined, where: string): RetentionPolicy {
  if (json === undefined) return DEFAULT_RETENTION;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new WorklensError("STORE", `${where} is not valid JSON`, `set each class again with "worklens privacy retention set CLASS DAYS", which rewrites the row`, { cause: error });
  }
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(value)"}: ${issue.message}`).join("; ");
    throw new WorklensError("STORE", `${where} is invalid: ${problems}`, `expected an object of ${RETENTION_CLASSES.join(", ")} to whole days from 1 to ${String(MAX_RETENTION_DAYS)} or null; fix it with "worklens privacy retention set CLASS DAYS"`);
  }
  const policy: Record<RetentionClass, number | null> = { ...DEFAULT_RETENTION };
  for (const name of RETENTION_CLASSES) {
    const days = parsed.data[name];
    if (days !== undefined) policy[name] = days;
  }
  return policy;
}

/**
 * Parses a period given on the command line or in a request: whole days from 1 to
 * MAX_RETENTION_DAYS, or "keep" (also "forever" or "null") for no limit.
 */
export function parseRetentionDays(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "keep" || trimmed === "forever" || trimmed === "null") return null;
  const days = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new WorklensError("USAGE", `invalid retention "${text}": expected whole days from 1 to ${String(MAX_RETENTION_DAYS)}, or "keep"`, 'pass a number of days such as 400, or "keep" to keep the class forever');
  }
  return days;
}

/** Returns the class named by `name`, or raises a usage error listing the classes. */
export function requireRetentionClass(name: string): RetentionClass {
  if (isRetentionClass(name)) return name;
  throw new WorklensError("USAGE", `unknown data class "${name}"`, `use one of ${RETENTION_CLASSES.join(", ")}`);
}

/** Cut-off per class: rows whose relevant instant is before it are purged; undefined when the class is kept forever. */
export type RetentionCutoffs = Readonly<Record<RetentionClass, number | undefined>>;

/** Computes the cut-off instant (epoch milliseconds) of each class at `now`. */
export function retentionCutoffs(policy: RetentionPolicy, now: number): RetentionCutoffs {
  const cutoffs: Record<RetentionClass, number | undefined> = { raw_events: undefined, derived: undefined, suggestions: undefined, worklogs: undefined, audit: undefined };
  for (const name of RETENTION_CLASSES) {
    const days = policy[name];
    cutoffs[name] = days === null ? undefined : now - days * DAY_MS;
  }
  return cutoffs;
}

/**
 * Returns the first day (YYYY-MM-DD, UTC) that a day-keyed row may have and still be
 * kept: rows of earlier days are purged. Day-keyed rows carry a local date without its
 * zone, so the date is compared as a UTC date, which can move a row's purge by up to
 * its zone's offset from UTC (at most 14 hours).
 */
export function firstKeptDay(cutoff: number): string {
  return new Date(cutoff).toISOString().slice(0, 10);
}
