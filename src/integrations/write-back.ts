import type { Logger } from "pino";
import { createWriteBackClient, writeBackDue } from "../connectors/jira/write-back.js";
import type { HttpClient } from "../connectors/http/client.js";
import type { Store } from "../store/store.js";
import type { IntegrationConfig } from "./config.js";

export interface WriteBackSummary {
  written: number;
  alreadyInJira: number;
  failed: number;
}

/**
 * Writes every due confirmed worklog to the Jira integration that has write-back on.
 * writeBackDue records the run in sync_runs; a client that cannot be built, such as
 * one with missing credentials, is recorded here as a failed run.
 */
export async function runWriteBack(store: Store, integration: Extract<IntegrationConfig, { kind: "jira" }>, env: NodeJS.ProcessEnv, logger: Logger, now: () => number): Promise<WriteBackSummary> {
  let client: HttpClient;
  try {
    client = createWriteBackClient({
      flavor: integration.flavor,
      env,
      baseUrl: integration.url,
      onRetry: (event) => {
        logger.warn({ integration: integration.name, ...event }, "write-back request retried");
      },
    });
  } catch (error) {
    const runId = await store.syncRuns.start(integration.name, "write-back", now());
    await store.syncRuns.finish(runId, { status: "failed", error: error instanceof Error ? error.message : String(error) }, now());
    throw error;
  }
  const report = await writeBackDue(store, client, { flavor: integration.flavor, integration: integration.name, now });
  for (const failure of report.failed) logger.warn({ integration: integration.name, ...failure }, "worklog write-back failed");
  return { written: report.written, alreadyInJira: report.alreadyInJira, failed: report.failed.length };
}
