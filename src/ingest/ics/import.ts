import type { IdentityInput, ImportReport } from "../../domain/types.js";
import type { Store } from "../../store/store.js";
import { importActivities } from "../import-activities.js";
import { readInputFile } from "../read-input.js";
import { parseIcs } from "./parse.js";

export interface IcsImportOptions {
  /** The calendar's owner. */
  person: IdentityInput;
  /** Zone for floating times and all-day dates when the file has no X-WR-TIMEZONE; UTC when unset. */
  defaultZone?: string | undefined;
  /** Expansion window in epoch ms; expansionWindow in parse.ts describes the default. */
  from?: number | undefined;
  to?: number | undefined;
}

/**
 * Read an .ics file and store its events as activities. Re-importing the same file
 * adds nothing, because every activity has a stable source id.
 */
export async function importIcs(store: Store, file: string, options: IcsImportOptions): Promise<ImportReport> {
  const bytes = await readInputFile(file, "calendar (.ics) file");
  const parsed = parseIcs(bytes, { file, ...options });
  return importActivities(store, parsed, { source: "ics", file });
}
