import { WorklensError } from "../domain/errors.js";
import { parsePerson } from "../people/person-arg.js";
import type { Store } from "../store/store.js";

/**
 * Resolves a person given on the command line as a person id or as an e-mail address.
 * An e-mail matches the person's own e-mail or the e-mail or external id of any of their
 * identities, case-insensitively. Raises NOT_FOUND when no person matches and CONFLICT
 * when two people do.
 */
export async function resolvePersonRef(store: Store, text: string): Promise<number> {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const id = Number(trimmed);
    const row = Number.isSafeInteger(id) ? await store.db.selectFrom("persons").select("id").where("id", "=", id).executeTakeFirst() : undefined;
    if (row === undefined) throw new WorklensError("NOT_FOUND", `person ${trimmed} not found`, 'run "worklens people list" to see person ids');
    return row.id;
  }

  const email = parsePerson("jira", trimmed).externalId;
  const identityEmails = await store.db.selectFrom("identities").innerJoin("identity_texts", "identity_texts.identity_id", "identities.id").select(["identities.id", "identities.person_id", "identity_texts.email"]).execute();
  const matches = new Set<number>();
  for (const person of await store.people.list()) {
    if (person.email?.toLowerCase() === email) matches.add(person.id);
    for (const identity of person.identities) if (identity.externalId.toLowerCase() === email) matches.add(person.id);
  }
  for (const row of identityEmails) {
    const stored = await store.vault.decryptNullable({ table: "identity_texts", column: "email", row: row.id }, row.email);
    if (stored?.toLowerCase() === email) matches.add(row.person_id);
  }

  const [only, ...others] = [...matches];
  if (only === undefined) throw new WorklensError("NOT_FOUND", `no person has the e-mail ${trimmed}`, 'run "worklens people list" to see people, then pass a person id');
  if (others.length > 0) throw new WorklensError("CONFLICT", `${String(matches.size)} people have the e-mail ${trimmed}: ${[...matches].join(", ")}`, "pass one person id instead, or merge them with `worklens people merge`");
  return only;
}
