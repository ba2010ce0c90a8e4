import type { Suggestion, WriteBackState } from "./types.js";

/** Returns the key of the grid row a suggestion sits in: its issue key, or "unlinked". */
export function rowKeyOf(suggestion: Pick<Suggestion, "issueKey">): string {
  return suggestion.issueKey ?? "unlinked";
}

export function cellTestId(rowKey: string, day: string): string {
  return `cell-${rowKey}-${day}`;
}

/**
 * Returns the seconds a cell counts: the worklog's time once accepted or edited, none
 * once rejected, else the suggested time.
 */
export function effectiveSeconds(suggestion: Suggestion): number {
  if (suggestion.status === "rejected") return 0;
  return suggestion.worklog?.seconds ?? suggestion.seconds;
}

export type ConfidenceLevel = "high" | "medium" | "low";

/** Bands of the confidence marker; the thresholds only choose a colour, the exact share is shown as text. */
export function confidenceLevel(confidence: number): ConfidenceLevel {
  if (confidence >= 0.8) return "high";
  if (confidence >= 0.5) return "medium";
  return "low";
}

/** Words for the write-back states; "pending" reads as "queued" to people, who do not see the job queue. */
export const WRITE_BACK_LABELS: Readonly<Record<WriteBackState, string>> = {
  pending: "queued",
  sending: "sending",
  written: "written",
  failed: "failed",
};
