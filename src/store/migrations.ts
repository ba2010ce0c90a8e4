import { sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

export type Dialect = "sqlite" | "postgres";

/**
 * Migrations as code, so the compiled package carries them. Each one takes the
 * dialect because auto-increment keys differ: SQLite's INTEGER PRIMARY KEY versus
 * PostgreSQL's identity columns.
 */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: () =>
      Promise.resolve({
        "0001_initial": initial(dialect),
        "0002_api_keys": apiKeys(dialect),
        "0003_webhook_deliveries": webhookDeliveries(),
        "0004_sync_checkpoints": syncCheckpoints(),
        "0005_reviews_and_write_back": reviewsAndWriteBack(dialect),
        "0006_models": models(dialect),
        "0007_privacy": privacy(dialect),
        "0008_audit_guard": auditGuard(dialect),
        "0009_web": web(dialect),
        "0010_issue_labels": issueLabels(),
      }),
  };
}

function initial(dialect: Dialect): Migration {
  const idColumn = (db: Kysely<unknown>, table: string) =>
    dialect === "sqlite"
      ? db.schema.createTable(table).addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable(table).addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
  const real = sql`double precision`;

  return {
    async up(db) {
      await idColumn(db, "persons")
        .addColumn("tz", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("person_texts")
        .addColumn("person_id", "bigint", (c) => c.primaryKey().references("persons.id").onDelete("cascade"))
        .addColumn("display_name", "text")
        .addColumn("email", "text")
        .execute();

      await idColumn(db, "identities")
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id"))
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("lookup", "text", (c) => c.notNull().unique())
        .addColumn("email_lookup", "text")
        .addColumn("name_lookup", "text")
        .addColumn("pinned", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("tz", "text")
        .execute();
      await db.schema.createIndex("identities_email").on("identities").column("email_lookup").execute();
      await db.schema.createIndex("identities_name").on("identities").column("name_lookup").execute();
      await db.schema.createIndex("identities_person").on("identities").column("person_id").execute();
      await db.schema
        .createTable("identity_texts")
        .addColumn("identity_id", "bigint", (c) => c.primaryKey().references("identities.id").onDelete("cascade"))
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("display_name", "text")
        .addColumn("email", "text")
        .execute();

      await idColumn(db, "issues")
        .addColumn("source_id", "text", (c) => c.notNull().unique())
        .addColumn("key", "text", (c) => c.notNull().unique())
        .addColumn("project_key", "text", (c) => c.notNull())
        .addColumn("issue_type", "text")
        .addColumn("is_subtask", "integer", (c) => c.notNull())
        .addColumn("parent_key", "text")
        .addColumn("epic_key", "text")
        .addColumn("priority", "text")
        .addColumn("status", "text")
        .addColumn("status_category", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint")
        .addColumn("resolved_at", "bigint")
        .addColumn("assignee_id", "bigint", (c) => c.references("persons.id"))
        .addColumn("reporter_id", "bigint", (c) => c.references("persons.id"))
        .addColumn("content_digest", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("issue_texts")
        .addColumn("issue_id", "bigint", (c) => c.primaryKey().references("issues.id").onDelete("cascade"))
        .addColumn("summary", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("comments", "text", (c) => c.notNull())
        .execute();

      await idColumn(db, "issue_events")
        .addColumn("source_uid", "text", (c) => c.notNull().unique())
        .addColumn("issue_id", "bigint", (c) => c.notNull().references("issues.id"))
        .addColumn("person_id", "bigint", (c) => c.references("persons.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("tz", "text")
        .addColumn("field", "text")
        .addColumn("from_value", "text")
        .addColumn("to_value", "text")
        .execute();
      await db.schema.createIndex("issue_events_issue_at").on("issue_events").columns(["issue_id", "at"]).execute();
      await db.schema.createIndex("issue_events_person_at").on("issue_events").columns(["person_id", "at"]).execute();
      await db.schema
        .createTable("issue_event_texts")
        .addColumn("event_id", "bigint", (c) => c.primaryKey().references("issue_events.id").onDelete("cascade"))
        .addColumn("body", "text", (c) => c.notNull())
        .execute();

      await idColumn(db, "activities")
        .addColumn("source_uid", "text", (c) => c.notNull().unique())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id"))
        .addColumn("identity_id", "bigint", (c) => c.notNull().references("identities.id"))
        .addColumn("start_at", "bigint", (c) => c.notNull())
        .addColumn("end_at", "bigint", (c) => c.notNull())
        .addColumn("tz", "text", (c) => c.notNull())
        .addColumn("date_only", "integer", (c) => c.notNull())
        .addColumn("local_date", "text")
        .addColumn("local_end_date", "text")
        .addColumn("landed_at", "bigint")
        .addColumn("repo", "text")
        .addColumn("project", "text")
        .addColumn("machine", "text")
        .addColumn("explicit_keys", "text", (c) => c.notNull())
        .addColumn("metrics", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("activities_person_start").on("activities").columns(["person_id", "start_at"]).execute();
      await db.schema.createIndex("activities_start").on("activities").column("start_at").execute();
      await db.schema
        .createTable("activity_texts")
        .addColumn("activity_id", "bigint", (c) => c.primaryKey().references("activities.id").onDelete("cascade"))
        .addColumn("title", "text")
        .addColumn("body", "text")
        .addColumn("branch", "text")
        .addColumn("paths", "text")
        .execute();

      await idColumn(db, "links")
        .addColumn("activity_id", "bigint", (c) => c.notNull().references("activities.id").onDelete("cascade"))
        .addColumn("issue_id", "bigint", (c) => c.notNull().references("issues.id"))
        .addColumn("rank", "integer", (c) => c.notNull())
        .addColumn("score", real, (c) => c.notNull())
        .addColumn("confidence", real, (c) => c.notNull())
        .addColumn("method", "text", (c) => c.notNull())
        .addColumn("evidence", "text", (c) => c.notNull())
        .addUniqueConstraint("links_activity_issue", ["activity_id", "issue_id"])
        .execute();
      await db.schema.createIndex("links_issue").on("links").column("issue_id").execute();

      await idColumn(db, "suggestions")
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id"))
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("issue_id", "bigint", (c) => c.references("issues.id"))
        .addColumn("seconds", "integer", (c) => c.notNull())
        .addColumn("confidence", real, (c) => c.notNull())
        .addColumn("evidence", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("suggestions_day_person").on("suggestions").columns(["day", "person_id"]).execute();

      await idColumn(db, "worklogs")
        .addColumn("source_id", "text", (c) => c.notNull().unique())
        .addColumn("issue_id", "bigint", (c) => c.notNull().references("issues.id"))
        .addColumn("person_id", "bigint", (c) => c.references("persons.id"))
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("tz", "text", (c) => c.notNull())
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("seconds", "integer", (c) => c.notNull())
        .addColumn("origin", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("worklog_texts")
        .addColumn("worklog_id", "bigint", (c) => c.primaryKey().references("worklogs.id").onDelete("cascade"))
        .addColumn("comment", "text", (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * Per-person API keys for the HTTP server. Only a SHA-256 digest of each key is
 * stored, with its first characters as a non-unique lookup prefix. The identity is
 * kept so that heartbeats sent with a key carry the same actor as a file import.
 */
function apiKeys(dialect: Dialect): Migration {
  return {
    async up(db) {
      const table =
        dialect === "sqlite"
          ? db.schema.createTable("api_keys").addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
          : db.schema.createTable("api_keys").addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
      await table
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id"))
        .addColumn("identity_id", "bigint", (c) => c.notNull().references("identities.id"))
        .addColumn("prefix", "text", (c) => c.notNull())
        .addColumn("digest", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_used_at", "bigint")
        .addColumn("last_user_agent", "text")
        .addColumn("revoked_at", "bigint")
        .execute();
      await db.schema.createIndex("api_keys_prefix").on("api_keys").column("prefix").execute();
    },
  };
}

/**
 * Delivery ids of the vendor webhooks that were written, so a retried delivery is
 * reported as a duplicate. The composite key lets two vendors use the same id.
 */
function webhookDeliveries(): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("delivery_id", "text", (c) => c.notNull())
        .addColumn("received_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("webhook_deliveries_pkey", ["source", "delivery_id"])
        .execute();
    },
  };
}

/**
 * High-water marks of pull connectors, one row per integration and resource, so an
 * interrupted sync resumes from the last page it wrote.
 */
function syncCheckpoints(): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("sync_checkpoints")
        .addColumn("integration", "text", (c) => c.notNull())
        .addColumn("resource", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("sync_checkpoints_integration_resource", ["integration", "resource"])
        .execute();
    },
  };
}

/**
 * People's decisions on suggested worklogs, the write-back state of confirmed
 * worklogs, and one row per connector run for the sync status.
 */
function reviewsAndWriteBack(dialect: Dialect): Migration {
  const idColumn = (db: Kysely<unknown>, table: string) =>
    dialect === "sqlite"
      ? db.schema.createTable(table).addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable(table).addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
  return {
    async up(db) {
      await idColumn(db, "reviews")
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id"))
        .addColumn("day", "text", (c) => c.notNull())
        // The issue of the reviewed suggestion, 0 for unlinked time: a unique key needs a value, not NULL.
        .addColumn("issue_ref", "bigint", (c) => c.notNull())
        .addColumn("decision", "text", (c) => c.notNull())
        .addColumn("suggested_seconds", "integer", (c) => c.notNull())
        .addColumn("suggested_confidence", sql`double precision`, (c) => c.notNull())
        .addColumn("worklog_id", "bigint", (c) => c.references("worklogs.id"))
        .addColumn("decided_at", "bigint", (c) => c.notNull())
        .addColumn("decided_by", "text", (c) => c.notNull())
        .addUniqueConstraint("reviews_person_day_issue", ["person_id", "day", "issue_ref"])
        .execute();

      for (const [name, type] of [
        ["write_back", "text"],
        ["remote_id", "text"],
        ["attempts", "integer"],
        ["last_error", "text"],
        ["next_attempt_at", "bigint"],
        ["written_at", "bigint"],
      ] as const) {
        await db.schema.alterTable("worklogs").addColumn(name, type, (c) => (name === "attempts" ? c.notNull().defaultTo(0) : c)).execute();
      }
      await db.schema.createIndex("worklogs_write_back").on("worklogs").columns(["write_back", "next_attempt_at"]).execute();
      await db.schema.createIndex("worklogs_person_day").on("worklogs").columns(["person_id", "day"]).execute();

      await idColumn(db, "sync_runs")
        .addColumn("integration", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("finished_at", "bigint")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("summary", "text")
        .addColumn("error", "text")
        .execute();
      await db.schema.createIndex("sync_runs_integration").on("sync_runs").columns(["integration", "started_at"]).execute();
    },
  };
}

/**
 * Creates the model registry (every trained model with its status and artifact),
 * the history of drift checks, and key-value settings such as per-install secrets.
 */
function models(dialect: Dialect): Migration {
  const idColumn = (db: Kysely<unknown>, table: string) =>
    dialect === "sqlite"
      ? db.schema.createTable(table).addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable(table).addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
  const real = sql`double precision`;
  return {
    async up(db) {
      await idColumn(db, "models")
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("promoted_at", "bigint")
        .addColumn("retired_at", "bigint")
        .addColumn("window_from", "text", (c) => c.notNull())
        .addColumn("window_to", "text", (c) => c.notNull())
        .addColumn("metrics", "text", (c) => c.notNull())
        .addColumn("artifact", "text", (c) => c.notNull())
        .addColumn("note", "text")
        .addUniqueConstraint("models_kind_version", ["kind", "version"])
        .execute();
      // At most one live model per kind, whatever the writers do; both SQLite and PostgreSQL support partial indexes.
      await db.schema.createIndex("models_one_live").on("models").column("kind").unique().where(sql.ref("status"), "=", "live").execute();

      await idColumn(db, "model_drift")
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("model_id", "bigint", (c) => c.references("models.id"))
        .addColumn("checked_at", "bigint", (c) => c.notNull())
        .addColumn("window_from", "text", (c) => c.notNull())
        .addColumn("window_to", "text", (c) => c.notNull())
        .addColumn("n", "integer", (c) => c.notNull())
        .addColumn("error", real, (c) => c.notNull())
        .addColumn("baseline_error", real, (c) => c.notNull())
        .addColumn("drifted", "integer", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("model_drift_kind_checked").on("model_drift").columns(["kind", "checked_at"]).execute();

      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * Creates the tables of the privacy layer: wrapped data keys (tenant and per person),
 * the hash-chained audit log, teams with their members' commitments, and roles.
 */
function privacy(dialect: Dialect): Migration {
  const real = sql`double precision`;
  return {
    async up(db) {
      await db.schema
        .createTable("data_keys")
        .addColumn("version", "integer", (c) => c.primaryKey())
        .addColumn("wrapped", "text", (c) => c.notNull())
        .addColumn("master_key_id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("retired_at", "bigint")
        .execute();
      await db.schema
        .createTable("person_keys")
        .addColumn("person_id", "bigint", (c) => c.primaryKey())
        .addColumn("data_key_version", "integer", (c) => c.notNull())
        .addColumn("wrapped", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("audit_log")
        .addColumn("seq", "bigint", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("subject", "text")
        .addColumn("details", "text", (c) => c.notNull())
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();

      const teams =
        dialect === "sqlite"
          ? db.schema.createTable("teams").addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
          : db.schema.createTable("teams").addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
      await teams
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("manager_person_id", "bigint", (c) => c.references("persons.id").onDelete("set null"))
        .addColumn("ai_mode", "text", (c) => c.notNull().defaultTo("feedback"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("team_members")
        .addColumn("team_id", "bigint", (c) => c.notNull().references("teams.id").onDelete("cascade"))
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id").onDelete("cascade"))
        .addColumn("share", real, (c) => c.notNull())
        .addColumn("working_days", "text", (c) => c.notNull())
        .addColumn("hours_per_day", real, (c) => c.notNull())
        .addColumn("tz", "text")
        .addPrimaryKeyConstraint("team_members_pk", ["team_id", "person_id"])
        .execute();
      await db.schema.createIndex("team_members_person").on("team_members").column("person_id").execute();
      await db.schema
        .createTable("person_roles")
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id").onDelete("cascade"))
        .addColumn("role", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("person_roles_pk", ["person_id", "role"])
        .execute();
    },
  };
}

/**
 * Makes audit_log append-only inside the database: UPDATE is always rejected, and DELETE
 * only for rows at or below audit_guard.purge_through, which the retention purge raises
 * in the same transaction as its delete. An AFTER INSERT trigger records the newest
 * entry's seq and hash in settings ("audit.head") in the inserting statement itself, so
 * the head can never lag behind the log and removing the newest entries is detected.
 * These triggers stop mistakes and application bugs. Someone who can drop triggers can
 * still edit rows, and the hash chain is what detects that.
 */
function auditGuard(dialect: Dialect): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("audit_guard")
        .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn("purge_through", "bigint", (c) => c.notNull())
        .execute();
      await sql`insert into audit_guard (id, purge_through) values (1, 0)`.execute(db);

      if (dialect === "sqlite") {
        await sql`create trigger audit_log_no_update before update on audit_log
          begin select raise(abort, 'audit_log is append-only: entries cannot be updated'); end`.execute(db);
        await sql`create trigger audit_log_guarded_delete before delete on audit_log
          when old.seq > (select purge_through from audit_guard where id = 1)
          begin select raise(abort, 'audit_log is append-only: only the retention purge deletes entries'); end`.execute(db);
        await sql`create trigger audit_log_record_head after insert on audit_log
          begin
            insert or replace into settings (key, value) values ('audit.head', json_object('seq', new.seq, 'hash', new.hash));
          end`.execute(db);
        return;
      }

      // SET search_path FROM CURRENT pins the tables the functions name to this store's schema.
      await sql`create function audit_log_reject_update() returns trigger language plpgsql
        set search_path from current as $$
        begin
          raise exception 'audit_log is append-only: entries cannot be updated or truncated';
        end $$`.execute(db);
      await sql`create function audit_log_guard_delete() returns trigger language plpgsql
        set search_path from current as $$
        begin
          if old.seq > (select purge_through from audit_guard where id = 1) then
            raise exception 'audit_log is append-only: only the retention purge deletes entries';
          end if;
          return old;
        end $$`.execute(db);
      await sql`create function audit_log_record_head() returns trigger language plpgsql
        set search_path from current as $$
        begin
          insert into settings (key, value)
            values ('audit.head', json_build_object('seq', new.seq, 'hash', new.hash)::text)
            on conflict (key) do update set value = excluded.value;
          return null;
        end $$`.execute(db);
      await sql`create trigger audit_log_no_update before update on audit_log
        for each row execute function audit_log_reject_update()`.execute(db);
      await sql`create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function audit_log_reject_update()`.execute(db);
      await sql`create trigger audit_log_guarded_delete before delete on audit_log
        for each row execute function audit_log_guard_delete()`.execute(db);
      await sql`create trigger audit_log_record_head after insert on audit_log
        for each row execute function audit_log_record_head()`.execute(db);
    },
  };
}

/**
 * Tables of the web UI: local accounts and their sessions, the weekly review of each
 * person's timesheet, and the rules that map issues to cost categories.
 */
function web(dialect: Dialect): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("accounts")
        .addColumn("person_id", "bigint", (c) => c.primaryKey().references("persons.id").onDelete("cascade"))
        .addColumn("login_lookup", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("disabled_at", "bigint")
        .execute();
      const sessions =
        dialect === "sqlite"
          ? db.schema.createTable("web_sessions").addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
          : db.schema.createTable("web_sessions").addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
      await sessions
        .addColumn("token_digest", "text", (c) => c.notNull().unique())
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("web_sessions_person").on("web_sessions").column("person_id").execute();
      await db.schema
        .createTable("week_reviews")
        .addColumn("person_id", "bigint", (c) => c.notNull().references("persons.id").onDelete("cascade"))
        .addColumn("week_start", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("submitted_at", "bigint")
        .addColumn("decided_by", "text")
        .addColumn("decided_at", "bigint")
        .addColumn("comment", "text")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("week_reviews_pk", ["person_id", "week_start"])
        .execute();
      const rules =
        dialect === "sqlite"
          ? db.schema.createTable("category_rules").addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
          : db.schema.createTable("category_rules").addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
      await rules
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("match_kind", "text", (c) => c.notNull())
        .addColumn("match_value", "text", (c) => c.notNull())
        .addColumn("category", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
    },
  };
}

/** Jira labels of each issue as a JSON array, so cost category rules can match them. Issues stored before have none until re-imported. */
function issueLabels(): Migration {
  return {
    async up(db) {
      await db.schema.alterTable("issues").addColumn("labels", "text", (c) => c.notNull().defaultTo("[]")).execute();
    },
  };
}
