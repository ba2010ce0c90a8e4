import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { sql, type Kysely, type Selectable } from "kysely";
import { WorklensError } from "../domain/errors.js";
import { AUDIT_GENESIS_HASH, auditKeyId, canonicalDetailsJson, hashAuditEntry } from "../privacy/audit-chain.js";
import type { AuditLogTable, Database } from "./schema.js";
import type { SettingsRepository } from "./settings-repository.js";

/** One entry to append. `at` is epoch milliseconds; details hold ids and counts, never raw personal text. */
export interface NewAuditEntry {
  at: number;
  /** "person:<id>", "admin", "cli" or "system". */
  actor: string;
  /** Dot-separated, lower case, such as "read.suggestions" or "settings.change". */
  action: string;
  subject?: string | null;
  details?: Record<string, unknown>;
}

/** A stored entry, details parsed. */
export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type AuditLogRow = Selectable<AuditLogTable>;

/** The newest entry's seq and hash, which the insert trigger of migration 0008 keeps in settings. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** The last entry removed by retention purges, and how many entries all purges removed. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  count: number;
  /** HMAC under the audit key over seq, hash and count, so the anchor cannot be moved without the key. */
  mac: string;
}

export interface AuditListOptions {
  /** Earliest `at`, inclusive, epoch milliseconds. */
  from?: number | undefined;
  /** Latest `at`, exclusive, epoch milliseconds. */
  to?: number | undefined;
  /** Only entries with a seq above this one. */
  afterSeq?: number | undefined;
  actor?: string | undefined;
  /** An exact action, or a prefix ending in "." such as "read." for every read. */
  action?: string | undefined;
  /** At most this many entries; default 1000. */
  limit?: number | undefined;
}

export interface AuditPurgeResult {
  /** Entries deleted by this purge. */
  purged: number;
  /** Seq of the last deleted entry, or null when nothing was old enough. */
  throughSeq: number | null;
}

export const AUDIT_HEAD_KEY = "audit.head";
export const AUDIT_ANCHOR_KEY = "audit.anchor";
export const AUDIT_KEY_ID_KEY = "audit.key-id";
/** Name of the store secret that keys the chain. */
export const AUDIT_SECRET_NAME = "audit-chain";

const DEFAULT_LIST_LIMIT = 1000;
const MAX_LIST_LIMIT = 100_000;
/** Each failed attempt means another writer appended first, so writers always progress; the bound only stops a broken store from looping. */
const MAX_APPEND_ATTEMPTS = 500;
const MAX_TEXT_LENGTH = 200;
const MAX_DETAILS_LENGTH = 16_384;
const ACTION_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * The append-only, hash-chained audit log. Every entry's hash is an HMAC under the store
 * secret "audit-chain" over its fields and the previous entry's hash, so an edit, a removal
 * or a reordering breaks the chain (`verifyAuditLog` in src/governance/audit-verify.ts).
 * There is no update or delete method other than the retention purge.
 */
export class AuditRepository {
  private key: Promise<Buffer> | undefined;
  private keyIdRecorded = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: SettingsRepository,
  ) {}

  /**
   * Appends one entry with the next gap-free seq. Writers race optimistically: each reads the
   * head, inserts seq head+1 with ON CONFLICT DO NOTHING, and reads the head again when another
   * writer took that seq. One INSERT statement carries the entry and (through the trigger) the
   * new head, so no lock is held between statements, which matters on SQLite, where two
   * connections in one process would otherwise block the event loop on each other.
   */
  async append(entry: NewAuditEntry): Promise<void> {
    const fields = validateEntry(entry);
    const key = await this.chainKey();
    await this.recordKeyId(key);

    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const head = await this.currentHead();
      const seq = head === undefined ? 1 : head.seq + 1;
      const prevHash = head?.hash ?? AUDIT_GENESIS_HASH;
      const hash = hashAuditEntry(key, { seq, ...fields, prevHash });
      const result = await this.db
        .insertInto("audit_log")
        .values({ seq, ...fields, prev_hash: prevHash, hash })
        .onConflict((oc) => oc.column("seq").doNothing())
        .executeTakeFirst();
      if (result.numInsertedOrUpdatedRows === 1n) return;
      // Random backoff after a few lost races keeps many writers from colliding in lockstep.
      if (attempt > 3) await sleep(Math.floor(Math.random() * Math.min(attempt, 20)));
    }
    throw new WorklensError(
      "STORE",
      `could not append audit entry "${fields.action}" after ${String(MAX_APPEND_ATTEMPTS)} attempts: another writer took every seq`,
      "run `worklens audit verify`: a head in settings that is behind the log makes every append collide",
    );
  }

  /** Entries in seq order, filtered by time, actor and action. */
  async list(options: AuditListOptions = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new WorklensError("INVALID_INPUT", `audit list limit ${String(limit)} is invalid`, `use a whole number from 1 to ${String(MAX_LIST_LIMIT)}`);
    }
    let query = this.db.selectFrom("audit_log").selectAll();
    if (options.from !== undefined) query = query.where("at", ">=", options.from);
    if (options.to !== undefined) query = query.where("at", "<", options.to);
    if (options.afterSeq !== undefined) query = query.where("seq", ">", options.afterSeq);
    if (options.actor !== undefined) query = query.where("actor", "=", options.actor);
    if (options.action !== undefined) {
      query = options.action.endsWith(".")
        ? query.where(sql<string>`substr(action, 1, ${options.action.length})`, "=", options.action)
        : query.where("action", "=", options.action);
    }
    const rows = await query.orderBy("seq").limit(limit).execute();
    return rows.map(toEntry);
  }

  /** Stored rows exactly as written, in seq order, for verification. */
  async rows(afterSeq: number, limit: number): Promise<AuditLogRow[]> {
    return this.db.selectFrom("audit_log").selectAll().where("seq", ">", afterSeq).orderBy("seq").limit(limit).execute();
  }

  /** Number of stored entries. */
  async count(): Promise<number> {
    const row = await this.db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Reads the head recorded in settings; undefined before the first append. */
  async head(): Promise<AuditHead | undefined> {
    const value = await this.settings.get(AUDIT_HEAD_KEY);
    return value === undefined ? undefined : parseHead(value);
  }

  /** Reads the anchor the retention purges left; undefined when nothing was ever purged. */
  async anchor(): Promise<AuditAnchor | undefined> {
    const value = await this.settings.get(AUDIT_ANCHOR_KEY);
    return value === undefined ? undefined : parseAnchor(value);
  }

  /** Identifier of the key the chain was started with (see auditKeyId), or undefined before the first append. */
  async recordedKeyId(): Promise<string | undefined> {
    return this.settings.get(AUDIT_KEY_ID_KEY);
  }

  /** Reads the HMAC key of the chain, generating it on first use. */
  async chainKey(): Promise<Buffer> {
    this.key ??= this.settings.secret(AUDIT_SECRET_NAME);
    try {
      return await this.key;
    } catch (error) {
      this.key = undefined;
      throw error;
    }
  }

  /**
   * Deletes the entries older than `before` (epoch milliseconds) from the start of the log,
   * and records their last seq and hash as the anchor, so the remaining chain still verifies.
   * The purge stops at the first entry at or after `before`, so an older entry that follows
   * it (a clock set back) stays until a later purge. One transaction raises the delete guard,
   * deletes and moves the anchor.
   */
  async purgeBefore(before: number): Promise<AuditPurgeResult> {
    if (!Number.isSafeInteger(before)) {
      throw new WorklensError("INVALID_INPUT", `audit purge cutoff ${String(before)} is invalid`, "give epoch milliseconds as a whole number");
    }
    const key = await this.chainKey();
    const purge = async (db: Kysely<Database>): Promise<AuditPurgeResult> => {
      const firstKept = await db.selectFrom("audit_log").select("seq").where("at", ">=", before).orderBy("seq").limit(1).executeTakeFirst();
      let lastQuery = db.selectFrom("audit_log").select(["seq", "hash"]);
      if (firstKept !== undefined) lastQuery = lastQuery.where("seq", "<", firstKept.seq);
      const last = await lastQuery.orderBy("seq", "desc").limit(1).executeTakeFirst();
      if (last === undefined) return { purged: 0, throughSeq: null };

      // Settings are read and written on `db` itself, so the anchor moves in the purge's transaction.
      const previousRow = await db.selectFrom("settings").select("value").where("key", "=", AUDIT_ANCHOR_KEY).executeTakeFirst();
      const previousValue = previousRow?.value;
      const previous = previousValue === undefined ? undefined : parseAnchor(previousValue);
      await sql`update audit_guard set purge_through = ${last.seq} where id = 1`.execute(db);
      const deleted = await db.deleteFrom("audit_log").where("seq", "<=", last.seq).executeTakeFirst();
      const purged = Number(deleted.numDeletedRows);
      const count = (previous?.count ?? 0) + purged;
      const anchor: AuditAnchor = { seq: last.seq, hash: last.hash, count, mac: anchorMac(key, last.seq, last.hash, count) };
      const value = JSON.stringify(anchor);
      await db
        .insertInto("settings")
        .values({ key: AUDIT_ANCHOR_KEY, value })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
        .execute();
      return { purged, throughSeq: last.seq };
    };
    return this.db.isTransaction ? purge(this.db) : this.db.transaction().execute(purge);
  }

  private async currentHead(): Promise<AuditHead | undefined> {
    const recorded = await this.head();
    if (recorded !== undefined) return recorded;
    // No head yet means an empty log. Should the settings row have been removed, the newest
    // row is used so appends go on, and verification reports the missing head.
    const newest = await this.db.selectFrom("audit_log").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
    return newest;
  }

  private async recordKeyId(key: Buffer): Promise<void> {
    if (this.keyIdRecorded) return;
    await this.db
      .insertInto("settings")
      .values({ key: AUDIT_KEY_ID_KEY, value: auditKeyId(key) })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    this.keyIdRecorded = true;
  }
}

/** Computes the MAC that binds an anchor's fields to the audit key. */
export function anchorMac(key: Buffer, seq: number, hash: string, count: number): string {
  return createHmac("sha256", key).update(`worklens.audit-anchor.v1\n${String(seq)}\n${hash}\n${String(count)}`).digest("hex");
}

function validateEntry(entry: NewAuditEntry): Omit<AuditLogRow, "seq" | "prev_hash" | "hash"> {
  if (!Number.isSafeInteger(entry.at) || entry.at < 0) {
    throw new WorklensError("INVALID_INPUT", `audit entry time ${String(entry.at)} is invalid`, "give `at` as epoch milliseconds, a whole number");
  }
  checkText("actor", entry.actor);
  checkText("action", entry.action);
  if (!ACTION_PATTERN.test(entry.action)) {
    throw new WorklensError("INVALID_INPUT", `audit action "${entry.action}" is invalid`, 'use lower-case words joined by dots, such as "read.suggestions"');
  }
  const subject = entry.subject ?? null;
  if (subject !== null) checkText("subject", subject);
  let details: string;
  try {
    details = canonicalDetailsJson(entry.details ?? {});
  } catch (error) {
    throw new WorklensError("INVALID_INPUT", `audit entry "${entry.action}" has invalid details: ${(error as Error).message}`, "pass a plain object of ids, counts and flags", { cause: error });
  }
  // NOTE: only the size of details is checked; keeping raw personal text out of them is the caller's duty.
  if (details.length > MAX_DETAILS_LENGTH) {
    throw new WorklensError("INVALID_INPUT", `audit entry "${entry.action}" details are ${String(details.length)} characters long`, `keep details under ${String(MAX_DETAILS_LENGTH)} characters: ids and counts only`);
  }
  return { at: entry.at, actor: entry.actor, action: entry.action, subject, details };
}

function checkText(field: string, value: string): void {
  if (value.length === 0 || value.length > MAX_TEXT_LENGTH || CONTROL_CHARACTERS.test(value)) {
    throw new WorklensError("INVALID_INPUT", `audit entry ${field} is empty, longer than ${String(MAX_TEXT_LENGTH)} characters or contains control characters`, `pass a short identifier such as "person:12"`);
  }
}

function toEntry(row: AuditLogRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: parseDetails(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // An unreadable value is shown as such below; verification reports the entry as edited.
  }
  return { unreadable: true };
}

function parseHead(text: string): AuditHead | undefined {
  try {
    const value = JSON.parse(text) as { seq?: unknown; hash?: unknown };
    if (typeof value.seq === "number" && typeof value.hash === "string") return { seq: value.seq, hash: value.hash };
  } catch {
    // Falls through: an unreadable head is reported by verification.
  }
  return undefined;
}

function parseAnchor(text: string): AuditAnchor | undefined {
  try {
    const value = JSON.parse(text) as Partial<Record<keyof AuditAnchor, unknown>>;
    if (typeof value.seq === "number" && typeof value.hash === "string" && typeof value.count === "number" && typeof value.mac === "string") {
      return { seq: value.seq, hash: value.hash, count: value.count, mac: value.mac };
    }
  } catch {
    // Falls through: an unreadable anchor is reported by verification.
  }
  return undefined;
}
