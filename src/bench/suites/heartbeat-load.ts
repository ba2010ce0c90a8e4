import { join } from "node:path";
import pino from "pino";
import { Integrations } from "../../integrations/registry.js";
import { InProcessJobQueue } from "../../jobs/in-process.js";
import { createApiKey, wakatimeIdentity } from "../../server/auth/api-keys.js";
import { loadServerConfig } from "../../server/config.js";
import { startServer } from "../../server/start.js";
import { Store } from "../../store/store.js";
import type { BenchConfig } from "../config.js";
import { formatCount, formatRatio, progress } from "../harness.js";
import { BULK_PATH, driveBulkLoad, HEARTBEATS_PER_REQUEST, startBaselineServer, type LoadOptions, type LoadResult } from "../load.js";
import type { Section } from "../report.js";

const CONNECTIONS = 10;
const SECONDS_PER_DAY = 86_400;

/** Counts read back from the worklens store after the server closed. */
interface StoredCount {
  activities: number;
  /** Suggested worklogs the refresh jobs wrote during and after the load. */
  suggestions: number;
}

/**
 * Drives the WakaTime bulk endpoint of a worklens server on loopback with
 * autocannon, against a bare `node:http` server that only reads the body and
 * replies 202, then counts the heartbeats the store kept.
 */
export async function benchHeartbeatLoad(config: BenchConfig, work: string): Promise<Section> {
  // Request n sends times n seconds after firstTime. Starting 30 days back leaves room
  // for 2.5 million requests before a time passes the server's clock, and the server
  // accepts heartbeats up to 365 days old by default.
  const firstTime = Math.floor(Date.now() / 1000) - 30 * SECONDS_PER_DAY;
  const shared = { seconds: config.loadSeconds, connections: CONNECTIONS, firstTime };

  progress(`  load: baseline node:http server, ${config.loadSeconds} s`);
  const baselineServer = await startBaselineServer();
  let baseline: LoadResult;
  try {
    baseline = await driveBulkLoad({ ...shared, url: baselineServer.url, authorization: "Basic none", countItems: false });
  } finally {
    await baselineServer.close();
  }

  progress(`  load: worklens server, ${config.loadSeconds} s`);
  const { result: worklens, stored } = await runWorklens(shared, join(work, "load-store.sqlite"));

  return renderSection(config, baseline, worklens, stored);
}

async function runWorklens(shared: Omit<LoadOptions, "url" | "authorization" | "countItems">, file: string): Promise<{ result: LoadResult; stored: StoredCount }> {
  const store = await Store.open({ kind: "sqlite", file });
  try {
    const identity = wakatimeIdentity("load@example.com");
    if (identity === undefined) throw new Error("the load benchmark's e-mail address is not valid");
    const key = await store.transaction((tx) => createApiKey(tx, identity, Date.now()));

    // A rate limit far above what loopback can reach, so the benchmark measures the
    // endpoint and not the limiter's 429s. Logs stay at the default level "info", so
    // their cost is counted, but go to a stream that discards them.
    const serverConfig = loadServerConfig({}, {
      WORKLENS_HOST: "127.0.0.1",
      WORKLENS_PORT: "0",
      WORKLENS_RATE_LIMIT_MAX: "100000000",
      WORKLENS_LOG_LEVEL: "info",
    });
    // Jobs run as in `worklens serve`: each stored batch queues a suggestion refresh,
    // which links and allocates in this process while the load goes on.
    const queue = new InProcessJobQueue();
    const integrations = new Integrations({ store, queue, integrations: [], env: {}, logger: pino({ level: "silent" }) });
    await integrations.start();
    const server = await startServer({ store, config: serverConfig, logStream: { write: () => undefined }, integrations });

    let result: LoadResult;
    try {
      result = await driveBulkLoad({ ...shared, url: server.url, authorization: `Basic ${Buffer.from(key.secret).toString("base64")}`, countItems: true });
    } finally {
      // Closing the app waits for requests still in flight, so the count below
      // includes any that autocannon stopped waiting for.
      await server.app.close();
      integrations.stop();
      await queue.stop();
    }
    return { result, stored: { activities: await store.activities.count(), suggestions: (await store.results.suggestions()).length } };
  } finally {
    await store.close();
  }
}

function renderSection(config: BenchConfig, baseline: LoadResult, worklens: LoadResult, stored: StoredCount): Section {
  const expected = worklens.ok2xx * HEARTBEATS_PER_REQUEST;
  // Requests autocannon sent but stopped waiting for at the end still reach the
  // store, because closing the server lets them finish.
  const unanswered = Math.max(0, worklens.sent - worklens.requests);
  const extra = stored.activities - expected;
  const nothingLost = extra >= 0 && extra <= unanswered * HEARTBEATS_PER_REQUEST;
  const clean = worklens.errors === 0 && worklens.non2xx === 0 && worklens.items201 === expected && worklens.itemsOther === 0 && nothingLost;
  const heartbeatsPerSecond = (worklens.items201 * worklens.requestsPerSecond) / Math.max(1, worklens.requests);

  const row = (label: string, r: LoadResult, ratio: string) => [
    label,
    formatCount(r.requests),
    formatCount(r.requestsPerSecond),
    ratio,
    formatLatency(r.latencyP50Ms),
    formatLatency(r.latencyP99Ms),
    formatCount(r.errors),
    formatCount(r.timeouts),
    formatCount(r.non2xx),
  ];

  return {
    title: "5. Heartbeat bulk endpoint under load",
    blocks: [
      `\`POST ${BULK_PATH}\` on 127.0.0.1, driven by autocannon for ${config.loadSeconds} s with ${CONNECTIONS} connections, one request in flight per connection. ` +
        `Each request carries ${HEARTBEATS_PER_REQUEST} heartbeats shaped like wakatime-cli's, with times no other request uses, so none is a duplicate. ` +
        "worklens runs in this process on a fresh SQLite store with a rate limit far above the load, and logs at level info into a discarded stream. " +
        "Its in-process job queue runs the suggestion refresh that stored heartbeats queue, as `worklens serve` does. " +
        "The baseline is a bare `node:http` server that reads the same body and answers 202 with a fixed small JSON. " +
        "autocannon runs on the same thread as both servers, so both rows include its cost: compare the ratio, not the absolute rates.",
      `Command: \`${config.command}\` (this section alone: \`npm run build && node --expose-gc dist/bench/run.js --only load\`). A single run of each server.`,
      {
        headers: ["server", "requests answered", "requests/s", "× baseline", "latency p50", "latency p99", "errors", "timeouts", "non-2xx"],
        rows: [row("baseline: bare `node:http`", baseline, "1.00×"), row("worklens (Fastify, SQLite)", worklens, formatRatio(worklens.requestsPerSecond, baseline.requestsPerSecond))],
      },
      {
        headers: ["worklens: heartbeats", "count"],
        rows: [
          [`expected: ${HEARTBEATS_PER_REQUEST} × ${formatCount(worklens.ok2xx)} requests answered 2xx`, formatCount(expected)],
          ["items answered 201 in those responses", formatCount(worklens.items201)],
          ["items answered otherwise, or 2xx responses that were not a bulk response", formatCount(worklens.itemsOther)],
          ["stored: activities in the store after the server closed", formatCount(stored.activities)],
          [`stored − expected (0 to ${HEARTBEATS_PER_REQUEST} × ${formatCount(unanswered)} requests sent but not awaited when autocannon stopped)`, formatCount(extra)],
          ["heartbeats answered 201 per second", formatCount(heartbeatsPerSecond)],
          ["suggested worklogs written by the refresh jobs", formatCount(stored.suggestions)],
        ],
      },
      clean
        ? "No errors, no non-2xx responses, every item answered 201, and every heartbeat answered 201 is in the store."
        : "NOT CLEAN: the counts above show errors, non-2xx responses, items not answered 201, or heartbeats answered 201 that are not in the store.",
    ],
  };
}

/** autocannon records latencies in whole milliseconds, so 0 means under 1 ms. */
function formatLatency(ms: number): string {
  return ms < 1 ? "< 1 ms" : `${formatCount(ms)} ms`;
}
