import type { FastifyInstance, FastifyRequest } from "fastify";
import type { IntegrationsPort } from "../../integrations/port.js";
import type { Store } from "../../store/store.js";
import { requestRefresh } from "./refresh.js";
import { keyPrincipalOf, personOf } from "../auth/hook.js";
import { errorBody } from "../errors.js";
import { takeHeartbeats, type HeartbeatWindow, type IntakeContext } from "../wakatime/intake.js";
import { statusBarToday } from "../wakatime/statusbar.js";

export interface WakatimeRouteOptions {
  store: Store;
  clock: () => number;
  window: HeartbeatWindow;
  /** Told when heartbeats were stored, so suggestions follow them; absent in apps without jobs. */
  integrations?: IntegrationsPort | undefined;
}

/**
 * Register the WakaTime API subset that editor plugins call through wakatime-cli, mounted
 * under a prefix such as /api/v1 so `api_url = http://HOST:PORT/api/v1` works.
 */
export function wakatimeRoutes(app: FastifyInstance, options: WakatimeRouteOptions): Promise<void> {
  const { store, clock, window, integrations } = options;
  const refreshIfStored = (request: FastifyRequest, imported: number) => {
    if (imported > 0 && integrations !== undefined) requestRefresh(request, integrations);
  };

  app.post("/users/current/heartbeats.bulk", { config: { access: "person" } }, async (request, reply) => {
    if (!Array.isArray(request.body)) {
      return reply.code(400).send(errorBody("request body must be a JSON array of heartbeats", "send heartbeats.bulk an array; send a single heartbeat object to /users/current/heartbeats"));
    }
    const outcome = await takeHeartbeats(store, request.body as unknown[], intakeContext(request, clock(), window));
    request.log.info({ imported: outcome.imported, duplicate: outcome.duplicate, rejected: outcome.rejected }, "heartbeats received");
    refreshIfStored(request, outcome.imported);
    // 202 with one [body, status] pair per heartbeat, the bulk response wakatime-cli parses.
    return reply.code(202).send({ responses: outcome.results });
  });

  app.post("/users/current/heartbeats", { config: { access: "person" } }, async (request, reply) => {
    const body = request.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return reply.code(400).send(errorBody("request body must be one JSON heartbeat object", "send an array of heartbeats to /users/current/heartbeats.bulk"));
    }
    const outcome = await takeHeartbeats(store, [body], intakeContext(request, clock(), window));
    request.log.info({ imported: outcome.imported, duplicate: outcome.duplicate, rejected: outcome.rejected }, "heartbeat received");
    refreshIfStored(request, outcome.imported);
    const [result] = outcome.results;
    if (result === undefined) throw new Error("one heartbeat sent but no result returned");
    return reply.code(result[1]).send(result[0]);
  });

  app.get("/users/current/statusbar/today", { config: { access: "person" } }, async (request) => {
    const person = personOf(request);
    return statusBarToday(store, person.personId, person.tz, clock());
  });

  return Promise.resolve();
}

function intakeContext(request: FastifyRequest, now: number, window: HeartbeatWindow): IntakeContext {
  return {
    identity: keyPrincipalOf(request).identity,
    machine: firstHeader(request.headers["x-machine-name"]),
    userAgent: firstHeader(request.headers["user-agent"]),
    now,
    window,
  };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === "" ? undefined : first.trim();
}
