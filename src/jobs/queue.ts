import type { z } from "zod";

/** A job as its handler receives it. The payload is unknown until the handler validates it. */
export interface Job {
  id: string;
  name: string;
  data: unknown;
}

export type JobHandler = (job: Job) => Promise<void>;

export interface SendOptions {
  /**
   * At most one job with this name and key waits to start at a time: a second send
   * while the first still waits returns null. A job that already started does not
   * block a new one, so a sync requested during a sync runs again afterwards.
   */
  singletonKey?: string | undefined;
}

/** Event a queue reports to the caller's logger, with ids and reasons but never payloads. */
export type JobEvent =
  | { kind: "failed"; name: string; id: string; attempt: number; willRetry: boolean; error: string }
  | { kind: "rejected"; name: string; id: string; reason: string }
  /** A failure of the queue itself, such as a lost database connection while polling. */
  | { kind: "error"; error: string };

export type JobEventListener = (event: JobEvent) => void;

/**
 * Background work with at-least-once delivery: a handler may run twice for one job
 * (after a crash or an expiry), so handlers must be idempotent.
 */
export interface JobQueue {
  /** Queues a job; returns its id, or null when a job with the same singletonKey already waits. */
  send(name: string, payload: object, options?: SendOptions): Promise<string | null>;
  /** Registers the one handler for a job name; jobs of one name run one at a time per process. */
  work(name: string, handler: JobHandler): Promise<void>;
  /** Stops taking new jobs and waits for running ones to finish. */
  stop(): Promise<void>;
}

/**
 * Thrown by a handler when a job can never succeed, so the queue does not retry it.
 * The queue reports it as a "rejected" event.
 */
export class InvalidJobPayload extends Error {
  constructor(readonly jobName: string, readonly issues: string) {
    super(`job ${jobName}: invalid payload: ${issues}`);
    this.name = "InvalidJobPayload";
  }
}

/**
 * Wraps a handler so it receives a payload checked against a zod schema. An invalid
 * payload throws InvalidJobPayload naming the fields and problems, never their values.
 */
export function withPayload<T>(schema: z.ZodType<T>, handler: (payload: T, job: Job) => Promise<void>): JobHandler {
  return async (job) => {
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.code}`).join("; ");
      throw new InvalidJobPayload(job.name, issues);
    }
    await handler(parsed.data, job);
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
