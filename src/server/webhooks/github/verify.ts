import type { VerifyResult } from "../result.js";
import { verifyHmacSha256Header } from "../signature.js";

/**
 * Verifies GitHub's `X-Hub-Signature-256` header: "sha256=" and the hex HMAC-SHA256
 * of the raw body keyed with the webhook secret, compared in constant time.
 */
export function verifyGithubSignature(rawBody: Buffer, signatureHeader: string | undefined, secret: string): VerifyResult {
  return verifyHmacSha256Header(rawBody, signatureHeader, secret, "X-Hub-Signature-256");
}
