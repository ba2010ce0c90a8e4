import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { VerifyResult } from "./result.js";

const SHA256_PREFIX = "sha256=";
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Verifies a `sha256=<hex>` header that carries the HMAC-SHA256 of the raw body keyed
 * with the shared secret, the form GitHub (`X-Hub-Signature-256`) and Jira Cloud
 * (`X-Hub-Signature`) send. `headerName` only names the header in the reasons.
 * The body must be the bytes as received, before any JSON parsing.
 */
export function verifyHmacSha256Header(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  headerName: string,
): VerifyResult {
  if (secret === "") {
    return { ok: false, reason: `the webhook secret is empty, so ${headerName} cannot be checked: configure a secret` };
  }
  if (header === undefined || header.trim() === "") {
    return { ok: false, reason: `${headerName} is missing: set a secret on the webhook so the sender signs its deliveries` };
  }

  const value = header.trim();
  if (!value.startsWith(SHA256_PREFIX)) {
    return { ok: false, reason: `${headerName} does not start with "${SHA256_PREFIX}", so it is not an HMAC-SHA256 signature` };
  }
  const hex = value.slice(SHA256_PREFIX.length);
  if (!SHA256_HEX.test(hex)) {
    return { ok: false, reason: `${headerName} does not end in 64 hexadecimal digits, so it is not an HMAC-SHA256 signature` };
  }

  const received = Buffer.from(hex, "hex");
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  // timingSafeEqual throws on buffers of different length; the pattern above already makes both 32 bytes.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return {
      ok: false,
      reason: `${headerName} does not match the body: the secret differs from the sender's, or the body was changed before verification`,
    };
  }
  return { ok: true };
}

/**
 * Compares a shared token in constant time. Both sides are hashed first, so the
 * comparison takes the same time whatever the lengths, and the length of the secret does not leak.
 */
export function tokensEqual(received: string, secret: string): boolean {
  const left = createHash("sha256").update(received, "utf8").digest();
  const right = createHash("sha256").update(secret, "utf8").digest();
  return timingSafeEqual(left, right);
}

/**
 * Returns the single value of a request header as Node delivers it (a string, a list
 * for repeated headers, or undefined). A repeated header counts as missing, because
 * picking one of several signatures or ids would let a sender choose.
 */
export function singleHeader(value: string | readonly string[] | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value?.length === 1) return value[0];
  return undefined;
}
