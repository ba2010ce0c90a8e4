/**
 * Core records of worklens. Instants are UTC epoch milliseconds; `tz` is the
 * zone the source reported (an IANA name, or a fixed offset such as "UTC+01:00").
 * Raw text (names, e-mails, summaries, messages) lives in the `*Text` records so the
 * store can keep it apart from derived data.
 */

export type Source = "jira" | "git" | "ics" | "wakatime" | "activitywatch";

export type ActivityKind =
  | "commit"
  | "pull_request"
  | "meeting"
  | "focus"
  | "out_of_office"
  | "ide_heartbeat"
  | "ide_session"
  | "issue_action";

export type IssueEventKind =
  | "create"
  | "comment"
  | "update"
  | "assignee_change"
  | "priority_change"
  | "status_change"
  | "view"
  | "worklog";

export interface IdentityInput {
  source: Source;
  /** Stable id within the source: Jira accountId or user name, git e-mail, calendar attendee e-mail. */
  externalId: string;
  displayName?: string | undefined;
  email?: string | undefined;
  tz?: string | undefined;
}

export interface IssueInput {
  sourceId: string;
  key: string;
  projectKey: string;
  issueType?: string | undefined;
  isSubtask: boolean;
  parentKey?: string | undefined;
  epicKey?: string | undefined;
  priority?: string | undefined;
  status?: string | undefined;
  statusCategory?: string | undefined;
  /** Jira labels, such as "capex"; absent when the issue has none. */
  labels?: string[] | undefined;
  createdAt: number;
  updatedAt?: number | undefined;
  resolvedAt?: number | undefined;
  assignee?: IdentityInput | undefined;
  reporter?: IdentityInput | undefined;
  text: { summary: string; description: string; comments: string };
}

export interface IssueEventInput {
  /** Source-unique id, such as "history:30137:0" or "comment:10042:777". */
  sourceUid: string;
  issueKey: string;
  kind: IssueEventKind;
  at: number;
  tz?: string | undefined;
  actor?: IdentityInput | undefined;
  field?: string | undefined;
  fromValue?: string | undefined;
  toValue?: string | undefined;
  /** Comment body or other free text; stored apart from the event. */
  body?: string | undefined;
}

export interface ActivityInput {
  /** Source-unique id; re-importing the same id adds nothing. */
  sourceUid: string;
  source: Source;
  kind: ActivityKind;
  actor: IdentityInput;
  startAt: number;
  endAt: number;
  tz: string;
  /** True for all-day calendar values: `localDate`..`localEndDate` are the facts, instants are derived. */
  dateOnly: boolean;
  localDate?: string | undefined;
  localEndDate?: string | undefined;
  /** Secondary instant, such as the committer date of a commit. */
  landedAt?: number | undefined;
  repo?: string | undefined;
  project?: string | undefined;
  machine?: string | undefined;
  /** Issue keys named explicitly in the activity's text or branch. */
  explicitKeys: string[];
  metrics?: ActivityMetrics | undefined;
  text: ActivityText;
}

export interface ActivityMetrics {
  linesAdded?: number;
  linesDeleted?: number;
  filesChanged?: number;
  isWrite?: boolean;
}

export interface ActivityText {
  title?: string | undefined;
  body?: string | undefined;
  branch?: string | undefined;
  /** File paths or entities, newline-separated. */
  paths?: string | undefined;
}

export interface WorklogInput {
  sourceId: string;
  issueKey: string;
  author?: IdentityInput | undefined;
  startedAt: number;
  tz: string;
  /** Calendar day of `startedAt` in `tz`, fixed at import time. */
  day: string;
  seconds: number;
  comment?: string | undefined;
}

export interface ActivityRecord {
  id: number;
  source: Source;
  kind: ActivityKind;
  personId: number;
  startAt: number;
  endAt: number;
  tz: string;
  dateOnly: boolean;
  localDate: string | null;
  localEndDate: string | null;
  landedAt: number | null;
  repo: string | null;
  project: string | null;
  machine: string | null;
  explicitKeys: string[];
  metrics: ActivityMetrics;
}

export interface IssueRecord {
  id: number;
  key: string;
  projectKey: string;
  issueType: string | null;
  isSubtask: boolean;
  parentKey: string | null;
  epicKey: string | null;
  priority: string | null;
  status: string | null;
  statusCategory: string | null;
  /** Jira labels; absent means none, as on records built without the store. */
  labels?: readonly string[];
  createdAt: number;
  updatedAt: number | null;
  resolvedAt: number | null;
  assigneeId: number | null;
  reporterId: number | null;
}

export interface IssueEventRecord {
  id: number;
  issueId: number;
  personId: number | null;
  kind: IssueEventKind;
  at: number;
  field: string | null;
  fromValue: string | null;
  toValue: string | null;
}

export interface PersonRecord {
  id: number;
  tz: string | null;
  displayName: string | null;
  email: string | null;
  identities: { id: number; source: Source; externalId: string }[];
}

export interface Evidence {
  kind: string;
  /** Human-readable reason, free of raw personal text. */
  detail: string;
  activityId?: number;
  at?: number;
  weight?: number;
}

export interface LinkRecord {
  activityId: number;
  issueId: number;
  rank: number;
  score: number;
  confidence: number;
  method: "explicit" | "ranked";
  evidence: Evidence[];
}

export interface SuggestionRecord {
  personId: number;
  day: string;
  /** Null for time that could not be linked to any issue. */
  issueId: number | null;
  seconds: number;
  confidence: number;
  evidence: Evidence[];
}

/** Per-item outcome counts of one import. */
export interface ImportReport {
  source: string;
  file: string;
  imported: number;
  duplicate: number;
  skipped: { record: string; reason: string }[];
  warnings: string[];
  /** Counts per record kind, for sources that import several kinds (Jira: issues, events, worklogs). */
  details?: string[];
}
