import type { ActivityInput, ImportReport } from "../domain/types.js";
import type { ActivityRow } from "../store/activity-repository.js";
import type { Repositories, Store } from "../store/store.js";
import type { ParseResult } from "./parse-result.js";

/**
 * Write parsed activities through the store in one transaction: identities are
 * resolved to people, existing source ids count as duplicates and change nothing.
 */
export async function importActivities(
  store: Store,
  parsed: ParseResult<ActivityInput>,
  meta: { source: string; file: string },
): Promise<ImportReport> {
  const report: ImportReport = {
    source: meta.source,
    file: meta.file,
    imported: 0,
    duplicate: 0,
    skipped: [...parsed.skipped],
    warnings: [...parsed.warnings],
  };

  // The same source id twice in one file is a duplicate too, not an error.
  const unique = new Map<string, ActivityInput>();
  for (const record of parsed.records) {
    if (unique.has(record.sourceUid)) report.duplicate += 1;
    else unique.set(record.sourceUid, record);
  }

  await store.transaction((tx) => writeActivities(tx, unique.values(), report));
  return report;
}

/**
 * Write activities through repositories that may belong to a caller's open
 * transaction, adding the new and duplicate counts to `report`.
 */
export async function writeActivities(
  tx: Repositories,
  records: Iterable<ActivityInput>,
  report: Pick<ImportReport, "imported" | "duplicate">,
): Promise<void> {
  const rows: ActivityRow[] = [];
  for (const record of records) {
    const { personId, identityId } = await tx.people.resolve(record.actor);
    rows.push({ ...record, personId, identityId });
  }
  const inserted = await tx.activities.insert(rows);
  report.imported += inserted.size;
  report.duplicate += rows.length - inserted.size;
}
