import { createHash } from "node:crypto";

/**
 * Lookup digest of one field's normalized value, domain-separated by field name so
 * equal values in different fields never collide.
 * TODO: switch to HMAC under a per-tenant key once tenant keys exist, because a plain
 * hash of a low-entropy value such as an e-mail can be reversed by guessing.
 */
export function lookupDigest(field: string, value: string): string {
  return createHash("sha256").update(field).update("\u0000").update(value).digest("base64url");
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Lower-case, accents removed, punctuation folded to spaces: "José  O'Neil" and "jose o neil" match. */
export function normalizeName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function contentDigest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url");
}
