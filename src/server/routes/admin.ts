import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import { GRANTABLE_ROLES, isGrantableRole } from "../../privacy/roles.js";
import type { Store } from "../../store/store.js";
import { createApiKey, wakatimeIdentity } from "../auth/api-keys.js";
import type { AuditSink } from "../auth/audit-hooks.js";
import { actorOf } from "../auth/hook.js";
import { formatIssues } from "../errors.js";

export interface AdminRouteOptions {
  store: Store;
  clock: () => number;
  audit: AuditSink;
}

const createKeyBody = z.strictObject({ person: z.string().min(3).max(320) });
const keyIdParams = z.object({ id: z.coerce.number().int().positive() });
const roleParams = z.object({ id: z.coerce.number().int().positive(), role: z.string() });

function actorOfRequest(request: FastifyRequest): string {
  if (request.principal === null) throw new Error("admin route reached without a principal");
  return actorOf(request.principal);
}

/**
 * Key and role management for the admin token or a person with the admin role, the
 * HTTP form of `worklens keys` and `worklens roles`.
 */
export function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const { store, clock, audit } = options;

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
    await audit.append({ at: clock(), actor: actorOfRequest(request), action: "keys.create", subject: `person:${String(created.personId)}`, details: { keyId: created.id } });
    request.log.info({ keyId: created.id, personId: created.personId }, "API key created");
    return reply.code(201).send({ data: { id: created.id, personId: created.personId, key: created.secret } });
  });

  app.delete("/keys/:id", { config: { access: "admin" } }, async (request, reply) => {
    const params = keyIdParams.safeParse(request.params);
    if (!params.success) {
      throw new WorklensError("USAGE", `invalid key id: ${formatIssues(params.error.issues)}`, "use a key id from GET /api/admin/keys");
    }
    await store.keys.revoke(params.data.id, clock());
    await audit.append({ at: clock(), actor: actorOfRequest(request), action: "keys.revoke", details: { keyId: params.data.id } });
    request.log.info({ keyId: params.data.id }, "API key revoked");
    return reply.code(204).send();
  });

  app.get("/roles", { config: { access: "admin" } }, async () => ({ data: await store.roles.list() }));

  app.put("/people/:id/roles/:role", { config: { access: "admin" } }, async (request, reply) => {
    const { personId, role } = parseRoleParams(request.params);
    const granted = await store.roles.grant(personId, role);
    if (granted) await audit.append({ at: clock(), actor: actorOfRequest(request), action: "role.change", subject: `person:${String(personId)}`, details: { grant: role } });
    request.log.info({ personId, role, changed: granted }, "role granted");
    return reply.code(200).send({ data: { personId, roles: await store.roles.rolesOf(personId) } });
  });

  app.delete("/people/:id/roles/:role", { config: { access: "admin" } }, async (request, reply) => {
    const { personId, role } = parseRoleParams(request.params);
    const revoked = await store.roles.revoke(personId, role);
    if (revoked) await audit.append({ at: clock(), actor: actorOfRequest(request), action: "role.change", subject: `person:${String(personId)}`, details: { revoke: role } });
    request.log.info({ personId, role, changed: revoked }, "role revoked");
    return reply.code(200).send({ data: { personId, roles: await store.roles.rolesOf(personId) } });
  });

  return Promise.resolve();
}

function parseRoleParams(raw: unknown): { personId: number; role: (typeof GRANTABLE_ROLES)[number] } {
  const params = roleParams.safeParse(raw);
  if (!params.success) {
    throw new WorklensError("USAGE", `invalid person id: ${formatIssues(params.error.issues)}`, "use a person id from GET /api/worklens/v1/people");
  }
  const { id, role } = params.data;
  if (!isGrantableRole(role)) {
    throw new WorklensError("USAGE", `invalid role "${role.slice(0, 40)}"`, `use one of ${GRANTABLE_ROLES.join(", ")}; every person is a member without a grant`);
  }
  return { personId: id, role };
}
