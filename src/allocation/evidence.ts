import { DateTime } from "luxon";
import { requireZone } from "../domain/time.js";
import type { ActivityRecord } from "../domain/types.js";

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
