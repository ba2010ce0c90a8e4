import type { AllocationOptions } from "../allocation/allocate.js";
import { DEFAULT_ALLOCATION_OPTIONS } from "../allocation/allocate.js";
import { runAllocation, type DayRange } from "../allocation/run-allocation.js";
import { currentTimeModel } from "../allocation/time-model-choice.js";
import { runLinking, type LinkingSummary } from "../linking/run-linking.js";
import type { Store } from "../store/store.js";

/** "on": both learned models; "off": the deterministic rules only, the fallback when AI is switched off. */
export type AiMode = "on" | "off";

export interface PipelineOptions {
  ai?: AiMode | undefined;
  range?: DayRange | undefined;
  allocation?: AllocationOptions | undefined;
  /** Link only these activities (the others keep their links); all when absent. */
  only?: ReadonlySet<number> | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Fall back to the bundled time model when none is registered (the demo). */
  bundledTimeModel?: boolean | undefined;
}

/**
 * Link activities to issues, then suggest worklogs for the range: with model 1 and
 * model 2 when AI is on, with the first-version rules when it is off.
 */
export async function linkAndSuggest(store: Store, options: PipelineOptions = {}) {
  const ai = options.ai ?? "on";
  const linking: LinkingSummary = await runLinking(store, { ranker: ai === "on" ? "learned" : "rules" }, options.onProgress, options.only);
  const timeModel = ai === "on" ? await currentTimeModel(store, options.bundledTimeModel === true) : undefined;
  const allocation = await runAllocation(store, options.range ?? {}, options.allocation ?? DEFAULT_ALLOCATION_OPTIONS, timeModel);
  return { linking, allocation, timeModel: timeModel !== undefined, models: await describeModels(store, ai, timeModel !== undefined) };
}

/** Names the models that produced the suggestions, for command output. */
async function describeModels(store: Store, ai: AiMode, timeModel: boolean): Promise<string> {
  if (ai === "off") return "first-version link rules and rule-based time (AI off)";
  const linking = await store.models.live("linking");
  const time = await store.models.live("time");
  const linkingName = linking === undefined ? "bundled linking model" : `registered linking model v${String(linking.version)}`;
  let timeName = "rule-based time (no time model)";
  if (timeModel) timeName = time === undefined ? "bundled time model" : `registered time model v${String(time.version)}`;
  return `${linkingName}, ${timeName}`;
}
