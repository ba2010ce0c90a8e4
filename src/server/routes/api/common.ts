import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import type { Evidence } from "../../../domain/types.js";
import type { IntegrationsPort } from "../../../integrations/port.js";
import type { Decider } from "../../../review/decide.js";
import { managesPerson } from "../../../review/weeks.js";
import type { Store } from "../../../store/store.js";
import type { WriteBackStatus } from "../../../store/worklog-repository.js";

/** Prefix of the REST API; docs/api.md describes every route under it. */
export const API_PREFIX = "/api/worklens/v1";

/** Maximum number of days one request may cover, so a request cannot make the server load years of rows. */
export const MAX_RANGE_DAYS = 366;

/** The API plugin's instance: Fastify with zod schemas as the type provider. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export interface ApiDeps {
  store: Store;
  clock: () => number;
  /** Absent when the server runs without integrations; their routes then return 404. */
  integrations?: IntegrationsPort | undefined;
}

/** Error for a principal that may not read or change the data a request names. The API's error handler returns 403 for it. */
export class AccessDeniedError extends Error {
  readonly statusCode = 403;
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "AccessDeniedError";
  }
}

const errorBodySchema = z.object({
  error: z.string().describe("what failed; a validation error names fields and rules, never the values sent"),
  hint: z.string().optional().describe("what to do next"),
});

/** Return the schema of an error response, described for one status. */
export function errorResponse(description: string) {
  return errorBodySchema.describe(description);
}

/** Error responses of every route that needs a principal. */
export const authErrors = {
  400: errorResponse("invalid request: the message names each parameter or body field and the rule it breaks"),
  401: errorResponse("missing, invalid or revoked API key or admin token"),
  403: errorResponse("the API key's person may not read or change this data, sent the admin-only person parameter, or called an admin-only route"),
  429: errorResponse("rate limit exceeded; the Retry-After header has the seconds to wait"),
} as const;

export const notFoundResponse = errorResponse("not found; the message names what is missing");
export const conflictResponse = errorResponse("the request conflicts with the stored state, such as deciding a suggestion twice");

export const daySchema = z.iso
  .date({ error: (issue) => (issue.input === undefined ? "is required" : "must be a calendar day as YYYY-MM-DD") })
  .describe("a calendar day, YYYY-MM-DD");
export const personIdSchema = z.coerce.number().int().positive().describe("a person id, as GET /people lists them; admin token only");

/** Query fields of a required day range. */
export const rangeQuery = {
  from: daySchema.describe("first day, YYYY-MM-DD, included"),
  to: daySchema.describe(`last day, YYYY-MM-DD, included; at most ${String(MAX_RANGE_DAYS)} days after from, counting both`),
};

/** Meaning of each write-back state; a Record, so a state added to the store fails to compile until it is described here. */
const WRITE_BACK_STATES: Readonly<Record<WriteBackStatus, string>> = {
  pending: "waits for a write-back job",
  sending: "a write-back job is writing it now",
  written: "Jira has it",
  failed: "the last attempt failed",
};

export const writeBackSchema = z
  .enum(Object.keys(WRITE_BACK_STATES) as [WriteBackStatus, ...WriteBackStatus[]])
  .describe(Object.entries(WRITE_BACK_STATES).map(([state, meaning]) => `${state}: ${meaning}`).join("; "));

/** Schema of an instant in API responses: ISO 8601 in UTC. */
export const instantSchema = z.iso.datetime().describe("an instant, ISO 8601 in UTC");

export function isoInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export const evidenceSchema = z.object({
  kind: z.string(),
  detail: z.string().describe("why this activity counts, free of raw personal text"),
  activityId: z.number().int().optional(),
  at: instantSchema.optional(),
  weight: z.number().optional(),
});

export function toEvidence(evidence: Evidence): z.infer<typeof evidenceSchema> {
  const { at, ...rest } = evidence;
  return at === undefined ? rest : { ...rest, at: isoInstant(at) };
}

/** Reject a range whose end is before its start or that spans more than MAX_RANGE_DAYS days. */
export function checkRange(from: string, to: string): void {
  if (to < from) {
    throw new WorklensError("USAGE", "invalid range: to is before from", "pass from and to as YYYY-MM-DD with from on or before to");
  }
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new WorklensError(
      "USAGE",
      `invalid range: ${String(days)} days from ${from} to ${to}, more than the ${String(MAX_RANGE_DAYS)} days one request may cover`,
      `split the range into requests of at most ${String(MAX_RANGE_DAYS)} days each`,
    );
  }
}

/**
 * Return the person whose data a request may read: a person's key reads only its own
 * person, and the admin token reads the person named by `person`, or everyone when
 * it names none (undefined).
 */
export function scopeOf(request: FastifyRequest, person: number | undefined): number | undefined {
  const principal = request.principal;
  if (principal?.kind === "person") {
    if (person !== undefined) {
      throw new AccessDeniedError("the person parameter is only for the admin token: a person's API key reads that person's own data", "leave out person");
    }
    return principal.personId;
  }
  if (principal?.kind === "admin") return person;
  throw new Error("API route reached without a principal");
}

/**
 * Return the person whose data a read may cover, as scopeOf does. A person with the
 * manager role may also read the data of someone in a team they manage, so a manager
 * can open a team member's week before approving it.
 */
export async function readScopeOf(request: FastifyRequest, store: Store, person: number | undefined): Promise<number | undefined> {
  const principal = request.principal;
  if (principal?.kind !== "person" || person === undefined) return scopeOf(request, person);
  if (person !== principal.personId && principal.roles.includes("manager") && (await managesPerson(store, principal.personId, person))) return person;
  throw new AccessDeniedError(
    "the person parameter is only for the admin token and for managers reading a member of their team: a person reads their own data without it",
    "leave out person",
  );
}

/** Reject a request on data of another person than the key's own, or of no person; the admin token may act on anyone's. */
export function requireOwner(request: FastifyRequest, personId: number | null, recordName: string): void {
  const principal = request.principal;
  if (principal?.kind === "admin") return;
  if (principal?.kind === "person" && principal.personId === personId) return;
  throw new AccessDeniedError(`${recordName} belongs to another person`, "a person's API key may read and decide only that person's own data");
}

/** Return who decides, as stored with a review: "person:<id>" for a key, also with the admin role, and "admin" for the admin token. */
export function deciderOf(request: FastifyRequest, now: number): Decider {
  const principal = request.principal;
  if (principal?.kind === "person") return { decidedBy: `person:${String(principal.personId)}`, now };
  if (principal?.kind === "admin") return { decidedBy: principal.person === undefined ? "admin" : `person:${String(principal.person.personId)}`, now };
  throw new Error("API route reached without a principal");
}
