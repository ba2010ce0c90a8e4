import type { Kysely } from "kysely";
import type { DataKeyRow, PersonKeyRow, VaultStorage } from "../privacy/vault.js";
import type { Database } from "./schema.js";

/** The vault's key rows in `data_keys` and `person_keys`, on one connection or transaction. */
export class KeyStorage implements VaultStorage {
  constructor(private readonly db: Kysely<Database>) {}

  async dataKeys(): Promise<DataKeyRow[]> {
    const rows = await this.db.selectFrom("data_keys").selectAll().orderBy("version").execute();
    return rows.map((r) => ({ version: r.version, wrapped: r.wrapped, masterKeyId: r.master_key_id, createdAt: r.created_at, retiredAt: r.retired_at }));
  }

  async insertDataKey(row: DataKeyRow): Promise<boolean> {
    const inserted = await this.db
      .insertInto("data_keys")
      .values({ version: row.version, wrapped: row.wrapped, master_key_id: row.masterKeyId, created_at: row.createdAt, retired_at: row.retiredAt })
      .onConflict((oc) => oc.column("version").doNothing())
      .executeTakeFirst();
    return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async updateDataKey(version: number, change: { wrapped?: string; masterKeyId?: string; retiredAt?: number | null }): Promise<void> {
    await this.db
      .updateTable("data_keys")
      .set({
        ...(change.wrapped === undefined ? {} : { wrapped: change.wrapped }),
        ...(change.masterKeyId === undefined ? {} : { master_key_id: change.masterKeyId }),
        ...(change.retiredAt === undefined ? {} : { retired_at: change.retiredAt }),
      })
      .where("version", "=", version)
      .execute();
  }

  async deleteDataKey(version: number): Promise<void> {
    await this.db.deleteFrom("data_keys").where("version", "=", version).execute();
  }

  async personKey(personId: number): Promise<PersonKeyRow | undefined> {
    const row = await this.db.selectFrom("person_keys").selectAll().where("person_id", "=", personId).executeTakeFirst();
    return row === undefined ? undefined : toPersonKey(row);
  }

  async personKeys(afterPersonId: number, limit: number): Promise<PersonKeyRow[]> {
    const rows = await this.db.selectFrom("person_keys").selectAll().where("person_id", ">", afterPersonId).orderBy("person_id").limit(limit).execute();
    return rows.map(toPersonKey);
  }

  async insertPersonKey(row: PersonKeyRow): Promise<void> {
    await this.db
      .insertInto("person_keys")
      .values({ person_id: row.personId, data_key_version: row.dataKeyVersion, wrapped: row.wrapped, created_at: row.createdAt })
      .onConflict((oc) => oc.column("person_id").doNothing())
      .execute();
  }

  async updatePersonKey(personId: number, change: { dataKeyVersion: number; wrapped: string }): Promise<void> {
    await this.db.updateTable("person_keys").set({ data_key_version: change.dataKeyVersion, wrapped: change.wrapped }).where("person_id", "=", personId).execute();
  }

  async deletePersonKey(personId: number): Promise<boolean> {
    const deleted = await this.db.deleteFrom("person_keys").where("person_id", "=", personId).executeTakeFirst();
    return deleted.numDeletedRows > 0n;
  }
}

function toPersonKey(row: { person_id: number; data_key_version: number; wrapped: string; created_at: number }): PersonKeyRow {
  return { personId: row.person_id, dataKeyVersion: row.data_key_version, wrapped: row.wrapped, createdAt: row.created_at };
}
