/** Pull connector for GitHub's REST API, and the completion of truncated push webhooks. */
export { createGitHubClient, DEFAULT_GITHUB_API_URL, GITHUB_TOKEN_ENV, type GitHubClientOptions } from "./client.js";
export { completeGitHubPush, type GitHubPushRange } from "./complete-push.js";
export { GITHUB_COMMIT_OVERLAP_MS, GITHUB_PULL_OVERLAP_MS, syncGitHub, type GitHubSyncOptions, type GitHubSyncReport } from "./sync.js";
export type { PushCompletionReport } from "../code-host/push-completion.js";
export type { RestClient } from "../code-host/rest-client.js";
