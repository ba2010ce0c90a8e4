import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "dist/cli/main.js");
const NUTCH = join(ROOT, "data/nutch");
const DATA = ["--jira", join(NUTCH, "jira-issues.json"), "--git", join(NUTCH, "git-log.txt")];
/** The bundled model trained on Nutch up to 2010-08-03, so the activities from this day on are its test set. */
const SPLIT = ["--mask-keys", "--split-date", "2010-08-04"];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function worklens(args: string[]): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: folder, encoding: "utf8", env: { ...process.env, WORKLENS_STORE: "" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function metricsOf(run: Run): Record<string, number> {
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Record<string, number>;
}

/**
 * Commits from the bundled model's test period, each naming one imported issue.
 * The comment after each SHA is the first line of its commit message.
 */
const COMMITS = [
  ["ca94b10fea235cd06937945c4866a94339404bbe", "NUTCH-862"], // HttpClient null pointer exception.
  ["6af78e760626e8aab7a342728fbed6c1c4126a6e", "NUTCH-900"], // Improvement to the description of the *.content.limit parameters
  ["45441b1da05e938759627340b7a96c2aef2c67b4", "NUTCH-884"], // FetcherJob should run more reduce tasks than default.
  ["eff7d5dbbfd8929b55605315e1649c1a57942711", "NUTCH-872"], // Change the default fetcher.parse to FALSE.
  ["b1c8eb29281cb9da5865bbd9117c1ca25312a9e9", "NUTCH-861"], // Rename HTMLParseFilter into ParseFilter
  ["c9210f8268d70191f3601184fd7b210123259887", "NUTCH-878"], // ScoringFilters should not override the injected score
] as const;

/** Builds a pairs CSV: each commit with its own issue (1) and with the next commit's issue (0), plus one unknown issue and one unknown commit. */
function pairsCsv(): string {
  const lines = ["labels,Commit_SHA,Issue_Key"];
  for (const [i, [sha, key]] of COMMITS.entries()) {
    const other = COMMITS[(i + 1) % COMMITS.length]?.[1] ?? "";
    // Upper case: the SHA is matched case-insensitively.
    lines.push(`1,${i === 0 ? sha.toUpperCase() : sha},${key}`, `0,${sha},${other}`);
  }
  lines.push(`1,${COMMITS[0][0]},NUTCH-99999`, `1,${"f".repeat(40)},${COMMITS[0][1]}`);
  return `${lines.join("\n")}\n`;
}

let folder: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" before the CLI tests`);
  folder = mkdtempSync(join(tmpdir(), "worklens-eval-linking-"));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe("worklens eval linking with the learned model", () => {
  let bundled: Record<string, number>;

  beforeAll(() => {
    bundled = metricsOf(worklens(["eval", "linking", ...DATA, ...SPLIT, "--json"]));
  });

  it("scores the bundled model on later commits", () => {
    expect(bundled["n"]).toBe(162);
    expect(bundled["hit_at_1"]).toBeGreaterThanOrEqual(0.85);
    expect(bundled["mrr"]).toBeGreaterThanOrEqual(0.88);
    expect(bundled["hit_at_3"]).toBeGreaterThanOrEqual(bundled["hit_at_1"] ?? 1);
    expect(bundled["threshold"]).toBe(0.5);
  });

  it("scores the rules lower", () => {
    const rules = metricsOf(worklens(["eval", "linking", ...DATA, ...SPLIT, "--json", "--model", "rules"]));
    expect(rules["n"]).toBe(bundled["n"]);
    expect(rules["hit_at_1"]).toBeLessThan(bundled["hit_at_1"] ?? 0);
  });

  it("exits 6 below --min-hit-at-1", () => {
    const run = worklens(["eval", "linking", ...DATA, ...SPLIT, "--min-hit-at-1", "0.99"]);
    expect(run.status).toBe(6);
    expect(run.stdout).toMatch(/^activities with a known issue: 162 \(keys masked\)$/m);
    expect(run.stderr).toMatch(/Hit@1 [\d.]+ is below the target 0.99/);
  });

  it("evaluates a saved model as trained", () => {
    const file = join(folder, "linking-model.json");
    const trained = worklens(["eval", "linking", ...DATA, ...SPLIT, "--json", "--model", "train", "--save-model", file]);
    expect(trained.stderr).toContain(`wrote the trained linking model to ${file}`);
    expect(trained.stderr).toMatch(/model: learned, trained here on [\d-]+ to 2010-08-0[1-3]/);
    const trainedMetrics = metricsOf(trained);
    expect(trainedMetrics["n"]).toBe(162);

    const saved = JSON.parse(readFileSync(file, "utf8")) as { kind: string; window: { to: string } };
    expect(saved.kind).toBe("linking");
    expect(saved.window.to < "2010-08-04").toBe(true);

    const reloaded = worklens(["eval", "linking", ...DATA, ...SPLIT, "--json", "--model", file]);
    expect(reloaded.stderr).toContain(`model: ${file} (trained on`);
    expect(metricsOf(reloaded)).toEqual(trainedMetrics);
  });
});

describe("worklens eval linking --pairs", () => {
  let pairs: string;
  beforeAll(() => {
    pairs = join(folder, "pairs.csv");
    writeFileSync(pairs, pairsCsv());
  });

  it("prints precision, recall, F1 and skipped pairs", () => {
    const run = worklens(["eval", "linking", ...DATA, "--mask-keys", "--pairs", pairs]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^model: bundled/m);
    expect(run.stdout).toContain("pairs: 14; skipped: 1 with an issue not imported, 1 with a commit not imported\n");
    expect(run.stdout).toMatch(/^scored 12 pairs \(6 linked\): precision [\d.]+, recall [\d.]+, F1 [\d.]+ at confidence 0.5$/m);
  });

  it("reports consistent pair metrics as JSON", () => {
    const metrics = metricsOf(worklens(["eval", "linking", ...DATA, "--mask-keys", "--pairs", pairs, "--json"]));
    expect(metrics["evaluated"]).toBe(12);
    expect(metrics["positives"]).toBe(6);
    const tp = metrics["true_positives"] ?? Number.NaN;
    const fp = metrics["false_positives"] ?? Number.NaN;
    expect(tp + (metrics["false_negatives"] ?? Number.NaN)).toBe(6);
    // These six commits are clearly worded, so the bundled model finds most of them.
    expect(tp).toBeGreaterThanOrEqual(4);
    expect(metrics["precision"]).toBeCloseTo(tp / (tp + fp), 4);
    expect(metrics["recall"]).toBeCloseTo(tp / 6, 4);
  });
});

describe("worklens eval linking with a bad model file", () => {
  it("exits 4 for a missing file", () => {
    const missing = join(folder, "no-such-model.json");
    const run = worklens(["eval", "linking", ...DATA, "--model", missing]);
    expect(run.status).toBe(4);
    expect(run.stderr).toContain(missing);
  });

  it("exits 3 for JSON that is not a model", () => {
    const notModel = join(folder, "not-a-model.json");
    writeFileSync(notModel, JSON.stringify({ kind: "time", version: 1 }));
    const run = worklens(["eval", "linking", ...DATA, "--model", notModel]);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain(`${notModel}: not a worklens linking model`);
  });
});
