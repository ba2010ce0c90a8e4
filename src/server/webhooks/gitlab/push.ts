import type { ActivityInput } from "../../../domain/types.js";
import { branchOfRef, commitActivity } from "../../../ingest/code-host/commit.js";
import { accepted, invalid, type DeliveryFacts, type PushTruncation, type WebhookParseResult } from "../result.js";
import { describeIssues } from "../validation.js";
import { pushCommitSchema, pushSchema, REDACTED_EMAIL, type GitlabPush } from "./schemas.js";

/**
 * Maximum number of commits a GitLab Push Hook lists. GitLab's webhook events reference
 * states that a larger push lists only the newest 20, and `total_commits_count` contains the real count.
 */
export const GITLAB_PUSH_COMMIT_CAP = 20;

/** Parses a Push Hook delivery into one commit activity per listed commit. */
export function parseGitlabPush(body: unknown, facts: DeliveryFacts): WebhookParseResult<ActivityInput> {
  const parsed = pushSchema.safeParse(body);
  if (!parsed.success) return invalid(facts, `the Push Hook body is invalid: ${describeIssues(parsed.error)}`);

  const push = parsed.data;
  const result = accepted<ActivityInput>(facts);
  const context = { repo: push.project?.path_with_namespace, branch: branchOfRef(push.ref) };
  push.commits.forEach((raw, index) => {
    const commit = pushCommitSchema.safeParse(raw);
    if (!commit.success) {
      result.skipped.push({ record: `commits[${index}]`, reason: `${describeIssues(commit.error)}; the commit is skipped` });
      return;
    }

    const { id, message, timestamp, author, added, modified, removed } = commit.data;
    const listsPaths = added !== undefined || modified !== undefined || removed !== undefined;
    const outcome = commitActivity(
      {
        sha: id,
        message,
        // Push commits carry ISO 8601 with an offset in every documented GitLab version.
        timestamp,
        authorName: author.name,
        // A redacted e-mail is the same text for every private author, so it cannot identify anyone.
        authorEmail: author.email === REDACTED_EMAIL ? undefined : (author.email ?? undefined),
        paths: listsPaths ? [...(added ?? []), ...(modified ?? []), ...(removed ?? [])] : undefined,
      },
      context,
    );
    if (outcome.ok) result.records.push(outcome.activity);
    else result.skipped.push(outcome.skipped);
  });

  result.truncated = truncationOf(push);
  return result;
}

function truncationOf(push: GitlabPush): PushTruncation | undefined {
  const listed = push.commits.length;
  if (push.total_commits_count <= listed) return undefined;
  return {
    listed,
    total: push.total_commits_count,
    before: push.before,
    after: push.after,
    repository: push.project?.path_with_namespace,
    projectId: push.project_id,
    branch: branchOfRef(push.ref),
    reason:
      `total_commits_count says the push has ${push.total_commits_count} commits but ${listed} are listed ` +
      `(GitLab lists at most the newest ${GITLAB_PUSH_COMMIT_CAP})`,
  };
}
