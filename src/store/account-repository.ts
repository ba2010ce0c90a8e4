import { WorklensError } from "../domain/errors.js";
import { lookupDigest, PSEUDONYM_SECRET } from "./digest.js";
import type { Repositories } from "./store.js";

/**
 * Local accounts of the web UI (`accounts`) and their sign-in sessions (`web_sessions`).
 * Plain functions over Repositories, so they run on the store or inside a transaction.
 */

/** Maximum length of a login name, in characters. */
export const MAX_LOGIN_LENGTH = 200;

/** An account as sign-in needs it. The login name is not stored, only its keyed digest. */
export interface AccountRecord {
  personId: number;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

/** An account as `worklens accounts list` prints it: never the login or the hash. */
export interface AccountSummary {
  personId: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

/** Returns the form of a login name that is digested: trimmed and lower-cased, so "Dev " and "dev" are one login. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

/** Rejects an empty login name, one with control characters, or one over MAX_LOGIN_LENGTH characters. */
export function checkLogin(login: string): void {
  const normalized = normalizeLogin(login);
  if (normalized === "") throw new WorklensError("USAGE", "invalid login: it is empty", "pass a login name such as the person's e-mail address");
  if (Array.from(normalized).length > MAX_LOGIN_LENGTH) {
    throw new WorklensError("USAGE", `invalid login: it has more than ${String(MAX_LOGIN_LENGTH)} characters`, `pass a login name of at most ${String(MAX_LOGIN_LENGTH)} characters`);
  }
  // eslint-disable-next-line no-control-regex -- a login is typed into a form field, so control characters are always a mistake
  if (/[\u0000-\u001f\u007f]/.test(normalized)) {
    throw new WorklensError("USAGE", "invalid login: it contains control characters", "pass a login name of printable characters");
  }
}

/** Returns the keyed digest of a login name under the store's pseudonym key, so the table contains no login in clear. */
export async function loginLookup(repositories: Repositories, login: string): Promise<string> {
  const key = await repositories.settings.secret(PSEUDONYM_SECRET);
  return lookupDigest(key, "account-login", normalizeLogin(login));
}

export interface SetAccountInput {
  personId: number;
  /** The login name; undefined keeps the login of an existing account. */
  login: string | undefined;
  passwordHash: string;
  now: number;
}

/**
 * Creates a person's account, or sets the password (and the login, when given) of an
 * existing one. Setting a password enables a disabled account. Returns whether the
 * account was created. Throws NOT_FOUND for an unknown person, USAGE when a new account
 * has no login, and CONFLICT when another person's account has the login.
 */
export async function setAccount(repositories: Repositories, input: SetAccountInput): Promise<{ created: boolean }> {
  const { db } = repositories;
  const person = await db.selectFrom("persons").select("id").where("id", "=", input.personId).executeTakeFirst();
  if (person === undefined) {
    throw new WorklensError("NOT_FOUND", `person ${String(input.personId)} not found`, "`worklens people list` shows the ids of known people");
  }

  let lookup: string | undefined;
  if (input.login !== undefined) {
    checkLogin(input.login);
    lookup = await loginLookup(repositories, input.login);
    const holder = await db.selectFrom("accounts").select("person_id").where("login_lookup", "=", lookup).executeTakeFirst();
    if (holder !== undefined && holder.person_id !== input.personId) {
      throw new WorklensError("CONFLICT", `the login is already used by the account of person ${String(holder.person_id)}`, "choose another login with --login");
    }
  }

  const existing = await db.selectFrom("accounts").select("person_id").where("person_id", "=", input.personId).executeTakeFirst();
  if (existing !== undefined) {
    await db
      .updateTable("accounts")
      .set({ password_hash: input.passwordHash, updated_at: input.now, disabled_at: null, ...(lookup === undefined ? {} : { login_lookup: lookup }) })
      .where("person_id", "=", input.personId)
      .execute();
    return { created: false };
  }
  if (lookup === undefined) {
    throw new WorklensError("USAGE", `person ${String(input.personId)} has no account yet, so a login name is needed`, "pass the login name with --login");
  }
  await db
    .insertInto("accounts")
    .values({ person_id: input.personId, login_lookup: lookup, password_hash: input.passwordHash, created_at: input.now, updated_at: input.now, disabled_at: null })
    .execute();
  return { created: true };
}

function toRecord(row: { person_id: number; password_hash: string; created_at: number; updated_at: number; disabled_at: number | null }): AccountRecord {
  return { personId: row.person_id, passwordHash: row.password_hash, createdAt: row.created_at, updatedAt: row.updated_at, disabledAt: row.disabled_at };
}

/** Returns the account with this login name, also a disabled one, or undefined. */
export async function findAccountByLogin(repositories: Repositories, login: string): Promise<AccountRecord | undefined> {
  if (normalizeLogin(login) === "") return undefined;
  const lookup = await loginLookup(repositories, login);
  const row = await repositories.db
    .selectFrom("accounts")
    .select(["person_id", "password_hash", "created_at", "updated_at", "disabled_at"])
    .where("login_lookup", "=", lookup)
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** Returns a person's account, also a disabled one, or undefined. */
export async function findAccount(repositories: Repositories, personId: number): Promise<AccountRecord | undefined> {
  const row = await repositories.db
    .selectFrom("accounts")
    .select(["person_id", "password_hash", "created_at", "updated_at", "disabled_at"])
    .where("person_id", "=", personId)
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/**
 * Disables a person's account and deletes its sessions, so open browsers are signed
 * out at their next request. Returns false when it already was disabled. Throws
 * NOT_FOUND when the person has no account.
 */
export async function disableAccount(repositories: Repositories, personId: number, now: number): Promise<boolean> {
  const account = await findAccount(repositories, personId);
  if (account === undefined) {
    throw new WorklensError("NOT_FOUND", `person ${String(personId)} has no account`, "`worklens accounts list` shows the people with an account");
  }
  await deleteSessionsOf(repositories, personId);
  if (account.disabledAt !== null) return false;
  await repositories.db.updateTable("accounts").set({ disabled_at: now, updated_at: now }).where("person_id", "=", personId).execute();
  return true;
}

/** Lists every account, ordered by person id, with the person's display name. */
export async function listAccounts(repositories: Repositories): Promise<AccountSummary[]> {
  const rows = await repositories.db.selectFrom("accounts").select(["person_id", "created_at", "updated_at", "disabled_at"]).orderBy("person_id").execute();
  const summaries: AccountSummary[] = [];
  for (const row of rows) {
    const holder = await accountHolder(repositories, row.person_id);
    summaries.push({ personId: row.person_id, name: holder?.name ?? `person ${String(row.person_id)}`, createdAt: row.created_at, updatedAt: row.updated_at, disabledAt: row.disabled_at });
  }
  return summaries;
}

/**
 * Returns the name and zone of a person: the display name, else "person <id>", as the
 * API names people, which never shows e-mail addresses. Returns undefined for an unknown person.
 */
export async function accountHolder(repositories: Repositories, personId: number): Promise<{ name: string; tz: string | null } | undefined> {
  const row = await repositories.db
    .selectFrom("persons")
    .leftJoin("person_texts", "person_texts.person_id", "persons.id")
    .select(["persons.tz", "person_texts.display_name"])
    .where("persons.id", "=", personId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const displayName = (await repositories.vault.decryptNullable({ table: "person_texts", column: "display_name", row: personId }, row.display_name))?.trim() ?? "";
  return { name: displayName === "" ? `person ${String(personId)}` : displayName, tz: row.tz };
}

/** A stored session with the state of its account. */
export interface SessionRow {
  id: number;
  personId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** Null when the account is enabled; a session of a disabled or deleted account is not valid. */
  accountDisabledAt: number | null;
  accountExists: boolean;
  tz: string | null;
}

/** Stores a new session by the digest of its token. Returns its id. */
export async function insertSession(repositories: Repositories, session: { tokenDigest: string; personId: number; now: number; expiresAt: number }): Promise<number> {
  const row = await repositories.db
    .insertInto("web_sessions")
    .values({ token_digest: session.tokenDigest, person_id: session.personId, created_at: session.now, last_seen_at: session.now, expires_at: session.expiresAt })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Returns the session with this token digest, with its account's state and the person's zone, or undefined. */
export async function findSession(repositories: Repositories, tokenDigest: string): Promise<SessionRow | undefined> {
  const row = await repositories.db
    .selectFrom("web_sessions")
    .leftJoin("accounts", "accounts.person_id", "web_sessions.person_id")
    .leftJoin("persons", "persons.id", "web_sessions.person_id")
    .select([
      "web_sessions.id",
      "web_sessions.person_id",
      "web_sessions.created_at",
      "web_sessions.last_seen_at",
      "web_sessions.expires_at",
      "accounts.person_id as account_person_id",
      "accounts.disabled_at",
      "persons.tz",
    ])
    .where("web_sessions.token_digest", "=", tokenDigest)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    personId: row.person_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    accountDisabledAt: row.disabled_at,
    accountExists: row.account_person_id !== null,
    tz: row.tz,
  };
}

/** Records that a session was used at `now`. */
export async function touchSession(repositories: Repositories, sessionId: number, now: number): Promise<void> {
  await repositories.db.updateTable("web_sessions").set({ last_seen_at: now }).where("id", "=", sessionId).execute();
}

/** Deletes one session. Returns whether it existed. */
export async function deleteSession(repositories: Repositories, sessionId: number): Promise<boolean> {
  const result = await repositories.db.deleteFrom("web_sessions").where("id", "=", sessionId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes every session of a person. Returns how many there were. */
export async function deleteSessionsOf(repositories: Repositories, personId: number): Promise<number> {
  const result = await repositories.db.deleteFrom("web_sessions").where("person_id", "=", personId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes every session past its absolute lifetime or idle for `idleMs` or longer at `now`. Returns how many. */
export async function deleteExpiredSessions(repositories: Repositories, now: number, idleMs: number): Promise<number> {
  const result = await repositories.db
    .deleteFrom("web_sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("last_seen_at", "<=", now - idleMs)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
