import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorBody } from "./errors.js";

/**
 * Returns the folder of the built web UI: dist/web beside the compiled server (dist/server), or,
 * when the server runs from source in tests, the dist/web that `npm run build` wrote.
 */
export function defaultWebRoot(): string {
  const besideServer = fileURLToPath(new URL("../web/", import.meta.url));
  if (existsSync(besideServer)) return besideServer;
  return fileURLToPath(new URL("../../dist/web/", import.meta.url));
}

/**
 * Content-Security-Policy of the UI's pages: scripts, styles, images and requests only
 * from the server itself, so nothing is fetched from a CDN. Inline style attributes
 * are allowed because the chart library positions its tooltips with them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

function pageHeaders(reply: FastifyReply): void {
  void reply
    .header("content-security-policy", CONTENT_SECURITY_POLICY)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY");
}

/** True for a browser navigation to a page of the UI, which gets index.html so client-side routes load. */
export function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (request.url.startsWith("/api/") || request.url === "/api") return false;
  return (request.headers.accept ?? "").includes("text/html");
}

/**
 * Serves the built single-page UI: hashed assets under /assets with a long cache life,
 * and index.html for the root and for every page path the client-side router owns
 * (the caller's not-found handler calls `sendIndex`). All of it is public: the page
 * asks for a session itself, and the API behind it checks every request.
 */
export async function registerWebUi(app: FastifyInstance, webRoot: string): Promise<{ sendIndex: (reply: FastifyReply) => FastifyReply }> {
  const built = existsSync(`${webRoot}/index.html`);
  const notBuilt = errorBody("the web UI is not built", "run `npm run build`, which writes it to dist/web, then start the server again");
  await app.register(fastifyStatic, { root: webRoot, serve: false, index: false });

  const sendIndex = (reply: FastifyReply): FastifyReply => {
    if (!built) return reply.code(503).send(notBuilt);
    pageHeaders(reply);
    return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").sendFile("index.html", { cacheControl: false });
  };

  app.get("/", { config: { access: "public" } }, (_request, reply) => sendIndex(reply));
  app.get<{ Params: { "*": string } }>("/assets/*", { config: { access: "public" } }, (request, reply) => {
    if (!built) return reply.code(503).send(notBuilt);
    pageHeaders(reply);
    // File names carry a content hash, so a browser may keep them for a year.
    return reply.sendFile(`assets/${request.params["*"]}`, { maxAge: 31_536_000_000, immutable: true });
  });
  return { sendIndex };
}
