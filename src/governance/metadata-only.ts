import { getCollectionPolicy } from "../store/privacy-settings.js";
import type { Store } from "../store/store.js";

/** Outcome of one metadata-only pass. */
export interface MetadataOnlyReport {
  /** Whether the collection policy's `metadataOnly` flag was on; false means nothing was deleted. */
  enabled: boolean;
  /** Activities whose text row was deleted. */
  discarded: number;
}

/**
 * Deletes the raw text (title, body, branch, paths) of every activity that has at least one
 * link, when the collection policy's `metadataOnly` flag is on, and audits the count as a
 * "privacy.purge" entry. Run it after linking.
 *
 * What stays: the activity row (times, zone, repository, project, machine, the issue keys it
 * named in `explicit_keys`, and numeric metrics), its links with their evidence, and the
 * suggestions and worklogs built from them. Unlinked activities keep their text, so a later
 * linking run can still rank them. Issue texts, comment bodies of issue events and worklog
 * comments are not activity text and follow their own policy fields.
 *
 * NOTE: a later full linking run ranks a discarded activity on its metadata and keys only. A
 * link the ranker found from the text alone can then change, but links by explicit key do not.
 */
export async function discardLinkedTexts(store: Store, audit: { actor: string; at?: number } = { actor: "system" }): Promise<MetadataOnlyReport> {
  if (!(await getCollectionPolicy(store)).metadataOnly) return { enabled: false, discarded: 0 };

  const discarded = await store.transaction(async (tx) => {
    const result = await tx.db
      .deleteFrom("activity_texts")
      .where("activity_id", "in", (db) => db.selectFrom("links").select("activity_id").distinct())
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    if (count > 0) {
      await tx.audit.append({ at: audit.at ?? Date.now(), actor: audit.actor, action: "privacy.purge", subject: null, details: { step: "metadata-only", activityTexts: count } });
    }
    return count;
  });
  return { enabled: true, discarded };
}
