import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import type { Job, JobEventListener, JobHandler, JobQueue, SendOptions } from "./queue.js";
import { InvalidJobPayload, errorMessage } from "./queue.js";

export interface PostgresQueueOptions {
  connectionString: string;
  /** Schema for pg-boss's tables, created on start. "worklens_jobs" by default. */
  schema?: string | undefined;
  /** Retries after the first failed attempt; 3 by default. */
  retryLimit?: number | undefined;
  /** Delay before the first retry in seconds, growing with backoff; 5 by default. */
  retryDelaySeconds?: number | undefined;
  /**
   * Seconds a job may stay active before it counts as failed and is retried. A worker
   * that dies while holding a job leaves it active, so this bounds how long the job
   * waits for another worker. 15 minutes by default; handlers must finish within it.
   */
  expireInSeconds?: number | undefined;
  /** Interval in seconds at which an idle worker polls for a job (at least 0.5). 2 by default. */
  pollingIntervalSeconds?: number | undefined;
  /** How often expired jobs are looked for, in seconds; 120 by default. One process does it per interval. */
  maintenanceIntervalSeconds?: number | undefined;
  /**
   * Queue names to create during start, one after another. Creating queues up front
   * keeps the table changes pg-boss makes for a new queue away from running workers.
   * Names not listed are created on first use.
   */
  queues?: readonly string[] | undefined;
  /** Size of the connection pool; 4 by default. */
  maxConnections?: number | undefined;
  onEvent?: JobEventListener | undefined;
}

/**
 * A queue over pg-boss, for several server and worker processes that share one
 * PostgreSQL database. A job is taken by one worker at a time (SKIP LOCKED), and a
 * job whose worker died is retried after it expires.
 */
export class PostgresJobQueue implements JobQueue {
  readonly #boss: PgBoss;
  readonly #options: PostgresQueueOptions;
  readonly #onEvent: JobEventListener;
  readonly #queues = new Map<string, Promise<void>>();

  private constructor(boss: PgBoss, options: PostgresQueueOptions) {
    this.#boss = boss;
    this.#options = options;
    this.#onEvent = options.onEvent ?? (() => undefined);
  }

  /** Connects, creates or migrates the pg-boss schema, and starts expiry supervision. */
  static async start(options: PostgresQueueOptions): Promise<PostgresJobQueue> {
    const boss = new PgBoss({
      connectionString: options.connectionString,
      schema: options.schema ?? "worklens_jobs",
      max: options.maxConnections ?? 4,
      application_name: "worklens-jobs",
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 120,
    });
    const queue = new PostgresJobQueue(boss, options);
    // pg-boss emits errors from its background loops; without a listener they would crash the process.
    boss.on("error", (error: Error) => {
      queue.#onEvent({ kind: "error", error: error.message });
    });
    await boss.start();
    for (const name of options.queues ?? []) await queue.#ensureQueue(name);
    return queue;
  }

  #ensureQueue(name: string): Promise<void> {
    let created = this.#queues.get(name);
    if (created === undefined) {
      // The "short" policy keeps at most one created job per name and singleton key.
      // send gives every job without a key a unique one, so only keyed jobs collapse.
      created = this.#boss.createQueue(name, {
        name,
        policy: "short",
        retryLimit: this.#options.retryLimit ?? 3,
        retryDelay: this.#options.retryDelaySeconds ?? 5,
        retryBackoff: true,
        expireInSeconds: this.#options.expireInSeconds ?? 15 * 60,
      });
      this.#queues.set(name, created);
    }
    return created;
  }

  async send(name: string, payload: object, options: SendOptions = {}): Promise<string | null> {
    await this.#ensureQueue(name);
    return this.#boss.send(name, payload, { singletonKey: options.singletonKey ?? `unique:${randomUUID()}` });
  }

  async work(name: string, handler: JobHandler): Promise<void> {
    await this.#ensureQueue(name);
    const workOptions = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 2 };

    await this.#boss.work<object>(name, workOptions, async (jobs) => {
      for (const bossJob of jobs) {
        const job: Job = { id: bossJob.id, name: bossJob.name, data: bossJob.data };
        try {
          await handler(job);
        } catch (error) {
          // A payload that can never pass is completed, not failed, so pg-boss does not retry it.
          if (error instanceof InvalidJobPayload) {
            this.#onEvent({ kind: "rejected", name: job.name, id: job.id, reason: error.message });
            continue;
          }
          this.#onEvent({
            kind: "failed",
            name: job.name,
            id: job.id,
            attempt: bossJob.retryCount + 1,
            willRetry: bossJob.retryCount < bossJob.retryLimit,
            error: errorMessage(error),
          });
          throw error;
        }
      }
    });
  }

  /** Stops fetching, waits up to 30 s for running handlers, then closes the pool. */
  async stop(): Promise<void> {
    await this.#boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
