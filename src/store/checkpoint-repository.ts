import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** A stored high-water mark of a pull connector. */
export interface Checkpoint {
  value: string;
  /** When the value was last set, in epoch milliseconds. */
  updatedAt: number;
}

/** High-water marks of pull connectors, keyed by integration and resource. */
export class CheckpointRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the checkpoint of one integration and resource, or undefined before the first sync. */
  async get(integration: string, resource: string): Promise<Checkpoint | undefined> {
    const row = await this.db
      .selectFrom("sync_checkpoints")
      .select(["value", "updated_at"])
      .where("integration", "=", integration)
      .where("resource", "=", resource)
      .executeTakeFirst();
    return row === undefined ? undefined : { value: row.value, updatedAt: row.updated_at };
  }

  /**
   * Inserts or replaces a checkpoint. Call it in the transaction that writes the
   * records the value covers, so a failed write leaves the previous checkpoint.
   */
  async set(integration: string, resource: string, value: string, updatedAt: number): Promise<void> {
    await this.db
      .insertInto("sync_checkpoints")
      .values({ integration, resource, value, updated_at: updatedAt })
      .onConflict((oc) => oc.columns(["integration", "resource"]).doUpdateSet({ value, updated_at: updatedAt }))
      .execute();
  }
}
