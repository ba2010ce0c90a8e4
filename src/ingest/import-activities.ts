import type { ActivityInput, ImportReport } from "../domain/types.js";
import { applyActivityPolicy } from "../privacy/collection.js";
import type { ActivityRow } from "../store/activity-repository.js";
import type { Repositories, Store } from "../store/store.js";
import { getCollectionPolicy } from "../store/privacy-settings.js";
import type { ParseResult, SkippedRecord } from "./parse-result.js";

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

  await store.transaction((tx) => writeActivities(tx, unique.values(), report, report.skipped));
  return report;
}

/**
 * Write activities through repositories that may belong to a caller's open
 * transaction, adding the new and duplicate counts to `report`. The collection policy
 * ("privacy.collection") is applied first: text fields it does not allow are dropped, and
 * activities of repositories outside its allowlist are not stored but added to `skipped`.
 */
export async function writeActivities(
  tx: Repositories,
  records: Iterable<ActivityInput>,
  report: Pick<ImportReport, "imported" | "duplicate">,
  skipped?: SkippedRecord[],
): Promise<void> {
  const policy = await getCollectionPolicy(tx);
  const rows: ActivityRow[] = [];
  for (const record of records) {
    const decision = applyActivityPolicy(policy, record);
    if (!decision.collect) {
      skipped?.push({ record: recordLabel(record), reason: decision.reason });
      continue;
    }
    const { personId, identityId } = await tx.people.resolve(record.actor);
    rows.push({ ...decision.activity, personId, identityId });
  }
  const inserted = await tx.activities.insert(rows);
  report.imported += inserted.size;
  report.duplicate += rows.length - inserted.size;
}

/** Names a skipped activity: a commit by its abbreviated hash, anything else by its source id. */
function recordLabel(record: ActivityInput): string {
  return record.sourceUid.startsWith("git:") ? `commit ${record.sourceUid.slice(4, 16)}` : record.sourceUid;
}
