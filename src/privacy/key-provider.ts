import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { WorklensError } from "../domain/errors.js";
import { KEY_BYTES, keyFingerprint, newKey } from "./crypto.js";

/** A master key: 32 random bytes and a fingerprint that names it without revealing it. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/**
 * Source of master keys: a file, an environment variable, or a key management
 * service. The master key only wraps the tenant data keys stored in the store. It never
 * encrypts data itself, so rotating it rewraps a handful of rows.
 *
 * A KMS provider implements the same two methods. `current()` returns the key (or a
 * data key the KMS unwrapped for this process) with a stable id. `find(id)` returns an
 * earlier key that data keys wrapped before a rotation still need.
 */
export interface KeyProvider {
  /** The key that wraps new and rotated data keys. */
  current(): Promise<MasterKey>;
  /** A key by fingerprint, current or earlier, to unwrap data keys wrapped before a rotation; undefined when unknown. */
  find(id: string): Promise<Buffer | undefined>;
}

/** Returns the base64 text of a new random 32-byte master key. */
export function generateMasterKey(): string {
  return newKey().toString("base64");
}

/** Master-key fingerprint: HMAC-SHA-256 of a constant under the key, truncated. */
export function masterKeyFingerprint(key: Buffer): string {
  return keyFingerprint(key);
}

function decodeKey(text: string, where: string, hint: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, "base64") : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new WorklensError("USAGE", `${where} is not a base64-encoded ${String(KEY_BYTES)}-byte key`, hint);
  }
  return key;
}

/** Keys held in memory, current first; the base of the file and environment providers. */
export class StaticKeyProvider implements KeyProvider {
  // Private fields stay out of JSON.stringify and loggers' object serialization.
  readonly #keys: readonly MasterKey[];

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.#keys = [current, ...previous].map((key, index) => {
      if (key.length !== KEY_BYTES) throw new RangeError(`master key ${String(index)} must be ${String(KEY_BYTES)} bytes, not ${String(key.length)}`);
      return { id: keyFingerprint(key), key: Buffer.from(key) };
    });
  }

  current(): Promise<MasterKey> {
    const [first] = this.#keys;
    if (first === undefined) return Promise.reject(new Error("no master key"));
    return Promise.resolve({ id: first.id, key: first.key });
  }

  find(id: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.#keys.find((k) => k.id === id)?.key);
  }

  /** Fingerprints of every key, current first; safe to print. */
  fingerprints(): string[] {
    return this.#keys.map((k) => k.id);
  }
}

/** Master keys from WORKLENS_MASTER_KEY (current) and WORKLENS_MASTER_KEY_PREVIOUS (comma-separated earlier keys), base64. */
export class EnvKeyProvider extends StaticKeyProvider {
  constructor(env: NodeJS.ProcessEnv) {
    const hint = 'generate one with "openssl rand -base64 32"';
    const current = env["WORKLENS_MASTER_KEY"];
    if (current === undefined || current.trim() === "") throw new WorklensError("USAGE", "WORKLENS_MASTER_KEY is not set", hint);
    const previous = (env["WORKLENS_MASTER_KEY_PREVIOUS"] ?? "")
      .split(",")
      .filter((text) => text.trim() !== "")
      .map((text, index) => decodeKey(text, `key ${String(index + 1)} of WORKLENS_MASTER_KEY_PREVIOUS`, hint));
    super(decodeKey(current, "WORKLENS_MASTER_KEY", hint), previous);
  }
}

/**
 * Master keys from a file: one base64 key per line, the first current, later lines
 * earlier keys kept to unwrap data keys during a rotation. Blank lines and lines
 * starting with # are ignored. On POSIX the file must not be readable by group or others.
 */
export class FileKeyProvider extends StaticKeyProvider {
  constructor(readonly file: string) {
    super(...FileKeyProvider.read(file));
  }

  /**
   * Writes a new file with one random key, mode 0600, and fails with EEXIST when the
   * file exists. The key is written to a temporary file first and then linked into
   * place, so a concurrent reader never sees an empty file.
   */
  static create(file: string): FileKeyProvider {
    const temporary = `${file}.${randomUUID()}.tmp`;
    writeFileSync(temporary, `${generateMasterKey()}\n`, { mode: 0o600, flag: "wx" });
    try {
      linkSync(temporary, file);
    } finally {
      unlinkSync(temporary);
    }
    return new FileKeyProvider(file);
  }

  private static read(file: string): [Buffer, Buffer[]] {
    let text: string;
    try {
      if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) {
        throw new WorklensError("USAGE", `master key file ${file} is readable by group or others`, `restrict it with "chmod 600 ${file}"`);
      }
      text = readFileSync(file, "utf8");
    } catch (error) {
      if (error instanceof WorklensError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new WorklensError("USAGE", `cannot read master key file ${file}: ${reason}`, "check WORKLENS_MASTER_KEY_FILE", { cause: error });
    }
    const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
    const keys = lines.map((line, index) => decodeKey(line, `key ${String(index + 1)} of master key file ${file}`, "each line holds one base64 key; generate one with \"openssl rand -base64 32\""));
    const [current, ...previous] = keys;
    if (current === undefined) throw new WorklensError("USAGE", `master key file ${file} contains no key`, 'put one base64 key per line; generate one with "openssl rand -base64 32"');
    return [current, previous];
  }
}
