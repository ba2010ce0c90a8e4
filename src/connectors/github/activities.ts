import { isPlausibleInstant, parseOffsetInstant } from "../../domain/time.js";
import type { ActivityInput } from "../../domain/types.js";
import { commitActivity, type CommitOutcome, type PushContext } from "../../ingest/code-host/commit.js";
import { githubIdentity, pullRequestActivity } from "../../ingest/code-host/github-pull-request.js";
import type { SkippedRecord } from "../../ingest/parse-result.js";
import { reviewSchema, type GithubCommit, type GithubPull } from "./schemas.js";

/** An activity, or the reason an item could not become one. */
export type ItemOutcome = { ok: true; activity: ActivityInput } | { ok: false; skipped: SkippedRecord };

/**
 * Builds the commit activity a push webhook writes for the same commit: uid `git:<sha>`,
 * the git author by e-mail, keys from the message and the branch. The REST API has no file
 * lists in commit listings, so the activity has no paths or metrics.
 * NOTE: GitHub's REST API returns the author date in UTC, so the zone is UTC where a push
 * payload or a local git log would give the author's own offset.
 */
export function githubCommitActivity(commit: GithubCommit, context: PushContext): CommitOutcome {
  const author = commit.commit.author;
  if (author === null) {
    return { ok: false, skipped: { record: `commit ${commit.sha}`, reason: "the commit has no git author, so no person can be given its time; the commit is skipped" } };
  }
  return commitActivity(
    { sha: commit.sha, message: commit.commit.message, timestamp: author.date, authorName: author.name, authorEmail: author.email ?? undefined, paths: undefined },
    context,
  );
}

/**
 * Builds the activity the `pull_request` webhook writes for action "opened": the author
 * at `created_at`, with the same source uid. Later actions (edited, synchronize, closed)
 * are not rebuilt, because the list names neither the account that acted nor the time of each act.
 */
export function openedPullRequestActivity(pull: GithubPull, repository: string): ItemOutcome {
  const record = `${repository}#${pull.number}`;
  const at = parseOffsetInstant(pull.created_at);
  if (at === undefined || !isPlausibleInstant(at.instant)) {
    return { ok: false, skipped: { record, reason: "created_at is not an ISO 8601 date-time with an offset between 1990 and 2100; the pull request is skipped" } };
  }
  if (pull.user === null) {
    return { ok: false, skipped: { record, reason: "the pull request's author account was deleted, so no person can be given its time; the pull request is skipped" } };
  }

  const activity = pullRequestActivity({
    sourceUid: `github:pull_request:${repository}#${pull.number}:opened:${at.instant}`,
    actor: githubIdentity(pull.user),
    instant: at.instant,
    offsetMinutes: at.offsetMinutes,
    repo: repository,
    pr: pull,
  });
  if (pull.body !== null && pull.body !== undefined && pull.body.trim() !== "") activity.text.body = pull.body;
  return { ok: true, activity };
}

/** Builds the activity the `pull_request_review` webhook writes when the review is submitted: the reviewer at `submitted_at`. */
export function reviewActivity(raw: unknown, pull: GithubPull, repository: string, index: number): ItemOutcome {
  const parsed = reviewSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, skipped: { record: `${repository}#${pull.number} reviews[${index}]`, reason: "the review lacks id, user or state; the review is skipped" } };
  }

  const review = parsed.data;
  const record = `${repository}#${pull.number} review ${review.id}`;
  // A pending review is visible only to its author, has no submitted_at and is not work shown to anyone yet.
  if (review.state === "PENDING" || review.submitted_at === null || review.submitted_at === undefined) {
    return { ok: false, skipped: { record, reason: "the review is pending, not submitted; it is read once it is submitted" } };
  }
  const at = parseOffsetInstant(review.submitted_at);
  if (at === undefined || !isPlausibleInstant(at.instant)) {
    return { ok: false, skipped: { record, reason: "submitted_at is not an ISO 8601 date-time with an offset between 1990 and 2100; the review is skipped" } };
  }
  if (review.user === null) {
    return { ok: false, skipped: { record, reason: "the reviewer's account was deleted, so no person can be given its time; the review is skipped" } };
  }

  const activity = pullRequestActivity({
    sourceUid: `github:review:${review.id}`,
    actor: githubIdentity(review.user),
    instant: at.instant,
    offsetMinutes: at.offsetMinutes,
    repo: repository,
    pr: pull,
  });
  return { ok: true, activity };
}
