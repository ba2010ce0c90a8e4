import type { Logger } from "pino";
import { InProcessJobQueue } from "../jobs/in-process.js";
import { PostgresJobQueue } from "../jobs/postgres.js";
import type { JobEvent, JobQueue } from "../jobs/queue.js";
import type { Store, StoreConfig } from "../store/store.js";
import type { IntegrationConfig } from "./config.js";
import { Integrations, JOBS, type ModelTrainingOptions } from "./registry.js";

/** Queue kind for background jobs: in this process, or pg-boss in the PostgreSQL store's database. */
export type QueueKind = "in-process" | "postgres";

export interface RuntimeOptions {
  store: Store;
  storeConfig: StoreConfig;
  integrations: readonly IntegrationConfig[];
  queue: QueueKind | "auto";
  /** Run job handlers in this process. */
  work: boolean;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Trainers and training library of the daily model-training job. */
  training?: ModelTrainingOptions;
}

export interface Runtime {
  integrations: Integrations;
  queue: JobQueue;
  queueKind: QueueKind;
  /** Stops the schedules, then the queue, which lets running jobs finish. */
  stop(): Promise<void>;
}

/**
 * Starts the job queue and the integrations on it. "auto" picks pg-boss when the
 * store is PostgreSQL, so server and worker processes sharing one database share
 * the jobs, and the in-process queue on the embedded SQLite store.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const onEvent = (event: JobEvent) => {
    if (event.kind === "error") options.logger.error({ error: event.error }, "job queue error");
    else options.logger.warn(event, event.kind === "failed" ? "job failed" : "job rejected");
  };
  let queueKind: QueueKind;
  if (options.queue !== "auto") queueKind = options.queue;
  else queueKind = options.storeConfig.kind === "postgres" ? "postgres" : "in-process";
  let queue: JobQueue;
  if (queueKind === "postgres") {
    if (options.storeConfig.kind !== "postgres") throw new Error("the postgres job queue needs a PostgreSQL store: pass --postgres, or set jobs.queue to in-process");
    queue = await PostgresJobQueue.start({ connectionString: options.storeConfig.connectionString, queues: Object.values(JOBS), onEvent });
  } else {
    if (!options.work) options.logger.warn({}, "jobs.work is false with the in-process queue: queued jobs never run");
    queue = new InProcessJobQueue({ onEvent });
  }
  const integrations = new Integrations({ store: options.store, queue, integrations: options.integrations, env: options.env, logger: options.logger, work: options.work, ...(options.training === undefined ? {} : { training: options.training }) });
  try {
    await integrations.start();
  } catch (error) {
    await queue.stop();
    throw error;
  }
  return {
    integrations,
    queue,
    queueKind,
    async stop() {
      integrations.stop();
      await queue.stop();
    },
  };
}
