import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/** Prefix of every value this version encrypts; a later format gets a new prefix, so old and new values can coexist. */
export const SEALED_PREFIX = "wl1.";

/** AES-256-GCM key size in bytes. */
export const KEY_BYTES = 32;
/** GCM's recommended 96-bit IV, random per value: at 2^32 values per key the collision chance stays below 2^-32. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Location of a ciphertext (table, column, row). It becomes the associated data, so a value copied elsewhere fails to decrypt. */
export interface TextPlace {
  table: string;
  column: string;
  row: string | number;
}

/** A sealed value split into the name of its key and its bytes. */
export interface SealedValue {
  keyRef: string;
  payload: Buffer;
}

/** Raised when GCM authentication fails: the value, its place or its key is not the one it was sealed with. */
export class DecryptionError extends Error {
  constructor() {
    super("authentication of the encrypted value failed");
    this.name = "DecryptionError";
  }
}

/**
 * Encodes strings with a 4-byte length before each one, so ("ab", "c") and ("a", "bc")
 * give different bytes. Used for associated data and for HMAC inputs.
 */
export function lengthPrefixed(parts: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

/** Associated data of a value: the scope (tenant or store id), table, column and row, each length-prefixed. */
export function associatedData(scope: string, place: TextPlace): Buffer {
  return lengthPrefixed(["worklens.text", scope, place.table, place.column, String(place.row)]);
}

/** Encrypts bytes with AES-256-GCM; returns iv | ciphertext | tag. */
export function encryptBytes(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Decrypts iv | ciphertext | tag; throws DecryptionError when any byte, the key or the associated data differs. */
export function decryptBytes(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError();
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}

/** Encodes a sealed value as `wl1.<keyRef>.<base64url(iv|ct|tag)>`; keyRef names the key and must not contain a dot. */
export function formatSealed(keyRef: string, payload: Buffer): string {
  if (!/^[a-z0-9]+$/.test(keyRef)) throw new RangeError(`invalid key reference "${keyRef}": use lower-case letters and digits`);
  return `${SEALED_PREFIX}${keyRef}.${payload.toString("base64url")}`;
}

/** Splits a stored value into key reference and bytes; undefined when it is not in the sealed format (plain text). */
export function parseSealed(stored: string): SealedValue | undefined {
  if (!stored.startsWith(SEALED_PREFIX)) return undefined;
  const rest = stored.slice(SEALED_PREFIX.length);
  const dot = rest.indexOf(".");
  if (dot <= 0) return undefined;
  const keyRef = rest.slice(0, dot);
  const encoded = rest.slice(dot + 1);
  if (!/^[a-z0-9]+$/.test(keyRef) || !/^[A-Za-z0-9_-]*$/.test(encoded)) return undefined;
  return { keyRef, payload: Buffer.from(encoded, "base64url") };
}

/** Encrypts a text for one place under one key and encodes it. */
export function sealText(key: Buffer, keyRef: string, scope: string, place: TextPlace, plaintext: string): string {
  return formatSealed(keyRef, encryptBytes(key, Buffer.from(plaintext, "utf8"), associatedData(scope, place)));
}

/** Decrypts the bytes of a sealed text; throws DecryptionError on any mismatch. */
export function openText(key: Buffer, scope: string, place: TextPlace, sealed: SealedValue): string {
  return decryptBytes(key, sealed.payload, associatedData(scope, place)).toString("utf8");
}

/** Associated data of a wrapped key: what the key is (a tenant data key version, a person's key) and its scope. */
export function keyWrapData(scope: string, what: string): Buffer {
  return lengthPrefixed(["worklens.key", scope, what]);
}

/** Encrypts a 32-byte key under another key; base64url of iv | ct | tag. */
export function wrapKey(wrappingKey: Buffer, key: Buffer, aad: Buffer): string {
  return encryptBytes(wrappingKey, key, aad).toString("base64url");
}

/** Decrypts a wrapped key; throws DecryptionError when the wrapping key or the associated data is not the one used. */
export function unwrapKey(wrappingKey: Buffer, wrapped: string, aad: Buffer): Buffer {
  const key = decryptBytes(wrappingKey, Buffer.from(wrapped, "base64url"), aad);
  if (key.length !== KEY_BYTES) throw new DecryptionError();
  return key;
}

/** Fingerprint naming a key without revealing it: HMAC-SHA-256 of a constant under the key, first 16 hex digits. */
export function keyFingerprint(key: Buffer): string {
  return createHmac("sha256", key).update("worklens master key fingerprint").digest("hex").slice(0, 16);
}

export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
