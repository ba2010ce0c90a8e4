import { extractIssueKeys } from "../../../domain/issue-keys.js";
import { offsetZoneName } from "../../../domain/time.js";
import type { ActivityInput } from "../../../domain/types.js";
import { accepted, ignored, invalid, type DeliveryFacts, type WebhookParseResult } from "../result.js";
import { describeIssues } from "../validation.js";
import { gitlabIdentity } from "../../../ingest/code-host/gitlab-people.js";
import { mergeRequestSchema } from "./schemas.js";
import { parseGitlabTime } from "./time.js";

/**
 * Merge request actions that are work on the merge request by the user who caused the
 * event. Withdrawn approvals are left out. "update" also fires for label and assignee changes,
 * which the payload does not tell apart from new commits without reading `changes`.
 */
const MERGE_REQUEST_ACTIONS = new Set(["open", "reopen", "update", "close", "merge", "approved"]);

/** Parses a Merge Request Hook delivery into one pull_request activity of the user who acted. */
export function parseGitlabMergeRequest(body: unknown, facts: DeliveryFacts): WebhookParseResult<ActivityInput> {
  const parsed = mergeRequestSchema.safeParse(body);
  if (!parsed.success) return invalid(facts, `the Merge Request Hook body is invalid: ${describeIssues(parsed.error)}`);

  const { user, project, object_attributes: mr } = parsed.data;
  if (mr.action === undefined || !MERGE_REQUEST_ACTIONS.has(mr.action)) {
    return ignored(
      facts,
      `merge request action "${mr.action ?? "(none)"}" is not work on the merge request; only ${[...MERGE_REQUEST_ACTIONS].join(", ")} are read`,
    );
  }

  const field = mr.action === "open" ? "created_at" : "updated_at";
  const at = parseGitlabTime(mr[field]);
  if (at === undefined) {
    return invalid(facts, `object_attributes.${field} is not a GitLab timestamp between 1990 and 2100, such as 2025-03-10T08:15:00Z`);
  }

  const activity: ActivityInput = {
    sourceUid: `gitlab:merge_request:${project.id}!${mr.iid}:${mr.action}:${at.instant}`,
    source: "git",
    kind: "pull_request",
    actor: gitlabIdentity(user),
    startAt: at.instant,
    endAt: at.instant,
    tz: offsetZoneName(at.offsetMinutes),
    dateOnly: false,
    repo: project.path_with_namespace,
    explicitKeys: [...new Set([...extractIssueKeys(mr.title), ...extractIssueKeys(mr.source_branch)])],
    text: { title: mr.title, branch: mr.source_branch },
  };
  if (mr.description !== null && mr.description !== undefined && mr.description.trim() !== "") activity.text.body = mr.description;
  return accepted(facts, [activity]);
}
