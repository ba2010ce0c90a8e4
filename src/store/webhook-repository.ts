import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Delivery ids of vendor webhooks already written. */
export class WebhookRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a delivery and returns true, or returns false when the same source and
   * delivery id were recorded before. Call it in the transaction that writes the
   * delivery's records, so a failed write leaves no row and the vendor's retry is written.
   */
  async recordDelivery(source: string, deliveryId: string, receivedAt: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto("webhook_deliveries")
      .values({ source, delivery_id: deliveryId, received_at: receivedAt })
      .onConflict((oc) => oc.columns(["source", "delivery_id"]).doNothing())
      .returning("source")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Number of recorded deliveries of one source. */
  async count(source: string): Promise<number> {
    const row = await this.db
      .selectFrom("webhook_deliveries")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("source", "=", source)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
