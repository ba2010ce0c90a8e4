import { tmpdir } from "node:os";
import { resolve, sep } from "node:path";

/**
 * Refuse to wipe anything that is not plainly a test database: a PostgreSQL database
 * whose name is "test" or starts or ends with "test", or a SQLite file in the
 * system's temporary folder (or in memory).
 */
export function assertTestDatabase(target: { kind: "sqlite"; file: string } | { kind: "postgres"; database: string }): void {
  if (target.kind === "postgres") {
    const name = target.database.toLowerCase();
    if (name === "test" || name.startsWith("test_") || name.endsWith("_test")) return;
    throw new Error(
      `refusing to wipe PostgreSQL database "${target.database}": only databases named "test", "test_*" or "*_test" may be wiped by tests`,
    );
  }
  if (target.file === ":memory:") return;
  const file = resolve(target.file);
  const tmp = resolve(tmpdir()) + sep;
  if (file.startsWith(tmp)) return;
  throw new Error(`refusing to wipe SQLite file "${target.file}": test stores must live under ${tmp}`);
}
