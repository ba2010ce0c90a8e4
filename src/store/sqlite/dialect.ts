import BetterSqlite3 from "better-sqlite3";
import { SqliteDialect } from "kysely";

/**
 * Open an embedded SQLite file in WAL mode with foreign keys enforced. secure_delete
 * makes SQLite overwrite deleted content with zeros, so a deleted row's bytes do not
 * linger in free pages of the file.
 */
export function createSqliteDialect(file: string): SqliteDialect {
  const database = new BetterSqlite3(file);
  database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");
  database.pragma("synchronous = NORMAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("secure_delete = ON");
  return new SqliteDialect({ database });
}
