import type { ActivityInput } from "../../../domain/types.js";
import { branchOfRef, commitActivity } from "../../../ingest/code-host/commit.js";
import { accepted, invalid, type DeliveryFacts, type PushTruncation, type WebhookParseResult } from "../result.js";
import { describeIssues } from "../validation.js";
import { pushCommitSchema, pushSchema, type GithubPush } from "./schemas.js";

/**
 * Maximum number of commits a github.com push webhook lists, per GitHub's webhook payload reference
 * for `push` ("The array includes a maximum of 2048 commits"). The Events API's
 * PushEvent and older GitHub Enterprise Server timelines cap at 20 instead, but they also send `size`.
 */
export const GITHUB_WEBHOOK_COMMIT_CAP = 2048;

/** Parses a `push` delivery into one commit activity per listed commit. */
export function parseGithubPush(body: unknown, facts: DeliveryFacts): WebhookParseResult<ActivityInput> {
  const parsed = pushSchema.safeParse(body);
  if (!parsed.success) return invalid(facts, `the push body is invalid: ${describeIssues(parsed.error)}`);

  const push = parsed.data;
  const result = accepted<ActivityInput>(facts);
  const context = { repo: push.repository.full_name, branch: branchOfRef(push.ref) };
  let distinctListed = 0;
  push.commits.forEach((raw, index) => {
    const commit = pushCommitSchema.safeParse(raw);
    if (!commit.success) {
      result.skipped.push({ record: `commits[${index}]`, reason: `${describeIssues(commit.error)}; the commit is skipped` });
      return;
    }

    if (commit.data.distinct !== false) distinctListed += 1;
    const { id, message, timestamp, author, added, removed, modified } = commit.data;
    const paths = added === undefined && removed === undefined && modified === undefined ? undefined : [...(added ?? []), ...(modified ?? []), ...(removed ?? [])];
    // NOTE: GitHub documents `timestamp` only as "the ISO 8601 timestamp of the commit"; it is taken as
    // the author date, which the git log importer uses too. For a rebased commit the two importers may disagree.
    const outcome = commitActivity(
      { sha: id, message, timestamp, authorName: author.name, authorEmail: author.email ?? undefined, paths },
      context,
    );
    if (outcome.ok) result.records.push(outcome.activity);
    else result.skipped.push(outcome.skipped);
  });

  result.truncated = truncationOf(push, distinctListed);
  return result;
}

/**
 * Returns how the push is incomplete, or undefined when the listed commits are all of
 * it: `size` or `distinct_size` (when the payload has them) exceed the commits listed,
 * or the list reached GitHub's cap.
 */
function truncationOf(push: GithubPush, distinctListed: number): PushTruncation | undefined {
  const listed = push.commits.length;
  const range = { listed, before: push.before, after: push.after, repository: push.repository.full_name, branch: branchOfRef(push.ref) };
  if (push.size !== undefined && push.size > listed) {
    return { ...range, total: push.size, reason: `size says the push has ${push.size} commits but ${listed} are listed` };
  }
  if (push.distinct_size !== undefined && push.distinct_size > distinctListed) {
    return {
      ...range,
      total: push.distinct_size,
      reason: `distinct_size says the push has ${push.distinct_size} new commits but ${distinctListed} are listed`,
    };
  }
  if (listed >= GITHUB_WEBHOOK_COMMIT_CAP) {
    return { ...range, total: undefined, reason: `${listed} commits are listed, GitHub's maximum for a push webhook, so more may exist` };
  }
  return undefined;
}
