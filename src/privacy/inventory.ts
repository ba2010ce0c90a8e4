import type { CollectionPolicy, CollectionSource } from "./collection.js";
import type { RetentionClass } from "./retention.js";

/**
 * The declared inventory of every table and column worklens stores. The schema types are
 * not available at run time, so this list is kept by hand. A test compares it with the live
 * SQLite and PostgreSQL catalogs and fails when a stored column is missing here.
 */

/**
 * How a value is protected at rest: encrypted with AES-256-GCM under a tenant or person key,
 * replaced by a keyed HMAC digest, replaced by an unkeyed SHA-256 hash, or stored as is.
 */
export type Protection = "encrypted" | "partly encrypted" | "keyed digest" | "hash" | "plain";

/**
 * Whether the current collection policy stores a column: "yes", "no", "issue keys only"
 * (a calendar title reduced to the keys it names), "until linked" (metadata-only mode
 * deletes it once the activity is linked) or "n/a" (the source never fills the column).
 */
export type Collected = "yes" | "no" | "issue keys only" | "until linked" | "n/a";

/** Where a row comes from: a policy source, "all" for every source, or "worklens" for data worklens derives or manages. */
export type InventorySource = CollectionSource | "all" | "worklens";

export interface InventoryColumn {
  name: string;
  meaning: string;
  /** True when the value identifies a person or describes what a person did or wrote. */
  personal: boolean;
  protection: Protection;
  /** The policy rule for the column per source; absent when the column is stored whenever its row is. */
  collected?: (policy: CollectionPolicy, source: CollectionSource) => Collected;
}

export interface InventoryTable {
  table: string;
  /** Sources whose data the table holds; activity tables list each activity source. */
  sources: readonly InventorySource[];
  /** Retention class whose period purges the rows; null when no retention period applies. */
  retention: RetentionClass | null;
  columns: readonly InventoryColumn[];
}

const ACTIVITY_SOURCES: readonly CollectionSource[] = ["jira", "calendar", "git", "github", "gitlab", "ide", "activitywatch"];

function yes(kept: boolean): Collected {
  return kept ? "yes" : "no";
}

/** Applies metadata-only mode on top of a column's own rule. */
function activityText(rule: (policy: CollectionPolicy, source: CollectionSource) => Collected) {
  return (policy: CollectionPolicy, source: CollectionSource): Collected => {
    const collected = rule(policy, source);
    return collected !== "no" && collected !== "n/a" && policy.metadataOnly ? "until linked" : collected;
  };
}

const titleRule = activityText((policy, source) => {
  switch (source) {
    case "calendar":
      if (policy.calendar.title === "issue-keys") return "issue keys only";
      return yes(policy.calendar.title === "full");
    case "git":
      return yes(policy.git.message);
    case "github":
    case "gitlab":
      return yes(policy[source].title);
    case "ide":
    case "activitywatch":
      return yes(policy[source].title);
    case "jira":
      return "yes";
  }
});

const bodyRule = activityText((policy, source) => {
  switch (source) {
    case "calendar":
      return yes(policy.calendar.description);
    case "git":
      return yes(policy.git.message);
    case "github":
    case "gitlab":
      return yes(policy[source].body);
    case "ide":
    case "activitywatch":
    case "jira":
      return "n/a";
  }
});

const branchRule = activityText((policy, source) => {
  switch (source) {
    case "git":
      return yes(policy.git.branch);
    case "github":
    case "gitlab":
    case "ide":
    case "activitywatch":
      return yes(policy[source].branch);
    case "calendar":
    case "jira":
      return "n/a";
  }
});

const pathsRule = activityText((policy, source) => {
  switch (source) {
    case "git":
      return yes(policy.git.paths);
    case "ide":
    case "activitywatch":
      return yes(policy[source].paths);
    case "github":
    case "gitlab":
    case "calendar":
    case "jira":
      return "n/a";
  }
});

const lineCountsRule = (policy: CollectionPolicy, source: CollectionSource): Collected => (source === "git" ? yes(policy.git.lineCounts) : "yes");

function column(name: string, meaning: string, personal: boolean, protection: Protection, collected?: InventoryColumn["collected"]): InventoryColumn {
  return collected === undefined ? { name, meaning, personal, protection } : { name, meaning, personal, protection, collected };
}

function plain(name: string, meaning: string, personal = false): InventoryColumn {
  return column(name, meaning, personal, "plain");
}

export const INVENTORY: readonly InventoryTable[] = [
  {
    table: "persons",
    sources: ["all"],
    retention: null,
    columns: [plain("id", "internal person id"), plain("tz", "the person's time zone", true), plain("created_at", "when the person was first seen")],
  },
  {
    table: "person_texts",
    sources: ["all"],
    retention: null,
    columns: [plain("person_id", "person the texts belong to"), column("display_name", "display name", true, "encrypted"), column("email", "e-mail address", true, "encrypted")],
  },
  {
    table: "identities",
    sources: ["all"],
    retention: null,
    columns: [
      plain("id", "internal identity id"),
      plain("person_id", "person the identity belongs to"),
      plain("source", "source of the identity"),
      column("lookup", "digest of source and external id, for matching", true, "keyed digest"),
      column("email_lookup", "digest of the e-mail, for matching across sources", true, "keyed digest"),
      column("name_lookup", "digest of the name, for matching across sources", true, "keyed digest"),
      plain("pinned", "1 when matching was fixed by hand"),
      plain("tz", "time zone the source reported", true),
    ],
  },
  {
    table: "identity_texts",
    sources: ["all"],
    retention: null,
    columns: [
      plain("identity_id", "identity the texts belong to"),
      column("external_id", "account id, user name or e-mail in the source", true, "encrypted"),
      column("display_name", "display name in the source", true, "encrypted"),
      column("email", "e-mail in the source", true, "encrypted"),
    ],
  },
  {
    table: "issues",
    sources: ["jira"],
    retention: null,
    columns: [
      plain("id", "internal issue id"),
      plain("source_id", "Jira issue id"),
      plain("key", "issue key"),
      plain("project_key", "project key"),
      plain("issue_type", "issue type"),
      plain("is_subtask", "1 for a sub-task"),
      plain("parent_key", "key of the parent issue"),
      plain("epic_key", "key of the epic"),
      plain("priority", "priority name"),
      plain("status", "status name"),
      plain("status_category", "status category"),
      plain("labels", "Jira labels, as a JSON array"),
      plain("created_at", "when the issue was created"),
      plain("updated_at", "when the issue last changed"),
      plain("resolved_at", "when the issue was resolved"),
      plain("assignee_id", "person the issue is assigned to", true),
      plain("reporter_id", "person who reported the issue", true),
      column("content_digest", "digest of the imported issue, to detect re-imports", false, "keyed digest"),
    ],
  },
  {
    table: "issue_texts",
    sources: ["jira"],
    retention: null,
    columns: [
      plain("issue_id", "issue the texts belong to"),
      column("summary", "issue summary", true, "encrypted", (policy) => yes(policy.jira.summary)),
      column("description", "issue description", true, "encrypted", (policy) => yes(policy.jira.description)),
      column("comments", "comment bodies of the issue", true, "encrypted", (policy) => yes(policy.jira.comments)),
    ],
  },
  {
    table: "issue_events",
    sources: ["jira"],
    retention: "raw_events",
    columns: [
      plain("id", "internal event id"),
      plain("source_uid", "Jira id of the change or comment"),
      plain("issue_id", "issue the event belongs to"),
      plain("person_id", "person who acted", true),
      plain("kind", "kind of event", true),
      plain("at", "when the person acted", true),
      plain("tz", "time zone of the instant", true),
      plain("field", "changed field"),
      column("from_value", "old value of the field; dropped for summary and description when the policy drops them", true, "encrypted"),
      column("to_value", "new value of the field; dropped for summary and description when the policy drops them", true, "encrypted"),
    ],
  },
  {
    table: "issue_event_texts",
    sources: ["jira"],
    retention: "raw_events",
    columns: [plain("event_id", "event the text belongs to"), column("body", "comment body", true, "encrypted", (policy) => yes(policy.jira.comments))],
  },
  {
    table: "activities",
    sources: ACTIVITY_SOURCES,
    retention: "raw_events",
    columns: [
      plain("id", "internal activity id"),
      plain("source_uid", "source id: commit hash, event id or digest"),
      plain("source", "source of the activity"),
      plain("kind", "kind of activity", true),
      plain("person_id", "person who did it", true),
      plain("identity_id", "identity it was recorded under", true),
      plain("start_at", "start instant", true),
      plain("end_at", "end instant", true),
      plain("tz", "time zone of the instants", true),
      plain("date_only", "1 for an all-day calendar value"),
      plain("local_date", "first day of an all-day value", true),
      plain("local_end_date", "day after an all-day value", true),
      plain("landed_at", "committer instant of a commit", true),
      plain("repo", "repository name; only allowlisted repositories are collected when the allowlist is set"),
      plain("project", "project name from the IDE or Jira"),
      plain("machine", "machine name the IDE reported", true),
      plain("explicit_keys", "issue keys the activity named; kept whatever the policy drops"),
      column("metrics", "numeric facts: lines added and deleted, files changed, writes", true, "plain", lineCountsRule),
    ],
  },
  {
    table: "activity_texts",
    sources: ACTIVITY_SOURCES,
    retention: "raw_events",
    columns: [
      plain("activity_id", "activity the texts belong to"),
      column("title", "commit or request title, event title, window title or IDE entity", true, "encrypted", titleRule),
      column("body", "commit message body, event description, request description or comment", true, "encrypted", bodyRule),
      column("branch", "branch name", true, "encrypted", branchRule),
      column("paths", "changed or edited file paths", true, "encrypted", pathsRule),
    ],
  },
  {
    table: "links",
    sources: ["worklens"],
    retention: "derived",
    columns: [
      plain("id", "internal link id"),
      plain("activity_id", "linked activity"),
      plain("issue_id", "linked issue"),
      plain("rank", "rank among the candidate issues"),
      plain("score", "ranker score"),
      plain("confidence", "confidence of the link"),
      plain("method", "explicit key or ranked"),
      plain("evidence", "reasons for the link, without raw text"),
    ],
  },
  {
    table: "suggestions",
    sources: ["worklens"],
    retention: "suggestions",
    columns: [
      plain("id", "internal suggestion id"),
      plain("person_id", "person the time is suggested for", true),
      plain("day", "worked day", true),
      plain("issue_id", "suggested issue"),
      plain("seconds", "suggested time", true),
      plain("confidence", "confidence of the suggestion"),
      plain("evidence", "activities and reasons behind it, without raw text", true),
      plain("created_at", "when it was computed"),
    ],
  },
  {
    table: "worklogs",
    sources: ["jira", "worklens"],
    retention: "worklogs",
    columns: [
      plain("id", "internal worklog id"),
      plain("source_id", "Jira worklog id or worklens id"),
      plain("issue_id", "issue the time was logged on"),
      plain("person_id", "person who logged it", true),
      plain("started_at", "start instant", true),
      plain("tz", "time zone of the instant", true),
      plain("day", "worked day", true),
      plain("seconds", "logged time", true),
      plain("origin", "imported from Jira or confirmed in worklens"),
      plain("write_back", "state of the write to Jira"),
      plain("remote_id", "worklog id in Jira"),
      plain("attempts", "write attempts"),
      plain("last_error", "reason of the last failed write, without credentials"),
      plain("next_attempt_at", "next write attempt"),
      plain("written_at", "when it was written to Jira"),
    ],
  },
  {
    table: "worklog_texts",
    sources: ["jira", "worklens"],
    retention: "worklogs",
    columns: [plain("worklog_id", "worklog the text belongs to"), column("comment", "worklog comment", true, "encrypted", (policy) => yes(policy.jira.worklogComments))],
  },
  {
    table: "api_keys",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("id", "internal key id"),
      plain("person_id", "person the key belongs to", true),
      plain("identity_id", "identity heartbeats sent with the key use"),
      plain("prefix", "first characters of the key, for lookup"),
      column("digest", "SHA-256 of the key; the key itself is never stored", false, "hash"),
      plain("created_at", "when the key was created"),
      plain("last_used_at", "when the key was last used", true),
      plain("last_user_agent", "editor plugin of the last request", true),
      plain("revoked_at", "when the key was revoked"),
    ],
  },
  {
    table: "accounts",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("person_id", "person the web account belongs to", true),
      column("login_lookup", "keyed digest of the login name; the name is not stored", true, "keyed digest"),
      column("password_hash", "scrypt hash of the password with its salt; the password is never stored", false, "hash"),
      plain("created_at", "when the account was created"),
      plain("updated_at", "when the password last changed"),
      plain("disabled_at", "when the account was disabled"),
    ],
  },
  {
    table: "web_sessions",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("id", "internal session id"),
      column("token_digest", "SHA-256 of the session token; the token is only in the browser's cookie", false, "hash"),
      plain("person_id", "person signed in", true),
      plain("created_at", "when the person signed in", true),
      plain("last_seen_at", "last request of the session", true),
      plain("expires_at", "when the session ends"),
    ],
  },
  {
    table: "week_reviews",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("person_id", "person whose week it is", true),
      plain("week_start", "Monday of the week", true),
      plain("status", "submitted, approved, rejected or reopened", true),
      plain("submitted_at", "when the person submitted the week", true),
      plain("decided_by", "manager who approved, rejected or reopened it", true),
      plain("decided_at", "when the manager decided", true),
      column("comment", "the manager's comment", true, "encrypted"),
      plain("updated_at", "last change"),
    ],
  },
  {
    table: "category_rules",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("id", "internal rule id"),
      plain("position", "order in which rules are tried"),
      plain("match_kind", "project, epic, issue type or label"),
      plain("match_value", "the project key, epic key, issue type or label matched"),
      plain("category", "cost category such as CapEx or OpEx"),
      plain("created_at", "when the rule was set"),
    ],
  },
  {
    table: "webhook_deliveries",
    sources: ["github", "gitlab", "jira"],
    retention: "raw_events",
    columns: [plain("source", "vendor"), plain("delivery_id", "vendor's delivery id"), plain("received_at", "when it arrived")],
  },
  {
    table: "sync_checkpoints",
    sources: ["worklens"],
    retention: null,
    columns: [plain("integration", "connector and instance"), plain("resource", "data set read"), plain("value", "high-water mark"), plain("updated_at", "when it moved")],
  },
  {
    table: "reviews",
    sources: ["worklens"],
    retention: "suggestions",
    columns: [
      plain("id", "internal review id"),
      plain("person_id", "person whose time was reviewed", true),
      plain("day", "worked day", true),
      plain("issue_ref", "reviewed issue, 0 for unlinked time"),
      plain("decision", "accepted, edited or rejected", true),
      plain("suggested_seconds", "suggested time when reviewed", true),
      plain("suggested_confidence", "confidence when reviewed"),
      plain("worklog_id", "worklog the suggestion became"),
      plain("decided_at", "when it was reviewed", true),
      plain("decided_by", "who reviewed it: person id or admin", true),
    ],
  },
  {
    table: "sync_runs",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("id", "internal run id"),
      plain("integration", "connector and instance"),
      plain("kind", "sync, push or write-back"),
      plain("started_at", "start"),
      plain("finished_at", "end"),
      plain("status", "outcome"),
      plain("summary", "counts and skipped records"),
      plain("error", "reason of a failure, without credentials"),
    ],
  },
  {
    table: "models",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("id", "internal model id"),
      plain("kind", "linking or time"),
      plain("version", "version per kind"),
      plain("status", "candidate, live, retired or rejected"),
      plain("created_at", "when it was trained"),
      plain("promoted_at", "when it last became live"),
      plain("retired_at", "when it last stopped being live"),
      plain("window_from", "first day of its training labels"),
      plain("window_to", "last day of its training labels"),
      plain("metrics", "training and held-out errors"),
      column("artifact", "the trained model", false, "encrypted"),
      plain("note", "reason of promotion, rejection or rollback"),
    ],
  },
  {
    table: "model_drift",
    sources: ["worklens"],
    retention: "derived",
    columns: [
      plain("id", "internal check id"),
      plain("kind", "model kind"),
      plain("model_id", "model checked"),
      plain("checked_at", "when"),
      plain("window_from", "first day checked"),
      plain("window_to", "last day checked"),
      plain("n", "labels compared"),
      plain("error", "observed error"),
      plain("baseline_error", "error at promotion"),
      plain("drifted", "1 when the error drifted"),
      plain("action", "what was done"),
    ],
  },
  {
    table: "settings",
    sources: ["worklens"],
    retention: null,
    columns: [plain("key", "setting name"), column("value", "setting value; generated secrets are encrypted", false, "partly encrypted")],
  },
  {
    table: "data_keys",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("version", "key version"),
      column("wrapped", "tenant data key, wrapped by the master key", false, "encrypted"),
      plain("master_key_id", "fingerprint of the wrapping master key"),
      plain("created_at", "when it was created"),
      plain("retired_at", "when rotation replaced it"),
    ],
  },
  {
    table: "person_keys",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("person_id", "person the key belongs to"),
      plain("data_key_version", "data key that wraps it"),
      column("wrapped", "person key, wrapped by the tenant data key; deleting it shreds the person's texts", false, "encrypted"),
      plain("created_at", "when it was created"),
    ],
  },
  {
    table: "audit_log",
    sources: ["worklens"],
    retention: "audit",
    columns: [
      plain("seq", "position in the chain"),
      plain("at", "when"),
      plain("actor", "who acted: person id, admin, cli or system", true),
      plain("action", "what was done"),
      plain("subject", "person or object acted on", true),
      plain("details", "ids and counts, never raw personal text"),
      column("prev_hash", "hash of the previous entry", false, "keyed digest"),
      column("hash", "keyed hash of the entry", false, "keyed digest"),
    ],
  },
  {
    table: "audit_guard",
    sources: ["worklens"],
    retention: null,
    columns: [plain("id", "the single row"), plain("purge_through", "highest audit sequence a purge may delete")],
  },
  {
    table: "teams",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("id", "internal team id"),
      plain("name", "team name"),
      plain("manager_person_id", "the team's manager", true),
      plain("ai_mode", "off, feedback or automatic"),
      plain("created_at", "when it was created"),
    ],
  },
  {
    table: "team_members",
    sources: ["worklens"],
    retention: null,
    columns: [
      plain("team_id", "team"),
      plain("person_id", "member", true),
      plain("share", "share of a week committed to the team", true),
      plain("working_days", "working weekdays", true),
      plain("hours_per_day", "working hours per day", true),
      plain("tz", "time zone of the working days", true),
    ],
  },
  {
    table: "person_roles",
    sources: ["worklens"],
    retention: null,
    columns: [plain("person_id", "person", true), plain("role", "admin, manager, member or auditor", true)],
  },
  {
    table: "kysely_migration",
    sources: ["worklens"],
    retention: null,
    columns: [plain("name", "applied schema migration"), plain("timestamp", "when it was applied")],
  },
  {
    table: "kysely_migration_lock",
    sources: ["worklens"],
    retention: null,
    columns: [plain("id", "lock name"), plain("is_locked", "1 while a migration runs")],
  },
];

/** One line of the inventory: a column of a table for one source or for all of the table's sources, under the current policy. */
export interface InventoryRow {
  /** The source, or a label for several: "activity sources" or a comma-separated list. */
  source: string;
  sources: InventorySource[];
  table: string;
  column: string;
  meaning: string;
  personal: boolean;
  encrypted: boolean;
  protection: Protection;
  collected: Collected;
  retentionClass: RetentionClass | null;
}

/**
 * Expands the declared inventory under a policy. A column with a policy rule gets one row per
 * source, because the rule differs per source; any other column gets one row for all the
 * table's sources.
 */
export function inventoryRows(policy: CollectionPolicy): InventoryRow[] {
  const rows: InventoryRow[] = [];
  for (const table of INVENTORY) {
    for (const entry of table.columns) {
      const base = {
        table: table.table,
        column: entry.name,
        meaning: entry.meaning,
        personal: entry.personal,
        encrypted: entry.protection === "encrypted",
        protection: entry.protection,
        retentionClass: table.retention,
      };
      const rule = entry.collected;
      if (rule === undefined) {
        rows.push({ ...base, source: sourcesLabel(table.sources), sources: [...table.sources], collected: "yes" });
        continue;
      }
      for (const source of table.sources) {
        rows.push({ ...base, source, sources: [source], collected: isPolicySource(source) ? rule(policy, source) : "yes" });
      }
    }
  }
  return rows;
}

function sourcesLabel(sources: readonly InventorySource[]): string {
  if (sources === ACTIVITY_SOURCES) return "activity sources";
  return sources.join(", ");
}

function isPolicySource(source: InventorySource): source is CollectionSource {
  return source !== "all" && source !== "worklens";
}
