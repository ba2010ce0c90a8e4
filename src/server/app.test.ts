import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importActivities } from "../ingest/import-activities.js";
import { parseWakatime } from "../ingest/wakatime/parse.js";
import { WorklensError } from "../domain/errors.js";
import { BACKENDS, openTestStore } from "../store/test-support/backends.js";
import { buildApp } from "./app.js";
import { TOO_OLD_REASON, IN_FUTURE_REASON } from "./wakatime/intake.js";
import { basicAuth, openTestApp, testConfig, testIdentity, TEST_ADMIN_TOKEN, type TestApp } from "./test-support/app.js";

/** 2025-03-10T12:00:00Z, the server's clock in these tests. */
const NOW = Date.UTC(2025, 2, 10, 12, 0, 0);
const NOW_SECONDS = NOW / 1000;
const BULK = "/api/v1/users/current/heartbeats.bulk";
const USER_AGENT = "wakatime/v1.90.0 (linux-6.1.0-amd64) go1.22.0 vscode/1.90.0 vscode-wakatime/24.0.0";

function readCase(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../shared/cases/field/${name}`, import.meta.url), "utf8"));
}

/** Two heartbeats with the fields wakatime-cli sends (pkg/api testdata), the second with nulls as it sends them. */
function cliHeartbeats(time: number): Record<string, unknown>[] {
  return [
    {
      branch: "PROJ-42-fix",
      category: "coding",
      cursorpos: 12,
      dependencies: ["dep1", "dep2"],
      entity: "/home/dev/proj/main.go",
      is_write: true,
      language: "Go",
      lineno: 42,
      lines: 100,
      line_additions: 3,
      line_deletions: 1,
      project: "proj",
      project_root_count: 4,
      type: "file",
      time,
      user_agent: USER_AGENT,
    },
    {
      branch: null,
      category: "debugging",
      cursorpos: null,
      dependencies: null,
      entity: "HIDDEN.py",
      is_write: null,
      language: null,
      lineno: null,
      lines: null,
      project: null,
      type: "file",
      time: time + 60.5,
      user_agent: USER_AGENT,
    },
  ];
}

describe.each(BACKENDS)("server on %s", (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp(backend, { clock: () => NOW });
  });
  afterEach(async () => {
    await t.close();
  });

  function send(body: unknown, headers: Record<string, string> = {}, url = BULK) {
    return t.app.inject({ method: "POST", url, payload: JSON.stringify(body), headers: { "content-type": "application/json", authorization: basicAuth(t.key), "user-agent": USER_AGENT, "x-machine-name": "laptop-a", ...headers } });
  }

  it("bulk stores wakatime-cli heartbeats", async () => {
    const response = await send(cliHeartbeats(NOW_SECONDS - 3600));
    expect(response.statusCode).toBe(202);
    const body = response.json<{ responses: [unknown, number][] }>();
    expect(body.responses.map((r) => r[1])).toEqual([201, 201]);
    expect(body.responses[0]?.[0]).toMatchObject({ data: { entity: "/home/dev/proj/main.go", type: "file", time: NOW_SECONDS - 3600 } });

    const stored = await t.handle.store.activities.list({ source: "wakatime" });
    expect(stored).toHaveLength(2);
    expect(stored.every((a) => a.machine === "laptop-a" && a.personId === t.personId)).toBe(true);
    expect(stored[0]?.explicitKeys).toEqual(["PROJ-42"]);
  });

  it("field case: bulk partial reject", async () => {
    const fieldCase = readCase("12-heartbeat-bulk-partial-reject.json") as { request: unknown[] };
    const clockAtCase = Date.UTC(2025, 2, 10, 10, 40);
    await t.close();
    t = await openTestApp(backend, { clock: () => clockAtCase });

    const response = await send(fieldCase.request);
    expect([201, 202]).toContain(response.statusCode);
    const body = response.json<{ responses: [Record<string, unknown>, number][] }>();
    expect(body.responses).toHaveLength(2);
    expect(body.responses[0]?.[1]).toBe(201);
    expect(body.responses[0]?.[0]).toMatchObject({ data: { entity: "/home/dev/proj/README.md", time: 1741597000 } });
    expect(body.responses[1]).toEqual([{ error: TOO_OLD_REASON }, 400]);
    expect(await t.handle.store.activities.count()).toBe(1);
  });

  it("field case: same-second dedup via API", async () => {
    const fieldCase = readCase("10-heartbeat-dedup-same-second.json") as {
      headers: Record<string, string>;
      body: unknown[];
    };
    const first = await send(fieldCase.body, fieldCase.headers);
    expect(first.statusCode).toBe(202);
    expect(first.json<{ responses: [unknown, number][] }>().responses.map((r) => r[1])).toEqual([201, 201, 201]);
    expect(await t.handle.store.activities.count()).toBe(2);

    const again = await send(fieldCase.body, fieldCase.headers);
    expect(again.statusCode).toBe(202);
    expect(await t.handle.store.activities.count()).toBe(2);

    const stored = await t.handle.store.activities.list({ source: "wakatime" });
    expect(stored.map((a) => a.startAt)).toEqual([1_741_600_800_123, 1_741_600_800_877]);
    expect(stored.every((a) => a.machine === fieldCase.headers["X-Machine-Name"])).toBe(true);
  });

  it("file import and API send dedupe", async () => {
    const beats = cliHeartbeats(NOW_SECONDS - 600);
    const parsed = parseWakatime(new TextEncoder().encode(JSON.stringify(beats)), { file: "beats.json", person: testIdentity(), machine: "laptop-a" });
    const imported = await importActivities(t.handle.store, parsed, { source: "wakatime", file: "beats.json" });
    expect(imported.imported).toBe(2);

    const response = await send(beats);
    expect(response.statusCode).toBe(202);
    expect(await t.handle.store.activities.count()).toBe(2);
  });

  it("rejects future heartbeats per item", async () => {
    const [good] = cliHeartbeats(NOW_SECONDS);
    const response = await send([{ ...good, time: NOW_SECONDS + 11 * 60 }, { ...good, time: NOW_SECONDS + 9 * 60 }]);
    const body = response.json<{ responses: [unknown, number][] }>();
    expect(body.responses[0]).toEqual([{ error: IN_FUTURE_REASON }, 400]);
    expect(body.responses[1]?.[1]).toBe(201);
  });

  it("rejects malformed heartbeats per item", async () => {
    const [good] = cliHeartbeats(NOW_SECONDS);
    const response = await send([{ ...good, time: "yesterday" }, "text", { ...good, entity: "" }, good]);
    const body = response.json<{ responses: [Record<string, unknown>, number][] }>();
    expect(body.responses.map((r) => r[1])).toEqual([400, 400, 400, 201]);
    expect(JSON.stringify(body)).not.toContain("yesterday");
  });

  it("single heartbeat endpoint", async () => {
    const [good] = cliHeartbeats(NOW_SECONDS - 60);
    const created = await send(good, {}, "/api/v1/users/current/heartbeats");
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ data: { entity: "/home/dev/proj/main.go" } });

    const old = await send({ ...good, time: NOW_SECONDS - 400 * 86_400 }, {}, "/api/v1/users/current/heartbeats");
    expect(old.statusCode).toBe(400);
    expect(old.json()).toEqual({ error: TOO_OLD_REASON });
  });

  it("compat prefix serves the same API", async () => {
    const response = await send(cliHeartbeats(NOW_SECONDS - 60), {}, "/api/compat/wakatime/v1/users/current/heartbeats.bulk");
    expect(response.statusCode).toBe(202);
    expect(await t.handle.store.activities.count()).toBe(2);
  });

  it("bulk body must be an array", async () => {
    const response = await send({ entity: "a.ts", time: NOW_SECONDS });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toContain("JSON array");
  });

  it("invalid JSON is not echoed", async () => {
    const response = await t.app.inject({ method: "POST", url: BULK, payload: '[{"entity": "secret-path.ts", ', headers: { "content-type": "application/json", authorization: basicAuth(t.key) } });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain("secret-path");
    expect(response.body).not.toContain("at ");
  });

  describe("authentication", () => {
    const statusbar = "/api/v1/users/current/statusbar/today";

    it("accepts each header form", async () => {
      const forms: [string, Record<string, string>, string][] = [
        ["basic base64(key)", { authorization: basicAuth(t.key) }, statusbar],
        ["basic base64(key:)", { authorization: basicAuth(`${t.key}:`) }, statusbar],
        ["basic base64(user:key)", { authorization: basicAuth(`dev:${t.key}`) }, statusbar],
        ["bearer key", { authorization: `Bearer ${t.key}` }, statusbar],
        ["bearer waka_key", { authorization: `Bearer waka_${t.key}` }, statusbar],
        ["query api_key", {}, `${statusbar}?api_key=${t.key}`],
      ];
      for (const [name, headers, url] of forms) {
        const response = await t.app.inject({ method: "GET", url, headers });
        expect(response.statusCode, name).toBe(200);
      }
    });

    it("401 without, bad or revoked key", async () => {
      const missing = await t.app.inject({ method: "GET", url: statusbar });
      expect(missing.statusCode).toBe(401);
      expect(missing.json<{ error: string }>().error).toContain("API key");

      const wrong = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab";
      for (const authorization of [basicAuth(wrong), `Bearer ${wrong}`, "Basic !!!", `Token ${t.key}`, `Basic ${t.key}`]) {
        const response = await t.app.inject({ method: "GET", url: statusbar, headers: { authorization } });
        expect(response.statusCode, authorization).toBe(401);
      }

      await t.handle.store.keys.revoke(t.keyId, NOW);
      const revoked = await t.app.inject({ method: "GET", url: statusbar, headers: { authorization: basicAuth(t.key) } });
      expect(revoked.statusCode).toBe(401);
    });

    it("401 before reading the body", async () => {
      const response = await t.app.inject({ method: "POST", url: BULK, payload: "not json at all", headers: { "content-type": "application/json" } });
      expect(response.statusCode).toBe(401);
    });

    it("records last use and user agent", async () => {
      await send(cliHeartbeats(NOW_SECONDS - 60));
      const [key] = await t.handle.store.keys.list();
      expect(key?.lastUsedAt).toBe(NOW);
      expect(key?.lastUserAgent).toBe(USER_AGENT);
    });

    it("logs hold no key, query or body", async () => {
      await t.app.inject({ method: "GET", url: `${statusbar}?api_key=${t.key}` });
      await send(cliHeartbeats(NOW_SECONDS - 60));
      const logs = t.logs();
      expect(logs).toContain("heartbeats received");
      expect(logs).not.toContain(t.key);
      expect(logs).not.toContain("api_key");
      expect(logs).not.toContain("main.go");
      expect(logs).not.toContain(Buffer.from(t.key).toString("base64"));
    });
  });

  describe("admin", () => {
    it("creates, lists and revokes keys", async () => {
      const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      const created = await t.app.inject({ method: "POST", url: "/api/admin/keys", payload: { person: "Other@Example.com" }, headers: admin });
      expect(created.statusCode).toBe(201);
      const { id, key } = created.json<{ data: { id: number; key: string } }>().data;

      const used = await t.app.inject({ method: "GET", url: "/api/v1/users/current/statusbar/today", headers: { authorization: basicAuth(key) } });
      expect(used.statusCode).toBe(200);

      const listed = await t.app.inject({ method: "GET", url: "/api/admin/keys", headers: admin });
      expect(listed.json<{ data: { externalId: string }[] }>().data.map((k) => k.externalId)).toEqual(["dev@example.com", "other@example.com"]);
      expect(listed.body).not.toContain(key);

      const revoked = await t.app.inject({ method: "DELETE", url: `/api/admin/keys/${id}`, headers: admin });
      expect(revoked.statusCode).toBe(204);
      const after = await t.app.inject({ method: "GET", url: "/api/v1/users/current/statusbar/today", headers: { authorization: basicAuth(key) } });
      expect(after.statusCode).toBe(401);
    });

    it("rejects a person key and bad input", async () => {
      const asPerson = await t.app.inject({ method: "GET", url: "/api/admin/keys", headers: { authorization: `Bearer ${t.key}` } });
      expect(asPerson.statusCode).toBe(403);
      expect(asPerson.json<{ error: string }>().error).toContain("needs the admin token");
      const noKey = await t.app.inject({ method: "GET", url: "/api/admin/keys", headers: { authorization: "Bearer not-a-key" } });
      expect(noKey.statusCode).toBe(401);

      const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      const bad = await t.app.inject({ method: "POST", url: "/api/admin/keys", payload: { person: "not-an-email-value" }, headers: admin });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).not.toContain("not-an-email-value");

      const unknown = await t.app.inject({ method: "DELETE", url: "/api/admin/keys/999", headers: admin });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json<{ error: string }>().error).toBe("API key 999 not found");
    });
  });
});

describe("server limits", () => {
  it("413 over the body limit", async () => {
    const t = await openTestApp("sqlite", { clock: () => NOW, env: { WORKLENS_BODY_LIMIT_BYTES: "1024" } });
    try {
      const beats = Array.from({ length: 20 }, (_, i) => cliHeartbeats(NOW_SECONDS - 3600 + i)).flat();
      const response = await t.app.inject({ method: "POST", url: BULK, payload: JSON.stringify(beats), headers: { "content-type": "application/json", authorization: basicAuth(t.key) } });
      expect(response.statusCode).toBe(413);
      expect(response.json<{ error: string }>().error).toBe("request body is larger than the limit of 1024 bytes");
      expect(await t.handle.store.activities.count()).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("429 with Retry-After per key", async () => {
    const t = await openTestApp("sqlite", { clock: () => NOW, env: { WORKLENS_RATE_LIMIT_MAX: "2", WORKLENS_RATE_LIMIT_WINDOW_SECONDS: "60" } });
    try {
      const request = (key: string) => t.app.inject({ method: "GET", url: "/api/v1/users/current/statusbar/today", headers: { authorization: basicAuth(key) } });
      expect((await request(t.key)).statusCode).toBe(200);
      expect((await request(t.key)).statusCode).toBe(200);
      const limited = await request(t.key);
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      expect(limited.json<{ error: string }>().error).toContain("rate limit exceeded");

      const admin = await t.app.inject({ method: "POST", url: "/api/admin/keys", payload: { person: "other@example.com" }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      const other = admin.json<{ data: { key: string } }>().data.key;
      expect((await request(other)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe("server errors", () => {
  it("maps errors without stacks", async () => {
    const handle = await openTestStore("sqlite");
    const app = await buildApp({ store: handle.store, config: testConfig({ WORKLENS_LOG_LEVEL: "silent" }) });
    app.get("/test/bug", { config: { access: "public" } }, () => {
      throw new Error("secret detail of a bug");
    });
    app.get("/test/store", { config: { access: "public" } }, () => {
      throw new WorklensError("STORE", "database connection lost", "check the database");
    });
    app.get("/test/usage", { config: { access: "public" } }, () => {
      throw new WorklensError("USAGE", "invalid query: day: invalid_format", "send YYYY-MM-DD");
    });
    try {
      const bug = await app.inject({ method: "GET", url: "/test/bug" });
      expect(bug.statusCode).toBe(500);
      expect(bug.json()).toEqual({ error: "internal error", hint: "the server log has the details" });

      const store = await app.inject({ method: "GET", url: "/test/store" });
      expect(store.statusCode).toBe(503);
      expect(store.body).not.toContain("database connection lost");

      const usage = await app.inject({ method: "GET", url: "/test/usage" });
      expect(usage.statusCode).toBe(400);
      expect(usage.json()).toEqual({ error: "invalid query: day: invalid_format", hint: "send YYYY-MM-DD" });
    } finally {
      await app.close();
      await handle.dispose();
    }
  });
});
