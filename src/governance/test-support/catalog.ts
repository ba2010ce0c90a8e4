import { sql } from "kysely";
import type { Store } from "../../store/store.js";

export interface CatalogColumn {
  table: string;
  column: string;
  /** Declared type, lower case: "text", "bigint", "integer", "double precision", ... */
  type: string;
}

/** Lists every column of every table of the store, from the live catalog, so tables added later are covered too. */
export async function listColumns(store: Store): Promise<CatalogColumn[]> {
  if (store.dialect === "sqlite") {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(store.db);
    const columns: CatalogColumn[] = [];
    for (const { name } of tables.rows) {
      const info = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name})`.execute(store.db);
      for (const column of info.rows) columns.push({ table: name, column: column.name, type: column.type.toLowerCase() });
    }
    return columns;
  }
  const rows = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(store.db);
  return rows.rows.map((row) => ({ table: row.table_name, column: row.column_name, type: row.data_type.toLowerCase() }));
}

/** Returns every value of one column as text (null for SQL NULL). */
export async function columnValues(store: Store, table: string, column: string): Promise<(string | null)[]> {
  const rows = await sql<{ value: string | null }>`select cast(${sql.ref(column)} as text) as value from ${sql.table(table)}`.execute(store.db);
  return rows.rows.map((row) => row.value);
}
