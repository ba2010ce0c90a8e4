import type { FastifyInstance, InjectOptions } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditEntry } from "../../store/audit-repository.js";
import type { Store } from "../../store/store.js";
import { BACKENDS } from "../../store/test-support/backends.js";
import { buildApp } from "../app.js";
import { NOW, openApiTestApp, seedSuggestions, type ApiTestApp } from "../routes/api/test-support/api-app.js";
import { testConfig, TEST_ADMIN_TOKEN } from "../test-support/app.js";

const RANGE = { from: "2025-03-10", to: "2025-03-12" };
const WRONG_KEY = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab";
const ADMIN = `Bearer ${TEST_ADMIN_TOKEN}`;

describe.each(BACKENDS)("server audit on %s", (backend) => {
  let t: ApiTestApp;
  let store: Store;
  let app: FastifyInstance;
  let now = NOW;

  beforeAll(async () => {
    t = await openApiTestApp(backend);
    store = t.base.handle.store;
    await seedSuggestions(store);
    app = await buildApp({ store, config: testConfig({ WORKLENS_LOG_LEVEL: "silent" }), clock: () => now });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await store.roles.revoke(t.otherId, "admin");
    await store.roles.revoke(t.otherId, "auditor");
  });

  afterAll(async () => {
    await app.close();
    await t.close();
  });

  /** Sends a request and returns the audit entries it appended. */
  async function entriesOf(options: InjectOptions & { authorization?: string }): Promise<{ status: number; body: string; entries: AuditEntry[] }> {
    const before = (await store.audit.list({ limit: 100_000 })).at(-1)?.seq ?? 0;
    const { authorization, ...rest } = options;
    const response = await app.inject({ ...rest, headers: { ...rest.headers, ...(authorization === undefined ? {} : { authorization }) } });
    return { status: response.statusCode, body: response.body, entries: await store.audit.list({ afterSeq: before }) };
  }

  it("admin read of one person is audited", async () => {
    const { status, entries } = await entriesOf({ method: "GET", url: "/api/worklens/v1/suggestions", query: { ...RANGE, person: String(t.devId) }, authorization: ADMIN });
    expect(status).toBe(200);
    const reads = entries.filter((entry) => entry.action.startsWith("read."));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ actor: "admin", action: "read.suggestions", subject: `person:${String(t.devId)}`, details: { route: "GET /api/worklens/v1/suggestions", status: 200 } });
  });

  it("admin read of everyone has no subject", async () => {
    const { status, entries } = await entriesOf({ method: "GET", url: "/api/worklens/v1/worklogs", query: RANGE, authorization: ADMIN });
    expect(status).toBe(200);
    expect(entries.filter((entry) => entry.action.startsWith("read.")).map((entry) => [entry.action, entry.subject])).toEqual([["read.worklogs", null]]);
  });

  it("a person's read of their own data is not audited", async () => {
    const { status, entries } = await entriesOf({ method: "GET", url: "/api/worklens/v1/suggestions", query: RANGE, authorization: `Bearer ${t.devKey}` });
    expect(status).toBe(200);
    expect(entries.filter((entry) => entry.action.startsWith("read."))).toEqual([]);
  });

  it("a rejected read is not audited", async () => {
    const { status, entries } = await entriesOf({ method: "GET", url: "/api/worklens/v1/suggestions", query: { ...RANGE, person: String(t.otherId) }, authorization: `Bearer ${t.devKey}` });
    expect(status).toBe(403);
    expect(entries.filter((entry) => entry.action.startsWith("read."))).toEqual([]);
  });

  it("a read that cannot be audited is not sent", async () => {
    const request = { method: "GET" as const, url: "/api/worklens/v1/suggestions", query: { ...RANGE, person: String(t.devId) }, headers: { authorization: ADMIN } };
    // Logins are written before the read, so the failing append is the read's own.
    await app.inject(request);
    vi.spyOn(store.audit, "append").mockRejectedValue(new Error("audit store unavailable"));
    const failed = await app.inject(request);
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain(`"id":"${String(t.devId)}:`);

    // The control: with the audit log working, the same request sends the member's suggestions.
    vi.restoreAllMocks();
    const sent = await app.inject(request);
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain(`"id":"${String(t.devId)}:`);
  });

  it("login is audited once per key per day", async () => {
    now = NOW + 86_400_000 * 10;
    const first = await entriesOf({ method: "GET", url: "/api/worklens/v1/people/me", authorization: `Bearer ${t.otherKey}` });
    expect(first.status).toBe(200);
    expect(first.entries.map((entry) => [entry.actor, entry.action])).toEqual([[`person:${String(t.otherId)}`, "login"]]);
    expect(first.entries[0]?.details).toMatchObject({ credential: "api-key" });

    const again = await entriesOf({ method: "GET", url: "/api/worklens/v1/people/me", authorization: `Bearer ${t.otherKey}` });
    expect(again.entries).toEqual([]);

    now += 86_400_000;
    const nextDay = await entriesOf({ method: "GET", url: "/api/worklens/v1/people/me", authorization: `Bearer ${t.otherKey}` });
    expect(nextDay.entries.map((entry) => entry.action)).toEqual(["login"]);
  });

  it("admin token login is audited once per day", async () => {
    now = NOW + 86_400_000 * 20;
    const first = await entriesOf({ method: "GET", url: "/api/admin/keys", authorization: ADMIN });
    expect(first.entries.map((entry) => [entry.actor, entry.action, entry.details])).toEqual([["admin", "login", { credential: "admin-token" }]]);
    const again = await entriesOf({ method: "GET", url: "/api/admin/keys", authorization: ADMIN });
    expect(again.entries).toEqual([]);
  });

  it("failed logins are audited once a minute with a count", async () => {
    now = NOW + 86_400_000 * 30;
    const failed: AuditEntry[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const result = await entriesOf({ method: "GET", url: "/api/worklens/v1/people/me", authorization: `Bearer ${WRONG_KEY}` });
      expect(result.status).toBe(401);
      failed.push(...result.entries);
    }
    expect(failed.map((entry) => [entry.actor, entry.action, entry.details["count"]])).toEqual([["system", "login.failed", 1]]);
    const address = failed[0]?.details["address"];
    expect(address).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(failed)).not.toContain("127.0.0.1");

    now += 60_000;
    const later = await entriesOf({ method: "GET", url: "/api/worklens/v1/people/me", authorization: `Bearer ${WRONG_KEY}` });
    expect(later.entries.map((entry) => [entry.action, entry.details["count"], entry.details["address"]])).toEqual([["login.failed", 4, address]]);
  });

  it("key creation and revocation are audited", async () => {
    const created = await entriesOf({ method: "POST", url: "/api/admin/keys", payload: { person: "new-person@example.com" }, authorization: ADMIN });
    expect(created.status).toBe(201);
    const { id, personId } = (JSON.parse(created.body) as { data: { id: number; personId: number } }).data;
    expect(created.entries.filter((entry) => entry.action === "keys.create").map((entry) => [entry.actor, entry.subject, entry.details])).toEqual([["admin", `person:${String(personId)}`, { keyId: id }]]);
    expect(created.body).toContain('"key"');
    expect(JSON.stringify(created.entries)).not.toContain((JSON.parse(created.body) as { data: { key: string } }).data.key);

    const revoked = await entriesOf({ method: "DELETE", url: `/api/admin/keys/${String(id)}`, authorization: ADMIN });
    expect(revoked.status).toBe(204);
    expect(revoked.entries.filter((entry) => entry.action === "keys.revoke").map((entry) => entry.details)).toEqual([{ keyId: id }]);
  });

  it("role grants take effect and are audited", async () => {
    const auditLog = { method: "GET" as const, url: "/api/worklens/v1/audit", authorization: `Bearer ${t.otherKey}` };
    expect((await entriesOf(auditLog)).status).toBe(403);

    const granted = await entriesOf({ method: "PUT", url: `/api/admin/people/${String(t.otherId)}/roles/auditor`, authorization: ADMIN });
    expect(granted.status).toBe(200);
    expect(JSON.parse(granted.body)).toEqual({ data: { personId: t.otherId, roles: ["member", "auditor"] } });
    expect(granted.entries.map((entry) => [entry.actor, entry.action, entry.subject, entry.details])).toEqual([["admin", "role.change", `person:${String(t.otherId)}`, { grant: "auditor" }]]);
    const twice = await entriesOf({ method: "PUT", url: `/api/admin/people/${String(t.otherId)}/roles/auditor`, authorization: ADMIN });
    expect(twice.entries).toEqual([]);

    expect((await entriesOf(auditLog)).status).toBe(200);

    const revoked = await entriesOf({ method: "DELETE", url: `/api/admin/people/${String(t.otherId)}/roles/auditor`, authorization: ADMIN });
    expect(revoked.entries.map((entry) => entry.details)).toEqual([{ revoke: "auditor" }]);
    expect((await entriesOf(auditLog)).status).toBe(403);
  });

  it("rejects an unknown role", async () => {
    const response = await app.inject({ method: "PUT", url: `/api/admin/people/${String(t.otherId)}/roles/owner`, headers: { authorization: ADMIN } });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toBe('invalid role "owner"');
  });

  it("an admin-role person acts under their own id", async () => {
    await store.roles.grant(t.otherId, "admin");
    const listed = await app.inject({ method: "GET", url: "/api/worklens/v1/suggestions", query: { ...RANGE, person: String(t.devId) }, headers: { authorization: `Bearer ${t.otherKey}` } });
    expect(listed.statusCode).toBe(200);
    const suggestion = listed.json<{ data: { id: string }[] }>().data[0]?.id ?? "";
    expect(suggestion.startsWith(`${String(t.devId)}:`)).toBe(true);

    const read = (await store.audit.list({ action: "read.suggestions", limit: 100_000 })).at(-1);
    expect(read).toMatchObject({ actor: `person:${String(t.otherId)}`, subject: `person:${String(t.devId)}` });

    const accepted = await app.inject({ method: "POST", url: `/api/worklens/v1/suggestions/${encodeURIComponent(suggestion)}/accept`, headers: { authorization: `Bearer ${t.otherKey}` } });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json<{ data: { review: { decidedBy: string } } }>().data.review.decidedBy).toBe(`person:${String(t.otherId)}`);
    await app.inject({ method: "DELETE", url: `/api/worklens/v1/suggestions/${encodeURIComponent(suggestion)}/decision`, headers: { authorization: ADMIN } });

    const me = await app.inject({ method: "GET", url: "/api/worklens/v1/people/me", headers: { authorization: `Bearer ${t.otherKey}` } });
    expect(me.json<{ data: { id: number } }>().data.id).toBe(t.otherId);
  });

  it("the audit route pages through the log", async () => {
    await store.roles.grant(t.otherId, "auditor");
    const readsBefore = (await store.audit.list({ action: "read.audit", limit: 100_000 })).length;
    const total = await store.audit.count();
    expect(total).toBeGreaterThan(3);
    const first = await app.inject({ method: "GET", url: "/api/worklens/v1/audit", query: { limit: "2" }, headers: { authorization: `Bearer ${t.otherKey}` } });
    expect(first.statusCode).toBe(200);
    expect(first.headers["cache-control"]).toBe("no-store");
    const page = first.json<{ data: { seq: number }[]; nextAfterSeq: number | null }>();
    expect(page.data.map((entry) => entry.seq)).toEqual([1, 2]);
    expect(page.nextAfterSeq).toBe(2);

    const next = await app.inject({ method: "GET", url: "/api/worklens/v1/audit", query: { afterSeq: "2", limit: "1000" }, headers: { authorization: `Bearer ${t.otherKey}` } });
    const rest = next.json<{ data: { seq: number }[]; nextAfterSeq: number | null }>();
    expect(rest.data[0]?.seq).toBe(3);
    expect(rest.nextAfterSeq).toBeNull();

    const reads = (await store.audit.list({ action: "read.audit", limit: 100_000 })).slice(readsBefore);
    expect(reads.map((entry) => [entry.actor, entry.details])).toEqual([
      [`person:${String(t.otherId)}`, { afterSeq: 0, entries: 2 }],
      [`person:${String(t.otherId)}`, { afterSeq: 2, entries: rest.data.length }],
    ]);
  });
});
