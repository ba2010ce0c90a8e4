import type { ImportReport } from "../../domain/types.js";
import type { ParseResult } from "../../ingest/parse-result.js";
import type { JiraRecord } from "../../ingest/jira/records.js";
import type { JiraImportCounts, JiraWriteResult } from "../../ingest/jira/write-records.js";

/** The outcome of one sync: an ImportReport whose `counts` add up every page, plus the pages read. */
export interface JiraSyncReport extends ImportReport {
  counts: JiraImportCounts;
  pages: number;
  /** The JQL of the search, with the bound the checkpoint gave. */
  jql: string;
}

export function emptyReport(instance: string, jql: string): JiraSyncReport {
  return {
    source: "jira",
    file: instance,
    imported: 0,
    duplicate: 0,
    skipped: [],
    warnings: [],
    counts: {
      issues: { imported: 0, updated: 0, duplicate: 0 },
      events: { imported: 0, duplicate: 0 },
      worklogs: { imported: 0, updated: 0, duplicate: 0 },
      actions: { imported: 0, duplicate: 0 },
    },
    pages: 0,
    jql,
  };
}

/** Adds the parse and write results of one page to the report. */
export function addPage(report: JiraSyncReport, parsed: ParseResult<JiraRecord>, written: JiraWriteResult): void {
  const { counts } = report;
  counts.issues.imported += written.issues.imported;
  counts.issues.updated += written.issues.updated;
  counts.issues.duplicate += written.issues.duplicate;
  counts.worklogs.updated += written.worklogs.updated;
  for (const kind of ["events", "worklogs", "actions"] as const) {
    counts[kind].imported += written[kind].imported;
    counts[kind].duplicate += written[kind].duplicate;
  }

  report.imported = counts.issues.imported + counts.events.imported + counts.worklogs.imported + counts.actions.imported;
  report.duplicate = counts.issues.duplicate + counts.events.duplicate + counts.worklogs.duplicate + counts.actions.duplicate;
  report.skipped.push(...parsed.skipped, ...written.skipped);
  report.warnings.push(...parsed.warnings);
  report.pages += 1;
  report.details = [summarize(counts, report.pages)];
}

function summarize(counts: JiraImportCounts, pages: number): string {
  const pair = (c: { imported: number; duplicate: number }): string => `${c.imported} new, ${c.duplicate} unchanged`;
  return (
    `${pages} page${pages === 1 ? "" : "s"}; issues: ${counts.issues.imported} new, ${counts.issues.updated} updated, ${counts.issues.duplicate} unchanged; ` +
    `events: ${pair(counts.events)}; worklogs: ${counts.worklogs.imported} new, ${counts.worklogs.updated} updated, ${counts.worklogs.duplicate} unchanged; issue actions: ${pair(counts.actions)}`
  );
}
