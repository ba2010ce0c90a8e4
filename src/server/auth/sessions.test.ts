import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../store/test-support/backends.js";
import { buildApp } from "../app.js";
import { createApiKey } from "./api-keys.js";
import { createAccount } from "./accounts.js";
import { disableAccount } from "../../store/account-repository.js";
import { openTestApp, testConfig, testIdentity, type TestApp } from "../test-support/app.js";
import { sessionTokenDigest } from "./sessions.js";

const API = "/api/worklens/v1";
const LOGIN = "Dev.Person";
const PASSWORD = "correct horse battery staple";
/** 2025-03-13T12:00:00Z; the app's clock starts here and tests move it. */
const START = Date.UTC(2025, 2, 13, 12, 0, 0);
const MINUTE = 60_000;
const OPENSSL = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].find((path) => existsSync(path));

interface SessionInfoBody {
  data: { personId: number; name: string; roles: string[]; csrfToken: string; expiresAt: string; tz: string | null };
}

/** Returns the Set-Cookie header of a response as one string per cookie. */
function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers["set-cookie"];
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

/** Returns the attributes of the worklens_session cookie a response sets, with the value under "value". */
function sessionCookie(response: LightMyRequestResponse): Map<string, string> {
  const cookie = setCookies(response).find((line) => line.startsWith("worklens_session="));
  if (cookie === undefined) throw new Error(`the response sets no session cookie: ${JSON.stringify(response.headers)}`);
  const [pair, ...attributes] = cookie.split("; ");
  const parsed = new Map<string, string>([["value", (pair ?? "").slice("worklens_session=".length)]]);
  for (const attribute of attributes) {
    const [name, value] = attribute.split("=");
    parsed.set((name ?? "").toLowerCase(), value ?? "");
  }
  return parsed;
}

describe.each(BACKENDS)("web sessions on %s", (backend) => {
  let t: TestApp;
  let now = START;

  async function open(env: Record<string, string> = {}): Promise<void> {
    t = await openTestApp(backend, { clock: () => now, env: { WORKLENS_LOG_LEVEL: "silent", ...env } });
    await t.handle.store.transaction((tx) => createAccount(tx, { personId: t.personId, login: LOGIN, password: PASSWORD }, now));
  }

  beforeEach(() => {
    now = START;
  });
  afterEach(async () => {
    await t.close();
  });

  function signIn(login = LOGIN, password = PASSWORD, app: FastifyInstance = t.app): Promise<LightMyRequestResponse> {
    return app.inject({ method: "POST", url: `${API}/session`, payload: { login, password } });
  }

  /** Signs in and returns the session token and CSRF token. */
  async function session(): Promise<{ token: string; csrf: string }> {
    const response = await signIn();
    expect(response.statusCode, response.body).toBe(200);
    return { token: sessionCookie(response).get("value") ?? "", csrf: response.json<SessionInfoBody>().data.csrfToken };
  }

  function withCookie(token: string, options: { method?: "GET" | "PUT" | "DELETE" | "POST"; url: string; headers?: Record<string, string>; payload?: object }): Promise<LightMyRequestResponse> {
    return t.app.inject({ method: options.method ?? "GET", url: options.url, cookies: { worklens_session: token }, headers: options.headers ?? {}, ...(options.payload === undefined ? {} : { payload: options.payload }) });
  }

  async function sessionRows(): Promise<number> {
    return (await t.handle.store.db.selectFrom("web_sessions").select("id").execute()).length;
  }

  it("sign-in sets the cookie and returns the session", async () => {
    await open();
    const response = await signIn("  dev.person ");
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");

    const cookie = sessionCookie(response);
    const token = cookie.get("value") ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.has("httponly")).toBe(true);
    expect(cookie.get("samesite")).toBe("Strict");
    expect(cookie.get("path")).toBe("/");
    expect(cookie.get("max-age")).toBe(String(12 * 3600));
    expect(cookie.has("secure")).toBe(false);

    const info = response.json<SessionInfoBody>().data;
    expect(info.personId).toBe(t.personId);
    expect(info.name).toBe(`person ${String(t.personId)}`);
    expect(info.roles).toEqual(["member"]);
    expect(info.csrfToken).toBe(createHmac("sha256", token).update("csrf").digest("base64url"));
    expect(info.expiresAt).toBe(new Date(START + 60 * MINUTE).toISOString());
    expect(info.tz).toBeNull();
    expect(response.body).not.toContain("dev@example.com");

    const rows = await t.handle.store.db.selectFrom("web_sessions").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_digest).toBe(sessionTokenDigest(token));
    expect(JSON.stringify(rows)).not.toContain(token);

    const entries = await t.handle.store.audit.list();
    const login = entries.find((entry) => entry.action === "login");
    expect(login?.actor).toBe(`person:${String(t.personId)}`);
    expect(login?.details).toEqual({ credential: "password", sessionId: rows[0]?.id });
  });

  it("cookie lifetime follows the server config", async () => {
    await open({ WORKLENS_SESSION_MAX_HOURS: "2", WORKLENS_SESSION_IDLE_MINUTES: "15" });
    const response = await signIn();
    expect(sessionCookie(response).get("max-age")).toBe("7200");
    expect(response.json<SessionInfoBody>().data.expiresAt).toBe(new Date(START + 15 * MINUTE).toISOString());
  });

  it("GET /session needs the cookie", async () => {
    await open();
    const { token, csrf } = await session();
    const current = await withCookie(token, { url: `${API}/session` });
    expect(current.statusCode).toBe(200);
    expect(current.headers["cache-control"]).toBe("no-store");
    expect(current.json<SessionInfoBody>().data).toMatchObject({ personId: t.personId, csrfToken: csrf });

    const anonymous = await t.app.inject({ method: "GET", url: `${API}/session` });
    expect(anonymous.statusCode).toBe(401);
    const unknown = await withCookie("A".repeat(43), { url: `${API}/session` });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json<{ error: string }>().error).toBe("sign-in session expired or ended");
  });

  it("cookie authenticates the REST API like the key", async () => {
    await open();
    const { token } = await session();
    const me = await withCookie(token, { url: `${API}/people/me` });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json<{ data: { id: number } }>().data.id).toBe(t.personId);
    const suggestions = await withCookie(token, { url: `${API}/suggestions` });
    // No range: the route returns 400 for the query, which shows the cookie passed authentication.
    expect(suggestions.statusCode).toBe(400);
  });

  it("API 401 sends no Basic challenge", async () => {
    // A Basic challenge would make the browser show its own login prompt over the sign-in page.
    await open();
    for (const url of [`${API}/session`, `${API}/suggestions?from=2025-03-10&to=2025-03-16`, `${API}/audit`]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(401);
      expect(response.headers["www-authenticate"], url).toBe('Bearer realm="worklens"');
    }
    const wakatime = await t.app.inject({ method: "GET", url: "/api/v1/users/current/statusbar/today" });
    expect(wakatime.headers["www-authenticate"]).toBe('Basic realm="worklens"');
  });

  it("WakaTime and admin routes ignore the cookie", async () => {
    await open();
    const { token } = await session();
    const statusBar = await withCookie(token, { url: "/api/v1/users/current/statusbar/today" });
    expect(statusBar.statusCode).toBe(401);
    const admin = await withCookie(token, { url: "/api/admin/keys" });
    expect(admin.statusCode).toBe(401);
  });

  it("CSRF token guards changes", async () => {
    await open();
    const { token, csrf } = await session();
    const url = `${API}/people/${String(t.personId)}/zone`;
    const payload = { tz: "Europe/Berlin" };

    const missing = await withCookie(token, { method: "PUT", url, payload });
    expect(missing.statusCode).toBe(403);
    expect(missing.json<{ error: string; hint: string }>()).toMatchObject({ error: "missing or wrong CSRF token" });
    expect(missing.json<{ hint: string }>().hint).toContain("x-csrf-token");

    const wrong = await withCookie(token, { method: "PUT", url, payload, headers: { "x-csrf-token": `${csrf.slice(0, -1)}x` } });
    expect(wrong.statusCode).toBe(403);
    const otherSession = await session();
    const foreign = await withCookie(token, { method: "PUT", url, payload, headers: { "x-csrf-token": otherSession.csrf } });
    expect(foreign.statusCode).toBe(403);
    expect((await t.handle.store.people.list()).find((person) => person.id === t.personId)?.tz).toBeNull();

    const accepted = await withCookie(token, { method: "PUT", url, payload, headers: { "x-csrf-token": csrf } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect((await t.handle.store.people.list()).find((person) => person.id === t.personId)?.tz).toBe("Europe/Berlin");
  });

  it("idle session expires", async () => {
    await open();
    const { token } = await session();
    // Used after 50 minutes, so the idle hour starts again from then.
    now += 50 * MINUTE;
    expect((await withCookie(token, { url: `${API}/session` })).statusCode).toBe(200);
    now += 50 * MINUTE;
    const kept = await withCookie(token, { url: `${API}/session` });
    expect(kept.statusCode).toBe(200);
    expect(kept.json<SessionInfoBody>().data.expiresAt).toBe(new Date(now + 60 * MINUTE).toISOString());

    now += 60 * MINUTE;
    const expired = await withCookie(token, { url: `${API}/session` });
    expect(expired.statusCode).toBe(401);
    expect(sessionCookie(expired).get("max-age")).toBe("0");
    expect(await sessionRows()).toBe(0);
  });

  it("last use is written once a minute", async () => {
    await open();
    const { token } = await session();
    const lastSeen = async () => (await t.handle.store.db.selectFrom("web_sessions").select("last_seen_at").executeTakeFirstOrThrow()).last_seen_at;
    now += 59_000;
    expect((await withCookie(token, { url: `${API}/session` })).statusCode).toBe(200);
    expect(await lastSeen()).toBe(START);
    now += 1_000;
    expect((await withCookie(token, { url: `${API}/session` })).statusCode).toBe(200);
    expect(await lastSeen()).toBe(START + MINUTE);
  });

  it("rate limit counts per session", async () => {
    await open({ WORKLENS_RATE_LIMIT_MAX: "3" });
    const first = await session();
    for (let request = 1; request <= 3; request++) expect((await withCookie(first.token, { url: `${API}/people/me` })).statusCode, `request ${String(request)}`).toBe(200);
    expect((await withCookie(first.token, { url: `${API}/people/me` })).statusCode).toBe(429);

    // A second session and the person's key each have their own budget.
    const second = await session();
    expect((await withCookie(second.token, { url: `${API}/people/me` })).statusCode).toBe(200);
    const byKey = await t.app.inject({ method: "GET", url: `${API}/people/me`, headers: { authorization: `Bearer ${t.key}` } });
    expect(byKey.statusCode).toBe(200);
  });

  it("session ends at its absolute lifetime", async () => {
    await open();
    const { token } = await session();
    // Used every half hour, so only the absolute lifetime can end it.
    for (let step = 1; step < 24; step++) {
      now = START + step * 30 * MINUTE;
      expect((await withCookie(token, { url: `${API}/session` })).statusCode, `after ${String(step * 30)} minutes`).toBe(200);
    }
    now = START + 12 * 60 * MINUTE - 1;
    expect((await withCookie(token, { url: `${API}/session` })).statusCode).toBe(200);
    now = START + 12 * 60 * MINUTE;
    expect((await withCookie(token, { url: `${API}/session` })).statusCode).toBe(401);
    expect(await sessionRows()).toBe(0);
  });

  it("sign-in sweeps expired sessions", async () => {
    await open();
    await session();
    await session();
    expect(await sessionRows()).toBe(2);
    now += 61 * MINUTE;
    await session();
    expect(await sessionRows()).toBe(1);
  });

  it("logout deletes the session and clears the cookie", async () => {
    await open();
    const { token, csrf } = await session();
    const withoutToken = await withCookie(token, { method: "DELETE", url: `${API}/session` });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.json<{ error: string }>().error).toBe("missing or wrong CSRF token");
    expect(await sessionRows()).toBe(1);

    const out = await withCookie(token, { method: "DELETE", url: `${API}/session`, headers: { "x-csrf-token": csrf } });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe("");
    const cleared = sessionCookie(out);
    expect(cleared.get("value")).toBe("");
    expect(cleared.get("max-age")).toBe("0");
    // The same attributes as the cookie had, so the browser replaces it.
    expect(cleared.get("samesite")).toBe("Strict");
    expect(cleared.has("httponly")).toBe(true);
    expect(cleared.get("path")).toBe("/");
    expect(await sessionRows()).toBe(0);
    expect((await withCookie(token, { url: `${API}/session` })).statusCode).toBe(401);

    const entries = await t.handle.store.audit.list();
    expect(entries.filter((entry) => entry.action === "logout").map((entry) => entry.actor)).toEqual([`person:${String(t.personId)}`]);

    // Without a live session there is nothing to protect: the cookie is cleared all the same.
    const again = await withCookie(token, { method: "DELETE", url: `${API}/session` });
    expect(again.statusCode).toBe(204);
    expect((await t.app.inject({ method: "DELETE", url: `${API}/session` })).statusCode).toBe(204);
  });

  it("disabled account cannot sign in", async () => {
    await open();
    const { token } = await session();
    await t.handle.store.transaction((tx) => disableAccount(tx, t.personId, now));
    expect((await withCookie(token, { url: `${API}/session` })).statusCode).toBe(401);

    const refused = await signIn();
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual((await signIn(LOGIN, "wrong password, long enough")).json());
    expect(setCookies(refused)).toEqual([]);

    // Setting a password enables the account again.
    await t.handle.store.transaction((tx) => createAccount(tx, { personId: t.personId, password: "a new password of some length" }, now));
    expect((await signIn(LOGIN, "a new password of some length")).statusCode).toBe(200);
    expect((await signIn()).statusCode).toBe(401);
  });

  it("unknown login gets the wrong-password error", async () => {
    await open();
    const unknown = await signIn("nobody", PASSWORD);
    const wrong = await signIn(LOGIN, "not the password at all");
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(unknown.json<{ error: string }>().error).toBe("wrong login or password");
    expect(setCookies(unknown)).toEqual([]);
    expect(await sessionRows()).toBe(0);
  });

  it("invalid sign-in body names the field", async () => {
    await open();
    const response = await t.app.inject({ method: "POST", url: `${API}/session`, payload: { login: LOGIN } });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toContain("body.password");
  });

  it("limiter blocks after the configured failures", async () => {
    await open({ WORKLENS_LOGIN_MAX_FAILURES: "3", WORKLENS_LOGIN_WINDOW_SECONDS: "60" });
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await signIn(LOGIN, `wrong password number ${String(attempt)}`)).statusCode, `attempt ${String(attempt)}`).toBe(401);
    }
    const blocked = await signIn();
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers["retry-after"]).toBe("60");
    expect(setCookies(blocked)).toEqual([]);

    const failures = (await t.handle.store.audit.list()).filter((entry) => entry.action === "login.failed");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.details).toMatchObject({ count: 1 });

    now += 60_000;
    expect((await signIn()).statusCode).toBe(200);
  });

  it("Authorization header wins over the cookie", async () => {
    await open();
    const { token } = await session();
    const other = await t.handle.store.transaction((tx) => createApiKey(tx, testIdentity("other@example.com"), now));

    const me = await withCookie(token, { url: `${API}/people/me`, headers: { authorization: `Bearer ${other.secret}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json<{ data: { id: number } }>().data.id).toBe(other.personId);

    const current = await withCookie(token, { url: `${API}/session`, headers: { authorization: `Bearer ${other.secret}` } });
    expect(current.statusCode).toBe(404);

    // A key request needs no CSRF token, even with a cookie beside it.
    const zone = await withCookie(token, { method: "PUT", url: `${API}/people/${String(other.personId)}/zone`, payload: { tz: "UTC" }, headers: { authorization: `Bearer ${other.secret}` } });
    expect(zone.statusCode).toBe(200);

    // A wrong header does not fall back to the cookie.
    const wrongKey = await withCookie(token, { url: `${API}/people/me`, headers: { authorization: "Bearer 6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab" } });
    expect(wrongKey.statusCode).toBe(401);
  });

  it("session of an admin reaches admin routes", async () => {
    await open();
    const member = await session();
    expect((await withCookie(member.token, { url: `${API}/audit` })).statusCode).toBe(403);

    await t.handle.store.roles.grant(t.personId, "admin");
    const admin = await session();
    expect((await signIn()).json<SessionInfoBody>().data.roles).toEqual(["member", "admin"]);
    const audit = await withCookie(admin.token, { url: `${API}/audit` });
    expect(audit.statusCode, audit.body).toBe(200);
  });

  it.skipIf(OPENSSL === undefined)("cookie is Secure over TLS", async () => {
    await open();
    const folder = mkdtempSync(join(tmpdir(), "worklens-session-tls-"));
    try {
      const cert = join(folder, "cert.pem");
      const key = join(folder, "key.pem");
      // node:crypto makes key pairs but not X.509 certificates, so openssl signs one for 127.0.0.1.
      execFileSync(OPENSSL ?? "openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
      const app = await buildApp({ store: t.handle.store, config: testConfig({ WORKLENS_LOG_LEVEL: "silent" }), clock: () => now, tls: { cert: readFileSync(cert), key: readFileSync(key) } });
      try {
        const response = await signIn(LOGIN, PASSWORD, app);
        expect(response.statusCode).toBe(200);
        expect(sessionCookie(response).has("secure")).toBe(true);
      } finally {
        await app.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
