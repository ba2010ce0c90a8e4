import type { ModelKind } from "../store/model-types.js";
import type { SyncRun } from "../store/sync-run-repository.js";

export type IntegrationKind = "jira" | "github" | "gitlab" | "ics";

/** One configured integration as the API shows it: no credentials, no feed URL secrets. */
export interface IntegrationStatus {
  name: string;
  kind: IntegrationKind;
  /** Host it reads from: of the Jira or GitLab base URL, of the GitHub API, or of the feed. */
  target: string;
  /** Minutes between scheduled syncs; null when it syncs only on request. */
  everyMinutes: number | null;
  /** Whether accepted worklogs are written back through it (Jira only). */
  writeBack: boolean;
  lastRun: SyncRun | null;
  lastSuccess: SyncRun | null;
}

/** Interface between the server and the integrations layer; tests pass a fake. */
export interface IntegrationsPort {
  list(): Promise<IntegrationStatus[]>;
  /** Queues a sync now; returns the job id, or null when one already waits. Throws NOT_FOUND for an unknown name. */
  requestSync(name: string): Promise<string | null>;
  /** Queues the write-back of confirmed worklogs that are due; returns the job id or null. */
  requestWriteBack(): Promise<string | null>;
  /** Queues linking and allocating activity stored since the last refresh; returns the job id or null. */
  requestRefresh(): Promise<string | null>;
  /** Queues fetching the commits a truncated push payload left out; returns the job id or null. */
  requestPushCompletion(push: PushToComplete): Promise<string | null>;
  /**
   * Queues training of one model kind through the promotion gate, whatever the live
   * model's age and drift. Returns the job id, or null when one already waits. Throws
   * UNAVAILABLE, with the install command as hint, when the training library cannot be
   * loaded. A port that runs no training leaves it out.
   */
  requestRetrain?(kind: ModelKind): Promise<string | null>;
}

/** A push whose payload listed fewer commits than the push carried. */
export interface PushToComplete {
  vendor: "github" | "gitlab";
  /** "owner/name" on GitHub, the project path on GitLab; GitLab payloads may name only the project id. */
  repository?: string | undefined;
  projectId?: number | undefined;
  before: string;
  after: string;
  branch?: string | undefined;
  /** Commits in the push, when the payload states the count. */
  total?: number | undefined;
}
