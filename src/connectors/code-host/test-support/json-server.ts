import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as a mock received it, for tests that check which URLs were called. */
export interface RecordedRequest {
  method: string;
  /** The path as sent, with percent-encoding kept (GitLab project paths arrive as %2F). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** A reply a mock sends: status, JSON body and headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface JsonServer {
  /** http://127.0.0.1:PORT, without a trailing slash. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a JSON server on 127.0.0.1 at a free port that records each request and sends what `route` returns. */
export async function startJsonServer(route: (request: RecordedRequest, origin: string) => Reply): Promise<JsonServer> {
  const requests: RecordedRequest[] = [];
  let origin = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const request: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(request);
    // The bodies of GET requests are empty, and reading them to the end lets the connection be reused.
    req.resume();
    req.on("end", () => {
      send(res, route(request, origin));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: origin, requests, close: () => closeServer(server) };
}

/** One page of a list, as offset paging with `page` (from 1) and `per_page` cuts it. */
export interface PageSlice<T> {
  items: T[];
  page: number;
  perPage: number;
  totalPages: number;
}

/** Cuts a page out of `items`. `per_page` is capped at `maxPerPage`, as the services cap it at 100. */
export function pageOf<T>(items: readonly T[], query: URLSearchParams, defaultPerPage: number, maxPerPage: number): PageSlice<T> {
  const perPage = Math.max(1, Math.min(Number(query.get("per_page") ?? defaultPerPage), maxPerPage));
  const page = Math.max(1, Number(query.get("page") ?? 1));
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  return { items: items.slice((page - 1) * perPage, page * perPage), page, perPage, totalPages };
}

/** Builds a Link header (RFC 8288) with next, prev, first and last URLs of the same request. */
export function linkHeader(origin: string, request: RecordedRequest, slice: PageSlice<unknown>): string {
  const at = (page: number): string => {
    const query = new URLSearchParams(request.query);
    query.set("page", String(page));
    return `<${origin}${request.path}?${query.toString()}>`;
  };
  const links: string[] = [];
  if (slice.page < slice.totalPages) links.push(`${at(slice.page + 1)}; rel="next"`, `${at(slice.totalPages)}; rel="last"`);
  if (slice.page > 1) links.push(`${at(1)}; rel="first"`, `${at(slice.page - 1)}; rel="prev"`);
  return links.join(", ");
}

/** Formats an instant as the services do: UTC, `Z`, whole seconds unless `millis`. */
export function utc(iso: string, millis = false): string {
  const text = new Date(Date.parse(iso)).toISOString();
  return millis ? text : text.replace(/\.\d{3}Z$/, "Z");
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { "Content-Type": "application/json; charset=utf-8", ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}
