import type { FastifyRequest } from "fastify";
import type { IntegrationsPort } from "../../integrations/port.js";

/**
 * Queues a refresh of suggestions without delaying the response: the activity is
 * stored already, and a failure to queue only delays the suggestions until the next
 * refresh, so it is logged and not sent to the client.
 */
export function requestRefresh(request: FastifyRequest, integrations: IntegrationsPort): void {
  integrations.requestRefresh().catch((error: unknown) => {
    request.log.error({ err: error }, "suggestion refresh could not be queued");
  });
}
