import type { FastifyReply, FastifyRequest } from "fastify";
import type { DestinationStream, LoggerOptions } from "pino";

/**
 * pino options for the server. Requests are logged by method, path and id only:
 * no query string (it may carry ?api_key=), no body, no client address. The
 * Authorization header is redacted should anything log the headers.
 */
export function serverLoggerOptions(level: string, stream?: DestinationStream): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    base: null,
    redact: { paths: ["req.headers.authorization", "headers.authorization", "authorization"], censor: "[redacted]" },
    serializers: {
      req: (request: FastifyRequest) => ({ id: request.id, method: request.method, path: pathOnly(request.url) }),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
    },
    ...(stream === undefined ? {} : { stream }),
  };
}

export function pathOnly(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}
