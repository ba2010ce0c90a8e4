import { Readable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { erasePerson } from "../../../governance/person-erase.js";
import { exportPerson } from "../../../governance/person-export.js";
import { purgeExpired } from "../../../governance/purge.js";
import { RETENTION_CLASSES } from "../../../privacy/retention.js";
import { actorOf, personOf } from "../../auth/hook.js";
import { authErrors, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

const personParams = z.object({ id: z.coerce.number().int().positive().describe("person id, as GET /people lists them") });

const exportResponse = z.looseObject({}).describe("everything stored about the person as one JSON document (`worklens privacy export` writes the same document); streamed");

const countsSchema = z.record(z.string(), z.number().int());

const receiptSchema = z
  .object({
    kind: z.literal("worklens.deletion-receipt"),
    version: z.literal(1),
    person: z.string().describe("HMAC-SHA-256 of the person id under a store secret, base64url"),
    deletedAt: z.string(),
    deleted: countsSchema.describe("rows deleted per table"),
    detached: countsSchema.describe("rows of others that referred to the person and now refer to no one, per table.column"),
    redacted: countsSchema.describe('rows of others whose text named the person, per table; the name and e-mail now read "[deleted person]"'),
    keyDestroyed: z.boolean().describe("whether the person's data key existed and was destroyed"),
    worklogsInJira: z.number().int().describe("worklogs that also exist in Jira; worklens cannot delete those copies"),
    writeBacksCancelled: z.number().int().describe("confirmed worklogs deleted before they were written to Jira"),
    storage: z.string().describe("how freed storage was cleared"),
    sha256: z.string().describe("SHA-256 (hex) of the receipt's JSON without this field"),
  })
  .describe("the deletion receipt");

const purgeBody = z
  .strictObject({ dryRun: z.boolean().optional().describe("count what would be removed and remove nothing; default false") })
  .nullish();

const purgeReportSchema = z
  .object({
    at: z.string(),
    dryRun: z.boolean(),
    classes: z.array(
      z.object({
        dataClass: z.enum(RETENTION_CLASSES),
        days: z.number().int().nullable().describe("days kept; null when the class is kept forever"),
        cutoff: z.string().nullable().describe("rows older than this instant were removed; null when the class is kept forever"),
        removed: countsSchema.describe("rows removed per table (in a dry run: that would be removed)"),
        kept: countsSchema.describe("rows older than the cut-off kept on purpose, per reason"),
      }),
    ),
    totalRemoved: z.number().int(),
  })
  .describe("what the purge removed per data class");

/** Sends an export as a stream, so the server keeps one page of activities in memory at a time. */
async function sendExport(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps, personId: number): Promise<void> {
  const principal = request.principal;
  const actor = principal === null ? "admin" : actorOf(principal);
  const chunks = await exportPerson(deps.store, personId, { now: deps.clock(), actor });
  request.log.info({ personId }, "person exported");
  void reply.type("application/json; charset=utf-8").header("content-disposition", `attachment; filename="worklens-person-${String(personId)}.json"`).send(Readable.from(chunks));
}

/**
 * Registers the privacy routes: the admin's export and hard delete of any person and
 * retention purge, and a person's export of their own data.
 */
export function privacyRoutes(api: ApiApp, deps: ApiDeps): void {
  api.get(
    "/privacy/people/:id/export",
    {
      config: { access: "admin" },
      schema: {
        operationId: "exportPerson",
        tags: ["privacy"],
        summary: "Export everything stored about one person as one JSON document",
        description: "Audited as privacy.export. API key digests are never included.",
        security: [{ adminToken: [] }],
        params: personParams,
        response: { 200: exportResponse, ...authErrors, 404: notFoundResponse },
      },
    },
    async (request, reply) => {
      await sendExport(request, reply, deps, request.params.id);
      return reply;
    },
  );

  api.get(
    "/privacy/me/export",
    {
      config: { access: "person" },
      schema: {
        operationId: "exportMe",
        tags: ["privacy"],
        summary: "Export everything stored about the API key's own person as one JSON document",
        description: "Audited as privacy.export with the person as actor and subject.",
        response: { 200: exportResponse, ...authErrors, 404: notFoundResponse },
      },
    },
    async (request, reply) => {
      await sendExport(request, reply, deps, personOf(request).personId);
      return reply;
    },
  );

  api.delete(
    "/privacy/people/:id",
    {
      config: { access: "admin" },
      schema: {
        operationId: "deletePerson",
        tags: ["privacy"],
        summary: "Delete a person for good and return the deletion receipt",
        description:
          "Deletes the person's rows in one transaction, destroys their data key and compacts the store. " +
          "Worklogs already in Jira stay there; the receipt counts them. Audited as privacy.delete.",
        security: [{ adminToken: [] }],
        params: personParams,
        response: { 200: z.object({ data: receiptSchema }), ...authErrors, 404: notFoundResponse },
      },
    },
    async (request) => {
      const principal = request.principal;
      const actor = principal === null ? "admin" : actorOf(principal);
      const receipt = await erasePerson(deps.store, request.params.id, { now: deps.clock(), actor });
      request.log.info({ personId: request.params.id, keyDestroyed: receipt.keyDestroyed }, "person deleted");
      return { data: receipt };
    },
  );

  api.post(
    "/privacy/purge",
    {
      config: { access: "admin" },
      schema: {
        operationId: "purgeExpired",
        tags: ["privacy"],
        summary: "Remove data older than its class's retention period",
        description: "Audited as privacy.purge unless dryRun is true.",
        security: [{ adminToken: [] }],
        body: purgeBody,
        response: { 200: z.object({ data: purgeReportSchema }), ...authErrors },
      },
    },
    async (request) => {
      const principal = request.principal;
      const actor = principal === null ? "admin" : actorOf(principal);
      const report = await purgeExpired(deps.store, { now: deps.clock(), dryRun: request.body?.dryRun === true, actor });
      request.log.info({ dryRun: report.dryRun, totalRemoved: report.totalRemoved }, "retention purge finished");
      return { data: report };
    },
  );
}
