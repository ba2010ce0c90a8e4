import { createHmac } from "node:crypto";
import { lengthPrefixed } from "./crypto.js";

/**
 * Keyed digest of one field's value: HMAC-SHA-256 under a per-tenant key over the
 * length-prefixed field name and value, base64url. The field name separates domains,
 * so equal values in different fields never give the same digest, and without the key
 * a low-entropy value such as an e-mail cannot be found by hashing guesses.
 */
export function keyedDigest(key: Buffer, field: string, value: string): string {
  return createHmac("sha256", key).update(lengthPrefixed(["worklens.lookup", field, value])).digest("base64url");
}
