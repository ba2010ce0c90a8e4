import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import type { Vault } from "../privacy/vault.js";
import type { Database } from "./schema.js";

/** Length of a generated secret in bytes: 256 bits, the key size of HMAC-SHA-256. */
const SECRET_BYTES = 32;

/** Key-value settings of one worklens install, and secrets generated on first use. */
export class SettingsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
  ) {}

  /** Returns the value of a setting, or undefined when it was never set. The value of a secret is returned encrypted. */
  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }

  /** Inserts or replaces a setting. A value under a `secret:` key is encrypted, so it never reaches the store as plain text. */
  async set(key: string, plainValue: string): Promise<void> {
    const value = key.startsWith(SECRET_KEY_PREFIX) ? await this.vault.encryptText(secretPlace(key), plainValue, null) : plainValue;
    await this.db
      .insertInto("settings")
      .values({ key, value })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
      .execute();
  }

  /**
   * Returns the 32-byte secret of a name, generated with crypto.randomBytes and
   * stored on first use. Two processes asking at once get the same secret, because
   * the first insert wins and both read the stored value back. The stored value is
   * the base64 secret encrypted under the tenant data key.
   */
  async secret(name: string): Promise<Buffer> {
    const key = `${SECRET_KEY_PREFIX}${name}`;
    const place = secretPlace(key);
    await this.db
      .insertInto("settings")
      .values({ key, value: await this.vault.encryptText(place, randomBytes(SECRET_BYTES).toString("base64"), null) })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const stored = await this.get(key);
    const secret = stored === undefined ? undefined : Buffer.from(await this.vault.decryptText(place, stored), "base64");
    if (secret?.length !== SECRET_BYTES) {
      throw new WorklensError("STORE", `settings row ${key} does not contain a ${SECRET_BYTES}-byte base64 secret`, `delete the row so a new secret is generated; data keyed with the old one must then be rebuilt`);
    }
    return secret;
  }

  /** Stores a chosen secret under a name, replacing any earlier one; for demos and tests whose output must not vary. */
  async setSecret(name: string, secret: Buffer): Promise<void> {
    if (secret.length !== SECRET_BYTES) throw new RangeError(`a secret must be ${String(SECRET_BYTES)} bytes, not ${String(secret.length)}`);
    await this.set(`${SECRET_KEY_PREFIX}${name}`, secret.toString("base64"));
  }
}

/** Prefix of the settings keys whose values are encrypted secrets. */
export const SECRET_KEY_PREFIX = "secret:";

/** Returns the place of a secret, bound into its encryption as associated data. */
export function secretPlace(key: string): { table: string; column: string; row: string } {
  return { table: "settings", column: "value", row: key };
}
