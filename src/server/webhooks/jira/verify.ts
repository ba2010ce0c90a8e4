import type { VerifyResult } from "../result.js";
import { verifyHmacSha256Header } from "../signature.js";

/**
 * Verifies the `X-Hub-Signature` header that Jira Cloud sends for an admin webhook
 * registered with a secret: "sha256=" and the hex HMAC-SHA256 of the raw body keyed
 * with that secret (the WebSub signature form), compared in constant time.
 */
export function verifyJiraSignature(rawBody: Buffer, signatureHeader: string | undefined, secret: string): VerifyResult {
  return verifyHmacSha256Header(rawBody, signatureHeader, secret, "X-Hub-Signature");
}
