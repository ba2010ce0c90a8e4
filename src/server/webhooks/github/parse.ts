import type { ActivityInput } from "../../../domain/types.js";
import { accepted, ignored, invalid, type WebhookDelivery, type WebhookParseResult } from "../result.js";
import { parseGithubPullRequest, parseGithubReview } from "./pull-request.js";
import { parseGithubPush } from "./push.js";

/**
 * Parses a GitHub delivery, named by its `X-GitHub-Event` header, into activities.
 * Verify the signature first. Unknown events and actions are ignored with a reason, never thrown.
 */
export function parseGithubWebhook(delivery: WebhookDelivery): WebhookParseResult<ActivityInput> {
  const event = delivery.event?.trim() ?? "";
  const facts = { event, deliveryId: delivery.deliveryId };
  if (event === "") return invalid(facts, "X-GitHub-Event is missing, so the event cannot be told apart");

  switch (event) {
    case "ping":
      // GitHub sends ping once when a webhook is created; it carries no work.
      return accepted(facts);
    case "push":
      return parseGithubPush(delivery.body, facts);
    case "pull_request":
      return parseGithubPullRequest(delivery.body, facts);
    case "pull_request_review":
      return parseGithubReview(delivery.body, facts);
    case "create":
    case "delete":
      // The body has no timestamp, so the time of the act is unknown, and the branch's
      // issue keys reach worklens through its commits and pull requests anyway.
      return ignored(facts, `${event} events carry no time of their own; branch work is read from push and pull_request events`);
    default:
      return ignored(facts, `GitHub event "${event}" is not read by worklens`);
  }
}
