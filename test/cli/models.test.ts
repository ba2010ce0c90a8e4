import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelArtifact } from "../../src/store/model-types.js";
import { Store } from "../../src/store/store.js";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "src/cli/main.ts");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source through tsx (resolved from the repository root), so no build is needed first. */
function worklens(args: string[], env: Record<string, string> = {}): Run {
  const result = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, WORKLENS_STORE: "", ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function artifact(multiplier: number): ModelArtifact {
  return { kind: "time", version: 0, featureNames: ["suggested_seconds"], model: { multiplier }, trainedAt: "2025-03-15T03:00:00.000Z", window: { from: "2024-09-02", to: "2025-02-28" }, metrics: {} };
}

let folder: string;
let storeFile: string;
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "worklens-cli-models-"));
  storeFile = join(folder, "store.sqlite");
  const store = await Store.open({ kind: "sqlite", file: storeFile });
  try {
    const first = await store.models.add({ artifact: artifact(0.8), metrics: { holdout_error: 900, reference_error: 1300 }, createdAt: Date.UTC(2025, 2, 1) });
    await store.models.promote(first.id, "promoted: held-out error 900 vs 1300 of the AI-off rules", Date.UTC(2025, 2, 1));
    await store.models.add({ artifact: artifact(0.7), metrics: { holdout_error: 850, reference_error: 900 }, createdAt: Date.UTC(2025, 2, 8) });
    await store.models.recordDrift({ kind: "time", modelId: first.id, checkedAt: Date.UTC(2025, 2, 8), window: { from: "2025-02-22", to: "2025-03-07" }, n: 31, error: 1250, baselineError: 900, drifted: true, action: "retrain_queued" });
  } finally {
    await store.close();
  }
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe("worklens models", () => {
  it("lists models as a table and JSON", () => {
    const table = worklens(["--store", storeFile, "models", "list"]);
    expect(table.stderr).toBe("");
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^id\s+kind\s+version\s+status/);
    expect(table.stdout).toMatch(/1\s+time\s+v1\s+live/);
    expect(table.stdout).toMatch(/2\s+time\s+v2\s+candidate/);
    // A time model is live but no linking model is, so the output names what links instead.
    expect(table.stdout).toContain("no live linking model is registered: the bundled linking model (models/linking-default.json) links\n");
    expect(table.stdout).not.toContain("no live time model");

    const json = worklens(["--store", storeFile, "models", "list", "--kind", "time", "--json"]);
    const list = JSON.parse(json.stdout) as { id: number; status: string; metrics: Record<string, number> }[];
    expect(list.map((m) => [m.id, m.status])).toEqual([[2, "candidate"], [1, "live"]]);
    expect(list[0]?.metrics["holdout_error"]).toBe(850);
  });

  it("shows the drift history", () => {
    const run = worklens(["--store", storeFile, "models", "drift", "--kind", "time", "--json"]);
    expect(run.status).toBe(0);
    const history = JSON.parse(run.stdout) as { n: number; drifted: boolean; action: string }[];
    expect(history).toEqual([expect.objectContaining({ n: 31, drifted: true, action: "retrain_queued" })]);
    expect(worklens(["--store", storeFile, "models", "drift"]).stdout).toMatch(/time\s+1\s+2025-02-22 to 2025-03-07\s+31\s+1250\s+900\s+yes\s+retrain_queued/);
  });

  it("promotes by hand, rolls back, then fails", () => {
    const promoted = worklens(["--store", storeFile, "models", "promote", "2", "--note", "checked by hand"]);
    expect(promoted.stdout).toBe("time v2 (id 2) is live\n");
    expect(promoted.status).toBe(0);

    const rolledBack = worklens(["--store", storeFile, "models", "rollback", "time"]);
    expect(rolledBack.stdout).toBe("time rolled back: v1 (id 1) is live again\n");

    const again = worklens(["--store", storeFile, "models", "rollback", "time"]);
    expect(again.status).toBe(4);
    expect(again.stderr).toContain("error: no retired time model older than the live v1 to roll back to");
    expect(again.stderr).toContain('hint: run "worklens models list --kind time"');

    const list = JSON.parse(worklens(["--store", storeFile, "models", "list", "--json"]).stdout) as { id: number; status: string; note: string }[];
    expect(list.map((m) => [m.id, m.status])).toEqual([[2, "retired"], [1, "live"]]);
    expect(list[0]?.note).toBe("rolled back: manual rollback");
  });

  it("rejects an unknown kind", () => {
    const run = worklens(["--store", storeFile, "models", "rollback", "budget"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('invalid model kind "budget": expected linking, time');
  });
});

describe("worklens train", () => {
  it("exits 8 when XGBoost is missing", () => {
    const run = worklens(["--store", storeFile, "train", "--kind", "time"], { WORKLENS_XGBOOST_LIBRARY: join(folder, "missing/libxgboost.so.0") });
    expect(run.status).toBe(8);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("apt-get install libxgboost0");
  });

  it("rejects an invalid day", () => {
    const run = worklens(["--store", storeFile, "train", "--today", "2025-02-30"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('invalid --today "2025-02-30"');
  });
});
