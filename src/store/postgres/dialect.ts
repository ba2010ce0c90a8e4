import { PostgresDialect } from "kysely";
import pg from "pg";

const INT8_OID = 20;

export interface PostgresOptions {
  connectionString: string;
  /** Schema to create and use as the search path; "public" when absent. */
  schema?: string | undefined;
}

/**
 * A pooled PostgreSQL dialect. int8 values are parsed as numbers because every
 * bigint we store (epoch milliseconds, ids) is below 2^53.
 */
export function createPostgresDialect(options: PostgresOptions): PostgresDialect {
  const schema = checkSchemaName(options.schema ?? "public");
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (value: string) => Number(value));
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 4,
    types,
    options: `-c search_path=${schema}`,
  });
  return new PostgresDialect({ pool });
}

function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and underscores`);
  }
  return schema;
}

/** Creates the schema on a connection of its own, so no pooled session starts with a search_path naming a missing schema. */
export async function ensureSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // Look first: PostgreSQL checks CREATE on the database even for `create schema if not
    // exists` on a schema that exists, and a tenant's role has no such right.
    const found = await client.query("select 1 from pg_namespace where nspname = $1", [checkSchemaName(schema)]);
    if (found.rowCount === 0) await client.query(`create schema if not exists "${checkSchemaName(schema)}"`);
  } finally {
    await client.end();
  }
}
