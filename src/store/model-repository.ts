import { PostgresAdapter, sql, type Kysely, type Selectable } from "kysely";
import { WorklensError } from "../domain/errors.js";
import {
  artifactSchema,
  DRIFT_ACTIONS,
  MODEL_KINDS,
  MODEL_STATUSES,
  metricsSchema,
  type DriftAction,
  type DriftRecord,
  type ModelArtifact,
  type ModelKind,
  type ModelRecord,
  type ModelSummary,
  type NewDrift,
  type NewModel,
} from "./model-types.js";
import type { Vault } from "../privacy/vault.js";
import { modelPlaceRow } from "./reencrypt.js";
import type { Database, ModelDriftTable, ModelsTable } from "./schema.js";

const SUMMARY_COLUMNS = ["id", "kind", "version", "status", "created_at", "promoted_at", "retired_at", "window_from", "window_to", "metrics", "note"] as const;

/**
 * The model registry: every trained model of each kind with its status, metrics and
 * artifact, and the history of drift checks. Changes of status run in one
 * transaction each, and a partial unique index keeps at most one live model per kind.
 */
export class ModelRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
  ) {}

  /** Stores a model under the next version of its kind and returns it; the artifact's `version` becomes that version. */
  async add(model: NewModel): Promise<ModelRecord> {
    const parsed = artifactSchema.safeParse(model.artifact);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? "" : `${issue.path.join(".")}: ${issue.message}`;
      throw new WorklensError("INVALID_INPUT", `model artifact is invalid: ${where}`, "train the model again with a trainer of this worklens version");
    }
    const { kind, window } = model.artifact;
    const metrics = { ...model.artifact.metrics, ...model.metrics };
    const createdAt = model.createdAt ?? Date.now();
    const status = model.status ?? "candidate";
    // The key is fetched before the transaction. Outside a transaction the vault reads
    // keys on the store's own connection, and SQLite's only connection is busy until the
    // transaction ends.
    const dataKey = await this.vault.currentDataKey();
    return this.#serialized(async (db) => {
      const last = await db.selectFrom("models").select((eb) => eb.fn.max("version").as("version")).where("kind", "=", kind).executeTakeFirst();
      const version = (last?.version ?? 0) + 1;
      const artifact: ModelArtifact = { ...model.artifact, version, metrics };
      const row = await db
        .insertInto("models")
        .values({
          kind,
          version,
          status,
          created_at: createdAt,
          promoted_at: null,
          retired_at: null,
          window_from: window.from,
          window_to: window.to,
          metrics: JSON.stringify(metrics),
          artifact: this.vault.encryptWith(dataKey, artifactPlace(kind, version), JSON.stringify(artifact)),
          note: model.note ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { id: row.id, kind, version, status, createdAt, promotedAt: null, retiredAt: null, window: { ...window }, metrics, note: model.note ?? null, artifact };
    });
  }

  /** Returns the live model of a kind, artifact included, or undefined when none is live. */
  async live(kind: ModelKind): Promise<ModelRecord | undefined> {
    const row = await this.db.selectFrom("models").selectAll().where("kind", "=", kind).where("status", "=", "live").executeTakeFirst();
    return row === undefined ? undefined : this.toRecord(row);
  }

  /** Returns the models of one kind, or of all kinds, newest version first, without artifacts. */
  async list(kind?: ModelKind): Promise<ModelSummary[]> {
    let query = this.db.selectFrom("models").select(SUMMARY_COLUMNS);
    if (kind !== undefined) query = query.where("kind", "=", kind);
    const rows = await query.orderBy("kind").orderBy("version", "desc").execute();
    return rows.map(toSummary);
  }

  async get(id: number): Promise<ModelRecord | undefined> {
    const row = await this.db.selectFrom("models").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : this.toRecord(row);
  }

  /** Sets the status and note of a model that is not live; live models change only through promote and rollback. */
  async setStatus(id: number, status: "candidate" | "rejected" | "retired", note: string | null): Promise<void> {
    await this.#serialized(async (db) => {
      const row = await requireModel(db, id);
      if (row.status === "live") {
        throw new WorklensError("CONFLICT", `model ${id} (${row.kind} v${row.version}) is live, so its status cannot be set to ${status}`, `promote another ${row.kind} model, or run "worklens models rollback ${row.kind}"`);
      }
      await db.updateTable("models").set({ status, note }).where("id", "=", id).execute();
    });
  }

  /** Makes a model live; the live model of its kind, if any, becomes retired in the same transaction. */
  async promote(id: number, note: string, at: number = Date.now()): Promise<ModelSummary> {
    return this.#serialized(async (db) => {
      const row = await requireModel(db, id);
      if (row.status === "live") {
        throw new WorklensError("CONFLICT", `model ${id} (${row.kind} v${row.version}) is already live`, `run "worklens models list --kind ${row.kind}" to see the other models`);
      }
      await db.updateTable("models").set({ status: "retired", retired_at: at }).where("kind", "=", row.kind).where("status", "=", "live").execute();
      await db.updateTable("models").set({ status: "live", promoted_at: at, note }).where("id", "=", id).execute();
      return toSummary({ ...row, status: "live", promoted_at: at, note });
    });
  }

  /**
   * Retires the live model of a kind and makes the most recently retired model of
   * an earlier version live again. Returns the restored model.
   */
  async rollback(kind: ModelKind, note: string, at: number = Date.now()): Promise<ModelSummary> {
    return this.#serialized(async (db) => {
      const live = await db.selectFrom("models").select(SUMMARY_COLUMNS).where("kind", "=", kind).where("status", "=", "live").executeTakeFirst();
      if (live === undefined) {
        throw new WorklensError("NOT_FOUND", `no live ${kind} model to roll back`, `run "worklens train --kind ${kind}" to train one`);
      }
      const previous = await db
        .selectFrom("models")
        .select(SUMMARY_COLUMNS)
        .where("kind", "=", kind)
        .where("status", "=", "retired")
        .where("version", "<", live.version)
        .orderBy("retired_at", (ob) => ob.desc().nullsLast())
        .orderBy("version", "desc")
        .executeTakeFirst();
      if (previous === undefined) {
        throw new WorklensError("NOT_FOUND", `no retired ${kind} model older than the live v${live.version} to roll back to`, `run "worklens models list --kind ${kind}" and promote a model with "worklens models promote <id>"`);
      }
      await db.updateTable("models").set({ status: "retired", retired_at: at, note: `rolled back: ${note}` }).where("id", "=", live.id).execute();
      const restoredNote = `restored by rollback of v${live.version}: ${note}`;
      await db.updateTable("models").set({ status: "live", promoted_at: at, note: restoredNote }).where("id", "=", previous.id).execute();
      return toSummary({ ...previous, status: "live", promoted_at: at, note: restoredNote });
    });
  }

  async recordDrift(drift: NewDrift): Promise<DriftRecord> {
    const row = await this.db
      .insertInto("model_drift")
      .values({
        kind: drift.kind,
        model_id: drift.modelId,
        checked_at: drift.checkedAt,
        window_from: drift.window.from,
        window_to: drift.window.to,
        n: drift.n,
        error: drift.error,
        baseline_error: drift.baselineError,
        drifted: drift.drifted ? 1 : 0,
        action: drift.action,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ...drift, id: row.id };
  }

  /** Records what followed a drift check, such as the retraining it led to. */
  async setDriftAction(id: number, action: DriftAction): Promise<void> {
    await this.db.updateTable("model_drift").set({ action }).where("id", "=", id).execute();
  }

  /** Returns the drift checks of one kind, or of all kinds, oldest first, as a chart plots them. */
  async driftHistory(kind?: ModelKind): Promise<DriftRecord[]> {
    let query = this.db.selectFrom("model_drift").selectAll();
    if (kind !== undefined) query = query.where("kind", "=", kind);
    const rows = await query.orderBy("checked_at").orderBy("id").execute();
    return rows.map(toDrift);
  }

  private async toRecord(row: Selectable<ModelsTable>): Promise<ModelRecord> {
    return toRecord(row, await this.vault.decryptText(artifactPlace(row.kind, row.version), row.artifact));
  }

  /**
   * Runs `work` in a transaction that no other registry write interleaves with. On
   * PostgreSQL a table lock serializes the writers, because two promotions under
   * READ COMMITTED would each miss the other's new live row. SQLite runs one
   * transaction at a time already. Inside a caller's transaction, `work` joins it.
   */
  async #serialized<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const locked = async (db: Kysely<Database>): Promise<T> => {
      if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`lock table ${sql.table("models")} in share row exclusive mode`.execute(db);
      return work(db);
    };
    if (this.db.isTransaction) return locked(this.db);
    return this.db.transaction().execute(locked);
  }
}

async function requireModel(db: Kysely<Database>, id: number): Promise<Pick<Selectable<ModelsTable>, (typeof SUMMARY_COLUMNS)[number]>> {
  const row = await db.selectFrom("models").select(SUMMARY_COLUMNS).where("id", "=", id).executeTakeFirst();
  if (row === undefined) throw new WorklensError("NOT_FOUND", `no model with id ${id}`, 'run "worklens models list" to see model ids');
  return row;
}

function toSummary(row: Pick<Selectable<ModelsTable>, (typeof SUMMARY_COLUMNS)[number]>): ModelSummary {
  return {
    id: row.id,
    kind: MODEL_KINDS.find((kind) => kind === row.kind) ?? "linking",
    version: row.version,
    status: MODEL_STATUSES.find((status) => status === row.status) ?? "candidate",
    createdAt: row.created_at,
    promotedAt: row.promoted_at,
    retiredAt: row.retired_at,
    window: { from: row.window_from, to: row.window_to },
    metrics: metricsSchema.parse(JSON.parse(row.metrics)),
    note: row.note,
  };
}

function artifactPlace(kind: string, version: number) {
  return { table: "models", column: "artifact", row: modelPlaceRow(kind, version) };
}

function toRecord(row: Selectable<ModelsTable>, artifactJson: string): ModelRecord {
  const parsed = artifactSchema.safeParse(JSON.parse(artifactJson));
  if (!parsed.success) {
    throw new WorklensError("STORE", `models row ${row.id} (${row.kind} v${row.version}) has an invalid artifact: ${parsed.error.issues[0]?.message ?? "unknown problem"}`, `promote another ${row.kind} model with "worklens models promote <id>", or train a new one with "worklens train --kind ${row.kind}"`);
  }
  return { ...toSummary(row), artifact: parsed.data };
}

function toDrift(row: Selectable<ModelDriftTable>): DriftRecord {
  return {
    id: row.id,
    kind: MODEL_KINDS.find((kind) => kind === row.kind) ?? "linking",
    modelId: row.model_id,
    checkedAt: row.checked_at,
    window: { from: row.window_from, to: row.window_to },
    n: row.n,
    error: row.error,
    baselineError: row.baseline_error,
    drifted: row.drifted === 1,
    action: DRIFT_ACTIONS.find((action) => action === row.action) ?? "none",
  };
}
