import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import type { PersonRecord } from "../../../domain/types.js";
import { authErrors, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

const personSchema = z
  .object({
    id: z.number().int(),
    displayName: z.string().nullable(),
    tz: z.string().nullable().describe("IANA zone set with `worklens people zone`; null when none is set"),
    identities: z.array(z.object({ source: z.string(), count: z.number().int() })).describe("how many identities the person has per source"),
  })
  .meta({ id: "Person" });

/**
 * Convert a person to the API's form, with no e-mail addresses and no identity ids of the
 * sources, because those are personal data that `worklens people list` shows only on
 * the server's own machine.
 */
function toPerson(person: PersonRecord) {
  const counts = new Map<string, number>();
  for (const identity of person.identities) counts.set(identity.source, (counts.get(identity.source) ?? 0) + 1);
  return {
    id: person.id,
    displayName: person.displayName,
    tz: person.tz,
    identities: [...counts].map(([source, count]) => ({ source, count })).sort((a, b) => a.source.localeCompare(b.source)),
  };
}

/** Register the routes of people as identity matching grouped them: everyone for the admin token, only oneself for a person's key. */
export function peopleRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store } = deps;

  api.get(
    "/people",
    {
      config: { access: "person-or-admin" },
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
      return { data: visible.map(toPerson) };
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
      if (principal?.kind !== "person") {
        throw new WorklensError("NOT_FOUND", "the admin token belongs to no person", "send a person's API key, or list everyone with GET /people");
      }
      const person = (await store.people.list()).find((p) => p.id === principal.personId);
      if (person === undefined) {
        throw new WorklensError("NOT_FOUND", `person ${String(principal.personId)} of this key no longer exists`, "create a new key with `worklens keys create`");
      }
      return { data: toPerson(person) };
    },
  );
}
