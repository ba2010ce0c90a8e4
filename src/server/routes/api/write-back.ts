import type { FastifyRequest } from "fastify";
import type { ApiDeps } from "./common.js";

/**
 * Ask the integrations to write due worklogs back, after a decision that created or
 * re-queued one. Returns the job id, or null when no job was queued: none is
 * configured, one already waits, or queueing failed. A failure is logged and not
 * raised, because the decision is already stored and the scheduled write-back picks
 * the worklog up later.
 */
export async function requestWriteBack(deps: ApiDeps, request: FastifyRequest): Promise<string | null> {
  if (deps.integrations === undefined) return null;
  try {
    return await deps.integrations.requestWriteBack();
  } catch (error) {
    request.log.error({ err: error }, "queueing the write-back failed; the decision is stored and waits for the next write-back run");
    return null;
  }
}
