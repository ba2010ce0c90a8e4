/** A master key: 32 random bytes and a fingerprint that names it without revealing it. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/**
 * Where master keys come from: a file, an environment variable, or a key
 * management service. The master key only wraps the tenant data keys stored in the
 * store; it never encrypts data itself, so rotating it rewraps a handful of rows.
 */
export interface KeyProvider {
  /** The key that wraps new and rotated data keys. */
  current(): Promise<MasterKey>;
  /** A key by fingerprint, current or earlier, to unwrap data keys wrapped before a rotation; undefined when unknown. */
  find(id: string): Promise<Buffer | undefined>;
}
