import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../src/domain/errors.js";
import { runGit } from "../../src/ingest/git/git-process.js";
import { importGit } from "../../src/ingest/git/import.js";
import { createTempRepo, type TempRepo } from "../../src/ingest/git/test-support/temp-repo.js";
import { setCollectionPolicy } from "../../src/store/privacy-settings.js";
import { openTestStore, type TestStore } from "../../src/store/test-support/backends.js";

/**
 * Git is read as metadata only. A wrapper around the git executable records every argument
 * list worklens passes and every byte git writes to standard output, so the test checks exactly
 * what worklens receives from git.
 */

const MARKER = "blob-content-marker-5d91c";
const REAL_GIT = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();

/** Git subcommands and options that print file contents. */
const CONTENT_SUBCOMMANDS = new Set(["show", "cat-file", "blame", "annotate", "diff", "grep", "archive", "format-patch", "difftool"]);
const CONTENT_OPTIONS = [/^-p$/, /^--patch/, /^-u$/, /^-U\d*$/, /^--unified/, /^--cc$/, /^-c$/, /^--word-diff/, /^--color-words/, /^--textconv$/, /^--ext-diff$/, /^--full-diff$/, /^--patch-with/, /^-G/, /^-S/, /^--binary$/];

interface Wrapper {
  /** The wrapper executable to pass as the git to run. */
  path: string;
  /** Every argument list, one per run. */
  calls(): string[][];
  /** Everything git wrote to standard output, across runs. */
  stdout(): string;
}

/** Writes a shell script that runs the real git, appending its arguments and its standard output to logs. */
function gitWrapper(folder: string): Wrapper {
  const path = join(folder, "git-recording");
  const argsLog = join(folder, "git-args.log");
  const stdoutLog = join(folder, "git-stdout.log");
  writeFileSync(
    path,
    [
      "#!/bin/bash",
      "set -o pipefail",
      // One argument per line, then a blank line that ends the run. No argument worklens passes is empty.
      `for arg in "$@"; do printf '%s\\n' "$arg" >> '${argsLog}'; done`,
      `printf '\\n' >> '${argsLog}'`,
      `'${REAL_GIT}' "$@" | tee -a '${stdoutLog}'`,
    ].join("\n") + "\n",
  );
  chmodSync(path, 0o700);
  return {
    path,
    calls: () => {
      if (!existsSync(argsLog)) return [];
      const runs = readFileSync(argsLog, "utf8").split("\n\n").filter((run) => run.trim() !== "");
      return runs.map((run) => run.replace(/^\n+/, "").split("\n").filter((arg) => arg !== ""));
    },
    stdout: () => (existsSync(stdoutLog) ? readFileSync(stdoutLog, "utf8") : ""),
  };
}

/** Returns the subcommand of a git argument list: the first argument after `-C <path>` and `-c <name=value>` pairs. */
function subcommandOf(args: readonly string[]): string {
  let i = 0;
  while (args[i] === "-C" || args[i] === "-c") i += 2;
  return args[i] ?? "";
}

/** Two commits on main, one on a feature branch; every file contains the marker. */
function buildRepository(repo: TempRepo): void {
  repo.commit({ message: "PROJ-1 add parser\n\nHandles the header.", files: { "src/parser.ts": `export const x = "${MARKER}";\n`, "README.md": `${MARKER}\n` }, authorDate: "2025-03-03T09:00:00+01:00" });
  repo.git(["checkout", "--quiet", "-b", "feature/PROJ-2-export"]);
  repo.commit({ message: "Export to CSV", files: { "src/export.ts": `// ${MARKER}\nexport {};\n` }, authorDate: "2025-03-04T10:30:00+01:00" });
  repo.git(["checkout", "--quiet", "main"]);
  repo.commit({ message: "PROJ-3 fix parser", files: { "src/parser.ts": `export const y = "${MARKER}";\n` }, authorDate: "2025-03-05T14:00:00+01:00" });
}

/** Deletes every loose blob object, leaving commits and trees. Returns how many were deleted. */
function deleteBlobs(repo: TempRepo): number {
  const objects = repo.git(["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"]).trim().split("\n");
  const blobs = objects.map((line) => line.split(" ")).filter(([, type]) => type === "blob").map(([name]) => name ?? "");
  for (const blob of blobs) rmSync(join(repo.path, ".git", "objects", blob.slice(0, 2), blob.slice(2)));
  return blobs.length;
}

describe("git import reads metadata only", () => {
  let handle: TestStore;
  let repo: TempRepo;
  let wrapper: Wrapper;

  beforeEach(async () => {
    handle = await openTestStore("sqlite");
    repo = createTempRepo("shop");
    buildRepository(repo);
    wrapper = gitWrapper(repo.root);
  });

  afterEach(async () => {
    repo.dispose();
    await handle.dispose();
  });

  it("never receives file content", async () => {
    const report = await importGit(handle.store, repo.path, { git: wrapper.path });

    expect(report.imported).toBe(3);
    expect(wrapper.stdout()).toContain("PROJ-1 add parser");
    expect(wrapper.stdout()).toContain("src/parser.ts");
    expect(wrapper.stdout()).not.toContain(MARKER);

    const calls = wrapper.calls();
    expect(calls.map(subcommandOf)).toEqual(["rev-parse", "for-each-ref", "rev-list", "log"]);
    for (const args of calls) {
      expect(CONTENT_SUBCOMMANDS.has(subcommandOf(args))).toBe(false);
      const afterSubcommand = args.slice(args.indexOf(subcommandOf(args)) + 1);
      for (const arg of afterSubcommand) {
        expect(CONTENT_OPTIONS.some((pattern) => pattern.test(arg)), `git option ${arg}`).toBe(false);
      }
    }
  });

  it("captures content when git prints it (control)", async () => {
    // The same wrapper with a patch-printing log: the marker reaches the log, so the check above can fail.
    const run = await runGit(wrapper.path, ["-C", repo.path, "log", "-p"], () => undefined);

    expect(run.exitCode).toBe(0);
    expect(wrapper.stdout()).toContain(MARKER);
    expect(wrapper.calls().map(subcommandOf)).toEqual(["log"]);
  });

  it("imports without blobs when line counts are off", async () => {
    await setCollectionPolicy(handle.store, { git: { lineCounts: false } }, { actor: "cli" });
    expect(deleteBlobs(repo)).toBe(4);

    const report = await importGit(handle.store, repo.path, { git: wrapper.path });

    expect(report.imported).toBe(3);
    expect(report.skipped).toEqual([]);
    expect(wrapper.calls().find((args) => subcommandOf(args) === "log")).toContain("--name-only");
    expect(wrapper.calls().flat()).not.toContain("--numstat");
    const activities = await handle.store.activities.list({ source: "git" });
    const texts = await handle.store.activities.texts(activities.map((a) => a.id));
    const byTitle = new Map(activities.map((a) => [texts.get(a.id)?.title ?? "", a]));
    const first = byTitle.get("PROJ-1 add parser");
    const branchCommit = byTitle.get("Export to CSV");

    expect([...byTitle.keys()].sort()).toEqual(["Export to CSV", "PROJ-1 add parser", "PROJ-3 fix parser"]);
    expect(first?.startAt).toBe(Date.parse("2025-03-03T09:00:00+01:00"));
    expect(first?.metrics).toEqual({ filesChanged: 2 });
    expect(texts.get(first?.id ?? -1)).toEqual({ title: "PROJ-1 add parser", body: "Handles the header.", branch: undefined, paths: "README.md\nsrc/parser.ts" });
    expect(branchCommit?.explicitKeys).toEqual(["PROJ-2"]);
    expect(texts.get(branchCommit?.id ?? -1)?.branch).toBe("feature/PROJ-2-export");
  });

  it("fails without blobs when line counts are on (control)", async () => {
    // With --numstat git must read every changed blob to count lines, so the same repository fails.
    expect(deleteBlobs(repo)).toBe(4);

    const failure = await importGit(handle.store, repo.path, { git: wrapper.path }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorklensError);
    expect((failure as WorklensError).message).toMatch(/git log failed \(fatal: unable to read [0-9a-f]{40}\)/);
  });
});
