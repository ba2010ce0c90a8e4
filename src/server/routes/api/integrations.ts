import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import type { IntegrationsPort, IntegrationStatus } from "../../../integrations/port.js";
import type { SyncRun } from "../../../store/sync-run-repository.js";
import { authErrors, instantSchema, isoInstant, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

const syncRunSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["sync", "push", "write-back"]),
  status: z.enum(["running", "succeeded", "failed"]),
  startedAt: instantSchema,
  finishedAt: instantSchema.nullable(),
  summary: z.unknown().describe("the run's report as the connector returned it: counts and skipped records"),
  error: z.string().nullable(),
});

const integrationSchema = z
  .object({
    name: z.string(),
    kind: z.enum(["jira", "github", "gitlab", "ics"]),
    target: z.string().describe("where it reads from: a base URL's host or the feed host; never credentials"),
    everyMinutes: z.number().int().nullable().describe("minutes between scheduled syncs; null when it syncs only on request"),
    writeBack: z.boolean(),
    lastRun: syncRunSchema.nullable(),
    lastSuccess: syncRunSchema.nullable(),
  })
  .meta({ id: "Integration" });

function toRun(run: SyncRun | null) {
  if (run === null) return null;
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    startedAt: isoInstant(run.startedAt),
    finishedAt: run.finishedAt === null ? null : isoInstant(run.finishedAt),
    summary: run.summary,
    error: run.error,
  };
}

function toIntegration(status: IntegrationStatus) {
  return { ...status, lastRun: toRun(status.lastRun), lastSuccess: toRun(status.lastSuccess) };
}

function requirePort(deps: ApiDeps): IntegrationsPort {
  if (deps.integrations === undefined) {
    throw new WorklensError("NOT_FOUND", "this server runs without integrations", "add integrations to the JSON config file given with --config (docs/integrations.md), then restart `worklens serve`");
  }
  return deps.integrations;
}

/** Register the routes of configured pull integrations: their state and on-demand syncs, for the admin token only. */
export function integrationRoutes(api: ApiApp, deps: ApiDeps): void {
  api.get(
    "/integrations",
    {
      config: { access: "admin" },
      schema: {
        operationId: "listIntegrations",
        tags: ["integrations"],
        summary: "List configured integrations with their last runs",
        security: [{ adminToken: [] }],
        response: { 200: z.object({ data: z.array(integrationSchema) }).describe("configured integrations"), ...authErrors, 404: notFoundResponse },
      },
    },
    async () => {
      const statuses = await requirePort(deps).list();
      return { data: statuses.map(toIntegration) };
    },
  );

  api.post(
    "/integrations/:name/sync",
    {
      config: { access: "admin" },
      schema: {
        operationId: "syncIntegration",
        tags: ["integrations"],
        summary: "Queue a sync of one integration now",
        security: [{ adminToken: [] }],
        params: z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected an integration name: lower-case letters, digits and dashes") }),
        response: {
          202: z
            .object({
              status: z.enum(["queued", "already queued"]),
              jobId: z.string().nullable().describe("id of the queued job; null when a sync of this integration already waits"),
            })
            .describe("the sync is queued, or one already waits"),
          ...authErrors,
          404: notFoundResponse,
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const jobId = await requirePort(deps).requestSync(name);
      request.log.info({ integration: name, jobId }, jobId === null ? "sync already queued" : "sync queued");
      return reply.code(202).send(jobId === null ? { status: "already queued", jobId: null } : { status: "queued", jobId });
    },
  );
}
