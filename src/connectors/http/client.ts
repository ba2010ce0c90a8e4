import { WorklensError, type ErrorCode } from "../../domain/errors.js";
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, type RetryPolicy } from "./retry.js";

/** A retry the client is about to wait for. It carries the path only, never the query string or a header. */
export interface RetryEvent {
  method: string;
  path: string;
  /** The HTTP status, or undefined after a network error or a timeout. */
  status: number | undefined;
  /** The retry about to be made, 1 for the first. */
  retry: number;
  delayMs: number;
}

export interface HttpClientOptions {
  /** Base URL of the remote service, such as https://example.atlassian.net. A path prefix is kept. */
  baseUrl: string;
  /** Value of the Authorization header. It is sent on each request and never put in a message. */
  authorization: string;
  /** Time limit of one request, in milliseconds. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Hint shown with a 401 or 403, naming the credentials to check. */
  authHint?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Current time in epoch milliseconds, to read Retry-After dates. */
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
  onRetry?: (event: RetryEvent) => void;
}

export interface RequestOptions {
  query?: Record<string, string | number>;
  /** Sent as JSON. */
  body?: unknown;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A response with a status the client does not retry, or a retryable one after the last attempt. */
export class HttpStatusError extends WorklensError {
  constructor(
    code: ErrorCode,
    readonly status: number,
    readonly path: string,
    message: string,
    hint: string,
  ) {
    super(code, message, hint);
    this.name = "HttpStatusError";
  }
}

/**
 * A JSON client over the global fetch with a base URL, an Authorization header, a
 * timeout per request and retries of 429, 502, 503 and 504 responses, network errors
 * and timeouts. Messages and retry events name the method and path, never the query
 * string or the credentials.
 */
export class HttpClient {
  private readonly base: URL;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpClientOptions) {
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Sends a request and returns the response body as text. Throws HttpStatusError for a failed status and WorklensError for a network failure. */
  async request(method: "GET" | "POST", path: string, options: RequestOptions = {}): Promise<string> {
    const url = this.urlOf(path, options.query);
    const label = `${method} ${url.pathname}`;

    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(method, url, options.body);
      const isLast = attempt >= this.policy.maxAttempts;

      if (outcome.kind === "body") return outcome.text;
      if (outcome.kind === "response" && !isRetryableStatus(outcome.response.status)) {
        throw await statusError(outcome.response, url.pathname, label, this.options.authHint);
      }

      const status = outcome.kind === "response" ? outcome.response.status : undefined;
      const delayMs = this.delayBefore(attempt, outcome, label);
      if (isLast) throw this.exhausted(outcome, url.pathname, label);
      if (outcome.kind === "response") await outcome.response.body?.cancel();
      this.options.onRetry?.({ method, path: url.pathname, status, retry: attempt, delayMs });
      await this.sleep(delayMs);
    }
  }

  /** Sends a request and parses the body as JSON. */
  async requestJson(method: "GET" | "POST", path: string, options: RequestOptions = {}): Promise<unknown> {
    const text = await this.request(method, path, options);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const label = `${method} ${this.urlOf(path, undefined).pathname}`;
      throw new WorklensError("INVALID_INPUT", `${label} returned a body that is not JSON`, "check that the URL points at the service's REST API and not at a login page or a proxy", { cause: error });
    }
  }

  private urlOf(path: string, query: RequestOptions["query"]): URL {
    const url = new URL(path.replace(/^\//, ""), this.base);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, String(value));
    return url;
  }

  private async attempt(method: string, url: URL, body: unknown): Promise<Outcome> {
    const headers: Record<string, string> = { Authorization: this.options.authorization, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await this.fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // A redirect to another host would carry the credentials away, so it is reported instead of followed.
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is read here, under the same timeout, so a stalled body is retried like a stalled connection.
      if (response.ok) return { kind: "body", text: await response.text() };
      return { kind: "response", response };
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
      return { kind: "failure", timedOut, error };
    }
  }

  private delayBefore(attempt: number, outcome: RetriedOutcome, label: string): number {
    const header = outcome.kind === "response" ? outcome.response.headers.get("retry-after") : null;
    const retryAfter = parseRetryAfter(header, this.now());
    if (retryAfter === undefined) return backoffDelay(attempt, this.policy, this.random);
    if (retryAfter > this.policy.maxRetryAfterMs) {
      throw new WorklensError(
        "INVALID_INPUT",
        `${label} was rate limited with Retry-After ${Math.ceil(retryAfter / 1_000)} s, longer than the ${this.policy.maxRetryAfterMs / 1_000} s this client waits`,
        "run the sync again later; it resumes from its checkpoint",
      );
    }
    return retryAfter;
  }

  private exhausted(outcome: RetriedOutcome, path: string, label: string): WorklensError {
    const attempts = `${this.policy.maxAttempts} attempt${this.policy.maxAttempts === 1 ? "" : "s"}`;
    if (outcome.kind === "response") {
      const status = outcome.response.status;
      return new HttpStatusError("INVALID_INPUT", status, path, `${label} failed with HTTP ${status} after ${attempts}`, "the server is rate limiting or unavailable: run the sync again later; it resumes from its checkpoint");
    }
    const what = outcome.timedOut ? `timed out after ${this.timeoutMs / 1_000} s` : `failed (${describeNetworkError(outcome.error)})`;
    return new WorklensError("INVALID_INPUT", `${label} ${what} after ${attempts}`, "check the URL, the network and that the server is up, then run the sync again", { cause: outcome.error });
  }
}

/** The result of one attempt: a 2xx body, another response, or a network failure or timeout. */
type Outcome = { kind: "body"; text: string } | { kind: "response"; response: Response } | FailedAttempt;
type FailedAttempt = { kind: "failure"; timedOut: boolean; error: unknown };
type RetriedOutcome = Exclude<Outcome, { kind: "body" }>;

// NOTE: the error catalogue has no code for a remote service failure yet, so 401, 403 and 404 map to USAGE (a setting is
// wrong) and other failures to INVALID_INPUT (the remote input cannot be read).
async function statusError(response: Response, path: string, label: string, authHint: string | undefined): Promise<HttpStatusError> {
  const status = response.status;
  if (status === 401 || status === 403) {
    await response.body?.cancel();
    const problem = status === 401 ? "authentication failed" : "permission denied";
    return new HttpStatusError("USAGE", status, path, `${label} failed with HTTP ${status}: ${problem}`, authHint ?? "check the credentials and the account's permissions");
  }
  if (status === 404) {
    await response.body?.cancel();
    return new HttpStatusError("USAGE", status, path, `${label} failed with HTTP 404: not found`, "check the base URL and that the server runs the expected product and version");
  }
  if (status >= 300 && status < 400) {
    await response.body?.cancel();
    return new HttpStatusError("USAGE", status, path, `${label} was redirected (HTTP ${status})`, "pass the URL the server redirects to, such as its https:// address");
  }
  const detail = status === 400 ? await errorMessages(response) : "";
  if (status !== 400) await response.body?.cancel();
  return new HttpStatusError("INVALID_INPUT", status, path, `${label} failed with HTTP ${status}${detail}`, status === 400 ? "fix the request named in the message, such as the JQL" : "run the sync again later; if it keeps failing, check the server's logs");
}

/** Maximum length of the server's own error text quoted in a message, in characters. */
const MAX_DETAIL = 300;

/** Reads the errorMessages and errors of an Atlassian error body, which describe a bad request (such as invalid JQL) without echoing credentials. */
async function errorMessages(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { errorMessages?: unknown; errors?: unknown };
    const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m): m is string => typeof m === "string") : [];
    const errors = typeof body.errors === "object" && body.errors !== null ? Object.values(body.errors).filter((m): m is string => typeof m === "string") : [];
    const text = [...messages, ...errors].join("; ");
    return text === "" ? "" : `: ${text.slice(0, MAX_DETAIL)}`;
  } catch {
    return "";
  }
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error && "code" in cause && typeof cause.code === "string") return cause.code;
  return cause instanceof Error ? cause.message : String(cause);
}
