import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/api-keys.js";
import { testConfig, testIdentity, TEST_ADMIN_TOKEN } from "../../src/server/test-support/app.js";
import { Store, type StoreConfig } from "../../src/store/store.js";
import { BACKENDS, TEST_POSTGRES_URL, testKeyProvider, type Backend } from "../../src/store/test-support/backends.js";

const GITHUB_SECRET = "github-webhook-secret-for-safe-errors";
const NOW = Date.UTC(2025, 3, 12, 12);
const NOW_SECONDS = NOW / 1000;

/** A real GitHub branch push, from @octokit/webhooks-examples, so the webhook gets past parsing to the store. */
function githubPush(): string {
  const path = createRequire(import.meta.url).resolve("@octokit/webhooks-examples");
  const definitions = z
    .array(z.object({ name: z.string(), examples: z.array(z.record(z.string(), z.unknown())) }))
    .parse(JSON.parse(readFileSync(path, "utf8")));
  const push = definitions.find((definition) => definition.name === "push")?.examples.find((example) => example["ref"] === "refs/heads/master");
  if (push === undefined) throw new Error("@octokit/webhooks-examples has no branch push example");
  return JSON.stringify(push);
}
const GITHUB_PUSH = githubPush();

function githubSignature(body: string): string {
  return `sha256=${createHmac("sha256", GITHUB_SECRET).update(body).digest("hex")}`;
}

/** What an error response to a client must not contain, each with the reason it is a leak. */
const LEAK_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\n\s*at\s|\bat\s\S+\s\(|\.(ts|js|mjs|cjs):\d+:\d+/, "stack trace"],
  [/(^|[\s"'(])\/(home|work|usr|tmp|var|opt|srv|root|app)\/|[A-Za-z]:\\|\.(ts|js|mjs|cjs)\b|node_modules/, "file path"],
  [/\b(select\s.+\sfrom\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|no such table|no such column|relation\s+\\?"|syntax error|SQLSTATE|constraint failed|violates)/i, "SQL"],
  [/\b(kysely|better-sqlite3|sqlite3?|postgres(ql)?|node-postgres|fastify|pino|zod|light-my-request|libuv|v8|node\.js|undici)\b/i, "library name"],
  [/\b[A-Z][A-Za-z]*(Error|Exception)\b|\bERR_[A-Z_]+|\bFST_[A-Z_]+/, "exception class or code"],
  [/\b\d+\.\d+\.\d+\b/, "version number"],
];

/** Returns the reasons a response would tell a client about the server's internals; empty when it is clean. */
function leaksIn(response: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  for (const [pattern, reason] of LEAK_PATTERNS) if (pattern.test(response.body)) problems.push(reason);
  if (response.headers["x-powered-by"] !== undefined) problems.push("x-powered-by header");
  if (response.headers["server"] !== undefined) problems.push("server header");
  return problems;
}

/** Asserts a JSON error body of only `error` and `hint`, with nothing a client should not see. */
function expectCleanError(response: LightMyRequestResponse, label: string): { error: string; hint?: string } {
  expect(response.headers["content-type"], label).toMatch(/^application\/json/);
  const body = response.json<Record<string, unknown>>();
  expect(Object.keys(body).filter((key) => key !== "error" && key !== "hint"), label).toEqual([]);
  expect(typeof body["error"], label).toBe("string");
  expect(leaksIn(response), `${label}: ${response.body}`).toEqual([]);
  return body as { error: string; hint?: string };
}

interface Harness {
  app: FastifyInstance;
  /** The store the app uses, opened separately so a test can close or break it. */
  appStore: Store;
  /** A second store on the same database, which stays open for cleanup. */
  owner: Store;
  key: string;
  logLines: string[];
  dispose(): Promise<void>;
}

async function openHarness(backend: Backend): Promise<Harness> {
  let folder: string | undefined;
  let config: StoreConfig;
  if (backend === "sqlite") {
    folder = mkdtempSync(join(tmpdir(), "worklens-safe-errors-"));
    config = { kind: "sqlite", file: join(folder, "store.sqlite") };
  } else {
    config = { kind: "postgres", connectionString: TEST_POSTGRES_URL, schema: `test_${randomBytes(6).toString("hex")}` };
  }
  const options = backend === "postgres" ? { keys: testKeyProvider() } : {};
  const owner = await Store.open(config, options);
  const appStore = await Store.open(config, options);
  const created = await owner.transaction((tx) => createApiKey(tx, testIdentity(), NOW));
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString("utf8").split("\n").filter((line) => line !== ""));
      callback();
    },
  });
  const app = await buildApp({ store: appStore, config: testConfig({ WORKLENS_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET }), clock: () => NOW, logStream });
  let appStoreOpen = true;
  const close = appStore.close.bind(appStore);
  appStore.close = async () => {
    appStoreOpen = false;
    await close();
  };
  return {
    app,
    appStore,
    owner,
    key: created.secret,
    logLines,
    dispose: async () => {
      await app.close();
      if (appStoreOpen) await appStore.close();
      // A SQLite store goes with its folder, and tests may have dropped tables that a wipe would delete from.
      if (backend === "postgres") await owner.wipeForTests();
      await owner.close();
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    },
  };
}

const JSON_HEADERS = { "content-type": "application/json" };

describe.each(BACKENDS)("safe errors on %s", (backend) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(backend);
  });
  afterEach(async () => {
    await h.dispose();
  });

  const asPerson = (options: InjectOptions) => h.app.inject({ ...options, headers: { authorization: `Bearer ${h.key}`, ...options.headers } });
  const asAdmin = (options: InjectOptions) => h.app.inject({ ...options, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...options.headers } });

  /** One request of each route family that reaches the store. */
  function storeRequests(): [string, () => Promise<LightMyRequestResponse>][] {
    return [
      ["wakatime", () => asPerson({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", headers: JSON_HEADERS, payload: JSON.stringify([{ time: NOW_SECONDS - 60, entity: "/src/a.ts", type: "file" }]) })],
      ["rest", () => asPerson({ method: "GET", url: "/api/worklens/v1/suggestions?from=2025-04-07&to=2025-04-11" })],
      ["admin", () => asAdmin({ method: "GET", url: "/api/admin/keys" })],
      ["webhook", () => h.app.inject({ method: "POST", url: "/api/webhooks/github", headers: { ...JSON_HEADERS, "x-github-event": "push", "x-github-delivery": "delivery-1", "x-hub-signature-256": githubSignature(GITHUB_PUSH) }, payload: GITHUB_PUSH })],
    ];
  }

  it("closed store gives clean 5xx", async () => {
    // Control: every request succeeds while the store is open, so the failures below come from the closed store.
    for (const [label, send] of storeRequests()) expect((await send()).statusCode, label).toBeLessThan(300);

    await h.appStore.close();
    for (const [label, send] of storeRequests()) {
      const response = await send();
      expect(response.statusCode, label).toBeGreaterThanOrEqual(500);
      expect(expectCleanError(response, label).error, label).toBe("internal error");
    }
    // The details went to the log, where the operator can read them.
    const errors = h.logLines.filter((line) => line.includes('"level":50'));
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it("failing query gives clean 500", async () => {
    const drop = async (table: string) => {
      await sql`drop table ${sql.id(table)}${backend === "postgres" ? sql` cascade` : sql``}`.execute(h.owner.db);
    };
    await drop("suggestions");
    await drop("webhook_deliveries");
    await drop("activity_texts");
    for (const [label, send] of storeRequests().filter(([name]) => name !== "admin")) {
      const response = await send();
      expect(response.statusCode, label).toBe(500);
      expect(expectCleanError(response, label), label).toEqual({ error: "internal error", hint: "the server log has the details" });
    }
    await drop("identity_texts");
    const admin = await asAdmin({ method: "GET", url: "/api/admin/keys" });
    expect(admin.statusCode).toBe(500);
    expect(expectCleanError(admin, "admin")).toEqual({ error: "internal error", hint: "the server log has the details" });

    // Control: the log has the database's own message, which the responses left out.
    const logged = h.logLines.filter((line) => line.includes('"level":50')).join("\n");
    expect(logged).toMatch(/no such table|does not exist/);
  });

  it("malformed JSON gives clean 400", async () => {
    const broken = '{"time": 1, "entity": ';
    const cases: [string, LightMyRequestResponse][] = [
      ["wakatime", await asPerson({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", headers: JSON_HEADERS, payload: broken })],
      ["rest", await asPerson({ method: "POST", url: "/api/worklens/v1/suggestions/1:2025-04-07:1/edit", headers: JSON_HEADERS, payload: broken })],
      ["admin", await asAdmin({ method: "POST", url: "/api/admin/keys", headers: JSON_HEADERS, payload: broken })],
      ["webhook", await h.app.inject({ method: "POST", url: "/api/webhooks/github", headers: { ...JSON_HEADERS, "x-github-event": "push", "x-github-delivery": "d-2", "x-hub-signature-256": githubSignature(broken) }, payload: broken })],
    ];
    for (const [label, response] of cases) {
      expect(response.statusCode, label).toBe(400);
      expect(expectCleanError(response, label).error, label).toMatch(/not valid JSON/);
    }
  });

  it("validation errors give clean 400", async () => {
    const cases: [string, LightMyRequestResponse, RegExp][] = [
      ["wakatime", await asPerson({ method: "POST", url: "/api/v1/users/current/heartbeats", headers: JSON_HEADERS, payload: JSON.stringify({ entity: "/src/a.ts", time: "yesterday" }) }), /time is not a number/],
      ["rest", await asPerson({ method: "GET", url: "/api/worklens/v1/suggestions?from=last-week&to=2025-04-11" }), /^invalid request: query\.from: /],
      ["admin", await asAdmin({ method: "POST", url: "/api/admin/keys", headers: JSON_HEADERS, payload: JSON.stringify({ person: 42 }) }), /^invalid request body: person: invalid_type/],
    ];
    for (const [label, response, message] of cases) {
      expect(response.statusCode, label).toBe(400);
      expect(expectCleanError(response, label).error, label).toMatch(message);
    }
    // A submitted value never comes back in the message.
    expect(cases[0]?.[1].body).not.toContain("yesterday");
    expect(cases[1]?.[1].body).not.toContain("last-week");
  });

  it("no response reveals versions", async () => {
    const responses = [
      await h.app.inject({ method: "GET", url: "/api/health" }),
      await h.app.inject({ method: "GET", url: "/no/such/route" }),
      await asPerson({ method: "GET", url: "/api/v1/users/current/statusbar/today" }),
      await h.app.inject({ method: "GET", url: "/api/v1/users/current/statusbar/today", headers: { authorization: "Bearer wrong-key" } }),
      ...(await Promise.all(storeRequests().map(([, send]) => send()))),
    ];
    for (const response of responses) {
      expect(response.headers["x-powered-by"], response.body).toBeUndefined();
      expect(response.headers["server"], response.body).toBeUndefined();
      // A successful heartbeat echoes the entity path the client sent, so only error bodies are scanned.
      if (response.statusCode >= 400) expect(leaksIn(response), response.body).toEqual([]);
    }
    expect(responses.map((response) => response.statusCode)).toEqual([200, 404, 200, 401, 202, 200, 200, 202]);
  });

  it("leak check flags Fastify's default handler", async () => {
    // Control: the same failing query behind Fastify's default error handler shows the database message to the client.
    await sql`drop table ${sql.id("suggestions")}${backend === "postgres" ? sql` cascade` : sql``}`.execute(h.owner.db);
    const bare = Fastify();
    bare.get("/suggestions", async () => h.appStore.db.selectFrom("suggestions").selectAll().execute());
    try {
      const response = await bare.inject({ method: "GET", url: "/suggestions" });
      expect(response.statusCode).toBe(500);
      expect(leaksIn(response)).toContain("SQL");
    } finally {
      await bare.close();
    }
    const stack = { body: '{"error":"boom","stack":"TypeError: x\\n    at run (/work/main/src/a.ts:3:9)"}', headers: { "x-powered-by": "Express" } } as unknown as LightMyRequestResponse;
    expect(leaksIn(stack)).toEqual(["stack trace", "file path", "exception class or code", "x-powered-by header"]);
  });
});
