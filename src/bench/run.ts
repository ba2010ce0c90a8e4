import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBenchArgs, USAGE, type BenchConfig } from "./config.js";
import { formatCount, formatMs, progress } from "./harness.js";
import { describeMachine, machineTable } from "./machine.js";
import { renderSections, writeReport, type Section } from "./report.js";
import { benchDemo } from "./suites/demo.js";
import { benchGitRepository } from "./suites/git-repository.js";
import { benchHeartbeatLoad } from "./suites/heartbeat-load.js";
import { benchLinking } from "./suites/linking.js";
import { benchModels } from "./suites/models.js";
import { benchNutchLog } from "./suites/nutch-log.js";
import { benchSyntheticTeam } from "./suites/synthetic-team.js";
import { benchWebViews } from "./suites/web-views.js";
import { runWorkerTask, workerTaskSchema } from "./worker.js";

/**
 * Entry point of `npm run bench` (compiled to dist/bench/run.js). With `--worker
 * <task JSON>` it runs one measurement and exits; the benchmark starts itself that
 * way so each measurement has a process of its own.
 */
async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === "--worker") {
    await runWorkerTask(workerTaskSchema.parse(JSON.parse(argv[1] ?? "")));
    return 0;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }

  const root = fileURLToPath(new URL("../../", import.meta.url));
  let config: BenchConfig;
  try {
    config = parseBenchArgs(argv, join(root, "docs", "benchmarks.md"));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  const work = await mkdtemp(join(tmpdir(), "worklens-bench-"));
  const date = new Date();
  const started = performance.now();
  const sections: Section[] = [];
  try {
    if (config.only.has("git")) sections.push(await benchGitRepository(config, work));
    if (config.only.has("nutch")) sections.push(await benchNutchLog(config, root, work));
    if (config.only.has("demo")) sections.push(await benchDemo(config, root, work));
    if (config.only.has("synthetic")) sections.push(await benchSyntheticTeam(config, work));
    if (config.only.has("load")) sections.push(await benchHeartbeatLoad(config, work));
    if (config.only.has("web")) sections.push(await benchWebViews(config, work));
    if (config.only.has("models")) sections.push(benchModels(config));
    if (config.only.has("linking")) sections.push(await benchLinking(config, root, work));
  } finally {
    if (config.keep) progress(`kept the inputs and stores in ${work}`);
    else await rm(work, { recursive: true, force: true });
  }

  const report = renderSections([runSection(config, date, performance.now() - started), ...sections]);
  process.stdout.write(`${report}\n`);
  if (config.doc !== undefined) {
    await writeReport(config.doc, report);
    progress(`wrote ${config.doc}`);
  }
  return 0;
}

function runSection(config: BenchConfig, date: Date, totalMs: number): Section {
  const sizes = config.synthetic;
  return {
    title: "This run",
    blocks: [
      `Command: \`${config.command}\` (${config.quick ? "quick smoke run, small inputs" : "default sizes"}${config.scale === 1 ? "" : `, synthetic sizes scaled by ${config.scale}`}), seed ${config.seed}; ` +
        `the whole run took ${formatMs(totalMs)}. Runs per measurement: git ${config.repeats.git}, Nutch log ${config.repeats.nutch}, ` +
        `demo ${config.repeats.demo}, synthetic team ${config.repeats.synthetic}, load ${config.repeats.load} (${config.loadSeconds} s per server), web views ${config.repeats.web} requests per view. Generated repository: ${formatCount(config.repositoryCommits)} commits; ` +
        `synthetic team: ${formatCount(sizes.people)} people, ${formatCount(sizes.issues)} issues, ${formatCount(sizes.commits)} commits, ${formatCount(sizes.heartbeats)} heartbeats.`,
      machineTable(describeMachine(), date),
    ],
  };
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
});
