import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import { importGit } from "../ingest/git/import.js";
import { parseGitLog } from "../ingest/git/parse-log.js";
import { readRepository } from "../ingest/git/repository.js";
import { Store } from "../store/store.js";
import { StageRecorder, type StageSample } from "./measure.js";
import { runSyntheticPipeline } from "./synthetic-pipeline.js";

/** One measurement, run in a fresh worker process so its peak RSS is its own. */
export const workerTaskSchema = z.discriminatedUnion("task", [
  /** `git log` on a repository into the parser, without a store. */
  z.object({ task: z.literal("git-read"), repository: z.string(), resultFile: z.string() }),
  z.object({ task: z.literal("git-import"), repository: z.string(), storeFile: z.string(), resultFile: z.string() }),
  z.object({ task: z.literal("log-parse"), file: z.string(), resultFile: z.string() }),
  z.object({ task: z.literal("log-import"), file: z.string(), storeFile: z.string(), resultFile: z.string() }),
  z.object({ task: z.literal("synthetic"), manifestFile: z.string(), storeFile: z.string(), resultFile: z.string() }),
]);
export type WorkerTask = z.infer<typeof workerTaskSchema>;

export interface WorkerResult {
  stages: StageSample[];
  /** Counts that show the run did the expected work: imported, skipped, linked. */
  facts: Record<string, number>;
  /** Peak RSS of the worker process over its whole life, Node's own start-up included. */
  maxRssBytes: number;
}

/** Runs one task and writes its WorkerResult as JSON to the task's result file. */
export async function runWorkerTask(task: WorkerTask): Promise<void> {
  const recorder = new StageRecorder();
  const facts = await runTask(task, recorder);
  const result: WorkerResult = { stages: recorder.samples, facts, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  await writeFile(task.resultFile, JSON.stringify(result));
}

async function runTask(task: WorkerTask, recorder: StageRecorder): Promise<Record<string, number>> {
  switch (task.task) {
    case "git-read": {
      const parsed = await recorder.stage("git log + parse", () => readRepository(task.repository), (r) => r.records.length);
      return { commits: parsed.records.length, skipped: parsed.skipped.length };
    }
    case "git-import":
      return importIntoFreshStore(recorder, task.storeFile, (store) => importGit(store, task.repository));
    case "log-parse": {
      const text = await recorder.stage("read file", () => readFile(task.file, "utf8"));
      const lines = await recorder.stage("split lines (baseline)", () => text.split("\n").length, (n) => n);
      const parsed = await recorder.stage("parse", () => parseGitLog(text, { file: task.file, repo: "bench" }), (r) => r.records.length);
      return { lines, commits: parsed.records.length, skipped: parsed.skipped.length };
    }
    case "log-import":
      return importIntoFreshStore(recorder, task.storeFile, (store) => importGit(store, task.file, { repo: "bench" }));
    case "synthetic":
      return runSyntheticPipeline(recorder, task.manifestFile, task.storeFile);
  }
}

async function importIntoFreshStore(
  recorder: StageRecorder,
  storeFile: string,
  work: (store: Store) => Promise<{ imported: number; duplicate: number; skipped: unknown[] }>,
): Promise<Record<string, number>> {
  const store = await recorder.stage("open store", () => Store.open({ kind: "sqlite", file: storeFile }));
  try {
    const report = await recorder.stage("import", () => work(store), (r) => r.imported + r.duplicate);
    return { imported: report.imported, duplicate: report.duplicate, skipped: report.skipped.length };
  } finally {
    await store.close();
  }
}
