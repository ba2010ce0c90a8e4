/**
 * A worker process for the multi-process queue test. It takes "record" jobs from the
 * shared queue and writes each run into <schema>.test_runs, then prints "ready".
 * Settings come from the environment because the test spawns it with node --import tsx.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { z } from "zod";
import { PostgresJobQueue } from "../postgres.js";
import { withPayload } from "../queue.js";
import { TEST_QUEUE_SETTINGS } from "./queue-settings.js";

const Settings = z.object({
  WORKLENS_JOBS_TEST_URL: z.string(),
  WORKLENS_JOBS_TEST_SCHEMA: z.string().regex(/^worklens_jobs_[0-9a-f]+$/),
});

/** holdFirstRunMs makes the first run of a job wait, so the test can kill the worker while the job is active. */
const RecordPayload = z.object({ n: z.number().int(), holdFirstRunMs: z.number().int().optional() });

async function main(): Promise<void> {
  const settings = Settings.parse(process.env);
  const schema = settings.WORKLENS_JOBS_TEST_SCHEMA;
  const pool = new pg.Pool({ connectionString: settings.WORKLENS_JOBS_TEST_URL, max: 1 });
  const queue = await PostgresJobQueue.start({
    connectionString: settings.WORKLENS_JOBS_TEST_URL,
    schema,
    ...TEST_QUEUE_SETTINGS,
    queues: ["record"],
    maxConnections: 2,
    onEvent: (event) => {
      process.stderr.write(`${JSON.stringify(event)}\n`);
    },
  });

  await queue.work(
    "record",
    withPayload(RecordPayload, async (payload, job) => {
      const earlier = await pool.query<{ runs: number }>(`SELECT count(*)::int AS runs FROM ${schema}.test_runs WHERE job_id = $1`, [job.id]);
      await pool.query(`INSERT INTO ${schema}.test_runs (job_id, worker, event) VALUES ($1, $2, 'started')`, [job.id, process.pid]);
      if (payload.holdFirstRunMs !== undefined && earlier.rows[0]?.runs === 0) await sleep(payload.holdFirstRunMs);
      await pool.query(`INSERT INTO ${schema}.test_runs (job_id, worker, event) VALUES ($1, $2, 'done')`, [job.id, process.pid]);
    }),
  );

  process.once("SIGTERM", () => {
    void queue
      .stop()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
  process.stdout.write("ready\n");
}

await main();
