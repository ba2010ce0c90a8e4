import { isPlausibleInstant, parseOffsetInstant } from "../../../domain/time.js";
import type { ActivityInput } from "../../../domain/types.js";
import { githubIdentity, pullRequestActivity } from "../../../ingest/code-host/github-pull-request.js";
import { accepted, ignored, invalid, type DeliveryFacts, type WebhookParseResult } from "../result.js";
import { describeIssues } from "../validation.js";
import { actionSchema, pullRequestEventSchema, reviewEventSchema, type GithubPullRequest } from "./schemas.js";

/** `pull_request` actions that are work on the pull request by the sender. Labels, assignees and review requests are not. */
const PULL_REQUEST_ACTIONS = new Set(["opened", "edited", "closed", "reopened", "synchronize"]);

/** Parses a `pull_request` delivery into one pull_request activity of the sender. */
export function parseGithubPullRequest(body: unknown, facts: DeliveryFacts): WebhookParseResult<ActivityInput> {
  const action = actionSchema.safeParse(body);
  if (!action.success) return invalid(facts, `the pull_request body is invalid: ${describeIssues(action.error)}`);
  if (!PULL_REQUEST_ACTIONS.has(action.data.action)) {
    return ignored(facts, `pull_request action "${action.data.action}" is not work on the pull request; only ${[...PULL_REQUEST_ACTIONS].join(", ")} are read`);
  }

  const parsed = pullRequestEventSchema.safeParse(body);
  if (!parsed.success) return invalid(facts, `the pull_request body is invalid: ${describeIssues(parsed.error)}`);

  const { pull_request: pr, repository, sender } = parsed.data;
  const when = actionTime(action.data.action, pr);
  const at = parseOffsetInstant(when.text);
  if (at === undefined || !isPlausibleInstant(at.instant)) {
    return invalid(facts, `pull_request.${when.field} is not an ISO 8601 date-time with an offset between 1990 and 2100`);
  }

  const repo = repository.full_name;
  const activity = pullRequestActivity({
    sourceUid: `github:pull_request:${repo}#${pr.number}:${action.data.action}:${at.instant}`,
    actor: githubIdentity(sender),
    instant: at.instant,
    offsetMinutes: at.offsetMinutes,
    repo,
    pr,
  });
  if (pr.body !== null && pr.body !== undefined && pr.body.trim() !== "") activity.text.body = pr.body;
  return accepted(facts, [activity]);
}

/** Parses a `pull_request_review` delivery: a submitted review becomes a pull_request activity of the reviewer. */
export function parseGithubReview(body: unknown, facts: DeliveryFacts): WebhookParseResult<ActivityInput> {
  const action = actionSchema.safeParse(body);
  if (!action.success) return invalid(facts, `the pull_request_review body is invalid: ${describeIssues(action.error)}`);
  // "edited" repeats the submission time and "dismissed" is the dismisser's act, not the reviewer's work.
  if (action.data.action !== "submitted") {
    return ignored(facts, `pull_request_review action "${action.data.action}" is not a new review; only submitted is read`);
  }

  const parsed = reviewEventSchema.safeParse(body);
  if (!parsed.success) return invalid(facts, `the pull_request_review body is invalid: ${describeIssues(parsed.error)}`);

  const { review, pull_request: pr, repository, sender } = parsed.data;
  const at = review.submitted_at === null || review.submitted_at === undefined ? undefined : parseOffsetInstant(review.submitted_at);
  if (at === undefined || !isPlausibleInstant(at.instant)) {
    return invalid(facts, "review.submitted_at is missing or not an ISO 8601 date-time with an offset between 1990 and 2100");
  }

  const activity = pullRequestActivity({
    sourceUid: `github:review:${review.id}`,
    // A deleted reviewer account arrives as null; the sender of a "submitted" delivery is the reviewer.
    actor: githubIdentity(review.user ?? sender),
    instant: at.instant,
    offsetMinutes: at.offsetMinutes,
    repo: repository.full_name,
    pr,
  });
  return accepted(facts, [activity]);
}

/** Returns the timestamp of the action: created_at when opened, closed_at when closed, else updated_at. */
function actionTime(action: string, pr: GithubPullRequest): { field: string; text: string } {
  if (action === "opened") return { field: "created_at", text: pr.created_at };
  if (action === "closed" && pr.closed_at !== null && pr.closed_at !== undefined) return { field: "closed_at", text: pr.closed_at };
  return { field: "updated_at", text: pr.updated_at };
}
