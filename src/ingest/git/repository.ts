import { stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { invalidInput, WorklensError } from "../../domain/errors.js";
import type { ActivityInput } from "../../domain/types.js";
import type { ParseResult } from "../parse-result.js";
import { firstLine, runGit } from "./git-process.js";
import { GIT_LOG_COMMAND, GitLogParser } from "./parse-log.js";

export interface RepositoryOptions {
  /** Stored as each commit's `repo`, by default the folder name. */
  repo?: string | undefined;
  /** The git executable, by default "git" from PATH. */
  git?: string | undefined;
  /**
   * Whether git counts added and deleted lines (`--numstat`), which makes git read the
   * content of each changed file. False lists changed paths only (`--name-only`), so git
   * compares trees and never reads a file's content. Default true.
   */
  lineCounts?: boolean | undefined;
}

/**
 * Arguments of the `git log` run on a repository. It reads commit metadata and
 * numstat counts only: no patch text, no external diff or textconv program, no
 * rename detection (which would compare file contents). Stash and notes refs are
 * left out because their commits are bookkeeping, not work. `--source` prints the
 * ref that reached each commit, for its branch.
 */
export const REPOSITORY_LOG_ARGS: readonly string[] = [
  "log",
  "--exclude=refs/stash",
  "--exclude=refs/notes/*",
  "--all",
  "--date-order",
  "--format=fuller",
  "--date=iso-strict",
  "--encoding=UTF-8",
  "--numstat",
  "--no-renames",
  "--no-ext-diff",
  "--no-textconv",
  "--no-color",
  "--no-decorate",
  "--no-notes",
  "--no-show-signature",
  "--no-abbrev-commit",
  "--source",
  "--",
];

/** Settings that would change the output format if the user's config set them otherwise. */
const CONFIG_ARGS: readonly string[] = ["-c", "log.showRoot=true", "-c", "core.quotePath=true"];

/** Branch names taken as the main line of development, locally and on every remote. */
const MAINLINE_BRANCHES = new Set(["main", "master", "trunk", "develop"]);

/** Arguments of the `git log` run on the repository at `path`, with `--name-only` in place of `--numstat` when line counts are off. */
export function repositoryLogArgs(path: string, lineCounts = true): string[] {
  const logArgs = lineCounts ? REPOSITORY_LOG_ARGS : REPOSITORY_LOG_ARGS.map((arg) => (arg === "--numstat" ? "--name-only" : arg));
  return ["-C", path, ...CONFIG_ARGS, ...logArgs];
}

/**
 * Reads every commit of a local repository by running `git log` and streaming its
 * output into the parser. Only commit metadata is read, never file contents.
 *
 * Issue keys in branch names: the main line is main, master, trunk and develop, local
 * or remote, or HEAD when none of them exists. A commit off the main line takes the
 * branch name of its `--source` ref into `text.branch` and that name's issue keys into
 * `explicitKeys`. Commits on the main line get no branch, because `--source` reports
 * only the first ref that reached a commit, and a stale branch would otherwise claim
 * old history.
 */
export async function readRepository(path: string, options: RepositoryOptions = {}): Promise<ParseResult<ActivityInput>> {
  const git = options.git ?? "git";
  await requireFolder(path);
  const prefix = await probeRepository(git, path);
  const mainline = await readMainline(git, path);

  const lineCounts = options.lineCounts ?? true;
  const parser = new GitLogParser({ file: path, repo: options.repo ?? repositoryName(path), mainline, renames: false, fileList: lineCounts ? "numstat" : "names" });
  const run = await runGit(git, repositoryLogArgs(path, lineCounts), (line) => {
    parser.push(line);
  });
  if (run.exitCode !== 0) {
    throw invalidInput(path, `git log failed (${firstLine(run.stderr)})`, "run the same git log in that folder to see the problem, then import again");
  }

  const result = parser.finish();
  if (parser.commitCount === 0) result.warnings.push("the repository has no commits yet");
  if (prefix !== "") {
    result.warnings.push(`the folder is the subfolder "${prefix}" of a repository; the whole repository's history was imported`);
  }
  return result;
}

/** Names a repository after its folder: "/src/app", "/src/app/.git" and "/srv/app.git" all give "app". */
export function repositoryName(path: string): string {
  const absolute = resolve(path);
  const name = basename(absolute) === ".git" ? basename(dirname(absolute)) : basename(absolute);
  return name.endsWith(".git") && name.length > 4 ? name.slice(0, -4) : name;
}

async function requireFolder(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new WorklensError("NOT_FOUND", `${path}: no such file or folder`, "check the path of the repository or git log file");
  }
  if (!info.isDirectory()) {
    throw invalidInput(path, "is a file, not a repository folder", "import a git log file with the file import instead");
  }
}

/** Checks that `path` is in a git repository and returns its path inside the repository ("" at the top). */
async function probeRepository(git: string, path: string): Promise<string> {
  let prefix = "";
  const run = await runGit(git, ["-C", path, "rev-parse", "--show-prefix"], (line) => {
    if (line !== "") prefix = line;
  });
  if (run.exitCode !== 0) {
    throw invalidInput(
      path,
      `is not a git repository (${firstLine(run.stderr)})`,
      `pass the folder of a git clone (the one that contains .git), or a file written by: ${GIT_LOG_COMMAND}`,
    );
  }
  return prefix;
}

/** Collects the hashes of all commits reachable from the main line, none when it has no commit yet. */
async function readMainline(git: string, path: string): Promise<Set<string>> {
  const mainlineRefs: string[] = [];
  const listArgs = ["-C", path, "for-each-ref", "--format=%(refname)%00%(symref)", "refs/heads", "refs/remotes"];
  const listed = await runGit(git, listArgs, (line) => {
    const [refname = "", symref = ""] = line.split("\0");
    if (isMainlineRef(refname)) mainlineRefs.push(refname);
    // "refs/remotes/origin/HEAD" points at the remote's default branch, whatever its name.
    if (refname.startsWith("refs/remotes/") && refname.endsWith("/HEAD") && symref !== "") mainlineRefs.push(symref);
  });
  if (listed.exitCode !== 0) {
    throw invalidInput(path, `git for-each-ref failed (${firstLine(listed.stderr)})`, "check that the repository is readable, then import again");
  }

  // NOTE: without a branch of a usual main-line name, the checked-out branch is used as
  // the main line, so the issue keys of that branch's own commits are not taken from its name.
  const headOnly = mainlineRefs.length === 0;
  if (headOnly) mainlineRefs.push("HEAD");

  const mainline = new Set<string>();
  const walked = await runGit(git, ["-C", path, "rev-list", ...new Set(mainlineRefs), "--"], (line) => {
    if (line !== "") mainline.add(line);
  });
  // HEAD of a repository without commits names no commit, so nothing is on the main line.
  if (walked.exitCode !== 0 && !headOnly) {
    throw invalidInput(path, `git rev-list failed (${firstLine(walked.stderr)})`, "check that the repository is intact (git fsck), then import again");
  }
  return mainline;
}

function isMainlineRef(refname: string): boolean {
  const parts = refname.split("/");
  if (parts[1] === "heads") return parts.length === 3 && MAINLINE_BRANCHES.has(parts[2] ?? "");
  if (parts[1] === "remotes") return parts.length === 4 && MAINLINE_BRANCHES.has(parts[3] ?? "");
  return false;
}
