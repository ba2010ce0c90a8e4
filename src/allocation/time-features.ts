import type { DaySummary, DetailedAllocation } from "./allocate.js";
import { emptyCounts, emptySourceSeconds, isoWeekday, type SuggestionBreakdown } from "./source-breakdown.js";

/**
 * The feature vector of the time model, one row per person, local day and linked
 * issue. Names are stable: a saved model lists the names it was trained on, and a
 * model whose names differ from these is rejected. Missing values are NaN, which
 * XGBoost and `GbdtModel` route down each split's default branch.
 *
 * - `deterministic_seconds`, `deterministic_confidence`: the rule-based suggestion (0 when the rules suggest nothing).
 * - `ide_seconds` … `issue_action_seconds`: seconds of that suggestion each source kind covered; they overlap.
 * - `commits`, `lines_added`, `lines_deleted`, `files_changed`, `issue_actions`, `pull_requests`, `meetings`,
 *   `heartbeats`, `machines`: counts over the activities linked to the issue that start that day.
 * - `first_local_hour`, `last_local_hour`, `active_span_hours`: hours since local midnight of the first activity
 *   start and the last activity end, and their difference (NaN without activities).
 * - `day_*`: the person's whole day: worked, linked, meeting and out-of-office seconds, and linked suggestions.
 * - `weekday`: ISO weekday, 1 is Monday.
 * - `share_of_day`, `share_of_linked`: deterministic seconds over the day's worked and linked seconds (0 on an empty day).
 * - `usual_day_seconds`: median worked seconds over the person's previous 20 working days (days with worked
 *   time, strictly before this day; NaN without any).
 * - `day_vs_usual`: the day's worked seconds over `usual_day_seconds` (NaN without history).
 */
export const TIME_FEATURE_NAMES = [
  "deterministic_seconds",
  "deterministic_confidence",
  "ide_seconds",
  "meeting_seconds",
  "focus_seconds",
  "commit_seconds",
  "pull_request_seconds",
  "issue_action_seconds",
  "commits",
  "lines_added",
  "lines_deleted",
  "files_changed",
  "issue_actions",
  "pull_requests",
  "meetings",
  "heartbeats",
  "machines",
  "first_local_hour",
  "last_local_hour",
  "active_span_hours",
  "day_worked_seconds",
  "day_linked_seconds",
  "day_meeting_seconds",
  "day_out_of_office_seconds",
  "day_tickets",
  "weekday",
  "share_of_day",
  "share_of_linked",
  "usual_day_seconds",
  "day_vs_usual",
] as const;

export type TimeFeatureName = (typeof TIME_FEATURE_NAMES)[number];

/** Each feature in words, for explanations shown to people. */
export const TIME_FEATURE_WORDS: Record<TimeFeatureName, string> = {
  deterministic_seconds: "rule-based time",
  deterministic_confidence: "rule-based confidence",
  ide_seconds: "IDE minutes",
  meeting_seconds: "meeting minutes",
  focus_seconds: "focus-block minutes",
  commit_seconds: "commit-session minutes",
  pull_request_seconds: "pull-request minutes",
  issue_action_seconds: "Jira-action minutes",
  commits: "commits",
  lines_added: "lines added",
  lines_deleted: "lines deleted",
  files_changed: "files changed",
  issue_actions: "Jira actions",
  pull_requests: "pull requests",
  meetings: "meetings",
  heartbeats: "editor heartbeats",
  machines: "machines used",
  first_local_hour: "start time",
  last_local_hour: "end time",
  active_span_hours: "span of the day's activity",
  day_worked_seconds: "hours worked that day",
  day_linked_seconds: "linked hours that day",
  day_meeting_seconds: "meeting hours that day",
  day_out_of_office_seconds: "time out of office",
  day_tickets: "tickets that day",
  weekday: "weekday",
  share_of_day: "share of the day",
  share_of_linked: "share of linked time",
  usual_day_seconds: "usual day length",
  day_vs_usual: "day length against usual",
};

/** How many earlier working days the usual day length looks at. */
export const USUAL_DAY_HISTORY = 20;

export interface TimeFeatureRow {
  personId: number;
  day: string;
  issueId: number;
  /** In the order of `TIME_FEATURE_NAMES`. */
  values: number[];
  /** The rule-based suggestion's seconds: the baseline the model is measured against. */
  deterministicSeconds: number;
  /** Seconds of meetings linked to the issue that day: the capacity policy never goes below them. */
  meetingSeconds: number;
}

/** Feature rows of an allocation, looked up by person, day and issue. */
export class TimeFeatureIndex {
  private readonly rows = new Map<string, TimeFeatureRow>();
  private readonly summaries = new Map<string, DaySummary>();
  private readonly usual: Map<string, number | null>;

  constructor(allocation: DetailedAllocation) {
    for (const summary of allocation.days) this.summaries.set(`${String(summary.personId)}|${summary.day}`, summary);
    this.usual = usualDaySeconds(allocation.days);
    for (const { suggestion, breakdown } of allocation.details) {
      if (suggestion.issueId === null) continue;
      const usual = this.usual.get(`${String(suggestion.personId)}|${suggestion.day}`) ?? null;
      this.rows.set(keyOf(suggestion.personId, suggestion.day, suggestion.issueId), {
        personId: suggestion.personId,
        day: suggestion.day,
        issueId: suggestion.issueId,
        values: featureValues(suggestion.seconds, suggestion.confidence, breakdown, usual),
        deterministicSeconds: suggestion.seconds,
        meetingSeconds: breakdown.sourceSeconds.meeting,
      });
    }
  }

  /** Rows of every linked suggestion. */
  linkedRows(): TimeFeatureRow[] {
    return [...this.rows.values()];
  }

  /**
   * The row of a person, day and issue. Without a rule-based suggestion for it (a
   * worklog on an issue with no linked activity that day), the issue's features are
   * zero and the day's context is still filled in.
   */
  rowFor(personId: number, day: string, issueId: number): TimeFeatureRow {
    const found = this.rows.get(keyOf(personId, day, issueId));
    if (found) return found;
    const summary = this.summaries.get(`${String(personId)}|${day}`);
    const usual = this.usual.get(`${String(personId)}|${day}`) ?? usualBefore(this.historyOf(personId), day);
    const breakdown: SuggestionBreakdown = {
      sourceSeconds: emptySourceSeconds(),
      counts: emptyCounts(),
      firstLocalHour: null,
      lastLocalHour: null,
      day: {
        workedSeconds: summary?.workedSeconds ?? 0,
        linkedSeconds: summary?.linkedSeconds ?? 0,
        meetingSeconds: summary?.meetingSeconds ?? 0,
        outOfOfficeSeconds: summary?.outOfOfficeSeconds ?? 0,
        tickets: this.linkedRows().filter((r) => r.personId === personId && r.day === day).length,
        weekday: isoWeekday(day),
      },
    };
    return { personId, day, issueId, values: featureValues(0, 0, breakdown, usual), deterministicSeconds: 0, meetingSeconds: 0 };
  }

  private historyOf(personId: number): DaySummary[] {
    return [...this.summaries.values()].filter((s) => s.personId === personId);
  }
}

function featureValues(seconds: number, confidence: number, b: SuggestionBreakdown, usual: number | null): number[] {
  const first = b.firstLocalHour ?? Number.NaN;
  const last = b.lastLocalHour ?? Number.NaN;
  const usualSeconds = usual ?? Number.NaN;
  const values: Record<TimeFeatureName, number> = {
    deterministic_seconds: seconds,
    deterministic_confidence: confidence,
    ide_seconds: b.sourceSeconds.ide,
    meeting_seconds: b.sourceSeconds.meeting,
    focus_seconds: b.sourceSeconds.focus,
    commit_seconds: b.sourceSeconds.commit,
    pull_request_seconds: b.sourceSeconds.pull_request,
    issue_action_seconds: b.sourceSeconds.issue_action,
    commits: b.counts.commits,
    lines_added: b.counts.linesAdded,
    lines_deleted: b.counts.linesDeleted,
    files_changed: b.counts.filesChanged,
    issue_actions: b.counts.issueActions,
    pull_requests: b.counts.pullRequests,
    meetings: b.counts.meetings,
    heartbeats: b.counts.heartbeats,
    machines: b.counts.machines,
    first_local_hour: first,
    last_local_hour: last,
    active_span_hours: last - first,
    day_worked_seconds: b.day.workedSeconds,
    day_linked_seconds: b.day.linkedSeconds,
    day_meeting_seconds: b.day.meetingSeconds,
    day_out_of_office_seconds: b.day.outOfOfficeSeconds,
    day_tickets: b.day.tickets,
    weekday: b.day.weekday,
    share_of_day: b.day.workedSeconds > 0 ? seconds / b.day.workedSeconds : 0,
    share_of_linked: b.day.linkedSeconds > 0 ? seconds / b.day.linkedSeconds : 0,
    usual_day_seconds: usualSeconds,
    day_vs_usual: usualSeconds > 0 ? b.day.workedSeconds / usualSeconds : Number.NaN,
  };
  return TIME_FEATURE_NAMES.map((name) => values[name]);
}

/**
 * Usual day length per "personId|day": the median worked seconds of the person's
 * previous `USUAL_DAY_HISTORY` working days, from earlier days only, so a later day
 * never changes an earlier day's features. Null for a person's first working day.
 */
export function usualDaySeconds(days: readonly DaySummary[]): Map<string, number | null> {
  const byPerson = new Map<number, DaySummary[]>();
  for (const summary of days) {
    const list = byPerson.get(summary.personId) ?? [];
    list.push(summary);
    byPerson.set(summary.personId, list);
  }
  const usual = new Map<string, number | null>();
  for (const [personId, list] of byPerson) {
    const sorted = [...list].sort((a, b) => a.day.localeCompare(b.day));
    const worked: number[] = [];
    for (const summary of sorted) {
      usual.set(`${String(personId)}|${summary.day}`, median(worked.slice(-USUAL_DAY_HISTORY)));
      if (summary.workedSeconds > 0) worked.push(summary.workedSeconds);
    }
  }
  return usual;
}

function usualBefore(history: readonly DaySummary[], day: string): number | null {
  const worked = history
    .filter((s) => s.day < day && s.workedSeconds > 0)
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((s) => s.workedSeconds);
  return median(worked.slice(-USUAL_DAY_HISTORY));
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

function keyOf(personId: number, day: string, issueId: number): string {
  return `${String(personId)}|${day}|${String(issueId)}`;
}
