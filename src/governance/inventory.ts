import { sql } from "kysely";
import { inventoryRows, type InventoryRow } from "../privacy/inventory.js";
import type { RetentionPolicy } from "../privacy/retention.js";
import { getCollectionPolicy } from "../store/privacy-settings.js";
import type { Store } from "../store/store.js";
import { readRetentionPolicy } from "./retention-settings.js";

/** An inventory row with its retention period: days, or "keep" when no period applies. */
export type InventoryReportRow = InventoryRow & { retention: number | "keep" };

/** Builds the inventory under the store's current collection policy and retention periods. */
export async function buildInventory(store: Store): Promise<InventoryReportRow[]> {
  const policy = await getCollectionPolicy(store);
  const retention = await readRetentionPolicy(store);
  return inventoryRows(policy).map((row) => ({ ...row, retention: retentionOf(retention, row) }));
}

function retentionOf(policy: RetentionPolicy, row: InventoryRow): number | "keep" {
  if (row.retentionClass === null) return "keep";
  return policy[row.retentionClass] ?? "keep";
}

/**
 * Lists every table and column of the store from the database's own catalog: SQLite's
 * table_info of each table (SQLite's internal tables left out), or PostgreSQL's
 * information_schema for the store's schema.
 */
export async function storedColumns(store: Store): Promise<Map<string, Set<string>>> {
  const rows =
    store.dialect === "sqlite"
      ? await sql<{ table_name: string; column_name: string }>`
          select m.name as table_name, p.name as column_name
          from sqlite_master m join pragma_table_info(m.name) p
          where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\'`.execute(store.db)
      : await sql<{ table_name: string; column_name: string }>`
          select table_name, column_name from information_schema.columns
          where table_schema = current_schema()`.execute(store.db);
  const tables = new Map<string, Set<string>>();
  for (const row of rows.rows) {
    const columns = tables.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name);
    tables.set(row.table_name, columns);
  }
  return tables;
}
