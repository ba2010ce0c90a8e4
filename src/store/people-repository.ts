import type { Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import type { IdentityInput, PersonRecord, Source } from "../domain/types.js";
import type { Vault } from "../privacy/vault.js";
import { lookupDigest, normalizeEmail, normalizeName } from "./digest.js";
import { resealOwnedRows } from "./reencrypt.js";
import type { Database } from "./schema.js";

export interface ResolvedIdentity {
  personId: number;
  identityId: number;
}

/** Lookup digest of an identity: its source and normalized external id. */
export function identityLookup(key: Buffer, source: string, externalId: string): string {
  return lookupDigest(key, `identity:${source}`, externalId.trim().toLowerCase());
}

/** Lookup digest of a normalized e-mail, or null when there is none. */
export function emailLookup(key: Buffer, email: string | null | undefined): string | null {
  return email ? lookupDigest(key, "email", normalizeEmail(email)) : null;
}

/** Lookup digest of a normalized name, or null when the name is empty after normalization. */
export function nameLookup(key: Buffer, name: string | null | undefined): string | null {
  const normalized = name ? normalizeName(name) : "";
  return normalized === "" ? null : lookupDigest(key, "name", normalized);
}

const personTextPlace = (personId: number, column: string) => ({ table: "person_texts", column, row: personId });
const identityTextPlace = (identityId: number, column: string) => ({ table: "identity_texts", column, row: identityId });

/**
 * People and their identities per source. Matching an unseen identity to a known
 * person goes by e-mail first, then by normalized name, and creates a new person
 * when neither matches.
 */
export class PeopleRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
    private readonly lookupKey: () => Promise<Buffer>,
  ) {}

  async resolve(identity: IdentityInput): Promise<ResolvedIdentity> {
    const key = await this.lookupKey();
    const lookup = identityLookup(key, identity.source, identity.externalId);
    const known = await this.db
      .selectFrom("identities")
      .select(["id", "person_id"])
      .where("lookup", "=", lookup)
      .executeTakeFirst();
    if (known) return { personId: known.person_id, identityId: known.id };

    const byEmail = emailLookup(key, identity.email);
    const byName = nameLookup(key, identity.displayName);

    const personId = (await this.findPerson(byEmail, byName)) ?? (await this.createPerson(identity));
    const inserted = await this.db
      .insertInto("identities")
      .values({
        person_id: personId,
        source: identity.source,
        lookup,
        email_lookup: byEmail,
        name_lookup: byName,
        pinned: 0,
        tz: identity.tz ?? null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto("identity_texts")
      .values({
        identity_id: inserted.id,
        external_id: await this.vault.encryptText(identityTextPlace(inserted.id, "external_id"), identity.externalId, personId),
        display_name: await this.vault.encryptNullable(identityTextPlace(inserted.id, "display_name"), identity.displayName, personId),
        email: await this.vault.encryptNullable(identityTextPlace(inserted.id, "email"), identity.email, personId),
      })
      .execute();
    return { personId, identityId: inserted.id };
  }

  private async findPerson(emailLookup: string | null, nameLookup: string | null): Promise<number | undefined> {
    if (emailLookup) {
      const byEmail = await this.db
        .selectFrom("identities")
        .select("person_id")
        .where("email_lookup", "=", emailLookup)
        .orderBy("id")
        .executeTakeFirst();
      if (byEmail) return byEmail.person_id;
    }
    if (nameLookup) {
      const byName = await this.db
        .selectFrom("identities")
        .select("person_id")
        .where("name_lookup", "=", nameLookup)
        .orderBy("id")
        .executeTakeFirst();
      if (byName) return byName.person_id;
    }
    return undefined;
  }

  private async createPerson(identity: IdentityInput): Promise<number> {
    const person = await this.db
      .insertInto("persons")
      .values({ tz: identity.tz ?? null, created_at: Date.now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto("person_texts")
      .values({
        person_id: person.id,
        display_name: await this.vault.encryptNullable(personTextPlace(person.id, "display_name"), identity.displayName, person.id),
        email: await this.vault.encryptNullable(personTextPlace(person.id, "email"), identity.email, person.id),
      })
      .execute();
    return person.id;
  }

  async findIdentity(source: Source, externalId: string): Promise<ResolvedIdentity | undefined> {
    const row = await this.db
      .selectFrom("identities")
      .select(["id", "person_id"])
      .where("lookup", "=", identityLookup(await this.lookupKey(), source, externalId))
      .executeTakeFirst();
    return row ? { personId: row.person_id, identityId: row.id } : undefined;
  }

  async list(): Promise<PersonRecord[]> {
    const persons = await this.db
      .selectFrom("persons")
      .leftJoin("person_texts", "person_texts.person_id", "persons.id")
      .select(["persons.id", "persons.tz", "person_texts.display_name", "person_texts.email"])
      .orderBy("persons.id")
      .execute();
    const identities = await this.db
      .selectFrom("identities")
      .innerJoin("identity_texts", "identity_texts.identity_id", "identities.id")
      .select(["identities.id", "identities.person_id", "identities.source", "identity_texts.external_id"])
      .orderBy("identities.id")
      .execute();
    const byPerson = new Map<number, PersonRecord["identities"]>();
    for (const row of identities) {
      const list = byPerson.get(row.person_id) ?? [];
      list.push({ id: row.id, source: row.source as Source, externalId: await this.vault.decryptText(identityTextPlace(row.id, "external_id"), row.external_id) });
      byPerson.set(row.person_id, list);
    }
    const records: PersonRecord[] = [];
    for (const p of persons) {
      records.push({
        id: p.id,
        tz: p.tz,
        displayName: await this.vault.decryptNullable(personTextPlace(p.id, "display_name"), p.display_name),
        email: await this.vault.decryptNullable(personTextPlace(p.id, "email"), p.email),
        identities: byPerson.get(p.id) ?? [],
      });
    }
    return records;
  }

  async setTimeZone(personId: number, tz: string | null): Promise<void> {
    await this.requirePerson(personId);
    await this.db.updateTable("persons").set({ tz }).where("id", "=", personId).execute();
  }

  /** Time zones reported by a person's identities, most frequent first. */
  async identityZones(personId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("identities")
      .select("tz")
      .where("person_id", "=", personId)
      .where("tz", "is not", null)
      .execute();
    return rows.flatMap((r) => (r.tz === null ? [] : [r.tz]));
  }

  /** Move every identity and record of `fromPersonId` onto `intoPersonId`, then delete the emptied person. */
  async merge(intoPersonId: number, fromPersonId: number): Promise<void> {
    if (intoPersonId === fromPersonId) {
      throw new WorklensError("USAGE", `cannot merge person ${intoPersonId} into itself`, "name two different person ids");
    }
    await this.requirePerson(intoPersonId);
    await this.requirePerson(fromPersonId);
    await this.requireNoReviewClash(intoPersonId, fromPersonId);
    await this.reassign(fromPersonId, intoPersonId);
    await this.db.updateTable("identities").set({ person_id: intoPersonId, pinned: 1 }).where("person_id", "=", fromPersonId).execute();
    await this.db.deleteFrom("person_texts").where("person_id", "=", fromPersonId).execute();
    await this.db.deleteFrom("persons").where("id", "=", fromPersonId).execute();
    // The moved rows are still under the emptied person's key: re-encrypt them under the
    // kept person's key, so deleting that person later shreds them too.
    await resealOwnedRows(this.db, this.vault, intoPersonId);
    await this.vault.destroyPersonKey(fromPersonId);
  }

  /** Detach one identity into a person of its own, taking its activities along. Returns the new person's id. */
  async split(identityId: number): Promise<number> {
    const identity = await this.db
      .selectFrom("identities")
      .innerJoin("identity_texts", "identity_texts.identity_id", "identities.id")
      .select(["identities.person_id", "identities.source", "identities.tz", "identity_texts.display_name", "identity_texts.email", "identity_texts.external_id"])
      .where("identities.id", "=", identityId)
      .executeTakeFirst();
    if (!identity) throw new WorklensError("NOT_FOUND", `identity ${identityId} not found`, 'run "worklens people list" to see identity ids');
    const personId = await this.createPerson({
      source: identity.source as Source,
      externalId: await this.vault.decryptText(identityTextPlace(identityId, "external_id"), identity.external_id),
      displayName: (await this.vault.decryptNullable(identityTextPlace(identityId, "display_name"), identity.display_name)) ?? undefined,
      email: (await this.vault.decryptNullable(identityTextPlace(identityId, "email"), identity.email)) ?? undefined,
      tz: identity.tz ?? undefined,
    });
    await this.db.updateTable("identities").set({ person_id: personId, pinned: 1 }).where("id", "=", identityId).execute();
    await this.db.updateTable("activities").set({ person_id: personId }).where("identity_id", "=", identityId).execute();
    // Heartbeats sent with a key go to the key's person, so the key follows its identity.
    await this.db.updateTable("api_keys").set({ person_id: personId }).where("identity_id", "=", identityId).execute();
    await resealOwnedRows(this.db, this.vault, personId);
    return personId;
  }

  private async requirePerson(personId: number): Promise<void> {
    const row = await this.db.selectFrom("persons").select("id").where("id", "=", personId).executeTakeFirst();
    if (!row) throw new WorklensError("NOT_FOUND", `person ${personId} not found`, 'run "worklens people list" to see person ids');
  }

  private async reassign(from: number, to: number): Promise<void> {
    await this.db.updateTable("activities").set({ person_id: to }).where("person_id", "=", from).execute();
    await this.db.updateTable("issue_events").set({ person_id: to }).where("person_id", "=", from).execute();
    await this.db.updateTable("issues").set({ assignee_id: to }).where("assignee_id", "=", from).execute();
    await this.db.updateTable("issues").set({ reporter_id: to }).where("reporter_id", "=", from).execute();
    await this.db.updateTable("worklogs").set({ person_id: to }).where("person_id", "=", from).execute();
    await this.db.updateTable("reviews").set({ person_id: to }).where("person_id", "=", from).execute();
    await this.db.updateTable("api_keys").set({ person_id: to }).where("person_id", "=", from).execute();
    await this.db.deleteFrom("suggestions").where("person_id", "=", from).execute();
  }

  /** Rejects a merge when both people decided a suggestion of the same day and issue, since one person keeps one decision per suggestion. */
  private async requireNoReviewClash(into: number, from: number): Promise<void> {
    const kept = await this.db.selectFrom("reviews").select(["day", "issue_ref"]).where("person_id", "=", into).execute();
    const keys = new Set(kept.map((r) => `${r.day}|${String(r.issue_ref)}`));
    const clash = (await this.db.selectFrom("reviews").select(["day", "issue_ref"]).where("person_id", "=", from).execute()).find((r) => keys.has(`${r.day}|${String(r.issue_ref)}`));
    if (clash !== undefined) {
      throw new WorklensError(
        "CONFLICT",
        `persons ${String(into)} and ${String(from)} both decided a suggestion of ${clash.day}, so they cannot be merged`,
        "undo one of the two decisions, then merge",
      );
    }
  }
}
