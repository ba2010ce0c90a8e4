import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import { withPayload, type JobQueue } from "../jobs/queue.js";
import type { TrainingBackend } from "../ml/backend.js";
import { loadXGBoost } from "../ml/index.js";
import { refreshSuggestions } from "../review/refresh.js";
import { MODEL_KINDS, type ModelKind } from "../store/model-types.js";
import type { Store } from "../store/store.js";
import type { SyncRunKind } from "../store/sync-run-repository.js";
import { runModelTraining } from "../training/schedule.js";
import { purgeExpired } from "../governance/purge.js";
import type { ModelTrainer } from "../training/trainer.js";
import { registeredTrainers } from "../training/trainers.js";
import { integrationTarget, type IntegrationConfig } from "./config.js";
import type { IntegrationsPort, IntegrationStatus, PushToComplete } from "./port.js";
import { runConnector, type ConnectorOptions } from "./run-connector.js";
import { completePush, pushPayloadSchema, type PushCompletion } from "./complete-push.js";
import { runWriteBack } from "./write-back.js";

/** Names of the background jobs. Each has one handler, which `start()` registers. */
export const JOBS = {
  sync: "integration-sync",
  writeBack: "worklog-write-back",
  refresh: "suggestions-refresh",
  completePush: "push-completion",
  modelTraining: "model-training",
  privacyPurge: "privacy-purge",
} as const;

/** How often due write-backs are looked for, besides right after each accept: once a minute. */
const WRITE_BACK_POLL_MS = 60_000;

export interface IntegrationsOptions {
  store: Store;
  queue: JobQueue;
  integrations: readonly IntegrationConfig[];
  /** Process environment, where connectors read their credentials when a job runs. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock?: () => number;
  /** Test hooks passed to the connectors, such as accepting a loopback feed server. */
  connectors?: ConnectorOptions;
  /** Register job handlers in this process; false for a server that only queues work for separate workers. */
  work?: boolean;
  /** Length of a schedule minute in milliseconds; tests shorten it. */
  minuteMs?: number;
  /**
   * Wait before a refresh starts, so the heartbeats of many editors in the next
   * seconds share one refresh: the linker reads the whole store each time.
   */
  refreshDelayMs?: number;
  /** The daily model-training job: drift checks, and retraining through the promotion gate. */
  training?: ModelTrainingOptions;
}

export interface ModelTrainingOptions {
  /** The registered trainers by default. */
  trainers?: readonly ModelTrainer[];
  /** XGBoost from the default library path by default. */
  loadBackend?: () => TrainingBackend;
  /** Retrain when the live model was trained more than this many days ago; 7 by default. */
  maxAgeDays?: number;
}

/** The model-training job and the retention purge run once a day, counted from process start. */
const MINUTES_PER_DAY = 24 * 60;

/** Default wait before a refresh: editors send heartbeats in bulk about every two minutes. */
const REFRESH_DELAY_MS = 5_000;

/**
 * The configured integrations and the jobs that serve them: scheduled and requested
 * syncs, write-back of accepted worklogs, completion of truncated pushes, and the
 * refresh of suggestions after new activity. Each job writes one sync_runs row,
 * so failures are visible through the API and not only in logs.
 */
export class Integrations implements IntegrationsPort {
  readonly #options: IntegrationsOptions;
  readonly #byName: ReadonlyMap<string, IntegrationConfig>;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: IntegrationsOptions) {
    this.#options = options;
    this.#byName = new Map(options.integrations.map((i) => [i.name, i]));
  }

  #now(): number {
    return (this.#options.clock ?? Date.now)();
  }

  /** Registers the job handlers (unless `work` is false) and starts the schedules. */
  async start(): Promise<void> {
    const { queue } = this.#options;
    if (this.#options.work !== false) {
      await queue.work(JOBS.sync, withPayload(z.object({ name: z.string() }), ({ name }) => this.#sync(name)));
      await queue.work(JOBS.writeBack, withPayload(z.object({}), () => this.#writeBack()));
      await queue.work(JOBS.refresh, withPayload(z.object({}), () => this.#refresh()));
      await queue.work(JOBS.completePush, withPayload(pushPayloadSchema, (payload) => this.#completePush(payload)));
      await queue.work(JOBS.modelTraining, withPayload(z.object({ retrain: z.enum(MODEL_KINDS).optional() }), ({ retrain }) => this.#trainModels(retrain)));
      await queue.work(JOBS.privacyPurge, withPayload(z.object({}), () => this.#purge()));
    }
    this.#every(MINUTES_PER_DAY * (this.#options.minuteMs ?? 60_000), "model training", () => this.requestModelTraining());
    this.#every(MINUTES_PER_DAY * (this.#options.minuteMs ?? 60_000), "retention purge", () => this.requestPurge());
    for (const integration of this.#options.integrations) {
      if (integration.everyMinutes !== undefined) this.#every(integration.everyMinutes * (this.#options.minuteMs ?? 60_000), `sync ${integration.name}`, () => this.requestSync(integration.name));
    }
    // Failed write-backs wait for their retry time; this picks them up once it has passed.
    if (this.#options.integrations.some((i) => i.kind === "jira" && i.writeBack)) {
      this.#every(this.#options.minuteMs ?? WRITE_BACK_POLL_MS, "write-back", () => this.requestWriteBack());
    }
  }

  /** Starts a timer that runs `task` every `ms`. A failure to queue is logged, because a timer has no caller to throw to. */
  #every(ms: number, what: string, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      task().catch((error: unknown) => {
        this.#options.logger.error({ err: error, what }, "scheduled job could not be queued");
      });
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Stops the schedules. The queue is stopped by its owner, which drains running jobs. */
  stop(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
  }

  async list(): Promise<IntegrationStatus[]> {
    const { store } = this.#options;
    const statuses: IntegrationStatus[] = [];
    for (const integration of this.#options.integrations) {
      const [lastRun] = await store.syncRuns.recent(integration.name, 1);
      statuses.push({
        name: integration.name,
        kind: integration.kind,
        target: integrationTarget(integration),
        everyMinutes: integration.everyMinutes ?? null,
        writeBack: integration.kind === "jira" && integration.writeBack,
        lastRun: lastRun ?? null,
        lastSuccess: (await store.syncRuns.lastSuccess(integration.name)) ?? null,
      });
    }
    return statuses;
  }

  async requestSync(name: string): Promise<string | null> {
    if (!this.#byName.has(name)) {
      throw new WorklensError("NOT_FOUND", `no integration named ${name}`, "list the integrations to see the configured names");
    }
    return this.#options.queue.send(JOBS.sync, { name }, { singletonKey: name });
  }

  /** Queues a write-back run; returns null without queuing when no Jira integration has write-back on. */
  async requestWriteBack(): Promise<string | null> {
    if (!this.#options.integrations.some((i) => i.kind === "jira" && i.writeBack)) return null;
    return this.#options.queue.send(JOBS.writeBack, {}, { singletonKey: "write-back" });
  }

  /** Queues a refresh of suggestions after new activity was stored. */
  async requestRefresh(): Promise<string | null> {
    return this.#options.queue.send(JOBS.refresh, {}, { singletonKey: "refresh" });
  }

  /** Queues a retention purge: rows older than their data class allows are removed and the counts audited. */
  async requestPurge(): Promise<string | null> {
    return this.#options.queue.send(JOBS.privacyPurge, {}, { singletonKey: "privacy-purge" });
  }

  /** Queues a model-training run: drift checks, then retraining of the kinds that need it. */
  async requestModelTraining(): Promise<string | null> {
    return this.#options.queue.send(JOBS.modelTraining, {}, { singletonKey: "model-training" });
  }

  /**
   * Queues training of one kind whatever its live model's age and drift. A server that
   * runs the jobs loads the library first, so a missing one is reported to the caller
   * now rather than as a skipped run in the log.
   */
  async requestRetrain(kind: ModelKind): Promise<string | null> {
    if (this.#options.work !== false) this.#loadBackend();
    return this.#options.queue.send(JOBS.modelTraining, { retrain: kind }, { singletonKey: `model-training:${kind}` });
  }

  #loadBackend(): TrainingBackend {
    return (this.#options.training?.loadBackend ?? (() => loadXGBoost()))();
  }

  /** Queues fetching the commits a truncated push payload left out. */
  async requestPushCompletion(push: PushToComplete): Promise<string | null> {
    return this.#options.queue.send(JOBS.completePush, push, { singletonKey: `${push.vendor}:${push.repository ?? String(push.projectId)}:${push.after}` });
  }

  /**
   * Integrations of a vendor that may read a repository: those that list it, or every
   * one of the vendor when the push names its project by id only.
   */
  integrationsFor(vendor: "github" | "gitlab", repository: string | undefined): IntegrationConfig[] {
    return this.#options.integrations.filter((integration) => {
      if (integration.kind === "github" && vendor === "github") return repository !== undefined && integration.repositories.includes(repository);
      if (integration.kind === "gitlab" && vendor === "gitlab") return repository === undefined || integration.projects.includes(repository);
      return false;
    });
  }

  async #sync(name: string): Promise<void> {
    const integration = this.#byName.get(name);
    if (integration === undefined) {
      this.#options.logger.warn({ integration: name }, "sync job names an integration that is no longer configured: dropped");
      return;
    }
    const summary = await this.#recorded(name, "sync", () => runConnector(this.#options.store, integration, this.#options.env, this.#options.logger, this.#options.connectors ?? {}));
    if (hasNewRecords(summary)) await this.requestRefresh();
  }

  async #writeBack(): Promise<void> {
    const integration = this.#options.integrations.find((i) => i.kind === "jira" && i.writeBack);
    if (integration?.kind !== "jira") return;
    const summary = await runWriteBack(this.#options.store, integration, this.#options.env, this.#options.logger, () => this.#now());
    if (summary.written + summary.alreadyInJira + summary.failed > 0) this.#options.logger.info({ integration: integration.name, ...summary }, "write-back run finished");
  }

  async #refresh(): Promise<void> {
    const delay = this.#options.refreshDelayMs ?? REFRESH_DELAY_MS;
    if (delay > 0) await sleep(delay);
    const report = await refreshSuggestions(this.#options.store);
    if (report.activities > 0) this.#options.logger.info(report, "suggestions refreshed");
  }

  /**
   * NOTE: XGBoost trains in this process through synchronous native calls, which
   * block the event loop while they run. A server that must stay responsive should
   * leave the job to a `worklens worker` process on the PostgreSQL queue.
   */
  async #trainModels(retrain: ModelKind | undefined): Promise<void> {
    const training = this.#options.training ?? {};
    const trainers = training.trainers ?? registeredTrainers();
    await runModelTraining(this.#options.store, {
      trainers: retrain === undefined ? trainers : trainers.filter((trainer) => trainer.kind === retrain),
      loadBackend: () => this.#loadBackend(),
      logger: this.#options.logger,
      maxAgeDays: training.maxAgeDays,
      force: retrain !== undefined,
      clock: () => this.#now(),
    });
  }

  async #purge(): Promise<void> {
    const report = await purgeExpired(this.#options.store, { now: this.#now(), actor: "system" });
    this.#options.logger.info({ totalRemoved: report.totalRemoved, classes: report.classes.map((c) => ({ dataClass: c.dataClass, cutoff: c.cutoff, removed: c.removed })) }, "retention purge finished");
  }

  async #completePush(push: PushCompletion): Promise<void> {
    const candidates = this.integrationsFor(push.vendor, push.repository);
    const repository = push.repository ?? `project id ${String(push.projectId)}`;
    if (candidates.length === 0) {
      this.#options.logger.warn({ vendor: push.vendor, repository }, "truncated push of a repository no integration lists: the missing commits stay missing");
      return;
    }
    let imported = false;
    for (const integration of candidates) {
      try {
        const summary = await this.#recorded(integration.name, "push", () => completePush(this.#options.store, integration, push, this.#options.env, this.#options.logger));
        imported = hasNewRecords(summary);
        break;
      } catch (error) {
        // A project looked up by id that this integration does not list may be another's.
        if (!(error instanceof WorklensError && error.code === "USAGE" && candidates.length > 1)) throw error;
      }
    }
    if (imported) await this.requestRefresh();
  }

  /** Runs one piece of work with a sync_runs row around it; rethrows so the queue retries. */
  async #recorded<T>(integration: string, kind: SyncRunKind, work: () => Promise<T>): Promise<T> {
    const { store, logger } = this.#options;
    const runId = await store.syncRuns.start(integration, kind, this.#now());
    try {
      const summary = await work();
      await store.syncRuns.finish(runId, { status: "succeeded", summary }, this.#now());
      logger.info({ integration, kind, summary }, "integration run succeeded");
      return summary;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await store.syncRuns.finish(runId, { status: "failed", error: message }, this.#now());
      logger.warn({ integration, kind, error: message }, "integration run failed");
      throw error;
    }
  }
}

function hasNewRecords(summary: unknown): boolean {
  return typeof summary === "object" && summary !== null && "imported" in summary && typeof summary.imported === "number" && summary.imported > 0;
}
