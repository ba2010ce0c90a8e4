import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import type { ImportReport } from "../domain/types.js";
import { importGit } from "../ingest/git/import.js";
import { importIcs } from "../ingest/ics/import.js";
import { importJira } from "../ingest/jira/import.js";
import { importWakatime } from "../ingest/wakatime/import.js";
import { parsePerson } from "../people/person-arg.js";
import type { Store } from "../store/store.js";
import type { ImportStep } from "./write-files.js";

const manifestSchema = z.object({
  synthetic: z.literal(true),
  imports: z.array(
    z.discriminatedUnion("source", [
      z.object({ source: z.literal("jira"), file: z.string() }),
      z.object({ source: z.literal("git"), file: z.string(), repo: z.string() }),
      z.object({ source: z.literal("ics"), file: z.string(), person: z.string() }),
      z.object({ source: z.literal("wakatime"), file: z.string(), person: z.string(), machine: z.string() }),
    ]),
  ),
});

/**
 * Imports a simulation folder written by writeSimulation into `store`, running the
 * same importers and options as the `worklens import` commands in its README, in
 * the order of its manifest.json. Returns one report per file.
 */
export async function importSimulation(store: Store, dir: string): Promise<ImportReport[]> {
  const manifestFile = join(dir, "manifest.json");
  let text: string;
  try {
    text = await readFile(manifestFile, "utf8");
  } catch (error) {
    throw invalidInput(manifestFile, "cannot be read", "pass a folder written by `worklens simulate` or writeSimulation", error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidInput(manifestFile, "is not valid JSON", "write the folder again with `worklens simulate`", error);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw invalidInput(manifestFile, "is not a simulation manifest", "write the folder again with `worklens simulate`", parsed.error);
  }

  const reports: ImportReport[] = [];
  for (const step of parsed.data.imports) reports.push(await importStep(store, dir, step));
  return reports;
}

async function importStep(store: Store, dir: string, step: ImportStep): Promise<ImportReport> {
  const file = join(dir, ...step.file.split("/"));
  switch (step.source) {
    case "jira":
      return importJira(store, file);
    case "git":
      return importGit(store, file, { repo: step.repo });
    case "ics":
      return importIcs(store, file, { person: parsePerson("ics", step.person) });
    case "wakatime":
      return importWakatime(store, file, { person: parsePerson("wakatime", step.person), machine: step.machine });
  }
}
