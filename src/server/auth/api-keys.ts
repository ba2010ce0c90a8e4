import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IdentityInput } from "../../domain/types.js";
import type { Role } from "../../privacy/roles.js";
import type { Repositories } from "../../store/store.js";

/**
 * Key format: a random UUID version 4, lower-case. wakatime-cli refuses to send any
 * api_key that does not match `^(waka_)?<uuid v4 in lower-case hex>$` (cmd/params
 * apiKeyRegex, wakatime-cli 1.x), so a stock plugin only works with keys of this
 * shape. randomUUID draws its 122 random bits from the CSPRNG.
 * NOTE: 122 random bits, not 256: the longer format would be rejected by the plugins.
 */
const KEY_PATTERN = /^(?:waka_)?([0-9a-f]{8})-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A newly created key: `secret` is shown once and never stored. */
export interface CreatedApiKey {
  id: number;
  personId: number;
  secret: string;
}

/** Person, identity and zone of a request authenticated with a person's key. */
export interface KeyPrincipal {
  kind: "person";
  keyId: number;
  sessionId?: undefined;
  personId: number;
  /** The wakatime identity of the key, used as the actor of sent heartbeats. */
  identity: IdentityInput;
  /** The person's IANA zone, or null when none is set. */
  tz: string | null;
  /** "member" plus the roles granted to the person. */
  roles: Role[];
}

/**
 * Person and zone of a request authenticated with a web UI session cookie. It acts
 * like the person's key on the REST API, but has no key and so no wakatime identity.
 */
export interface SessionPrincipal {
  kind: "person";
  sessionId: number;
  keyId?: undefined;
  identity?: undefined;
  personId: number;
  /** The person's IANA zone, or null when none is set. */
  tz: string | null;
  /** "member" plus the roles granted to the person. */
  roles: Role[];
}

/** A principal that acts as one person: by API key or by sign-in session. */
export type PersonPrincipal = KeyPrincipal | SessionPrincipal;

/**
 * Build the wakatime identity of an e-mail address, normalized as `worklens import wakatime
 * --person EMAIL` does, so keys and file imports resolve to the same identity.
 * Returns undefined when the text is not an e-mail address.
 */
export function wakatimeIdentity(email: string): IdentityInput | undefined {
  const trimmed = email.trim();
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(trimmed)) return undefined;
  return { source: "wakatime", externalId: trimmed.toLowerCase(), email: trimmed };
}

export function keyDigest(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

/** Return the lookup prefix of a key, or undefined when the text cannot be one of our keys. */
export function keyPrefix(secret: string): string | undefined {
  return KEY_PATTERN.exec(secret)?.[1];
}

/** Compare two strings in time that depends only on their digests' length, never on where they differ. */
export function digestsEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right);
}

/**
 * Create a key for a person's wakatime identity, resolving (or creating) the person
 * by e-mail the same way `worklens import wakatime --person` does.
 */
export async function createApiKey(repositories: Repositories, identity: IdentityInput, now: number): Promise<CreatedApiKey> {
  const { personId, identityId } = await repositories.people.resolve(identity);
  const secret = randomUUID();
  const prefix = keyPrefix(secret);
  if (prefix === undefined) throw new Error("randomUUID returned a value that is not a version 4 UUID");
  const id = await repositories.keys.insert({ personId, identityId, prefix, digest: keyDigest(secret), createdAt: now });
  return { id, personId, secret };
}

/**
 * Find the live key matching `secret`, record its use, and return what it acts as,
 * with the person's roles.
 * Returns undefined for a malformed, unknown or revoked key.
 */
export async function authenticateKey(
  repositories: Repositories,
  secret: string,
  now: number,
  userAgent: string | undefined,
): Promise<KeyPrincipal | undefined> {
  const trimmed = secret.trim().toLowerCase();
  const prefix = keyPrefix(trimmed);
  if (prefix === undefined) return undefined;

  // The "waka_" form names the same key, so both forms hash alike.
  const digest = keyDigest(trimmed.replace(/^waka_/, ""));
  const candidates = await repositories.keys.activeByPrefix(prefix);
  const match = candidates.find((candidate) => digestsEqual(candidate.digest, digest));
  if (match === undefined) return undefined;

  await repositories.keys.markUsed(match.id, now, userAgent);
  const identity: IdentityInput = { source: "wakatime", externalId: match.externalId };
  if (match.email !== null) identity.email = match.email;
  const roles = await repositories.roles.rolesOf(match.personId);
  return { kind: "person", keyId: match.id, personId: match.personId, identity, tz: match.tz, roles };
}
