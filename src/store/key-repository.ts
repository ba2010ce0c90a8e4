import type { Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import type { Vault } from "../privacy/vault.js";
import type { Database } from "./schema.js";

export interface NewApiKey {
  personId: number;
  identityId: number;
  prefix: string;
  digest: string;
  createdAt: number;
}

/** One stored key as listed to an administrator: never the key, never its digest. */
export interface ApiKeyRecord {
  id: number;
  personId: number;
  /** External id of the identity the key was created for (the person's e-mail for wakatime). */
  externalId: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  lastUserAgent: string | null;
  revokedAt: number | null;
}

/** A key that may match a presented secret, with what a request made with it acts as. */
export interface ApiKeyCandidate {
  id: number;
  personId: number;
  digest: string;
  externalId: string;
  email: string | null;
  /** The person's IANA zone, or null when none is set. */
  tz: string | null;
}

/** API keys of people, stored as digests with a lookup prefix. */
export class KeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
  ) {}

  async insert(key: NewApiKey): Promise<number> {
    const row = await this.db
      .insertInto("api_keys")
      .values({
        person_id: key.personId,
        identity_id: key.identityId,
        prefix: key.prefix,
        digest: key.digest,
        created_at: key.createdAt,
        last_used_at: null,
        last_user_agent: null,
        revoked_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Keys that are not revoked and start with `prefix`; the caller compares digests. */
  async activeByPrefix(prefix: string): Promise<ApiKeyCandidate[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .innerJoin("identity_texts", "identity_texts.identity_id", "api_keys.identity_id")
      .innerJoin("persons", "persons.id", "api_keys.person_id")
      .select([
        "api_keys.id",
        "api_keys.person_id",
        "api_keys.identity_id",
        "api_keys.digest",
        "identity_texts.external_id",
        "identity_texts.email",
        "persons.tz",
      ])
      .where("api_keys.prefix", "=", prefix)
      .where("api_keys.revoked_at", "is", null)
      .orderBy("api_keys.id")
      .execute();
    const candidates: ApiKeyCandidate[] = [];
    for (const r of rows) {
      candidates.push({
        id: r.id,
        personId: r.person_id,
        digest: r.digest,
        externalId: await this.vault.decryptText(identityPlace(r.identity_id, "external_id"), r.external_id),
        email: await this.vault.decryptNullable(identityPlace(r.identity_id, "email"), r.email),
        tz: r.tz,
      });
    }
    return candidates;
  }

  async markUsed(id: number, at: number, userAgent: string | undefined): Promise<void> {
    await this.db
      .updateTable("api_keys")
      .set({ last_used_at: at, last_user_agent: userAgent ?? null })
      .where("id", "=", id)
      .execute();
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .innerJoin("identity_texts", "identity_texts.identity_id", "api_keys.identity_id")
      .select([
        "api_keys.id",
        "api_keys.person_id",
        "api_keys.prefix",
        "api_keys.created_at",
        "api_keys.last_used_at",
        "api_keys.last_user_agent",
        "api_keys.revoked_at",
        "api_keys.identity_id",
        "identity_texts.external_id",
      ])
      .orderBy("api_keys.id")
      .execute();
    const externalIds = new Map<number, string>();
    for (const r of rows) externalIds.set(r.id, await this.vault.decryptText(identityPlace(r.identity_id, "external_id"), r.external_id));
    return rows.map((r) => ({
      id: r.id,
      personId: r.person_id,
      externalId: externalIds.get(r.id) ?? "",
      prefix: r.prefix,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      lastUserAgent: r.last_user_agent,
      revokedAt: r.revoked_at,
    }));
  }

  /**
   * Revoke a key so it no longer authenticates. Revoking a revoked key keeps its
   * first revocation time. Throws NOT_FOUND for an unknown id.
   */
  async revoke(id: number, at: number): Promise<void> {
    const row = await this.db.selectFrom("api_keys").select(["id", "revoked_at"]).where("id", "=", id).executeTakeFirst();
    if (!row) throw new WorklensError("NOT_FOUND", `API key ${id} not found`, 'run "worklens keys list" to see key ids');
    if (row.revoked_at !== null) return;
    await this.db.updateTable("api_keys").set({ revoked_at: at }).where("id", "=", id).execute();
  }
}

function identityPlace(identityId: number, column: string) {
  return { table: "identity_texts", column, row: identityId };
}
