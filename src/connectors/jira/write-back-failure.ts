import type { WorklensError } from "../../domain/errors.js";
import type { WorklogEntry } from "../../store/worklog-repository.js";
import { HttpStatusError } from "../http/client.js";

/** Cause of a failed attempt, and whether another attempt can succeed without a change by a person. */
export interface Failure {
  reason: string;
  permanent: boolean;
}

/** Waits before the 2nd, 3rd, 4th and 5th attempt, in milliseconds. After the 5th failure only a person's retry starts another. */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000];

/** Maximum length of a stored error, in characters. */
const MAX_ERROR_LENGTH = 500;

/**
 * Classifies a failed request. Jira responds with 400 when it rejects the worklog itself
 * (its errorMessages are in the message), and 404 or 410 when the issue is gone or
 * hidden from the account. Neither changes by waiting. Everything else, such as
 * 401, 403, 5xx, rate limits beyond the client's patience and network errors, is
 * retried later, because a fixed setting or a recovered server lets it succeed.
 */
export function failureOf(error: WorklensError): Failure {
  if (error instanceof HttpStatusError && error.status === 400) return { reason: error.message, permanent: true };
  if (error instanceof HttpStatusError && (error.status === 404 || error.status === 410)) {
    return { reason: `${error.message}; the issue was deleted or the account cannot see it`, permanent: true };
  }
  return { reason: error.message, permanent: false };
}

/** Builds the stored error text, naming the worklog and issue, and the time of the next attempt by backoff over earlier attempts. */
export function describeFailure(entry: WorklogEntry, failure: Failure, now: number): { error: string; retryAt: number | undefined } {
  const retryAt = failure.permanent ? undefined : retryTime(entry.attempts, now);
  let suffix = "";
  if (failure.permanent) suffix = "; not retried";
  else if (retryAt === undefined) suffix = `; gave up after ${entry.attempts + 1} attempts`;
  const error = `worklog ${entry.id} on ${entry.issueKey}: ${failure.reason}${suffix}`;
  return { error: error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error, retryAt };
}

/** Returns the time of the next attempt after `earlierAttempts` failed ones and this one, or undefined to give up. */
export function retryTime(earlierAttempts: number, now: number): number | undefined {
  const delay = RETRY_DELAYS_MS[earlierAttempts];
  return delay === undefined ? undefined : now + delay;
}
