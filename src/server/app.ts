import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyRequest, type RouteOptions } from "fastify";
import type { DestinationStream } from "pino";
import type { IntegrationsPort } from "../integrations/port.js";
import type { Store } from "../store/store.js";
import { registerReadAudit, ServerAudit } from "./auth/audit-hooks.js";
import { authHook } from "./auth/hook.js";
import { DEFAULT_LOGIN_LIMIT, LoginLimiter, type LoginLimitOptions } from "./auth/login-limiter.js";
import { WebSessions } from "./auth/sessions.js";
import type { ServerConfig } from "./config.js";
import { handleError, RateLimitError, errorBody } from "./errors.js";
import { serverLoggerOptions } from "./logging.js";
import { adminRoutes } from "./routes/admin.js";
import { API_PREFIX } from "./routes/api/common.js";
import { apiRoutes } from "./routes/api/plugin.js";
import { wakatimeRoutes } from "./routes/wakatime.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { defaultWebRoot, isPageRequest, registerWebUi } from "./web-ui.js";

const MS_PER_DAY = 86_400_000;

/** Mount points of the WakaTime-compatible API: WakaTime's own and Wakapi's compat path. */
export const WAKATIME_PREFIXES = ["/api/v1", "/api/compat/wakatime/v1"] as const;

export interface AppDeps {
  store: Store;
  config: ServerConfig;
  /** Epoch milliseconds now; tests pass a fixed clock. */
  clock?: () => number;
  /** PEM certificate and key, read by the caller; the app serves HTTPS when given. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** Destination of log lines, standard output by default; tests pass a stream to read them. */
  logStream?: DestinationStream;
  /** Sync and write-back of the configured integrations; without it the API's integration routes return 404. */
  integrations?: IntegrationsPort | undefined;
  /** Called with every route as it is registered; the role-matrix test lists the routes with it. */
  onRoute?: ((route: RouteOptions) => void) | undefined;
  /** Limits of failed authentications per client address; DEFAULT_LOGIN_LIMIT when absent. */
  loginLimit?: LoginLimitOptions | undefined;
  /** Folder of the built web UI; dist/web by default. */
  webRoot?: string | undefined;
}

/**
 * Build the HTTP app without listening, so tests call it with `app.inject()`. The
 * caller owns the store: closing the app does not close it.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { store, config } = deps;
  const clock = deps.clock ?? Date.now;

  const app = Fastify({
    logger: serverLoggerOptions(config.logLevel, deps.logStream),
    bodyLimit: config.bodyLimitBytes,
    ...(deps.tls === undefined ? {} : { https: { cert: deps.tls.cert, key: deps.tls.key } }),
    // Off, so a client cannot choose the address it is rate-limited under by sending
    // X-Forwarded-For. NOTE: behind a reverse proxy, admin requests all count against the proxy's address.
    trustProxy: false,
  }) as unknown as FastifyInstance;

  const onRoute = deps.onRoute;
  if (onRoute !== undefined) app.addHook("onRoute", (route) => { onRoute(route); });
  app.decorateRequest("principal", null);
  app.setErrorHandler(handleError);
  const webUi = await registerWebUi(app, deps.webRoot ?? defaultWebRoot());
  app.setNotFoundHandler((request, reply) => {
    // The UI's own pages (/week, /team, …) are routes of the client-side router.
    if (isPageRequest(request)) return webUi.sendIndex(reply);
    return reply.code(404).send(
      request.url.startsWith("/api/webhooks/")
        ? errorBody("not found", "a webhook route exists only when its secret is configured; docs/server.md lists the settings")
        : errorBody("not found", "the WakaTime API is under /api/v1; docs/server.md lists the endpoints"),
    );
  });
  // Tests pass their own limit; otherwise the server config sets it.
  const limiter = new LoginLimiter(deps.loginLimit ?? { ...DEFAULT_LOGIN_LIMIT, ...config.loginLimit });
  const audit = new ServerAudit({ audit: store.audit, clock, addressSecret: () => store.settings.secret("audit-address") });
  const sessions = new WebSessions(store, config.sessions, deps.tls !== undefined);
  app.decorate("webSignIn", { sessions, limiter, audit });
  // Registered before the auth hook, whose onRequest hook reads the parsed session cookie.
  await app.register(cookie);
  app.addHook(
    "onRequest",
    authHook({
      store,
      adminToken: config.adminToken,
      clock,
      limiter,
      onFailure: (request) => audit.recordFailure(request.ip),
      onSuccess: (_request, principal) => audit.recordLogin(principal),
      sessions,
    }),
  );
  registerReadAudit(app, audit);
  addSecurityHeaders(app, deps.tls !== undefined);
  closeConnectionsWhenClosing(app);

  // Registered after the auth hook and run before the body is parsed, so each key has
  // its own budget and a client over it never makes the server read its body.
  await app.register(rateLimit, {
    hook: "preParsing",
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    keyGenerator: (request) => rateLimitKey(request),
    allowList: (request) => request.routeOptions.config.access === "public",
    errorResponseBuilder: (_request, context) =>
      new RateLimitError(`rate limit exceeded: at most ${context.max} requests per ${config.rateLimit.windowSeconds} seconds per API key; retry in ${context.after}`),
  });

  app.get("/api/health", { config: { access: "public" } }, () => ({ status: "ok" }));

  const window = {
    maxAgeMs: config.heartbeats.maxAgeDays * MS_PER_DAY,
    futureSkewMs: config.heartbeats.futureSkewSeconds * 1000,
  };
  for (const prefix of WAKATIME_PREFIXES) {
    await app.register(wakatimeRoutes, { prefix, store, clock, window, integrations: deps.integrations });
  }
  await app.register(adminRoutes, { prefix: "/api/admin", store, clock, audit: store.audit });
  await app.register(apiRoutes, { prefix: API_PREFIX, store, clock, integrations: deps.integrations });
  await app.register(webhookRoutes, {
    prefix: "/api/webhooks",
    store,
    clock,
    bodyLimit: config.bodyLimitBytes,
    secrets: { github: config.github.webhookSecret, gitlab: config.gitlab.webhookToken, jira: config.jira.webhookSecret },
    integrations: deps.integrations,
  });

  return app;
}

/**
 * Returns the rate-limit budget of a request: its API key or sign-in session, also for a
 * person with the admin role, else its client address.
 */
function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal;
  const person = principal?.kind === "person" ? principal : principal?.person;
  if (person === undefined) return `ip:${request.ip}`;
  return person.sessionId === undefined ? `key:${String(person.keyId)}` : `session:${String(person.sessionId)}`;
}

/**
 * Sets HSTS when the server itself serves TLS, and `cache-control: no-store` on every
 * response of a route that needs a credential, because those carry personal data or
 * keys that no shared or browser cache may keep. Fastify sends no `x-powered-by`.
 */
function addSecurityHeaders(app: FastifyInstance, tls: boolean): void {
  app.addHook("onSend", (request, reply, payload, done) => {
    // One year, the max-age HSTS preload lists ask for; plain-HTTP responses must not carry it (RFC 6797 section 7.2).
    if (tls) void reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    const access = request.routeOptions.config.access ?? "person";
    if (!request.is404 && access !== "public" && access !== "webhook") void reply.header("cache-control", "no-store");
    done(null, payload);
  });
}

/**
 * Ask clients to drop keep-alive connections once close() has begun. Without it a
 * client that keeps its connection open after an in-flight request finishes delays
 * the shutdown until the keep-alive timeout (72 seconds in Fastify 5).
 */
function closeConnectionsWhenClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) void reply.header("connection", "close");
    done(null, payload);
  });
}
