import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { assertTestDatabase } from "../store/test-guard.js";
import { TEST_POSTGRES_URL } from "../store/test-support/backends.js";
import { PostgresJobQueue } from "./postgres.js";
import type { JobEvent } from "./queue.js";
import { withPayload } from "./queue.js";
import { TEST_QUEUE_SETTINGS } from "./test-support/queue-settings.js";

const WORKER_FILE = fileURLToPath(new URL("./test-support/pg-worker.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCHEMA = `worklens_jobs_${randomBytes(5).toString("hex")}`;
const JOB_COUNT = 20;

interface Run {
  job_id: string;
  worker: number;
  event: "started" | "done";
}

let pool: pg.Pool;
let sender: PostgresJobQueue;
const workers: ChildProcess[] = [];

/** Polls until check returns a value, or fails after timeoutMs. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runs(): Promise<Run[]> {
  const result = await pool.query<Run>(`SELECT job_id::text AS job_id, worker, event FROM ${SCHEMA}.test_runs ORDER BY at, worker`);
  return result.rows;
}

/** Spawns one worker process and resolves once it prints "ready". */
async function spawnWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER_FILE], {
    cwd: REPO_ROOT,
    env: { ...process.env, WORKLENS_JOBS_TEST_URL: TEST_POSTGRES_URL, WORKLENS_JOBS_TEST_SCHEMA: SCHEMA },
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.push(child);

  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });

  await waitFor("a worker to print ready", 20_000, () => {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${stderr}`);
    return Promise.resolve(stdout.includes("ready") ? true : undefined);
  });
  return child;
}

/** Ends a worker this test spawned: SIGTERM, then SIGKILL if it has not exited within 3 s. */
async function endWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 2 });
  sender = await PostgresJobQueue.start({
    connectionString: TEST_POSTGRES_URL,
    schema: SCHEMA,
    ...TEST_QUEUE_SETTINGS,
    queues: ["record", "unworked", "validated"],
    maxConnections: 2,
  });
  await pool.query(
    `CREATE TABLE ${SCHEMA}.test_runs (job_id uuid NOT NULL, worker int NOT NULL, event text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
});

afterAll(async () => {
  await Promise.all(workers.map(endWorker));
  await sender.stop();
  assertTestDatabase({ kind: "postgres", database: new URL(TEST_POSTGRES_URL).pathname.slice(1) });
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await pool.end();
});

describe("PostgresJobQueue in one process", () => {
  it("keeps one waiting job per singletonKey", async () => {
    const first = await sender.send("unworked", { n: 1 }, { singletonKey: "calendar:team" });
    const second = await sender.send("unworked", { n: 2 }, { singletonKey: "calendar:team" });
    const other = await sender.send("unworked", { n: 3 }, { singletonKey: "calendar:other" });
    const unkeyed = await Promise.all([sender.send("unworked", { n: 4 }), sender.send("unworked", { n: 5 })]);

    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(other).not.toBeNull();
    expect(unkeyed.every((id) => id !== null)).toBe(true);
  });

  it("completes an invalid payload without retry", async () => {
    const events: JobEvent[] = [];
    const queue = await PostgresJobQueue.start({
      connectionString: TEST_POSTGRES_URL,
      schema: SCHEMA,
      ...TEST_QUEUE_SETTINGS,
      maxConnections: 2,
      onEvent: (event) => events.push(event),
    });
    let calls = 0;
    try {
      await queue.work("validated", withPayload(z.object({ n: z.number() }), () => {
        calls++;
        return Promise.resolve();
      }));
      const id = await queue.send("validated", { n: "one" });

      const event = await waitFor("the rejected event", 10_000, () => Promise.resolve(events[0]));
      expect(event).toEqual({ kind: "rejected", name: "validated", id, reason: "job validated: invalid payload: n: invalid_type" });
      expect(calls).toBe(0);
      const state = await waitFor("the job to leave the active state", 10_000, async () => {
        const result = await pool.query<{ state: string }>(`SELECT state FROM ${SCHEMA}.job WHERE id = $1`, [id]);
        const current = result.rows[0]?.state;
        return current === "active" ? undefined : current;
      });
      expect(state).toBe("completed");
    } finally {
      await queue.stop();
    }
  });
});

describe("PostgresJobQueue across processes", () => {
  it("runs every job exactly once, then recovers a killed worker's job", async () => {
    const first = await spawnWorker();
    const second = await spawnWorker();

    const ids: string[] = [];
    for (let n = 0; n < JOB_COUNT; n++) {
      const id = await sender.send("record", { n });
      if (id === null) throw new Error(`send returned no id for job ${n}`);
      ids.push(id);
    }

    const finished = await waitFor(`${JOB_COUNT} jobs to finish`, 20_000, async () => {
      const rows = await runs();
      return rows.filter((run) => run.event === "done").length >= JOB_COUNT ? rows : undefined;
    });
    const startedPerJob = new Map<string, number>();
    for (const run of finished.filter((row) => row.event === "started")) startedPerJob.set(run.job_id, (startedPerJob.get(run.job_id) ?? 0) + 1);
    expect([...startedPerJob.keys()].sort()).toEqual([...ids].sort());
    expect([...startedPerJob.values()].every((count) => count === 1)).toBe(true);
    expect(finished.filter((run) => run.event === "done")).toHaveLength(JOB_COUNT);

    const held = await sender.send("record", { n: JOB_COUNT, holdFirstRunMs: 60_000 });
    if (held === null) throw new Error("send returned no id for the held job");
    const holder = await waitFor("a worker to start the held job", 10_000, async () =>
      (await runs()).find((run) => run.job_id === held && run.event === "started")?.worker,
    );
    const victim = holder === first.pid ? first : second;
    const survivor = victim === first ? second : first;
    expect(victim.pid).toBe(holder);

    const killed = once(victim, "exit");
    victim.kill("SIGKILL");
    await killed;

    const rerun = await waitFor("the held job to run again after expiry", 30_000, async () =>
      (await runs()).find((run) => run.job_id === held && run.event === "done"),
    );
    expect(rerun.worker).toBe(survivor.pid);
    const heldRuns = (await runs()).filter((run) => run.job_id === held);
    expect(heldRuns.map((run) => [run.worker === holder ? "killed" : "survivor", run.event])).toEqual([
      ["killed", "started"],
      ["survivor", "started"],
      ["survivor", "done"],
    ]);
  });
});
