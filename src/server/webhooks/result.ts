import type { SkippedRecord } from "../../ingest/parse-result.js";

/** Outcome of checking a webhook's signature or token. The reason never contains the secret or the expected value. */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * A push whose payload lists fewer commits than the push contains. The caller fetches
 * the range `before`..`after` from the vendor's compare or commits API before it
 * treats the push as complete.
 */
export interface PushTruncation {
  /** Commits listed in the payload. */
  listed: number;
  /** Commits in the push when the payload states the count; undefined when only a cap was reached. */
  total: number | undefined;
  /** Commit before the push; forty zeros when the push created the ref. */
  before: string;
  after: string;
  /** GitHub "owner/name", or GitLab "group/project" when the payload names it. */
  repository: string | undefined;
  /** GitLab's numeric project id, which its REST API takes in place of the path. */
  projectId?: number | undefined;
  /** Branch the push updated, whose issue keys the missing commits inherit; undefined for tags. */
  branch: string | undefined;
  reason: string;
}

export interface DeliveryFacts {
  /** Event name from the vendor's event header, or from the body for Jira. */
  event: string;
  /** Vendor's delivery id, the same on every retry, for the caller's de-duplication. */
  deliveryId: string | undefined;
}

/** A delivery that produced records. An empty `records` list is a valid outcome, for example for a push that deleted a branch. */
export interface AcceptedDelivery<T> extends DeliveryFacts {
  status: "accepted";
  records: T[];
  skipped: SkippedRecord[];
  warnings: string[];
  truncated?: PushTruncation | undefined;
}

/** A delivery of an event or action that worklens does not turn into records, such as `ping` or a label change. */
export interface IgnoredDelivery extends DeliveryFacts {
  status: "ignored";
  reason: string;
}

/** A delivery whose body does not have the shape its event promises; the caller responds with 400. */
export interface InvalidDelivery extends DeliveryFacts {
  status: "invalid";
  reason: string;
}

export type WebhookParseResult<T> = AcceptedDelivery<T> | IgnoredDelivery | InvalidDelivery;

/** Fields the vendor-specific parsers receive from the HTTP layer. */
export interface WebhookDelivery {
  /** Value of the event header, such as `X-GitHub-Event` or `X-Gitlab-Event`; unused for Jira, whose body names the event. */
  event: string | undefined;
  deliveryId: string | undefined;
  /** The body after JSON decoding (see decodeJsonBody). */
  body: unknown;
}

export function accepted<T>(facts: DeliveryFacts, records: T[] = []): AcceptedDelivery<T> {
  return { status: "accepted", ...facts, records, skipped: [], warnings: [] };
}

export function ignored(facts: DeliveryFacts, reason: string): IgnoredDelivery {
  return { status: "ignored", ...facts, reason };
}

export function invalid(facts: DeliveryFacts, reason: string): InvalidDelivery {
  return { status: "invalid", ...facts, reason };
}
