import type { ImportReport } from "../../domain/types.js";
import type { IcsImportOptions } from "../../ingest/ics/import.js";
import { importActivities } from "../../ingest/import-activities.js";
import { parseIcs } from "../../ingest/ics/parse.js";
import type { Store } from "../../store/store.js";
import type { FetchIcsFeedOptions } from "./feed.js";
import { fetchIcsFeed } from "./feed.js";

export type IcsFeedImport =
  | { status: "not-modified" }
  | { status: "imported"; report: ImportReport; etag: string | undefined; lastModified: string | undefined };

/**
 * Fetches an .ics feed and stores its events as activities. Returns "not-modified"
 * when the server returns 304 for the saved ETag or Last-Modified, which the caller
 * keeps for the next run. Re-importing an unchanged feed adds nothing.
 */
export async function importIcsFeed(
  store: Store,
  feedUrl: string,
  options: IcsImportOptions & FetchIcsFeedOptions,
): Promise<IcsFeedImport> {
  const fetched = await fetchIcsFeed(feedUrl, options);
  if (fetched.status === "not-modified") return fetched;

  // Messages name the feed by its origin only, because the path may hold a secret token.
  const url = new URL(feedUrl);
  const label = `${url.protocol}//${url.host} (calendar feed)`;
  const parsed = parseIcs(Buffer.from(fetched.bytes), { ...options, file: label });
  const report = await importActivities(store, parsed, { source: "ics", file: label });
  return { status: "imported", report, etag: fetched.etag, lastModified: fetched.lastModified };
}
