import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import { resolveZone } from "../../../domain/time.js";
import type { PersonRecord } from "../../../domain/types.js";
import type { Repositories } from "../../../store/store.js";
import { AccessDeniedError, authErrors, errorResponse, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

/** Maximum length of a zone name in a request. The longest name in the tz database, America/Argentina/ComodRivadavia, has 32 characters. */
const MAX_ZONE_LENGTH = 64;

const personSchema = z
  .object({
    id: z.number().int(),
    displayName: z.string().nullable(),
    tz: z.string().nullable().describe("IANA zone set with PUT /people/{id}/zone or `worklens people zone`; null when none is set"),
    identities: z.array(z.object({ source: z.string(), count: z.number().int() })).describe("how many identities the person has per source"),
    identityIds: z
      .array(z.object({ id: z.number().int().describe("identity id, as POST /identities/{id}/split takes it"), source: z.string() }))
      .optional()
      .describe("admin token only: the worklens id and source of each identity, ordered by id; absent for a person's key"),
  })
  .meta({ id: "Person" });

/** Form of a person in a response. The admin's form adds the worklens ids of identities. */
type PersonView = "admin" | "person";

/**
 * Convert a person to the API's form, with no e-mail addresses and no external ids of
 * the sources, because those are personal data that `worklens people list` shows only on
 * the server's own machine. The admin's form adds worklens's own identity ids, which
 * name no one, so an administrator can split an identity off.
 */
function toPerson(person: PersonRecord, view: PersonView) {
  const counts = new Map<string, number>();
  for (const identity of person.identities) counts.set(identity.source, (counts.get(identity.source) ?? 0) + 1);
  const fields = {
    id: person.id,
    displayName: person.displayName,
    tz: person.tz,
    identities: [...counts].map(([source, count]) => ({ source, count })).sort((a, b) => a.source.localeCompare(b.source)),
  };
  if (view === "person") return fields;
  return { ...fields, identityIds: person.identities.map((identity) => ({ id: identity.id, source: identity.source })) };
}

function viewOf(request: FastifyRequest): PersonView {
  return request.principal?.kind === "admin" ? "admin" : "person";
}

const personParams = z.object({ id: z.coerce.number().int().positive().describe("person id, as GET /people lists them") });

const zoneBody = z.strictObject({
  tz: z
    .string()
    .trim()
    .max(MAX_ZONE_LENGTH, { abort: true })
    .refine((name) => resolveZone(name) !== undefined, "expected an IANA time zone such as Europe/Berlin, UTC, or a fixed offset such as +01:00; send null to clear the zone")
    .nullable()
    .describe("IANA zone such as Europe/Berlin, UTC, or a fixed offset such as +01:00; null clears the zone"),
});

const mergeBody = z.strictObject({
  from: z.number().int().positive().describe("id of the person to merge into the person of the path; that person is deleted"),
});

const identityParams = z.object({ id: z.coerce.number().int().positive().describe("identity id, from identityIds of GET /people with the admin token") });

async function findPerson(repositories: Repositories, personId: number): Promise<PersonRecord | undefined> {
  return (await repositories.people.list()).find((person) => person.id === personId);
}

async function requirePerson(repositories: Repositories, personId: number): Promise<PersonRecord> {
  const person = await findPerson(repositories, personId);
  if (person === undefined) throw new WorklensError("NOT_FOUND", `person ${String(personId)} not found`, "list people and their ids with GET /people");
  return person;
}

/** Reject a person's key that names another person than its own; the admin token may name anyone. */
function requireSelfOrAdmin(request: FastifyRequest, personId: number): void {
  const principal = request.principal;
  if (principal?.kind === "admin") return;
  if (principal?.kind === "person" && principal.personId === personId) return;
  throw new AccessDeniedError(`a person's API key may set only its own person's zone, not person ${String(personId)}'s`, "send your own person id from GET /people/me, or the admin token");
}

/** Reject a split of an unknown identity, or of a person's only identity. */
async function requireSplittable(repositories: Repositories, identityId: number): Promise<void> {
  const people = await repositories.people.list();
  const owner = people.find((person) => person.identities.some((identity) => identity.id === identityId));
  const identity = owner?.identities.find((candidate) => candidate.id === identityId);
  if (owner === undefined || identity === undefined) {
    throw new WorklensError("NOT_FOUND", `identity ${String(identityId)} not found`, "list identity ids with GET /people and the admin token: they are in identityIds");
  }
  if (owner.identities.length === 1) {
    throw new WorklensError("CONFLICT", `identity ${String(identityId)} is the only identity of person ${String(owner.id)}, so a split would leave that person empty`, "split only identities of people that have two or more");
  }
}

/**
 * Register the routes of people as identity matching grouped them: everyone for the
 * admin token, only oneself for a person's key, and the admin's fixes to the matching.
 */
export function peopleRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store } = deps;

  api.get(
    "/people",
    {
      config: { access: "person-or-admin", audit: "read.people" },
      schema: {
        operationId: "listPeople",
        tags: ["people"],
        summary: "List people: everyone for the admin token, only the key's own person for a person's key",
        response: { 200: z.object({ data: z.array(personSchema) }).describe("people ordered by id"), ...authErrors },
      },
    },
    async (request) => {
      const principal = request.principal;
      const people = await store.people.list();
      const visible = principal?.kind === "person" ? people.filter((p) => p.id === principal.personId) : people;
      const view = viewOf(request);
      return { data: visible.map((person) => toPerson(person, view)) };
    },
  );

  api.get(
    "/people/me",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "currentPerson",
        tags: ["people"],
        summary: "The person of the API key",
        response: { 200: z.object({ data: personSchema }).describe("the person of the API key"), ...authErrors, 404: notFoundResponse },
      },
    },
    async (request) => {
      const principal = request.principal;
      // A person with the admin role arrives as the admin principal but still has a person.
      const personId = principal?.kind === "person" ? principal.personId : principal?.person?.personId;
      if (personId === undefined) {
        throw new WorklensError("NOT_FOUND", "the admin token belongs to no person", "send a person's API key, or list everyone with GET /people");
      }
      const person = await findPerson(store, personId);
      if (person === undefined) {
        throw new WorklensError("NOT_FOUND", `person ${String(personId)} of this key no longer exists`, "create a new key with `worklens keys create`");
      }
      return { data: toPerson(person, "person") };
    },
  );

  api.put(
    "/people/:id/zone",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "setPersonZone",
        tags: ["people"],
        summary: "Set or clear the time zone that cuts a person's days",
        description:
          "A person's key may set only its own person's zone; the admin token may set anyone's. " +
          "Stored suggestions keep their days until POST /suggestions/recompute computes them again.",
        params: personParams,
        body: zoneBody,
        response: { 200: z.object({ data: personSchema }).describe("the person with the new zone, as GET /people shows it"), ...authErrors, 404: notFoundResponse },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { tz } = request.body;
      requireSelfOrAdmin(request, id);
      const person = await store.transaction(async (tx) => {
        await requirePerson(tx, id);
        await tx.people.setTimeZone(id, tz);
        return requirePerson(tx, id);
      });
      request.log.info({ personId: id, cleared: tz === null }, "person's time zone set");
      return { data: toPerson(person, viewOf(request)) };
    },
  );

  api.post(
    "/people/:id/merge",
    {
      config: { access: "admin" },
      schema: {
        operationId: "mergePeople",
        tags: ["people"],
        summary: "Merge one person into another, with identities, activities, issue events and worklogs",
        description:
          "The person `from` is deleted and its stored suggestions with it. Later imports keep its identities on the merged person, because automatic matching assigns only identities it has not seen. " +
          "POST /suggestions/recompute then suggests the merged person's worklogs anew.",
        security: [{ adminToken: [] }],
        params: personParams,
        body: mergeBody,
        response: {
          200: z.object({ data: personSchema }).describe("the merged person, as GET /people shows it"),
          ...authErrors,
          404: notFoundResponse,
          409: errorResponse("the person to merge away has API keys or decisions, which merging cannot move yet"),
        },
      },
    },
    async (request) => {
      const into = request.params.id;
      const { from } = request.body;
      if (from === into) {
        throw new WorklensError("USAGE", `cannot merge person ${String(into)} into itself`, "send as from the id of another person than the one in the path");
      }
      const person = await store.transaction(async (tx) => {
        await requirePerson(tx, into);
        await requirePerson(tx, from);
        await tx.people.merge(into, from);
        return requirePerson(tx, into);
      });
      request.log.info({ personId: into, mergedPersonId: from }, "people merged");
      return { data: toPerson(person, "admin") };
    },
  );

  api.post(
    "/identities/:id/split",
    {
      config: { access: "admin" },
      schema: {
        operationId: "splitIdentity",
        tags: ["people"],
        summary: "Move one identity, with its activities, to a new person",
        description:
          "Later imports keep the identity on the new person, because automatic matching assigns only identities it has not seen. Issue events, worklogs and decisions stay with the old person. " +
          "POST /suggestions/recompute then suggests both people's worklogs anew.",
        security: [{ adminToken: [] }],
        params: identityParams,
        response: {
          200: z.object({ data: personSchema }).describe("the new person, as GET /people shows it"),
          ...authErrors,
          404: notFoundResponse,
          409: errorResponse("the identity is its person's only one"),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const person = await store.transaction(async (tx) => {
        await requireSplittable(tx, id);
        const personId = await tx.people.split(id);
        return requirePerson(tx, personId);
      });
      request.log.info({ identityId: id, personId: person.id }, "identity split off into a new person");
      return { data: toPerson(person, "admin") };
    },
  );
}
