import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/api-keys.js";
import type { LoginLimitOptions } from "../../src/server/auth/login-limiter.js";
import { testConfig, testIdentity, TEST_ADMIN_TOKEN } from "../../src/server/test-support/app.js";
import { openTestStore, type TestStore } from "../../src/store/test-support/backends.js";

const LIMIT: LoginLimitOptions = { maxFailures: 10, windowSeconds: 300, maxAddresses: 1000 };
const WRONG_KEY = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab";
const URL_PATH = "/api/worklens/v1/people/me";

interface Reply {
  status: number;
  retryAfter: string | undefined;
}

/** Sends one GET to the server on 127.0.0.1, from a chosen loopback source address. */
function get(port: number, authorization: string | undefined, localAddress = "127.0.0.1"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, path: URL_PATH, localAddress, agent: false, headers: authorization === undefined ? {} : { authorization } }, (response) => {
      response.resume();
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"] });
      });
    });
    request.on("error", reject);
    request.end();
  });
}

describe("login rate limit over HTTP", () => {
  let handle: TestStore | undefined;
  let app: FastifyInstance | undefined;
  let now = Date.UTC(2025, 2, 13, 12);

  async function start(loginLimit: LoginLimitOptions | undefined, env: NodeJS.ProcessEnv = {}): Promise<{ port: number; key: string }> {
    handle = await openTestStore("sqlite");
    const store = handle.store;
    const created = await store.transaction((tx) => createApiKey(tx, testIdentity(), now));
    app = await buildApp({ store, config: testConfig({ WORKLENS_LOG_LEVEL: "silent", ...env }), clock: () => now, loginLimit });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    return { port, key: `Bearer ${created.secret}` };
  }

  afterEach(async () => {
    await app?.close();
    await handle?.dispose();
    app = undefined;
    handle = undefined;
    now = Date.UTC(2025, 2, 13, 12);
  });

  it("takes the limit from the server config", async () => {
    const { port } = await start(undefined, { WORKLENS_LOGIN_MAX_FAILURES: "3", WORKLENS_LOGIN_WINDOW_SECONDS: "60" });
    for (let attempt = 1; attempt <= 3; attempt++) expect((await get(port, `Bearer ${WRONG_KEY}`)).status, `failed attempt ${String(attempt)}`).toBe(401);

    const blocked = await get(port, `Bearer ${WRONG_KEY}`);
    expect(blocked.status).toBe(429);
    expect(blocked.retryAfter).toBe("60");
  });

  it("blocks an address after ten failures", async () => {
    const { port, key } = await start(LIMIT);
    for (let attempt = 1; attempt <= 10; attempt++) {
      const reply = await get(port, `Bearer ${WRONG_KEY}`);
      expect(reply.status, `failed attempt ${String(attempt)}`).toBe(401);
    }

    const guess = await get(port, `Bearer ${WRONG_KEY}`);
    expect(guess.status).toBe(429);
    expect(guess.retryAfter).toBe("300");

    // Even a valid key waits, so guessing cannot continue by mixing in a known key.
    const valid = await get(port, key);
    expect(valid.status).toBe(429);
    const admin = await get(port, `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(admin.status).toBe(429);

    now += 120_000;
    expect((await get(port, key)).retryAfter).toBe("180");

    now += 180_000;
    expect((await get(port, key)).status).toBe(200);
  });

  it("limits each address on its own", async () => {
    const { port, key } = await start(LIMIT);
    for (let attempt = 1; attempt <= 10; attempt++) await get(port, `Bearer ${WRONG_KEY}`, "127.0.0.2");
    expect((await get(port, key, "127.0.0.2")).status).toBe(429);
    expect((await get(port, key, "127.0.0.1")).status).toBe(200);
  });

  it("successful requests do not count", async () => {
    const { port, key } = await start(LIMIT);
    for (let attempt = 1; attempt <= 50; attempt++) expect((await get(port, key)).status).toBe(200);
    for (let attempt = 1; attempt <= 9; attempt++) expect((await get(port, `Bearer ${WRONG_KEY}`)).status).toBe(401);
    expect((await get(port, key)).status).toBe(200);
  });

  it("requests without a credential do not count", async () => {
    const { port, key } = await start(LIMIT);
    for (let attempt = 1; attempt <= 20; attempt++) expect((await get(port, undefined)).status).toBe(401);
    expect((await get(port, key)).status).toBe(200);
  });

  it("without the limit guessing goes on", async () => {
    // The control: with a limit no client reaches, the eleventh and later guesses get 401, and a valid key works.
    const { port, key } = await start({ ...LIMIT, maxFailures: 1_000_000 });
    for (let attempt = 1; attempt <= 15; attempt++) expect((await get(port, `Bearer ${WRONG_KEY}`)).status).toBe(401);
    expect((await get(port, key)).status).toBe(200);
  });
});
