import type { IdentityInput, ImportReport } from "../../domain/types.js";
import type { Store } from "../../store/store.js";
import { importActivities } from "../import-activities.js";
import { readInputFile } from "../read-input.js";
import { parseWakatime } from "./parse.js";

export interface WakatimeImportOptions {
  person: IdentityInput;
  machine?: string | undefined;
  userAgent?: string | undefined;
}

/** Read a JSON array of WakaTime heartbeats from a file and write them through the store. */
export async function importWakatime(store: Store, file: string, options: WakatimeImportOptions): Promise<ImportReport> {
  const bytes = await readInputFile(file, "heartbeats JSON file");
  const parsed = parseWakatime(bytes, { file, ...options });
  return importActivities(store, parsed, { source: "wakatime", file });
}
