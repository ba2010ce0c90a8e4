import { isPlausibleInstant, offsetZoneName, parseOffsetInstant, resolveZone, type ParsedInstant } from "../../domain/time.js";
import type { IdentityInput } from "../../domain/types.js";
import type { JiraUser } from "./schemas.js";

/**
 * Returns the identity of a Jira user. The external id is the Cloud accountId, else
 * the Server/Data Center user key, else the user name. A user with none of them, such
 * as an anonymous or deleted user, has no identity.
 */
export function identityOf(user: JiraUser | null | undefined): IdentityInput | undefined {
  if (!user) return undefined;
  const externalId = nonEmpty(user.accountId) ?? nonEmpty(user.key) ?? nonEmpty(user.name);
  if (externalId === undefined) return undefined;
  return {
    source: "jira",
    externalId,
    displayName: nonEmpty(user.displayName),
    email: nonEmpty(user.emailAddress),
    tz: userZone(user),
  };
}

/** Returns the user's profile time zone, when Jira sent one that is a valid zone name. */
export function userZone(user: JiraUser | null | undefined): string | undefined {
  const zone = nonEmpty(user?.timeZone);
  return zone !== undefined && resolveZone(zone) !== undefined ? zone : undefined;
}

/**
 * Returns the zone in which to read an instant that `user` caused: the user's profile
 * zone, else the fixed offset the instant was written with. It is never UTC by default
 * and never the host's zone.
 */
export function zoneFor(user: JiraUser | null | undefined, instant: ParsedInstant): string {
  return userZone(user) ?? offsetZoneName(instant.offsetMinutes);
}

/** Parses an instant in Jira's format ("2025-03-10T00:30:00.000+0100"); undefined when it is missing, unreadable or outside 1990-2100. */
export function readInstant(text: string | null | undefined): ParsedInstant | undefined {
  if (text === null || text === undefined) return undefined;
  const parsed = parseOffsetInstant(text);
  return parsed !== undefined && isPlausibleInstant(parsed.instant) ? parsed : undefined;
}

/** Describes why readInstant returned undefined, for a skip reason. */
export function describeBadInstant(text: string | null | undefined): string {
  if (text === null || text === undefined || text.trim() === "") return "is missing";
  return parseOffsetInstant(text) === undefined
    ? "is not an ISO 8601 date-time with an offset, such as 2025-03-10T00:30:00.000+0100"
    : "is outside the years 1990 to 2100";
}

function nonEmpty(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}
