import { Random } from "./random.js";
import { YEAR_START } from "./synthetic-world.js";
import { FILE_STEMS, FIRST_NAMES, LAST_NAMES } from "./vocabulary.js";

export interface FastImportOptions {
  /** Commits to write, merge commits included. */
  commits: number;
  seed: number;
}

export interface FastImportStream {
  /** Input for `git fast-import`, in its text format (see git-fast-import(1)). */
  text: string;
  commits: number;
  merges: number;
  /** Feature branches left unmerged, so `git log --all` has more than one ref to walk. */
  openBranches: number;
  files: number;
}

const AUTHORS = 12;
const MODULES = ["api", "core", "storage", "ui", "jobs"] as const;

/**
 * Writes a `git fast-import` stream for a repository of `commits` commits on
 * `main` and short feature branches named after issues (`feature/BENCH-<n>`),
 * most merged back with a merge commit. File contents are a few short lines, so the
 * repository is metadata-heavy and small. Commits are 5 to 120 minutes apart
 * from 2024-01-01.
 */
export function generateFastImport(options: FastImportOptions): FastImportStream {
  const random = new Random(options.seed).fork("fast-import");
  const paths = MODULES.flatMap((module) => FILE_STEMS.map((stem) => `src/${module}/${stem}.ts`));
  const chunks: string[] = [];
  let mark = 0;
  let mainTip = 0;
  let at = YEAR_START;
  let merges = 0;
  let openBranches = 0;
  let issue = 0;

  const commit = (ref: string, parent: number, message: string, merge?: number): number => {
    mark += 1;
    at += random.int(5, 120) * 60_000;
    const author = random.int(0, AUTHORS - 1);
    const changed = merge === undefined ? pickPaths(random, paths) : [];
    chunks.push(commitCommand({ ref, mark, parent, merge, author, at, message, changed, random }));
    return mark;
  };

  while (mark < options.commits) {
    const left = options.commits - mark;
    if (mainTip > 0 && left >= 4 && random.chance(0.15)) {
      // A feature branch of 1 to 5 commits, merged back unless it is still open.
      issue += 1;
      const ref = `refs/heads/feature/BENCH-${issue}`;
      const length = Math.min(random.int(1, 5), left - 2);
      let tip = mainTip;
      for (let i = 0; i < length; i += 1) tip = commit(ref, tip, `BENCH-${issue} ${random.pick(["Add", "Fix", "Test"])} ${random.pick(MODULES)} step ${i + 1}`);
      if (random.chance(0.85)) {
        mainTip = commit("refs/heads/main", mainTip, `Merge branch 'feature/BENCH-${issue}'`, tip);
        merges += 1;
      } else {
        openBranches += 1;
      }
      continue;
    }
    mainTip = commit("refs/heads/main", mainTip, `${random.pick(["Update", "Tidy", "Fix"])} ${random.pick(MODULES)}`);
  }
  return { text: chunks.join(""), commits: mark, merges, openBranches, files: paths.length };
}

interface CommitCommand {
  ref: string;
  mark: number;
  /** Mark of the first parent; 0 for the root commit. */
  parent: number;
  merge: number | undefined;
  author: number;
  at: number;
  message: string;
  changed: string[];
  random: Random;
}

function commitCommand(c: CommitCommand): string {
  const first = FIRST_NAMES[c.author % FIRST_NAMES.length] ?? "Ada";
  const last = LAST_NAMES[c.author % LAST_NAMES.length] ?? "Ashford";
  // Raw date format: epoch seconds and a "+hhmm" offset; authors sit in UTC+01:00 or UTC-05:00.
  const offset = c.author % 2 === 0 ? "+0100" : "-0500";
  const signature = `${first} ${last} <${`${first}.${last}`.toLowerCase()}@example.org>`;
  const lines = [
    `commit ${c.ref}`,
    `mark :${c.mark}`,
    `author ${signature} ${Math.floor(c.at / 1000)} ${offset}`,
    `committer ${signature} ${Math.floor(c.at / 1000)} ${offset}`,
    data(`${c.message}\n`),
  ];
  if (c.parent > 0) lines.push(`from :${c.parent}`);
  if (c.merge !== undefined) lines.push(`merge :${c.merge}`);
  for (const path of c.changed) {
    lines.push(`M 100644 inline ${path}`, data(fileContent(c.random, path, c.mark)));
  }
  return `${lines.join("\n")}\n\n`;
}

/** Formats a `data` command: its exact byte count, then the bytes. */
function data(content: string): string {
  return `data ${Buffer.byteLength(content, "utf8")}\n${content}`;
}

function fileContent(random: Random, path: string, mark: number): string {
  const lines = [`// ${path}`, `export const revision = ${mark};`];
  for (let i = random.int(0, 4); i > 0; i -= 1) lines.push(`export const value${i} = ${random.int(0, 999)};`);
  return `${lines.join("\n")}\n`;
}

function pickPaths(random: Random, paths: readonly string[]): string[] {
  const chosen = new Set<string>();
  for (let i = random.int(1, 4); i > 0; i -= 1) chosen.add(random.pick(paths));
  return [...chosen];
}
