import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { errorBody, handleError } from "../../errors.js";
import { AccessDeniedError, API_PREFIX } from "./common.js";

/** Name of each part of a request in validation messages, as a client calls it. */
const PART_NAMES: Readonly<Record<string, string>> = { querystring: "query", params: "params", body: "body", headers: "headers" };

/**
 * Describe zod validation issues by path and rule only, as
 * "query.from: invalid_format (Invalid ISO date)". zod 4 leaves the input out of its
 * messages unless configured to, but its message for unknown keys quotes their names, which the
 * client chose, so that one is replaced.
 */
export function formatValidationIssues(part: string, issues: readonly FastifySchemaValidationError[]): string {
  const prefix = PART_NAMES[part] ?? part;
  return issues
    .map((issue) => {
      const path = issue.instancePath.split("/").filter((segment) => segment !== "");
      const where = [prefix, ...path].join(".");
      const message = issue.keyword === "unrecognized_keys" ? "remove the fields this route does not take" : issue.message;
      return `${where}: ${issue.keyword} (${message ?? "invalid"})`;
    })
    .join("; ");
}

/**
 * Error handler of the API plugin: request validation failures become 400 with the
 * path and rule of each issue, AccessDeniedError becomes 403, and everything else
 * goes to the app's handler.
 */
export function handleApiError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (isZodValidationError(error) && error.validation !== undefined) {
    const part = error.validationContext ?? "request";
    const message = formatValidationIssues(part, error.validation);
    request.log.info({ statusCode: 400, code: "FST_ERR_VALIDATION", part }, "request rejected: invalid request");
    void reply.code(400).send(errorBody(`invalid request: ${message}`, `docs/api.md and GET ${API_PREFIX}/openapi.json list the parameters and body of each route`));
    return;
  }
  if (error instanceof AccessDeniedError) {
    request.log.info({ statusCode: 403 }, "request rejected: access denied");
    void reply.code(403).send(errorBody(error.message, error.hint));
    return;
  }
  if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    request.log.info({ statusCode: 400, code: error.code }, "request rejected");
    void reply.code(400).send(errorBody("request body is not valid JSON", "send the body as JSON with Content-Type: application/json; docs/api.md shows each route's body"));
    return;
  }
  handleError(error, request, reply);
}

/** Check whether fastify-type-provider-zod's validator raised the error. It returns a plain boolean, so `error` keeps Fastify's own type. */
function isZodValidationError(error: FastifyError): boolean {
  return hasZodFastifySchemaValidationErrors(error);
}
