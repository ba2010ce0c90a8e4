import type { ActivityInput, ImportReport } from "../../domain/types.js";
import type { CommitOutcome } from "../../ingest/code-host/commit.js";
import { writeActivities } from "../../ingest/import-activities.js";
import type { Store } from "../../store/store.js";

/** The outcome of completing a truncated push: commits read from the API, split into new and already stored. */
export interface PushCompletionReport extends ImportReport {
  /** Commits the API returned for the push. */
  commits: number;
  /** Pages read. */
  pages: number;
}

export function emptyPushReport(source: string, label: string): PushCompletionReport {
  return { source, file: label, imported: 0, duplicate: 0, skipped: [], warnings: [], commits: 0, pages: 0 };
}

/** Writes one page of commit outcomes in one transaction and adds them to the report. */
export async function writeCommitPage(store: Store, outcomes: readonly CommitOutcome[], report: PushCompletionReport): Promise<void> {
  const unique = new Map<string, ActivityInput>();
  for (const outcome of outcomes) {
    if (!outcome.ok) report.skipped.push(outcome.skipped);
    else if (unique.has(outcome.activity.sourceUid)) report.duplicate += 1;
    else unique.set(outcome.activity.sourceUid, outcome.activity);
  }
  await store.transaction((tx) => writeActivities(tx, unique.values(), report, report.skipped));
  report.commits += outcomes.length;
  report.pages += 1;
}

/** Adds a warning when the API returned fewer commits than the push payload counted. */
export function checkCommitCount(report: PushCompletionReport, expected: number | undefined, where: string): void {
  if (expected !== undefined && report.commits < expected) {
    report.warnings.push(`${where} returned ${report.commits} of the ${expected} commits the push counted; the rest may have been removed by a later force push`);
  }
}
