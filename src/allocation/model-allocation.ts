import { startOfDay, MS_PER_HOUR } from "../domain/time.js";
import type { Evidence, SuggestionRecord } from "../domain/types.js";
import type { Allocation, AllocationOptions, DaySummary, DetailedAllocation } from "./allocate.js";
import type { SuggestionDetail } from "./source-breakdown.js";
import { dayCapacitySeconds, fitToCapacity } from "./time-capacity.js";
import { TimeFeatureIndex } from "./time-features.js";
import { formatDuration, type TimeEstimate, type TimeModel } from "./time-model.js";

/**
 * Calendar days read before a range so that its first day's usual day length can
 * look back over 20 working days: four weeks plus one for holidays.
 */
export const HISTORY_CALENDAR_DAYS = 35;

/** Return the instant from which activities are read to compute the features of the days from `from` on. */
export function historyStartOf(from: string): number {
  return startOfDay(from, "UTC") - HISTORY_CALENDAR_DAYS * 24 * MS_PER_HOUR;
}

/**
 * Replace the seconds of every linked suggestion by the time model's estimate, fitted
 * to each person-day's capacity by `fitToCapacity`, and add a "model:time" evidence
 * entry that states the estimate, its interval and the features that weighed most.
 * Unlinked time keeps its rule-based seconds and counts against the day's capacity. A
 * linked suggestion whose fitted estimate is 0 is dropped. Day summaries stay rule-based.
 */
export function applyTimeModel(allocation: DetailedAllocation, model: TimeModel, options: AllocationOptions): Allocation {
  const index = new TimeFeatureIndex(allocation);
  const summaries = new Map<string, DaySummary>(allocation.days.map((d) => [`${String(d.personId)}|${d.day}`, d]));
  const byPersonDay = new Map<string, SuggestionDetail[]>();
  for (const detail of allocation.details) {
    const key = `${String(detail.suggestion.personId)}|${detail.suggestion.day}`;
    const list = byPersonDay.get(key) ?? [];
    list.push(detail);
    byPersonDay.set(key, list);
  }

  const replaced = new Map<SuggestionRecord, SuggestionRecord | undefined>();
  for (const [key, details] of byPersonDay) {
    const linked = details.filter((d) => d.suggestion.issueId !== null);
    if (linked.length === 0) continue;
    const fixedSeconds = details.filter((d) => d.suggestion.issueId === null).reduce((sum, d) => sum + d.suggestion.seconds, 0);
    const summary = summaries.get(key);
    const capacity = summary === undefined ? 0 : dayCapacitySeconds(summary, options.workdaySeconds);

    const estimates = linked.map((d) => {
      const row = index.rowFor(d.suggestion.personId, d.suggestion.day, d.suggestion.issueId ?? 0);
      return { estimate: model.predict(row), floorSeconds: row.meetingSeconds };
    });
    const fitted = fitToCapacity(
      estimates.map((e) => ({ predictedSeconds: e.estimate.seconds, floorSeconds: e.floorSeconds })),
      capacity,
      fixedSeconds,
    );
    linked.forEach((detail, i) => {
      const seconds = fitted[i] ?? 0;
      const estimate = estimates[i]?.estimate;
      if (seconds === 0 || estimate === undefined) {
        replaced.set(detail.suggestion, undefined);
        return;
      }
      const evidence = [modelEvidence(estimate, seconds), ...detail.suggestion.evidence];
      replaced.set(detail.suggestion, { ...detail.suggestion, seconds, evidence });
    });
  }

  const suggestions = allocation.suggestions.flatMap((s) => {
    if (!replaced.has(s)) return [s];
    const next = replaced.get(s);
    return next === undefined ? [] : [next];
  });
  return { suggestions, days: allocation.days };
}

/** Build the "model:time" evidence entry, for example "model estimate 1 h 20 min (55 min to 1 h 40 min); most weight: IDE minutes, commits". */
function modelEvidence(estimate: TimeEstimate, fittedSeconds: number): Evidence {
  const words = estimate.contributions.map((c) => c.words);
  let detail = `model estimate ${formatDuration(estimate.seconds)} (${formatDuration(estimate.low)} to ${formatDuration(estimate.high)})`;
  if (words.length > 0) detail += `; most weight: ${words.join(", ")}`;
  if (Math.abs(fittedSeconds - estimate.seconds) >= 300) detail += `; fitted to the day's capacity and meetings: ${formatDuration(fittedSeconds)}`;
  return { kind: "model:time", detail };
}
