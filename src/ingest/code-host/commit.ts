import { extractIssueKeys } from "../../domain/issue-keys.js";
import { isPlausibleInstant, offsetZoneName, parseOffsetInstant } from "../../domain/time.js";
import type { ActivityInput } from "../../domain/types.js";
import { identityOf } from "../git/commit-record.js";
import type { SkippedRecord } from "../parse-result.js";

/** The fields of one commit that GitHub and GitLab push payloads share. */
export interface PushedCommit {
  sha: string;
  message: string;
  /** ISO 8601 instant with an offset, such as "2025-03-10T08:15:00+01:00". */
  timestamp: string;
  authorName: string;
  authorEmail: string | undefined;
  /** Added, modified and removed paths, when the payload lists them. */
  paths: readonly string[] | undefined;
}

export interface PushContext {
  repo: string | undefined;
  /** Branch the push updated, without "refs/heads/"; undefined for tags. */
  branch: string | undefined;
}

export type CommitOutcome = { ok: true; activity: ActivityInput } | { ok: false; skipped: SkippedRecord };

/**
 * Builds the commit activity of a pushed commit. The source uid is `git:<sha>`, the
 * one the git log importer uses, so a commit seen both ways is stored once, and the actor is
 * the git author by e-mail, as that importer records it.
 */
export function commitActivity(commit: PushedCommit, context: PushContext): CommitOutcome {
  const record = `commit ${commit.sha}`;
  const authored = parseOffsetInstant(commit.timestamp);
  if (authored === undefined) {
    return skip(record, "timestamp is not an ISO 8601 date-time with an offset; the commit is skipped");
  }
  if (!isPlausibleInstant(authored.instant)) {
    return skip(record, "timestamp is outside 1990-2100, which points to a wrong clock on the author's machine; the commit is skipped");
  }

  const tz = offsetZoneName(authored.offsetMinutes);
  const ident = commit.authorEmail === undefined || commit.authorEmail === "" ? commit.authorName : `${commit.authorName} <${commit.authorEmail}>`;
  const { title, body } = splitMessage(commit.message);
  const keys = extractIssueKeys(commit.message);
  const explicitKeys = context.branch === undefined ? keys : [...new Set([...keys, ...extractIssueKeys(context.branch)])];

  const activity: ActivityInput = {
    sourceUid: `git:${commit.sha}`,
    source: "git",
    kind: "commit",
    actor: identityOf(ident, tz),
    startAt: authored.instant,
    endAt: authored.instant,
    tz,
    dateOnly: false,
    explicitKeys,
    text: {},
  };
  if (context.repo !== undefined) activity.repo = context.repo;
  if (title !== undefined) activity.text.title = title;
  if (body !== undefined) activity.text.body = body;
  if (context.branch !== undefined) activity.text.branch = context.branch;
  if (commit.paths !== undefined) {
    const paths = [...new Set(commit.paths)];
    // Push payloads carry file lists but no line counts, so only filesChanged is known.
    activity.metrics = { filesChanged: paths.length };
    if (paths.length > 0) activity.text.paths = paths.join("\n");
  }
  return { ok: true, activity };
}

/** Returns the branch name of a `refs/heads/` ref, or undefined for tags and other refs. */
export function branchOfRef(ref: string): string | undefined {
  return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
}

/** Splits a message into its first non-blank line (title) and the rest without surrounding blank lines (body). */
function splitMessage(message: string): { title: string | undefined; body: string | undefined } {
  const lines = message.replace(/\r\n/g, "\n").split("\n");
  const first = lines.findIndex((line) => line.trim() !== "");
  if (first === -1) return { title: undefined, body: undefined };

  const rest = lines.slice(first + 1);
  while (rest.length > 0 && (rest[0] ?? "").trim() === "") rest.shift();
  while (rest.length > 0 && (rest[rest.length - 1] ?? "").trim() === "") rest.pop();
  return { title: lines[first], body: rest.length === 0 ? undefined : rest.join("\n") };
}

function skip(record: string, reason: string): CommitOutcome {
  return { ok: false, skipped: { record, reason } };
}
