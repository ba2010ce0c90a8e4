/** Pull connector for GitLab's REST API v4, and the completion of truncated Push Hook deliveries. */
export { createGitLabClient, GITLAB_TOKEN_ENV, type GitLabClientOptions } from "./client.js";
export { completeGitLabPush, type GitLabPushRange } from "./complete-push.js";
export { GITLAB_COMMIT_OVERLAP_MS, GITLAB_MERGE_REQUEST_OVERLAP_MS, syncGitLab, type GitLabSyncOptions, type GitLabSyncReport } from "./sync.js";
export type { PushCompletionReport } from "../code-host/push-completion.js";
export type { RestClient } from "../code-host/rest-client.js";
