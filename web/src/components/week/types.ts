/** Shapes of the API responses the week pages read; docs/api.md and the OpenAPI document define them. */

export type SuggestionStatus = "pending" | "accepted" | "edited" | "rejected";
export type WriteBackState = "pending" | "sending" | "written" | "failed";
export type WeekStatus = "open" | "submitted" | "approved" | "rejected" | "reopened";

export interface EvidenceItem {
  kind: string;
  detail: string;
  activityId?: number;
  at?: string;
  weight?: number;
}

export interface Suggestion {
  id: string;
  personId: number;
  day: string;
  issueId: number | null;
  issueKey: string | null;
  seconds: number;
  confidence: number;
  evidence: EvidenceItem[];
  status: SuggestionStatus;
  changedSinceReview: boolean;
  review: { id: number; decidedAt: string; decidedBy: string } | null;
  worklog: {
    id: number;
    issueKey: string;
    seconds: number;
    startedAt: string;
    writeBack: WriteBackState | null;
    remoteId: string | null;
    lastError: string | null;
  } | null;
  /**
   * True for time logged on an issue without a suggestion of its own, such as time moved
   * there from another suggestion: the grid shows it, but there is no decision to change.
   */
  worklogOnly?: boolean;
}

export interface Worklog {
  id: number;
  issueId: number;
  issueKey: string;
  personId: number | null;
  startedAt: string;
  day: string;
  seconds: number;
  origin: "jira" | "confirmed";
  writeBack: WriteBackState | null;
  remoteId: string | null;
  lastError: string | null;
}

export interface WeekReview {
  personId: number;
  personName: string;
  weekStart: string;
  weekEnd: string;
  status: WeekStatus;
  submittedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  locked: boolean;
  pending: number;
  suggestedSeconds: number;
  confirmedSeconds: number;
}

export interface Person {
  id: number;
  displayName: string | null;
  tz: string | null;
}

export interface Issue {
  id: number;
  key: string;
  project: string;
  type: string;
  status: string;
  summary: string;
}

export interface BulkAcceptResult {
  accepted: number;
  skipped: { id: string; personId: number; day: string; issueId: number | null; reason: string }[];
}
