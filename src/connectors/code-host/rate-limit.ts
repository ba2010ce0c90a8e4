/**
 * Wait in seconds when no header names one. Source: GitHub's REST API documentation, "Rate
 * limits for the REST API": "wait for at least one minute before retrying".
 */
export const GITHUB_DEFAULT_RATE_LIMIT_WAIT_S = 60;

/**
 * Turns a GitHub rate-limit response into a 429 with a Retry-After in seconds, which
 * HttpClient retries. HttpClient decides by status alone and treats 403 as a permission error.
 * GitHub's REST API documentation names three signals, each with a 403 or a 429. They are
 * `retry-after` in seconds, `x-ratelimit-remaining: 0` with `x-ratelimit-reset` in UTC epoch
 * seconds, or only an error message about a rate limit. After the last, a client waits at
 * least a minute. Any other response passes unchanged.
 */
export async function adaptGithubRateLimit(response: Response, now: number): Promise<Response> {
  if (response.status !== 403 && response.status !== 429) return response;

  const headers = new Headers(response.headers);
  if (headers.has("retry-after")) return response.status === 429 ? response : rateLimited(response.body, headers);

  const reset = Number(headers.get("x-ratelimit-reset"));
  if (headers.get("x-ratelimit-remaining") === "0" && Number.isFinite(reset) && reset > 0) {
    // One extra second, so the retry does not land inside the reset second.
    headers.set("retry-after", String(Math.max(1, Math.ceil(reset - now / 1_000) + 1)));
    return rateLimited(response.body, headers);
  }

  if (response.status === 429) {
    headers.set("retry-after", String(GITHUB_DEFAULT_RATE_LIMIT_WAIT_S));
    return rateLimited(response.body, headers);
  }
  // A 403 without rate-limit headers is a rate limit only when its message names one.
  const text = await response.text();
  if (!/rate limit/i.test(text)) return new Response(text, { status: 403, statusText: response.statusText, headers });
  headers.set("retry-after", String(GITHUB_DEFAULT_RATE_LIMIT_WAIT_S));
  return rateLimited(text, headers);
}

function rateLimited(body: ConstructorParameters<typeof Response>[0], headers: Headers): Response {
  return new Response(body, { status: 429, statusText: "Too Many Requests", headers });
}
