import { MS_PER_MINUTE } from "../domain/time.js";
import type { ActivityRecord, LinkRecord, SuggestionRecord } from "../domain/types.js";
import { DEFAULT_COMMIT_RULE, type CommitSessionRule } from "./commit-sessions.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS } from "./heartbeat-sessions.js";
import { allocatePerson } from "./person-allocation.js";
import type { SuggestionDetail } from "./source-breakdown.js";

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

/**
 * Turn one person-day's activities into suggested worklogs: build blocks per source,
 * attribute their union to linked issues without counting any instant twice, and sum
 * per local day in the person's zone.
 */
export function allocate(input: AllocationInput, options: AllocationOptions = DEFAULT_ALLOCATION_OPTIONS): Allocation {
  const { suggestions, days } = allocateWith(input, options, false);
  return { suggestions, days };
}

/** An allocation whose every suggestion also reports how the rules arrived at it. */
export interface DetailedAllocation extends Allocation {
  /** One per suggestion, sorted like `suggestions`; `details[i].suggestion` is `suggestions[i]`. */
  details: SuggestionDetail[];
}

/** Like `allocate`, with each suggestion's seconds per source, activity counts and day context. */
export function allocateDetailed(input: AllocationInput, options: AllocationOptions = DEFAULT_ALLOCATION_OPTIONS): DetailedAllocation {
  return allocateWith(input, options, true);
}

function allocateWith(input: AllocationInput, options: AllocationOptions, detailed: boolean): DetailedAllocation {
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

  const days: DaySummary[] = [];
  let details: SuggestionDetail[] = [];
  let suggestions: SuggestionRecord[] = [];
  for (const [personId, activities] of byPerson) {
    const result = allocatePerson(personId, activities, linksByActivity, personZone(personId, activities, input, options), options, detailed);
    suggestions.push(...result.suggestions);
    details.push(...result.details);
    days.push(...result.days);
  }
  const order = (a: SuggestionRecord, b: SuggestionRecord) => a.day.localeCompare(b.day) || a.personId - b.personId || (a.issueId ?? 0) - (b.issueId ?? 0);
  if (detailed) {
    details = details.sort((a, b) => order(a.suggestion, b.suggestion));
    suggestions = details.map((d) => d.suggestion);
  } else {
    suggestions.sort(order);
  }
  days.sort((a, b) => a.day.localeCompare(b.day) || a.personId - b.personId);
  return { suggestions, days, details };
}

/** Zone of a person's local days: the one set for the person, else the one most of their activities report, else the default. */
function personZone(personId: number, activities: readonly ActivityRecord[], input: Pick<AllocationInput, "zones">, options: Pick<AllocationOptions, "defaultZone">): string {
  return input.zones.get(personId) ?? dominantZone(activities) ?? options.defaultZone;
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
