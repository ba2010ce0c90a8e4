import { extractIssueKeys } from "../../domain/issue-keys.js";
import { isPlausibleInstant, offsetZoneName, parseOffsetInstant, type ParsedInstant } from "../../domain/time.js";
import type { ActivityInput } from "../../domain/types.js";
import { commitActivity, type CommitOutcome, type PushContext } from "../../ingest/code-host/commit.js";
import { gitlabIdentity, REDACTED_EMAIL } from "../../ingest/code-host/gitlab-people.js";
import type { SkippedRecord } from "../../ingest/parse-result.js";
import { noteSchema, type GitlabCommit, type GitlabMergeRequest } from "./schemas.js";

/** An activity, or the reason an item could not become one. */
export type ItemOutcome = { ok: true; activity: ActivityInput } | { ok: false; skipped: SkippedRecord };

/**
 * Builds the commit activity a Push Hook writes for the same commit: uid `git:<sha>`,
 * the git author, keys from the message and the branch. Commit listings have no file
 * lists, so the activity has no paths or metrics.
 */
export function gitlabCommitActivity(commit: GitlabCommit, context: PushContext): CommitOutcome {
  return commitActivity(
    {
      sha: commit.id,
      message: commit.message,
      timestamp: commit.authored_date,
      authorName: commit.author_name,
      // The placeholder is the same text for every private author, so it cannot identify anyone.
      authorEmail: commit.author_email === REDACTED_EMAIL ? undefined : (commit.author_email ?? undefined),
      paths: undefined,
    },
    context,
  );
}

/**
 * Builds the activity the Merge Request Hook writes for action "open": the author at
 * `created_at`, with the same source uid. Later actions are not rebuilt, because the
 * list does not give the time of each act, and those uids carry that time.
 */
export function openedMergeRequestActivity(mr: GitlabMergeRequest, repository: string): ItemOutcome {
  const at = readTime(mr.created_at);
  if (at === undefined) {
    return { ok: false, skipped: { record: `${repository}!${mr.iid}`, reason: "created_at is not an ISO 8601 date-time with an offset between 1990 and 2100; the merge request is skipped" } };
  }

  const activity: ActivityInput = {
    sourceUid: `gitlab:merge_request:${mr.project_id}!${mr.iid}:open:${at.instant}`,
    source: "git",
    kind: "pull_request",
    actor: gitlabIdentity(mr.author),
    startAt: at.instant,
    endAt: at.instant,
    tz: offsetZoneName(at.offsetMinutes),
    dateOnly: false,
    repo: repository,
    explicitKeys: [...new Set([...extractIssueKeys(mr.title), ...extractIssueKeys(mr.source_branch)])],
    text: { title: mr.title, branch: mr.source_branch },
  };
  if (mr.description !== null && mr.description !== undefined && mr.description.trim() !== "") activity.text.body = mr.description;
  return { ok: true, activity };
}

/**
 * Builds the activity the Note Hook writes for a new comment on a merge request. System
 * notes and internal notes are skipped: GitLab writes the first itself, and delivers the
 * second as "Confidential Note Hook", which worklens does not read.
 */
export function noteActivity(raw: unknown, mr: GitlabMergeRequest, repository: string, index: number): ItemOutcome {
  const parsed = noteSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, skipped: { record: `${repository}!${mr.iid} notes[${index}]`, reason: "the note lacks id, body, author or created_at; the note is skipped" } };
  }

  const note = parsed.data;
  const record = `${repository}!${mr.iid} note ${note.id}`;
  if (note.system === true) return { ok: false, skipped: { record, reason: "system notes are written by GitLab, not by a person" } };
  if (note.internal === true || note.confidential === true) {
    return { ok: false, skipped: { record, reason: "internal notes are not read, as their webhook (Confidential Note Hook) is not" } };
  }
  const at = parseOffsetInstant(note.created_at);
  if (at === undefined || !isPlausibleInstant(at.instant)) {
    return { ok: false, skipped: { record, reason: "created_at is not an ISO 8601 date-time with an offset between 1990 and 2100; the note is skipped" } };
  }

  const keys = [...extractIssueKeys(`${mr.title}\n${mr.source_branch}`), ...extractIssueKeys(note.body)];
  const activity: ActivityInput = {
    sourceUid: `gitlab:note:${note.id}`,
    source: "git",
    kind: "pull_request",
    actor: gitlabIdentity(note.author),
    startAt: at.instant,
    endAt: at.instant,
    tz: offsetZoneName(at.offsetMinutes),
    dateOnly: false,
    repo: repository,
    explicitKeys: [...new Set(keys)],
    text: { title: mr.title, branch: mr.source_branch },
  };
  if (note.body.trim() !== "") activity.text.body = note.body;
  return { ok: true, activity };
}

/**
 * Reads a merge request time in whole seconds. The uid carries the time, and Merge
 * Request Hook deliveries write it to the second ("2020-10-06 15:27:18 UTC") where the
 * REST API adds milliseconds, so the fraction is dropped as Ruby's formatting drops it.
 * NOTE: a delivery with ISO 8601 milliseconds, as GitLab's "Test" button sends, gets another uid.
 */
function readTime(text: string): ParsedInstant | undefined {
  const parsed = parseOffsetInstant(text);
  if (parsed === undefined || !isPlausibleInstant(parsed.instant)) return undefined;
  return { instant: Math.floor(parsed.instant / 1_000) * 1_000, offsetMinutes: parsed.offsetMinutes };
}
