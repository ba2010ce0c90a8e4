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
  const schema = options.schema ?? "public";
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and underscores`);
  }
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
