import type { FastifyReply } from "fastify";
import { z } from "zod";
import { CSV_COLUMNS, hours, toCsv } from "../../../insights/format.js";
import { loadWorklogRows, summarize, type WorklogRow } from "../../../insights/worklog-report.js";
import { authErrors, checkRange, daySchema, evidenceSchema, personIdSchema, rangeQuery, scopeOf, toEvidence, type ApiApp, type ApiDeps } from "./common.js";

const reportRowSchema = z.object({
  personId: z.number().int(),
  person: z.string().describe('display name, or "person <id>" when none is known; never an e-mail address'),
  day: daySchema,
  issueKey: z.string().nullable(),
  project: z.string().nullable(),
  seconds: z.number().int(),
  hours: z.number(),
  confidence: z.number(),
  evidence: z.array(evidenceSchema),
});

const reportSchema = z
  .object({
    rows: z.array(reportRowSchema),
    summary: z.object({
      people: z.number().int(),
      personDays: z.number().int(),
      days: z.number().int(),
      totalSeconds: z.number().int(),
      linkedSeconds: z.number().int(),
      linkedShare: z.number().describe("linkedSeconds / totalSeconds, 0 when nothing was worked"),
      secondsByProject: z.array(z.object({ project: z.string(), seconds: z.number().int() })),
    }),
  })
  .meta({ id: "WorklogReport" });

/**
 * Rows of the report with each person named by display name only. loadWorklogRows
 * falls back to the e-mail address, which the API does not show.
 */
async function reportRows(deps: ApiDeps, from: string, to: string, personId: number | undefined): Promise<WorklogRow[]> {
  const names = new Map((await deps.store.people.list()).map((p) => [p.id, p.displayName]));
  const rows = await loadWorklogRows(deps.store, from, to);
  return rows
    .filter((row) => personId === undefined || row.personId === personId)
    .map((row) => ({ ...row, person: names.get(row.personId) ?? `person ${String(row.personId)}` }));
}

/**
 * Send CSV text as it is. A reply with a text/csv content type skips the route's
 * serializer, whose zod schema describes the JSON form only.
 */
function sendCsv(reply: FastifyReply, fileName: string, csv: string): void {
  void reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${fileName}"`).send(csv);
}

/** Register the suggested-worklog report of `worklens report`, as JSON or CSV. */
export function reportRoutes(api: ApiApp, deps: ApiDeps): void {
  api.get(
    "/reports/worklogs",
    {
      config: { access: "person-or-admin", audit: "read.reports" },
      schema: {
        operationId: "worklogReport",
        tags: ["reports"],
        summary: "Suggested worklogs of a day range with a summary, as JSON or CSV",
        description: `With format=csv the response is text/csv with the columns ${CSV_COLUMNS.join(", ")}.`,
        querystring: z.object({
          ...rangeQuery,
          person: personIdSchema.optional(),
          format: z.enum(["json", "csv"]).default("json"),
        }),
        response: { 200: z.object({ data: reportSchema }).describe("the report rows and their summary; text/csv with format=csv"), ...authErrors },
      },
    },
    async (request, reply) => {
      const { from, to, person, format } = request.query;
      checkRange(from, to);
      const rows = await reportRows(deps, from, to, scopeOf(request, person));
      if (format === "csv") {
        sendCsv(reply, `worklogs-${from}-${to}.csv`, toCsv(rows));
        return reply;
      }
      const data = {
        rows: rows.map((row) => ({
          ...row,
          hours: Number(hours(row.seconds)),
          evidence: row.evidence.map(toEvidence),
        })),
        summary: summarize(rows),
      };
      return reply.send({ data });
    },
  );
}
