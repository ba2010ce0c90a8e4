import type { ActivityInput } from "../../domain/types.js";
import { writeActivities } from "../../ingest/import-activities.js";
import type { JiraRecord } from "../../ingest/jira/records.js";
import { writeJiraRecords, type JiraImportCounts } from "../../ingest/jira/write-records.js";
import type { SkippedRecord } from "../../ingest/parse-result.js";
import type { Repositories, Store } from "../../store/store.js";
import type { AcceptedDelivery, JiraWebhookRecord, PushTruncation, WebhookParseResult } from "../webhooks/index.js";

export type WebhookSource = "github" | "gitlab" | "jira";

/** Maximum length of a stored delivery id. GitHub, GitLab and Jira send UUIDs of 36 characters. */
export const MAX_DELIVERY_ID_LENGTH = 200;

/** Counts of an activity delivery (GitHub, GitLab): `activities` listed, split into new and already stored. */
export interface ActivityCounts {
  activities: number;
  imported: number;
  duplicate: number;
}

/** Counts of a Jira delivery: `activities` is the number of issue_action activities it produced. */
export type JiraCounts = { activities: number } & JiraImportCounts;

/** Result of one verified delivery, before it becomes an HTTP response. */
export type DeliveryOutcome<C> =
  | { status: "accepted"; event: string; counts: C; skipped: SkippedRecord[]; warnings: string[]; truncated: PushTruncation | undefined }
  | { status: "duplicate"; event: string }
  | { status: "ignored"; event: string; reason: string }
  | { status: "invalid"; event: string; reason: string };

/**
 * Writes an accepted GitHub or GitLab delivery: its activities and its delivery id in
 * one transaction. A delivery id seen before writes nothing and returns "duplicate".
 */
export function takeActivityDelivery(
  store: Store,
  source: "github" | "gitlab",
  parsed: WebhookParseResult<ActivityInput>,
  now: number,
): Promise<DeliveryOutcome<ActivityCounts>> {
  return takeDelivery(store, source, parsed, now, async (tx, delivery) => {
    // The same commit twice in one payload counts once, as in a file import.
    const unique = new Map(delivery.records.map((record) => [record.sourceUid, record]));
    const counts = { activities: delivery.records.length, imported: 0, duplicate: delivery.records.length - unique.size };
    const skipped: SkippedRecord[] = [];
    await writeActivities(tx, unique.values(), counts, skipped);
    return { counts, skipped };
  });
}

/**
 * Writes an accepted Jira delivery through the Jira importer's writer, with its
 * delivery id, in one transaction. A deleted issue is kept as stored, with its events
 * and worklogs, and is reported as skipped: worklogs already booked stay valid.
 */
export function takeJiraDelivery(store: Store, parsed: WebhookParseResult<JiraWebhookRecord>, now: number): Promise<DeliveryOutcome<JiraCounts>> {
  return takeDelivery(store, "jira", parsed, now, async (tx, delivery) => {
    const records: JiraRecord[] = [];
    const skipped: SkippedRecord[] = [];
    for (const record of delivery.records) {
      if (record.kind === "issue_deleted") {
        skipped.push({ record: `issue ${record.issue.key}`, reason: "the issue was deleted in Jira: worklens keeps the stored issue, its events and worklogs" });
      } else {
        records.push(record);
      }
    }

    const { skipped: unresolved, ...counts } = await writeJiraRecords(tx, records);
    return { counts: { activities: counts.actions.imported + counts.actions.duplicate, ...counts }, skipped: [...skipped, ...unresolved] };
  });
}

async function takeDelivery<T, C>(
  store: Store,
  source: WebhookSource,
  parsed: WebhookParseResult<T>,
  now: number,
  write: (tx: Repositories, delivery: AcceptedDelivery<T>) => Promise<{ counts: C; skipped: SkippedRecord[] }>,
): Promise<DeliveryOutcome<C>> {
  if (parsed.status !== "accepted") return { status: parsed.status, event: parsed.event, reason: parsed.reason };

  const { deliveryId } = parsed;
  if (deliveryId !== undefined && deliveryId.length > MAX_DELIVERY_ID_LENGTH) {
    return { status: "invalid", event: parsed.event, reason: `the delivery id is longer than ${MAX_DELIVERY_ID_LENGTH} characters, so it was not set by the vendor` };
  }

  return store.transaction(async (tx): Promise<DeliveryOutcome<C>> => {
    // Without an id a repeated delivery cannot be recognised. Its records still have
    // stable source ids, so writing it twice adds nothing.
    if (deliveryId !== undefined && !(await tx.webhooks.recordDelivery(source, deliveryId, now))) {
      return { status: "duplicate", event: parsed.event };
    }
    const written = await write(tx, parsed);
    return {
      status: "accepted",
      event: parsed.event,
      counts: written.counts,
      skipped: [...parsed.skipped, ...written.skipped],
      warnings: parsed.warnings,
      truncated: parsed.truncated,
    };
  });
}
