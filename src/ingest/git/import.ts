import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { invalidInput, WorklensError } from "../../domain/errors.js";
import type { ImportReport } from "../../domain/types.js";
import { getCollectionPolicy } from "../../store/privacy-settings.js";
import type { Store } from "../../store/store.js";
import { importActivities } from "../import-activities.js";
import { readLines } from "./lines.js";
import { GitLogParser, noCommits } from "./parse-log.js";
import { readRepository, type RepositoryOptions } from "./repository.js";

/**
 * Imports git commits from a repository folder (by running git log there) or from a
 * file of git log output, and stores them as commit activities. Re-importing adds
 * nothing, because each commit's source id is its hash.
 */
export async function importGit(store: Store, pathOrFile: string, options: RepositoryOptions = {}): Promise<ImportReport> {
  const info = await stat(pathOrFile).catch(() => undefined);
  if (info === undefined) {
    throw new WorklensError("NOT_FOUND", `${pathOrFile}: no such file or folder`, "check the path of the repository or git log file");
  }

  // With line counts off in the collection policy, git is run so that it never reads file contents.
  const lineCounts = options.lineCounts ?? (await getCollectionPolicy(store)).git.lineCounts;
  const parsed = info.isDirectory() ? await readRepository(pathOrFile, { ...options, lineCounts }) : await readLogFile(pathOrFile, options.repo);
  return importActivities(store, parsed, { source: "git", file: pathOrFile });
}

/** Streams a git log file through the parser, so its size is not bound by the largest string. */
async function readLogFile(file: string, repo: string | undefined): ReturnType<typeof readRepository> {
  const parser = new GitLogParser({ file, repo });
  try {
    await readLines(createReadStream(file), (line) => {
      parser.push(line);
    });
  } catch (error) {
    throw invalidInput(file, `cannot be read (${error instanceof Error ? error.message : String(error)})`, "check that the file exists and is readable", error);
  }
  const result = parser.finish();
  if (parser.commitCount === 0) throw noCommits(file);
  return result;
}
