import type { ActivityInput, IdentityInput } from "../../domain/types.js";
import { importActivities } from "../../ingest/import-activities.js";
import { parseWakatime } from "../../ingest/wakatime/parse.js";
import type { Store } from "../../store/store.js";

/** Window of accepted heartbeat times around the server's clock, in milliseconds. */
export interface HeartbeatWindow {
  maxAgeMs: number;
  futureSkewMs: number;
}

export interface IntakeContext {
  identity: IdentityInput;
  machine: string | undefined;
  userAgent: string | undefined;
  /** Epoch milliseconds of the request. */
  now: number;
  window: HeartbeatWindow;
}

/** Status of one heartbeat in the bulk response, as wakatime-cli parses it. */
export type HeartbeatResult = [{ data: HeartbeatEcho }, 201] | [{ error: string }, 400];

/**
 * Data returned for a stored heartbeat. wakatime-cli decodes it into its own
 * heartbeat type, so it contains only fields the client sent (`type` defaults to "file").
 */
export interface HeartbeatEcho {
  id: string;
  entity: string;
  type: string;
  time: number;
}

export const TOO_OLD_REASON = "heartbeat older than max age: it is not stored, and sending it again will not change that";
export const IN_FUTURE_REASON = "heartbeat time is in the future beyond the allowed clock skew: check the clock of the sending machine";

type Evaluated = { ok: true; activity: ActivityInput; echo: HeartbeatEcho } | { ok: false; error: string };

/**
 * Check one heartbeat with the same parser as a file import, so an API send and an
 * import of the same heartbeat get the same source id and deduplicate.
 */
export function evaluateHeartbeat(item: unknown, context: IntakeContext): Evaluated {
  const bytes = new TextEncoder().encode(JSON.stringify([item]));
  const parsed = parseWakatime(bytes, {
    file: "request body",
    person: context.identity,
    machine: context.machine,
    userAgent: context.userAgent,
  });
  const activity = parsed.records[0];
  if (activity === undefined) return { ok: false, error: parsed.skipped[0]?.reason ?? "heartbeat is invalid" };

  if (activity.startAt < context.now - context.window.maxAgeMs) return { ok: false, error: TOO_OLD_REASON };
  if (activity.startAt > context.now + context.window.futureSkewMs) return { ok: false, error: IN_FUTURE_REASON };

  // The parser accepted the item, so it is an object with a string entity and a numeric time.
  const raw = item as Record<string, unknown>;
  const type = typeof raw["type"] === "string" ? raw["type"] : "file";
  return { ok: true, activity, echo: { id: activity.sourceUid, entity: String(raw["entity"]), type, time: Number(raw["time"]) } };
}

export interface IntakeOutcome {
  results: HeartbeatResult[];
  imported: number;
  duplicate: number;
  rejected: number;
}

/**
 * Check every heartbeat on its own and store the good ones in one transaction. A
 * bad heartbeat gets a 400 entry and never rejects the rest. An exact re-send is a
 * success (201) that stores nothing, so the plugin drops it from its queue.
 */
export async function takeHeartbeats(store: Store, items: readonly unknown[], context: IntakeContext): Promise<IntakeOutcome> {
  const results: HeartbeatResult[] = [];
  const accepted: ActivityInput[] = [];
  for (const item of items) {
    const evaluated = evaluateHeartbeat(item, context);
    if (evaluated.ok) {
      accepted.push(evaluated.activity);
      results.push([{ data: evaluated.echo }, 201]);
    } else {
      results.push([{ error: evaluated.error }, 400]);
    }
  }

  if (accepted.length === 0) return { results, imported: 0, duplicate: 0, rejected: items.length };
  const report = await importActivities(
    store,
    { records: accepted, skipped: [], warnings: [] },
    { source: "wakatime", file: "heartbeats API" },
  );
  return { results, imported: report.imported, duplicate: report.duplicate, rejected: items.length - accepted.length };
}
