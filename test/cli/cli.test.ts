import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_MASTER_KEY, TEST_POSTGRES_URL, testKeyProvider } from "../../src/store/test-support/backends.js";
import { Store } from "../../src/store/store.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "dist/cli/main.js");
const NUTCH = join(ROOT, "data/nutch");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function worklens(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, WORKLENS_STORE: "", ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let folder: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" before the CLI tests`);
  folder = mkdtempSync(join(tmpdir(), "worklens-cli-"));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe("worklens demo", () => {
  it("runs with the learned models when no native library can be loaded", () => {
    // A preload replaces koffi's load, through which worklens opens XGBoost, with one that records the call and fails.
    const marker = join(folder, "native-library-load");
    const preload = join(folder, "no-native-library.mjs");
    writeFileSync(
      preload,
      `import { writeFileSync } from "node:fs";\nimport koffi from ${JSON.stringify(pathToFileURL(join(ROOT, "node_modules/koffi/index.js")).href)};\n` +
        `koffi.load = (path) => { writeFileSync(${JSON.stringify(marker)}, String(path)); throw new Error("no native library here: " + path); };\n`,
    );
    const run = (args: string[]) => spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, BIN, ...args], { cwd: folder, encoding: "utf8", env: { ...process.env, WORKLENS_STORE: "" } });

    const demo = run(["demo", "--out", join(folder, "demo-without-library")]);
    expect(demo.stderr).toBe("");
    expect(demo.status).toBe(0);
    expect(demo.stdout).toContain("models: bundled linking model, bundled time model");
    expect(demo.stdout).toMatch(/[1-9]\d* linked by ranking/);
    expect(existsSync(marker)).toBe(false);

    // Control: training does load the library through the replaced function, so the preload is in effect.
    const train = run(["--store", join(folder, "demo-without-library/worklens.sqlite"), "train", "--today", "2010-08-13"]);
    expect(train.status).toBe(8);
    expect(train.stderr).toContain("apt-get install libxgboost0");
    expect(existsSync(marker)).toBe(true);
  });

  it("imports Nutch, suggests and writes the CSV", () => {
    const run = worklens(["demo", "--out", join(folder, "demo")], folder);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/3033 imported/);
    expect(run.stdout).toMatch(/people with suggestions: \d+/);
    expect(run.stdout).toMatch(/linked to an issue: [\d.]+ h \([\d.]+ %\)/);
    expect(run.stdout).toMatch(/NUTCH\s+[\d.]+/);
    const csv = readFileSync(join(folder, "demo/suggested-worklogs.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("person_id,person,day,issue_key,project,seconds,hours,confidence,evidence");
    expect(csv.length).toBeGreaterThan(500);
    expect(csv.some((line) => /,NUTCH-\d+,NUTCH,\d+,/.test(line))).toBe(true);
  });

  it("gives the same result on a second run", () => {
    const first = readFileSync(join(folder, "demo/suggested-worklogs.csv"), "utf8");
    expect(worklens(["demo", "--out", join(folder, "demo")], folder).status).toBe(0);
    expect(readFileSync(join(folder, "demo/suggested-worklogs.csv"), "utf8")).toBe(first);
  });
});

describe("worklens eval linking", () => {
  it("reaches Hit@1 0.70 on Nutch with keys masked", () => {
    const run = worklens(["eval", "linking", "--jira", join(NUTCH, "jira-issues.json"), "--git", join(NUTCH, "git-log.txt"), "--mask-keys", "--json", "--min-hit-at-1", "0.70"], folder);
    expect(run.status).toBe(0);
    const metrics = JSON.parse(run.stdout) as Record<string, number>;
    expect(metrics["n"]).toBe(518);
    expect(metrics["hit_at_1"]).toBeGreaterThanOrEqual(0.7);
    for (const key of ["hit_at_3", "mrr", "precision", "recall", "f1"]) expect(metrics[key]).toBeGreaterThan(0);
  });

  it("exits 6 when the target is missed", () => {
    const run = worklens(["eval", "linking", "--jira", join(NUTCH, "jira-issues.json"), "--git", join(NUTCH, "git-log.txt"), "--mask-keys", "--min-hit-at-1", "0.999"], folder);
    expect(run.status).toBe(6);
    expect(run.stderr).toMatch(/Hit@1 .* is below the target 0.999/);
  });
});

describe("worklens import, suggest and report", () => {
  it("re-import adds nothing and suggestions cover the range", () => {
    const store = join(folder, "work.sqlite");
    const first = worklens(["--store", store, "import", "git", join(NUTCH, "git-log.txt")], folder);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/3033 imported, 0 duplicate, 0 skipped/);
    const second = worklens(["--store", store, "import", "git", join(NUTCH, "git-log.txt")], folder);
    expect(second.stdout).toMatch(/0 imported, 3033 duplicate, 0 skipped/);
    expect(worklens(["--store", store, "import", "jira", join(NUTCH, "jira-issues.json")], folder).status).toBe(0);

    const suggest = worklens(["--store", store, "suggest", "--from", "2011-12-01", "--to", "2011-12-31"], folder);
    expect(suggest.status).toBe(0);
    expect(suggest.stdout).toMatch(/suggested \d+ worklogs/);
    const report = worklens(["--store", store, "report", "--from", "2011-12-01", "--to", "2011-12-31", "--format", "json"], folder);
    const rows = JSON.parse(report.stdout) as { day: string; seconds: number; confidence: number; evidence: unknown[] }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.day >= "2011-12-01").toBe(true);
      expect(row.day <= "2011-12-31").toBe(true);
      expect(row.seconds).toBeGreaterThan(0);
      expect(row.evidence.length).toBeGreaterThan(0);
    }
  });

  it("rejects a truncated file and keeps stored data", () => {
    const store = join(folder, "bad.sqlite");
    expect(worklens(["--store", store, "import", "jira", join(NUTCH, "jira-issues.json")], folder).status).toBe(0);
    const before = worklens(["--store", store, "people", "list", "--json"], folder).stdout;
    const truncated = join(folder, "truncated.json");
    writeFileSync(truncated, readFileSync(join(NUTCH, "jira-issues.json"), "utf8").slice(0, 5000));
    const run = worklens(["--store", store, "import", "jira", truncated], folder);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain(truncated);
    expect(run.stderr).toMatch(/hint: /);
    expect(worklens(["--store", store, "people", "list", "--json"], folder).stdout).toBe(before);
  });

  it("names a missing file with exit code 4", () => {
    const run = worklens(["--store", join(folder, "x.sqlite"), "import", "git", join(folder, "no-such-log.txt")], folder);
    expect(run.status).toBe(4);
    expect(run.stderr).toContain("no-such-log.txt");
  });

  it("rejects bad dates and options with exit code 2", () => {
    const run = worklens(["--store", join(folder, "x.sqlite"), "suggest", "--from", "2025-13-01"], folder);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/invalid --from "2025-13-01"/);
    expect(worklens(["import", "ics", "cal.ics", "--person", "not-an-email"], folder).status).toBe(2);
    expect(worklens(["no-such-command"], folder).status).toBe(2);
  });
});

describe("worklens errors", () => {
  it("reading commands need an existing store", () => {
    const run = worklens(["--store", join(folder, "typo.sqlite"), "people", "list"], folder);
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(/store file not found: .*typo\.sqlite/);
    expect(existsSync(join(folder, "typo.sqlite"))).toBe(false);
  });

  it("names a missing output folder", () => {
    const store = join(folder, "out.sqlite");
    expect(worklens(["--store", store, "import", "git", join(NUTCH, "git-log.txt")], folder).status).toBe(0);
    const run = worklens(["--store", store, "report", "--out", join(folder, "missing/dir/week.csv")], folder);
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(/missing\/dir\/week\.csv: its folder does not exist/);
  });

  it("rejects unknown people and self-merges", () => {
    const store = join(folder, "out.sqlite");
    const zone = worklens(["--store", store, "people", "zone", "999", "Europe/Berlin"], folder);
    expect(zone.status).toBe(4);
    expect(zone.stderr).toMatch(/person 999 not found/);
    const self = worklens(["--store", store, "people", "merge", "1", "1"], folder);
    expect(self.status).toBe(2);
    expect(self.stderr).toMatch(/cannot merge person 1 into itself/);
  });

  it("exits 3 when a file yields no record", () => {
    const heartbeats = join(folder, "heartbeats.json");
    writeFileSync(heartbeats, JSON.stringify([{ entity: "/src/a.ts", type: "file", time: 1741600800.5, is_write: true }]));
    const run = worklens(["--store", join(folder, "wrong-kind.sqlite"), "import", "jira", heartbeats], folder);
    expect(run.status).toBe(3);
    expect(run.stdout).toMatch(/0 imported, 0 duplicate, 1 skipped/);
    expect(run.stderr).toMatch(/no record could be imported from .*heartbeats\.json/);
  });

  it("prints its version", () => {
    const run = worklens(["--version"], folder);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("worklens people", () => {
  it("lists, merges and splits", () => {
    const store = join(folder, "people.sqlite");
    worklens(["--store", store, "import", "git", join(NUTCH, "git-log.txt")], folder);
    const people = JSON.parse(worklens(["--store", store, "people", "list", "--json"], folder).stdout) as { id: number; identities: { id: number }[] }[];
    expect(people.length).toBe(18);
    const [a, b] = people;
    expect(worklens(["--store", store, "people", "merge", String(a?.id), String(b?.id)], folder).status).toBe(0);
    const merged = JSON.parse(worklens(["--store", store, "people", "list", "--json"], folder).stdout) as { id: number; identities: { id: number }[] }[];
    expect(merged.length).toBe(17);
    const moved = merged.find((p) => p.id === a?.id)?.identities[1]?.id;
    expect(worklens(["--store", store, "people", "split", String(moved)], folder).status).toBe(0);
    expect((JSON.parse(worklens(["--store", store, "people", "list", "--json"], folder).stdout) as unknown[]).length).toBe(18);
    const missing = worklens(["--store", store, "people", "merge", "1", "9999"], folder);
    expect(missing.status).toBe(4);
    expect(missing.stderr).toMatch(/person 9999 not found/);
  });
});

describe("worklens on PostgreSQL", () => {
  it("imports and suggests into a schema", async () => {
    const schema = `test_cli_${randomBytes(4).toString("hex")}`;
    try {
      const keyEnv = { WORKLENS_MASTER_KEY: TEST_MASTER_KEY };
      const run = worklens(["--postgres", TEST_POSTGRES_URL, "--schema", schema, "import", "git", join(NUTCH, "git-log.txt")], folder, keyEnv);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/3033 imported/);
      expect(worklens(["--postgres", TEST_POSTGRES_URL, "--schema", schema, "suggest"], folder, keyEnv).status).toBe(0);
    } finally {
      const store = await Store.open({ kind: "postgres", connectionString: TEST_POSTGRES_URL, schema }, { keys: testKeyProvider() });
      await store.wipeForTests();
      await store.close();
    }
  });
});
