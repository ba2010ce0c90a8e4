import { isoStrict } from "../bench/generate-git-log.js";
import { personAt, type SimCommit, type Simulation } from "./model.js";

/**
 * Writes one git log per repository in the form of `git log --all --date-order
 * --format=fuller --date=iso-strict --numstat`: newest commit first, dates in the
 * author's own offset. Returns the text per repository name.
 */
export function gitLogs(simulation: Simulation): Map<string, string> {
  const byRepo = new Map<string, SimCommit[]>();
  for (const commit of simulation.commits) {
    const list = byRepo.get(commit.repo) ?? [];
    list.push(commit);
    byRepo.set(commit.repo, list);
  }
  const logs = new Map<string, string>();
  for (const [repo, commits] of [...byRepo].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...commits].sort((a, b) => b.commitDate - a.commitDate || (a.sha < b.sha ? -1 : 1));
    logs.set(repo, sorted.map((commit) => formatCommit(commit, simulation)).join(""));
  }
  return logs;
}

function formatCommit(commit: SimCommit, simulation: Simulation): string {
  const author = personAt(simulation.people, commit.person);
  const signature = `${author.displayName} <${author.email}>`;
  const lines = [
    `commit ${commit.sha}`,
    `Author:     ${signature}`,
    `AuthorDate: ${isoStrict(commit.authorDate, author.zone)}`,
    `Commit:     ${signature}`,
    `CommitDate: ${isoStrict(commit.commitDate, author.zone)}`,
    "",
    // Git indents every message line by four spaces, blank ones included.
    ...commit.message.map((line) => `    ${line}`),
    "",
    ...commit.files.map((f) => `${f.added}\t${f.deleted}\t${f.path}`),
    "",
  ];
  return `${lines.join("\n")}\n`;
}
