import { MS_PER_MINUTE } from "../domain/time.js";
import type { ActivityKind, ActivityRecord, Evidence, LinkRecord, SuggestionRecord } from "../domain/types.js";
import { DEFAULT_COMMIT_RULE, commitBlocks, type CommitSessionRule } from "./commit-sessions.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, heartbeatSegments } from "./heartbeat-sessions.js";
import { attribute, type Block } from "./timeline.js";
import { describeActivity } from "./evidence.js";

export interface AllocationOptions {
  /** Gap between heartbeats that still counts as work. */
  heartbeatTimeoutMs: number;
  commitRule: CommitSessionRule;
  /** Time credited to one Jira action (comment, transition, ...), ending at the action. */
  issueActionMs: number;
  /** Time credited to opening or updating a pull request, ending at the event. */
  pullRequestMs: number;
  /** Zone for people whose zone is unknown and whose activities name none. */
  defaultZone: string;
  /** A full working day, for capacity. */
  workdaySeconds: number;
  /** At most this many activities are listed as evidence of one suggestion; the rest are counted. */
  maxEvidence: number;
}

export const DEFAULT_ALLOCATION_OPTIONS: AllocationOptions = {
  heartbeatTimeoutMs: DEFAULT_HEARTBEAT_TIMEOUT_MS,
  commitRule: DEFAULT_COMMIT_RULE,
  issueActionMs: 5 * MS_PER_MINUTE,
  pullRequestMs: 10 * MS_PER_MINUTE,
  defaultZone: "UTC",
  workdaySeconds: 8 * 3600,
  maxEvidence: 20,
};

/** How far each kind of activity is direct evidence of time spent: the base of a suggestion's confidence. */
const RELIABILITY: Record<ActivityKind, number> = {
  ide_heartbeat: 0.95,
  ide_session: 0.9,
  meeting: 0.9,
  focus: 0.7,
  commit: 0.6,
  pull_request: 0.6,
  issue_action: 0.5,
  out_of_office: 0,
};

export interface DaySummary {
  personId: number;
  day: string;
  zone: string;
  workedSeconds: number;
  linkedSeconds: number;
  meetingSeconds: number;
  outOfOfficeSeconds: number;
  capacitySeconds: number;
}

export interface AllocationInput {
  activities: readonly ActivityRecord[];
  links: readonly LinkRecord[];
  /** Each person's IANA zone, when known. */
  zones: ReadonlyMap<number, string | null>;
}

export interface Allocation {
  suggestions: SuggestionRecord[];
  days: DaySummary[];
}

interface Contribution {
  activity: ActivityRecord;
  confidence: number;
  /** Reason a ranked link chose its issue; absent for named keys and unlinked activities. */
  linkReason?: string;
}

/**
 * Turn one person-day's activities into suggested worklogs: build blocks per source,
 * attribute their union to linked issues without counting any instant twice, and sum
 * per local day in the person's zone.
 */
export function allocate(input: AllocationInput, options: AllocationOptions = DEFAULT_ALLOCATION_OPTIONS): Allocation {
  const linksByActivity = new Map<number, LinkRecord[]>();
  for (const link of input.links) {
    const list = linksByActivity.get(link.activityId) ?? [];
    list.push(link);
    linksByActivity.set(link.activityId, list);
  }
  const byPerson = new Map<number, ActivityRecord[]>();
  for (const activity of input.activities) {
    const list = byPerson.get(activity.personId) ?? [];
    list.push(activity);
    byPerson.set(activity.personId, list);
  }

  const suggestions: SuggestionRecord[] = [];
  const days: DaySummary[] = [];
  for (const [personId, activities] of byPerson) {
    const zone = input.zones.get(personId) ?? dominantZone(activities) ?? options.defaultZone;
    const result = allocatePerson(personId, activities, linksByActivity, zone, options);
    suggestions.push(...result.suggestions);
    days.push(...result.days);
  }
  suggestions.sort((a, b) => a.day.localeCompare(b.day) || a.personId - b.personId || (a.issueId ?? 0) - (b.issueId ?? 0));
  days.sort((a, b) => a.day.localeCompare(b.day) || a.personId - b.personId);
  return { suggestions, days };
}

function allocatePerson(
  personId: number,
  activities: readonly ActivityRecord[],
  linksByActivity: ReadonlyMap<number, LinkRecord[]>,
  zone: string,
  options: AllocationOptions,
): Allocation {
  const contributions: Contribution[] = [];
  const blocks: Block[] = [];
  const meetingBlocks: Block[] = [];
  const outOfOffice = new Map<string, number>();

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

  const slices = attribute(blocks, zone);
  const suggestions: SuggestionRecord[] = [];
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
  }
  for (const slice of attribute(meetingBlocks, zone)) summaryOf(slice.day).meetingSeconds += Math.round(slice.ms / 1000);
  for (const [day, seconds] of outOfOffice) summaryOf(day).outOfOfficeSeconds += seconds;
  for (const summary of summaries.values()) {
    summary.outOfOfficeSeconds = Math.min(summary.outOfOfficeSeconds, options.workdaySeconds);
    summary.capacitySeconds = isWeekend(summary.day) ? 0 : options.workdaySeconds - summary.outOfOfficeSeconds;
  }
  return { suggestions, days: [...summaries.values()] };
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

function suggestionConfidence(refs: readonly Contribution[]): number {
  if (refs.length === 0) return 0;
  let best = 0;
  let sum = 0;
  for (const ref of refs) {
    const value = RELIABILITY[ref.activity.kind] * ref.confidence;
    sum += value;
    best = Math.max(best, value);
  }
  // More independent pieces of evidence raise confidence toward the best single piece, never above 0.99.
  const support = 1 - Math.exp(-refs.length / 3);
  return Math.min(0.99, Math.round((best * 0.7 + (sum / refs.length) * 0.3) * (0.6 + 0.4 * support) * 1000) / 1000);
}

function evidenceOf(refs: readonly Contribution[], zone: string, max: number): Evidence[] {
  const sorted = [...refs].sort((a, b) => a.activity.startAt - b.activity.startAt);
  const evidence: Evidence[] = sorted.slice(0, max).map((ref) => ({
    kind: ref.activity.kind,
    detail: ref.linkReason === undefined ? describeActivity(ref.activity, zone) : `${describeActivity(ref.activity, zone)}, linked by ranking: ${ref.linkReason}`,
    activityId: ref.activity.id,
    at: ref.activity.startAt,
    weight: Math.round(ref.confidence * 1000) / 1000,
  }));
  if (sorted.length > max) {
    evidence.push({ kind: "more", detail: `and ${sorted.length - max} more activities` });
  }
  return evidence;
}

function dominantZone(activities: readonly ActivityRecord[]): string | undefined {
  const counts = new Map<string, number>();
  for (const a of activities) if (a.source !== "wakatime") counts.set(a.tz, (counts.get(a.tz) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [zone, count] of counts) {
    if (count > bestCount) {
      best = zone;
      bestCount = count;
    }
  }
  return best;
}

function isWeekend(day: string): boolean {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}
