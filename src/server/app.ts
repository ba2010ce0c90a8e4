import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import type { IntegrationsPort } from "../integrations/port.js";
import type { Store } from "../store/store.js";
import { authHook } from "./auth/hook.js";
import type { ServerConfig } from "./config.js";
import { handleError, RateLimitError, errorBody } from "./errors.js";
import { serverLoggerOptions } from "./logging.js";
import { adminRoutes } from "./routes/admin.js";
import { API_PREFIX } from "./routes/api/common.js";
import { apiRoutes } from "./routes/api/plugin.js";
import { wakatimeRoutes } from "./routes/wakatime.js";
import { webhookRoutes } from "./routes/webhooks.js";

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

  app.decorateRequest("principal", null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(
      request.url.startsWith("/api/webhooks/")
        ? errorBody("not found", "a webhook route exists only when its secret is configured; docs/server.md lists the settings")
        : errorBody("not found", "the WakaTime API is under /api/v1; docs/server.md lists the endpoints"),
    ),
  );
  app.addHook("onRequest", authHook(store, config.adminToken, clock));
  closeConnectionsWhenClosing(app);

  // Registered after the auth hook and run before the body is parsed, so each key has
  // its own budget and a client over it never makes the server read its body.
  await app.register(rateLimit, {
    hook: "preParsing",
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    keyGenerator: (request) => (request.principal?.kind === "person" ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
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
  if (config.adminToken !== undefined) await app.register(adminRoutes, { prefix: "/api/admin", store, clock });
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
