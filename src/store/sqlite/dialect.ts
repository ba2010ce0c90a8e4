import BetterSqlite3 from "better-sqlite3";
import { SqliteDialect } from "kysely";

/** Open an embedded SQLite file in WAL mode with foreign keys enforced. */
export function createSqliteDialect(file: string): SqliteDialect {
  const database = new BetterSqlite3(file);
  database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");
  database.pragma("synchronous = NORMAL");
  database.pragma("busy_timeout = 5000");
  return new SqliteDialect({ database });
}
