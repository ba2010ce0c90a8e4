import { DateTime } from "luxon";
import { requireZone } from "../domain/time.js";
import type { ActivityKind, ActivityRecord, Evidence } from "../domain/types.js";

/** One line about an activity for a suggestion's evidence: what, when (local time), how much. No raw text. */
export function describeActivity(activity: ActivityRecord, zone: string): string {
  const time = DateTime.fromMillis(activity.startAt, { zone: requireZone(zone) }).toFormat("HH:mm");
  const end = DateTime.fromMillis(activity.endAt, { zone: requireZone(zone) }).toFormat("HH:mm");
  switch (activity.kind) {
    case "commit": {
      const m = activity.metrics;
      const files = m.filesChanged ?? 0;
      return `commit at ${time} (+${m.linesAdded ?? 0}/-${m.linesDeleted ?? 0} lines, ${files} ${files === 1 ? "file" : "files"})${activity.repo === null ? "" : ` in ${activity.repo}`}`;
    }
    case "ide_heartbeat":
      return `editor activity at ${time}${activity.project === null ? "" : ` in ${activity.project}`}${activity.machine === null ? "" : ` on ${activity.machine}`}`;
    case "ide_session":
      return `editor session ${time}-${end}`;
    case "meeting":
      return `meeting ${time}-${end}`;
    case "focus":
      return `focus block ${time}-${end}`;
    case "issue_action":
      return `Jira action at ${time}`;
    case "pull_request":
      return `pull request at ${time}`;
    case "out_of_office":
      return activity.dateOnly ? `out of office on ${activity.localDate ?? "?"}` : `out of office ${time}-${end}`;
  }
}

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

/** One activity's part in a suggestion. */
export interface Contribution {
  activity: ActivityRecord;
  confidence: number;
  /** Reason a ranked link chose its issue; absent for named keys and unlinked activities. */
  linkReason?: string;
}

export function suggestionConfidence(refs: readonly Contribution[]): number {
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

export function evidenceOf(refs: readonly Contribution[], zone: string, max: number): Evidence[] {
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
