import { extractIssueKeys } from "../../domain/issue-keys.js";
import { isPlausibleInstant, offsetZoneName } from "../../domain/time.js";
import type { ActivityInput, IdentityInput } from "../../domain/types.js";
import type { SkippedRecord } from "../parse-result.js";
import { parseGitDate } from "./git-date.js";
import { GIT_LOG_COMMAND } from "./git-log-command.js";

/** Raw fields the parser collected for one commit, checked later by `toActivity`. */
export interface PendingCommit {
  sha: string;
  /** 1-based line of the "commit" line. */
  line: number;
  /** Ref printed by `--source`, such as "refs/heads/feature/PROJ-7". */
  sourceRef: string | undefined;
  author: string | undefined;
  authorDate: string | undefined;
  committerDate: string | undefined;
  message: string[];
  linesAdded: number;
  linesDeleted: number;
  paths: string[];
}

export interface CommitContext {
  repo: string | undefined;
  /**
   * Commits reachable from the main line of development. A commit outside it takes
   * the branch from its `--source` ref. Undefined means the main line is unknown,
   * so `--source` refs are ignored.
   */
  mainline: ReadonlySet<string> | undefined;
}

export type CommitOutcome =
  | { ok: true; activity: ActivityInput; landedAtInvalid: boolean }
  | { ok: false; skipped: SkippedRecord };

/** Turns a collected commit into an activity, or names why it cannot be one. */
export function toActivity(commit: PendingCommit, context: CommitContext): CommitOutcome {
  const record = `commit ${commit.sha} (line ${commit.line})`;
  if (commit.author === undefined) {
    return skip(record, `the Author line is missing, so the file may be truncated. Write it again with: ${GIT_LOG_COMMAND}`);
  }
  if (commit.authorDate === undefined) {
    return skip(record, `the AuthorDate line is missing. Write the log with --format=fuller, as in: ${GIT_LOG_COMMAND}`);
  }

  const authored = parseGitDate(commit.authorDate);
  if (authored === undefined) {
    return skip(record, `AuthorDate "${clip(commit.authorDate)}" is invalid. Write the log with --date=iso-strict, as in: ${GIT_LOG_COMMAND}`);
  }
  if (!isPlausibleInstant(authored.instant)) {
    return skip(record, `AuthorDate ${clip(commit.authorDate)} is outside 1990-2100, which points to a wrong clock on the author's machine. The commit cannot be placed on a day`);
  }

  const committed = commit.committerDate === undefined ? undefined : parseGitDate(commit.committerDate);
  const landedAt = committed !== undefined && isPlausibleInstant(committed.instant) ? committed.instant : undefined;
  const tz = offsetZoneName(authored.offsetMinutes);
  const { title, body, keys } = splitMessage(commit.message);
  const branch = branchOf(commit, context.mainline);
  const explicitKeys = branch === undefined ? keys : mergeKeys(keys, extractIssueKeys(branch));

  const activity: ActivityInput = {
    sourceUid: `git:${commit.sha}`,
    source: "git",
    kind: "commit",
    actor: identityOf(commit.author, tz),
    startAt: authored.instant,
    endAt: authored.instant,
    tz,
    dateOnly: false,
    explicitKeys,
    metrics: {
      linesAdded: commit.linesAdded,
      linesDeleted: commit.linesDeleted,
      filesChanged: commit.paths.length,
    },
    text: {},
  };
  if (landedAt !== undefined) activity.landedAt = landedAt;
  if (context.repo !== undefined) activity.repo = context.repo;
  if (title !== undefined) activity.text.title = title;
  if (body !== undefined) activity.text.body = body;
  if (branch !== undefined) activity.text.branch = branch;
  if (commit.paths.length > 0) activity.text.paths = commit.paths.join("\n");

  return { ok: true, activity, landedAtInvalid: commit.committerDate !== undefined && landedAt === undefined };
}

/**
 * Splits "Name <e-mail>" as git prints an ident. Git removes "<", ">" and line breaks
 * from names and e-mails, so the last "<" starts the e-mail.
 */
export function identityOf(ident: string, tz: string): IdentityInput {
  const open = ident.lastIndexOf("<");
  const hasEmail = open >= 0 && ident.endsWith(">");
  const name = (hasEmail ? ident.slice(0, open) : ident).trim();
  const email = hasEmail ? ident.slice(open + 1, -1).trim() : "";

  // Git allows an empty e-mail ("<>"), and such an author is then known by name only.
  const externalId = email !== "" ? email.toLowerCase() : `name:${name.toLowerCase()}`;
  const identity: IdentityInput = { source: "git", externalId, tz };
  if (name !== "") identity.displayName = name;
  if (email !== "") identity.email = email;
  return identity;
}

/** Splits a message into the first non-blank line (title) and the rest without surrounding blank lines (body). */
function splitMessage(lines: readonly string[]): { title: string | undefined; body: string | undefined; keys: string[] } {
  let first = 0;
  while (first < lines.length && (lines[first] ?? "").trim() === "") first += 1;
  if (first === lines.length) return { title: undefined, body: undefined, keys: [] };

  let last = lines.length - 1;
  while (last > first && (lines[last] ?? "").trim() === "") last -= 1;
  let bodyStart = first + 1;
  while (bodyStart <= last && (lines[bodyStart] ?? "").trim() === "") bodyStart += 1;

  const message = lines.slice(first, last + 1).join("\n");
  const body = bodyStart <= last ? lines.slice(bodyStart, last + 1).join("\n") : undefined;
  return { title: lines[first], body, keys: extractIssueKeys(message) };
}

/**
 * Derives the branch of a commit from its `--source` ref, but only for a commit outside
 * the main line. `--source` names the first ref that reached a commit, so a stale branch
 * that points into old history would otherwise claim every commit below it.
 */
function branchOf(commit: PendingCommit, mainline: ReadonlySet<string> | undefined): string | undefined {
  if (mainline === undefined || commit.sourceRef === undefined || mainline.has(commit.sha)) return undefined;
  const ref = commit.sourceRef;
  if (ref.endsWith("/HEAD")) return undefined;
  if (ref.startsWith("refs/heads/")) return ref.slice("refs/heads/".length);
  if (ref.startsWith("refs/remotes/")) return ref.slice("refs/remotes/".length);
  return undefined;
}

function mergeKeys(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}

function skip(record: string, reason: string): CommitOutcome {
  return { ok: false, skipped: { record, reason } };
}

/** Shortens a field quoted in a message, so garbage input cannot flood a report. */
export function clip(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
