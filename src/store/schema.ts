import type { Generated } from "kysely";

/**
 * Table types shared by both backends. Instants are epoch milliseconds (bigint),
 * booleans are 0/1 integers and structured values are JSON text, so one schema
 * and one set of queries serve SQLite and PostgreSQL alike.
 *
 * Raw text sits only in the `*_texts` tables. Every other table contains derived data
 * keyed by internal ids and lookup digests, so encryption at rest can wrap the
 * text tables without touching the rest.
 */
export interface Database {
  persons: PersonsTable;
  person_texts: PersonTextsTable;
  identities: IdentitiesTable;
  identity_texts: IdentityTextsTable;
  issues: IssuesTable;
  issue_texts: IssueTextsTable;
  issue_events: IssueEventsTable;
  issue_event_texts: IssueEventTextsTable;
  activities: ActivitiesTable;
  activity_texts: ActivityTextsTable;
  links: LinksTable;
  suggestions: SuggestionsTable;
  worklogs: WorklogsTable;
  worklog_texts: WorklogTextsTable;
  api_keys: ApiKeysTable;
  accounts: AccountsTable;
  web_sessions: WebSessionsTable;
  week_reviews: WeekReviewsTable;
  category_rules: CategoryRulesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  sync_checkpoints: SyncCheckpointsTable;
  reviews: ReviewsTable;
  sync_runs: SyncRunsTable;
  models: ModelsTable;
  model_drift: ModelDriftTable;
  settings: SettingsTable;
  data_keys: DataKeysTable;
  person_keys: PersonKeysTable;
  audit_log: AuditLogTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  person_roles: PersonRolesTable;
}

export interface PersonsTable {
  id: Generated<number>;
  tz: string | null;
  created_at: number;
}

export interface PersonTextsTable {
  person_id: number;
  display_name: string | null;
  email: string | null;
}

export interface IdentitiesTable {
  id: Generated<number>;
  person_id: number;
  source: string;
  /** Digest of source and normalized external id; unique. */
  lookup: string;
  /** Digest of the normalized e-mail, for matching across sources without reading raw text. */
  email_lookup: string | null;
  /** Digest of the normalized name. */
  name_lookup: string | null;
  /** 1 when a person merged, split or mapped this identity by hand: automatic matching leaves it alone. */
  pinned: number;
  tz: string | null;
}

export interface IdentityTextsTable {
  identity_id: number;
  external_id: string;
  display_name: string | null;
  email: string | null;
}

export interface IssuesTable {
  id: Generated<number>;
  source_id: string;
  key: string;
  project_key: string;
  issue_type: string | null;
  is_subtask: number;
  parent_key: string | null;
  epic_key: string | null;
  priority: string | null;
  status: string | null;
  status_category: string | null;
  /** JSON array of the issue's Jira labels, '[]' when it has none. */
  labels: Generated<string>;
  created_at: number;
  updated_at: number | null;
  resolved_at: number | null;
  assignee_id: number | null;
  reporter_id: number | null;
  /** Digest of everything imported for the issue; a re-import with the same digest is a duplicate. */
  content_digest: string;
}

export interface IssueTextsTable {
  issue_id: number;
  summary: string;
  description: string;
  comments: string;
}

export interface IssueEventsTable {
  id: Generated<number>;
  source_uid: string;
  issue_id: number;
  person_id: number | null;
  kind: string;
  at: number;
  tz: string | null;
  field: string | null;
  from_value: string | null;
  to_value: string | null;
}

export interface IssueEventTextsTable {
  event_id: number;
  body: string;
}

export interface ActivitiesTable {
  id: Generated<number>;
  source_uid: string;
  source: string;
  kind: string;
  person_id: number;
  identity_id: number;
  start_at: number;
  end_at: number;
  tz: string;
  date_only: number;
  local_date: string | null;
  local_end_date: string | null;
  landed_at: number | null;
  repo: string | null;
  project: string | null;
  machine: string | null;
  /** JSON array of issue keys named in the activity. */
  explicit_keys: string;
  /** JSON object of numeric facts (lines added, files changed, ...). */
  metrics: string;
}

export interface ActivityTextsTable {
  activity_id: number;
  title: string | null;
  body: string | null;
  branch: string | null;
  paths: string | null;
}

export interface LinksTable {
  id: Generated<number>;
  activity_id: number;
  issue_id: number;
  rank: number;
  score: number;
  confidence: number;
  method: string;
  evidence: string;
}

export interface SuggestionsTable {
  id: Generated<number>;
  person_id: number;
  day: string;
  issue_id: number | null;
  seconds: number;
  confidence: number;
  evidence: string;
  created_at: number;
}

export interface WorklogsTable {
  id: Generated<number>;
  source_id: string;
  issue_id: number;
  person_id: number | null;
  started_at: number;
  tz: string;
  day: string;
  seconds: number;
  /** "jira" for imported worklogs, "confirmed" for ones a person accepted in worklens. */
  origin: string;
  /** Write-back to Jira of a confirmed worklog: null for imported ones, else a WriteBackStatus. */
  write_back: string | null;
  /** Id of the worklog in Jira, once written (or found there already). */
  remote_id: string | null;
  attempts: Generated<number>;
  /** Reason of the last failed attempt, without credentials or payloads. */
  last_error: string | null;
  /** Earliest instant of the next attempt; null when none is due. */
  next_attempt_at: number | null;
  written_at: number | null;
}

export interface WorklogTextsTable {
  worklog_id: number;
  comment: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  person_id: number;
  /** The wakatime identity the key was created for; heartbeats sent with the key use it as actor. */
  identity_id: number;
  /** First characters of the key, for lookup only; several keys may share one. */
  prefix: string;
  /** SHA-256 of the whole key, base64url. The key itself is never stored. */
  digest: string;
  created_at: number;
  last_used_at: number | null;
  /** User-Agent header of the last authenticated request, naming the editor plugin. */
  last_user_agent: string | null;
  revoked_at: number | null;
}

/** A local account of the web UI; one per person. */
export interface AccountsTable {
  person_id: number;
  /** Keyed digest of the lower-cased login name; the name itself is not stored. */
  login_lookup: string;
  /** Memory-hard hash of the password with its parameters and salt. */
  password_hash: string;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
}

/** A signed-in browser session; the cookie carries the token, the store only its digest. */
export interface WebSessionsTable {
  id: Generated<number>;
  /** SHA-256 of the session token, base64url. */
  token_digest: string;
  person_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** The review state of one person's week: submitted by the person, approved or rejected by a manager. */
export interface WeekReviewsTable {
  person_id: number;
  /** Monday of the ISO week, YYYY-MM-DD. */
  week_start: string;
  /** "submitted", "approved", "rejected" or "reopened". */
  status: string;
  submitted_at: number | null;
  /** Audit actor of the last approval, rejection or reopening. */
  decided_by: string | null;
  decided_at: number | null;
  /** The manager's comment, encrypted under the person's key. */
  comment: string | null;
  updated_at: number;
}

/** Maps issues to a cost category such as CapEx or OpEx; the first matching rule by position wins. */
export interface CategoryRulesTable {
  id: Generated<number>;
  position: number;
  /** "project", "epic", "issue_type" or "label". */
  match_kind: string;
  match_value: string;
  category: string;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  /** The vendor: "github", "gitlab" or "jira". */
  source: string;
  /** The vendor's delivery id, the same on every retry of one delivery. */
  delivery_id: string;
  received_at: number;
}

export interface SyncCheckpointsTable {
  /** The connector and the instance it reads, such as "jira https://example.atlassian.net". */
  integration: string;
  /** The data set read there, such as the JQL scope of a search. */
  resource: string;
  /** The connector's high-water mark, in a format the connector defines. */
  value: string;
  updated_at: number;
}

export interface ReviewsTable {
  id: Generated<number>;
  person_id: number;
  day: string;
  /** Issue id of the reviewed suggestion; 0 for unlinked time. */
  issue_ref: number;
  /** "accepted", "edited" or "rejected". */
  decision: string;
  /** Seconds and confidence of the suggestion when it was reviewed: the model's output, kept as a training label. */
  suggested_seconds: number;
  suggested_confidence: number;
  /** The worklog an accepted or edited suggestion became. */
  worklog_id: number | null;
  decided_at: number;
  /** "person:<id>" or "admin". */
  decided_by: string;
}

export interface SyncRunsTable {
  id: Generated<number>;
  integration: string;
  /** "sync", "push" or "write-back". */
  kind: string;
  started_at: number;
  finished_at: number | null;
  /** "running", "succeeded" or "failed". */
  status: string;
  /** JSON of the run's report: counts and skipped records. */
  summary: string | null;
  error: string | null;
}

export interface ModelsTable {
  id: Generated<number>;
  /** "linking" or "time". */
  kind: string;
  /** 1, 2, ... per kind, in the order the models were added. */
  version: number;
  /** "candidate", "live", "retired" or "rejected"; at most one live row per kind (partial unique index). */
  status: string;
  created_at: number;
  /** When the model last became live; null if it never was. */
  promoted_at: number | null;
  /** When the model last stopped being live; rollback restores the most recently retired earlier model. */
  retired_at: number | null;
  /** First and last day (YYYY-MM-DD, inclusive) of the labels the model was trained on. */
  window_from: string;
  window_to: string;
  /** JSON object of numbers: the artifact's metrics plus the held-out errors the promotion gate measured. */
  metrics: string;
  /** JSON of the whole model artifact, XGBoost model included. */
  artifact: string;
  /** Reason the model was promoted, rejected or rolled back. */
  note: string | null;
}

export interface ModelDriftTable {
  id: Generated<number>;
  kind: string;
  /** The live model the check compared against. */
  model_id: number | null;
  checked_at: number;
  window_from: string;
  window_to: string;
  /** Labels the observed error was measured on. */
  n: number;
  /** Observed error between suggestions and what people confirmed in the window. */
  error: number;
  /** The live model's held-out error recorded when it was promoted. */
  baseline_error: number;
  /** 1 when the observed error exceeded the baseline by more than the tolerance, with enough labels. */
  drifted: number;
  /** "none", "retrain_queued" or "retrained". */
  action: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** A tenant data key (AES-256), wrapped by a master key. Rotation adds a version; old ones stay until no row uses them. */
export interface DataKeysTable {
  version: number;
  /** The wrapped key: AES-256-GCM under the master key named by master_key_id. */
  wrapped: string;
  /** Fingerprint of the master key that wraps this data key. */
  master_key_id: string;
  created_at: number;
  /** When rotation made a newer version current; null for the current key. */
  retired_at: number | null;
}

/** A person's own data key, wrapped by a tenant data key. Destroying the row crypto-shreds the person's text. */
export interface PersonKeysTable {
  person_id: number;
  /** Version of the tenant data key that wraps this key. */
  data_key_version: number;
  wrapped: string;
  created_at: number;
}

/** Append-only, hash-chained audit log. `seq` has no gaps, so a removed entry is detected. */
export interface AuditLogTable {
  seq: number;
  at: number;
  /** "person:<id>", "admin", "cli" or "system". */
  actor: string;
  /** What was done, such as "read.suggestions", "privacy.export", "settings.change", "login.failed". */
  action: string;
  /** The person or object acted on, such as "person:12"; null when none. */
  subject: string | null;
  /** JSON object with the details; never raw personal text. */
  details: string;
  /** Hash of the previous entry; the first entry chains to a fixed genesis value. */
  prev_hash: string;
  /** Keyed hash of this entry's fields and prev_hash. */
  hash: string;
}

/** A team: its manager and how far worklens's models may act for it. */
export interface TeamsTable {
  id: Generated<number>;
  name: string;
  manager_person_id: number | null;
  /** "off", "feedback" or "automatic". */
  ai_mode: string;
  created_at: number;
}

/** A person's membership of a team, with their commitment to it. */
export interface TeamMembersTable {
  team_id: number;
  person_id: number;
  /** Share of a full week committed to the team, 0 to 1. */
  share: number;
  /** Working days as ISO weekday numbers, JSON array such as [1,2,3,4,5]. */
  working_days: string;
  /** Working hours per working day. */
  hours_per_day: number;
  /** IANA zone of the person's working days; null means the person's own zone. */
  tz: string | null;
}

/** Roles granted to a person: "admin", "manager", "member" or "auditor". Every person is a member. */
export interface PersonRolesTable {
  person_id: number;
  role: string;
}
