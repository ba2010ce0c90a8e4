import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface CommitSpec {
  message: string;
  /** Files to write before committing, by path relative to the repository. All changes are staged. */
  files?: Record<string, string | Buffer>;
  authorName?: string;
  authorEmail?: string;
  /** Any date git accepts, such as "2025-03-03T10:15:00+01:00". */
  authorDate: string;
  committerDate?: string;
}

export interface TempRepo {
  /** The repository folder. */
  path: string;
  /** The folder that contains it, for other files of the test. */
  root: string;
  /** Runs git in the repository and returns its standard output. */
  git(args: readonly string[], env?: Record<string, string>, input?: string): string;
  /** Commits and returns the new commit's hash. */
  commit(spec: CommitSpec): string;
  dispose(): void;
}

/** Creates a repository in a temporary folder, with git isolated from the user's and system config. */
export function createTempRepo(name = "repo", branch = "main"): TempRepo {
  const root = mkdtempSync(join(tmpdir(), "worklens-git-"));
  const path = join(root, name);
  mkdirSync(path);
  const baseEnv: Record<string, string | undefined> = {
    ...process.env,
    HOME: root,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(root, "gitconfig"),
    // Commands that write commits of their own (merge, notes, stash) take this identity.
    GIT_AUTHOR_NAME: "Dev One",
    GIT_AUTHOR_EMAIL: "dev.one@example.com",
    GIT_COMMITTER_NAME: "Dev One",
    GIT_COMMITTER_EMAIL: "dev.one@example.com",
  };

  const git = (args: readonly string[], env: Record<string, string> = {}, input = ""): string =>
    execFileSync("git", ["-C", path, ...args], { env: { ...baseEnv, ...env }, encoding: "utf8", input });

  git(["init", "--quiet", `--initial-branch=${branch}`]);
  return {
    path,
    root,
    git,
    commit(spec) {
      for (const [file, content] of Object.entries(spec.files ?? {})) {
        mkdirSync(dirname(join(path, file)), { recursive: true });
        writeFileSync(join(path, file), content);
      }
      git(["add", "--all"]);
      const identity = {
        GIT_AUTHOR_NAME: spec.authorName ?? "Dev One",
        GIT_AUTHOR_EMAIL: spec.authorEmail ?? "dev.one@example.com",
        GIT_AUTHOR_DATE: spec.authorDate,
        GIT_COMMITTER_NAME: "Dev One",
        GIT_COMMITTER_EMAIL: "dev.one@example.com",
        GIT_COMMITTER_DATE: spec.committerDate ?? spec.authorDate,
      };
      git(["commit", "--quiet", "--allow-empty", "--allow-empty-message", "--file=-"], identity, spec.message);
      return git(["rev-parse", "HEAD"]).trim();
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
