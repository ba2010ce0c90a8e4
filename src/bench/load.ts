import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { z } from "zod";

/** Heartbeats in each bulk request of the load benchmark. */
export const HEARTBEATS_PER_REQUEST = 25;

export const BULK_PATH = "/api/v1/users/current/heartbeats.bulk";

const USER_AGENT = "wakatime/v1.90.0 (linux-6.1.0-amd64) go1.22.0 vscode/1.90.0 vscode-wakatime/24.0.0";

/** A load run's settings, the same for worklens and the baseline. */
export interface LoadOptions {
  url: string;
  /** Value of the Authorization header, which the baseline ignores. */
  authorization: string;
  seconds: number;
  connections: number;
  /** Epoch seconds of the first request's first heartbeat. */
  firstTime: number;
  /** Whether to count the per-item statuses of each bulk response. Only worklens returns them. */
  countItems: boolean;
}

/** Measurements from autocannon, plus the per-item statuses read from the response bodies. */
export interface LoadResult {
  /** Requests sent, including those still in flight when autocannon stopped. */
  sent: number;
  /** Requests answered. */
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  ok2xx: number;
  non2xx: number;
  /** Items with status 201 in the 2xx bulk responses, or 0 when items were not counted. */
  items201: number;
  /** Items with any other status, and 2xx responses whose body is not a bulk response. */
  itemsOther: number;
}

const bulkResponseSchema = z.object({ responses: z.array(z.tuple([z.unknown(), z.number()])) });

/**
 * Builds one bulk request body shaped like wakatime-cli's. Request `n` gets times
 * `firstTime + n + i / 100` for item i, so no two heartbeats of a run share a time
 * and none is a duplicate.
 */
export function bulkBody(firstTime: number, n: number): string {
  const heartbeats = Array.from({ length: HEARTBEATS_PER_REQUEST }, (_, i) => ({
    entity: `/home/dev/worklens/src/module-${i}.ts`,
    type: "file",
    category: "coding",
    time: firstTime + n + i / 100,
    project: "worklens",
    branch: "PROJ-42-load-test",
    language: "TypeScript",
    is_write: i % 5 === 0,
    lineno: 10 + i,
    cursorpos: 3 * i,
    lines: 400,
  }));
  return JSON.stringify(heartbeats);
}

/**
 * Drives `options.url` with POSTs to the bulk endpoint for a fixed time with
 * autocannon. It also stops after a maximum request count, so it ends by itself
 * even on a machine far faster than expected.
 */
export async function driveBulkLoad(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  let items201 = 0;
  let itemsOther = 0;

  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    maxOverallRequests: options.seconds * 50_000,
    headers: {
      "content-type": "application/json",
      authorization: options.authorization,
      "user-agent": USER_AGENT,
      "x-machine-name": "bench-laptop",
    },
    requests: [
      {
        method: "POST",
        path: BULK_PATH,
        // Called for every request sent, so each one carries new heartbeat times.
        setupRequest: (request) => ({ ...request, body: bulkBody(options.firstTime, next++) }),
        ...(options.countItems
          ? {
              onResponse: (status: number, body: string) => {
                if (status < 200 || status > 299) return;
                const counted = countItemStatuses(body);
                items201 += counted.created;
                itemsOther += counted.other;
              },
            }
          : {}),
      },
    ],
  });

  return {
    sent: result.requests.sent,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    ok2xx: result["2xx"],
    non2xx: result.non2xx,
    items201,
    itemsOther,
  };
}

function countItemStatuses(body: string): { created: number; other: number } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { created: 0, other: 1 };
  }
  const parsed = bulkResponseSchema.safeParse(json);
  if (!parsed.success) return { created: 0, other: 1 };
  const created = parsed.data.responses.filter((item) => item[1] === 201).length;
  return { created, other: parsed.data.responses.length - created };
}

/** A listening baseline server and the function that stops it. */
export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

const BASELINE_REPLY = JSON.stringify({ responses: [] });

/**
 * Starts a bare `node:http` server on 127.0.0.1 and a port the system chooses. It
 * reads the whole request body and replies 202 with a fixed small JSON, which is the
 * least any bulk endpoint must do.
 */
export async function startBaselineServer(): Promise<BaselineServer> {
  const server = createServer((request, response) => {
    let bytes = 0;
    request.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on("end", () => {
      response.writeHead(202, { "content-type": "application/json", "x-body-bytes": String(bytes) });
      response.end(BASELINE_REPLY);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
      }),
  };
}
