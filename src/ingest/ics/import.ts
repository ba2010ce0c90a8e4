import { readFile } from "node:fs/promises";
import { WorklensError, invalidInput } from "../../domain/errors.js";
import type { IdentityInput, ImportReport } from "../../domain/types.js";
import type { Store } from "../../store/store.js";
import { importActivities } from "../import-activities.js";
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
  const bytes = await readCalendarFile(file);
  const parsed = parseIcs(bytes, { file, ...options });
  return importActivities(store, parsed, { source: "ics", file });
}

async function readCalendarFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : undefined;
    if (code === "ENOENT") {
      throw new WorklensError("NOT_FOUND", `${file}: calendar file not found`, "Check the path, or export the calendar as an .ics file first.", { cause: error });
    }
    if (code === "EISDIR") throw invalidInput(file, "is a directory, not a calendar file", "Pass the path of an .ics file.", error);
    throw invalidInput(file, `cannot be read (${code ?? "unknown error"})`, "Check that the file exists and that you may read it.", error);
  }
}
