import type { FastifyReply, FastifyRequest } from "fastify";
import type { Store } from "../../store/store.js";
import { errorBody } from "../errors.js";
import { authenticateKey, digestsEqual, type KeyPrincipal } from "./api-keys.js";
import { presentedSecrets } from "./credentials.js";

/**
 * Access level of a route: a person with an API key, the administrator, either of
 * them ("person-or-admin", whose handler scopes the data to the principal), anyone,
 * or a vendor webhook, whose handler verifies the vendor's signature on the raw body.
 */
export type RouteAccess = "person" | "admin" | "person-or-admin" | "public" | "webhook";

export interface AdminPrincipal {
  kind: "admin";
}

export type Principal = KeyPrincipal | AdminPrincipal;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const UNAUTHORIZED = errorBody(
  "missing, invalid or revoked API key",
  "send the key as api_key in ~/.wakatime.cfg, or as Authorization: Basic base64(key), Authorization: Bearer key or ?api_key=key; create one with `worklens keys create`",
);

const UNAUTHORIZED_API = errorBody(
  "missing, invalid or revoked API key or admin token",
  "send a person's API key as Authorization: Bearer KEY or Basic base64(KEY), or the admin token as Authorization: Bearer TOKEN; create a key with `worklens keys create`",
);

const ADMIN_ONLY = errorBody("this route needs the admin token; a person's API key cannot use it", "send the admin token (WORKLENS_ADMIN_TOKEN) as Authorization: Bearer TOKEN");

async function anyPersonKey(store: Store, secrets: readonly string[], now: number, userAgent: string | undefined): Promise<boolean> {
  for (const secret of secrets) if ((await authenticateKey(store, secret, now, userAgent)) !== undefined) return true;
  return false;
}

/**
 * onRequest hook that authenticates before the body is read, so an unauthenticated
 * client cannot make the server parse a large body. Routes without `access` are
 * treated as "person", so forgetting it never opens a route.
 */
export function authHook(store: Store, adminToken: string | undefined, clock: () => number) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // An unknown path returns 404 without a key check, so a vendor that posts to an
    // unconfigured webhook route gets 404 rather than a request for an API key.
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? "person";
    if (access === "public" || access === "webhook") return;

    const query = request.query as Record<string, unknown> | undefined;
    const secrets = presentedSecrets(request.headers.authorization, query?.["api_key"]);

    if (access === "admin" || access === "person-or-admin") {
      if (adminToken !== undefined && secrets.some((secret) => digestsEqual(secret, adminToken))) {
        request.principal = { kind: "admin" };
        return;
      }
    }
    if (access === "admin") {
      // A person's key on an admin route is a wrong credential, not a missing one, so it gets 403.
      if (await anyPersonKey(store, secrets, clock(), request.headers["user-agent"])) {
        request.log.info({ access }, "request rejected: a person's API key on an admin route");
        await reply.code(403).send(ADMIN_ONLY);
        return;
      }
      request.log.info({ access }, "request rejected: missing or invalid admin token");
      await reply.code(401).header("www-authenticate", 'Bearer realm="worklens admin"').send(UNAUTHORIZED);
      return;
    }

    const userAgent = request.headers["user-agent"];
    for (const secret of secrets) {
      const principal = await authenticateKey(store, secret, clock(), userAgent);
      if (principal !== undefined) {
        request.principal = principal;
        return;
      }
    }
    request.log.info({ access, presented: secrets.length > 0 }, "request rejected: missing, invalid or revoked API key");
    if (access === "person-or-admin") {
      await reply.code(401).header("www-authenticate", 'Bearer realm="worklens", Basic realm="worklens"').send(UNAUTHORIZED_API);
      return;
    }
    await reply.code(401).header("www-authenticate", 'Basic realm="worklens"').send(UNAUTHORIZED);
  };
}

/** The key principal of a person route; the auth hook guarantees one. */
export function personOf(request: FastifyRequest): KeyPrincipal {
  const principal = request.principal;
  if (principal?.kind !== "person") throw new Error("person route reached without a key principal");
  return principal;
}
