import type { FastifyReply, FastifyRequest } from "fastify";
import { rolesAllow, type Role, type RouteAccess } from "../../privacy/roles.js";
import type { Store } from "../../store/store.js";
import { errorBody } from "../errors.js";
import { API_PREFIX } from "../routes/api/common.js";
import { authenticateKey, digestsEqual, type KeyPrincipal, type PersonPrincipal } from "./api-keys.js";
import { presentedSecrets } from "./credentials.js";
import type { LoginLimiter } from "./login-limiter.js";
import { CSRF_HEADER, csrfTokenMatches, SESSION_COOKIE, type WebSessions } from "./sessions.js";

export type { RouteAccess } from "../../privacy/roles.js";

/**
 * The administrator: the admin token, or a person granted the admin role, whose key
 * or session and person are then in `person` so the audit log names them as the actor.
 */
export interface AdminPrincipal {
  kind: "admin";
  person?: { personId: number; keyId: number; sessionId?: undefined } | { personId: number; sessionId: number; keyId?: undefined };
}

export type Principal = PersonPrincipal | AdminPrincipal;

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

const SESSION_ENDED = errorBody("sign-in session expired or ended", `sign in again with POST ${API_PREFIX}/session`);

const CSRF_REJECTED = errorBody(
  "missing or wrong CSRF token",
  `send the csrfToken of GET ${API_PREFIX}/session in the ${CSRF_HEADER} header with every request that is not GET or HEAD`,
);

/** Methods that must not change state, so a cookie-authenticated request with one needs no CSRF token. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const FORBIDDEN: Record<"admin" | "manager" | "auditor" | "person", ReturnType<typeof errorBody>> = {
  admin: errorBody(
    "this route needs the admin token or a person with the admin role",
    "send the admin token (WORKLENS_ADMIN_TOKEN) as Authorization: Bearer TOKEN, or ask an administrator to run `worklens roles grant PERSON admin`",
  ),
  manager: errorBody("this route needs a person with the manager role, or the admin", "ask an administrator to run `worklens roles grant PERSON manager`"),
  auditor: errorBody("this route needs a person with the auditor role, or the admin", "ask an administrator to run `worklens roles grant PERSON auditor`"),
  person: errorBody("this route needs a person's API key: the admin token has no person to act as", "create a key for the person with `worklens keys create`"),
};

/** Returns the audit-log actor of a principal: "admin" for the admin token, else "person:<id>". */
export function actorOf(principal: Principal): string {
  if (principal.kind === "person") return `person:${String(principal.personId)}`;
  return principal.person === undefined ? "admin" : `person:${String(principal.person.personId)}`;
}

/** Returns the roles a principal acts with; the admin token has only "admin". */
export function rolesOf(principal: Principal): readonly Role[] {
  if (principal.kind === "person") return principal.roles;
  return principal.person === undefined ? ["admin"] : ["member", "admin"];
}

/** Returns the person a principal acts as, or undefined for the admin token. */
export function personIdOf(principal: Principal): number | undefined {
  return principal.kind === "person" ? principal.personId : principal.person?.personId;
}

export interface AuthHookOptions {
  store: Store;
  adminToken: string | undefined;
  clock: () => number;
  /** Counts failed authentications per client address and blocks an address over its limit. */
  limiter: LoginLimiter;
  /** Called once per failed authentication, after the limiter counted it. */
  onFailure?: (request: FastifyRequest) => Promise<void>;
  /** Called once per successful authentication. */
  onSuccess?: (request: FastifyRequest, principal: Principal) => Promise<void>;
  /** Web UI sessions; without them the session cookie is ignored. */
  sessions?: WebSessions | undefined;
}

/**
 * onRequest hook that authenticates and authorizes before the body is read, so an
 * unauthenticated client cannot make the server parse a large body. Routes without
 * `access` are treated as "person", so forgetting it never opens a route.
 *
 * An address over its limit of failed authentications gets 429 on every route that
 * needs a credential, even with a valid one, so guessing cannot go on by mixing in a
 * known key. Only presented credentials that fail count: a request without any gets
 * 401 but is not counted.
 *
 * A request to the REST API without an Authorization header or api_key parameter is
 * authenticated by its session cookie, if it has one. An unknown or expired session
 * cookie is not counted as a failure: its token has 256 random bits, so it cannot be
 * guessed, and a browser keeps sending a stale cookie until a response clears it.
 */
export function authHook(options: AuthHookOptions) {
  const { store, adminToken, clock, limiter } = options;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // An unknown path returns 404 without a key check, so a vendor that posts to an
    // unconfigured webhook route gets 404 rather than a request for an API key.
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? "person";
    if (access === "public" || access === "webhook") return;

    const retryAfterSeconds = limiter.blockedFor(request.ip, clock());
    if (retryAfterSeconds !== undefined) {
      request.log.info({ access }, "request rejected: too many failed authentications from this address");
      await reply
        .code(429)
        .header("retry-after", String(retryAfterSeconds))
        .send(errorBody("too many failed authentications from this address", `wait ${String(retryAfterSeconds)} seconds (the Retry-After header), then send a valid key or token`));
      return;
    }

    const query = request.query as Record<string, unknown> | undefined;
    const secrets = presentedSecrets(request.headers.authorization, query?.["api_key"]);
    const sessionToken = secrets.length === 0 ? sessionTokenOf(request, options.sessions) : undefined;
    if (sessionToken !== undefined && options.sessions !== undefined) {
      const sessionPrincipal = await options.sessions.authenticate(sessionToken, clock());
      if (sessionPrincipal === undefined) {
        request.log.info({ access }, "request rejected: the session cookie names no live session");
        await reply.code(401).clearCookie(SESSION_COOKIE, options.sessions.clearCookieOptions()).send(SESSION_ENDED);
        return;
      }
      if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(sessionToken, request.headers[CSRF_HEADER])) {
        request.log.info({ access, sessionId: sessionPrincipal.sessionId }, "request rejected: missing or wrong CSRF token");
        await reply.code(403).send(CSRF_REJECTED);
        return;
      }
      await authorize(request, reply, access, sessionPrincipal, options);
      return;
    }
    const principal = await authenticate(store, adminToken, secrets, clock(), request.headers["user-agent"]);

    if (principal === undefined) {
      if (secrets.length > 0) {
        limiter.recordFailure(request.ip, clock());
        if (options.onFailure !== undefined) await options.onFailure(request);
      }
      request.log.info({ access, presented: secrets.length > 0 }, "request rejected: missing, invalid or revoked API key");
      // The REST API challenges with Bearer only: a Basic challenge makes a browser open its own
      // login prompt over the web UI, whose requests carry the session cookie instead. Basic
      // credentials are still accepted there.
      if (request.routeOptions.url?.startsWith(`${API_PREFIX}/`) === true) {
        await reply.code(401).header("www-authenticate", 'Bearer realm="worklens"').send(access === "person" ? UNAUTHORIZED : UNAUTHORIZED_API);
        return;
      }
      if (access === "person") {
        await reply.code(401).header("www-authenticate", 'Basic realm="worklens"').send(UNAUTHORIZED);
        return;
      }
      await reply.code(401).header("www-authenticate", 'Bearer realm="worklens", Basic realm="worklens"').send(UNAUTHORIZED_API);
      return;
    }

    await authorize(request, reply, access, principal, options);
  };
}

/** Checks an authenticated principal's roles against the route, and sets the principal the handler receives. */
async function authorize(request: FastifyRequest, reply: FastifyReply, access: Exclude<RouteAccess, "public" | "webhook">, principal: Principal, options: AuthHookOptions): Promise<void> {
  if (options.onSuccess !== undefined) await options.onSuccess(request, principal);
  const forbidden = forbiddenBody(access, principal);
  if (forbidden !== undefined) {
    request.log.info({ access, roles: rolesOf(principal) }, "request rejected: the principal's roles do not allow this route");
    await reply.code(403).send(forbidden);
    return;
  }
  request.principal = asRoutePrincipal(access, principal);
}

/**
 * Returns the session token of a request's cookie. Only the REST API accepts the
 * cookie: the WakaTime and admin routes stay key-only, because editor plugins and
 * scripts never send it.
 */
function sessionTokenOf(request: FastifyRequest, sessions: WebSessions | undefined): string | undefined {
  if (sessions === undefined || request.routeOptions.url?.startsWith(`${API_PREFIX}/`) !== true) return undefined;
  const token = request.cookies[SESSION_COOKIE];
  return token === undefined || token === "" ? undefined : token;
}

/** Returns the admin principal for the admin token, a person principal with roles for a live key, else undefined. */
async function authenticate(
  store: Store,
  adminToken: string | undefined,
  secrets: readonly string[],
  now: number,
  userAgent: string | undefined,
): Promise<Principal | undefined> {
  if (adminToken !== undefined && secrets.some((secret) => digestsEqual(secret, adminToken))) return { kind: "admin" };
  for (const secret of secrets) {
    const principal = await authenticateKey(store, secret, now, userAgent);
    if (principal !== undefined) return principal;
  }
  return undefined;
}

function forbiddenBody(access: Exclude<RouteAccess, "public" | "webhook">, principal: Principal): ReturnType<typeof errorBody> | undefined {
  // A "person" route acts as the key's own person, which the admin token does not have.
  if (access === "person") return principal.kind === "admin" ? FORBIDDEN.person : undefined;
  if (rolesAllow(access, rolesOf(principal))) return undefined;
  return access === "person-or-admin" ? FORBIDDEN.person : FORBIDDEN[access];
}

/**
 * Returns the principal a route handler receives. A person granted the admin role is
 * the admin on every route except "person" ones, so handlers that check for the admin
 * treat both alike. The person is kept in `person` for the audit log.
 */
function asRoutePrincipal(access: RouteAccess, principal: Principal): Principal {
  if (principal.kind !== "person" || access === "person" || !principal.roles.includes("admin")) return principal;
  if (principal.sessionId !== undefined) return { kind: "admin", person: { personId: principal.personId, sessionId: principal.sessionId } };
  return { kind: "admin", person: { personId: principal.personId, keyId: principal.keyId } };
}

/** Returns the person principal of a person route, by key or by session; the auth hook guarantees one. */
export function personOf(request: FastifyRequest): PersonPrincipal {
  const principal = request.principal;
  if (principal?.kind !== "person") throw new Error("person route reached without a person principal");
  return principal;
}

/** Returns the key principal of a key-only route, such as the WakaTime routes, which do not accept the session cookie. */
export function keyPrincipalOf(request: FastifyRequest): KeyPrincipal {
  const principal = personOf(request);
  if (principal.sessionId !== undefined) throw new Error("key-only route reached with a session principal");
  return principal;
}
