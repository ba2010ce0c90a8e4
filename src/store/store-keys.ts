import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import { FileKeyProvider, StaticKeyProvider, type KeyProvider } from "../privacy/key-provider.js";
import { newKey } from "../privacy/crypto.js";
import { rotateKeys } from "./key-rotation.js";
import type { Database } from "./schema.js";
import type { Store, StoreConfig } from "./store.js";

/** Settings key of the scope bound into every encrypted value: the tenant id, or a random id of this store. */
const KEY_SCOPE_SETTING = "privacy.keyScope";
/** Settings key set once a store's rows are all encrypted and its lookups keyed. */
const ENCRYPTED_SETTING = "privacy.encrypted";

/** Returns the key file of a SQLite store: the database file name with ".key" appended. */
export function defaultKeyFile(databaseFile: string): string {
  return `${databaseFile}.key`;
}

export function missingPostgresKey(): WorklensError {
  return new WorklensError("STORE", "no master key is configured for the PostgreSQL store", "set WORKLENS_MASTER_KEY (base64 of 32 random bytes, such as from \"openssl rand -base64 32\") or WORKLENS_MASTER_KEY_FILE");
}

/**
 * Returns the key provider of a store opened without one. A SQLite store uses its
 * key file, created with mode 0600 while the store has no data key yet. A store whose
 * data keys exist but whose key file is missing fails to open, because a new key could
 * not unwrap them. An in-memory SQLite store gets a key that lives as long as
 * the process. PostgreSQL has no default, because a key file beside a server database
 * would be a guess about the deployment.
 */
export async function openKeyProvider(config: StoreConfig, db: Kysely<Database>): Promise<KeyProvider> {
  if (config.kind === "postgres") throw missingPostgresKey();
  if (config.file === ":memory:") return new StaticKeyProvider(newKey());
  const file = defaultKeyFile(config.file);
  if (existsSync(file)) return new FileKeyProvider(file);
  const dataKey = await db.selectFrom("data_keys").select("version").limit(1).executeTakeFirst();
  if (dataKey !== undefined) {
    throw new WorklensError("STORE", `the master key file ${file} of this store is missing`, "restore the key file from your backup, or set WORKLENS_MASTER_KEY_FILE to where it is; without it the store's text cannot be read");
  }
  try {
    return FileKeyProvider.create(file);
  } catch (error) {
    // Another process opening the same new store may have created the file first.
    if (typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST") return new FileKeyProvider(file);
    throw error;
  }
}

/**
 * Returns the scope bound into this store's encrypted values. It is recorded at the
 * first open, so later opens see the same scope; opening with another tenant id fails.
 */
export async function resolveKeyScope(db: Kysely<Database>, tenantId: string | undefined): Promise<string> {
  if (tenantId !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(tenantId)) {
    throw new WorklensError("USAGE", `invalid tenant id "${tenantId}"`, "use lower-case letters, digits and hyphens");
  }
  const wanted = tenantId === undefined ? `store:${randomUUID()}` : `tenant:${tenantId}`;
  await db.insertInto("settings").values({ key: KEY_SCOPE_SETTING, value: wanted }).onConflict((oc) => oc.column("key").doNothing()).execute();
  const stored = await db.selectFrom("settings").select("value").where("key", "=", KEY_SCOPE_SETTING).executeTakeFirstOrThrow();
  if (tenantId !== undefined && stored.value !== wanted) {
    throw new WorklensError("STORE", `this store does not belong to tenant ${tenantId}`, "check the tenant's store location in the tenants file");
  }
  return stored.value;
}

/**
 * Encrypts a store written before encryption existed, once: plain-text rows are
 * encrypted and identity lookups recomputed as keyed digests. New stores only get
 * the flag. Running twice at once is harmless, because each pass skips rows already done.
 */
export async function upgradeToEncryption(store: Store): Promise<void> {
  if ((await store.settings.get(ENCRYPTED_SETTING)) !== undefined) return;
  const used = await store.db.selectFrom("identities").select("id").limit(1).executeTakeFirst();
  const texts = await store.db.selectFrom("issue_texts").select("issue_id").limit(1).executeTakeFirst();
  const secrets = await store.db.selectFrom("settings").select("key").where("key", "like", "secret:%").limit(1).executeTakeFirst();
  if (used !== undefined || texts !== undefined || secrets !== undefined) {
    // NOTE: issues.content_digest stays the old unkeyed digest, so the first re-import of
    // each issue counts as "updated" once and stores the keyed digest.
    await rotateKeys(store, { newDataKey: false, master: false, recomputeLookups: true });
  }
  await store.settings.set(ENCRYPTED_SETTING, "1");
}
