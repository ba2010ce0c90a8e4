/** Settings of the retry loop. The client has a default for every field. */
export interface RetryPolicy {
  /** Maximum number of requests for one call, the first included. */
  maxAttempts: number;
  /** Delay before the first retry when the server sends no Retry-After, in milliseconds. It doubles per retry. */
  baseDelayMs: number;
  /** Upper bound of one computed backoff delay, in milliseconds. */
  maxDelayMs: number;
  /** Longest Retry-After the client waits for, in milliseconds. A longer one fails the call. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 5 * 60_000,
});

/** Statuses worth retrying: rate limited (429) and temporarily unavailable (502, 503, 504). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * Reads a Retry-After header (RFC 9110 section 10.2.3): a number of seconds or an
 * HTTP date. Returns the wait in milliseconds from `now`, 0 for a date in the past,
 * or undefined when the header is missing or unreadable.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // Only the IMF-fixdate form that senders must use (RFC 9110 section 5.6.7) is read; Date.parse alone would take "-5" as a year.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Computes the wait before retry number `retry` (1 for the first retry): exponential
 * from `baseDelayMs`, capped at `maxDelayMs`, with "equal jitter" so that clients
 * limited at the same moment do not retry in step. `random` returns a number in [0, 1).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
