import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DateTime } from "luxon";

/** One issue the mock serves, with its full changelog and worklogs. */
export interface MockIssue {
  id: string;
  key: string;
  /** Jira's `updated`, such as 2025-03-02T09:00:00.000+0100. */
  updated: string;
  histories?: unknown[];
  worklogs?: unknown[];
  /** Fields served over the mock's own, such as a recorded issue's summary and type. `updated` and `worklog` stay the mock's. */
  fields?: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
}

/** A reply that replaces the normal one, to inject rate limits and failures. */
export interface Override {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface MockJiraOptions {
  issues: MockIssue[];
  /** The Authorization header the server accepts; any other gets a 401. */
  authorization: string;
  /** The account's profile zone, in which the server reads JQL dates. */
  timeZone?: string;
  /** Search page size the server caps maxResults at, as Jira does. */
  pageSize?: number;
  /** Histories embedded per issue in a search response (Jira Cloud embeds the newest ones). */
  embeddedHistories?: number;
  /** Worklogs embedded per issue in fields.worklog (Jira embeds at most 20). */
  embeddedWorklogs?: number;
  /** Changelog and worklog endpoint page size. */
  subPageSize?: number;
  /** The nextPageToken of each /search/jql page but the last, in place of the mock's own tokens, to replay recorded tokens. */
  pageTokens?: readonly string[];
  /** Paging fields of the last /search/jql page in place of `isLast: true`, for the other ways Jira marks the end. */
  lastPageFields?: { isLast?: boolean; nextPageToken?: string | null };
  /** Called before each request is served; a returned override is sent instead. */
  intercept?: (request: RecordedRequest, count: number) => Override | undefined;
  /**
   * Called after a worklog POST is stored. True closes the socket without a response,
   * as when a response is lost on the way back. The client then sees a network error.
   */
  loseWorklogResponse?: (request: RecordedRequest) => boolean;
}

export interface MockJira {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const reporter = { accountId: "acc-1", displayName: "Dev One", emailAddress: "dev.one@example.com", timeZone: "Europe/Berlin" };

/**
 * Starts a Jira mock on 127.0.0.1 at a free port. It serves /myself, the changelog and
 * worklog pages of each issue, and Data Center's /rest/api/2/search (startAt and total).
 * It also serves Cloud's /rest/api/3/search/jql, which pages by nextPageToken, ignores
 * startAt and returns only ids unless `fields` is requested, as the real endpoint does.
 * It reads JQL bounds `updated >= "yyyy-MM-dd HH:mm"` in the account's zone and sorts by updated.
 * A worklog POST is validated and stored on the issue, so later pages and searches contain
 * it, and the mock returns 201. Worklog pages carry `properties` only with `expand=properties`.
 */
export async function startMockJira(options: MockJiraOptions): Promise<MockJira> {
  const requests: RecordedRequest[] = [];
  const worklogIds = { next: 90_001 };
  const server = createServer((req, res) => {
    void handle(req, res, options, requests, worklogIds);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: MockJiraOptions, requests: RecordedRequest[], worklogIds: { next: number }): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const text = await readBody(req);
  const request: RecordedRequest = {
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>),
    authorization: req.headers.authorization,
  };
  requests.push(request);

  const override = options.intercept?.(request, requests.length);
  const route = routeOf(request);
  if (override !== undefined) send(res, override.status, override.body ?? { errorMessages: ["injected"] }, override.headers);
  else if (request.authorization !== options.authorization) send(res, 401, { errorMessages: ["You are not authenticated."] });
  else if (isWorklogPost(request)) postWorklog(request, res, options, worklogIds);
  else if (route === undefined) send(res, 404, { errorMessages: ["not found"] });
  else send(res, 200, route(options));
}

type Route = (options: MockJiraOptions) => unknown;

function routeOf(request: RecordedRequest): Route | undefined {
  const { method, path } = request;
  if (method === "GET" && /^\/rest\/api\/[23]\/myself$/.test(path)) return (o) => ({ accountId: "acc-sync", timeZone: o.timeZone ?? "UTC" });
  if (method === "POST" && path === "/rest/api/3/search/jql") return (o) => cloudSearch(request, o);
  if (method === "POST" && path === "/rest/api/2/search") return (o) => dataCenterSearch(request, o);
  const sub = /^\/rest\/api\/([23])\/issue\/([^/]+)\/(changelog|worklog)$/.exec(path);
  if (method === "GET" && sub !== null) {
    const key = decodeURIComponent(sub[2] ?? "");
    return (o) => (sub[3] === "changelog" ? changelogPage(request, o, key) : worklogPage(request, o, key));
  }
  return undefined;
}

function cloudSearch(request: RecordedRequest, options: MockJiraOptions): unknown {
  const body = request.body ?? {};
  const matching = search(options, String(body["jql"]));
  const size = Math.min(Number(body["maxResults"] ?? 50), options.pageSize ?? 50);
  const offset = tokenOffset(body["nextPageToken"], size, options);
  const slice = matching.slice(offset, offset + size);
  const end = offset + slice.length;
  const withFields = Array.isArray(body["fields"]) && body["fields"].length > 0;
  const issues = slice.map((issue) => (withFields ? issueJson(issue, options) : { id: issue.id, key: issue.key }));
  if (end < matching.length) return { issues, nextPageToken: pageToken(end, size, options), isLast: false };
  return { issues, ...(options.lastPageFields ?? { isLast: true }) };
}

/** Returns the token that leads to the page starting at `offset`. A token from `pageTokens` leads to its position times the page size. */
function pageToken(offset: number, size: number, options: MockJiraOptions): string {
  return options.pageTokens?.[offset / size - 1] ?? Buffer.from(String(offset)).toString("base64url");
}

/** Returns the offset a nextPageToken leads to. Without a token the first page is served, whatever the startAt value. */
function tokenOffset(token: unknown, size: number, options: MockJiraOptions): number {
  if (typeof token !== "string") return 0;
  const index = options.pageTokens?.indexOf(token) ?? -1;
  return index >= 0 ? (index + 1) * size : Number(Buffer.from(token, "base64url").toString());
}

function dataCenterSearch(request: RecordedRequest, options: MockJiraOptions): unknown {
  const body = request.body ?? {};
  const matching = search(options, String(body["jql"]));
  const startAt = Number(body["startAt"] ?? 0);
  const size = Math.min(Number(body["maxResults"] ?? 50), options.pageSize ?? 50);
  const issues = matching.slice(startAt, startAt + size).map((issue) => issueJson(issue, options));
  return { startAt, maxResults: size, total: matching.length, issues };
}

function search(options: MockJiraOptions, jql: string): MockIssue[] {
  const bound = /updated >= "(\d{4}-\d{2}-\d{2} \d{2}:\d{2})"/.exec(jql);
  const since = bound?.[1] === undefined ? undefined : DateTime.fromFormat(bound[1], "yyyy-MM-dd HH:mm", { zone: options.timeZone ?? "UTC" }).toMillis();
  const projects = /project in \(([^)]*)\)/.exec(jql)?.[1]?.split(",").map((p) => p.trim().replace(/"/g, ""));
  return options.issues
    .filter((issue) => since === undefined || updatedAt(issue) >= since)
    .filter((issue) => projects === undefined || projects.includes(issue.key.split("-")[0] ?? ""))
    .sort((a, b) => updatedAt(a) - updatedAt(b));
}

function updatedAt(issue: MockIssue): number {
  return DateTime.fromISO(issue.updated).toMillis();
}

function issueJson(issue: MockIssue, options: MockJiraOptions): unknown {
  const histories = issue.histories ?? [];
  const worklogs = issue.worklogs ?? [];
  const embeddedHistories = histories.slice(Math.max(0, histories.length - (options.embeddedHistories ?? histories.length)));
  return {
    id: issue.id,
    key: issue.key,
    fields: {
      summary: `Work on ${issue.key}`,
      created: "2025-03-01T09:00:00.000+0100",
      status: { name: "Open" },
      reporter,
      ...issue.fields,
      updated: issue.updated,
      worklog: { startAt: 0, maxResults: 20, total: worklogs.length, worklogs: worklogs.slice(0, options.embeddedWorklogs ?? worklogs.length).map((w) => withProperties(w, false)) },
    },
    changelog: { startAt: 0, maxResults: embeddedHistories.length, total: histories.length, histories: [...embeddedHistories].reverse() },
  };
}

function changelogPage(request: RecordedRequest, options: MockJiraOptions, key: string): unknown {
  const histories = options.issues.find((issue) => issue.key === key)?.histories ?? [];
  const startAt = Number(request.query.get("startAt") ?? 0);
  const size = Math.min(Number(request.query.get("maxResults") ?? 100), options.subPageSize ?? 100);
  const values = histories.slice(startAt, startAt + size);
  return { startAt, maxResults: size, total: histories.length, isLast: startAt + values.length >= histories.length, values };
}

function worklogPage(request: RecordedRequest, options: MockJiraOptions, key: string): unknown {
  const worklogs = options.issues.find((issue) => issue.key === key)?.worklogs ?? [];
  const startAt = Number(request.query.get("startAt") ?? 0);
  const size = Math.min(Number(request.query.get("maxResults") ?? 100), options.subPageSize ?? 100);
  const expand = (request.query.get("expand") ?? "").split(",").includes("properties");
  return { startAt, maxResults: size, total: worklogs.length, worklogs: worklogs.slice(startAt, startAt + size).map((w) => withProperties(w, expand)) };
}

/** Returns a stored worklog with `properties` (an empty list when it has none) or without the field, as `expand=properties` requests. */
function withProperties(worklog: unknown, expand: boolean): unknown {
  if (typeof worklog !== "object" || worklog === null) return worklog;
  const { properties, ...rest } = worklog as Record<string, unknown>;
  return expand ? { ...rest, properties: properties ?? [] } : rest;
}

const WORKLOG_PATH = /^\/rest\/api\/([23])\/issue\/([^/]+)\/worklog$/;

function isWorklogPost(request: RecordedRequest): boolean {
  return request.method === "POST" && WORKLOG_PATH.test(request.path);
}

/** The account that the mock's credentials belong to: the author of every posted worklog. */
const syncAccount = { accountId: "acc-sync", name: "sync", key: "sync", displayName: "Sync Account" };

/** Jira's worklog `started` pattern, yyyy-MM-dd'T'HH:mm:ss.SSSZ. */
const STARTED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;
const STARTED_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSZZZ";

/**
 * Validates and stores a posted worklog, then responds with 201 or loses the response. The
 * stored `started` is rewritten in the account's zone, so a listing shows the same
 * instant in other text and a client must compare instants.
 */
function postWorklog(request: RecordedRequest, res: ServerResponse, options: MockJiraOptions, worklogIds: { next: number }): void {
  const match = WORKLOG_PATH.exec(request.path);
  const version = match?.[1] ?? "3";
  const key = decodeURIComponent(match?.[2] ?? "");
  const issue = options.issues.find((i) => i.key === key);
  if (issue === undefined) {
    send(res, 404, { errorMessages: ["Issue does not exist or you do not have permission to see it."], errors: {} });
    return;
  }

  const body = request.body ?? {};
  const errors = worklogErrors(body, version);
  if (Object.keys(errors).length > 0) {
    send(res, 400, { errorMessages: [], errors });
    return;
  }

  const zone = options.timeZone ?? "UTC";
  const started = DateTime.fromFormat(String(body["started"]), STARTED_FORMAT, { setZone: true }).setZone(zone).toFormat(STARTED_FORMAT);
  const now = DateTime.now().setZone(zone).toFormat(STARTED_FORMAT);
  const id = String(worklogIds.next);
  worklogIds.next += 1;
  const stored = {
    id,
    issueId: issue.id,
    author: syncAccount,
    updateAuthor: syncAccount,
    comment: body["comment"],
    started,
    timeSpentSeconds: body["timeSpentSeconds"],
    created: now,
    updated: now,
    properties: body["properties"] ?? [],
  };
  issue.worklogs = [...(issue.worklogs ?? []), stored];

  if (options.loseWorklogResponse?.(request) === true) {
    res.socket?.destroy();
    return;
  }
  const expand = (request.query.get("expand") ?? "").split(",").includes("properties");
  send(res, 201, withProperties(stored, expand));
}

/** Field errors of a worklog body in Jira's `errors` shape: v3 takes an ADF comment, v2 a string. */
function worklogErrors(body: Record<string, unknown>, version: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const started = body["started"];
  if (typeof started !== "string" || !STARTED.test(started) || !DateTime.fromFormat(started, STARTED_FORMAT, { setZone: true }).isValid) {
    errors["started"] = "Invalid start date: use the format yyyy-MM-dd'T'HH:mm:ss.SSSZ.";
  }
  const seconds = body["timeSpentSeconds"];
  if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 60) errors["timeLogged"] = "You must indicate the time spent working.";

  const comment = body["comment"];
  const isDocument = typeof comment === "object" && comment !== null && (comment as Record<string, unknown>)["type"] === "doc";
  if (comment !== undefined && version === "3" && !isDocument) errors["comment"] = "Operation value must be an Atlassian Document.";
  if (comment !== undefined && version === "2" && typeof comment !== "string") errors["comment"] = "Comment must be a string.";

  const properties = body["properties"];
  const isPropertyList = Array.isArray(properties) && properties.every((p) => typeof p === "object" && p !== null && typeof (p as Record<string, unknown>)["key"] === "string");
  if (properties !== undefined && !isPropertyList) errors["properties"] = "Properties must be a list of objects with a key and a value.";
  return errors;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
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

/** Builds a history entry in Jira's shape, with one status change. */
export function history(id: number, created: string, from: string, to: string): unknown {
  return { id: String(id), created, author: reporter, items: [{ field: "status", fieldtype: "jira", fieldId: "status", fromString: from, toString: to }] };
}

/** Builds a worklog in Jira's shape. */
export function worklog(id: number, issueId: string, started: string, seconds: number): unknown {
  return { id: String(id), issueId, author: reporter, started, timeSpentSeconds: seconds };
}
