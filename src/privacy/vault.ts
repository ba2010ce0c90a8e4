import { WorklensError } from "../domain/errors.js";
import { DecryptionError, keyWrapData, newKey, openText, parseSealed, sealText, unwrapKey, wrapKey, type TextPlace } from "./crypto.js";
import type { KeyProvider } from "./key-provider.js";

export type { TextPlace } from "./crypto.js";

/** A tenant data key as stored: wrapped by the master key named by its fingerprint. */
export interface DataKeyRow {
  version: number;
  wrapped: string;
  masterKeyId: string;
  createdAt: number;
  retiredAt: number | null;
}

/** A person's key as stored: wrapped by one version of the tenant data key. */
export interface PersonKeyRow {
  personId: number;
  dataKeyVersion: number;
  wrapped: string;
  createdAt: number;
}

/** The rows of `data_keys` and `person_keys`, read and written through one connection or transaction. */
export interface VaultStorage {
  dataKeys(): Promise<DataKeyRow[]>;
  /** Inserts a data key; returns false when the version exists already. */
  insertDataKey(row: DataKeyRow): Promise<boolean>;
  updateDataKey(version: number, change: { wrapped?: string; masterKeyId?: string; retiredAt?: number | null }): Promise<void>;
  deleteDataKey(version: number): Promise<void>;
  personKey(personId: number): Promise<PersonKeyRow | undefined>;
  personKeys(afterPersonId: number, limit: number): Promise<PersonKeyRow[]>;
  /** Inserts a person key unless the person has one already; the caller reads the stored one back. */
  insertPersonKey(row: PersonKeyRow): Promise<void>;
  updatePersonKey(personId: number, change: { dataKeyVersion: number; wrapped: string }): Promise<void>;
  deletePersonKey(personId: number): Promise<boolean>;
}

/** A key ready to encrypt with, and the reference written into each value it encrypts. */
export interface KeyHandle {
  keyRef: string;
  key: Buffer;
}

/** How long a process trusts its cached "current data key" before rereading it, so a rotation elsewhere is picked up. */
const CURRENT_KEY_TTL_MS = 5_000;

const TENANT_REF = /^t(\d+)$/;
const PERSON_REF = /^p(\d+)$/;

export function tenantKeyRef(version: number): string {
  return `t${String(version)}`;
}

export function personKeyRef(personId: number): string {
  return `p${String(personId)}`;
}

/** Unwrapped keys, cached by one vault. */
class KeyCache {
  readonly dataKeys = new Map<number, Buffer>();
  readonly personKeys = new Map<number, Buffer>();
  current: { version: number; key: Buffer; loadedAt: number } | undefined;
}

function describePlace(place: TextPlace): string {
  return `${place.table}.${place.column} of row ${String(place.row)}`;
}

/**
 * Encryption of text at rest under per-tenant and per-person data keys.
 *
 * Text of a known person is encrypted under that person's key, which is wrapped by
 * the tenant data key, which is wrapped by the master key from a KeyProvider.
 * Destroying a person's key therefore makes their text unreadable wherever a copy of
 * it remains, such as in free pages or in a backup taken after the deletion. A backup
 * taken before the deletion still contains the wrapped key, until that backup expires.
 *
 * A vault bound to a transaction caches only in itself, so a key created in a
 * transaction that rolls back never reaches the store-wide cache. It reads keys its
 * parent already cached, and those are always committed ones.
 */
export class Vault {
  readonly #cache = new KeyCache();

  constructor(
    private readonly storage: VaultStorage,
    private readonly provider: KeyProvider,
    /** Tenant id, or the random id of a store without one; bound into every value's associated data. */
    readonly scope: string,
    private readonly parent?: Vault,
  ) {}

  /** Returns a vault on a transaction's connection, with a cache that dies with the transaction. */
  forTransaction(storage: VaultStorage): Vault {
    return new Vault(storage, this.provider, this.scope, this.parent ?? this);
  }

  /** Returns a vault on the same connection with an empty cache, which reads every key from the store again. */
  uncached(): Vault {
    return new Vault(this.storage, this.provider, this.scope);
  }

  /** Creates data key version 1 on a new store, then checks that the configured master key unwraps the current one. */
  async initialize(now: number = Date.now()): Promise<void> {
    const rows = await this.storage.dataKeys();
    if (rows.length === 0) {
      const master = await this.provider.current();
      await this.storage.insertDataKey({ version: 1, wrapped: wrapKey(master.key, newKey(), keyWrapData(this.scope, "data-key:1")), masterKeyId: master.id, createdAt: now, retiredAt: null });
    }
    await this.currentDataKey();
  }

  /** The current tenant data key: the highest version not retired. */
  async currentDataKey(): Promise<KeyHandle & { version: number }> {
    const cached = this.#cache.current ?? this.#parentCache()?.current;
    if (cached !== undefined && Date.now() - cached.loadedAt < CURRENT_KEY_TTL_MS) return { keyRef: tenantKeyRef(cached.version), key: cached.key, version: cached.version };
    const rows = await this.storage.dataKeys();
    const current = rows.filter((row) => row.retiredAt === null).sort((a, b) => b.version - a.version)[0];
    if (current === undefined) {
      throw new WorklensError("STORE", "the store has no current data key (every row of data_keys is retired)", 'run "worklens privacy rotate-keys" to create a new data key version');
    }
    const key = await this.#unwrapDataKey(current);
    this.#cache.dataKeys.set(current.version, key);
    this.#cache.current = { version: current.version, key, loadedAt: Date.now() };
    return { keyRef: tenantKeyRef(current.version), key, version: current.version };
  }

  /** Returns the key for a new value: the person's own key when the text belongs to a person, else the tenant data key. */
  async keyFor(personId: number | null): Promise<KeyHandle> {
    if (personId === null) return this.currentDataKey();
    return { keyRef: personKeyRef(personId), key: await this.#personKey(personId, true) };
  }

  /** Encrypts a value with a key prepared beforehand, without touching the database. */
  encryptWith(handle: KeyHandle, place: TextPlace, plaintext: string): string {
    return sealText(handle.key, handle.keyRef, this.scope, place, plaintext);
  }

  async encryptText(place: TextPlace, plaintext: string, personId: number | null): Promise<string> {
    return this.encryptWith(await this.keyFor(personId), place, plaintext);
  }

  async encryptNullable(place: TextPlace, plaintext: string | null | undefined, personId: number | null): Promise<string | null> {
    return plaintext === null || plaintext === undefined ? null : this.encryptText(place, plaintext, personId);
  }

  /**
   * Decrypts a stored value. Raises a STORE error naming the place when the value is
   * not encrypted, was modified or copied from elsewhere, or its key is gone.
   */
  async decryptText(place: TextPlace, stored: string): Promise<string> {
    const sealed = parseSealed(stored);
    if (sealed === undefined) {
      throw new WorklensError("STORE", `${describePlace(place)} is not encrypted: it was modified outside worklens`, "restore the store from a backup");
    }
    const key = await this.#keyByRef(sealed.keyRef, place);
    try {
      return openText(key, this.scope, place, sealed);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new WorklensError(
        "STORE",
        `${describePlace(place)} failed decryption: the value was modified, copied from another row, column or tenant, or the wrong master key is configured`,
        "restore the store from a backup, or configure the master key this store was created with",
        { cause: error },
      );
    }
  }

  async decryptNullable(place: TextPlace, stored: string | null): Promise<string | null> {
    return stored === null ? null : this.decryptText(place, stored);
  }

  /** The key reference of a stored value, or undefined when the value is plain text. */
  static keyRefOf(stored: string): string | undefined {
    return parseSealed(stored)?.keyRef;
  }

  /**
   * Destroy a person's data key (crypto-shredding): every text encrypted under it
   * becomes unreadable, in this store and in copies made after this call. Returns false
   * when the person had no key.
   */
  async destroyPersonKey(personId: number): Promise<boolean> {
    this.#cache.personKeys.delete(personId);
    this.#parentCache()?.personKeys.delete(personId);
    return this.storage.deletePersonKey(personId);
  }

  /** Makes a new data key version current and retires the earlier ones; returns the new version. */
  async addDataKeyVersion(now: number = Date.now()): Promise<number> {
    const rows = await this.storage.dataKeys();
    const version = Math.max(0, ...rows.map((row) => row.version)) + 1;
    const master = await this.provider.current();
    const inserted = await this.storage.insertDataKey({ version, wrapped: wrapKey(master.key, newKey(), keyWrapData(this.scope, `data-key:${String(version)}`)), masterKeyId: master.id, createdAt: now, retiredAt: null });
    if (!inserted) throw new WorklensError("CONFLICT", `data key version ${String(version)} was created by another process at the same time`, "run the rotation again once the other one has finished");
    for (const row of rows) if (row.retiredAt === null) await this.storage.updateDataKey(row.version, { retiredAt: now });
    this.forgetCurrent();
    return version;
  }

  /** Rewraps every data key under the provider's current master key; returns how many changed. */
  async rewrapDataKeys(): Promise<number> {
    const master = await this.provider.current();
    let changed = 0;
    for (const row of await this.storage.dataKeys()) {
      if (row.masterKeyId === master.id) continue;
      const key = await this.#unwrapDataKey(row);
      await this.storage.updateDataKey(row.version, { wrapped: wrapKey(master.key, key, keyWrapData(this.scope, `data-key:${String(row.version)}`)), masterKeyId: master.id });
      changed++;
    }
    return changed;
  }

  /** Rewraps a batch of person keys under the current data key; returns the last person id seen, or undefined at the end. */
  async rewrapPersonKeys(afterPersonId: number, limit: number): Promise<{ lastPersonId: number | undefined; rewrapped: number }> {
    const current = await this.currentDataKey();
    const rows = await this.storage.personKeys(afterPersonId, limit);
    let rewrapped = 0;
    for (const row of rows) {
      if (row.dataKeyVersion === current.version) continue;
      const key = await this.#unwrapPersonKey(row);
      await this.storage.updatePersonKey(row.personId, { dataKeyVersion: current.version, wrapped: wrapKey(current.key, key, keyWrapData(this.scope, `person:${String(row.personId)}`)) });
      rewrapped++;
    }
    return { lastPersonId: rows.at(-1)?.personId, rewrapped };
  }

  /** Deletes retired data key versions that nothing uses any more; returns the versions deleted. */
  async deleteUnusedDataKeys(inUse: ReadonlySet<number>): Promise<number[]> {
    const deleted: number[] = [];
    for (const row of await this.storage.dataKeys()) {
      if (row.retiredAt === null || inUse.has(row.version)) continue;
      await this.storage.deleteDataKey(row.version);
      this.#cache.dataKeys.delete(row.version);
      this.#parentCache()?.dataKeys.delete(row.version);
      deleted.push(row.version);
    }
    return deleted;
  }

  /** Returns the stored data key rows, still wrapped, so listing them reveals no key. */
  async dataKeyVersions(): Promise<DataKeyRow[]> {
    return this.storage.dataKeys();
  }

  /** Drops the cached current key, so the next write rereads it. */
  forgetCurrent(): void {
    this.#cache.current = undefined;
    const parentCache = this.#parentCache();
    if (parentCache !== undefined) parentCache.current = undefined;
  }

  #parentCache(): KeyCache | undefined {
    return this.parent === undefined ? undefined : this.parent.#cache;
  }

  async #keyByRef(keyRef: string, place: TextPlace): Promise<Buffer> {
    const tenant = TENANT_REF.exec(keyRef);
    if (tenant?.[1] !== undefined) return this.#dataKey(Number(tenant[1]), place);
    const person = PERSON_REF.exec(keyRef);
    if (person?.[1] !== undefined) {
      const personId = Number(person[1]);
      const key = await this.#personKey(personId, false);
      if (key === undefined) {
        throw new WorklensError("STORE", `${describePlace(place)} cannot be decrypted because this person's data was deleted (the key of person ${String(personId)} was destroyed)`, "delete the remaining rows of the person, or restore them from an export");
      }
      return key;
    }
    throw new WorklensError("STORE", `${describePlace(place)} names an unknown key "${keyRef}": the value was modified outside worklens`, "restore the store from a backup");
  }

  async #dataKey(version: number, place?: TextPlace): Promise<Buffer> {
    const cached = this.#cache.dataKeys.get(version) ?? this.#parentCache()?.dataKeys.get(version);
    if (cached !== undefined) return cached;
    const row = (await this.storage.dataKeys()).find((r) => r.version === version);
    if (row === undefined) {
      const where = place === undefined ? "a person key" : describePlace(place);
      throw new WorklensError("STORE", `${where} is encrypted under data key version ${String(version)}, which this store does not have`, "restore the data_keys table from a backup of the same time as the data");
    }
    const key = await this.#unwrapDataKey(row);
    this.#cache.dataKeys.set(version, key);
    return key;
  }

  async #unwrapDataKey(row: DataKeyRow): Promise<Buffer> {
    const master = await this.provider.find(row.masterKeyId);
    const hint = "configure the master key this store was created with: WORKLENS_MASTER_KEY, WORKLENS_MASTER_KEY_FILE, or the .key file beside a SQLite store; during a master key rotation keep the old key as a previous key";
    if (master === undefined) {
      throw new WorklensError("STORE", `data key version ${String(row.version)} is wrapped by master key ${row.masterKeyId}, which the configured key provider does not have`, hint);
    }
    try {
      return unwrapKey(master, row.wrapped, keyWrapData(this.scope, `data-key:${String(row.version)}`));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new WorklensError("STORE", `data key version ${String(row.version)} failed decryption with master key ${row.masterKeyId}: the key row was modified or belongs to another tenant`, hint, { cause: error });
    }
  }

  async #unwrapPersonKey(row: PersonKeyRow): Promise<Buffer> {
    const dataKey = await this.#dataKey(row.dataKeyVersion);
    try {
      return unwrapKey(dataKey, row.wrapped, keyWrapData(this.scope, `person:${String(row.personId)}`));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new WorklensError("STORE", `the key of person ${String(row.personId)} failed decryption: the person_keys row was modified or copied from another person`, "restore the store from a backup", { cause: error });
    }
  }

  async #personKey(personId: number, create: true): Promise<Buffer>;
  async #personKey(personId: number, create: false): Promise<Buffer | undefined>;
  async #personKey(personId: number, create: boolean): Promise<Buffer | undefined> {
    const cached = this.#cache.personKeys.get(personId) ?? this.#parentCache()?.personKeys.get(personId);
    if (cached !== undefined) return cached;
    let row = await this.storage.personKey(personId);
    if (row === undefined && create) {
      const current = await this.currentDataKey();
      await this.storage.insertPersonKey({ personId, dataKeyVersion: current.version, wrapped: wrapKey(current.key, newKey(), keyWrapData(this.scope, `person:${String(personId)}`)), createdAt: Date.now() });
      // Another writer may have created the key first; the stored row wins.
      row = await this.storage.personKey(personId);
    }
    if (row === undefined) {
      if (create) throw new Error(`the key of person ${String(personId)} was not stored`);
      return undefined;
    }
    const key = await this.#unwrapPersonKey(row);
    this.#cache.personKeys.set(personId, key);
    return key;
  }
}
