import type { ImportReport } from "../../domain/types.js";
import type { Store } from "../../store/store.js";
import { readInputFile } from "../read-input.js";
import { parseJira } from "./parse.js";
import { writeJiraRecords, type JiraImportCounts } from "./write-records.js";

export type { JiraImportCounts } from "./write-records.js";

/** An ImportReport whose `imported` and `duplicate` add up every kind; `counts` splits them. */
export interface JiraImportReport extends ImportReport {
  counts: JiraImportCounts;
}

/**
 * Imports a Jira REST JSON file (see parseJira for the shapes) into the store: issues
 * are upserted by Jira id, events and worklogs are inserted by their stable source
 * ids, so a re-import adds nothing. Events and worklogs attach to issues stored now
 * or earlier; those whose issue is unknown are skipped with a reason. Each event with
 * a known actor also becomes an issue_action activity. Everything is written in one
 * transaction, so a failure leaves the store as it was.
 */
export async function importJira(store: Store, file: string, options: { issueKey?: string | undefined } = {}): Promise<JiraImportReport> {
  const parsed = parseJira(await readInputFile(file, "Jira JSON file"), { file, issueKey: options.issueKey });
  const written = await store.transaction((tx) => writeJiraRecords(tx, parsed.records));
  const { skipped: unresolved, ...counts } = written;
  const skipped = [...parsed.skipped, ...unresolved];

  return {
    source: "jira",
    file,
    imported: counts.issues.imported + counts.events.imported + counts.worklogs.imported + counts.actions.imported,
    duplicate: counts.issues.duplicate + counts.events.duplicate + counts.worklogs.duplicate + counts.actions.duplicate,
    skipped,
    warnings: [...parsed.warnings],
    details: [summarize(counts)],
    counts,
  };
}

function summarize(counts: JiraImportCounts): string {
  const pair = (c: { imported: number; duplicate: number }): string => `${c.imported} new, ${c.duplicate} unchanged`;
  return (
    `issues: ${counts.issues.imported} new, ${counts.issues.updated} updated, ${counts.issues.duplicate} unchanged; ` +
    `events: ${pair(counts.events)}; worklogs: ${counts.worklogs.imported} new, ${counts.worklogs.updated} updated, ${counts.worklogs.duplicate} unchanged; issue actions: ${pair(counts.actions)}`
  );
}
