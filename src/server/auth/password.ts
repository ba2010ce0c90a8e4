import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { WorklensError } from "../../domain/errors.js";

/**
 * Password hashing for the web UI's local accounts with scrypt from Node's standard
 * library. No npm package is used because scrypt is memory-hard (each guess costs an
 * attacker 32 MiB as well as time), Node ships it, and it needs no native build, which
 * bcrypt and argon2 packages do.
 */

/** Minimum length of a password, in characters. */
export const MIN_PASSWORD_LENGTH = 12;
/** Maximum length of a password, in characters, so a request cannot make the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

/** scrypt cost parameters: N = 2^logN, block size r, parallelization p. */
export interface ScryptParameters {
  logN: number;
  r: number;
  p: number;
}

/** N = 2^15 and r = 8 use 128 * N * r bytes = 32 MiB per hash, about 50 to 100 ms on a current server core (an estimate). */
export const DEFAULT_SCRYPT: ScryptParameters = { logN: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const SCHEME = "scrypt";
/**
 * Bounds on parameters read from a stored hash: a corrupted or tampered row must not
 * make one sign-in allocate gigabytes or run for minutes.
 */
const MAX_LOG_N = 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * Returns the byte limit passed to scrypt. Node rejects a call whose 128 * N * r
 * exceeds maxmem, and its default of 32 MiB is exactly the default parameters' need,
 * so twice that leaves room for its own bookkeeping.
 */
function maxmemOf(parameters: ScryptParameters): number {
  return 2 * 128 * 2 ** parameters.logN * parameters.r;
}

function derive(password: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** parameters.logN, r: parameters.r, p: parameters.p, maxmem: maxmemOf(parameters) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/**
 * Rejects a password that is too short or too long, with a message that names the rule.
 * Length is counted in Unicode code points, so a password of emoji is not penalized for its UTF-16 size.
 */
export function checkPasswordStrength(password: string): void {
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new WorklensError(
      "USAGE",
      `invalid password: it has ${String(length)} characters, fewer than the minimum of ${String(MIN_PASSWORD_LENGTH)}`,
      `choose a password of at least ${String(MIN_PASSWORD_LENGTH)} characters, such as four random words, or leave out --password-stdin to have one generated`,
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new WorklensError("USAGE", `invalid password: it has more than the maximum of ${String(MAX_PASSWORD_LENGTH)} characters`, `choose a password of at most ${String(MAX_PASSWORD_LENGTH)} characters`);
  }
}

/**
 * Hashes a password with a fresh 16-byte random salt. The result carries its
 * parameters, `scrypt$15$8$1$<salt base64>$<key base64>`, so stronger parameters can
 * be used for new hashes later while old hashes still verify.
 */
export async function hashPassword(password: string, parameters: ScryptParameters = DEFAULT_SCRYPT): Promise<string> {
  checkPasswordStrength(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, parameters);
  return [SCHEME, String(parameters.logN), String(parameters.r), String(parameters.p), salt.toString("base64"), key.toString("base64")].join("$");
}

interface ParsedHash {
  parameters: ScryptParameters;
  salt: Buffer;
  key: Buffer;
}

function parseHash(encoded: string): ParsedHash | undefined {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== SCHEME) return undefined;
  const [logN, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  if (logN === undefined || r === undefined || p === undefined) return undefined;
  if (!(logN >= 10 && logN <= MAX_LOG_N && r >= 1 && r <= MAX_R && p >= 1 && p <= MAX_P)) return undefined;
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const key = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length < SALT_BYTES || key.length !== KEY_BYTES) return undefined;
  return { parameters: { logN, r, p }, salt, key };
}

/**
 * Checks a password against a stored hash, comparing keys in constant time. Returns
 * false for a wrong password and for a hash that is not in the format hashPassword
 * writes, after spending the same work as a real check so the two cannot be distinguished.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (parsed === undefined) {
    await verifyDummy(password);
    return false;
  }
  const candidate = await derive(password, parsed.salt, parsed.parameters);
  return timingSafeEqual(candidate, parsed.key);
}

let dummyHash: Promise<string> | undefined;

/**
 * Computes the hash that verifyDummy checks against, once per process. The server calls
 * it at start-up so that the first sign-in with an unknown login does not take twice as long.
 */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(generatePassword());
  return dummyHash;
}

/**
 * Runs one verification against a hash of a random password, so a sign-in with an
 * unknown login takes as long as one with a known login and a wrong password.
 */
export async function verifyDummy(password: string): Promise<void> {
  const parsed = parseHash(await prepareDummyHash());
  if (parsed === undefined) throw new Error("the dummy password hash does not parse");
  const candidate = await derive(password, parsed.salt, parsed.parameters);
  timingSafeEqual(candidate, parsed.key);
}

/** Generates a password of 24 base64url characters (144 random bits) for a person to change or keep. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
