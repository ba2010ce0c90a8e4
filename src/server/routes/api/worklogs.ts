import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import type { WorklogEntry } from "../../../store/worklog-repository.js";
import { authErrors, checkRange, conflictResponse, daySchema, instantSchema, notFoundResponse, isoInstant, personIdSchema, rangeQuery, readScopeOf, requireOwner, writeBackSchema, type ApiApp, type ApiDeps } from "./common.js";
import { requestWriteBack } from "./write-back.js";

const worklogSchema = z
  .object({
    id: z.number().int(),
    issueId: z.number().int(),
    issueKey: z.string(),
    personId: z.number().int().nullable().describe("null for a Jira worklog whose author is not matched to a person"),
    startedAt: instantSchema,
    tz: z.string().describe("IANA zone the worklog's day is counted in"),
    day: daySchema,
    seconds: z.number().int(),
    origin: z.enum(["jira", "confirmed"]).describe('"confirmed" for worklogs accepted in worklens, "jira" for worklogs read from Jira'),
    comment: z.string().nullable().describe("the comment entered when the suggestion was edited; always null for worklogs read from Jira"),
    writeBack: writeBackSchema.nullable().describe("null for worklogs read from Jira"),
    remoteId: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    nextAttemptAt: instantSchema.nullable().describe("when a failed write-back is tried again; null when it is not retried without a request"),
    writtenAt: instantSchema.nullable(),
  })
  .meta({ id: "Worklog" });

/** Convert a worklog to the API's form. Comments of Jira worklogs stay in Jira, because people wrote them for Jira, not for worklens. */
function toWorklog(entry: WorklogEntry) {
  return {
    id: entry.id,
    issueId: entry.issueId,
    issueKey: entry.issueKey,
    personId: entry.personId,
    startedAt: isoInstant(entry.startedAt),
    tz: entry.tz,
    day: entry.day,
    seconds: entry.seconds,
    origin: entry.origin,
    comment: entry.origin === "confirmed" ? entry.comment : null,
    writeBack: entry.writeBack,
    remoteId: entry.remoteId,
    attempts: entry.attempts,
    lastError: entry.lastError,
    nextAttemptAt: entry.nextAttemptAt === null ? null : isoInstant(entry.nextAttemptAt),
    writtenAt: entry.writtenAt === null ? null : isoInstant(entry.writtenAt),
  };
}

/** Register the routes of worklogs read from Jira and confirmed in worklens, with their write-back state. */
export function worklogRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store } = deps;

  api.get(
    "/worklogs",
    {
      config: { access: "person-or-admin", audit: "read.worklogs" },
      schema: {
        operationId: "listWorklogs",
        tags: ["worklogs"],
        summary: "List worklogs of a day range",
        querystring: z.object({
          ...rangeQuery,
          person: personIdSchema.optional(),
          origin: z.enum(["jira", "confirmed"]).optional(),
          writeBack: writeBackSchema.optional().describe("list only confirmed worklogs in this write-back state"),
        }),
        response: { 200: z.object({ data: z.array(worklogSchema) }).describe("worklogs ordered by day and start"), ...authErrors },
      },
    },
    async (request) => {
      const { from, to, person, origin, writeBack } = request.query;
      checkRange(from, to);
      const personId = await readScopeOf(request, store, person);
      const entries = await store.worklogs.list({ personId, from, to, origin, writeBack });
      return { data: entries.map(toWorklog) };
    },
  );

  api.post(
    "/worklogs/:id/retry-write-back",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "retryWriteBack",
        tags: ["worklogs"],
        summary: "Queue a failed write-back again",
        params: z.object({ id: z.coerce.number().int().positive().describe("worklog id") }),
        response: { 202: z.object({ data: worklogSchema, writeBackJob: z.string().nullable() }).describe("the worklog, pending again"), ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const entry = await store.worklogs.get(id);
      if (entry === undefined) throw new WorklensError("NOT_FOUND", `worklog ${String(id)} not found`, "list the worklogs with GET /worklogs to see their ids");
      requireOwner(request, entry.personId, `worklog ${String(id)}`);
      if (entry.origin !== "confirmed") {
        throw new WorklensError("CONFLICT", `worklog ${String(id)} was read from Jira, so worklens does not write it back`, "only worklogs accepted in worklens are written back");
      }
      if (!(await store.worklogs.retry(id))) {
        throw new WorklensError("CONFLICT", `worklog ${String(id)} has write-back state ${entry.writeBack ?? "none"}, not failed`, "only a failed write-back can be retried; a pending one is written on the next run");
      }
      request.log.info({ worklogId: id }, "write-back queued again");
      const writeBackJob = await requestWriteBack(deps, request);
      const updated = await store.worklogs.get(id);
      if (updated === undefined) throw new Error(`worklog ${String(id)} vanished after its retry was recorded`);
      return reply.code(202).send({ data: toWorklog(updated), writeBackJob });
    },
  );
}
