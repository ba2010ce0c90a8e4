import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { BenchConfig } from "../config.js";
import {
  formatCount,
  formatMiB,
  formatMs,
  formatRate,
  formatRatio,
  formatSpread,
  medianOfRuns,
  removeSqlite,
  runWorkerRepeated,
  stageNamed,
  summarizeStages,
  type StageSummary,
} from "../harness.js";
import { median } from "../measure.js";
import type { Section } from "../report.js";

/** Commits in the bundled Apache Nutch git log. */
const NUTCH_COMMITS = 3_033;

/**
 * Times parseGitLog on the bundled Nutch git log, in memory, against a plain split
 * into lines, and importGit from the file into a fresh SQLite store.
 */
export async function benchNutchLog(config: BenchConfig, root: string, work: string): Promise<Section> {
  const file = join(root, "data", "nutch", "git-log.txt");
  const runs = config.repeats.nutch;
  const bytes = (await stat(file)).size;
  const parse = await runWorkerRepeated("Nutch log parse", { task: "log-parse", file }, runs, work);
  const storeFile = join(work, "nutch-store.sqlite");
  const imported = await runWorkerRepeated("Nutch log import", { task: "log-import", file, storeFile }, runs, work, () => removeSqlite(storeFile));

  const parseStages = summarizeStages(parse);
  const importStages = summarizeStages(imported);
  const baseline = stageNamed(parseStages, "split lines (baseline)");
  const parsed = stageNamed(parseStages, "parse");
  const importStage = stageNamed(importStages, "import");
  const commits = parse[0]?.facts["commits"] ?? NUTCH_COMMITS;
  const lines = parse[0]?.facts["lines"] ?? 0;

  const row = (label: string, stage: StageSummary, base: StageSummary | undefined, rss: number): string[] => [
    label,
    formatMs(stage.wall.median),
    formatSpread(stage.wall),
    stage.records > 0 ? formatRate(commits, stage.wall.median) : "–",
    base === undefined ? "–" : formatRatio(stage.wall.median, base.wall.median),
    formatMiB(stage.heapPeakBytes),
    formatMiB(rss),
  ];
  const parseRss = median(parse.map((r) => r.maxRssBytes));
  const importRss = median(imported.map((r) => r.maxRssBytes));

  return {
    title: "2. Git: the bundled Nutch log file",
    blocks: [
      `\`data/nutch/git-log.txt\`: ${formatCount(commits)} commits, ${formatCount(lines)} lines, ${formatMiB(bytes)} MiB. ` +
        `Times are ${medianOfRuns(runs)} in fresh worker processes. The parse works on the text already in memory; ` +
        "the import (`importGit` on the file) streams the file through the parser and writes every commit. " +
        "Peak RSS is the worker process's peak up to the end of that step.",
      {
        headers: ["step", "median", "min – max", "commits/s", "× baseline", "heap peak (MiB)", "peak RSS (MiB)"],
        rows: [
          row("read the file as UTF-8", stageNamed(parseStages, "read file"), undefined, parseRss),
          row("baseline: `text.split(\"\\n\")`", baseline, undefined, parseRss),
          row("`parseGitLog` (parse only)", parsed, baseline, parseRss),
          row("open a fresh SQLite store (create and migrate)", stageNamed(importStages, "open store"), undefined, importRss),
          row("`importGit` on the file (read, parse, store)", importStage, baseline, importRss),
        ],
      },
      `The parse takes ${formatRatio(parsed.wall.median, baseline.wall.median)} the time of splitting the text into lines; ` +
        `the import takes ${formatRatio(importStage.wall.median, parsed.wall.median)} the time of the parse alone.`,
    ],
  };
}
