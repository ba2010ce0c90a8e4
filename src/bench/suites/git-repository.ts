import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repositoryLogArgs } from "../../ingest/git/repository.js";
import type { ChildRun } from "../child-process.js";
import type { BenchConfig } from "../config.js";
import { generateFastImport } from "../generate-fast-import.js";
import {
  formatCount,
  formatMiB,
  formatMs,
  formatRate,
  formatRatio,
  formatSpread,
  medianOfRuns,
  progress,
  removeSqlite,
  runChildRepeated,
  runWorkerRepeated,
  stageNamed,
  summarizeStages,
} from "../harness.js";
import { median, spread, type Spread } from "../measure.js";
import type { Section } from "../report.js";

/** The command the git log file format comes from, as users run it. */
export const GIT_LOG_ARGS = ["log", "--all", "--date-order", "--format=fuller", "--date=iso-strict", "--numstat"] as const;

/**
 * Times importGit on a real repository against `git log` on the same repository.
 * The steps: (a) the documented git log command, (a') git log with the importer's own
 * arguments, (b0) the importer's git log piped into its parser without a store, and
 * (b) the full import into a fresh SQLite store.
 */
export async function benchGitRepository(config: BenchConfig, work: string): Promise<Section> {
  const repository = join(work, "repository");
  const stream = generateFastImport({ commits: config.repositoryCommits, seed: config.seed });
  createRepository(repository, stream.text);
  progress(`git: repository of ${formatCount(stream.commits)} commits (${stream.merges} merges) at ${repository}`);

  const runs = config.repeats.git;
  const gitLogRuns = await runChildRepeated("(a) git log", "git", GIT_LOG_ARGS, { cwd: repository, stdout: "null" }, runs);
  const importerLogRuns = await runChildRepeated("(a') git log, importer's arguments", "git", repositoryLogArgs(repository), { stdout: "null" }, runs);
  const readRuns = await runWorkerRepeated("(b0) git log + parse", { task: "git-read", repository }, runs, work);
  const storeFile = join(work, "git-store.sqlite");
  const importRuns = await runWorkerRepeated("(b) importGit", { task: "git-import", repository, storeFile }, runs, work, () => removeSqlite(storeFile));

  const gitLog = spread(gitLogRuns.map((r) => r.wallMs));
  const importerLog = spread(importerLogRuns.map((r) => r.wallMs));
  const readStage = stageNamed(summarizeStages(readRuns), "git log + parse");
  const importStages = summarizeStages(importRuns);
  const importStage = stageNamed(importStages, "import");
  const openStage = stageNamed(importStages, "open store");
  const commits = stream.commits;

  const row = (label: string, wall: Spread, heapPeak: string, peakRss: number[]): string[] => [
    label,
    formatMs(wall.median),
    formatSpread(wall),
    formatRate(commits, wall.median),
    formatRatio(wall.median, gitLog.median),
    heapPeak,
    formatMiB(median(peakRss)),
  ];
  const childRss = (runs: readonly ChildRun[]) => runs.map((r) => r.maxRssBytes ?? Number.NaN);

  return {
    title: "1. Git: importGit on a repository against git log",
    blocks: [
      `A repository of ${formatCount(commits)} commits (${formatCount(stream.merges)} merge commits, ${stream.openBranches} unmerged feature branches, ` +
        `${stream.files} files with a few lines each) is built with \`git fast-import\` from a generated stream. Times are ${medianOfRuns(runs)}. ` +
        "A worker step runs in a fresh `node --expose-gc` process and its time covers the call only, not Node's start-up. " +
        "Peak RSS is the whole process's (GNU time, or the worker's own `process.resourceUsage()`).",
      {
        headers: ["step", "median", "min – max", "commits/s", "× (a)", "heap peak (MiB)", "peak RSS (MiB)"],
        rows: [
          row("(a) `git log --all --date-order --format=fuller --date=iso-strict --numstat > /dev/null`", gitLog, "–", childRss(gitLogRuns)),
          row("(a′) the same with the importer's arguments (`--source --no-renames` and others) `> /dev/null`", importerLog, "–", childRss(importerLogRuns)),
          row("(b₀) `readRepository`: the importer's git runs piped into the parser, no store", readStage.wall, formatMiB(readStage.heapPeakBytes), readRuns.map((r) => r.maxRssBytes)),
          row("(b) `importGit` into a fresh SQLite store", importStage.wall, formatMiB(importStage.heapPeakBytes), importRuns.map((r) => r.maxRssBytes)),
          ["opening the fresh store (create and migrate), before (b)", formatMs(openStage.wall.median), formatSpread(openStage.wall), "–", "–", "–", "–"],
        ],
      },
      `**(b)/(a) = ${formatRatio(importStage.wall.median, gitLog.median)}**: importing the repository takes that many times as long as git needs to print its log. ` +
        `Of (b), ${formatMs(readStage.wall.median)} is git and parsing (b₀) and the rest is writing to the store.`,
    ],
  };
}

function createRepository(folder: string, stream: string): void {
  const run = (args: string[], input?: string) => {
    const result = spawnSync("git", args, { input, encoding: "utf8", maxBuffer: 64 * 1_048_576 });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  };
  run(["init", "--quiet", "--initial-branch=main", folder]);
  run(["-C", folder, "fast-import", "--quiet"], stream);
}
