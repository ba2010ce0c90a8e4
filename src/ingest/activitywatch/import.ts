import { readFile } from "node:fs/promises";
import { invalidInput } from "../../domain/errors.js";
import type { IdentityInput, ImportReport } from "../../domain/types.js";
import type { Store } from "../../store/store.js";
import { importActivities } from "../import-activities.js";
import { parseActivityWatch } from "./parse.js";

/** Read an aw-server bucket export from a file and write its editor sessions through the store. */
export async function importActivityWatch(store: Store, file: string, options: { person: IdentityInput }): Promise<ImportReport> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw invalidInput(file, "cannot be read", "check that the file exists and is readable", error);
  }
  const parsed = parseActivityWatch(bytes, { file, person: options.person });
  return importActivities(store, parsed, { source: "activitywatch", file });
}
