import { WorklensError } from "../../domain/errors.js";
import type { ImportReport } from "../../domain/types.js";

/** New and already stored activities of one kind. */
export interface ActivityCounts {
  imported: number;
  duplicate: number;
}

/** The outcome of one sync: an ImportReport whose `counts` add up every page, plus the list pages read. */
export interface CodeHostSyncReport<K extends string> extends ImportReport {
  counts: Record<K, ActivityCounts>;
  /** Count of list pages read: commit, pull request and merge request pages. Review and note pages are not counted. */
  pages: number;
}

/** Creates a report with zero counts for each kind, labelled as `labels` name them in `details`. */
export function emptySyncReport<K extends string>(source: string, name: string, labels: Readonly<Record<K, string>>): CodeHostSyncReport<K> {
  const kinds = Object.keys(labels) as K[];
  const counts = Object.fromEntries(kinds.map((kind) => [kind, { imported: 0, duplicate: 0 }])) as Record<K, ActivityCounts>;
  return { source, file: name, imported: 0, duplicate: 0, skipped: [], warnings: [], counts, pages: 0 };
}

/** Recomputes the totals and the summary line after a page. */
export function summarizeReport<K extends string>(report: CodeHostSyncReport<K>, labels: Readonly<Record<K, string>>): void {
  const kinds = Object.keys(labels) as K[];
  report.imported = kinds.reduce((sum, kind) => sum + report.counts[kind].imported, 0);
  report.duplicate = kinds.reduce((sum, kind) => sum + report.counts[kind].duplicate, 0);
  const parts = kinds.map((kind) => `${labels[kind]}: ${report.counts[kind].imported} new, ${report.counts[kind].duplicate} unchanged`);
  report.details = [`${report.pages} page${report.pages === 1 ? "" : "s"}; ${parts.join("; ")}`];
}

/** Adds to a failure how many pages were written before it, because those stay stored and a re-run resumes after them. */
export function withPagesWritten(error: unknown, pages: number): unknown {
  if (!(error instanceof WorklensError) || pages === 0) return error;
  const written = `${pages} earlier page${pages === 1 ? " was" : "s were"} written`;
  return new WorklensError(error.code, `${error.message} (${written})`, `${error.hint ?? "fix the cause"}; the next sync resumes after the last written page`, { cause: error });
}
