import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Role } from "../../privacy/roles.js";
import {
  accountHolder,
  deleteExpiredSessions,
  deleteSession,
  findAccountByLogin,
  findSession,
  insertSession,
  touchSession,
} from "../../store/account-repository.js";
import type { Store } from "../../store/store.js";
import { digestsEqual, type SessionPrincipal } from "./api-keys.js";
import type { ServerAudit } from "./audit-hooks.js";
import type { LoginLimiter } from "./login-limiter.js";
import { prepareDummyHash, verifyDummy, verifyPassword } from "./password.js";

/** Name of the cookie that carries the session token. */
export const SESSION_COOKIE = "worklens_session";
/** Header that carries the CSRF token on every cookie-authenticated request that changes state. */
export const CSRF_HEADER = "x-csrf-token";

/** last_seen_at is written at most this often, so a busy page does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;
const TOKEN_BYTES = 32;
/** 32 bytes in base64url without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Lifetimes of a session, from the server config. */
export interface SessionSettings {
  /** A session unused for this many minutes ends. */
  idleMinutes: number;
  /** A session ends this many hours after sign-in, used or not. */
  maxHours: number;
}

/** Session data that GET and POST /session return: the signed-in person, roles and CSRF token. */
export interface SessionInfo {
  personId: number;
  name: string;
  roles: Role[];
  csrfToken: string;
  /** When the session ends unless it is used again: the earlier of its idle end and its absolute end, ISO 8601 in UTC. */
  expiresAt: string;
  tz: string | null;
}

/** A session created by a successful sign-in. The token goes into the cookie and is not stored. */
export interface StartedSession {
  token: string;
  principal: SessionPrincipal;
  info: SessionInfo;
}

/** Returns the stored form of a session token: its SHA-256 digest, base64url. */
export function sessionTokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * Returns the CSRF token of a session: HMAC-SHA256 keyed with the session token over
 * "csrf", base64url. It is derived on each request, never stored, and only a page
 * that read it from the session response can send it.
 */
export function csrfTokenOf(token: string): string {
  return createHmac("sha256", token).update("csrf").digest("base64url");
}

/** Checks a presented CSRF header against the session's token in constant time. */
export function csrfTokenMatches(token: string, presented: string | string[] | undefined): boolean {
  if (typeof presented !== "string" || presented === "") return false;
  return digestsEqual(presented, csrfTokenOf(token));
}

/** Dependencies of the session routes, set on the app by buildApp. */
export interface WebSignIn {
  sessions: WebSessions;
  limiter: LoginLimiter;
  audit: ServerAudit;
}

declare module "fastify" {
  interface FastifyInstance {
    webSignIn: WebSignIn;
  }
}

/**
 * Sign-in, validation and sign-out of web UI sessions. The store keeps only the SHA-256
 * digest of each token, so a copy of the database lets no one act as a signed-in person.
 */
export class WebSessions {
  readonly idleMs: number;
  readonly maxMs: number;

  constructor(
    private readonly store: Store,
    settings: SessionSettings,
    /** Adds `Secure` to the cookie; true when the server itself serves TLS. */
    private readonly secureCookie = false,
  ) {
    this.idleMs = settings.idleMinutes * 60_000;
    this.maxMs = settings.maxHours * 3_600_000;
    // Computed now so the first sign-in with an unknown login is not slower than the rest.
    prepareDummyHash().catch(() => undefined);
  }

  /** Attributes of the session cookie. Max-Age is the absolute lifetime, since the server ends idle sessions itself. */
  cookieOptions() {
    return { httpOnly: true, sameSite: "strict", path: "/", secure: this.secureCookie, maxAge: Math.floor(this.maxMs / 1000) } as const;
  }

  /** Attributes that clear the session cookie: the same as when it was set, so the browser replaces that cookie. */
  clearCookieOptions() {
    return { httpOnly: true, sameSite: "strict", path: "/", secure: this.secureCookie } as const;
  }

  /**
   * Checks a login and password and starts a session. Returns undefined for an unknown
   * login, a wrong password and a disabled account alike, after the same scrypt work
   * in each case, so neither the response nor its timing reveals whether a login exists.
   */
  async signIn(login: string, password: string, now: number): Promise<StartedSession | undefined> {
    // Expired rows are also deleted when a request meets them; this sweep catches sessions no one uses again.
    await deleteExpiredSessions(this.store, now, this.idleMs);

    const account = await findAccountByLogin(this.store, login);
    if (account === undefined) {
      await verifyDummy(password);
      return undefined;
    }
    const matches = await verifyPassword(password, account.passwordHash);
    if (!matches || account.disabledAt !== null) return undefined;

    const token = randomBytes(TOKEN_BYTES).toString("base64url");
    const expiresAt = now + this.maxMs;
    const sessionId = await insertSession(this.store, { tokenDigest: sessionTokenDigest(token), personId: account.personId, now, expiresAt });
    const principal = await this.principalOf(sessionId, account.personId);
    return { token, principal, info: await this.infoOf(principal, token, { lastSeenAt: now, expiresAt }) };
  }

  /**
   * Returns the principal of a session token, recording its use, or undefined when the
   * token is malformed or unknown, the session expired, or its account is disabled or
   * gone. An expired session's row is deleted here.
   */
  async authenticate(token: string, now: number): Promise<SessionPrincipal | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const row = await findSession(this.store, sessionTokenDigest(token));
    if (row === undefined) return undefined;
    if (this.isExpired(row, now) || !row.accountExists || row.accountDisabledAt !== null) {
      await deleteSession(this.store, row.id);
      return undefined;
    }
    // NOTE: because of this interval, a session can end up to a minute before its idle time has passed since the last request.
    if (now - row.lastSeenAt >= TOUCH_INTERVAL_MS) await touchSession(this.store, row.id, now);
    return { kind: "person", sessionId: row.id, personId: row.personId, tz: row.tz, roles: await this.store.roles.rolesOf(row.personId) };
  }

  /** Returns the SessionInfo of an authenticated session principal and its token. */
  async info(principal: SessionPrincipal, token: string): Promise<SessionInfo | undefined> {
    const row = await findSession(this.store, sessionTokenDigest(token));
    if (row?.id !== principal.sessionId) return undefined;
    return this.infoOf(principal, token, row);
  }

  /**
   * Ends the session of a token. Returns the ended session's id and person, or undefined
   * when the token names no stored session.
   */
  async signOut(token: string): Promise<{ sessionId: number; personId: number } | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const row = await findSession(this.store, sessionTokenDigest(token));
    if (row === undefined) return undefined;
    await deleteSession(this.store, row.id);
    return { sessionId: row.id, personId: row.personId };
  }

  /** Returns whether a token names a stored session that has not expired; for sign-out, which checks CSRF only for live sessions. */
  async isLive(token: string, now: number): Promise<boolean> {
    if (!TOKEN_PATTERN.test(token)) return false;
    const row = await findSession(this.store, sessionTokenDigest(token));
    return row !== undefined && !this.isExpired(row, now) && row.accountExists && row.accountDisabledAt === null;
  }

  private isExpired(row: { lastSeenAt: number; expiresAt: number }, now: number): boolean {
    return now >= row.expiresAt || now - row.lastSeenAt >= this.idleMs;
  }

  private async principalOf(sessionId: number, personId: number): Promise<SessionPrincipal> {
    const holder = await accountHolder(this.store, personId);
    return { kind: "person", sessionId, personId, tz: holder?.tz ?? null, roles: await this.store.roles.rolesOf(personId) };
  }

  private async infoOf(principal: SessionPrincipal, token: string, times: { lastSeenAt: number; expiresAt: number }): Promise<SessionInfo> {
    const holder = await accountHolder(this.store, principal.personId);
    return {
      personId: principal.personId,
      name: holder?.name ?? `person ${String(principal.personId)}`,
      roles: principal.roles,
      csrfToken: csrfTokenOf(token),
      expiresAt: new Date(Math.min(times.expiresAt, times.lastSeenAt + this.idleMs)).toISOString(),
      tz: principal.tz,
    };
  }
}
