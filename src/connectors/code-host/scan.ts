import { z } from "zod";
import type { ActivityInput } from "../../domain/types.js";
import { writeActivities } from "../../ingest/import-activities.js";
import type { SkippedRecord } from "../../ingest/parse-result.js";
import type { Checkpoint } from "../../store/checkpoint-repository.js";
import type { Store } from "../../store/store.js";
import type { CodeHostSyncReport } from "./sync-report.js";

/** Activities built from one list page, grouped by the report kind they count under. */
export interface PageBatch<K extends string> {
  groups: { kind: K; records: ActivityInput[] }[];
  skipped: SkippedRecord[];
}

export interface ListPage<T> {
  items: T[];
  /** True when the service returned no next page. */
  last: boolean;
}

/** Time bounds of a list request in epoch milliseconds, where undefined means unbounded. */
export interface TimeBounds {
  since: number | undefined;
  until: number | undefined;
}

/** A list sorted newest first by one timestamp, such as commits by committer date. */
export interface DescendingList<K extends string, T> {
  /** Second half of the checkpoint key, such as "acme/api commits". */
  resource: string;
  /** Pages newest first. Lists that take time filters receive the bounds. */
  pages(bounds: TimeBounds): AsyncIterable<ListPage<T>>;
  /** The instant the list is sorted by, or undefined when the item has none readable. */
  timeOf(item: T): number | undefined;
  /** False when the API cannot filter by `since`, so the scan stops at the first older item. */
  filtersSince: boolean;
  /** Builds the activities of a page's items. It may fetch more, such as the reviews of pull requests. */
  build(items: readonly T[]): Promise<PageBatch<K>>;
}

export interface ScanContext<K extends string> {
  store: Store;
  /** First half of the checkpoint key, such as "github acme". */
  integration: string;
  /** How far before a bound the scan reads again, to cover items written late or sorted slightly out of order. */
  overlapMs: number;
  now: () => number;
  report: CodeHostSyncReport<K>;
  /** Called after each written page. */
  onPage: () => void;
}

/**
 * A scan that stopped before its last page. Items newer than `until` up to `top` are
 * stored, and items from `since` to `until` are not yet.
 */
interface PendingScan {
  since: number | undefined;
  until: number | undefined;
  top: number | undefined;
}

interface ScanState {
  /** Newest item time of the last finished scan. */
  mark: number | undefined;
  pending: PendingScan | undefined;
}

/**
 * Reads a newest-first list from the checkpoint down and writes each page with its new
 * checkpoint in one transaction. A newest-first scan cannot move the high-water mark
 * until its last page, so the checkpoint also records how far down an unfinished scan
 * got. The next run first finishes that range, then scans from the mark minus the overlap.
 */
export async function runScan<K extends string, T>(context: ScanContext<K>, list: DescendingList<K, T>): Promise<void> {
  const state = decodeState(await context.store.checkpoints.get(context.integration, list.resource));
  let mark = state.mark;
  if (state.pending !== undefined) mark = await scanRange(context, list, mark, state.pending);
  const since = mark === undefined ? undefined : mark - context.overlapMs;
  await scanRange(context, list, mark, { since, until: undefined, top: undefined });
}

/** Scans one range and returns the mark once it is finished. */
async function scanRange<K extends string, T>(context: ScanContext<K>, list: DescendingList<K, T>, mark: number | undefined, range: PendingScan): Promise<number | undefined> {
  // Items above `until` were written before the scan stopped. The overlap re-reads a margin for items sorted out of order.
  const ceiling = range.until === undefined ? undefined : range.until + context.overlapMs;
  let { top, until } = range;

  for await (const page of list.pages({ since: range.since, until: ceiling })) {
    const kept: T[] = [];
    let ended = false;
    for (const item of page.items) {
      const at = list.timeOf(item);
      if (at !== undefined && !list.filtersSince && range.since !== undefined && at < range.since) {
        ended = true;
        break;
      }
      if (at !== undefined && ceiling !== undefined && at > ceiling) continue;
      kept.push(item);
      if (at === undefined) continue;
      // A date in the future (a wrong clock) must not lift the mark past today, or later syncs would skip real items.
      top = maxOf(top, Math.min(at, context.now()));
      until = until === undefined ? at : Math.min(until, at);
    }

    const finished = page.last || ended;
    const next: ScanState = finished ? { mark: maxOf(mark, top), pending: undefined } : { mark, pending: { since: range.since, until, top } };
    await writePage(context, list, kept, next);
    if (finished) return next.mark;
  }
  return maxOf(mark, top);
}

async function writePage<K extends string, T>(context: ScanContext<K>, list: DescendingList<K, T>, items: readonly T[], state: ScanState): Promise<void> {
  const batch = await list.build(items);
  await context.store.transaction(async (tx) => {
    for (const group of batch.groups) {
      const counts = context.report.counts[group.kind];
      // The same source id twice in one page counts once, as in a file import.
      const unique = new Map<string, ActivityInput>();
      for (const record of group.records) {
        if (unique.has(record.sourceUid)) counts.duplicate += 1;
        else unique.set(record.sourceUid, record);
      }
      // Activities of repositories outside the collection allowlist are reported as skipped.
      await writeActivities(tx, unique.values(), counts, context.report.skipped);
    }
    await tx.checkpoints.set(context.integration, list.resource, encodeState(state), context.now());
  });
  context.report.skipped.push(...batch.skipped);
  context.report.pages += 1;
  context.onPage();
}

function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}

const instant = z.iso.datetime().optional();
const stateSchema = z.object({
  mark: instant,
  pending: z.object({ since: instant, until: instant, top: instant }).optional(),
});

/** Reads a stored checkpoint. An unreadable value counts as none, so the scan starts over and dedupes. */
function decodeState(checkpoint: Checkpoint | undefined): ScanState {
  const empty: ScanState = { mark: undefined, pending: undefined };
  if (checkpoint === undefined) return empty;
  let json: unknown;
  try {
    json = JSON.parse(checkpoint.value);
  } catch {
    return empty;
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) return empty;
  const { mark, pending } = parsed.data;
  return {
    mark: millis(mark),
    pending: pending === undefined ? undefined : { since: millis(pending.since), until: millis(pending.until), top: millis(pending.top) },
  };
}

/** Writes the state as JSON with ISO 8601 UTC instants, so a person can read it in the table. */
function encodeState(state: ScanState): string {
  const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  const { pending } = state;
  return JSON.stringify({
    mark: iso(state.mark),
    pending: pending === undefined ? undefined : { since: iso(pending.since), until: iso(pending.until), top: iso(pending.top) },
  });
}

function millis(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Date.parse(text);
}

/** Formats an instant for a `since` or `until` query parameter, in whole seconds, rounded outwards. */
export function queryInstant(ms: number, round: "down" | "up"): string {
  const seconds = round === "down" ? Math.floor(ms / 1_000) : Math.ceil(ms / 1_000);
  return new Date(seconds * 1_000).toISOString().replace(".000Z", "Z");
}
