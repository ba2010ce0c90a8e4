import type { VerifyResult } from "../result.js";
import { tokensEqual } from "../signature.js";

/**
 * Verifies GitLab's `X-Gitlab-Token` header, which carries the webhook's secret token
 * itself (GitLab does not sign the body), by a constant-time comparison.
 */
export function verifyGitlabToken(header: string | undefined, secret: string): VerifyResult {
  if (secret === "") {
    return { ok: false, reason: "the webhook secret is empty, so X-Gitlab-Token cannot be checked: configure a secret" };
  }
  if (header === undefined || header === "") {
    return { ok: false, reason: "X-Gitlab-Token is missing: set the secret token on the GitLab webhook" };
  }
  if (!tokensEqual(header, secret)) {
    return { ok: false, reason: "X-Gitlab-Token does not match the configured secret" };
  }
  return { ok: true };
}

/**
 * Returns the id to de-duplicate a GitLab delivery by: `Idempotency-Key`, which stays
 * the same when GitLab retries a delivery, else `X-Gitlab-Event-UUID` from GitLab
 * versions that predate it.
 */
export function gitlabDeliveryId(idempotencyKey: string | undefined, eventUuid: string | undefined): string | undefined {
  const key = idempotencyKey?.trim();
  if (key !== undefined && key !== "") return key;
  const uuid = eventUuid?.trim();
  return uuid === undefined || uuid === "" ? undefined : uuid;
}
