import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Job, JobEvent, JobEventListener, JobHandler, JobQueue, SendOptions } from "./queue.js";
import { InvalidJobPayload, errorMessage } from "./queue.js";

export interface InProcessQueueOptions {
  /** Retries after the first failed attempt; 3 by default. */
  retryLimit?: number | undefined;
  /** Delay before the first retry in milliseconds, doubled for each later one; 1000 by default. */
  retryDelayMs?: number | undefined;
  onEvent?: JobEventListener | undefined;
}

interface Pending {
  job: Job;
  singletonKey: string | undefined;
}

/** The jobs of one name: waiting jobs in order and whether its loop is running. */
interface Lane {
  waiting: Pending[];
  handler: JobHandler | undefined;
  running: Promise<void> | undefined;
}

/**
 * A queue that runs jobs in this process, for the embedded SQLite setup where one
 * process does everything. Jobs of one name run one at a time, in send order.
 * NOTE: jobs live in memory only, so waiting jobs are lost when the process exits;
 * callers that need durability use the PostgreSQL queue.
 */
export class InProcessJobQueue implements JobQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #retryLimit: number;
  readonly #retryDelayMs: number;
  readonly #onEvent: JobEventListener;
  #stopping = false;

  constructor(options: InProcessQueueOptions = {}) {
    this.#retryLimit = options.retryLimit ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#onEvent = options.onEvent ?? (() => undefined);
  }

  #lane(name: string): Lane {
    let lane = this.#lanes.get(name);
    if (lane === undefined) {
      lane = { waiting: [], handler: undefined, running: undefined };
      this.#lanes.set(name, lane);
    }
    return lane;
  }

  send(name: string, payload: object, options: SendOptions = {}): Promise<string | null> {
    if (this.#stopping) return Promise.reject(new Error(`job queue is stopping: cannot send job ${name}`));

    const lane = this.#lane(name);
    const { singletonKey } = options;
    if (singletonKey !== undefined && lane.waiting.some((pending) => pending.singletonKey === singletonKey)) {
      return Promise.resolve(null);
    }

    const job: Job = { id: randomUUID(), name, data: structuredClone(payload) };
    lane.waiting.push({ job, singletonKey });
    this.#kick(lane);
    return Promise.resolve(job.id);
  }

  work(name: string, handler: JobHandler): Promise<void> {
    const lane = this.#lane(name);
    if (lane.handler !== undefined) return Promise.reject(new Error(`job ${name} already has a handler`));
    lane.handler = handler;
    this.#kick(lane);
    return Promise.resolve();
  }

  /**
   * Stops accepting jobs and waits until every job of a name with a handler has run,
   * retries included. Jobs of names without a handler are dropped.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.idle();
  }

  /**
   * Resolves once no job of a name with a handler waits or runs, including jobs that
   * running ones send. For tests and for callers that need a quiet point.
   */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.#lanes.values()].flatMap((lane) => (lane.running === undefined ? [] : [lane.running]));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** Passes an event to the listener; a failing listener must not stop the queue, so its error is dropped. */
  #emit(event: JobEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // Nothing else can report it: the listener is the queue's only output.
    }
  }

  #kick(lane: Lane): void {
    if (lane.running !== undefined || lane.handler === undefined || lane.waiting.length === 0) return;
    lane.running = this.#drain(lane).finally(() => {
      lane.running = undefined;
      this.#kick(lane);
    });
  }

  async #drain(lane: Lane): Promise<void> {
    for (let next = lane.waiting.shift(); next !== undefined; next = lane.waiting.shift()) {
      if (lane.handler === undefined) return;
      await this.#run(next.job, lane.handler);
    }
  }

  /** Runs one job with bounded retries; never throws, because failures become events. */
  async #run(job: Job, handler: JobHandler): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(job);
        return;
      } catch (error) {
        if (error instanceof InvalidJobPayload) {
          this.#emit({ kind: "rejected", name: job.name, id: job.id, reason: error.message });
          return;
        }
        const willRetry = attempt <= this.#retryLimit;
        this.#emit({ kind: "failed", name: job.name, id: job.id, attempt, willRetry, error: errorMessage(error) });
        if (!willRetry) return;
        await sleep(this.#retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }
}
