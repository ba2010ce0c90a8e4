import { createHmac } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { NewAuditEntry } from "../../store/audit-repository.js";
import { actorOf, personIdOf, type Principal } from "./hook.js";

/** Actions of reads of personal data that a route can declare with `config: { audit }`. */
export type ReadAuditAction = `read.${string}`;

declare module "fastify" {
  interface FastifyContextConfig {
    /** Audit action appended when the route sends personal data with a 2xx status. */
    audit?: ReadAuditAction;
  }
}

/** The part of the audit repository the server writes to. */
export interface AuditSink {
  append(entry: NewAuditEntry): Promise<void>;
}

const MS_PER_DAY = 86_400_000;
/** At most one "login.failed" entry per client address in this many milliseconds. */
const FAILURE_ENTRY_INTERVAL_MS = 60_000;
/** Addresses and principals remembered for de-duplication; beyond it the oldest are forgotten, which only adds entries. */
const MAX_REMEMBERED = 10_000;

export interface AuditHooksOptions {
  audit: AuditSink;
  clock: () => number;
  /** Secret that keys the digest of client addresses, so the log contains no address. */
  addressSecret: () => Promise<Buffer>;
}

/**
 * Writes the audit log entries of the HTTP server: logins, failed logins and reads of
 * personal data. Client addresses are stored only as keyed digests.
 */
export class ServerAudit {
  private readonly loginDays = new Map<string, number>();
  private readonly failures = new Map<string, { lastEntryAt: number; unreported: number }>();

  constructor(private readonly options: AuditHooksOptions) {}

  /**
   * Appends "login" at most once per principal per UTC day and process: the admin token,
   * or each API key. The record is in memory, so after a restart a principal can get a second entry that day.
   * A session gets no entry here, because recordSignIn wrote one when it started.
   */
  async recordLogin(principal: Principal): Promise<void> {
    const sessionId = principal.kind === "person" ? principal.sessionId : principal.person?.sessionId;
    if (sessionId !== undefined) return;
    const now = this.options.clock();
    const day = Math.floor(now / MS_PER_DAY);
    const keyId = principal.kind === "person" ? principal.keyId : principal.person?.keyId;
    const loginKey = keyId === undefined ? "admin" : `key:${String(keyId)}`;
    if (this.loginDays.get(loginKey) === day) return;
    remember(this.loginDays, loginKey, day);
    await this.options.audit.append({ at: now, actor: actorOf(principal), action: "login", details: keyId === undefined ? { credential: "admin-token" } : { credential: "api-key", keyId } });
  }

  /** Appends "login" for a web UI sign-in with a password. */
  async recordSignIn(personId: number, sessionId: number): Promise<void> {
    await this.options.audit.append({ at: this.options.clock(), actor: `person:${String(personId)}`, action: "login", details: { credential: "password", sessionId } });
  }

  /** Appends "logout" for a web UI session ended by its person. */
  async recordLogout(personId: number, sessionId: number): Promise<void> {
    await this.options.audit.append({ at: this.options.clock(), actor: `person:${String(personId)}`, action: "logout", details: { sessionId } });
  }

  /**
   * Counts a failed authentication and appends "login.failed" with the failures of the
   * address since its last entry, at most once per address per minute in this process
   * (an address pushed out of the MAX_REMEMBERED record can get an early entry).
   * NOTE: failures after an address's last entry are reported only when it fails again a minute later or more.
   */
  async recordFailure(address: string): Promise<void> {
    const now = this.options.clock();
    const state = this.failures.get(address) ?? { lastEntryAt: Number.NEGATIVE_INFINITY, unreported: 0 };
    state.unreported += 1;
    remember(this.failures, address, state);
    if (now - state.lastEntryAt < FAILURE_ENTRY_INTERVAL_MS) return;

    const count = state.unreported;
    state.lastEntryAt = now;
    state.unreported = 0;
    await this.options.audit.append({ at: now, actor: "system", action: "login.failed", details: { address: await this.addressDigest(address), count } });
  }

  /**
   * Appends the read entry a route declares, for a 2xx response to a principal who is
   * not reading only their own data. The subject is the person named by the `person`
   * query parameter, or null when an admin reads everyone's data. Runs before the
   * response is sent, so a read that cannot be audited fails with 500 instead.
   */
  async recordRead(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const action = request.routeOptions.config.audit;
    const principal = request.principal;
    if (action === undefined || principal === null || reply.statusCode < 200 || reply.statusCode >= 300) return;

    const subjectId = subjectOf(request, principal);
    if (subjectId !== undefined && subjectId === personIdOf(principal)) return;
    await this.options.audit.append({
      at: this.options.clock(),
      actor: actorOf(principal),
      action,
      subject: subjectId === undefined ? null : `person:${String(subjectId)}`,
      details: { route: `${request.method} ${request.routeOptions.url ?? ""}`, status: reply.statusCode },
    });
  }

  private async addressDigest(address: string): Promise<string> {
    return createHmac("sha256", await this.options.addressSecret()).update(address).digest("hex").slice(0, 16);
  }
}

/** Returns the person whose data a request reads: the `person` query parameter, the principal's own person, or undefined for everyone. */
function subjectOf(request: FastifyRequest, principal: Principal): number | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const named = Number(query?.["person"]);
  if (Number.isSafeInteger(named) && named > 0) return named;
  return principal.kind === "person" ? principal.personId : undefined;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}

/** Registers the hook that appends read entries; onSend, so the entry is written before any byte of the response. */
export function registerReadAudit(app: FastifyInstance, audit: ServerAudit): void {
  app.addHook("onSend", async (request, reply, payload) => {
    await audit.recordRead(request, reply);
    return payload;
  });
}
