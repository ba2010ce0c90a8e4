import { readFile } from "node:fs/promises";
import { z } from "zod";
import { invalidInput, WorklensError } from "../domain/errors.js";
import { resolveZone } from "../domain/time.js";
import type { Source } from "../domain/types.js";
import type { Store } from "../store/store.js";

const SOURCES = ["jira", "git", "ics", "wakatime", "activitywatch"] as const satisfies readonly Source[];

/**
 * A mapping file overrides automatic identity matching: each entry is one person,
 * with the identities that belong to them and optionally their time zone.
 */
export const mappingSchema = z.object({
  people: z.array(
    z.object({
      tz: z.string().refine((tz) => resolveZone(tz) !== undefined, { error: "not an IANA time zone such as Europe/Berlin" }).optional(),
      identities: z.array(z.object({ source: z.enum(SOURCES), id: z.string().min(1) })).min(1),
    }),
  ),
});

export interface MappingResult {
  applied: number;
  merged: number;
  skipped: { record: string; reason: string }[];
}

export async function applyMappingFile(store: Store, file: string): Promise<MappingResult> {
  let parsed: z.infer<typeof mappingSchema>;
  try {
    const raw: unknown = JSON.parse(await readFile(file, "utf8"));
    parsed = mappingSchema.parse(raw);
  } catch (error) {
    if (error instanceof z.ZodError) {
      const issue = error.issues[0];
      throw invalidInput(file, `invalid mapping at ${issue?.path.join(".") ?? "(root)"}: ${issue?.message ?? "unknown problem"}`, 'expected {"people": [{"tz": "Europe/Berlin", "identities": [{"source": "git", "id": "dev@example.com"}]}]}');
    }
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new WorklensError("NOT_FOUND", `mapping file not found: ${file}`, "check the path");
    throw invalidInput(file, `not valid JSON: ${(error as Error).message}`, "fix the JSON syntax", error);
  }

  const result: MappingResult = { applied: 0, merged: 0, skipped: [] };
  await store.transaction(async (tx) => {
    for (const [index, entry] of parsed.people.entries()) {
      const persons: number[] = [];
      for (const identity of entry.identities) {
        const found = await tx.people.findIdentity(identity.source, identity.id);
        if (found) persons.push(found.personId);
        else result.skipped.push({ record: `people[${index}]`, reason: `identity ${identity.source}:${identity.id} not found: import its data first` });
      }
      const [target, ...others] = [...new Set(persons)];
      if (target === undefined) continue;
      for (const other of others) {
        await tx.people.merge(target, other);
        result.merged += 1;
      }
      if (entry.tz !== undefined) await tx.people.setTimeZone(target, entry.tz);
      result.applied += 1;
    }
  });
  return result;
}
