import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { parseGitLog } from "./parse-log.js";
import { readRepository, repositoryLogArgs, repositoryName } from "./repository.js";
import { createTempRepo, type TempRepo } from "./test-support/temp-repo.js";

const DOCUMENTED_COMMAND = ["log", "--all", "--date-order", "--format=fuller", "--date=iso-strict", "--numstat"];
const CONTENT_MARKER = "file-content-marker-7f3a";

let repos: TempRepo[] = [];

function newRepo(name = "app", branch = "main"): TempRepo {
  const repo = createTempRepo(name, branch);
  repos.push(repo);
  return repo;
}

afterEach(() => {
  for (const repo of repos) repo.dispose();
  repos = [];
});

/** Main line with a merged feature branch, a binary file, a non-ASCII name, an empty message and an empty commit. */
function buildHistory(repo: TempRepo): void {
  repo.commit({ message: "PROJ-1 start", files: { "src/a.ts": `${CONTENT_MARKER}\nline\n` }, authorDate: "2025-03-03T09:00:00+01:00" });
  repo.git(["checkout", "--quiet", "-b", "feature/PROJ-2"]);
  repo.commit({ message: "PROJ-2 add logo", files: { "logo.bin": Buffer.from([0, 1, 2, 0, 255]) }, authorDate: "2025-03-04T10:00:00+01:00" });
  repo.commit({ message: "", files: { "docs/café notes.md": "a\nb\n" }, authorDate: "2025-03-04T11:00:00-05:00" });
  repo.git(["checkout", "--quiet", "main"]);
  repo.commit({ message: "PROJ-3 fix\n\nLonger text.", files: { "src/a.ts": "line\n" }, authorDate: "2025-03-05T12:00:00+09:00", authorEmail: "Other.Dev@Example.com", authorName: "Other Dev" });
  repo.git(["merge", "--quiet", "--no-ff", "feature/PROJ-2", "-m", "Merge feature/PROJ-2"], {
    GIT_AUTHOR_DATE: "2025-03-06T08:00:00+01:00",
    GIT_COMMITTER_DATE: "2025-03-06T08:00:00+01:00",
  });
  repo.commit({ message: "Empty commit", authorDate: "2025-03-07T08:00:00Z" });
}

describe("readRepository", () => {
  it("gives the same records as the log file form", async () => {
    const repo = newRepo();
    buildHistory(repo);

    const fromRepository = await readRepository(repo.path);
    const fromFile = parseGitLog(repo.git(DOCUMENTED_COMMAND), { file: "git-log.txt", repo: "app" });

    expect(fromRepository.skipped).toEqual([]);
    expect(fromRepository.warnings).toEqual([]);
    expect(fromRepository.records).toHaveLength(6);
    expect(fromRepository.records).toEqual(fromFile.records);
  });

  it("reads metrics, paths and merges", async () => {
    const repo = newRepo();
    buildHistory(repo);
    const { records } = await readRepository(repo.path);
    const byTitle = new Map(records.map((r) => [r.text.title ?? "(none)", r]));

    expect(byTitle.get("PROJ-2 add logo")?.metrics).toEqual({ linesAdded: 0, linesDeleted: 0, filesChanged: 1 });
    expect(byTitle.get("(none)")?.text.paths).toBe("docs/café notes.md");
    expect(byTitle.get("(none)")?.tz).toBe("UTC-05:00");
    expect(byTitle.get("Merge feature/PROJ-2")?.metrics).toEqual({ linesAdded: 0, linesDeleted: 0, filesChanged: 0 });
    expect(byTitle.get("PROJ-3 fix")?.actor.externalId).toBe("other.dev@example.com");
    expect(byTitle.get("PROJ-3 fix")?.text.body).toBe("Longer text.");
    expect(records.every((r) => r.repo === "app")).toBe(true);
  });

  it("never returns file contents", async () => {
    const repo = newRepo();
    buildHistory(repo);
    const parsed = await readRepository(repo.path);
    expect(JSON.stringify(parsed)).not.toContain(CONTENT_MARKER);
  });

  it.skipIf(process.platform === "win32")("runs git only for metadata", async () => {
    const repo = newRepo();
    buildHistory(repo);
    const argvLog = join(repo.root, "argv.log");
    const wrapper = join(repo.root, "git-wrapper.sh");
    writeFileSync(wrapper, `#!/bin/sh\nfor arg in "$@"; do printf '%s\\037' "$arg"; done >> '${argvLog}'\nprintf '\\n' >> '${argvLog}'\nexec git "$@"\n`);
    chmodSync(wrapper, 0o755);

    const parsed = await readRepository(repo.path, { git: wrapper });
    const calls = readFileSync(argvLog, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => line.split("\x1f").slice(0, -1));

    expect(parsed.records).toHaveLength(6);
    expect(calls.map((args) => subcommandOf(args))).toEqual(["rev-parse", "for-each-ref", "rev-list", "log"]);
    expect(calls[3]).toEqual(repositoryLogArgs(repo.path));
    const contentFlags = ["-p", "-u", "--patch", "--textconv", "--ext-diff", "--follow", "--find-renames", "-M", "-C", "--word-diff"];
    for (const args of calls) {
      const afterSubcommand = args.slice(args.indexOf(subcommandOf(args)) + 1);
      expect(afterSubcommand.filter((arg) => contentFlags.includes(arg))).toEqual([]);
      expect(args.some((arg) => ["show", "cat-file", "blame", "diff", "grep", "archive"].includes(arg))).toBe(false);
    }
  });

  it("takes branch keys only off the main line", async () => {
    const repo = newRepo();
    repo.commit({ message: "first", authorDate: "2025-03-03T09:00:00Z" });
    repo.git(["branch", "aaa/PROJ-5-stale"]);
    repo.commit({ message: "second", authorDate: "2025-03-04T09:00:00Z" });
    repo.git(["checkout", "--quiet", "-b", "feature/PROJ-9-login"]);
    repo.commit({ message: "login form", authorDate: "2025-03-05T09:00:00Z" });
    repo.git(["checkout", "--quiet", "main"]);

    const { records } = await readRepository(repo.path);
    const byTitle = new Map(records.map((r) => [r.text.title, r]));
    expect(byTitle.get("first")?.explicitKeys).toEqual([]);
    expect(byTitle.get("first")?.text.branch).toBeUndefined();
    expect(byTitle.get("second")?.explicitKeys).toEqual([]);
    expect(byTitle.get("login form")?.explicitKeys).toEqual(["PROJ-9"]);
    expect(byTitle.get("login form")?.text.branch).toBe("feature/PROJ-9-login");
  });

  it("uses HEAD as main line without a usual branch name", async () => {
    const repo = newRepo("app", "work");
    repo.commit({ message: "one", authorDate: "2025-03-03T09:00:00Z" });
    repo.git(["branch", "PROJ-5-stale"]);
    repo.commit({ message: "two", authorDate: "2025-03-04T09:00:00Z" });
    const { records } = await readRepository(repo.path);
    expect(records.map((r) => r.explicitKeys)).toEqual([[], []]);
  });

  it("leaves out stash and notes commits", async () => {
    const repo = newRepo();
    repo.commit({ message: "one", files: { "a.txt": "1\n" }, authorDate: "2025-03-03T09:00:00Z" });
    repo.git(["notes", "add", "-m", "reviewed", "HEAD"]);
    writeFileSync(join(repo.path, "a.txt"), "changed\n");
    repo.git(["stash", "--quiet"]);
    const parsed = await readRepository(repo.path);
    expect(parsed.records.map((r) => r.text.title)).toEqual(["one"]);
  });

  it("warns for a subfolder and names the repository by folder", async () => {
    const repo = newRepo("shop.git");
    repo.commit({ message: "one", files: { "sub/a.txt": "1\n" }, authorDate: "2025-03-03T09:00:00Z" });
    const parsed = await readRepository(join(repo.path, "sub"));
    expect(parsed.records).toHaveLength(1);
    expect(parsed.records[0]?.repo).toBe("sub");
    expect(parsed.warnings).toEqual(['the folder is the subfolder "sub/" of a repository; the whole repository\'s history was imported']);
    expect((await readRepository(repo.path)).records[0]?.repo).toBe("shop");
  });

  it("returns nothing for a repository without commits", async () => {
    const repo = newRepo();
    const parsed = await readRepository(repo.path);
    expect(parsed.records).toEqual([]);
    expect(parsed.warnings).toEqual(["the repository has no commits yet"]);
  });

  it("rejects a folder that is not a repository", async () => {
    const repo = newRepo();
    const plain = join(repo.root, "plain");
    mkdirSync(plain);
    const error = await readRepository(plain).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).code).toBe("INVALID_INPUT");
    expect((error as WorklensError).message).toContain(`${plain}: is not a git repository (fatal: not a git repository`);
    expect((error as WorklensError).hint).toContain("git log --all");
  });

  it("rejects a missing folder", async () => {
    const repo = newRepo();
    const error = await readRepository(join(repo.root, "missing")).catch((caught: unknown) => caught);
    expect((error as WorklensError).code).toBe("NOT_FOUND");
  });

  it("reports a missing git executable", async () => {
    const repo = newRepo();
    const error = await readRepository(repo.path, { git: join(repo.root, "no-such-git") }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).code).toBe("NOT_FOUND");
    expect((error as WorklensError).message).toBe(`git executable "${join(repo.root, "no-such-git")}" was not found`);
    expect((error as WorklensError).hint).toContain("install git");
  });
});

describe("repositoryName", () => {
  it.each([
    ["/src/app", "app"],
    ["/src/app/", "app"],
    ["/src/app/.git", "app"],
    ["/srv/app.git", "app"],
  ])("names %s as %s", (path, name) => {
    expect(repositoryName(path)).toBe(name);
  });
});

/** Finds the git subcommand in an argument list: the first argument after the global options. */
function subcommandOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "-C" || arg === "-c") i += 1;
    else return arg;
  }
  return "";
}
