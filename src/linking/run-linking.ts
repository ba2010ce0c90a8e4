import type { ActivityRecord, LinkRecord } from "../domain/types.js";
import type { ActivityLinker } from "./learned-linker.js";
import type { Store } from "../store/store.js";
import { loadLinkingInput } from "./linking-input.js";
import type { LinkerOptions, LinkingInput } from "./linker.js";
import { linkerFactory, type RankerMode } from "./model-choice.js";

// Callers import it from here. It lives in linking-input.ts so that model-choice.ts can load the input without an import cycle.
export { loadLinkingInput };

export interface LinkingSummary {
  activities: number;
  explicit: number;
  ranked: number;
  unlinked: number;
}

/**
 * Link every stored activity, or only those in `only`, and replace their stored
 * links. The linker always reads everything, because its features count the
 * person's other activities and the issues' events. The learned ranker is the
 * default; `ranker: "rules"` is the AI-off fallback.
 */
export async function runLinking(
  store: Store,
  options: Partial<LinkerOptions> & { ranker?: RankerMode } = {},
  onProgress?: (done: number, total: number) => void,
  only?: ReadonlySet<number>,
): Promise<LinkingSummary> {
  const { ranker = "learned", ...linkerOptions } = options;
  const createLinker = await linkerFactory(store, ranker, linkerOptions);
  const input = await loadLinkingInput(store);
  const linker = await createLinker(input);
  const chosen = only === undefined ? input.activities : input.activities.filter((a) => only.has(a.id));
  const { links, summary } = linkActivities(linker, input, chosen, onProgress);
  await store.transaction((tx) => tx.results.replaceLinks(chosen.map((a) => a.id), links));
  return summary;
}

/**
 * Links each of `chosen` (activities of `input`) except out-of-office time, without
 * reading or writing the store. `runLinking` stores what it returns; the linking
 * benchmark times it alone.
 */
export function linkActivities(
  linker: ActivityLinker,
  input: LinkingInput,
  chosen: readonly ActivityRecord[],
  onProgress?: (done: number, total: number) => void,
): { links: LinkRecord[]; summary: LinkingSummary } {
  const summary: LinkingSummary = { activities: 0, explicit: 0, ranked: 0, unlinked: 0 };
  const links: LinkRecord[] = [];
  // Heartbeats repeat the same file and branch many times a day; rank each distinct one once.
  const cache = new Map<string, LinkRecord[]>();
  const linkable = chosen.filter((a) => a.kind !== "out_of_office");
  for (const [index, activity] of linkable.entries()) {
    let result: LinkRecord[];
    if (activity.kind === "ide_heartbeat" && activity.explicitKeys.length === 0) {
      const text = input.activityTexts.get(activity.id);
      const key = `${String(activity.personId)}|${String(Math.floor(activity.startAt / 86_400_000))}|${text?.branch ?? ""}|${text?.paths ?? ""}|${activity.project ?? ""}`;
      const cached = cache.get(key) ?? linker.link(activity);
      cache.set(key, cached);
      result = cached.map((l) => ({ ...l, activityId: activity.id }));
    } else {
      result = linker.link(activity);
    }
    summary.activities += 1;
    if (result.length === 0) summary.unlinked += 1;
    else if (result[0]?.method === "explicit") summary.explicit += 1;
    else summary.ranked += 1;
    links.push(...result);
    if (onProgress && index % 200 === 0) onProgress(index, linkable.length);
  }
  onProgress?.(linkable.length, linkable.length);
  return { links, summary };
}
