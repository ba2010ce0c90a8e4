import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { acceptSuggestion, bulkAccept, MAX_WORKLOG_SECONDS, MIN_WORKLOG_SECONDS, rejectSuggestion, undoDecision, type SuggestionChange, type SuggestionRef } from "../../../review/decide.js";
import { moveTime, type MoveOutcome } from "../../../review/move.js";
import { listSuggestions, type SuggestionView } from "../../../review/suggestions.js";
import {
  authErrors,
  checkRange,
  conflictResponse,
  daySchema,
  deciderOf,
  evidenceSchema,
  instantSchema,
  isoInstant,
  notFoundResponse,
  personIdSchema,
  rangeQuery,
  requireOwner,
  readScopeOf,
  scopeOf,
  toEvidence,
  writeBackSchema,
  type ApiApp,
  type ApiDeps,
} from "./common.js";
import { requestWriteBack } from "./write-back.js";

/** Maximum length of the comment of an edited suggestion. The limit is worklens's own, not Jira's. */
export const MAX_COMMENT_LENGTH = 4000;

const SUGGESTION_ID = /^([1-9][0-9]{0,14}):(\d{4}-\d{2}-\d{2}):([1-9][0-9]{0,14}|unlinked)$/;

/** Build the id of a suggestion in URLs: `{personId}:{day}:{issueId}`, or `unlinked` in place of the issue id. */
export function suggestionId(ref: SuggestionRef): string {
  return `${String(ref.personId)}:${ref.day}:${ref.issueId === null ? "unlinked" : String(ref.issueId)}`;
}

function parseSuggestionId(id: string): SuggestionRef {
  const match = SUGGESTION_ID.exec(id);
  const [, person, day, issue] = match ?? [];
  if (person === undefined || day === undefined || issue === undefined) throw new Error("suggestion id passed validation but does not match its pattern");
  return { personId: Number(person), day, issueId: issue === "unlinked" ? null : Number(issue) };
}

const suggestionIdParams = z.object({
  id: z
    .string()
    .regex(SUGGESTION_ID, { error: "expected PERSON:YYYY-MM-DD:ISSUE or PERSON:YYYY-MM-DD:unlinked, the id field of GET /suggestions", abort: true })
    .refine((id) => daySchema.safeParse(id.split(":")[1]).success, "the day in the id is not a calendar date")
    .describe("suggestion id: `{personId}:{day}:{issueId}`, or `unlinked` in place of the issue id"),
});

const suggestionSchema = z
  .object({
    id: z.string().describe("the id to use in the decision routes"),
    personId: z.number().int(),
    day: daySchema,
    issueId: z.number().int().nullable().describe("null for time that is linked to no issue"),
    issueKey: z.string().nullable(),
    seconds: z.number().int(),
    confidence: z.number().min(0).max(1),
    evidence: z.array(evidenceSchema),
    status: z.enum(["pending", "accepted", "edited", "rejected"]),
    changedSinceReview: z
      .boolean()
      .describe("true when activity that arrived after the decision changed this suggestion's seconds or removed it; the worklog keeps what was accepted"),
    review: z.object({ id: z.number().int(), decidedAt: instantSchema, decidedBy: z.string().describe('"person:<id>" or "admin"') }).nullable(),
    worklog: z
      .object({
        id: z.number().int(),
        issueKey: z.string(),
        seconds: z.number().int(),
        startedAt: instantSchema,
        writeBack: writeBackSchema.nullable(),
        remoteId: z.string().nullable().describe("the worklog's id in Jira once written"),
        lastError: z.string().nullable(),
      })
      .nullable()
      .describe("the worklog an accepted or edited suggestion became"),
  })
  .meta({ id: "Suggestion" });

const decisionResponse = z
  .object({
    data: suggestionSchema,
    writeBackJob: z.string().nullable().describe("id of the queued write-back job; null when none was queued"),
  })
  .describe("the suggestion with its decision and the worklog it became");

const issueKeySchema = z.string().regex(/^[A-Z][A-Z0-9_]+-[1-9][0-9]*$/, "expected a Jira issue key such as PROJ-42");

const editBody = z
  .strictObject({
    seconds: z.number().int().min(MIN_WORKLOG_SECONDS).max(MAX_WORKLOG_SECONDS).optional().describe("time to log instead of the suggested time"),
    issueKey: issueKeySchema.optional().describe("issue to log the time on; required for unlinked time"),
    comment: z.string().min(1).max(MAX_COMMENT_LENGTH).optional(),
    startedAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a Z or numeric offset, such as 2025-03-10T09:00:00+01:00" }).optional().describe("start, ISO 8601 with an offset, on the suggestion's day in the person's zone"),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), "send at least one of seconds, issueKey, comment and startedAt; POST .../accept accepts without changes");

const moveBody = z.strictObject({
  toIssueKey: issueKeySchema.describe("issue that gets the moved time, on the suggestion's day"),
  seconds: z.number().int().min(MIN_WORKLOG_SECONDS).max(MAX_WORKLOG_SECONDS).describe("time to move; at most the suggestion's seconds"),
  comment: z.string().min(1).max(MAX_COMMENT_LENGTH).optional().describe("comment of the moved time's worklog"),
});

const moveResponse = z
  .object({
    data: z.object({
      from: suggestionSchema.describe("the source suggestion with its decision: edited with the seconds left, or rejected when all of a linked suggestion's time moved"),
      to: suggestionSchema.describe(
        "the target issue's suggestion of that day with `worklog` set to the moved time's worklog; when the model suggested no time on that issue, `seconds` and `confidence` are 0 and `status` is accepted",
      ),
    }),
    writeBackJob: z.string().nullable().describe("id of the queued write-back job; null when none was queued"),
  })
  .describe("both ends of the move");

const bulkBody = z.strictObject({
  ...rangeQuery,
  person: z.number().int().positive().optional().describe("accept only this person's suggestions; admin token only"),
  minConfidence: z.number().min(0).max(1).optional().describe("accept only suggestions with at least this confidence"),
});

const bulkResponse = z
  .object({
    data: z.object({
      accepted: z.number().int(),
      skipped: z.array(z.object({ id: z.string(), personId: z.number().int(), day: daySchema, issueId: z.number().int().nullable(), reason: z.string() })),
    }),
    writeBackJob: z.string().nullable(),
  })
  .describe("how many suggestions were accepted, and the ones left as they were with the reason for each");

type WorklogView = NonNullable<SuggestionView["worklog"]>;

function toWorklogView(worklog: WorklogView) {
  return { ...worklog, startedAt: isoInstant(worklog.startedAt) };
}

function toSuggestion(view: SuggestionView) {
  return {
    id: suggestionId(view),
    personId: view.personId,
    day: view.day,
    issueId: view.issueId,
    issueKey: view.issueKey,
    seconds: view.seconds,
    confidence: view.confidence,
    evidence: view.evidence.map(toEvidence),
    status: view.status,
    changedSinceReview: view.changedSinceReview,
    review: view.review === null ? null : { ...view.review, decidedAt: isoInstant(view.review.decidedAt) },
    worklog: view.worklog === null ? null : toWorklogView(view.worklog),
  };
}

/** Register the routes that list suggested worklogs and decide on them. */
export function suggestionRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store, clock } = deps;

  /** Return the suggestion as it is listed now, after a decision changed it. */
  async function current(ref: SuggestionRef) {
    const views = await listSuggestions(store, { personId: ref.personId, from: ref.day, to: ref.day });
    const view = views.find((v) => v.issueId === ref.issueId);
    return view === undefined ? null : toSuggestion(view);
  }

  async function decided(ref: SuggestionRef) {
    const view = await current(ref);
    if (view === null) throw new Error(`suggestion ${suggestionId(ref)} is missing right after a decision on it`);
    return view;
  }

  /** Returns the target of a move as a suggestion of its issue and day, with `worklog` set to the moved time's worklog. */
  async function moveTarget(ref: SuggestionRef, outcome: MoveOutcome) {
    const moved = await store.worklogs.get(outcome.movedWorklogId);
    if (moved === undefined) throw new Error(`worklog ${String(outcome.movedWorklogId)} is missing right after a move created it`);
    const worklog = toWorklogView({
      id: moved.id,
      issueKey: moved.issueKey,
      seconds: moved.seconds,
      startedAt: moved.startedAt,
      writeBack: moved.writeBack,
      remoteId: moved.remoteId,
      lastError: moved.lastError,
    });
    const target = { personId: ref.personId, day: ref.day, issueId: outcome.targetIssueId };
    const listed = await current(target);
    if (listed !== null) return { ...listed, worklog };
    return {
      id: suggestionId(target),
      ...target,
      issueKey: moved.issueKey,
      seconds: 0,
      confidence: 0,
      evidence: [],
      status: "accepted" as const,
      changedSinceReview: false,
      review: null,
      worklog,
    };
  }

  function ownRef(request: FastifyRequest, id: string): SuggestionRef {
    const ref = parseSuggestionId(id);
    requireOwner(request, ref.personId, `suggestion ${id}`);
    return ref;
  }

  api.get(
    "/suggestions",
    {
      config: { access: "person-or-admin", audit: "read.suggestions" },
      schema: {
        operationId: "listSuggestions",
        tags: ["suggestions"],
        summary: "List suggested worklogs of a day range with their decisions",
        querystring: z.object({
          ...rangeQuery,
          person: personIdSchema.optional(),
          status: z.enum(["pending", "accepted", "edited", "rejected"]).optional().describe("list only suggestions with this status"),
        }),
        response: { 200: z.object({ data: z.array(suggestionSchema) }).describe("suggestions ordered by day, person and issue key"), ...authErrors },
      },
    },
    async (request) => {
      const { from, to, person, status } = request.query;
      checkRange(from, to);
      const personId = await readScopeOf(request, store, person);
      const views = await listSuggestions(store, { personId, from, to, status });
      return { data: views.map(toSuggestion) };
    },
  );

  api.post(
    "/suggestions/:id/accept",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "acceptSuggestion",
        tags: ["suggestions"],
        summary: "Accept a suggestion as it is; its worklog waits for write-back",
        params: suggestionIdParams,
        response: { 200: decisionResponse, ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request) => {
      const ref = ownRef(request, request.params.id);
      await acceptSuggestion(store, ref, {}, deciderOf(request, clock()));
      request.log.info({ suggestion: suggestionId(ref) }, "suggestion accepted");
      return { data: await decided(ref), writeBackJob: await requestWriteBack(deps, request) };
    },
  );

  api.post(
    "/suggestions/:id/edit",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "editSuggestion",
        tags: ["suggestions"],
        summary: "Accept a suggestion with changes: time, issue, comment or start",
        params: suggestionIdParams,
        body: editBody,
        response: { 200: decisionResponse, ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request) => {
      const ref = ownRef(request, request.params.id);
      const { seconds, issueKey, comment, startedAt } = request.body;
      const change: SuggestionChange = { seconds, issueKey, comment, startedAt: startedAt === undefined ? undefined : Date.parse(startedAt) };
      await acceptSuggestion(store, ref, change, deciderOf(request, clock()));
      request.log.info({ suggestion: suggestionId(ref) }, "suggestion accepted with changes");
      return { data: await decided(ref), writeBackJob: await requestWriteBack(deps, request) };
    },
  );

  api.post(
    "/suggestions/:id/reject",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "rejectSuggestion",
        tags: ["suggestions"],
        summary: "Reject a suggestion: nothing is logged",
        params: suggestionIdParams,
        response: { 200: z.object({ data: suggestionSchema }).describe("the rejected suggestion"), ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request) => {
      const ref = ownRef(request, request.params.id);
      await rejectSuggestion(store, ref, deciderOf(request, clock()));
      request.log.info({ suggestion: suggestionId(ref) }, "suggestion rejected");
      return { data: await decided(ref) };
    },
  );

  api.delete(
    "/suggestions/:id/decision",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "undoDecision",
        tags: ["suggestions"],
        summary: "Take a decision back, so the suggestion is pending again",
        description: "Rejected with 409 once the worklog is written to Jira. `data` is null when the suggestion is no longer produced for that day.",
        params: suggestionIdParams,
        response: { 200: z.object({ data: suggestionSchema.nullable() }).describe("the suggestion, pending again"), ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request) => {
      const ref = ownRef(request, request.params.id);
      await undoDecision(store, ref);
      request.log.info({ suggestion: suggestionId(ref) }, "decision undone");
      return { data: await current(ref) };
    },
  );

  api.post(
    "/suggestions/:id/move",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "moveSuggestionTime",
        tags: ["suggestions"],
        summary: "Move time of a pending suggestion to another issue on the same day",
        description:
          "From a linked suggestion, the time left stays on its issue: the suggestion is accepted as edited with the seconds left, or rejected when all of it moves, and the target issue gets a confirmed worklog of the moved seconds. " +
          "Unlinked time has no issue to keep a rest on, so moving it is an edit onto the target issue, and the rest is not logged. Audited as suggestion.move.",
        params: suggestionIdParams,
        body: moveBody,
        response: { 200: moveResponse, ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request) => {
      const ref = ownRef(request, request.params.id);
      const outcome = await moveTime(store, ref, request.body, deciderOf(request, clock()));
      request.log.info({ suggestion: suggestionId(ref), toIssueId: outcome.targetIssueId, seconds: request.body.seconds }, "suggestion time moved");
      return { data: { from: await decided(ref), to: await moveTarget(ref, outcome) }, writeBackJob: await requestWriteBack(deps, request) };
    },
  );

  api.post(
    "/suggestions/bulk-accept",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "bulkAcceptSuggestions",
        tags: ["suggestions"],
        summary: "Accept every pending linked suggestion of a range, optionally above a confidence",
        body: bulkBody,
        response: { 200: bulkResponse, ...authErrors },
      },
    },
    async (request) => {
      const { from, to, person, minConfidence } = request.body;
      checkRange(from, to);
      const personId = scopeOf(request, person);
      const outcome = await bulkAccept(store, { personId, from, to, minConfidence }, deciderOf(request, clock()));
      request.log.info({ accepted: outcome.accepted, skipped: outcome.skipped.length, personId }, "suggestions accepted in bulk");
      const writeBackJob = outcome.accepted > 0 ? await requestWriteBack(deps, request) : null;
      return {
        data: { accepted: outcome.accepted, skipped: outcome.skipped.map((s) => ({ id: suggestionId(s), ...s })) },
        writeBackJob,
      };
    },
  );
}

