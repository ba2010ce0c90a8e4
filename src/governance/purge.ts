import type { Kysely } from "kysely";
import { RETENTION_CLASSES, firstKeptDay, retentionCutoffs, type RetentionClass } from "../privacy/retention.js";
import type { Database } from "../store/schema.js";
import type { Store } from "../store/store.js";
import { readRetentionPolicy } from "./retention-settings.js";

/** Rows per delete batch. Each batch is its own transaction, so a long purge never locks the store for long. */
export const PURGE_BATCH_SIZE = 500;

/** Outcome of a purge, or of a dry run, for one data class. */
export interface PurgeClassReport {
  dataClass: RetentionClass;
  /** Days kept; null when the class is kept forever and nothing was purged. */
  days: number | null;
  /** ISO instant before which rows were purged; null when the class is kept forever. */
  cutoff: string | null;
  /**
   * Rows removed (or, in a dry run, that would be removed) per table.
   */
  removed: Record<string, number>;
  /** Rows older than the cut-off that were kept on purpose, per reason. */
  kept: Record<string, number>;
}

export interface PurgeReport {
  /** ISO instant the cut-offs were computed from. */
  at: string;
  dryRun: boolean;
  classes: PurgeClassReport[];
  /** Sum of every count in `removed`. */
  totalRemoved: number;
}

export interface PurgeOptions {
  now: number;
  /** Count what would be removed without removing it, and write no audit entry. */
  dryRun?: boolean;
  /** Audit actor of the purge: "cli", "admin", "system" or "person:<id>". */
  actor: string;
  batchSize?: number;
}

type Db = Kysely<Database>;

/**
 * Removes every row older than its data class allows under the stored retention
 * policy, in batches, and appends one "privacy.purge" audit entry with the counts.
 * Dependent rows go first (links and texts before their activities, reviews' worklog
 * references before worklogs), so later imports, linking and suggestions keep working.
 */
export async function purgeExpired(store: Store, options: PurgeOptions): Promise<PurgeReport> {
  const policy = await readRetentionPolicy(store);
  const cutoffs = retentionCutoffs(policy, options.now);
  const run: BatchRunner = { store, dryRun: options.dryRun === true, rawEventsCutoff: cutoffs.raw_events, batchSize: options.batchSize ?? PURGE_BATCH_SIZE };

  const classes: PurgeClassReport[] = [];
  for (const dataClass of RETENTION_CLASSES) {
    const cutoff = cutoffs[dataClass];
    const report: PurgeClassReport = { dataClass, days: policy[dataClass], cutoff: cutoff === undefined ? null : new Date(cutoff).toISOString(), removed: {}, kept: {} };
    if (cutoff !== undefined) await PURGERS[dataClass](run, cutoff, report);
    classes.push(report);
  }

  const totalRemoved = classes.reduce((sum, report) => sum + Object.values(report.removed).reduce((a, b) => a + b, 0), 0);
  if (!run.dryRun) {
    const counts = Object.fromEntries(classes.map((report) => [report.dataClass, report.removed]));
    await store.audit.append({ at: options.now, actor: options.actor, action: "privacy.purge", subject: null, details: { removed: counts, totalRemoved } });
  }
  return { at: new Date(options.now).toISOString(), dryRun: run.dryRun, classes, totalRemoved };
}

interface BatchRunner {
  store: Store;
  dryRun: boolean;
  /** Cut-off of raw events, so a dry run does not count again under derived a link that raw_events removes. */
  rawEventsCutoff?: number | undefined;
  batchSize: number;
}

/**
 * Deletes, batch by batch, the rows whose ids `select` returns, calling `remove` for
 * each batch in its own transaction. In a dry run it only counts: every id at once,
 * since nothing is deleted between batches.
 */
async function inBatches(run: BatchRunner, select: (db: Db, limit: number) => Promise<number[]>, remove: (db: Db, ids: number[]) => Promise<void>): Promise<number> {
  if (run.dryRun) return (await select(run.store.db, Number.MAX_SAFE_INTEGER)).length;
  let removed = 0;
  for (;;) {
    const batch = await run.store.transaction(async (tx) => {
      const ids = await select(tx.db, run.batchSize);
      if (ids.length > 0) await remove(tx.db, ids);
      return ids.length;
    });
    removed += batch;
    if (batch < run.batchSize) return removed;
  }
}

function add(counts: Record<string, number>, table: string, n: number): void {
  counts[table] = (counts[table] ?? 0) + n;
}

const PURGERS: Readonly<Record<RetentionClass, (run: BatchRunner, cutoff: number, report: PurgeClassReport) => Promise<void>>> = {
  raw_events: purgeRawEvents,
  derived: purgeDerived,
  suggestions: purgeSuggestions,
  worklogs: purgeWorklogs,
  audit: purgeAudit,
};

async function purgeRawEvents(run: BatchRunner, cutoff: number, report: PurgeClassReport): Promise<void> {
  let links = 0;
  const activities = await inBatches(
    run,
    async (db, limit) => (await db.selectFrom("activities").select("id").where("end_at", "<", cutoff).orderBy("id").limit(limit).execute()).map((r) => r.id),
    async (db, ids) => {
      // Links refer to activities, so they go first. They are counted here because they
      // leave with their activity whatever the derived class allows.
      links += Number((await db.deleteFrom("links").where("activity_id", "in", ids).executeTakeFirst()).numDeletedRows);
      await db.deleteFrom("activity_texts").where("activity_id", "in", ids).execute();
      await db.deleteFrom("activities").where("id", "in", ids).execute();
    },
  );
  if (run.dryRun) links = await countLinksOfActivities(run.store.db, "end_at", cutoff);
  add(report.removed, "activities", activities);
  add(report.removed, "links", links);

  const events = await inBatches(
    run,
    async (db, limit) => (await db.selectFrom("issue_events").select("id").where("at", "<", cutoff).orderBy("id").limit(limit).execute()).map((r) => r.id),
    async (db, ids) => {
      await db.deleteFrom("issue_event_texts").where("event_id", "in", ids).execute();
      await db.deleteFrom("issue_events").where("id", "in", ids).execute();
    },
  );
  add(report.removed, "issue_events", events);

  // Delivery ids are a few bytes each and have a composite key, so one statement removes them.
  const deliveries = run.dryRun
    ? await countWhere(run.store.db, "webhook_deliveries", cutoff)
    : Number((await run.store.db.deleteFrom("webhook_deliveries").where("received_at", "<", cutoff).executeTakeFirst()).numDeletedRows);
  add(report.removed, "webhook_deliveries", deliveries);
}

async function purgeDerived(run: BatchRunner, cutoff: number, report: PurgeClassReport): Promise<void> {
  const links = await inBatches(
    run,
    async (db, limit) =>
      (
        await db
          .selectFrom("links")
          .innerJoin("activities", "activities.id", "links.activity_id")
          .select("links.id")
          .where("activities.start_at", "<", cutoff)
          // A real purge has removed these with their activities already; a dry run must skip them.
          .$if(run.dryRun && run.rawEventsCutoff !== undefined, (query) => query.where("activities.end_at", ">=", run.rawEventsCutoff ?? 0))
          .orderBy("links.id")
          .limit(limit)
          .execute()
      ).map((r) => r.id),
    async (db, ids) => {
      await db.deleteFrom("links").where("id", "in", ids).execute();
    },
  );
  add(report.removed, "links", links);

  const drift = await inBatches(
    run,
    async (db, limit) => (await db.selectFrom("model_drift").select("id").where("checked_at", "<", cutoff).orderBy("id").limit(limit).execute()).map((r) => r.id),
    async (db, ids) => {
      await db.deleteFrom("model_drift").where("id", "in", ids).execute();
    },
  );
  add(report.removed, "model_drift", drift);
}

async function purgeSuggestions(run: BatchRunner, cutoff: number, report: PurgeClassReport): Promise<void> {
  const day = firstKeptDay(cutoff);
  const suggestions = await inBatches(
    run,
    async (db, limit) => (await db.selectFrom("suggestions").select("id").where("day", "<", day).orderBy("id").limit(limit).execute()).map((r) => r.id),
    async (db, ids) => {
      await db.deleteFrom("suggestions").where("id", "in", ids).execute();
    },
  );
  add(report.removed, "suggestions", suggestions);

  const reviews = await inBatches(
    run,
    async (db, limit) => (await db.selectFrom("reviews").select("id").where("day", "<", day).orderBy("id").limit(limit).execute()).map((r) => r.id),
    async (db, ids) => {
      await db.deleteFrom("reviews").where("id", "in", ids).execute();
    },
  );
  add(report.removed, "reviews", reviews);
}

/**
 * Removes worklogs older than the cut-off with their comments. Worklogs still waiting
 * to be written to Jira (pending, being sent, or failed with a retry due) stay past the
 * cut-off, so a purge never drops time a person confirmed before Jira has it. Those are
 * counted under `kept`.
 */
async function purgeWorklogs(run: BatchRunner, cutoff: number, report: PurgeClassReport): Promise<void> {
  const worklogs = await inBatches(
    run,
    async (db, limit) =>
      (
        await db
          .selectFrom("worklogs")
          .select("id")
          .where("started_at", "<", cutoff)
          .where((eb) => eb.or([eb("write_back", "is", null), eb("write_back", "=", "written"), eb.and([eb("write_back", "=", "failed"), eb("next_attempt_at", "is", null)])]))
          .orderBy("id")
          .limit(limit)
          .execute()
      ).map((r) => r.id),
    async (db, ids) => {
      // Reviews keep their decision as a training label; only the reference to the worklog goes.
      await db.updateTable("reviews").set({ worklog_id: null }).where("worklog_id", "in", ids).execute();
      await db.deleteFrom("worklog_texts").where("worklog_id", "in", ids).execute();
      await db.deleteFrom("worklogs").where("id", "in", ids).execute();
    },
  );
  add(report.removed, "worklogs", worklogs);

  const waiting = await run.store.db
    .selectFrom("worklogs")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("started_at", "<", cutoff)
    .where((eb) => eb.or([eb("write_back", "in", ["pending", "sending"]), eb.and([eb("write_back", "=", "failed"), eb("next_attempt_at", "is not", null)])]))
    .executeTakeFirstOrThrow();
  if (Number(waiting.n) > 0) add(report.kept, "worklogs waiting for write-back", Number(waiting.n));
}

async function purgeAudit(run: BatchRunner, cutoff: number, report: PurgeClassReport): Promise<void> {
  // The audit log removes its own entries, keeping an anchor so the rest of the chain still verifies.
  const removed = run.dryRun ? await countWhere(run.store.db, "audit_log", cutoff) : (await run.store.audit.purgeBefore(cutoff)).purged;
  add(report.removed, "audit_log", removed);
}

async function countWhere(db: Db, table: "webhook_deliveries" | "audit_log", cutoff: number): Promise<number> {
  const row =
    table === "audit_log"
      ? await db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number | string>().as("n")).where("at", "<", cutoff).executeTakeFirstOrThrow()
      : await db.selectFrom("webhook_deliveries").select((eb) => eb.fn.countAll<number | string>().as("n")).where("received_at", "<", cutoff).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countLinksOfActivities(db: Db, column: "end_at", cutoff: number): Promise<number> {
  const row = await db
    .selectFrom("links")
    .innerJoin("activities", "activities.id", "links.activity_id")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where(`activities.${column}`, "<", cutoff)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
