import { readFile } from "node:fs/promises";
import { runAllocation } from "../allocation/run-allocation.js";
import type { ImportReport } from "../domain/types.js";
import { importGit } from "../ingest/git/import.js";
import { importJira } from "../ingest/jira/import.js";
import { importWakatime } from "../ingest/wakatime/import.js";
import { runLinking } from "../linking/run-linking.js";
import { Store } from "../store/store.js";
import { workloadManifestSchema, type WorkloadManifest } from "./generate.js";
import type { StageRecorder } from "./measure.js";

/** Stage names, shared with the report so its rows line up with what the worker measured. */
export const SYNTHETIC_STAGES = {
  open: "open store",
  jiraBaseline: "Jira: read + JSON.parse (baseline)",
  jira: "Jira: import",
  gitBaseline: "git: read + split lines (baseline)",
  git: "git: import",
  wakatimeBaseline: "WakaTime: read + JSON.parse (baseline)",
  wakatime: "WakaTime: import",
  link: "link",
  allocate: "allocate",
} as const;

/**
 * Imports the synthetic workload into a fresh SQLite store, links and allocates,
 * timing each stage. Before each import a baseline stage reads the same files and
 * parses them with JSON.parse or splits them into lines, the least any importer
 * must do, so the import can be compared with it on the same machine and run.
 */
export async function runSyntheticPipeline(recorder: StageRecorder, manifestFile: string, storeFile: string): Promise<Record<string, number>> {
  const manifest = workloadManifestSchema.parse(JSON.parse(await readFile(manifestFile, "utf8")));
  const facts: Record<string, number> = {};
  const store = await recorder.stage(SYNTHETIC_STAGES.open, () => Store.open({ kind: "sqlite", file: storeFile }));

  try {
    await importStages(recorder, store, manifest, facts);

    const linking = await recorder.stage(SYNTHETIC_STAGES.link, () => runLinking(store), (s) => s.activities);
    facts["linked activities"] = linking.activities;
    facts["linked by issue key"] = linking.explicit;
    facts["linked by ranking"] = linking.ranked;
    facts["unlinked"] = linking.unlinked;

    const allocation = await recorder.stage(SYNTHETIC_STAGES.allocate, () => runAllocation(store, undefined), () => linking.activities);
    facts["suggestions"] = allocation.suggestions.length;
    facts["person-days"] = allocation.days.length;
  } finally {
    await store.close();
  }
  return facts;
}

async function importStages(recorder: StageRecorder, store: Store, manifest: WorkloadManifest, facts: Record<string, number>): Promise<void> {
  const issues = manifest.jira.records;
  await recorder.stage(SYNTHETIC_STAGES.jiraBaseline, async () => JSON.parse(await readFile(manifest.jira.file, "utf8")) as unknown, issues);
  const jira = await recorder.stage(SYNTHETIC_STAGES.jira, () => importJira(store, manifest.jira.file), issues);
  facts["Jira issues imported"] = jira.counts.issues.imported;
  facts["Jira events imported"] = jira.counts.events.imported;
  facts["Jira issue_action activities"] = jira.counts.actions.imported;
  facts["Jira skipped"] = jira.skipped.length;

  const commits = sum(manifest.gitLogs.map((log) => log.records));
  await recorder.stage(
    SYNTHETIC_STAGES.gitBaseline,
    async () => {
      let lines = 0;
      for (const log of manifest.gitLogs) lines += (await readFile(log.file, "utf8")).split("\n").length;
      return lines;
    },
    commits,
  );
  const git = await recorder.stage(
    SYNTHETIC_STAGES.git,
    async () => {
      const reports: ImportReport[] = [];
      for (const log of manifest.gitLogs) reports.push(await importGit(store, log.file, { repo: log.repo }));
      return reports;
    },
    commits,
  );
  facts["commits imported"] = sum(git.map((r) => r.imported));
  facts["commits skipped"] = sum(git.map((r) => r.skipped.length));

  const heartbeats = sum(manifest.wakatime.map((file) => file.records));
  await recorder.stage(
    SYNTHETIC_STAGES.wakatimeBaseline,
    async () => {
      let parsed = 0;
      for (const file of manifest.wakatime) parsed += (JSON.parse(await readFile(file.file, "utf8")) as unknown[]).length;
      return parsed;
    },
    heartbeats,
  );
  const wakatime = await recorder.stage(
    SYNTHETIC_STAGES.wakatime,
    async () => {
      const reports: ImportReport[] = [];
      for (const file of manifest.wakatime) {
        const person = { source: "wakatime" as const, externalId: file.email, email: file.email, displayName: file.displayName };
        reports.push(await importWakatime(store, file.file, { person }));
      }
      return reports;
    },
    heartbeats,
  );
  facts["heartbeats imported"] = sum(wakatime.map((r) => r.imported));
  facts["heartbeats duplicate"] = sum(wakatime.map((r) => r.duplicate));
  facts["heartbeats skipped"] = sum(wakatime.map((r) => r.skipped.length));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
