import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runChecked, type ChildRun, type ChildOptions } from "./child-process.js";
import { median, spread, type Spread } from "./measure.js";
import type { WorkerResult, WorkerTask } from "./worker.js";

/** The compiled benchmark entry point, which runs a task when given --worker. */
const ENTRY = fileURLToPath(new URL("./run.js", import.meta.url));

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A task without its result file, which `runWorkerRepeated` assigns. */
export type TaskSpec = DistributiveOmit<WorkerTask, "resultFile">;

/** Logs one line of progress to standard error, so standard output stays free for the report. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Runs `task` `repeats` times, each in a fresh Node process (with --expose-gc), and
 * returns each run's result. `prepare` runs before each run, untimed, to give it a
 * fresh store file.
 */
export async function runWorkerRepeated(
  label: string,
  task: TaskSpec,
  repeats: number,
  work: string,
  prepare: (run: number) => Promise<void> = () => Promise.resolve(),
): Promise<WorkerResult[]> {
  const results: WorkerResult[] = [];
  for (let run = 1; run <= repeats; run += 1) {
    await prepare(run);
    const resultFile = join(work, `result-${process.pid}-${run}.json`);
    const full: WorkerTask = { ...task, resultFile };
    await runChecked(process.execPath, ["--expose-gc", ENTRY, "--worker", JSON.stringify(full)], { stdout: "capture" });
    const result = JSON.parse(await readFile(resultFile, "utf8")) as WorkerResult;
    await rm(resultFile, { force: true });
    results.push(result);
    const stages = result.stages.map((s) => `${s.name} ${formatMs(s.wallMs)}`).join(", ");
    progress(`  ${label} run ${run}/${repeats}: ${stages}`);
  }
  return results;
}

/** Runs a command `repeats` times and returns each run's wall time and peak RSS. */
export async function runChildRepeated(
  label: string,
  command: string,
  args: readonly string[],
  options: ChildOptions,
  repeats: number,
): Promise<ChildRun[]> {
  const runs: ChildRun[] = [];
  for (let run = 1; run <= repeats; run += 1) {
    const result = await runChecked(command, args, options);
    runs.push(result);
    progress(`  ${label} run ${run}/${repeats}: ${formatMs(result.wallMs)}, peak RSS ${formatMiB(result.maxRssBytes)} MiB`);
  }
  return runs;
}

/** Deletes a SQLite store file and its journal files, so the next run starts from nothing. */
export async function removeSqlite(file: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) await rm(file + suffix, { force: true });
}

/** Medians of one stage over the runs of a worker task. */
export interface StageSummary {
  name: string;
  records: number;
  wall: Spread;
  heapPeakBytes: number;
  maxRssBytes: number;
}

/** Summarizes each stage of repeated worker runs; stages are matched by name. */
export function summarizeStages(results: readonly WorkerResult[]): StageSummary[] {
  const names = results[0]?.stages.map((s) => s.name) ?? [];
  return names.map((name) => {
    const samples = results.flatMap((r) => r.stages.filter((s) => s.name === name));
    return {
      name,
      records: median(samples.map((s) => s.records)),
      wall: spread(samples.map((s) => s.wallMs)),
      heapPeakBytes: median(samples.map((s) => s.heapPeakBytes)),
      maxRssBytes: median(samples.map((s) => s.maxRssBytes)),
    };
  });
}

export function stageNamed(stages: readonly StageSummary[], name: string): StageSummary {
  const stage = stages.find((s) => s.name === name);
  if (stage === undefined) throw new Error(`the benchmark worker reported no stage "${name}"`);
  return stage;
}

/** "the median of 5 runs", or "a single run" when there is one. */
export function medianOfRuns(runs: number): string {
  return runs === 1 ? "a single run" : `the median of ${runs} runs`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1_000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1_000).toFixed(ms < 100_000 ? 2 : 1)} s`;
}

export function formatSpread(wall: Spread): string {
  return wall.runs === 1 ? "(1 run)" : `${formatMs(wall.min)} – ${formatMs(wall.max)}`;
}

export function formatMiB(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? "n/a" : (bytes / 1_048_576).toFixed(1);
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Records per second, or "–" for a stage without records. */
export function formatRate(records: number, ms: number): string {
  if (records <= 0 || ms <= 0) return "–";
  return formatCount((records * 1_000) / ms);
}

export function formatRatio(value: number, base: number): string {
  if (!(base > 0) || !Number.isFinite(value)) return "–";
  const ratio = value / base;
  return `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`;
}
