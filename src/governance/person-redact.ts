import { eventValuePlace } from "../store/issue-repository.js";
import type { Repositories } from "../store/store.js";

/** Replacement text for a deleted person's name or e-mail in text that belongs to others. */
export const DELETED_PERSON = "[deleted person]";

/**
 * Shortest name or id that is replaced. Shorter strings, such as initials, match inside
 * too many unrelated words to be replaced safely.
 */
const MIN_TERM_LENGTH = 4;

/** Rows of others' activities decrypted per query. */
const PAGE_SIZE = 500;

/** Replaces every case-insensitive occurrence of any term; longer terms first, so a full name wins over its parts. */
export function redactTerms(text: string, terms: readonly string[]): string {
  let result = text;
  for (const term of [...terms].sort((a, b) => b.length - a.length)) {
    result = result.replace(new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "giu"), DELETED_PERSON);
  }
  return result;
}

function redactNullable(text: string | null | undefined, terms: readonly string[]): string | null | undefined {
  return text === null || text === undefined ? text : redactTerms(text, terms);
}

/**
 * Returns the strings that name a person: their display names and e-mails, and the
 * external ids of their identities (e-mails, Jira account ids, user names), at least
 * MIN_TERM_LENGTH characters long. Read before the person's rows and key are deleted.
 */
export async function identifyingTerms(tx: Repositories, personId: number): Promise<string[]> {
  const terms = new Set<string>();
  const add = (value: string | null | undefined) => {
    const trimmed = value?.trim();
    if (trimmed !== undefined && trimmed.length >= MIN_TERM_LENGTH) terms.add(trimmed);
  };
  const person = (await tx.people.list()).find((p) => p.id === personId);
  add(person?.displayName);
  add(person?.email);
  for (const identity of person?.identities ?? []) add(identity.externalId);
  const rows = await tx.db
    .selectFrom("identity_texts")
    .innerJoin("identities", "identities.id", "identity_texts.identity_id")
    .select(["identity_texts.identity_id", "identity_texts.display_name", "identity_texts.email"])
    .where("identities.person_id", "=", personId)
    .execute();
  for (const row of rows) {
    add(await tx.vault.decryptNullable({ table: "identity_texts", column: "display_name", row: row.identity_id }, row.display_name));
    add(await tx.vault.decryptNullable({ table: "identity_texts", column: "email", row: row.identity_id }, row.email));
  }
  return [...terms];
}

/**
 * Replaces the terms with DELETED_PERSON in text that belongs to others: issue summaries,
 * descriptions and comments, other people's activity texts, issue event comments and
 * worklog comments. Each changed value is encrypted again under its own row's key.
 * Returns the rows changed per table.
 */
export async function redactOthersText(tx: Repositories, personId: number, terms: readonly string[]): Promise<Record<string, number>> {
  const changed: Record<string, number> = {};
  const count = (table: string) => {
    changed[table] = (changed[table] ?? 0) + 1;
  };
  if (terms.length === 0) return changed;

  for (const [issueId, text] of await tx.issues.texts()) {
    const redacted = { summary: redactTerms(text.summary, terms), description: redactTerms(text.description, terms), comments: redactTerms(text.comments, terms) };
    if (redacted.summary === text.summary && redacted.description === text.description && redacted.comments === text.comments) continue;
    await tx.issues.setText(issueId, redacted);
    count("issue_texts");
  }

  let afterId = 0;
  for (;;) {
    const ids = (await tx.db.selectFrom("activities").select("id").where("person_id", "!=", personId).where("id", ">", afterId).orderBy("id").limit(PAGE_SIZE).execute()).map((r) => r.id);
    if (ids.length === 0) break;
    for (const [activityId, text] of await tx.activities.texts(ids)) {
      const redacted = { title: redactNullable(text.title, terms) ?? undefined, body: redactNullable(text.body, terms) ?? undefined, branch: redactNullable(text.branch, terms) ?? undefined, paths: redactNullable(text.paths, terms) ?? undefined };
      if (redacted.title === text.title && redacted.body === text.body && redacted.branch === text.branch && redacted.paths === text.paths) continue;
      await tx.activities.setText(activityId, redacted);
      count("activity_texts");
    }
    afterId = ids[ids.length - 1] ?? afterId;
  }

  // Event and worklog texts are encrypted under the key of the row's own person (the tenant key when none).
  const events = await tx.db
    .selectFrom("issue_event_texts")
    .innerJoin("issue_events", "issue_events.id", "issue_event_texts.event_id")
    .select(["issue_events.id", "issue_events.person_id", "issue_event_texts.body"])
    .where((eb) => eb.or([eb("issue_events.person_id", "is", null), eb("issue_events.person_id", "!=", personId)]))
    .execute();
  for (const event of events) {
    const place = { table: "issue_event_texts", column: "body", row: event.id };
    const body = await tx.vault.decryptText(place, event.body);
    const redacted = redactTerms(body, terms);
    if (redacted === body) continue;
    await tx.db.updateTable("issue_event_texts").set({ body: await tx.vault.encryptText(place, redacted, event.person_id) }).where("event_id", "=", event.id).execute();
    count("issue_event_texts");
  }

  // Field changes (an assignee's name, an old summary) are encrypted under the tenant key, not the actor's.
  const changes = await tx.db.selectFrom("issue_events").select(["id", "source_uid", "from_value", "to_value"]).where((eb) => eb.or([eb("from_value", "is not", null), eb("to_value", "is not", null)])).execute();
  for (const change of changes) {
    const fromPlace = eventValuePlace(change.source_uid, "from_value");
    const toPlace = eventValuePlace(change.source_uid, "to_value");
    const fromValue = await tx.vault.decryptNullable(fromPlace, change.from_value);
    const toValue = await tx.vault.decryptNullable(toPlace, change.to_value);
    const redactedFrom = fromValue === null ? null : redactTerms(fromValue, terms);
    const redactedTo = toValue === null ? null : redactTerms(toValue, terms);
    if (redactedFrom === fromValue && redactedTo === toValue) continue;
    await tx.db
      .updateTable("issue_events")
      .set({
        from_value: redactedFrom === null ? null : await tx.vault.encryptText(fromPlace, redactedFrom, null),
        to_value: redactedTo === null ? null : await tx.vault.encryptText(toPlace, redactedTo, null),
      })
      .where("id", "=", change.id)
      .execute();
    count("issue_events");
  }

  const worklogs = await tx.db
    .selectFrom("worklog_texts")
    .innerJoin("worklogs", "worklogs.id", "worklog_texts.worklog_id")
    .select(["worklogs.id", "worklogs.person_id", "worklog_texts.comment"])
    .where((eb) => eb.or([eb("worklogs.person_id", "is", null), eb("worklogs.person_id", "!=", personId)]))
    .execute();
  for (const worklog of worklogs) {
    const place = { table: "worklog_texts", column: "comment", row: worklog.id };
    const comment = await tx.vault.decryptText(place, worklog.comment);
    const redacted = redactTerms(comment, terms);
    if (redacted === comment) continue;
    await tx.db.updateTable("worklog_texts").set({ comment: await tx.vault.encryptText(place, redacted, worklog.person_id) }).where("worklog_id", "=", worklog.id).execute();
    count("worklog_texts");
  }
  return changed;
}
