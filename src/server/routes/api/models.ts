import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import { MODEL_KINDS, MODEL_STATUSES, type DriftRecord, type ModelKind, type ModelSummary } from "../../../store/model-types.js";
import { DEFAULT_DRIFT_TOLERANCE } from "../../../training/drift.js";
import { recordedHoldoutError } from "../../../training/gate.js";
import { actorOf } from "../../auth/hook.js";
import { authErrors, conflictResponse, daySchema, instantSchema, isoInstant, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

const MS_PER_DAY = 86_400_000;

const kindSchema = z.enum(MODEL_KINDS).describe('"linking" links activities to issues; "time" estimates time per person, day and issue');

const modelEntrySchema = z
  .object({
    id: z.number().int(),
    kind: kindSchema,
    version: z.number().int().describe("version within the kind, from 1"),
    status: z.enum(MODEL_STATUSES).describe("candidate: waits for a decision; live: serves suggestions; retired: was live before; rejected: lost the promotion gate"),
    trainedAt: instantSchema.describe("when the model was trained and registered"),
    trainingWindow: z.object({ from: daySchema, to: daySchema }).nullable().describe("the days of the feedback it was trained on"),
    metrics: z.record(z.string(), z.number()).describe("the trainer's metrics and the held-out errors the promotion gate measured (holdout_error, reference_error)"),
    live: z.boolean().describe("whether it serves suggestions now"),
  })
  .describe("a registered model, without its trees");

const driftSchema = z
  .object({
    threshold: z
      .number()
      .nullable()
      .describe("observed error above which a check counts as drift: the held-out error of the model checked last in the range (else of the live model) times 1 plus the tolerance; null when neither exists"),
    points: z.array(
      z.object({
        at: instantSchema.describe("when the check ran"),
        error: z.number().describe("error between suggestions and people's confirmed values over the days before the check"),
        retrained: z.boolean().describe("whether the drift led to a retrained candidate"),
      }),
    ),
  })
  .describe("drift checks of one kind, oldest first");

const retrainSchema = z
  .object({
    status: z.enum(["queued", "unavailable"]).describe("queued: a training job waits to run; unavailable: this server cannot train, and the message says why"),
    message: z.string().describe("what happens next, or what to install"),
  })
  .describe("what became of the request; training itself runs in the background");

function toEntry(model: ModelSummary) {
  return {
    id: model.id,
    kind: model.kind,
    version: model.version,
    status: model.status,
    trainedAt: isoInstant(model.createdAt),
    trainingWindow: { from: model.window.from, to: model.window.to },
    metrics: model.metrics,
    live: model.status === "live",
  };
}

function actor(request: FastifyRequest): string {
  if (request.principal === null) throw new Error("model route reached without a principal");
  return actorOf(request.principal);
}

/** Returns the threshold drawn in the drift chart; undefined when no checked or live model has a held-out error. */
async function driftThreshold(deps: ApiDeps, kind: ModelKind, points: readonly DriftRecord[]): Promise<number | undefined> {
  // NOTE: a check stores its model's held-out error but not its tolerance. The training
  // job always checks with the default tolerance, so the threshold is derived from it.
  const baseline = points.at(-1)?.baselineError ?? (await liveBaseline(deps, kind));
  return baseline === undefined ? undefined : baseline * (1 + DEFAULT_DRIFT_TOLERANCE);
}

async function liveBaseline(deps: ApiDeps, kind: ModelKind): Promise<number | undefined> {
  const live = (await deps.store.models.list(kind)).find((model) => model.status === "live");
  return live === undefined ? undefined : recordedHoldoutError(live);
}

/** Returns the epoch milliseconds from the start of `from` to the end of `to`, both UTC days. An absent day leaves that end open. */
function dayBounds(from: string | undefined, to: string | undefined): { start: number; end: number } {
  if (from !== undefined && to !== undefined && to < from) {
    throw new WorklensError("USAGE", "invalid range: to is before from", "pass from and to as YYYY-MM-DD with from on or before to");
  }
  return {
    start: from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(`${from}T00:00:00Z`),
    end: to === undefined ? Number.POSITIVE_INFINITY : Date.parse(`${to}T00:00:00Z`) + MS_PER_DAY,
  };
}

/**
 * Asks the integrations port to queue the training job for one kind. A server without a
 * job queue has nowhere to run training off the request, so its message names the command that trains.
 */
async function requestRetrain(deps: ApiDeps, kind: ModelKind): Promise<{ status: "queued" | "unavailable"; message: string; jobId: string | null }> {
  const port = deps.integrations;
  if (port?.requestRetrain === undefined) {
    return {
      status: "unavailable",
      message: `this server runs no background jobs, so it cannot train models; run "worklens train --kind ${kind}" on the server's machine, or start the server with "worklens serve", which runs them`,
      jobId: null,
    };
  }
  let jobId: string | null;
  try {
    jobId = await port.requestRetrain(kind);
  } catch (error) {
    if (!(error instanceof WorklensError && error.code === "UNAVAILABLE")) throw error;
    return { status: "unavailable", message: error.hint === undefined ? error.message : `${error.message}; ${error.hint}`, jobId: null };
  }
  const gate = `it trains a ${kind} candidate on past feedback and makes it live only if its error on the last 14 days of feedback is lower than the live model's`;
  return {
    status: "queued",
    message: jobId === null ? `a ${kind} training job already waits; ${gate}` : `the ${kind} training job is queued; ${gate}`,
    jobId,
  };
}

/** Register the routes of model status, drift history, retraining and rollback. */
export function modelRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store, clock } = deps;

  api.get(
    "/models",
    {
      config: { access: "auditor" },
      schema: {
        operationId: "listModels",
        tags: ["models"],
        summary: "List registered models, by kind and newest version first",
        querystring: z.object({ kind: kindSchema.optional().describe("only models of this kind") }),
        response: { 200: z.object({ data: z.array(modelEntrySchema) }).describe("registered models"), ...authErrors },
      },
    },
    async (request) => ({ data: (await store.models.list(request.query.kind)).map(toEntry) }),
  );

  api.get(
    "/models/drift",
    {
      config: { access: "auditor" },
      schema: {
        operationId: "listModelDrift",
        tags: ["models"],
        summary: "Drift checks of one kind's live model over time, with the threshold of drift",
        description: "The training job checks each kind once a day: the error of recent suggestions against what people confirmed.",
        querystring: z.object({
          kind: kindSchema,
          from: daySchema.optional().describe("first day of checks, YYYY-MM-DD (UTC), included; the oldest check when absent"),
          to: daySchema.optional().describe("last day of checks, YYYY-MM-DD (UTC), included; the newest check when absent"),
        }),
        response: { 200: z.object({ data: driftSchema }), ...authErrors },
      },
    },
    async (request) => {
      const { kind, from, to } = request.query;
      const { start, end } = dayBounds(from, to);
      const points = (await store.models.driftHistory(kind)).filter((check) => check.checkedAt >= start && check.checkedAt < end);
      const threshold = await driftThreshold(deps, kind, points);
      return {
        data: {
          threshold: threshold ?? null,
          points: points.map((check) => ({ at: isoInstant(check.checkedAt), error: check.error, retrained: check.action === "retrained" })),
        },
      };
    },
  );

  api.post(
    "/models/:kind/retrain",
    {
      config: { access: "admin" },
      schema: {
        operationId: "retrainModel",
        tags: ["models"],
        summary: "Queue training of one kind through the promotion gate",
        description:
          "Answers at once; the training job runs in the background and promotes the candidate only when it beats the live model. " +
          'Audited as model.retrain. Status "unavailable" says what to install.',
        security: [{ adminToken: [] }],
        params: z.object({ kind: kindSchema }),
        response: { 202: z.object({ data: retrainSchema }), ...authErrors },
      },
    },
    async (request, reply) => {
      const { kind } = request.params;
      const result = await requestRetrain(deps, kind);
      if (result.status === "queued") {
        await store.audit.append({ at: clock(), actor: actor(request), action: "model.retrain", details: { kind, jobId: result.jobId } });
      }
      request.log.info({ kind, status: result.status, jobId: result.jobId }, "model retraining requested");
      return reply.code(202).send({ data: { status: result.status, message: result.message } });
    },
  );

  api.post(
    "/models/:id/rollback",
    {
      config: { access: "admin" },
      schema: {
        operationId: "rollbackModel",
        tags: ["models"],
        summary: "Retire a live model and make the previously live model of its kind live again",
        description: "The id must be the live model of its kind. Returns the restored model. Audited as model.rollback.",
        security: [{ adminToken: [] }],
        params: z.object({ id: z.coerce.number().int().positive().describe("id of the live model, as GET /models lists it") }),
        response: { 200: z.object({ data: modelEntrySchema }), ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request) => {
      const { id } = request.params;
      const by = actor(request);
      const restored = await store.transaction(async (tx) => {
        const models = await tx.models.list();
        const model = models.find((m) => m.id === id);
        if (model === undefined) throw new WorklensError("NOT_FOUND", `no model with id ${String(id)}`, "GET /models lists the model ids");
        if (model.status !== "live") {
          const live = models.find((m) => m.kind === model.kind && m.status === "live");
          throw new WorklensError(
            "CONFLICT",
            `model ${String(id)} (${model.kind} v${String(model.version)}) is ${model.status}, not live: only the live model of a kind can be rolled back`,
            live === undefined ? `no ${model.kind} model is live` : `roll back the live ${model.kind} model, id ${String(live.id)}`,
          );
        }
        const result = await tx.models.rollback(model.kind, `by ${by}`, clock());
        await tx.audit.append({
          at: clock(),
          actor: by,
          action: "model.rollback",
          details: { kind: model.kind, fromModelId: model.id, fromVersion: model.version, toModelId: result.id, toVersion: result.version },
        });
        return result;
      });
      request.log.info({ kind: restored.kind, modelId: restored.id }, "model rolled back");
      return { data: toEntry(restored) };
    },
  );
}
