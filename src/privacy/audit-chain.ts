import { createHmac, timingSafeEqual } from "node:crypto";

/** prev_hash of the first entry of every audit log: 32 zero bytes in hex, the hash no real entry can have. */
export const AUDIT_GENESIS_HASH = "0".repeat(64);

/** Fields of one audit entry as stored, which the chain hash covers. */
export interface AuditChainFields {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  /** The stored JSON text of the details, hashed byte for byte as stored. */
  details: string;
  prevHash: string;
}

/** Separates audit hashes from every other HMAC made with a store secret, and names the encoding version. */
const DOMAIN = "worklens.audit-entry.v1";
const KEY_ID_DOMAIN = "worklens.audit-key-id.v1";

/**
 * Encodes each field as a one-byte tag, a 4-byte big-endian length and the UTF-8 bytes,
 * so no two different entries share an encoding: shifting text from actor into action,
 * or a null subject against an empty one, changes the bytes.
 */
function encodeField(value: string | null): Buffer {
  if (value === null) return Buffer.from([0]);
  const bytes = Buffer.from(value, "utf8");
  const header = Buffer.alloc(5);
  header.writeUInt8(1, 0);
  header.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([header, bytes]);
}

function checkInteger(name: string, value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`audit entry ${name} must be a safe integer, not ${String(value)}`);
  return String(value);
}

/** Returns the canonical bytes of an entry that its hash is computed over. */
export function encodeAuditEntry(fields: AuditChainFields): Buffer {
  return Buffer.concat([
    encodeField(DOMAIN),
    encodeField(checkInteger("seq", fields.seq)),
    encodeField(checkInteger("at", fields.at)),
    encodeField(fields.actor),
    encodeField(fields.action),
    encodeField(fields.subject),
    encodeField(fields.details),
    encodeField(fields.prevHash),
  ]);
}

/** Computes an entry's chain hash: HMAC-SHA-256 under the store's audit key, lower-case hex. */
export function hashAuditEntry(key: Buffer, fields: AuditChainFields): string {
  return createHmac("sha256", key).update(encodeAuditEntry(fields)).digest("hex");
}

/** Compares two hex hashes in constant time; false for different lengths. */
export function auditHashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Returns a short identifier of an audit key (16 hex characters of an HMAC under it), so a
 * verification with the wrong key is reported as such rather than as an edit of every entry.
 */
export function auditKeyId(key: Buffer): string {
  return createHmac("sha256", key).update(KEY_ID_DOMAIN).digest("hex").slice(0, 16);
}

/**
 * Serializes details as JSON with object keys sorted at every level, so equal details always
 * give equal text. Rejects values JSON cannot carry exactly (functions, bigint, non-finite numbers).
 */
export function canonicalDetailsJson(details: Record<string, unknown>): string {
  return JSON.stringify(sortKeys(details, "details"));
}

function sortKeys(value: unknown, path: string): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`audit ${path} is ${String(value)}: only finite numbers are stored`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => sortKeys(item, `${path}[${String(index)}]`));
  if (typeof value === "object") {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw new RangeError(`audit ${path} is not a plain object: pass ids, counts and flags`);
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = sortKeys(item, `${path}.${key}`);
    }
    return sorted;
  }
  throw new RangeError(`audit ${path} is a ${typeof value}: details contain only JSON values (ids and counts)`);
}
