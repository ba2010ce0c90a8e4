import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ROLES, type Role } from "../../../privacy/roles.js";
import { MAX_LOGIN_LENGTH } from "../../../store/account-repository.js";
import { personOf } from "../../auth/hook.js";
import { MAX_PASSWORD_LENGTH } from "../../auth/password.js";
import { CSRF_HEADER, csrfTokenMatches, SESSION_COOKIE } from "../../auth/sessions.js";
import { errorBody } from "../../errors.js";
import { API_PREFIX, authErrors, errorResponse, instantSchema, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

/**
 * Sign-ins whose password check may run at once in one server process. Each check
 * allocates 32 MiB for scrypt, so this bounds the memory a burst of sign-ins can take
 * before the login limiter has counted their failures.
 */
const MAX_CONCURRENT_SIGN_INS = 8;

const sessionInfoSchema = z.object({
  personId: z.number().int(),
  name: z.string().describe("display name, else `person <id>`"),
  roles: z.array(z.enum(ROLES as [Role, ...Role[]])).describe("member plus the roles granted to the person"),
  csrfToken: z.string().describe(`send it as the ${CSRF_HEADER} header with every request that is not GET or HEAD`),
  expiresAt: instantSchema.describe("when the session ends unless it is used again: the earlier of the idle timeout and the absolute lifetime"),
  tz: z.string().nullable().describe("the person's IANA zone, or null when none is set"),
});

const signInBody = z.strictObject({
  login: z.string().min(1).max(MAX_LOGIN_LENGTH).describe("the login name set with `worklens accounts set-password`; case and surrounding spaces are ignored"),
  // Counted in UTF-16 units here, so twice the limit in characters lets every allowed password through.
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH * 2).describe(`the password, at most ${String(MAX_PASSWORD_LENGTH)} characters`),
});

const WRONG_LOGIN = errorBody("wrong login or password", "check both and try again; if you forgot the password, ask an administrator to run `worklens accounts set-password`");
const SIGN_IN_BUSY = errorBody("too many sign-ins in progress on this server", "wait a second (the Retry-After header), then sign in again");

/**
 * Register the routes of sign-in, the current session and sign-out of the web UI.
 * POST and DELETE are public: sign-in has no credential yet, and sign-out must also
 * clear the cookie of a session that has already expired.
 */
export function sessionRoutes(api: ApiApp, deps: ApiDeps): void {
  const { clock } = deps;
  let signInsRunning = 0;

  api.post(
    "/session",
    {
      config: { access: "public" },
      schema: {
        operationId: "signIn",
        tags: ["session"],
        summary: "Sign in to the web UI with a login and password; sets the session cookie",
        description:
          `Sets the HttpOnly, SameSite=Strict cookie ${SESSION_COOKIE}, which then authenticates every route of this API like the person's API key. ` +
          "An unknown login, a wrong password and a disabled account get the same 401. Failed sign-ins count against the client address's login limit.",
        security: [],
        body: signInBody,
        response: {
          200: z.object({ data: sessionInfoSchema }).describe("the new session; the Set-Cookie header carries its token"),
          400: authErrors[400],
          401: errorResponse("wrong login or password"),
          429: errorResponse("too many failed sign-ins from this address, or too many sign-ins in progress; the Retry-After header has the seconds to wait"),
        },
      },
    },
    async (request, reply) => {
      const signIn = request.server.webSignIn;
      void reply.header("cache-control", "no-store");
      const blockedFor = signIn.limiter.blockedFor(request.ip, clock());
      if (blockedFor !== undefined) {
        request.log.info("sign-in rejected: too many failed authentications from this address");
        return reply
          .code(429)
          .header("retry-after", String(blockedFor))
          .send(errorBody("too many failed authentications from this address", `wait ${String(blockedFor)} seconds (the Retry-After header), then sign in again`));
      }
      if (signInsRunning >= MAX_CONCURRENT_SIGN_INS) {
        request.log.warn({ running: signInsRunning }, "sign-in rejected: too many sign-ins in progress");
        return reply.code(429).header("retry-after", "1").send(SIGN_IN_BUSY);
      }

      signInsRunning += 1;
      let started;
      try {
        started = await signIn.sessions.signIn(request.body.login, request.body.password, clock());
      } finally {
        signInsRunning -= 1;
      }
      if (started === undefined) {
        signIn.limiter.recordFailure(request.ip, clock());
        await signIn.audit.recordFailure(request.ip);
        request.log.info("sign-in rejected: wrong login or password, or a disabled account");
        return reply.code(401).send(WRONG_LOGIN);
      }

      // A browser that signs in again drops the session its old cookie named.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous !== undefined && previous !== "") await signIn.sessions.signOut(previous);
      await signIn.audit.recordSignIn(started.principal.personId, started.principal.sessionId);
      request.log.info({ personId: started.principal.personId, sessionId: started.principal.sessionId }, "signed in");
      return reply.setCookie(SESSION_COOKIE, started.token, signIn.sessions.cookieOptions()).send({ data: started.info });
    },
  );

  api.get(
    "/session",
    {
      config: { access: "person" },
      schema: {
        operationId: "currentSession",
        tags: ["session"],
        summary: "The signed-in person and the CSRF token of the session cookie",
        description: "Needs the session cookie. A request authenticated by an API key, which wins over the cookie, gets 404: it has no session.",
        response: {
          200: z.object({ data: sessionInfoSchema }).describe("the session of the cookie"),
          ...authErrors,
          404: notFoundResponse,
        },
      },
    },
    async (request, reply) => {
      const principal = personOf(request);
      const token = request.cookies[SESSION_COOKIE];
      if (principal.sessionId === undefined || token === undefined) {
        return reply.code(404).send(errorBody("no sign-in session: this request is authenticated by an API key", `send the session cookie without an Authorization header, or sign in with POST ${API_PREFIX}/session`));
      }
      const info = await request.server.webSignIn.sessions.info(principal, token);
      if (info === undefined) {
        return reply.code(401).clearCookie(SESSION_COOKIE, request.server.webSignIn.sessions.clearCookieOptions()).send(errorBody("sign-in session expired or ended", `sign in again with POST ${API_PREFIX}/session`));
      }
      return { data: info };
    },
  );

  api.delete(
    "/session",
    {
      config: { access: "public" },
      schema: {
        operationId: "signOut",
        tags: ["session"],
        summary: "Sign out: delete the session of the cookie and clear the cookie",
        description: `A live session needs its CSRF token in the ${CSRF_HEADER} header. Without a cookie, or with one of an expired session, the cookie is cleared and the response is still 204.`,
        security: [],
        response: {
          204: z.null().describe("signed out; the Set-Cookie header clears the cookie"),
          403: errorResponse("missing or wrong CSRF token"),
        },
      },
    },
    async (request, reply) => signOut(request, reply, clock()),
  );
}

async function signOut(request: FastifyRequest, reply: FastifyReply, now: number): Promise<FastifyReply> {
  const signIn = request.server.webSignIn;
  void reply.header("cache-control", "no-store");
  const token = request.cookies[SESSION_COOKIE];
  if (token !== undefined && token !== "") {
    if ((await signIn.sessions.isLive(token, now)) && !csrfTokenMatches(token, request.headers[CSRF_HEADER])) {
      request.log.info("sign-out rejected: missing or wrong CSRF token");
      return reply.code(403).send(errorBody("missing or wrong CSRF token", `send the csrfToken of GET ${API_PREFIX}/session in the ${CSRF_HEADER} header`));
    }
    const ended = await signIn.sessions.signOut(token);
    if (ended !== undefined) {
      await signIn.audit.recordLogout(ended.personId, ended.sessionId);
      request.log.info({ personId: ended.personId, sessionId: ended.sessionId }, "signed out");
    }
  }
  return reply.code(204).clearCookie(SESSION_COOKIE, signIn.sessions.clearCookieOptions()).send();
}
