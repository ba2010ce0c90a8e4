import { keyedDigest } from "../privacy/pseudonym.js";

/**
 * Lookup digest of one field's normalized value: an HMAC under the store's pseudonym
 * key (settings secret "pseudonym"), domain-separated by field name so equal values in
 * different fields never collide.
 */
export function lookupDigest(key: Buffer, field: string, value: string): string {
  return keyedDigest(key, field, value);
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

/** Keyed digest of a JSON value, for telling a changed re-import from a duplicate without storing the content. */
export function contentDigest(key: Buffer, value: unknown): string {
  return keyedDigest(key, "content", JSON.stringify(value));
}

/** Name of the settings secret that keys lookups and content digests. */
export const PSEUDONYM_SECRET = "pseudonym";
