/**
 * Framework-free webhook handling: verify the signature or token on the raw body, decode
 * the JSON, then parse it into worklens records. Nothing here touches the network or the store.
 */
export { decodeJsonBody, type DecodedBody } from "./json-body.js";
export type {
  AcceptedDelivery,
  DeliveryFacts,
  IgnoredDelivery,
  InvalidDelivery,
  PushTruncation,
  VerifyResult,
  WebhookDelivery,
  WebhookParseResult,
} from "./result.js";
export { singleHeader } from "./signature.js";
export { parseGithubWebhook } from "./github/parse.js";
export { GITHUB_WEBHOOK_COMMIT_CAP } from "./github/push.js";
export { verifyGithubSignature } from "./github/verify.js";
export { parseGitlabWebhook } from "./gitlab/parse.js";
export { GITLAB_PUSH_COMMIT_CAP } from "./gitlab/push.js";
export { gitlabDeliveryId, verifyGitlabToken } from "./gitlab/verify.js";
export { parseJiraWebhook, type JiraDelivery, type JiraWebhookRecord } from "./jira/parse.js";
export { verifyJiraSignature } from "./jira/verify.js";
