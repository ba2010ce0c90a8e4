import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { BenchConfig } from "../config.js";
import { generateWorkload, MANIFEST_FILE, writeWorkload, type WorkloadManifest } from "../generate.js";
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
  runWorkerRepeated,
  summarizeStages,
  type StageSummary,
} from "../harness.js";
import { median } from "../measure.js";
import type { Section } from "../report.js";
import { SYNTHETIC_STAGES } from "../synthetic-pipeline.js";

/** Each import stage and the baseline stage it is compared with. */
const BASELINE_OF = new Map<string, string>([
  [SYNTHETIC_STAGES.jira, SYNTHETIC_STAGES.jiraBaseline],
  [SYNTHETIC_STAGES.git, SYNTHETIC_STAGES.gitBaseline],
  [SYNTHETIC_STAGES.wakatime, SYNTHETIC_STAGES.wakatimeBaseline],
]);

/** Runs the whole pipeline on a generated team (import Jira, git and WakaTime data, link, allocate) and reports each stage. */
export async function benchSyntheticTeam(config: BenchConfig, work: string): Promise<Section> {
  const folder = join(work, "synthetic");
  await mkdir(folder, { recursive: true });
  const started = performance.now();
  const manifest = await writeWorkload(generateWorkload(config.synthetic, config.seed), folder);
  const generationMs = performance.now() - started;
  progress(`synthetic: generated in ${formatMs(generationMs)} into ${folder}`);

  const storeFile = join(folder, "store.sqlite");
  const runs = config.repeats.synthetic;
  const results = await runWorkerRepeated(
    "synthetic pipeline",
    { task: "synthetic", manifestFile: join(folder, MANIFEST_FILE), storeFile },
    runs,
    work,
    () => removeSqlite(storeFile),
  );
  const stages = summarizeStages(results);
  const facts = results.at(-1)?.facts ?? {};
  const pipeline = stages.filter((s) => !s.name.includes("baseline")).reduce((total, s) => total + s.wall.median, 0);

  return {
    title: "4. A synthetic team: import, link, allocate",
    blocks: [
      sizesParagraph(config, manifest, generationMs),
      inputTable(manifest),
      `Each stage's time is ${medianOfRuns(runs)} of the whole pipeline in fresh worker processes, each on a fresh SQLite store. ` +
        "The baseline rows read the same files and only `JSON.parse` them or split them into lines, the least any importer must do. " +
        "Heap peak is sampled every 10 ms after a full garbage collection before each stage; peak RSS is the process's peak up to the end of the stage, so it only grows.",
      stageTable(stages),
      `Pipeline total (stages without the baselines): **${formatMs(pipeline)}**; peak RSS of the worker process: ` +
        `**${formatMiB(median(results.map((r) => r.maxRssBytes)))} MiB**.`,
      {
        headers: ["outcome of the last run", "count"],
        rows: Object.entries(facts).map(([name, value]) => [name, formatCount(value)]),
      },
    ],
  };
}

function sizesParagraph(config: BenchConfig, manifest: WorkloadManifest, generationMs: number): string {
  const sizes = config.synthetic;
  const scaled = config.quick
    ? " These are the small sizes of `--quick`."
    : config.scale === 1
      ? " These are the default sizes, a 50-person team's year; `--scale 0.5` halves them."
      : ` These are the default sizes scaled by ${config.scale} (\`--scale\`).`;
  return (
    `${formatCount(sizes.people)} people (${formatCount(manifest.wakatime.length)} of them engineers with WakaTime data) in six time zones, ` +
    `${formatCount(sizes.issues)} Jira issues in 4 projects, ${formatCount(sizes.commits)} commits in ${manifest.gitLogs.length} repositories ` +
    `and ${formatCount(sizes.heartbeats)} WakaTime heartbeats over 2024. ` +
    `They were generated with seed ${manifest.seed} in ${formatMs(generationMs)}, which is not part of the timings.` +
    scaled
  );
}

function inputTable(manifest: WorkloadManifest): Section["blocks"][number] {
  const total = (entries: readonly { bytes: number; records: number }[]) => ({
    bytes: entries.reduce((sum, e) => sum + e.bytes, 0),
    records: entries.reduce((sum, e) => sum + e.records, 0),
  });
  const git = total(manifest.gitLogs);
  const wakatime = total(manifest.wakatime);
  return {
    headers: ["input", "files", "records", "size (MiB)"],
    rows: [
      ["Jira REST v2 search response with changelog and comments", "1", `${formatCount(manifest.jira.records)} issues`, formatMiB(manifest.jira.bytes)],
      ["git log, fuller format with numstat", String(manifest.gitLogs.length), `${formatCount(git.records)} commits`, formatMiB(git.bytes)],
      ["WakaTime heartbeats, one JSON array per person", String(manifest.wakatime.length), `${formatCount(wakatime.records)} heartbeats`, formatMiB(wakatime.bytes)],
    ],
  };
}

function stageTable(stages: readonly StageSummary[]): Section["blocks"][number] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  return {
    headers: ["stage", "records", "median", "min – max", "records/s", "× baseline", "heap peak (MiB)", "peak RSS so far (MiB)"],
    rows: stages.map((stage) => {
      const baseline = byName.get(BASELINE_OF.get(stage.name) ?? "");
      return [
        stage.name,
        stage.records > 0 ? formatCount(stage.records) : "–",
        formatMs(stage.wall.median),
        formatSpread(stage.wall),
        formatRate(stage.records, stage.wall.median),
        baseline === undefined ? "–" : formatRatio(stage.wall.median, baseline.wall.median),
        formatMiB(stage.heapPeakBytes),
        formatMiB(stage.maxRssBytes),
      ];
    }),
  };
}
