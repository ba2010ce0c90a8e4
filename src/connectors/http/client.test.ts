import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { HttpClient, HttpStatusError } from "./client.js";

type Handler = Parameters<typeof createServer>[1];

describe("HttpClient", () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else server.close(() => {
        resolve();
      });
    });
    server = undefined;
  });

  async function serve(handler: NonNullable<Handler>): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jira`;
  }

  function client(baseUrl: string, sleeps: number[] = [], extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
    return new HttpClient({
      baseUrl,
      authorization: "Bearer client-secret",
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0,
      now: () => Date.UTC(2025, 2, 10, 12, 0, 0),
      ...extra,
    });
  }

  async function failure(promise: Promise<unknown>): Promise<WorklensError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof WorklensError) return error;
      throw error;
    }
    throw new Error("expected the request to fail");
  }

  it("keeps the base path and sends the header", async () => {
    const seen: { url: string | undefined; auth: string | undefined }[] = [];
    const url = await serve((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      res.end('{"ok":true}');
    });

    expect(await client(url).requestJson("GET", "/rest/api/3/myself", { query: { startAt: 5 } })).toEqual({ ok: true });
    expect(seen).toEqual([{ url: "/jira/rest/api/3/myself?startAt=5", auth: "Bearer client-secret" }]);
  });

  it("waits a Retry-After date on 503", async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(503, { "Retry-After": "Mon, 10 Mar 2025 12:00:07 GMT" }).end();
      else res.end("{}");
    });
    const sleeps: number[] = [];

    await client(url, sleeps).request("GET", "/x");

    expect(sleeps).toEqual([7_000]);
  });

  it("fails after the last attempt", async () => {
    const url = await serve((_req, res) => res.writeHead(429).end());
    const sleeps: number[] = [];

    const error = await failure(client(url, sleeps, { retry: { maxAttempts: 3 } }).request("GET", "/rest/api/3/search/jql", { query: { jql: "secret" } }));

    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.message).toBe("GET /jira/rest/api/3/search/jql failed with HTTP 429 after 3 attempts");
    // random() = 0 gives half of 1 s, then half of 2 s.
    expect(sleeps).toEqual([500, 1_000]);
  });

  it("rejects a Retry-After over the maximum", async () => {
    const url = await serve((_req, res) => res.writeHead(429, { "Retry-After": "3600" }).end());

    const error = await failure(client(url).request("GET", "/x"));

    expect(error.message).toContain("Retry-After 3600 s");
  });

  it("quotes Jira's messages on 400", async () => {
    const url = await serve((_req, res) => res.writeHead(400).end('{"errorMessages":["Field \'sprint\' does not exist."],"errors":{}}'));

    const error = await failure(client(url).request("POST", "/rest/api/3/search/jql", { body: { jql: "x" } }));

    expect(error.message).toBe("POST /jira/rest/api/3/search/jql failed with HTTP 400: Field 'sprint' does not exist.");
  });

  it("times out a silent server", async () => {
    const url = await serve(() => undefined);

    const error = await failure(client(url, [], { timeoutMs: 50, retry: { maxAttempts: 2 } }).request("GET", "/slow"));

    expect(error.message).toBe("GET /jira/slow timed out after 0.05 s after 2 attempts");
  });

  it("times out a stalled body", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"issues": [');
    });

    const error = await failure(client(url, [], { timeoutMs: 50, retry: { maxAttempts: 2 } }).request("GET", "/stalled"));

    expect(error.message).toBe("GET /jira/stalled timed out after 0.05 s after 2 attempts");
  });

  it("reports a redirect without following it", async () => {
    const url = await serve((_req, res) => res.writeHead(302, { Location: "https://elsewhere.example/" }).end());

    const error = await failure(client(url).request("GET", "/x"));

    expect(error.message).toBe("GET /jira/x was redirected (HTTP 302)");
  });
});
