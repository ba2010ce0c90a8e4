import type { ActivityRecord, LinkRecord, SuggestionRecord } from "../domain/types.js";
import type { AllocationOptions, DaySummary } from "./allocate.js";
import { commitBlocks } from "./commit-sessions.js";
import { evidenceOf, suggestionConfidence, type Contribution } from "./evidence.js";
import { heartbeatSegments } from "./heartbeat-sessions.js";
import { ActivityTally, emptySourceSeconds, isoWeekday, sourceKindOf, SOURCE_KINDS, type SourceKind, type SuggestionDetail } from "./source-breakdown.js";
import { attribute, type Block } from "./timeline.js";

export interface PersonAllocation {
  suggestions: SuggestionRecord[];
  days: DaySummary[];
  /** One per suggestion, in the same order; empty unless details were requested. */
  details: SuggestionDetail[];
}

/**
 * Allocate one person's activities in `zone`. With `detailed`, each suggestion also
 * gets its source breakdown; that costs a day lookup per activity, so plain
 * allocation skips it.
 */
export function allocatePerson(
  personId: number,
  activities: readonly ActivityRecord[],
  linksByActivity: ReadonlyMap<number, LinkRecord[]>,
  zone: string,
  options: AllocationOptions,
  detailed: boolean,
): PersonAllocation {
  const contributions: Contribution[] = [];
  const blocks: Block[] = [];
  const meetingBlocks: Block[] = [];
  const outOfOffice = new Map<string, number>();
  const tally = detailed ? new ActivityTally(zone) : undefined;

  const addBlocks = (activity: ActivityRecord, start: number, end: number) => {
    const links = primaryLinks(linksByActivity.get(activity.id) ?? []);
    const ref = contributions.length;
    const confidence = links.length === 0 ? 0.3 : Math.max(...links.map((l) => l.confidence));
    const reason = links.find((l) => l.method === "ranked")?.evidence.map((e) => e.detail).join(", ");
    contributions.push({ activity, confidence, ...(reason === undefined ? {} : { linkReason: reason }) });
    const isMeeting = activity.kind === "meeting";
    const labels = links.length === 0 ? [null] : links.map((l) => l.issueId);
    for (const label of labels) {
      const block: Block = { start, end, label, linked: label !== null, ref };
      blocks.push(block);
      if (isMeeting) meetingBlocks.push(block);
    }
  };

  const commits: ActivityRecord[] = [];
  const heartbeats: ActivityRecord[] = [];
  for (const activity of activities) {
    if (tally) {
      const links = primaryLinks(linksByActivity.get(activity.id) ?? []);
      tally.add(activity, links.length === 0 ? [null] : links.map((l) => l.issueId));
    }
    switch (activity.kind) {
      case "commit":
        commits.push(activity);
        break;
      case "ide_heartbeat":
        heartbeats.push(activity);
        break;
      case "out_of_office":
        recordOutOfOffice(activity, zone, options, outOfOffice);
        break;
      case "meeting":
      case "focus":
      case "ide_session":
        // An all-day meeting gives no hours worked, so only timed ones count.
        if (!activity.dateOnly) addBlocks(activity, activity.startAt, activity.endAt);
        break;
      case "issue_action":
        addBlocks(activity, activity.startAt - options.issueActionMs, activity.startAt);
        break;
      case "pull_request":
        addBlocks(activity, activity.startAt - options.pullRequestMs, activity.startAt);
        break;
    }
  }
  for (const block of commitBlocks(commits, (c) => c.startAt, options.commitRule)) {
    addBlocks(block.commit, block.start, block.end);
  }
  const beatsById = new Map(heartbeats.map((h) => [String(h.id), h]));
  const segments = heartbeatSegments(
    heartbeats.map((h) => ({ at: h.startAt, label: String(h.id), machine: h.machine })),
    options.heartbeatTimeoutMs,
  );
  for (const segment of segments) {
    const beat = segment.label === null ? undefined : beatsById.get(segment.label);
    if (beat) addBlocks(beat, segment.start, segment.end);
  }

  const groupOf = (ref: number) => sourceKindOf(contributions[ref]?.activity.kind ?? "out_of_office") ?? "none";
  const slices = attribute(blocks, zone, detailed ? groupOf : undefined);
  const suggestions: SuggestionRecord[] = [];
  const sourceSeconds: Record<SourceKind, number>[] = [];
  const summaries = new Map<string, DaySummary>();
  const summaryOf = (day: string) => {
    const existing = summaries.get(day);
    if (existing) return existing;
    const created: DaySummary = { personId, day, zone, workedSeconds: 0, linkedSeconds: 0, meetingSeconds: 0, outOfOfficeSeconds: 0, capacitySeconds: 0 };
    summaries.set(day, created);
    return created;
  };

  for (const slice of slices) {
    const seconds = Math.round(slice.ms / 1000);
    const summary = summaryOf(slice.day);
    summary.workedSeconds += seconds;
    if (slice.label !== null) summary.linkedSeconds += seconds;
    if (seconds < 60) continue;
    const refs = [...slice.refs].flatMap((r) => contributions[r] ?? []);
    suggestions.push({
      personId,
      day: slice.day,
      issueId: slice.label,
      seconds: Math.round(seconds / 60) * 60,
      confidence: suggestionConfidence(refs),
      evidence: evidenceOf(refs, zone, options.maxEvidence),
    });
    if (detailed) sourceSeconds.push(secondsBySource(slice.byGroup));
  }
  for (const slice of attribute(meetingBlocks, zone)) summaryOf(slice.day).meetingSeconds += Math.round(slice.ms / 1000);
  for (const [day, seconds] of outOfOffice) summaryOf(day).outOfOfficeSeconds += seconds;
  for (const summary of summaries.values()) {
    summary.outOfOfficeSeconds = Math.min(summary.outOfOfficeSeconds, options.workdaySeconds);
    summary.capacitySeconds = isoWeekday(summary.day) >= 6 ? 0 : options.workdaySeconds - summary.outOfOfficeSeconds;
  }

  const details: SuggestionDetail[] = [];
  if (tally) {
    const tickets = new Map<string, number>();
    for (const s of suggestions) if (s.issueId !== null) tickets.set(s.day, (tickets.get(s.day) ?? 0) + 1);
    suggestions.forEach((suggestion, i) => {
      const summary = summaryOf(suggestion.day);
      const context = {
        workedSeconds: summary.workedSeconds,
        linkedSeconds: summary.linkedSeconds,
        meetingSeconds: summary.meetingSeconds,
        outOfOfficeSeconds: summary.outOfOfficeSeconds,
        tickets: tickets.get(suggestion.day) ?? 0,
        weekday: isoWeekday(suggestion.day),
      };
      const breakdown = tally.breakdownOf(suggestion.day, suggestion.issueId, sourceSeconds[i] ?? emptySourceSeconds(), context);
      details.push({ suggestion, breakdown, zone });
    });
  }
  return { suggestions, days: [...summaries.values()], details };
}

function secondsBySource(byGroup: ReadonlyMap<string, number>): Record<SourceKind, number> {
  const seconds = emptySourceSeconds();
  for (const kind of SOURCE_KINDS) seconds[kind] = Math.round((byGroup.get(kind) ?? 0) / 1000);
  return seconds;
}

/** Explicit links all count; of ranked links only the top one does. */
function primaryLinks(links: readonly LinkRecord[]): LinkRecord[] {
  const explicit = links.filter((l) => l.method === "explicit");
  if (explicit.length > 0) return explicit;
  return links.filter((l) => l.rank === 0);
}

function recordOutOfOffice(activity: ActivityRecord, zone: string, options: AllocationOptions, into: Map<string, number>): void {
  if (activity.dateOnly && activity.localDate !== null) {
    into.set(activity.localDate, (into.get(activity.localDate) ?? 0) + options.workdaySeconds);
    return;
  }
  for (const slice of attribute([{ start: activity.startAt, end: activity.endAt, label: null, linked: false, ref: 0 }], zone)) {
    into.set(slice.day, (into.get(slice.day) ?? 0) + Math.round(slice.ms / 1000));
  }
}
