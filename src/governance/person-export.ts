import { WorklensError } from "../domain/errors.js";
import { eventValuePlace } from "../store/issue-repository.js";
import type { Store } from "../store/store.js";

/** Version of the export document's layout; raised when a field changes meaning or goes away. */
export const PERSON_EXPORT_SCHEMA_VERSION = 1;

/**
 * Rows read per query. The export keeps at most one page of activities (with texts and
 * links) in memory at a time, so its memory use does not grow with the number of
 * activities. Suggestions, reviews, worklogs, issue events and audit entries are read
 * whole, because one person has a few per working day.
 */
export const EXPORT_PAGE_SIZE = 1000;

export interface ExportOptions {
  now: number;
  /** Audit actor: "cli", "admin" or "person:<id>". */
  actor: string;
  pageSize?: number;
}

/**
 * Returns the JSON document of everything stored about one person, as chunks of text to
 * stream to a file or an HTTP response. Before the first chunk, it checks that the person
 * exists (NOT_FOUND otherwise) and appends a "privacy.export" audit entry, so an export
 * that starts is always audited. API key digests are never exported.
 *
 * NOTE: the pages are read one after another, not in one transaction, so rows written
 * while a long export runs may or may not appear in it.
 */
export async function exportPerson(store: Store, personId: number, options: ExportOptions): Promise<AsyncGenerator<string>> {
  const person = await store.db
    .selectFrom("persons")
    .select(["id", "tz", "created_at"])
    .where("id", "=", personId)
    .executeTakeFirst();
  if (person === undefined) throw new WorklensError("NOT_FOUND", `person ${String(personId)} not found`, 'run "worklens people list" to see person ids');
  await store.audit.append({ at: options.now, actor: options.actor, action: "privacy.export", subject: `person:${String(personId)}` });
  return documentChunks(store, personId, { ...person, generatedAt: options.now }, options.pageSize ?? EXPORT_PAGE_SIZE);
}

/** Collects an export into one parsed document; for tests and small stores. */
export async function exportPersonDocument(store: Store, personId: number, options: ExportOptions): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of await exportPerson(store, personId, options)) text += chunk;
  return JSON.parse(text) as Record<string, unknown>;
}

async function* documentChunks(store: Store, personId: number, head: { id: number; tz: string | null; created_at: number; generatedAt: number }, pageSize: number): AsyncGenerator<string> {
  const people = await store.people.list();
  const record = people.find((p) => p.id === personId);
  yield `{"kind":"worklens.person-export","schemaVersion":${String(PERSON_EXPORT_SCHEMA_VERSION)},"generatedAt":${JSON.stringify(new Date(head.generatedAt).toISOString())}`;
  yield `,"person":${JSON.stringify({ id: head.id, displayName: record?.displayName ?? null, email: record?.email ?? null, tz: head.tz, createdAt: iso(head.created_at) })}`;
  yield `,"identities":${JSON.stringify(await identities(store, personId, record?.identities ?? []))}`;
  yield `,"roles":${JSON.stringify(await roles(store, personId))}`;
  yield `,"teams":${JSON.stringify(await teams(store, personId))}`;
  yield `,"apiKeys":${JSON.stringify(await apiKeys(store, personId))}`;

  yield `,"activities":[`;
  let first = true;
  for await (const page of activityPages(store, personId, pageSize)) {
    for (const activity of page) {
      yield `${first ? "" : ","}${JSON.stringify(activity)}`;
      first = false;
    }
  }
  yield "]";

  yield `,"issueEvents":${JSON.stringify(await issueEvents(store, personId))}`;
  yield `,"suggestions":${JSON.stringify(await suggestions(store, personId))}`;
  yield `,"reviews":${JSON.stringify(await store.reviews.list({ personId }))}`;
  yield `,"worklogs":${JSON.stringify(await store.worklogs.list({ personId }))}`;
  yield `,"auditEntries":${JSON.stringify(await auditEntries(store, personId))}`;
  yield "}\n";
}

function iso(instant: number | null): string | null {
  return instant === null ? null : new Date(instant).toISOString();
}

async function identities(store: Store, personId: number, known: readonly { id: number; source: string; externalId: string }[]) {
  const rows = await store.db
    .selectFrom("identities")
    .innerJoin("identity_texts", "identity_texts.identity_id", "identities.id")
    .select(["identities.id", "identities.source", "identities.tz", "identities.pinned", "identity_texts.display_name", "identity_texts.email"])
    .where("identities.person_id", "=", personId)
    .orderBy("identities.id")
    .execute();
  const externalIds = new Map(known.map((identity) => [identity.id, identity.externalId]));
  const result = [];
  for (const row of rows) {
    result.push({
      id: row.id,
      source: row.source,
      externalId: externalIds.get(row.id) ?? null,
      displayName: await store.vault.decryptNullable({ table: "identity_texts", column: "display_name", row: row.id }, row.display_name),
      email: await store.vault.decryptNullable({ table: "identity_texts", column: "email", row: row.id }, row.email),
      tz: row.tz,
      pinned: row.pinned === 1,
    });
  }
  return result;
}

async function roles(store: Store, personId: number): Promise<string[]> {
  const rows = await store.db.selectFrom("person_roles").select("role").where("person_id", "=", personId).orderBy("role").execute();
  return ["member", ...rows.map((row) => row.role).filter((role) => role !== "member")];
}

async function teams(store: Store, personId: number) {
  const memberships = await store.db
    .selectFrom("team_members")
    .innerJoin("teams", "teams.id", "team_members.team_id")
    .select(["teams.id", "teams.name", "team_members.share", "team_members.working_days", "team_members.hours_per_day", "team_members.tz"])
    .where("team_members.person_id", "=", personId)
    .orderBy("teams.id")
    .execute();
  const managed = await store.db.selectFrom("teams").select(["id", "name"]).where("manager_person_id", "=", personId).orderBy("id").execute();
  return {
    memberOf: memberships.map((m) => ({ teamId: m.id, name: m.name, share: m.share, workingDays: JSON.parse(m.working_days) as unknown, hoursPerDay: m.hours_per_day, tz: m.tz })),
    manages: managed.map((t) => ({ teamId: t.id, name: t.name })),
  };
}

/** API keys without their digests: the digest would let anyone holding the export test guesses of the key. */
async function apiKeys(store: Store, personId: number) {
  const rows = await store.db
    .selectFrom("api_keys")
    .select(["id", "identity_id", "prefix", "created_at", "last_used_at", "last_user_agent", "revoked_at"])
    .where("person_id", "=", personId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ id: r.id, identityId: r.identity_id, prefix: r.prefix, createdAt: iso(r.created_at), lastUsedAt: iso(r.last_used_at), lastUserAgent: r.last_user_agent, revokedAt: iso(r.revoked_at) }));
}

async function* activityPages(store: Store, personId: number, pageSize: number) {
  const issueKeys = new Map((await store.db.selectFrom("issues").select(["id", "key"]).execute()).map((row) => [row.id, row.key]));
  let afterId = 0;
  for (;;) {
    const rows = await store.db.selectFrom("activities").selectAll().where("person_id", "=", personId).where("id", ">", afterId).orderBy("id").limit(pageSize).execute();
    if (rows.length === 0) return;
    const ids = rows.map((row) => row.id);
    const texts = await store.activities.texts(ids);
    const links = await store.db.selectFrom("links").selectAll().where("activity_id", "in", ids).orderBy("activity_id").orderBy("rank").execute();
    const linksOf = new Map<number, typeof links>();
    for (const link of links) linksOf.set(link.activity_id, [...(linksOf.get(link.activity_id) ?? []), link]);
    yield rows.map((row) => ({
      id: row.id,
      source: row.source,
      sourceUid: row.source_uid,
      kind: row.kind,
      identityId: row.identity_id,
      startAt: iso(row.start_at),
      endAt: iso(row.end_at),
      tz: row.tz,
      dateOnly: row.date_only === 1,
      localDate: row.local_date,
      localEndDate: row.local_end_date,
      landedAt: iso(row.landed_at),
      repo: row.repo,
      project: row.project,
      machine: row.machine,
      explicitKeys: JSON.parse(row.explicit_keys) as unknown,
      metrics: JSON.parse(row.metrics) as unknown,
      text: texts.get(row.id) ?? null,
      links: (linksOf.get(row.id) ?? []).map((link) => ({ issueKey: issueKeys.get(link.issue_id) ?? null, rank: link.rank, score: link.score, confidence: link.confidence, method: link.method, evidence: JSON.parse(link.evidence) as unknown })),
    }));
    afterId = ids[ids.length - 1] ?? afterId;
  }
}

async function issueEvents(store: Store, personId: number) {
  const rows = await store.db
    .selectFrom("issue_events")
    .innerJoin("issues", "issues.id", "issue_events.issue_id")
    .leftJoin("issue_event_texts", "issue_event_texts.event_id", "issue_events.id")
    .select(["issue_events.id", "issues.key", "issue_events.kind", "issue_events.at", "issue_events.tz", "issue_events.field", "issue_events.source_uid", "issue_events.from_value", "issue_events.to_value", "issue_event_texts.body"])
    .where("issue_events.person_id", "=", personId)
    .orderBy("issue_events.at")
    .orderBy("issue_events.id")
    .execute();
  const result = [];
  for (const row of rows) {
    const body = await store.vault.decryptNullable({ table: "issue_event_texts", column: "body", row: row.id }, row.body);
    const fromValue = await store.vault.decryptNullable(eventValuePlace(row.source_uid, "from_value"), row.from_value);
    const toValue = await store.vault.decryptNullable(eventValuePlace(row.source_uid, "to_value"), row.to_value);
    result.push({ id: row.id, issueKey: row.key, kind: row.kind, at: iso(row.at), tz: row.tz, field: row.field, fromValue, toValue, body });
  }
  return result;
}

async function suggestions(store: Store, personId: number) {
  const rows = await store.db
    .selectFrom("suggestions")
    .leftJoin("issues", "issues.id", "suggestions.issue_id")
    .select(["suggestions.id", "suggestions.day", "issues.key", "suggestions.seconds", "suggestions.confidence", "suggestions.evidence", "suggestions.created_at"])
    .where("suggestions.person_id", "=", personId)
    .orderBy("suggestions.day")
    .orderBy("suggestions.id")
    .execute();
  return rows.map((r) => ({ id: r.id, day: r.day, issueKey: r.key, seconds: r.seconds, confidence: r.confidence, evidence: JSON.parse(r.evidence) as unknown, createdAt: iso(r.created_at) }));
}

/** Audit entries where the person acted or was acted on. */
async function auditEntries(store: Store, personId: number) {
  const name = `person:${String(personId)}`;
  const rows = await store.db
    .selectFrom("audit_log")
    .select(["seq", "at", "actor", "action", "subject", "details"])
    .where((eb) => eb.or([eb("actor", "=", name), eb("subject", "=", name)]))
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({ seq: r.seq, at: iso(r.at), actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details) as unknown }));
}
