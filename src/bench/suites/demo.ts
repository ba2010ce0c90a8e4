import { join } from "node:path";
import type { ChildRun } from "../child-process.js";
import type { BenchConfig } from "../config.js";
import { formatMiB, formatMs, medianOfRuns, formatRatio, formatSpread, runChildRepeated } from "../harness.js";
import { median, spread } from "../measure.js";
import type { Section } from "../report.js";

const RSS_SOURCE_TEXT: Record<ChildRun["rssSource"], string> = {
  "gnu-time": "from GNU time (`/usr/bin/time -v`).",
  "proc-sampled": "sampled from /proc every 20 ms.",
  none: "was not measurable on this machine.",
};

/** Lines of the demo's output that show it did the whole job, copied into the report. */
const SUMMARY_LINES = /^(imported|linked|people with suggestions|days:|suggested time|wrote)/;

/**
 * Times the Nutch demo end to end as a user runs it (`node dist/cli/main.js demo` in
 * a child process), against the CLI printing its help as the baseline of start-up cost.
 */
export async function benchDemo(config: BenchConfig, root: string, work: string): Promise<Section> {
  const cli = join(root, "dist", "cli", "main.js");
  const out = join(work, "demo");
  const runs = config.repeats.demo;
  const help = await runChildRepeated("node dist/cli/main.js --help", process.execPath, [cli, "--help"], { cwd: root, stdout: "capture" }, runs);
  const demo = await runChildRepeated("node dist/cli/main.js demo", process.execPath, [cli, "demo", "--out", out], { cwd: root, stdout: "capture" }, runs);

  const helpWall = spread(help.map((r) => r.wallMs));
  const demoWall = spread(demo.map((r) => r.wallMs));
  const rssSource = demo[0]?.rssSource ?? "none";
  const output = (demo.at(-1)?.stdout ?? "")
    .split("\n")
    .map((line) => line.trim().replaceAll(work, "<tmp>"))
    .filter((line) => SUMMARY_LINES.test(line));

  return {
    title: "3. The Nutch demo end to end",
    blocks: [
      "`node dist/cli/main.js demo --out <temporary folder>`: a fresh SQLite store, the Jira import (464 issues), the git import " +
        `(3,033 commits), linking, allocation and the CSV, in a child process. Times are ${medianOfRuns(runs)}; peak RSS of the child ` +
        RSS_SOURCE_TEXT[rssSource],
      {
        headers: ["command", "median", "min – max", "× baseline", "peak RSS (MiB)"],
        rows: [
          ["baseline: `node dist/cli/main.js --help` (Node start-up and CLI load)", formatMs(helpWall.median), formatSpread(helpWall), "1.00×", formatMiB(median(help.map((r) => r.maxRssBytes ?? Number.NaN)))],
          ["`node dist/cli/main.js demo --out <tmp>`", formatMs(demoWall.median), formatSpread(demoWall), formatRatio(demoWall.median, helpWall.median), formatMiB(median(demo.map((r) => r.maxRssBytes ?? Number.NaN)))],
        ],
      },
      ...(output.length > 0 ? [`The demo's summary in the last run:\n\n${output.map((line) => `    ${line}`).join("\n")}`] : []),
    ],
  };
}
