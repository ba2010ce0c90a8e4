import type { Logger } from "pino";
import { z } from "zod";
import { completeGitHubPush, createGitHubClient } from "../connectors/github/index.js";
import { completeGitLabPush, createGitLabClient } from "../connectors/gitlab/index.js";
import type { RestClient } from "../connectors/code-host/rest-client.js";
import { WorklensError } from "../domain/errors.js";
import type { Store } from "../store/store.js";
import type { IntegrationConfig } from "./config.js";
import type { ConnectorSummary } from "./run-connector.js";

/** A push whose payload listed fewer commits than it carried, as a job payload. */
export const pushPayloadSchema = z.object({
  vendor: z.enum(["github", "gitlab"]),
  /** "owner/name" on GitHub, the project path on GitLab; GitLab payloads may name only the project id. */
  repository: z.string().min(1).optional(),
  /** GitLab's numeric project id, which its API takes in place of the path. */
  projectId: z.number().int().positive().optional(),
  before: z.string().min(1),
  after: z.string().min(1),
  branch: z.string().optional(),
  /** Commits in the push, when the payload states the count. */
  total: z.number().int().nonnegative().optional(),
});

export type PushCompletion = z.infer<typeof pushPayloadSchema>;

const gitlabProjectSchema = z.looseObject({ path_with_namespace: z.string() });

/**
 * Fetches the commits between `before` and `after` through the vendor's API and
 * stores them. Only a repository the integration lists is read: a GitLab push that
 * names its project by id only is looked up first, and refused when not listed.
 */
export async function completePush(store: Store, integration: IntegrationConfig, push: PushCompletion, env: NodeJS.ProcessEnv, logger: Logger): Promise<ConnectorSummary> {
  const onRetry = (event: object) => {
    logger.warn({ integration: integration.name, ...event }, "request retried");
  };
  if (integration.kind === "github" && push.vendor === "github" && push.repository !== undefined) {
    if (!integration.repositories.includes(push.repository)) throw notListed(integration.name, push.repository);
    const client = createGitHubClient({ apiUrl: integration.apiUrl, env, onRetry });
    const report = await completeGitHubPush(store, client, { repository: push.repository, before: push.before, after: push.after, branch: push.branch, total: push.total });
    return { imported: report.imported, duplicate: report.duplicate, skipped: report.skipped.length, detail: {} };
  }
  if (integration.kind === "gitlab" && push.vendor === "gitlab") {
    const client = createGitLabClient({ url: integration.url, env, onRetry });
    const path = push.repository ?? (await projectPath(client, push.projectId));
    if (!integration.projects.includes(path)) throw notListed(integration.name, path);
    const report = await completeGitLabPush(store, client, { project: push.projectId ?? path, before: push.before, after: push.after, branch: push.branch, total: push.total });
    return { imported: report.imported, duplicate: report.duplicate, skipped: report.skipped.length, detail: {} };
  }
  throw new WorklensError("USAGE", `integration ${integration.name} cannot complete a ${push.vendor} push without its repository`, "the webhook payload must name the repository");
}

async function projectPath(client: RestClient, projectId: number | undefined): Promise<string> {
  if (projectId === undefined) throw new WorklensError("INVALID_INPUT", "GitLab push names neither its project path nor its id", "check the webhook's payload version");
  const { body } = await client.get(`projects/${String(projectId)}`);
  return gitlabProjectSchema.parse(body).path_with_namespace;
}

function notListed(integration: string, repository: string): WorklensError {
  return new WorklensError("USAGE", `integration ${integration} does not list ${repository}, so its commits are not read`, "add the repository to the integration's list to complete its truncated pushes");
}
