import type { Kysely, Selectable } from "kysely";
import type { Database, SyncRunsTable } from "./schema.js";

export type SyncRunKind = "sync" | "push" | "write-back";
export type SyncRunStatus = "running" | "succeeded" | "failed";

const RUN_KINDS: readonly SyncRunKind[] = ["sync", "push", "write-back"];
const RUN_STATUSES: readonly SyncRunStatus[] = ["running", "succeeded", "failed"];

export interface SyncRun {
  id: number;
  integration: string;
  kind: SyncRunKind;
  startedAt: number;
  finishedAt: number | null;
  status: SyncRunStatus;
  /** The run's report as the connector returned it: counts and skipped records. */
  summary: unknown;
  error: string | null;
}

/** One row per connector run, so the sync status shows what ran, when, and how it ended. */
export class SyncRunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async start(integration: string, kind: SyncRunKind, at: number): Promise<number> {
    const row = await this.db
      .insertInto("sync_runs")
      .values({ integration, kind, started_at: at, finished_at: null, status: "running", summary: null, error: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async finish(id: number, outcome: { status: "succeeded"; summary: unknown } | { status: "failed"; error: string; summary?: unknown }, at: number): Promise<void> {
    await this.db
      .updateTable("sync_runs")
      .set({
        status: outcome.status,
        finished_at: at,
        summary: outcome.summary === undefined ? null : JSON.stringify(outcome.summary),
        error: outcome.status === "failed" ? outcome.error : null,
      })
      .where("id", "=", id)
      .execute();
  }

  /** Returns the newest runs of one integration, newest first. */
  async recent(integration: string, limit = 10): Promise<SyncRun[]> {
    const rows = await this.db
      .selectFrom("sync_runs")
      .selectAll()
      .where("integration", "=", integration)
      .orderBy("started_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  /** Returns the newest run of one integration that succeeded, if any. */
  async lastSuccess(integration: string): Promise<SyncRun | undefined> {
    const row = await this.db
      .selectFrom("sync_runs")
      .selectAll()
      .where("integration", "=", integration)
      .where("status", "=", "succeeded")
      .orderBy("started_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst();
    return row === undefined ? undefined : toRun(row);
  }
}

function toRun(row: Selectable<SyncRunsTable>): SyncRun {
  return {
    id: row.id,
    integration: row.integration,
    kind: RUN_KINDS.find((kind) => kind === row.kind) ?? "sync",
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: RUN_STATUSES.find((status) => status === row.status) ?? "running",
    summary: row.summary === null ? null : JSON.parse(row.summary),
    error: row.error,
  };
}
