import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BenchConfig } from "../config.js";
import { formatCount, formatMs, formatRate, medianOfRuns, progress } from "../harness.js";
import { median } from "../measure.js";
import type { Section } from "../report.js";
import type { ActivityRecord } from "../../domain/types.js";
import { importGit } from "../../ingest/git/import.js";
import { importJira } from "../../ingest/jira/import.js";
import { LearnedLinker, type ActivityLinker } from "../../linking/learned-linker.js";
import type { LinkingInput } from "../../linking/linker.js";
import { linkerFactory, type RankerMode } from "../../linking/model-choice.js";
import { linkActivities, loadLinkingInput, runLinking } from "../../linking/run-linking.js";
import { importSimulation } from "../../simulate/import-simulation.js";
import { simulateTeam, writeSimulation } from "../../simulate/simulate.js";
import { Store } from "../../store/store.js";

interface Dataset {
  name: string;
  store: Store;
}

interface ModelRun {
  dataset: string;
  activities: number;
  withoutKey: number;
  mode: RankerMode;
  constructMs: number;
  linkMs: number;
  linkCpuMs: number;
  endToEndMs: number;
}

interface Agreement {
  dataset: string;
  compared: number;
  sameBest: number;
  sameScore: number;
}

const FULL_TEAM = { people: 8, days: 20 };
const QUICK_TEAM = { people: 3, days: 5 };

/**
 * Model 1's speed: how many activities per second the learned ranker and the rules
 * link once their input is loaded (the loop `runLinking` runs, heartbeat cache
 * included), and the whole `runLinking` with the store's reads, decryption,
 * scrubbing and writes. The rules are the baseline measured in the same run. Runs on
 * the bundled Nutch data and on a simulated team, in the benchmark's own process.
 */
export async function benchLinking(config: BenchConfig, root: string, work: string): Promise<Section> {
  const folder = await mkdtemp(join(work, "linking-"));
  const team = config.quick ? QUICK_TEAM : FULL_TEAM;
  const datasets = [await nutchStore(root, folder), await simulatedStore(folder, team, config.seed)];
  const runs: ModelRun[] = [];
  const agreements: Agreement[] = [];
  try {
    for (const dataset of datasets) {
      for (const mode of ["learned", "rules"] as const) runs.push(await measureModel(dataset, mode, config.repeats.linking));
      agreements.push(await measureAgreement(dataset));
    }
  } finally {
    for (const dataset of datasets) await dataset.store.close();
    await rm(folder, { recursive: true, force: true });
  }

  const baseline = (run: ModelRun) => runs.find((r) => r.dataset === run.dataset && r.mode === "rules");
  return {
    title: "7. Linking speed",
    blocks: [
      `Two stores: the bundled Apache Nutch data (Jira issues and git log, as the demo imports them) and a simulated team of ${String(team.people)} people over ${String(team.days)} working days ` +
        `(\`worklens simulate --people ${String(team.people)} --days ${String(team.days)} --seed ${String(config.seed)}\`, imported as \`eval time\` does). ` +
        `"link" is \`linkActivities\`, the loop of \`runLinking\` without the store: every activity once, with identical keyless heartbeats of a day ranked once, ${medianOfRuns(config.repeats.linking)} (CPU time of the process beside it). ` +
        '"build" is the linker\'s construction from the loaded input (TF-IDF index, issue embeddings), timed once on a fresh embedder. ' +
        '"end to end" is one `runLinking` call: load and decrypt the texts, scrub them, build, link, and replace the stored links in one transaction. The rules (AI off) are the baseline of the same run.',
      {
        headers: ["data", "activities", "without a key", "model", "build", "link", "link rate", "CPU rate", "÷ rules", "end to end", "end-to-end rate"],
        rows: runs.map((run) => {
          const rules = baseline(run);
          return [
            run.dataset,
            formatCount(run.activities),
            formatCount(run.withoutKey),
            run.mode === "learned" ? "learned ranker" : "rules",
            formatMs(run.constructMs),
            formatMs(run.linkMs),
            formatRate(run.activities, run.linkMs),
            formatRate(run.activities, run.linkCpuMs),
            rules === undefined || run.mode === "rules" ? "1.00×" : `${(run.linkMs / rules.linkMs).toFixed(2)}×`,
            formatMs(run.endToEndMs),
            formatRate(run.activities, run.endToEndMs),
          ];
        }),
      },
      "The learned ranker scores every candidate with its first 50 trees and finishes the best 20 with all trees (`LearnedLinker.score`). " +
        "The table compares its links with a ranking by every tree on all candidates, for each activity without a key that the ranker links:",
      {
        headers: ["data", "activities compared", "same best issue", "same score"],
        rows: agreements.map((a) => [a.dataset, formatCount(a.compared), share(a.sameBest, a.compared), share(a.sameScore, a.compared)]),
      },
    ],
  };
}

async function nutchStore(root: string, folder: string): Promise<Dataset> {
  progress("  linking: importing the Nutch data");
  const store = await Store.open({ kind: "sqlite", file: join(folder, "nutch.sqlite") });
  await importJira(store, join(root, "data/nutch/jira-issues.json"));
  await importGit(store, join(root, "data/nutch/git-log.txt"));
  return { name: "Nutch", store };
}

async function simulatedStore(folder: string, team: { people: number; days: number }, seed: number): Promise<Dataset> {
  progress(`  linking: simulating ${String(team.people)} people over ${String(team.days)} days`);
  const files = join(folder, "simulation");
  await writeSimulation(files, simulateTeam({ ...team, seed }));
  const store = await Store.open({ kind: "sqlite", file: join(folder, "simulated.sqlite") });
  await importSimulation(store, files);
  return { name: "simulated team", store };
}

async function measureModel(dataset: Dataset, mode: RankerMode, repeats: number): Promise<ModelRun> {
  progress(`  linking: ${dataset.name}, ${mode}`);
  const input = await loadLinkingInput(dataset.store);
  const factory = await linkerFactory(dataset.store, mode);

  let started = performance.now();
  const linker = await factory(input);
  const constructMs = performance.now() - started;

  const wall: number[] = [];
  const cpu: number[] = [];
  let activities = 0;
  for (let run = 0; run < repeats; run++) {
    const cpuBefore = process.cpuUsage();
    started = performance.now();
    activities = linkActivities(linker, input, input.activities).summary.activities;
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }

  started = performance.now();
  await runLinking(dataset.store, { ranker: mode });
  const endToEndMs = performance.now() - started;

  return {
    dataset: dataset.name,
    activities,
    withoutKey: keyless(input).length,
    mode,
    constructMs,
    linkMs: median(wall),
    linkCpuMs: median(cpu),
    endToEndMs,
  };
}

/** Compares `link` (staged scoring) with `rankIssues` (every tree on every candidate) on each activity without a key. */
async function measureAgreement(dataset: Dataset): Promise<Agreement> {
  const input = await loadLinkingInput(dataset.store);
  const linker: ActivityLinker = await (await linkerFactory(dataset.store, "learned"))(input);
  const agreement: Agreement = { dataset: dataset.name, compared: 0, sameBest: 0, sameScore: 0 };
  if (!(linker instanceof LearnedLinker)) return agreement;
  for (const activity of keyless(input)) {
    const top = linker.link(activity)[0];
    if (top === undefined) continue;
    const full = linker.rankIssues(activity)[0];
    agreement.compared += 1;
    if (full?.issue.id === top.issueId) agreement.sameBest += 1;
    if (full?.issue.id === top.issueId && full.score === top.score) agreement.sameScore += 1;
  }
  return agreement;
}

function keyless(input: LinkingInput): ActivityRecord[] {
  return input.activities.filter((a) => a.kind !== "out_of_office" && a.explicitKeys.length === 0);
}

function share(part: number, whole: number): string {
  return whole === 0 ? "–" : `${formatCount(part)} (${((100 * part) / whole).toFixed(2)} %)`;
}
