import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "dist/cli/main.js");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function worklens(args: string[], cwd: string): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, WORKLENS_STORE: "" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let folder: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" before the CLI tests`);
  folder = mkdtempSync(join(tmpdir(), "worklens-cli-simulate-"));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe("worklens simulate", () => {
  it("writes files that the printed commands import", () => {
    const out = join(folder, "sim");
    const run = worklens(["simulate", "--out", out, "--people", "3", "--days", "4", "--seed", "11"], folder);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/synthetic data, not real data \(seed 11, 3 people, 4 working days from 2024-03-18\)/);
    expect(readdirSync(out).sort()).toEqual(["README.md", "calendar", "git", "github", "jira", "manifest.json", "truth.csv", "truth.json", "wakatime"]);

    const commands = run.stdout.split("\n").filter((line) => line.startsWith("worklens import "));
    expect(commands.length).toBeGreaterThanOrEqual(1 + 3 + 3);
    expect(readFileSync(join(out, "README.md"), "utf8")).toContain(commands.join("\n"));

    const store = join(folder, "sim.sqlite");
    for (const command of commands) {
      const args = command.split(" ").slice(1);
      const imported = worklens(["--store", store, ...args], out);
      expect(imported.status, `${command}\n${imported.stderr}`).toBe(0);
      expect(imported.stdout, command).toMatch(/ 0 skipped/);
    }
  }, 120_000);

  it("same seed writes the same truth", () => {
    const first = join(folder, "first");
    const second = join(folder, "second");
    expect(worklens(["simulate", "--out", first, "--people", "2", "--days", "2", "--seed", "4"], folder).status).toBe(0);
    expect(worklens(["simulate", "--out", second, "--people", "2", "--days", "2", "--seed", "4"], folder).status).toBe(0);
    expect(readFileSync(join(second, "truth.csv"), "utf8")).toBe(readFileSync(join(first, "truth.csv"), "utf8"));
    expect(readFileSync(join(second, "jira/issues.json"), "utf8")).toBe(readFileSync(join(first, "jira/issues.json"), "utf8"));
  });

  it("rejects an invalid team size", () => {
    const run = worklens(["simulate", "--out", join(folder, "bad"), "--people", "many"], folder);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/invalid --people "many": expected a whole number/);
  });

  it("requires --out", () => {
    const run = worklens(["simulate"], folder);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--out/);
  });
});
