import { dayOf } from "../domain/time.js";
import { linkAndSuggest } from "./pipeline.js";
import type { Store } from "../store/store.js";

/** Checkpoint of the refresh: the highest activity id it has linked and allocated. */
const CHECKPOINT = { integration: "worklens", resource: "refresh" } as const;
const DAY_MS = 86_400_000;

export interface RefreshReport {
  /** Activities stored since the last refresh and linked now. */
  activities: number;
  /** Days whose suggestions were computed again, or undefined when nothing was new. */
  range: { from: string; to: string } | undefined;
  suggestions: number;
}

/**
 * Brings suggestions up to date with activities stored since the last refresh:
 * links the new activities, then allocates again every day they touch, one day
 * of padding on each side because each person's day is cut in their own zone.
 * Idempotent: a second call with nothing new does nothing.
 *
 * NOTE: on PostgreSQL, an import transaction that commits after a later one may
 * have ids below the checkpoint. Those activities wait for the next full
 * `worklens suggest` run.
 */
export async function refreshSuggestions(store: Store): Promise<RefreshReport> {
  const mark = await store.checkpoints.get(CHECKPOINT.integration, CHECKPOINT.resource);
  const afterId = mark === undefined ? 0 : Number(mark.value);
  const fresh = await store.activities.list({ afterId });
  if (fresh.length === 0) return { activities: 0, range: undefined, suggestions: 0 };

  const only = new Set(fresh.map((a) => a.id));
  let from = Infinity;
  let to = -Infinity;
  let highest = afterId;
  for (const activity of fresh) {
    from = Math.min(from, activity.startAt);
    to = Math.max(to, activity.endAt);
    highest = Math.max(highest, activity.id);
  }
  const range = { from: dayOf(from - DAY_MS, "UTC"), to: dayOf(to + DAY_MS, "UTC") };
  const { allocation } = await linkAndSuggest(store, { only, range });
  await store.checkpoints.set(CHECKPOINT.integration, CHECKPOINT.resource, String(highest), Date.now());
  return { activities: fresh.length, range, suggestions: allocation.suggestions.length };
}
