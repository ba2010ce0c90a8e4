import type { ActivityInput } from "../../../domain/types.js";
import { ignored, invalid, type WebhookDelivery, type WebhookParseResult } from "../result.js";
import { parseGitlabMergeRequest } from "./merge-request.js";
import { parseGitlabNote } from "./note.js";
import { parseGitlabPush } from "./push.js";

/**
 * Parses a GitLab delivery, named by its `X-Gitlab-Event` header, into activities.
 * Verify the token first. Unknown events and actions are ignored with a reason, never thrown.
 */
export function parseGitlabWebhook(delivery: WebhookDelivery): WebhookParseResult<ActivityInput> {
  const event = delivery.event?.trim() ?? "";
  const facts = { event, deliveryId: delivery.deliveryId };
  if (event === "") return invalid(facts, "X-Gitlab-Event is missing, so the event cannot be told apart");

  switch (event) {
    case "Push Hook":
      return parseGitlabPush(delivery.body, facts);
    case "Merge Request Hook":
      return parseGitlabMergeRequest(delivery.body, facts);
    case "Note Hook":
      return parseGitlabNote(delivery.body, facts);
    default:
      return ignored(facts, `GitLab event "${event}" is not read by worklens`);
  }
}
