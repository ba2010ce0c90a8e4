import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import {
  approveWeek,
  DEFAULT_WEEK_LIMIT,
  getWeek,
  listSubmittedWeeks,
  listWeeks,
  MAX_WEEK_COMMENT_LENGTH,
  MAX_WEEK_LIMIT,
  rejectWeek,
  reopenWeek,
  submitWeek,
  WeekAccessError,
  withdrawWeek,
  type WeekActor,
  type WeekReviewView,
} from "../../../review/weeks.js";
import { actorOf, personIdOf } from "../../auth/hook.js";
import { AccessDeniedError, authErrors, conflictResponse, daySchema, instantSchema, isoInstant, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

const weekReviewSchema = z
  .object({
    personId: z.number().int(),
    personName: z.string().describe("display name, else `person <id>`"),
    weekStart: daySchema.describe("Monday of the ISO week"),
    weekEnd: daySchema.describe("Sunday of the ISO week"),
    status: z.enum(["open", "submitted", "approved", "rejected", "reopened"]).describe("open until submitted, and again after a withdrawal"),
    submittedAt: instantSchema.nullable(),
    decidedBy: z.string().nullable().describe('display name of the manager who last approved, rejected or reopened the week, or "admin"'),
    decidedAt: instantSchema.nullable(),
    comment: z.string().nullable().describe("the comment of the last approval, rejection or reopening"),
    locked: z.boolean().describe("true while submitted or approved: decisions on the week's suggestions get 409"),
    pending: z.number().int().describe("suggestions of the week without a decision"),
    suggestedSeconds: z.number().int().describe("time the model suggested for the week"),
    confirmedSeconds: z.number().int().describe("time of the person's worklogs in the week, confirmed in worklens or read from Jira"),
  })
  .meta({ id: "WeekReview" });

const weekResponse = z.object({ data: weekReviewSchema });

const weekParams = z.object({ day: daySchema.describe("any day of the week, YYYY-MM-DD") });

/** Builds the schema of a person id in the query, whose message reads "is required" when the id is absent. */
function personQuery(rule: string) {
  return z.coerce
    .number({ error: (issue) => (issue.input === undefined ? "is required: the id of the person whose week it is" : "must be a person id, a positive whole number") })
    .int()
    .positive()
    .describe(`a person id, as GET /people lists them; ${rule}`);
}

const commentField = z.string().max(MAX_WEEK_COMMENT_LENGTH);

// Fastify passes null for a request without a body, and the API's JSON parser passes undefined for an empty one.
const optionalCommentBody = z
  .strictObject({ comment: commentField.optional().describe(`a note for the person, at most ${String(MAX_WEEK_COMMENT_LENGTH)} characters; stored encrypted`) })
  .nullish();

const rejectBody = z.strictObject({
  comment: commentField.trim().min(1, "is required: say what the person should change").describe(`what the person should change, 1 to ${String(MAX_WEEK_COMMENT_LENGTH)} characters; stored encrypted`),
});

const lockedConflict = conflictResponse.describe("the week is not in a state that allows this step, or it has pending suggestions; the message names the week and its state");

function toWeek(view: WeekReviewView) {
  return {
    ...view,
    submittedAt: view.submittedAt === null ? null : isoInstant(view.submittedAt),
    decidedAt: view.decidedAt === null ? null : isoInstant(view.decidedAt),
  };
}

/** Returns who acts on a week: their audit actor, their person and whether they are the admin. */
function weekActorOf(request: FastifyRequest, now: number): WeekActor {
  const principal = request.principal;
  if (principal === null) throw new Error("week route reached without a principal");
  return { actor: actorOf(principal), personId: personIdOf(principal), admin: principal.kind === "admin", now };
}

/** Returns the person a request is about: the `person` parameter, else the caller's own person. */
function subjectOf(by: WeekActor, person: number | undefined): number {
  const personId = person ?? by.personId;
  if (personId === undefined) throw new WorklensError("USAGE", "person is required with the admin token, which acts as no person", "add ?person=ID with an id from GET /people");
  return personId;
}

/** Runs a step of the week service, turning its access errors into the API's 403. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WeekAccessError) throw new AccessDeniedError(error.message, error.hint);
    throw error;
  }
}

/** Register the routes of the weekly review of timesheets: submit, withdraw, approve, reject and reopen. */
export function weekRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store, clock } = deps;

  api.get(
    "/weeks",
    {
      config: { access: "person-or-admin", audit: "read.weeks" },
      schema: {
        operationId: "listWeeks",
        tags: ["weeks"],
        summary: "List a person's weeks with suggestions, worklogs or a review, newest first",
        querystring: z.object({
          person: personQuery("without it, the caller's own weeks; the admin and managers of a team the person is in may name others").optional(),
          limit: z.coerce.number().int().min(1).max(MAX_WEEK_LIMIT).optional().describe(`at most this many weeks, 1 to ${String(MAX_WEEK_LIMIT)}; ${String(DEFAULT_WEEK_LIMIT)} when absent`),
        }),
        response: { 200: z.object({ data: z.array(weekReviewSchema) }).describe("weeks, newest first"), ...authErrors, 404: notFoundResponse },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const views = await guarded(() => listWeeks(store, by, subjectOf(by, request.query.person), request.query.limit));
      return { data: views.map(toWeek) };
    },
  );

  api.get(
    "/weeks/submitted",
    {
      config: { access: "manager" },
      schema: {
        operationId: "listSubmittedWeeks",
        tags: ["weeks"],
        summary: "List the submitted weeks the caller may approve, oldest submission first",
        description: "A manager gets the weeks of people in the teams they manage, the admin everyone's; the caller's own week is never listed. Audited as read.weeks.",
        response: { 200: z.object({ data: z.array(weekReviewSchema) }).describe("submitted weeks, oldest submission first"), ...authErrors },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const views = await listSubmittedWeeks(store, by);
      // Audited here rather than by the route's audit setting, which skips a person reading without `person` as reading their own data.
      await store.audit.append({ at: by.now, actor: by.actor, action: "read.weeks", subject: null, details: { route: "GET /weeks/submitted", weeks: views.length } });
      return { data: views.map(toWeek) };
    },
  );

  api.get(
    "/weeks/:day",
    {
      config: { access: "person-or-admin", audit: "read.weeks" },
      schema: {
        operationId: "getWeek",
        tags: ["weeks"],
        summary: "One week of a person with its review state and totals",
        params: weekParams,
        querystring: z.object({ person: personQuery("without it, the caller's own week; the admin and managers of a team the person is in may name others").optional() }),
        response: { 200: weekResponse, ...authErrors, 404: notFoundResponse },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const view = await guarded(() => getWeek(store, by, subjectOf(by, request.query.person), request.params.day));
      return { data: toWeek(view) };
    },
  );

  api.post(
    "/weeks/:day/submit",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "submitWeek",
        tags: ["weeks"],
        summary: "Submit a week for approval; its suggestions are locked",
        description: "Rejected with 409 while a suggestion of the week is pending, and for a week already submitted or approved. Audited as week.submit.",
        params: weekParams,
        querystring: z.object({ person: personQuery("the admin only; without it, the caller's own week").optional() }),
        response: { 200: weekResponse, ...authErrors, 404: notFoundResponse, 409: lockedConflict },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const personId = subjectOf(by, request.query.person);
      const view = await guarded(() => submitWeek(store, by, personId, request.params.day));
      request.log.info({ personId, weekStart: view.weekStart }, "week submitted");
      return { data: toWeek(view) };
    },
  );

  api.post(
    "/weeks/:day/withdraw",
    {
      config: { access: "person" },
      schema: {
        operationId: "withdrawWeek",
        tags: ["weeks"],
        summary: "Take back the submission of the caller's own week, so it is open again",
        description: "Only while the week is submitted, not yet approved or rejected. Audited as week.withdraw.",
        params: weekParams,
        response: { 200: weekResponse, ...authErrors, 409: lockedConflict },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const view = await guarded(() => withdrawWeek(store, by, request.params.day));
      request.log.info({ personId: view.personId, weekStart: view.weekStart }, "week submission withdrawn");
      return { data: toWeek(view) };
    },
  );

  const decisionQuery = z.object({ person: personQuery("required") });
  const decisionErrors = { ...authErrors, 404: notFoundResponse, 409: lockedConflict };
  const decisionAccess = "a manager of a team the person is in, or the admin; nobody decides their own week";

  api.post(
    "/weeks/:day/approve",
    {
      config: { access: "manager" },
      schema: {
        operationId: "approveWeek",
        tags: ["weeks"],
        summary: "Approve a submitted week; it stays locked",
        description: `For ${decisionAccess}. Rejected with 409 while suggestions that arrived after the submission are pending. Audited as week.approve.`,
        params: weekParams,
        querystring: decisionQuery,
        body: optionalCommentBody,
        response: { 200: weekResponse, ...decisionErrors },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const personId = request.query.person;
      const view = await guarded(() => approveWeek(store, by, personId, request.params.day, request.body?.comment));
      request.log.info({ personId, weekStart: view.weekStart }, "week approved");
      return { data: toWeek(view) };
    },
  );

  api.post(
    "/weeks/:day/reject",
    {
      config: { access: "manager" },
      schema: {
        operationId: "rejectWeek",
        tags: ["weeks"],
        summary: "Reject a submitted week with a comment; it is unlocked for the person to change",
        description: `For ${decisionAccess}. Audited as week.reject.`,
        params: weekParams,
        querystring: decisionQuery,
        body: rejectBody,
        response: { 200: weekResponse, ...decisionErrors },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const personId = request.query.person;
      const view = await guarded(() => rejectWeek(store, by, personId, request.params.day, request.body.comment));
      request.log.info({ personId, weekStart: view.weekStart }, "week rejected");
      return { data: toWeek(view) };
    },
  );

  api.post(
    "/weeks/:day/reopen",
    {
      config: { access: "manager" },
      schema: {
        operationId: "reopenWeek",
        tags: ["weeks"],
        summary: "Reopen a submitted or approved week, which unlocks it",
        description: `For ${decisionAccess}. Audited as week.reopen.`,
        params: weekParams,
        querystring: decisionQuery,
        body: optionalCommentBody,
        response: { 200: weekResponse, ...decisionErrors },
      },
    },
    async (request) => {
      const by = weekActorOf(request, clock());
      const personId = request.query.person;
      const view = await guarded(() => reopenWeek(store, by, personId, request.params.day, request.body?.comment));
      request.log.info({ personId, weekStart: view.weekStart }, "week reopened");
      return { data: toWeek(view) };
    },
  );
}
