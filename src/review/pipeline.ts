import type { AllocationOptions } from "../allocation/allocate.js";
import { allocate, allocateDetailed, DEFAULT_ALLOCATION_OPTIONS, type Allocation } from "../allocation/allocate.js";
import { applyTimeModel, historyStartOf } from "../allocation/model-allocation.js";
import { runAllocation, type DayRange } from "../allocation/run-allocation.js";
import { currentTimeModel } from "../allocation/time-model-choice.js";
import type { TimeModel } from "../allocation/time-model.js";
import { nextDay, startOfDay } from "../domain/time.js";
import { discardLinkedTexts, type MetadataOnlyReport } from "../governance/metadata-only.js";
import { runLinking, type LinkingSummary } from "../linking/run-linking.js";
import type { Store } from "../store/store.js";
import type { AiMode } from "../store/team-repository.js";
import { autoAcceptConfident, type AutoAcceptReport } from "./auto-accept.js";

/**
 * Switch of the pipeline. "on" gives each person their team's AI mode (off, feedback or
 * automatic), and "off" forces the deterministic rules for everyone, whatever the team modes are.
 */
export type AiSwitch = "on" | "off";

export interface PipelineOptions {
  ai?: AiSwitch | undefined;
  range?: DayRange | undefined;
  allocation?: AllocationOptions | undefined;
  /** Link only these activities (the others keep their links); all when absent. */
  only?: ReadonlySet<number> | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Fall back to the bundled time model when none is registered (the demo). */
  bundledTimeModel?: boolean | undefined;
  /** Time of automatic accepts, epoch milliseconds; defaults to now. */
  now?: number | undefined;
}

/** How many people ran under each AI mode in one pipeline run. */
export type ModeCounts = Record<AiMode, number>;

/**
 * Link activities to issues, then suggest worklogs for the range. Each person's team AI
 * mode decides which models touch their activities: "off" uses the first-version rules for
 * linking and time, "feedback" the learned ranker and time model, and "automatic" also
 * accepts their confident suggestions. `ai: "off"` forces the rules for everyone.
 */
export async function linkAndSuggest(store: Store, options: PipelineOptions = {}) {
  const modes = options.ai === "off" ? undefined : await store.teams.aiModeByPerson();
  const modeOf = (personId: number): AiMode => (modes === undefined ? "off" : (modes.get(personId) ?? "feedback"));
  const counts: ModeCounts = { off: 0, feedback: 0, automatic: 0 };
  for (const mode of modes?.values() ?? []) counts[mode] += 1;
  // A store without people yet keeps the learned default, so its first run reads like later ones.
  const anyLearned = modes !== undefined && (modes.size === 0 || counts.feedback + counts.automatic > 0);
  const anyOff = modes === undefined || counts.off > 0;

  const linking = await linkByMode(store, modeOf, anyOff, anyLearned, options);
  const timeModel = anyLearned ? await currentTimeModel(store, options.bundledTimeModel === true) : undefined;
  const allocationOptions = options.allocation ?? DEFAULT_ALLOCATION_OPTIONS;
  const allocation =
    timeModel !== undefined && anyOff
      ? await allocateByMode(store, options.range ?? {}, allocationOptions, timeModel, (personId) => modeOf(personId) === "off")
      : await runAllocation(store, options.range ?? {}, allocationOptions, timeModel);

  let autoAccepted: AutoAcceptReport = { accepted: 0, belowThreshold: 0 };
  const allocated = allocation.range;
  if (counts.automatic > 0 && allocated?.from !== undefined && allocated.to !== undefined) {
    const automatic = new Set([...(modes ?? [])].flatMap(([personId, mode]) => (mode === "automatic" ? [personId] : [])));
    autoAccepted = await autoAcceptConfident(store, automatic, { from: allocated.from, to: allocated.to }, options.now);
  }
  const models = await describeModels(store, counts, modes === undefined, anyLearned, timeModel !== undefined);
  // In metadata-only mode the raw text of linked activities goes once linking has used it.
  const metadataOnly: MetadataOnlyReport = await discardLinkedTexts(store, { actor: "system", ...(options.now === undefined ? {} : { at: options.now }) });
  // Counts are undefined when `ai: "off"` forced the rules on everyone without reading the teams.
  return { linking, allocation, timeModel: timeModel !== undefined, models, modes: modes === undefined ? undefined : counts, autoAccepted, metadataOnly };
}

/**
 * Links with the rules the activities of people whose mode is off, and with the learned
 * ranker everyone else's. With only one kind of people, one pass links them all.
 *
 * NOTE: the learned pass links only the other people's activities, but the linker still
 * loads every stored activity as context for its features, so an "off" person's activities
 * can shape the ranking of a colleague's commit.
 */
async function linkByMode(
  store: Store,
  modeOf: (personId: number) => AiMode,
  anyOff: boolean,
  anyLearned: boolean,
  options: PipelineOptions,
): Promise<LinkingSummary> {
  if (!anyOff || !anyLearned) {
    return runLinking(store, { ranker: anyLearned ? "learned" : "rules" }, options.onProgress, options.only);
  }
  const ruleActivities = new Set<number>();
  const learnedActivities = new Set<number>();
  for (const activity of await store.activities.list()) {
    if (options.only !== undefined && !options.only.has(activity.id)) continue;
    (modeOf(activity.personId) === "off" ? ruleActivities : learnedActivities).add(activity.id);
  }
  const byRules = await runLinking(store, { ranker: "rules" }, options.onProgress, ruleActivities);
  const learned = await runLinking(store, { ranker: "learned" }, options.onProgress, learnedActivities);
  return {
    activities: byRules.activities + learned.activities,
    explicit: byRules.explicit + learned.explicit,
    ranked: byRules.ranked + learned.ranked,
    unlinked: byRules.unlinked + learned.unlinked,
  };
}

/**
 * Allocates like runAllocation with a time model, except that people matching `rulesOnly`
 * get the rules' seconds because the time model never sees their person-days. Allocation
 * works per person, so splitting the activities by person changes nobody else's result.
 */
async function allocateByMode(
  store: Store,
  range: DayRange,
  options: AllocationOptions,
  timeModel: TimeModel,
  rulesOnly: (personId: number) => boolean,
): Promise<Allocation & { range: Required<DayRange> | undefined }> {
  const padding = 2 * 86_400_000;
  const activities = await store.activities.list({
    ...(range.from === undefined ? {} : { from: historyStartOf(range.from) - padding }),
    ...(range.to === undefined ? {} : { to: startOfDay(nextDay(range.to), "UTC") + padding }),
  });
  const people = await store.people.list();
  const zones = new Map(people.map((p) => [p.id, p.tz]));
  const links = await store.results.links();
  const ruleInput = { activities: activities.filter((a) => rulesOnly(a.personId)), links, zones };
  const modelInput = { activities: activities.filter((a) => !rulesOnly(a.personId)), links, zones };
  const byRules = allocate(ruleInput, options);
  const byModel = applyTimeModel(allocateDetailed(modelInput, options), timeModel, options);

  const suggestions = [...byRules.suggestions, ...byModel.suggestions];
  const days = [...byRules.days, ...byModel.days];
  const stored = suggestions.map((s) => s.day).sort();
  const first = range.from ?? stored[0];
  const last = range.to ?? stored[stored.length - 1];
  if (first === undefined || last === undefined) return { suggestions, days, range: undefined };
  const inRange = (day: string) => day >= first && day <= last;
  const kept = suggestions.filter((s) => inRange(s.day));
  await store.transaction((tx) => tx.results.replaceSuggestions(first, last, kept));
  return { suggestions: kept, days: days.filter((d) => inRange(d.day)), range: { from: first, to: last } };
}

/** Names the models that produced the suggestions, for command output. */
async function describeModels(store: Store, counts: ModeCounts, forcedOff: boolean, anyLearned: boolean, timeModel: boolean): Promise<string> {
  if (forcedOff) return "first-version link rules and rule-based time (AI off)";
  if (!anyLearned) return "first-version link rules and rule-based time (AI off for every team)";
  const linking = await store.models.live("linking");
  const time = await store.models.live("time");
  const linkingName = linking === undefined ? "bundled linking model" : `registered linking model v${String(linking.version)}`;
  let timeName = "rule-based time (no time model)";
  if (timeModel) timeName = time === undefined ? "bundled time model" : `registered time model v${String(time.version)}`;
  const rules = counts.off > 0 ? `; first-version rules for ${String(counts.off)} ${counts.off === 1 ? "person" : "people"} with AI off` : "";
  return `${linkingName}, ${timeName}${rules}`;
}
