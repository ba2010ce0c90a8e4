import { parseArgs } from "node:util";
import { z } from "zod";
import type { WorkloadSizes } from "./generate.js";

export const BENCHMARKS = ["git", "nutch", "demo", "synthetic", "load", "web", "models", "linking"] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export interface BenchConfig {
  quick: boolean;
  seed: number;
  /** Runs per measurement; each report shows the median. For web, requests per view. */
  repeats: Record<BenchmarkName, number>;
  /** Commits of the generated repository that `git log` and importGit read. */
  repositoryCommits: number;
  synthetic: WorkloadSizes;
  /** Sizes of the dataset behind the web views benchmark: a 100-person team's year, not scaled by --scale. */
  web: WorkloadSizes;
  /** Seconds autocannon drives each server in the load benchmark. */
  loadSeconds: number;
  /** Factor applied to the default synthetic sizes (1 unless --scale is given). */
  scale: number;
  only: ReadonlySet<BenchmarkName>;
  /** Markdown file to write; undefined writes none (the default of --quick). */
  doc: string | undefined;
  /** Keep the temporary folder with the generated inputs and stores. */
  keep: boolean;
  /** The command line as a user types it, for the report. */
  command: string;
}

/**
 * Default synthetic sizes: a 50-person team's year. `--scale 0.5` halves them for a
 * quicker run.
 */
const FULL_SIZES: WorkloadSizes = { people: 50, issues: 2_000, commits: 30_000, heartbeats: 200_000 };
const QUICK_SIZES: WorkloadSizes = { people: 10, issues: 200, commits: 2_000, heartbeats: 10_000 };

/**
 * The web views benchmark's team: twice the synthetic team's sizes for twice the
 * people, so each person's year is as busy as in the synthetic team. The quick team
 * still has more people than the default minimum group size of 5, so the capacity routes return numbers.
 */
const WEB_SIZES: WorkloadSizes = { people: 100, issues: 4_000, commits: 60_000, heartbeats: 400_000 };
const QUICK_WEB_SIZES: WorkloadSizes = { people: 12, issues: 240, commits: 2_400, heartbeats: 12_000 };

export const USAGE = `usage: npm run bench [-- options]

  --quick          small inputs and one run each, as a smoke test; writes no report unless --doc is given
  --repeat <n>     runs per measurement (default 5 for git, the Nutch log and linking, 3 for the demo, the synthetic team and model prediction; 1 with --quick);
                   the load benchmark always runs once, for 10 seconds per server (3 with --quick);
                   the web views benchmark sends 30 requests per view (5 with --quick), or n when n is at least 5
  --scale <f>      multiply the synthetic team's sizes by f, for example 0.5 (default 1)
  --seed <n>       seed of the generated inputs (default 1)
  --only <list>    comma-separated benchmarks to run: ${BENCHMARKS.join(", ")} (default all)
  --doc <file>     Markdown report to write (default docs/benchmarks.md; none with --quick)
  --keep           keep the temporary folder with the generated inputs and stores
`;

const positiveInt = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be at least 1`);

const optionsSchema = z.object({
  quick: z.boolean().default(false),
  repeat: positiveInt("--repeat").optional(),
  scale: z.coerce.number({ error: "--scale must be a number" }).positive("--scale must be above 0").max(10, "--scale must be at most 10").default(1),
  seed: z.coerce.number({ error: "--seed must be a number" }).int("--seed must be a whole number").nonnegative("--seed must be 0 or more").default(1),
  only: z
    .string()
    .transform((text) => text.split(",").map((name) => name.trim()))
    .pipe(z.array(z.enum(BENCHMARKS, { error: `--only takes names from: ${BENCHMARKS.join(", ")}` })))
    .optional(),
  doc: z.string().min(1).optional(),
  keep: z.boolean().default(false),
});

/**
 * Parses the benchmark's command line. Throws a RangeError with the usage for an
 * unknown or invalid option.
 */
export function parseBenchArgs(argv: readonly string[], defaultDoc: string): BenchConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        quick: { type: "boolean" },
        repeat: { type: "string" },
        scale: { type: "string" },
        seed: { type: "string" },
        only: { type: "string" },
        doc: { type: "string" },
        keep: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new RangeError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, { cause: error });
  }

  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    throw new RangeError(`${parsed.error.issues.map((issue) => issue.message).join("; ")}\n\n${USAGE}`);
  }
  const options = parsed.data;
  const runs = (full: number) => options.repeat ?? (options.quick ? 1 : full);
  return {
    quick: options.quick,
    seed: options.seed,
    // web counts requests per view, not runs, and keeps at least 5 because a median and a p95 of fewer are mostly noise.
    repeats: { git: runs(5), nutch: runs(5), demo: runs(3), synthetic: runs(3), load: 1, web: Math.max(5, options.repeat ?? (options.quick ? 5 : 30)), models: runs(3), linking: runs(5) },
    repositoryCommits: options.quick ? 500 : 5_000,
    synthetic: scaleSizes(options.quick ? QUICK_SIZES : FULL_SIZES, options.scale),
    web: options.quick ? QUICK_WEB_SIZES : WEB_SIZES,
    loadSeconds: options.quick ? 3 : 10,
    scale: options.scale,
    only: new Set(options.only ?? BENCHMARKS),
    doc: options.doc ?? (options.quick ? undefined : defaultDoc),
    keep: options.keep,
    command: ["npm run bench", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" "),
  };
}

function scaleSizes(sizes: WorkloadSizes, scale: number): WorkloadSizes {
  const scaled = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return {
    people: scaled(sizes.people, 2),
    issues: scaled(sizes.issues, 1),
    commits: scaled(sizes.commits, 1),
    heartbeats: scaled(sizes.heartbeats, 1),
  };
}
