import type { Repositories } from "../../store/store.js";

/** Ids per IN list: well below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/**
 * Keys of stored issues by Jira issue id, for worklog responses that name their issue
 * only by id.
 * NOTE: IssueRepository has no lookup by Jira id, so this reads the issues table
 * through the repositories' Kysely handle; it belongs in IssueRepository.
 */
export async function issueKeysBySourceId(tx: Repositories, sourceIds: readonly string[]): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (let i = 0; i < sourceIds.length; i += CHUNK) {
    const rows = await tx.db
      .selectFrom("issues")
      .select(["source_id", "key"])
      .where("source_id", "in", sourceIds.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) keys.set(row.source_id, row.key);
  }
  return keys;
}
