import { setTimeout as sleep } from "node:timers/promises";
import { Kysely, Migrator, sql } from "kysely";
import { ActivityRepository } from "./activity-repository.js";
import { AuditRepository } from "./audit-repository.js";
import { CheckpointRepository } from "./checkpoint-repository.js";
import { IssueRepository } from "./issue-repository.js";
import { KeyRepository } from "./key-repository.js";
import { migrationProvider, type Dialect } from "./migrations.js";
import { ModelRepository } from "./model-repository.js";
import { PeopleRepository } from "./people-repository.js";
import { createPostgresDialect, ensureSchema } from "./postgres/dialect.js";
import { ResultRepository } from "./result-repository.js";
import { ReviewRepository } from "./review-repository.js";
import { SettingsRepository } from "./settings-repository.js";
import type { Database } from "./schema.js";
import { createSqliteDialect } from "./sqlite/dialect.js";
import { assertTestDatabase } from "./test-guard.js";
import { SyncRunRepository } from "./sync-run-repository.js";
import { TeamRepository } from "./team-repository.js";
import { RoleRepository } from "./role-repository.js";
import { WebhookRepository } from "./webhook-repository.js";
import { WorklogRepository } from "./worklog-repository.js";
import { Vault } from "../privacy/vault.js";
import type { KeyProvider } from "../privacy/key-provider.js";
import { PSEUDONYM_SECRET } from "./digest.js";
import { KeyStorage } from "./key-storage.js";
import { missingPostgresKey, openKeyProvider, resolveKeyScope, upgradeToEncryption } from "./store-keys.js";

export type StoreConfig =
  | { kind: "sqlite"; file: string }
  | { kind: "postgres"; connectionString: string; schema?: string | undefined };

const MIGRATE_RETRIES = 5;

/** PostgreSQL's invalid_schema_name, undefined_table and undefined_column, raised when a name lookup meets a schema dropped meanwhile. */
function isDroppedNameError(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  return code === "3F000" || code === "42P01" || code === "42703";
}

/** Bring a store's schema up to date. */
async function migrate(db: Kysely<Database>, dialect: Dialect, config: StoreConfig): Promise<void> {
  // Kysely looks for its migration tables in any schema on PostgreSQL unless given one,
  // so two stores in one database (tests, later tenants) would share one lock table.
  const schema = config.kind === "postgres" ? config.schema : undefined;
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely finds its migration tables by listing every table of the database by
  // schema name. That fails while another schema in it is being dropped, as tests
  // drop theirs. The race is brief, so the migration is tried again.
  for (let attempt = 1; error !== undefined && attempt <= MIGRATE_RETRIES && isDroppedNameError(error); attempt++) {
    await sleep(50 * attempt);
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(failed === undefined ? reason : `schema migration ${failed} failed: ${reason}`, { cause: error });
  }
}

/** Repositories bound to one connection or transaction. */
export class Repositories {
  readonly people: PeopleRepository;
  readonly issues: IssueRepository;
  readonly activities: ActivityRepository;
  readonly results: ResultRepository;
  readonly keys: KeyRepository;
  readonly webhooks: WebhookRepository;
  readonly checkpoints: CheckpointRepository;
  readonly reviews: ReviewRepository;
  readonly worklogs: WorklogRepository;
  readonly syncRuns: SyncRunRepository;
  readonly models: ModelRepository;
  readonly settings: SettingsRepository;
  readonly audit: AuditRepository;
  readonly teams: TeamRepository;
  readonly roles: RoleRepository;

  constructor(
    readonly db: Kysely<Database>,
    /** Encryption at rest of this store's text, bound to the same connection or transaction. */
    readonly vault: Vault,
  ) {
    let lookupKey: Promise<Buffer> | undefined;
    // Cached per instance: a key first created in a transaction that rolls back dies with it.
    const pseudonymKey = (): Promise<Buffer> => {
      lookupKey ??= this.settings.secret(PSEUDONYM_SECRET).catch((error: unknown) => {
        lookupKey = undefined;
        throw error;
      });
      return lookupKey;
    };
    this.people = new PeopleRepository(db, vault, pseudonymKey);
    this.issues = new IssueRepository(db, vault, pseudonymKey);
    this.activities = new ActivityRepository(db, vault);
    this.results = new ResultRepository(db);
    this.keys = new KeyRepository(db, vault);
    this.webhooks = new WebhookRepository(db);
    this.checkpoints = new CheckpointRepository(db);
    this.reviews = new ReviewRepository(db);
    this.worklogs = new WorklogRepository(db, vault);
    this.syncRuns = new SyncRunRepository(db);
    this.models = new ModelRepository(db, vault);
    this.settings = new SettingsRepository(db, vault);
    this.audit = new AuditRepository(db, this.settings);
    this.teams = new TeamRepository(db);
    this.roles = new RoleRepository(db);
  }
}

/** Options of Store.open: the master key source and the tenant. */
export interface StoreOpenOptions {
  /**
   * Source of the master key. Without one, a SQLite store uses the key file
   * `<database file>.key` (created with mode 0600 when the store has no data key yet),
   * and a PostgreSQL store fails to open.
   */
  keys?: KeyProvider | undefined;
  /** Tenant the store belongs to; bound into every encrypted value, and checked against the one recorded at first open. */
  tenantId?: string | undefined;
}

/** The worklens store: one schema behind Kysely, on SQLite (embedded default) or PostgreSQL. */
export class Store extends Repositories {
  private constructor(
    db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly config: StoreConfig,
    vault: Vault,
  ) {
    super(db, vault);
  }

  /**
   * Open a store, bring its schema up to date and check that the master key unwraps
   * its data key. A store written before encryption existed is encrypted once here.
   */
  static async open(config: StoreConfig, options: StoreOpenOptions = {}): Promise<Store> {
    const dialect: Dialect = config.kind;
    // Checked before anything is created, so a missing key leaves no empty schema behind.
    if (config.kind === "postgres" && options.keys === undefined) throw missingPostgresKey();
    if (config.kind === "postgres" && config.schema !== undefined) await ensureSchema(config.connectionString, config.schema);
    const db = new Kysely<Database>({
      dialect:
        config.kind === "sqlite"
          ? createSqliteDialect(config.file)
          : createPostgresDialect({ connectionString: config.connectionString, schema: config.schema }),
    });
    try {
      await migrate(db, dialect, config);
      const scope = await resolveKeyScope(db, options.tenantId);
      const keys = options.keys ?? (await openKeyProvider(config, db));
      const vault = new Vault(new KeyStorage(db), keys, scope);
      await vault.initialize();
      const store = new Store(db, dialect, config, vault);
      await upgradeToEncryption(store);
      return store;
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }

  /** Run `work` in one transaction: every write in it lands, or none does. */
  async transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new Repositories(trx, this.vault.forTransaction(new KeyStorage(trx)))));
  }

  /**
   * Drop everything this store holds. Only for tests: the guard refuses unless the
   * target is plainly a test database.
   */
  async wipeForTests(): Promise<void> {
    if (this.config.kind === "sqlite") {
      assertTestDatabase({ kind: "sqlite", file: this.config.file });
    } else {
      const database = new URL(this.config.connectionString).pathname.replace(/^\//, "");
      assertTestDatabase({ kind: "postgres", database });
      if (this.config.schema !== undefined && this.config.schema !== "public") {
        await sql`drop schema if exists ${sql.id(this.config.schema)} cascade`.execute(this.db);
        return;
      }
    }
    // The audit_log delete trigger (migration 0008) rejects rows above the guard, so the wipe raises it first.
    await sql`update audit_guard set purge_through = (select coalesce(max(seq), 0) from audit_log)`.execute(this.db);
    const tables = ["audit_log", "person_roles", "team_members", "teams", "person_keys", "data_keys", "model_drift", "models", "settings", "sync_runs", "reviews", "sync_checkpoints", "webhook_deliveries", "api_keys", "links", "suggestions", "worklog_texts", "worklogs", "activity_texts", "activities", "issue_event_texts", "issue_events", "issue_texts", "issues", "identity_texts", "identities", "person_texts", "persons"] as const;
    for (const table of tables) await this.db.deleteFrom(table).execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
