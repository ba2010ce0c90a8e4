import type { FastifyInstance, LightMyRequestResponse, RouteOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_ACCESS_LEVELS, type GrantableRole, type RouteAccess } from "../../src/privacy/roles.js";
import { buildApp } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/api-keys.js";
import { FakeIntegrations, NOW, openApiTestApp, seedSuggestions, type ApiTestApp } from "../../src/server/routes/api/test-support/api-app.js";
import { testConfig, testIdentity, TEST_ADMIN_TOKEN, TEST_EMAIL } from "../../src/server/test-support/app.js";
import type { Store } from "../../src/store/store.js";
import { BACKENDS } from "../../src/store/test-support/backends.js";

/**
 * Every principal the matrix sends requests as. "member" is the person who owns the
 * seeded data (TEST_EMAIL). "otherMember" is a second member, who requests the member's
 * data. "manager" manages a team the member belongs to.
 */
const PRINCIPALS = ["anonymous", "member", "otherMember", "manager", "auditor", "adminToken", "adminPerson"] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

/** Which principals pass the auth hook on each access level. Webhook routes check vendor signatures instead. */
const ALLOWED: Record<Exclude<RouteAccess, "webhook">, readonly PrincipalName[]> = {
  public: PRINCIPALS,
  person: ["member", "otherMember", "manager", "auditor", "adminPerson"],
  "person-or-admin": ["member", "otherMember", "manager", "auditor", "adminToken", "adminPerson"],
  manager: ["manager", "adminToken", "adminPerson"],
  auditor: ["auditor", "adminToken", "adminPerson"],
  admin: ["adminToken", "adminPerson"],
};

/** Ids in the test store that the request table builds parameters from. */
interface MatrixContext {
  store: Store;
  memberId: number;
  otherId: number;
  managerId: number;
  teamId: number;
  /** A suggestion id of the member. */
  memberSuggestion: string;
  /** A new person with no data and no key, created on each call, for routes that change or delete a person. */
  sparePerson(): Promise<number>;
  /** A new team with no members, created on each call, for routes that change or delete a team. */
  spareTeam(): Promise<number>;
}

interface RequestShape {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /**
   * The record in the path belongs to the member, so every principal allowed on the
   * route except the member and the admins must get 403.
   */
  ownedByMember?: boolean;
}

/** A route's plausible request for the principal `who`; only routes with path parameters or a required body need one. */
type RequestTable = Record<string, (ctx: MatrixContext, who: PrincipalName) => Promise<RequestShape> | RequestShape>;

/** A day range that contains the seeded suggestions, sent to every route as the default query. */
const RANGE = { from: "2025-03-10", to: "2025-03-12" };
const UNKNOWN_ID = "999999";
const WEBHOOK_SECRET = "webhook-secret-for-tests-0123456789";
const heartbeat = { time: NOW / 1000 - 60, entity: "/home/dev/proj/src/parser.ts", type: "file", category: "coding", project: "proj", is_write: true };

const REQUESTS: RequestTable = {
  "POST /api/v1/users/current/heartbeats.bulk": () => ({ body: [heartbeat] }),
  "POST /api/compat/wakatime/v1/users/current/heartbeats.bulk": () => ({ body: [heartbeat] }),
  "POST /api/v1/users/current/heartbeats": () => ({ body: heartbeat }),
  "POST /api/compat/wakatime/v1/users/current/heartbeats": () => ({ body: heartbeat }),
  "POST /api/admin/keys": () => ({ body: { person: "new-key@example.com" } }),
  // An unknown key: revoking a real one would lock a principal of the matrix out.
  "DELETE /api/admin/keys/:id": () => ({ params: { id: UNKNOWN_ID } }),
  "PUT /api/admin/people/:id/roles/:role": async (ctx) => ({ params: { id: String(await ctx.sparePerson()), role: "auditor" } }),
  "DELETE /api/admin/people/:id/roles/:role": async (ctx) => ({ params: { id: String(await ctx.sparePerson()), role: "auditor" } }),
  "POST /api/worklens/v1/suggestions/:id/accept": (ctx) => ({ params: { id: ctx.memberSuggestion }, ownedByMember: true }),
  "POST /api/worklens/v1/suggestions/:id/edit": (ctx) => ({ params: { id: ctx.memberSuggestion }, body: { comment: "checked" }, ownedByMember: true }),
  "POST /api/worklens/v1/suggestions/:id/reject": (ctx) => ({ params: { id: ctx.memberSuggestion }, ownedByMember: true }),
  "DELETE /api/worklens/v1/suggestions/:id/decision": (ctx) => ({ params: { id: ctx.memberSuggestion }, ownedByMember: true }),
  "POST /api/worklens/v1/suggestions/bulk-accept": () => ({ body: RANGE }),
  "POST /api/worklens/v1/suggestions/recompute": () => ({ body: RANGE }),
  // Nothing is moved: the issue key is unknown, so an allowed principal gets 404 and the member's suggestion stays pending.
  "POST /api/worklens/v1/suggestions/:id/move": (ctx) => ({ params: { id: ctx.memberSuggestion }, body: { toIssueKey: "NOPE-1", seconds: 60 }, ownedByMember: true }),
  "GET /api/worklens/v1/weeks/:day": () => ({ params: { day: RANGE.from } }),
  // The member's week has pending suggestions, so a submit gets 409 and locks nothing.
  "POST /api/worklens/v1/weeks/:day/submit": () => ({ params: { day: RANGE.from } }),
  "POST /api/worklens/v1/weeks/:day/withdraw": () => ({ params: { day: RANGE.from } }),
  // The member's week is open, so the manager's decisions get 409 and change nothing.
  "POST /api/worklens/v1/weeks/:day/approve": (ctx) => ({ params: { day: RANGE.from }, query: { person: String(ctx.memberId) }, body: {} }),
  "POST /api/worklens/v1/weeks/:day/reject": (ctx) => ({ params: { day: RANGE.from }, query: { person: String(ctx.memberId) }, body: { comment: "missing a day" } }),
  "POST /api/worklens/v1/weeks/:day/reopen": (ctx) => ({ params: { day: RANGE.from }, query: { person: String(ctx.memberId) }, body: {} }),
  "POST /api/worklens/v1/worklogs/:id/retry-write-back": () => ({ params: { id: UNKNOWN_ID } }),
  "PUT /api/worklens/v1/people/:id/zone": (ctx) => ({ params: { id: String(ctx.memberId) }, body: { tz: "Europe/Berlin" }, ownedByMember: true }),
  // Unknown people and identities: merging or splitting real ones would change the principals.
  "POST /api/worklens/v1/people/:id/merge": () => ({ params: { id: UNKNOWN_ID }, body: { from: 999_998 } }),
  "POST /api/worklens/v1/identities/:id/split": () => ({ params: { id: UNKNOWN_ID } }),
  "POST /api/worklens/v1/integrations/:name/sync": () => ({ params: { name: "jira-main" } }),
  "GET /api/worklens/v1/privacy/people/:id/export": (ctx) => ({ params: { id: String(ctx.memberId) } }),
  "DELETE /api/worklens/v1/privacy/people/:id": async (ctx) => ({ params: { id: String(await ctx.sparePerson()) } }),
  "POST /api/worklens/v1/privacy/purge": () => ({ body: { dryRun: true } }),
  "GET /api/worklens/v1/teams/:id/capacity": (ctx) => ({ params: { id: String(ctx.teamId) } }),
  "GET /api/worklens/v1/teams/:id/capacity.csv": (ctx) => ({ params: { id: String(ctx.teamId) }, query: { breakdown: "project" } }),
  "GET /api/worklens/v1/teams/:id": (ctx) => ({ params: { id: String(ctx.teamId) } }),
  "PATCH /api/worklens/v1/teams/:id": (ctx) => ({ params: { id: String(ctx.teamId) }, body: { name: "platform" } }),
  "DELETE /api/worklens/v1/teams/:id": async (ctx) => ({ params: { id: String(await ctx.spareTeam()) } }),
  "PUT /api/worklens/v1/teams/:id/members/:personId": async (ctx) => ({
    params: { id: String(await ctx.spareTeam()), personId: String(await ctx.sparePerson()) },
    body: { share: 0.5, workingDays: [1, 2, 3], hoursPerDay: 8, tz: null },
  }),
  "DELETE /api/worklens/v1/teams/:id/members/:personId": async (ctx) => ({ params: { id: String(await ctx.spareTeam()), personId: String(await ctx.sparePerson()) } }),
  "POST /api/worklens/v1/models/:kind/retrain": () => ({ params: { kind: "time" } }),
  // No model is registered, so a rollback finds nothing to change.
  "POST /api/worklens/v1/models/:id/rollback": () => ({ params: { id: UNKNOWN_ID } }),
  "POST /api/webhooks/github": () => ({ body: {} }),
  "POST /api/webhooks/gitlab": () => ({ body: {} }),
  "POST /api/webhooks/jira": () => ({ body: {} }),
};

function routeKey(method: string, url: string): string {
  return `${method} ${url}`;
}

/** Returns the request builder of a route; a HEAD route that Fastify added for a GET route uses the GET entry. */
function requestFor(method: string, url: string): RequestTable[string] | undefined {
  return REQUESTS[routeKey(method, url)] ?? (method === "HEAD" ? REQUESTS[routeKey("GET", url)] : undefined);
}

function fillPath(url: string, params: Record<string, string>, key: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`route ${key} has a path parameter :${name} but REQUESTS in test/privacy/role-matrix.test.ts gives no value for it`);
    return encodeURIComponent(value);
  });
}

interface RegisteredRoute {
  method: string;
  url: string;
  access: unknown;
}

describe.each(BACKENDS)("role matrix on %s", (backend) => {
  let t: ApiTestApp;
  let app: FastifyInstance;
  let ctx: MatrixContext;
  const routes: RegisteredRoute[] = [];
  const authorization = new Map<PrincipalName, string>();
  /** A manager of no team, to check that a manager route checks the team. */
  let managerOfNoTeam = "";

  async function personWithKey(email: string, role: GrantableRole | undefined): Promise<{ personId: number; secret: string }> {
    const store = t.base.handle.store;
    const created = await store.transaction((tx) => createApiKey(tx, testIdentity(email), NOW));
    if (role !== undefined) await store.roles.grant(created.personId, role);
    return { personId: created.personId, secret: created.secret };
  }

  beforeAll(async () => {
    t = await openApiTestApp(backend);
    const store = t.base.handle.store;
    await seedSuggestions(store);

    const manager = await personWithKey("manager@example.com", "manager");
    const auditor = await personWithKey("auditor@example.com", "auditor");
    const adminPerson = await personWithKey("admin-person@example.com", "admin");
    managerOfNoTeam = `Bearer ${(await personWithKey("manager-elsewhere@example.com", "manager")).secret}`;
    const team = await store.teams.create({ name: "platform", managerPersonId: manager.personId }, NOW);
    const commitment = { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null };
    await store.teams.setMember(team.id, t.devId, commitment);
    await store.teams.setMember(team.id, manager.personId, commitment);

    authorization.set("member", `Bearer ${t.devKey}`);
    authorization.set("otherMember", `Bearer ${t.otherKey}`);
    authorization.set("manager", `Bearer ${manager.secret}`);
    authorization.set("auditor", `Bearer ${auditor.secret}`);
    authorization.set("adminToken", `Bearer ${TEST_ADMIN_TOKEN}`);
    authorization.set("adminPerson", `Bearer ${adminPerson.secret}`);

    const suggestions = await t.as("dev", { method: "GET", url: "/suggestions", query: RANGE });
    const memberSuggestion = suggestions.json<{ data: { id: string }[] }>().data[0]?.id;
    if (memberSuggestion === undefined) throw new Error("the seeded store has no suggestion of the member");

    let spareCount = 0;
    let spareTeams = 0;
    ctx = {
      store,
      memberId: t.devId,
      otherId: t.otherId,
      managerId: manager.personId,
      teamId: team.id,
      memberSuggestion,
      sparePerson: async () => {
        spareCount += 1;
        return (await store.people.resolve(testIdentity(`spare-${String(spareCount)}@example.com`))).personId;
      },
      spareTeam: async () => {
        spareTeams += 1;
        return (await store.teams.create({ name: `spare-${String(spareTeams)}` }, NOW)).id;
      },
    };

    const env = { WORKLENS_GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, WORKLENS_GITLAB_WEBHOOK_TOKEN: WEBHOOK_SECRET, WORKLENS_JIRA_WEBHOOK_SECRET: WEBHOOK_SECRET };
    app = await buildApp({
      store,
      config: testConfig(env),
      clock: () => NOW,
      integrations: new FakeIntegrations(),
      logStream: { write: () => undefined },
      onRoute: (route: RouteOptions) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) routes.push({ method, url: route.url, access: route.config?.access });
      },
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await t.close();
  });

  async function send(route: RegisteredRoute, who: PrincipalName, extraQuery: Record<string, string> = {}): Promise<{ response: LightMyRequestResponse; shape: RequestShape }> {
    const key = routeKey(route.method, route.url);
    const build = requestFor(route.method, route.url);
    const shape = build === undefined ? {} : await build(ctx, who);
    const header = authorization.get(who);
    const response = await app.inject({
      method: route.method as "GET",
      url: fillPath(route.url, shape.params ?? {}, key),
      query: { ...RANGE, ...shape.query, ...extraQuery },
      headers: header === undefined ? {} : { authorization: header },
      ...(shape.body === undefined ? {} : { payload: shape.body as object }),
    });
    return { response, shape };
  }

  it("every route declares a known access level", () => {
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((route) => route.access === undefined).map((route) => routeKey(route.method, route.url));
    expect(missing, "routes without config.access").toEqual([]);
    const unknown = routes.filter((route) => !(ROUTE_ACCESS_LEVELS as readonly unknown[]).includes(route.access)).map((route) => routeKey(route.method, route.url));
    expect(unknown, "routes with an unknown config.access").toEqual([]);
  });

  it("every route with path parameters has a request", () => {
    const lacking = routes.filter((route) => route.url.includes(":") && requestFor(route.method, route.url) === undefined).map((route) => routeKey(route.method, route.url));
    expect(lacking, "add these routes to REQUESTS in test/privacy/role-matrix.test.ts with plausible parameters").toEqual([]);
  });

  it("each principal gets the status its roles allow", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const access = route.access as RouteAccess;
      const key = routeKey(route.method, route.url);
      if (route.url.includes(":") && requestFor(route.method, route.url) === undefined) continue;

      if (access === "webhook") {
        const statuses = new Set<number>();
        for (const who of PRINCIPALS) statuses.add((await send(route, who)).response.statusCode);
        if (statuses.size !== 1) failures.push(`${key}: a webhook route answered differently per credential: ${[...statuses].join(", ")}`);
        continue;
      }

      for (const who of PRINCIPALS) {
        const { response, shape } = await send(route, who);
        const status = response.statusCode;
        const allowed = ALLOWED[access].includes(who);
        const ownerOrAdmin = who === "member" || who === "adminToken" || who === "adminPerson";
        let expected: string;
        let ok: boolean;
        if (who === "anonymous" && access !== "public") {
          expected = "401";
          ok = status === 401;
        } else if (!allowed) {
          expected = "403";
          ok = status === 403;
        } else if (shape.ownedByMember === true && !ownerOrAdmin) {
          expected = "403 (the record is the member's)";
          ok = status === 403;
        } else {
          expected = "neither 401 nor 403";
          ok = status !== 401 && status !== 403;
        }
        if (!ok) failures.push(`${key} as ${who} (access ${access}): expected ${expected}, got ${String(status)} ${response.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("a member asking for another person's data gets 403 or only their own", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const access = route.access as RouteAccess;
      if (route.method !== "GET" || access === "public" || access === "webhook" || !ALLOWED[access].includes("otherMember")) continue;
      const key = routeKey(route.method, route.url);
      if (route.url.includes(":") && requestFor(route.method, route.url) === undefined) continue;

      checked += 1;
      const { response } = await send(route, "otherMember", { person: String(ctx.memberId) });
      if (response.statusCode === 403) continue;
      if (response.body.includes(TEST_EMAIL)) failures.push(`${key}: the member's e-mail address reached another member`);
      if (new RegExp(`"personId":${String(ctx.memberId)}\\b`).test(response.body)) failures.push(`${key}: the member's records reached another member`);
      if (new RegExp(`"id":"${String(ctx.memberId)}:`).test(response.body)) failures.push(`${key}: the member's suggestions reached another member`);
    }
    expect(checked).toBeGreaterThan(3);
    expect(failures).toEqual([]);
  });

  it("a route without access is found and closed", async () => {
    // The control of the first test: a route registered without config.access is listed, and the auth hook treats it as "person".
    const found: RegisteredRoute[] = [];
    const extra = await buildApp({
      store: ctx.store,
      config: testConfig(),
      clock: () => NOW,
      logStream: { write: () => undefined },
      onRoute: (route: RouteOptions) => found.push({ method: String(route.method), url: route.url, access: route.config?.access }),
    });
    extra.get("/api/worklens/v1/unlisted", () => ({ data: "personal" }));
    await extra.ready();
    try {
      expect(found.filter((route) => route.access === undefined).map((route) => routeKey(route.method, route.url))).toContain("GET /api/worklens/v1/unlisted");
      expect((await extra.inject({ method: "GET", url: "/api/worklens/v1/unlisted" })).statusCode).toBe(401);
      expect((await extra.inject({ method: "GET", url: "/api/worklens/v1/unlisted", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).statusCode).toBe(403);
    } finally {
      await extra.close();
    }
  });

  it("a manager reads only their own team", async () => {
    const url = `/api/worklens/v1/teams/${String(ctx.teamId)}/capacity`;
    const elsewhere = await app.inject({ method: "GET", url, query: RANGE, headers: { authorization: managerOfNoTeam } });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json<{ error: string }>().error).toBe(`you do not manage team ${String(ctx.teamId)}`);
    const own = await app.inject({ method: "GET", url, query: RANGE, headers: { authorization: authorization.get("manager") ?? "" } });
    expect(own.statusCode).not.toBe(401);
    expect(own.statusCode).not.toBe(403);
  });

  it("the member's own data is visible to the member", async () => {
    // The control of the check above: the same markers do appear in the member's own response.
    const response = await app.inject({ method: "GET", url: "/api/worklens/v1/suggestions", query: RANGE, headers: { authorization: `Bearer ${t.devKey}` } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(new RegExp(`"id":"${String(ctx.memberId)}:`));
    const people = await app.inject({ method: "GET", url: "/api/worklens/v1/people/me", headers: { authorization: `Bearer ${t.devKey}` } });
    expect(people.statusCode).toBe(200);
    expect(people.json<{ data: { id: number } }>().data.id).toBe(ctx.memberId);
  });

  it("another member's key reads no suggestion of the member", async () => {
    const asked = await app.inject({ method: "GET", url: "/api/worklens/v1/suggestions", query: { ...RANGE, person: String(ctx.memberId) }, headers: { authorization: `Bearer ${t.otherKey}` } });
    expect(asked.statusCode).toBe(403);
    const own = await app.inject({ method: "GET", url: "/api/worklens/v1/suggestions", query: RANGE, headers: { authorization: `Bearer ${t.otherKey}` } });
    expect(own.statusCode).toBe(200);
    const ids = own.json<{ data: { id: string }[] }>().data.map((suggestion) => suggestion.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith(`${String(ctx.otherId)}:`))).toBe(true);
    expect(own.body).not.toContain(TEST_EMAIL);
  });
});
