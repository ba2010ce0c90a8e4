import { createGitHubClient, syncGitHub } from "../connectors/github/index.js";
import { createGitLabClient, syncGitLab } from "../connectors/gitlab/index.js";
import type { RetryEvent } from "../connectors/http/client.js";
import type { Store } from "../store/store.js";
import type { IntegrationConfig } from "./config.js";
import type { ConnectorOptions, ConnectorSummary } from "./run-connector.js";

/** Runs the GitHub or GitLab pull connector of one integration once. */
export async function runCodeHostSync(
  store: Store,
  integration: Extract<IntegrationConfig, { kind: "github" | "gitlab" }>,
  env: NodeJS.ProcessEnv,
  onRetry: (event: RetryEvent) => void,
  options: ConnectorOptions,
): Promise<ConnectorSummary> {
  const retry = options.retry === undefined ? {} : { retry: options.retry };
  if (integration.kind === "github") {
    const client = createGitHubClient({ apiUrl: integration.apiUrl, env, onRetry, ...retry });
    const report = await syncGitHub(store, client, { name: integration.name, apiUrl: integration.apiUrl, repositories: integration.repositories });
    return { imported: report.imported, duplicate: report.duplicate, skipped: report.skipped.length, detail: {} };
  }
  const client = createGitLabClient({ url: integration.url, env, onRetry, ...retry });
  const report = await syncGitLab(store, client, { name: integration.name, url: integration.url, projects: integration.projects });
  return { imported: report.imported, duplicate: report.duplicate, skipped: report.skipped.length, detail: {} };
}
