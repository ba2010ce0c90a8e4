import type { IdentityInput, ImportReport } from "../../domain/types.js";
import type { Store } from "../../store/store.js";
import { importActivities } from "../import-activities.js";
import { readInputFile } from "../read-input.js";
import { parseActivityWatch } from "./parse.js";

/** Read an aw-server bucket export from a file and write its editor sessions through the store. */
export async function importActivityWatch(store: Store, file: string, options: { person: IdentityInput }): Promise<ImportReport> {
  const bytes = await readInputFile(file, "ActivityWatch export");
  const parsed = parseActivityWatch(bytes, { file, person: options.person });
  return importActivities(store, parsed, { source: "activitywatch", file });
}
