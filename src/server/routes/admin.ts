import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import type { Store } from "../../store/store.js";
import { createApiKey, wakatimeIdentity } from "../auth/api-keys.js";
import { formatIssues } from "../errors.js";

export interface AdminRouteOptions {
  store: Store;
  clock: () => number;
}

const createKeyBody = z.strictObject({ person: z.string().min(3).max(320) });
const keyIdParams = z.object({ id: z.coerce.number().int().positive() });

/** Key management for the administrator token, the HTTP form of `worklens keys`. */
export function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const { store, clock } = options;

  app.get("/keys", { config: { access: "admin" } }, async () => ({ data: await store.keys.list() }));

  app.post("/keys", { config: { access: "admin" } }, async (request, reply) => {
    const body = createKeyBody.safeParse(request.body);
    if (!body.success) {
      throw new WorklensError("USAGE", `invalid request body: ${formatIssues(body.error.issues)}`, 'send {"person": "EMAIL"}');
    }
    const identity = wakatimeIdentity(body.data.person);
    if (identity === undefined) {
      throw new WorklensError("USAGE", "invalid request body: person: not an e-mail address", "send the e-mail address the person uses in Jira or git");
    }
    const created = await store.transaction((tx) => createApiKey(tx, identity, clock()));
    request.log.info({ keyId: created.id, personId: created.personId }, "API key created");
    return reply.code(201).send({ data: { id: created.id, personId: created.personId, key: created.secret } });
  });

  app.delete("/keys/:id", { config: { access: "admin" } }, async (request, reply) => {
    const params = keyIdParams.safeParse(request.params);
    if (!params.success) {
      throw new WorklensError("USAGE", `invalid key id: ${formatIssues(params.error.issues)}`, "use a key id from GET /api/admin/keys");
    }
    await store.keys.revoke(params.data.id, clock());
    request.log.info({ keyId: params.data.id }, "API key revoked");
    return reply.code(204).send();
  });

  return Promise.resolve();
}
