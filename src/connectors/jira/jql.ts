import { DateTime } from "luxon";
import { WorklensError } from "../../domain/errors.js";
import { resolveZone } from "../../domain/time.js";

/** Jira's default project key pattern. */
const PROJECT_KEY = /^[A-Z][A-Z0-9_]+$/;

/** Lower bound of a first sync, earlier than any Jira issue; Jira Cloud rejects search JQL without a restriction. */
const FIRST_SYNC_BOUND = "1970-01-01 00:00";

/**
 * Builds the scope of a sync from --project keys and an extra JQL clause, without the
 * `updated` bound and ORDER BY. It names the checkpoint, so each scope resumes on its own.
 */
export function scopeJql(projects: readonly string[], extra: string | undefined): string {
  const parts: string[] = [];
  const keys = projects.map((key) => key.trim().toUpperCase());
  for (const key of keys) {
    if (!PROJECT_KEY.test(key)) {
      throw new WorklensError("USAGE", `invalid project key "${key}" for --project`, "pass a Jira project key such as PROJ (an upper-case letter, then letters, digits or _)");
    }
  }
  if (keys.length > 0) parts.push(`project in (${[...new Set(keys)].map((key) => `"${key}"`).join(", ")})`);
  const clause = extra?.trim() ?? "";
  if (/\border\s+by\b/i.test(clause)) {
    throw new WorklensError("USAGE", "--jql must not contain ORDER BY", "leave the order to the sync, which sorts by updated ascending to keep its checkpoint");
  }
  if (clause !== "") parts.push(`(${clause})`);
  return parts.join(" AND ");
}

/**
 * Builds the search JQL: the scope, issues updated at or after `since` (epoch
 * milliseconds, or undefined on a first sync), oldest update first. JQL reads dates
 * as "yyyy-MM-dd HH:mm" in the time zone of the account's profile, without seconds,
 * so `since` is written in `zone` and rounded down to the minute.
 */
export function searchJql(scope: string, since: number | undefined, zone: string): string {
  const luxonZone = resolveZone(zone);
  if (luxonZone === undefined) throw new WorklensError("INVALID_INPUT", `the Jira account's time zone "${zone}" is not a known zone`, "set a time zone in the Jira profile of the account that syncs");
  const bound = since === undefined ? FIRST_SYNC_BOUND : DateTime.fromMillis(since, { zone: luxonZone }).toFormat("yyyy-MM-dd HH:mm");
  const updated = `updated >= "${bound}"`;
  return `${scope === "" ? updated : `${scope} AND ${updated}`} ORDER BY updated ASC`;
}
