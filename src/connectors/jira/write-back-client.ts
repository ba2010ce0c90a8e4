import { WorklensError } from "../../domain/errors.js";
import type { HttpClient, RetryEvent } from "../http/client.js";
import { createJiraClient, type JiraClientOptions } from "./client.js";

/** Paths of the worklog POST of both API versions. */
const WORKLOG_POST_PATH = /\/rest\/api\/[23]\/issue\/[^/]+\/worklog$/;

/** Statuses with which Jira rejects a request before acting on it, so a retried POST cannot log twice. */
const REJECTED_UNSEEN = new Set([429, 503]);

const writeBackClients = new WeakSet<HttpClient>();

/**
 * Creates a Jira client that write-back accepts. It is the client of createJiraClient,
 * except that a worklog POST is retried only after 429 or 503. After a network error,
 * a timeout, 502 or 504, Jira may have stored the worklog although the response never
 * arrived, so a retry could log it twice. The POST fails instead, and the next
 * write-back run looks for the worklog before posting again. GET and search requests
 * keep every retry, so the same client also serves a sync.
 */
export function createWriteBackClient(options: JiraClientOptions): HttpClient {
  const onRetry = options.onRetry;
  const client = createJiraClient({
    ...options,
    onRetry: (event) => {
      // NOTE: HttpClient has no per-request retry setting, so a throwing onRetry is what ends the retries here.
      if (event.method === "POST" && WORKLOG_POST_PATH.test(event.path) && (event.status === undefined || !REJECTED_UNSEEN.has(event.status))) {
        throw notRetried(event);
      }
      onRetry?.(event);
    },
  });
  writeBackClients.add(client);
  return client;
}

/** Throws unless the client came from createWriteBackClient, because any other client may post a worklog twice. */
export function requireWriteBackClient(client: HttpClient): void {
  if (writeBackClients.has(client)) return;
  throw new WorklensError(
    "INTERNAL",
    "write-back got an HTTP client that retries worklog POSTs after network errors, which can log a worklog twice",
    "create the client with createWriteBackClient",
  );
}

function notRetried(event: RetryEvent): WorklensError {
  const problem = event.status === undefined ? "failed with a network error or timed out" : `failed with HTTP ${event.status}`;
  return new WorklensError(
    "INVALID_INPUT",
    `${event.method} ${event.path} ${problem}; it was not retried because Jira may have stored the worklog`,
    "the next write-back run checks the issue's worklogs before posting again",
  );
}
