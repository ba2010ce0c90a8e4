import { allocateDetailed, DEFAULT_ALLOCATION_OPTIONS, type AllocationOptions } from "../allocation/allocate.js";
import { TimeFeatureIndex, type TimeFeatureRow } from "../allocation/time-features.js";
import { historyStartOf } from "../allocation/model-allocation.js";
import { WorklensError } from "../domain/errors.js";
import { dayOf, nextDay, startOfDay, MS_PER_HOUR } from "../domain/time.js";
import type { WorklogEntry } from "../store/worklog-repository.js";
import type { ReviewDecision, ReviewRecord } from "../store/review-repository.js";
import type { Store } from "../store/store.js";

/** Origin of a row's label: a person's review of a suggestion, or a worklog imported from Jira. */
export type TimeLabelSource = ReviewDecision | "jira";

export interface LabelledTimeRow extends TimeFeatureRow {
  /** Seconds the person logged on the issue that day; 0 for a rejected suggestion. */
  label: number;
  labelSource: TimeLabelSource;
}

/** Both ends included, as YYYY-MM-DD. */
export interface TimeDatasetRange {
  from: string;
  to: string;
}

interface Label {
  personId: number;
  day: string;
  issueId: number;
  seconds: number;
  source: TimeLabelSource;
}

/**
 * Build labelled rows for every person, day and issue of `range` that has a label.
 * Features come from re-running the rule-based allocation on the stored activities
 * and links (with earlier days read for the usual day length). The label is the sum
 * of the person's worklogs on the issue that day: confirmed worklogs of accepted and
 * edited suggestions, and worklogs imported from Jira, bucketed by day in the
 * person's zone. A rejected suggestion with no worklog is labelled 0 seconds.
 */
export async function buildTimeDataset(store: Store, range: TimeDatasetRange, options: AllocationOptions = DEFAULT_ALLOCATION_OPTIONS): Promise<LabelledTimeRow[]> {
  if (range.to < range.from) {
    throw new WorklensError("USAGE", `invalid day range: ${range.to} is before ${range.from}`, "pass from and to as YYYY-MM-DD with from on or before to");
  }
  const padding = 48 * MS_PER_HOUR;
  const activities = await store.activities.list({ from: historyStartOf(range.from) - padding, to: startOfDay(nextDay(range.to), "UTC") + padding });
  const people = await store.people.list();
  const links = await store.results.links();
  const allocation = allocateDetailed({ activities, links, zones: new Map(people.map((p) => [p.id, p.tz])) }, options);
  const index = new TimeFeatureIndex(allocation);

  const zones = new Map<number, string>(people.map((p) => [p.id, p.tz ?? options.defaultZone]));
  for (const summary of allocation.days) zones.set(summary.personId, summary.zone);
  const labels = await collectLabels(store, range, (personId) => zones.get(personId) ?? options.defaultZone);

  return labels
    .sort((a, b) => a.day.localeCompare(b.day) || a.personId - b.personId || a.issueId - b.issueId)
    .map((label) => ({ ...index.rowFor(label.personId, label.day, label.issueId), label: label.seconds, labelSource: label.source }));
}

async function collectLabels(store: Store, range: TimeDatasetRange, zoneOf: (personId: number) => string): Promise<Label[]> {
  const reviews = await store.reviews.list({ from: range.from, to: range.to });
  // A Jira worklog's stored day is in its author's zone at import; the person's zone can shift it by a day.
  const worklogs = await store.worklogs.list({ from: previousDay(range.from), to: nextDay(range.to) });
  const reviewByWorklog = new Map<number, ReviewRecord>();
  for (const review of reviews) if (review.worklogId !== null) reviewByWorklog.set(review.worklogId, review);
  const worklogIds = new Set(worklogs.map((w) => w.id));

  const labels = new Map<string, Label>();
  const add = (personId: number, day: string, issueId: number, seconds: number, source: TimeLabelSource) => {
    if (day < range.from || day > range.to) return;
    const key = `${String(personId)}|${day}|${String(issueId)}`;
    const label = labels.get(key) ?? { personId, day, issueId, seconds: 0, source };
    label.seconds += seconds;
    // A person's decision on the suggestion is the more direct label than a worklog they also logged in Jira.
    if (label.source === "jira" && source !== "jira") label.source = source;
    labels.set(key, label);
  };

  for (const review of reviews) {
    if (review.issueId !== null) add(review.personId, review.day, review.issueId, 0, review.decision);
    // Without its worklog (none stored, or deleted), an accepted suggestion's own seconds are the label.
    if (review.decision === "accepted" && review.issueId !== null && (review.worklogId === null || !worklogIds.has(review.worklogId))) {
      add(review.personId, review.day, review.issueId, review.suggestedSeconds, "accepted");
    }
  }
  for (const worklog of worklogs) {
    if (worklog.personId === null) continue;
    add(worklog.personId, worklogDay(worklog, zoneOf(worklog.personId)), worklog.issueId, worklog.seconds, sourceOf(worklog, reviewByWorklog));
  }
  return [...labels.values()];
}

function worklogDay(worklog: WorklogEntry, zone: string): string {
  // A confirmed worklog's day is the day of the suggestion it came from, already in the person's zone.
  return worklog.origin === "confirmed" ? worklog.day : dayOf(worklog.startedAt, zone);
}

function sourceOf(worklog: WorklogEntry, reviewByWorklog: ReadonlyMap<number, ReviewRecord>): TimeLabelSource {
  if (worklog.origin === "jira") return "jira";
  return reviewByWorklog.get(worklog.id)?.decision ?? "accepted";
}

function previousDay(day: string): string {
  return dayOf(startOfDay(day, "UTC") - 12 * MS_PER_HOUR, "UTC");
}
