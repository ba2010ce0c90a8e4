import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import type { Database } from "./schema.js";

/** Length of a generated secret in bytes: 256 bits, the key size of HMAC-SHA-256. */
const SECRET_BYTES = 32;

/** Key-value settings of one worklens install, and secrets generated on first use. */
export class SettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the value of a setting, or undefined when it was never set. */
  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }

  /** Inserts or replaces a setting. */
  async set(key: string, value: string): Promise<void> {
    await this.db
      .insertInto("settings")
      .values({ key, value })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
      .execute();
  }

  /**
   * Returns the 32-byte secret of a name, generated with crypto.randomBytes and
   * stored on first use. Two processes asking at once get the same secret, because
   * the first insert wins and both read the stored value back.
   * NOTE: stored as base64 in plain text until encryption at rest wraps the settings table.
   */
  async secret(name: string): Promise<Buffer> {
    const key = `secret:${name}`;
    await this.db
      .insertInto("settings")
      .values({ key, value: randomBytes(SECRET_BYTES).toString("base64") })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const stored = await this.get(key);
    const secret = stored === undefined ? undefined : Buffer.from(stored, "base64");
    if (secret?.length !== SECRET_BYTES) {
      throw new WorklensError("STORE", `settings row ${key} does not contain a ${SECRET_BYTES}-byte base64 secret`, `delete the row so a new secret is generated; data keyed with the old one must then be rebuilt`);
    }
    return secret;
  }

  /** Stores a chosen secret under a name, replacing any earlier one; for demos and tests whose output must not vary. */
  async setSecret(name: string, secret: Buffer): Promise<void> {
    if (secret.length !== SECRET_BYTES) throw new RangeError(`a secret must be ${String(SECRET_BYTES)} bytes, not ${String(secret.length)}`);
    await this.set(`secret:${name}`, secret.toString("base64"));
  }
}
