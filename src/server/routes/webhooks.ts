import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { IntegrationsPort } from "../../integrations/port.js";
import type { Store } from "../../store/store.js";
import { requestRefresh } from "./refresh.js";
import { errorBody } from "../errors.js";
import { takeActivityDelivery, takeJiraDelivery, type DeliveryOutcome, type WebhookSource } from "../webhook-intake/intake.js";
import {
  decodeJsonBody,
  gitlabDeliveryId,
  parseGithubWebhook,
  parseGitlabWebhook,
  parseJiraWebhook,
  singleHeader,
  verifyGithubSignature,
  verifyGitlabToken,
  verifyJiraSignature,
  type VerifyResult,
} from "../webhooks/index.js";

export interface WebhookRouteOptions {
  store: Store;
  clock: () => number;
  bodyLimit: number;
  /** Each route is registered only when its secret is set. */
  secrets: { github: string | undefined; gitlab: string | undefined; jira: string | undefined };
  /** Told about stored activity and truncated pushes; absent in apps without jobs. */
  integrations?: IntegrationsPort | undefined;
}

/** Setting and variable of each vendor's secret, named in hints. Hints never contain the value. */
const SECRET_SETTING: Readonly<Record<WebhookSource, string>> = {
  github: "github.webhookSecret (WORKLENS_GITHUB_WEBHOOK_SECRET)",
  gitlab: "gitlab.webhookToken (WORKLENS_GITLAB_WEBHOOK_TOKEN)",
  jira: "jira.webhookSecret (WORKLENS_JIRA_WEBHOOK_SECRET)",
};

/**
 * Register POST /github, /gitlab and /jira under a prefix such as /api/webhooks. They
 * take no API key: the vendor's signature or token authenticates each delivery, and
 * it is checked on the raw body before anything is parsed or stored.
 */
export function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  const { store, clock, bodyLimit, secrets } = options;

  // Scoped to this plugin: the body stays the bytes the vendor signed, whatever its
  // content type, and decodeJsonBody reads it after verification.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit }, (_request, body, done) => {
    done(null, body);
  });
  const route = { config: { access: "webhook" as const }, bodyLimit };

  const github = secrets.github;
  if (github !== undefined) {
    app.post("/github", route, async (request, reply) => {
      const raw = rawBody(request);
      const verified = verifyGithubSignature(raw, singleHeader(request.headers["x-hub-signature-256"]), github);
      if (!verified.ok) return unauthorized(request, reply, "github", verified);
      const decoded = decodeJsonBody(raw);
      if (!decoded.ok) return invalidBody(request, reply, "github", decoded.reason);

      const parsed = parseGithubWebhook({
        event: singleHeader(request.headers["x-github-event"]),
        deliveryId: singleHeader(request.headers["x-github-delivery"]),
        body: decoded.value,
      });
      return respond(request, reply, "github", parsed.deliveryId, await takeActivityDelivery(store, "github", parsed, clock()), options.integrations);
    });
  }

  const gitlab = secrets.gitlab;
  if (gitlab !== undefined) {
    app.post("/gitlab", route, async (request, reply) => {
      const raw = rawBody(request);
      const verified = verifyGitlabToken(singleHeader(request.headers["x-gitlab-token"]), gitlab);
      if (!verified.ok) return unauthorized(request, reply, "gitlab", verified);
      const decoded = decodeJsonBody(raw);
      if (!decoded.ok) return invalidBody(request, reply, "gitlab", decoded.reason);

      const parsed = parseGitlabWebhook({
        event: singleHeader(request.headers["x-gitlab-event"]),
        deliveryId: gitlabDeliveryId(singleHeader(request.headers["idempotency-key"]), singleHeader(request.headers["x-gitlab-event-uuid"])),
        body: decoded.value,
      });
      return respond(request, reply, "gitlab", parsed.deliveryId, await takeActivityDelivery(store, "gitlab", parsed, clock()), options.integrations);
    });
  }

  const jira = secrets.jira;
  if (jira !== undefined) {
    app.post("/jira", route, async (request, reply) => {
      const raw = rawBody(request);
      const verified = verifyJiraSignature(raw, singleHeader(request.headers["x-hub-signature"]), jira);
      if (!verified.ok) return unauthorized(request, reply, "jira", verified);
      const decoded = decodeJsonBody(raw);
      if (!decoded.ok) return invalidBody(request, reply, "jira", decoded.reason);

      const parsed = parseJiraWebhook({ deliveryId: singleHeader(request.headers["x-atlassian-webhook-identifier"]), body: decoded.value });
      return respond(request, reply, "jira", parsed.deliveryId, await takeJiraDelivery(store, parsed, clock()), options.integrations);
    });
  }

  return Promise.resolve();
}

/** Returns the body as received, or an empty buffer for a request without a body, which then fails verification. */
function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

function unauthorized(request: FastifyRequest, reply: FastifyReply, source: WebhookSource, verified: Extract<VerifyResult, { ok: false }>): FastifyReply {
  request.log.info({ source, reason: verified.reason }, "webhook delivery rejected: verification failed");
  return reply.code(401).send(errorBody(`${source} webhook verification failed: ${verified.reason}`, `set the same secret on the ${source} webhook and in ${SECRET_SETTING[source]}`));
}

function invalidBody(request: FastifyRequest, reply: FastifyReply, source: WebhookSource, reason: string): FastifyReply {
  request.log.info({ source, reason }, "webhook delivery rejected: body is not JSON");
  return reply.code(400).send(errorBody(`invalid ${source} webhook body: ${reason}`, "set the webhook's content type to application/json"));
}

function respond<C extends object>(
  request: FastifyRequest,
  reply: FastifyReply,
  source: WebhookSource,
  deliveryId: string | undefined,
  outcome: DeliveryOutcome<C>,
  integrations: IntegrationsPort | undefined,
): FastifyReply {
  const ids = { source, event: outcome.event, deliveryId };
  switch (outcome.status) {
    case "invalid":
      request.log.info({ ...ids, reason: outcome.reason }, "webhook delivery rejected: invalid payload");
      return reply.code(400).send(errorBody(`invalid ${source} webhook delivery: ${outcome.reason}`, "check the webhook's event types; docs/webhooks.md lists the events worklens reads"));
    case "ignored":
      request.log.info({ ...ids, reason: outcome.reason }, "webhook delivery ignored");
      return reply.code(202).send({ status: "ignored", event: outcome.event, reason: outcome.reason });
    case "duplicate":
      request.log.info(ids, "webhook delivery is a duplicate: nothing written");
      return reply.code(200).send({ status: "duplicate", event: outcome.event });
    case "accepted":
      break;
  }

  const { truncated } = outcome;
  if (truncated !== undefined) {
    const push = { repository: truncated.repository, before: truncated.before, after: truncated.after, listed: truncated.listed, total: truncated.total };
    if ((source === "github" || source === "gitlab") && integrations !== undefined) {
      request.log.info({ ...ids, ...push }, "webhook push is truncated: the missing commits are fetched by a push-completion job");
      const vendor = source;
      integrations
        .requestPushCompletion({ vendor, repository: truncated.repository, projectId: truncated.projectId, before: truncated.before, after: truncated.after, branch: truncated.branch, total: truncated.total })
        .catch((error: unknown) => {
          request.log.error({ ...ids, err: error }, "push completion could not be queued: the missing commits stay missing");
        });
    } else {
      request.log.warn({ ...ids, ...push }, "webhook push is truncated and no jobs run in this server: commits not listed in the payload are not stored");
    }
  }
  if (integrations !== undefined) requestRefresh(request, integrations);
  if (deliveryId === undefined) request.log.info(ids, "webhook delivery has no delivery id, so a repeat cannot be recognised as a duplicate");
  const stored: Record<string, unknown> = { ...ids, counts: outcome.counts, skipped: outcome.skipped.length };
  request.log.info(stored, "webhook delivery stored");

  return reply.code(202).send({
    status: "accepted",
    event: outcome.event,
    ...outcome.counts,
    skipped: outcome.skipped,
    ...(outcome.warnings.length === 0 ? {} : { warnings: outcome.warnings }),
    truncated,
  });
}
