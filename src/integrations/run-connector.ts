import type { Logger } from "pino";
import { z } from "zod";
import { importIcsFeed } from "../connectors/ics/import-feed.js";
import { createJiraClient } from "../connectors/jira/client.js";
import { syncJira } from "../connectors/jira/sync.js";
import type { RetryPolicy } from "../connectors/http/retry.js";
import { parsePerson } from "../people/person-arg.js";
import type { Store } from "../store/store.js";
import type { IntegrationConfig } from "./config.js";
import { runCodeHostSync } from "./code-hosts.js";

/** Knobs for tests: a loopback feed server, short retry delays. */
export interface ConnectorOptions {
  allowLoopbackForTests?: boolean;
  retry?: Partial<RetryPolicy>;
}

/** Counts of one connector run, as the status API shows them. */
export interface ConnectorSummary {
  imported: number;
  duplicate: number;
  skipped: number;
  detail: Record<string, unknown>;
}

const feedStateSchema = z.object({ etag: z.string().optional(), lastModified: z.string().optional() });

/** Runs the pull connector of one integration once. */
export async function runConnector(store: Store, integration: IntegrationConfig, env: NodeJS.ProcessEnv, logger: Logger, options: ConnectorOptions): Promise<ConnectorSummary> {
  const onRetry = (event: object) => {
    logger.warn({ integration: integration.name, ...event }, "request retried");
  };
  switch (integration.kind) {
    case "jira": {
      const client = createJiraClient({ flavor: integration.flavor, env, baseUrl: integration.url, onRetry, ...(options.retry === undefined ? {} : { retry: options.retry }) });
      const report = await syncJira(store, client, { flavor: integration.flavor, baseUrl: integration.url, projects: integration.projects, jql: integration.jql });
      return { imported: report.imported, duplicate: report.duplicate, skipped: report.skipped.length, detail: { pages: report.pages, counts: report.counts } };
    }
    case "ics":
      return syncFeed(store, integration, options);
    case "github":
    case "gitlab":
      return runCodeHostSync(store, integration, env, onRetry, options);
  }
}

async function syncFeed(store: Store, integration: Extract<IntegrationConfig, { kind: "ics" }>, options: ConnectorOptions): Promise<ConnectorSummary> {
  const resource = "feed";
  const saved = await store.checkpoints.get(integration.name, resource);
  const state = saved === undefined ? {} : feedStateSchema.catch({}).parse(JSON.parse(saved.value));
  const result = await importIcsFeed(store, integration.url, {
    person: parsePerson("ics", integration.person),
    defaultZone: integration.zone,
    etag: state.etag,
    lastModified: state.lastModified,
    allowLoopbackForTests: options.allowLoopbackForTests,
  });
  if (result.status === "not-modified") return { imported: 0, duplicate: 0, skipped: 0, detail: { notModified: true } };
  await store.checkpoints.set(integration.name, resource, JSON.stringify({ etag: result.etag, lastModified: result.lastModified }), Date.now());
  return { imported: result.report.imported, duplicate: result.report.duplicate, skipped: result.report.skipped.length, detail: { warnings: result.report.warnings.length } };
}
