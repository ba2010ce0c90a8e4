import { z } from "zod";
import { isPlausibleInstant } from "../../../domain/time.js";
import { collectHistories } from "../../../ingest/jira/changelog.js";
import { collectComments } from "../../../ingest/jira/comments.js";
import { collectIssue } from "../../../ingest/jira/issue.js";
import type { JiraRecord } from "../../../ingest/jira/records.js";
import { ISSUE_KEY, userSchema } from "../../../ingest/jira/schemas.js";
import { collectWorklogs } from "../../../ingest/jira/worklogs.js";
import type { ParseResult } from "../../../ingest/parse-result.js";
import { accepted, ignored, invalid, type DeliveryFacts, type WebhookParseResult } from "../result.js";
import { describeIssues } from "../validation.js";

/** A record from a Jira webhook: the importer's records, plus the deletion of an issue, which REST exports never contain. */
export type JiraWebhookRecord =
  | JiraRecord
  | { kind: "issue_deleted"; where: string; issue: { key: string; sourceId: string | undefined } };

/** The fields of a Jira delivery that the parser reads; Jira names the event in the body, not in a header. */
export interface JiraDelivery {
  /** Value of `X-Atlassian-Webhook-Identifier`, which stays the same when Jira retries a delivery. */
  deliveryId: string | undefined;
  /** The body after JSON decoding. */
  body: unknown;
}

const jiraId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

const envelopeSchema = z.object({
  webhookEvent: z.string().min(1),
  /** Time of the event in epoch milliseconds. */
  timestamp: z.number().int().optional(),
  user: userSchema.nullish(),
  issue: z.unknown().optional(),
  changelog: z.object({ id: jiraId, items: z.array(z.unknown()) }).nullish(),
  comment: z.unknown().optional(),
  worklog: z.unknown().optional(),
});
type Envelope = z.infer<typeof envelopeSchema>;

const deletedIssueSchema = z.object({ id: jiraId.optional(), key: z.string().regex(ISSUE_KEY, "expected an issue key such as PROJ-42") });
const issueKeySchema = z.object({ key: z.string().regex(ISSUE_KEY, "expected an issue key such as PROJ-42") });

/**
 * Parses a Jira Cloud delivery into the records the Jira importer writes, reusing its
 * parsers so a webhook and a later REST export of the same change produce the same
 * source ids. Verify the signature first. Unknown events are ignored with a reason, never thrown.
 */
export function parseJiraWebhook(delivery: JiraDelivery): WebhookParseResult<JiraWebhookRecord> {
  const envelope = envelopeSchema.safeParse(delivery.body);
  if (!envelope.success) {
    return invalid({ event: "", deliveryId: delivery.deliveryId }, `the Jira webhook body is invalid: ${describeIssues(envelope.error)}`);
  }

  const facts = { event: envelope.data.webhookEvent, deliveryId: delivery.deliveryId };
  switch (envelope.data.webhookEvent) {
    case "jira:issue_created":
    case "jira:issue_updated":
      return parseIssueChange(envelope.data, facts);
    case "jira:issue_deleted":
      return parseIssueDeleted(envelope.data, facts);
    case "comment_created":
    case "comment_updated":
      return parseComment(envelope.data, facts);
    case "worklog_created":
    case "worklog_updated":
      return parseWorklog(envelope.data, facts);
    default:
      return ignored(facts, `Jira event "${envelope.data.webhookEvent}" is not read by worklens`);
  }
}

/**
 * Reads the issue snapshot, and the changelog as one history entry. Jira's webhook
 * changelog has no author or date of its own: the author is the delivery's `user`,
 * and the date is the delivery's `timestamp`.
 */
function parseIssueChange(envelope: Envelope, facts: DeliveryFacts): WebhookParseResult<JiraWebhookRecord> {
  if (envelope.issue === undefined) return invalid(facts, `${facts.event} has no issue`);
  const key = issueKeySchema.safeParse(envelope.issue);
  if (!key.success) return invalid(facts, `the issue is invalid: ${describeIssues(key.error)}`);

  const out: ParseResult<JiraRecord> = { records: [], skipped: [], warnings: [] };
  collectIssue(envelope.issue, "issue", { epicLinkFields: new Set() }, out);

  if (envelope.changelog !== null && envelope.changelog !== undefined) {
    if (envelope.timestamp === undefined || !isPlausibleInstant(envelope.timestamp)) {
      out.skipped.push({
        record: `${key.data.key} changelog ${envelope.changelog.id}`,
        reason: "timestamp is missing or outside 1990-2100, so the change cannot be dated; it is skipped",
      });
    } else {
      const history = { id: envelope.changelog.id, author: envelope.user, created: new Date(envelope.timestamp).toISOString(), items: envelope.changelog.items };
      collectHistories([history], key.data.key, out);
    }
  }
  // Comments added through the issue view arrive as jira:issue_updated with the comment attached.
  if (envelope.comment !== undefined) collectComments([envelope.comment], key.data.key, out);
  return toResult(out, facts);
}

function parseIssueDeleted(envelope: Envelope, facts: DeliveryFacts): WebhookParseResult<JiraWebhookRecord> {
  const issue = deletedIssueSchema.safeParse(envelope.issue);
  if (!issue.success) return invalid(facts, `the deleted issue is invalid: ${describeIssues(issue.error)}`);

  const record: JiraWebhookRecord = {
    kind: "issue_deleted",
    where: `issue (${issue.data.key})`,
    issue: { key: issue.data.key, sourceId: issue.data.id },
  };
  return accepted(facts, [record]);
}

/**
 * Reads a comment event. An edited comment keeps its id and creation date, so it maps
 * to the same comment event as the original.
 * NOTE: the edited body does not replace the stored one while the store skips duplicate source ids.
 */
function parseComment(envelope: Envelope, facts: DeliveryFacts): WebhookParseResult<JiraWebhookRecord> {
  if (envelope.comment === undefined) return invalid(facts, `${facts.event} has no comment`);
  const key = issueKeySchema.safeParse(envelope.issue);
  if (!key.success) return invalid(facts, `the comment's issue is invalid: ${describeIssues(key.error)}`);

  const out: ParseResult<JiraRecord> = { records: [], skipped: [], warnings: [] };
  collectComments([envelope.comment], key.data.key, out);
  return toResult(out, facts);
}

/**
 * Reads a worklog event. The worklog names its issue by numeric id only, as in REST worklog responses.
 * NOTE: worklog_updated carries the new duration under the same source id, so the store must update, not skip, it.
 */
function parseWorklog(envelope: Envelope, facts: DeliveryFacts): WebhookParseResult<JiraWebhookRecord> {
  if (envelope.worklog === undefined) return invalid(facts, `${facts.event} has no worklog`);

  const out: ParseResult<JiraRecord> = { records: [], skipped: [], warnings: [] };
  collectWorklogs([envelope.worklog], undefined, out);
  return toResult(out, facts);
}

function toResult(out: ParseResult<JiraRecord>, facts: DeliveryFacts): WebhookParseResult<JiraWebhookRecord> {
  const result = accepted<JiraWebhookRecord>(facts, out.records);
  result.skipped.push(...out.skipped);
  result.warnings.push(...out.warnings);
  return result;
}
