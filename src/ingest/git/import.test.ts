import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { importGit } from "./import.js";
import { createTempRepo, type TempRepo } from "./test-support/temp-repo.js";

const NUTCH_LOG = new URL("../../../../shared/data/nutch/git-log.txt", import.meta.url).pathname;
const NUTCH_COMMITS = readFileSync(NUTCH_LOG, "utf8")
  .split("\n")
  .filter((line) => line.startsWith("commit ")).length;

describe.each(BACKENDS)("importGit on %s", (backend) => {
  let handle: TestStore;
  let repo: TempRepo;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    repo = createTempRepo("shop");
  });

  afterEach(async () => {
    repo.dispose();
    await handle.dispose();
  });

  it("imports the Nutch log once", async () => {
    const first = await importGit(handle.store, NUTCH_LOG, { repo: "nutch" });
    const second = await importGit(handle.store, NUTCH_LOG, { repo: "nutch" });

    expect(NUTCH_COMMITS).toBe(3033);
    expect(first).toMatchObject({ source: "git", file: NUTCH_LOG, imported: NUTCH_COMMITS, duplicate: 0, skipped: [], warnings: [] });
    expect(second).toMatchObject({ imported: 0, duplicate: NUTCH_COMMITS, skipped: [] });
    expect(await handle.store.activities.count()).toBe(NUTCH_COMMITS);

    const stored = await handle.store.activities.list({ source: "git" });
    expect(stored.every((a) => a.kind === "commit" && a.repo === "nutch")).toBe(true);
    const texts = await handle.store.activities.texts(stored.slice(0, 1).map((a) => a.id));
    expect(texts.get(stored[0]?.id ?? -1)?.title).toBeTruthy();
  });

  it("adds nothing from the log file of an imported repository", async () => {
    repo.commit({ message: "PROJ-1 start", files: { "a.txt": "1\n" }, authorDate: "2025-03-03T09:00:00+01:00" });
    repo.commit({ message: "PROJ-2 more", files: { "b.txt": "2\n" }, authorDate: "2025-03-04T09:00:00+01:00" });
    const logFile = join(repo.root, "git-log.txt");
    writeFileSync(logFile, repo.git(["log", "--all", "--date-order", "--format=fuller", "--date=iso-strict", "--numstat"]));

    const fromPath = await importGit(handle.store, repo.path);
    const fromFile = await importGit(handle.store, logFile, { repo: "shop" });

    expect(fromPath.imported).toBe(2);
    expect(fromFile).toMatchObject({ imported: 0, duplicate: 2 });
    const stored = await handle.store.activities.list();
    expect(stored.map((a) => a.repo)).toEqual(["shop", "shop"]);
    expect(stored.map((a) => a.explicitKeys)).toEqual([["PROJ-1"], ["PROJ-2"]]);
  });

  it("imports a UTF-16 file with Windows line endings", async () => {
    repo.commit({ message: "PROJ-4 café", files: { "é.txt": "1\n" }, authorDate: "2025-03-03T09:00:00+01:00" });
    const text = repo.git(["log", "--all", "--date-order", "--format=fuller", "--date=iso-strict", "--numstat"]).replaceAll("\n", "\r\n");
    const logFile = join(repo.root, "powershell.txt");
    writeFileSync(logFile, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));

    const report = await importGit(handle.store, logFile);
    expect(report).toMatchObject({ imported: 1, skipped: [], warnings: [] });
    const [activity] = await handle.store.activities.list();
    const texts = await handle.store.activities.texts([activity?.id ?? -1]);
    expect(texts.get(activity?.id ?? -1)).toEqual({ title: "PROJ-4 café", body: undefined, branch: undefined, paths: "é.txt" });
  });

  it("reports skipped commits and imports the rest", async () => {
    repo.commit({ message: "good", authorDate: "2025-03-03T09:00:00+01:00" });
    repo.commit({ message: "bad clock", authorDate: "1980-01-01T09:00:00+00:00" });
    const logFile = join(repo.root, "git-log.txt");
    writeFileSync(logFile, repo.git(["log", "--all", "--format=fuller", "--date=iso-strict", "--numstat"]));

    const report = await importGit(handle.store, logFile);
    expect(report.imported).toBe(1);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]?.reason).toMatch(/outside 1990-2100/);
  });

  it("rejects a file without commits", async () => {
    const logFile = join(repo.root, "empty.txt");
    writeFileSync(logFile, "");
    const error = await importGit(handle.store, logFile).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).code).toBe("INVALID_INPUT");
    expect((error as WorklensError).message).toBe(`${logFile}: no commit found: expected the output of git log, where each commit starts with a line "commit <hash>"`);
    expect(await handle.store.activities.count()).toBe(0);
  });

  it("rejects a missing path", async () => {
    const error = await importGit(handle.store, join(repo.root, "nope")).catch((caught: unknown) => caught);
    expect((error as WorklensError).code).toBe("NOT_FOUND");
    expect((error as WorklensError).message).toContain("nope: no such file or folder");
  });
});
