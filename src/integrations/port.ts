import type { SyncRun } from "../store/sync-run-repository.js";

export type IntegrationKind = "jira" | "github" | "gitlab" | "ics";

/** One configured integration as the API shows it: no credentials, no feed URL secrets. */
export interface IntegrationStatus {
  name: string;
  kind: IntegrationKind;
  /** Where it reads from: the Jira or GitLab base URL, "api.github.com", or the feed host. */
  target: string;
  /** Minutes between scheduled syncs; null when it syncs only on request. */
  everyMinutes: number | null;
  /** Whether accepted worklogs are written back through it (Jira only). */
  writeBack: boolean;
  lastRun: SyncRun | null;
  lastSuccess: SyncRun | null;
}

/** What the server needs from the integrations layer; tests pass a fake. */
export interface IntegrationsPort {
  list(): Promise<IntegrationStatus[]>;
  /** Queues a sync now; returns the job id, or null when one already waits. Throws NOT_FOUND for an unknown name. */
  requestSync(name: string): Promise<string | null>;
  /** Queues the write-back of confirmed worklogs that are due; returns the job id or null. */
  requestWriteBack(): Promise<string | null>;
}
