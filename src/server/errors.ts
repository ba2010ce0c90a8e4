import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { WorklensError, type ErrorCode } from "../domain/errors.js";

/** HTTP status of each failure code. A new code fails to compile until it is mapped here. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INTERNAL: 500,
  USAGE: 400,
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  STORE: 503,
  TARGET_MISSED: 500,
  CONFLICT: 409,
  UNAVAILABLE: 503,
};

/** Body of every error response: `hint` is the next step for the client, and neither field echoes submitted values. */
export interface ErrorBody {
  error: string;
  hint?: string;
}

/**
 * Describe validation issues by path and rule only, as "tls.cert: invalid_type
 * (expected string)". zod v4 leaves the input out of its messages unless asked,
 * so a submitted value never reaches the client.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
      return `${path}: ${issue.code} (${issue.message})`;
    })
    .join("; ");
}

/**
 * The one error handler of the app: a WorklensError maps through HTTP_STATUS, a
 * Fastify client error keeps its status with a fixed message, anything else is a
 * 500 that is logged and never shown.
 */
export function handleError(error: FastifyError | WorklensError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof WorklensError) {
    const status = HTTP_STATUS[error.code];
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ statusCode: status, code: error.code }, "request rejected");
    void reply.code(status).send(errorBody(status >= 500 ? "internal error" : error.message, error.hint));
    return;
  }

  const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, "request failed with an unexpected error");
    void reply.code(500).send(errorBody("internal error", "the server log has the details"));
    return;
  }
  if (error instanceof RateLimitError) {
    request.log.info({ statusCode: 429 }, "request rejected: rate limit exceeded");
    void reply.code(429).send(errorBody(error.message, "wait for the number of seconds in the Retry-After header, then send again"));
    return;
  }
  const code = "code" in error && typeof error.code === "string" ? error.code : "";
  // The code only: Fastify's messages may quote the body that failed to parse.
  request.log.info({ statusCode: status, code }, "request rejected");
  void reply.code(status).send(clientErrorBody(status, code, request));
}

/** Messages for Fastify's own client errors, which would otherwise quote parser output. */
function clientErrorBody(status: number, code: string, request: FastifyRequest): ErrorBody {
  if (status === 413) {
    const limit = request.routeOptions.bodyLimit;
    if (request.routeOptions.config.access === "webhook") {
      return errorBody(`request body is larger than the limit of ${limit} bytes`, "raise bodyLimitBytes (WORKLENS_BODY_LIMIT_BYTES) above the size of the vendor's largest delivery");
    }
    return errorBody(`request body is larger than the limit of ${limit} bytes`, "send fewer heartbeats per request, or raise bodyLimitBytes (WORKLENS_BODY_LIMIT_BYTES)");
  }
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415) {
    return errorBody("unsupported content type", "send the body as application/json");
  }
  if (code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
    return errorBody("request body is empty", "send a JSON body");
  }
  if (status === 400) {
    return errorBody("request body is not valid JSON", "send the body as JSON, as WakaTime plugins do");
  }
  if (status === 404) return errorBody("not found");
  if (status === 405) return errorBody("method not allowed");
  return errorBody(`request failed with status ${status}`);
}

/** Thrown by the rate limiter's response builder; @fastify/rate-limit sets Retry-After before it is thrown. */
export class RateLimitError extends Error {
  readonly statusCode = 429;
}

export function errorBody(message: string, hint?: string): ErrorBody {
  return hint === undefined ? { error: message } : { error: message, hint };
}
