import { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import { formatJiraInstant, MS_PER_MINUTE, parseOffsetInstant } from "../../domain/time.js";
import { describeIssues } from "../../ingest/jira/schemas.js";
import type { WorklogEntry } from "../../store/worklog-repository.js";
import type { HttpClient } from "../http/client.js";
import { apiVersion, type JiraFlavor } from "./flavor.js";

/** Key of the worklog entity property that marks a worklog as written by worklens. */
export const MARKER_PROPERTY = "worklens";

/** Comment sent when the person wrote none. */
export const DEFAULT_COMMENT = "Logged with worklens";

/** Requested page size. The loop follows what each page reports, so a lower server limit works too. */
const WORKLOG_PAGE_SIZE = 1_000;

/** Upper bound on pages for one issue, so a server that never ends its paging cannot loop forever. */
const MAX_PAGES = 1_000;

const jiraId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

const remoteWorklogSchema = z.looseObject({
  id: jiraId,
  started: z.string(),
  timeSpentSeconds: z.number(),
  author: z.looseObject({ accountId: z.string().optional(), key: z.string().optional(), name: z.string().optional() }).nullish(),
  properties: z.array(z.looseObject({ key: z.string(), value: z.unknown() })).nullish(),
});

const worklogPageSchema = z.looseObject({ total: z.number().optional(), worklogs: z.array(z.unknown()) });
const createdSchema = z.looseObject({ id: jiraId });

/** A worklog stored on the issue in Jira, reduced to the fields write-back compares. */
export interface RemoteWorklog {
  id: string;
  /** Epoch milliseconds, or undefined when `started` has no offset. */
  startedAt: number | undefined;
  seconds: number;
  /** The `worklogId` of the worklens marker property, if the worklog carries one. */
  markerId: string | undefined;
  /** accountId (Cloud), key and name (Data Center) of the author. */
  authorIds: string[];
}

/** Fetches every worklog of an issue with its properties, paging to the end. Entries in another shape are left out. */
export async function listRemoteWorklogs(client: HttpClient, flavor: JiraFlavor, issueKey: string): Promise<RemoteWorklog[]> {
  const path = worklogPath(flavor, issueKey);
  const found: RemoteWorklog[] = [];
  let startAt = 0;
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const json = await client.requestJson("GET", path, { query: { startAt, maxResults: WORKLOG_PAGE_SIZE, expand: "properties" } });
    const parsed = worklogPageSchema.safeParse(json);
    if (!parsed.success) {
      throw new WorklensError("INVALID_INPUT", `GET ${path} returned an unexpected body: ${describeIssues(parsed.error)}`, "check that the URL points at Jira and that the flavor matches the server");
    }
    const { worklogs, total } = parsed.data;
    for (const item of worklogs) {
      const remote = toRemote(item);
      if (remote !== undefined) found.push(remote);
    }
    startAt += worklogs.length;
    if (worklogs.length === 0 || total === undefined || startAt >= total) return found;
  }
  throw new WorklensError("INVALID_INPUT", `GET ${path} did not end its paging after ${MAX_PAGES} pages`, "check the server; the next write-back run tries again");
}

function toRemote(item: unknown): RemoteWorklog | undefined {
  const parsed = remoteWorklogSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const { id, started, timeSpentSeconds, author, properties } = parsed.data;
  const marker = properties?.find((p) => p.key === MARKER_PROPERTY)?.value;
  const markerId = typeof marker === "object" && marker !== null && "worklogId" in marker && typeof marker.worklogId === "string" ? marker.worklogId : undefined;
  const authorIds = [author?.accountId, author?.key, author?.name].filter((value): value is string => value !== undefined && value !== "");
  return { id, startedAt: parseOffsetInstant(started)?.instant, seconds: timeSpentSeconds, markerId, authorIds };
}

/** The Jira user a worklog is for, so that their own worklog wins when several match. */
export interface JiraUserRef {
  accountId?: string | undefined;
  personName?: string | undefined;
}

/** Rule by which an existing Jira worklog was recognized as ours. */
export type MatchKind = "marker" | "started-and-seconds";

/**
 * Finds the Jira worklog that already contains `entry`. A worklog carrying our marker with
 * the entry's source id wins. Otherwise a worklog with the same start minute and the
 * same seconds counts, whoever logged it, unless it carries another marker or another
 * stored worklog already adopted it (`claimed`). Minutes are compared because people
 * log by the minute in Jira's own forms.
 */
export function findExisting(
  entry: WorklogEntry,
  remote: readonly RemoteWorklog[],
  claimed: ReadonlySet<string>,
  user: JiraUserRef,
): { id: string; kind: MatchKind } | undefined {
  const marked = remote.find((r) => r.markerId === entry.sourceId);
  if (marked !== undefined) return { id: marked.id, kind: "marker" };

  const minute = Math.floor(entry.startedAt / MS_PER_MINUTE);
  const candidates = remote.filter(
    (r) => r.markerId === undefined && !claimed.has(r.id) && r.seconds === entry.seconds && r.startedAt !== undefined && Math.floor(r.startedAt / MS_PER_MINUTE) === minute,
  );
  const own = new Set([user.accountId, user.personName].filter((id): id is string => id !== undefined && id !== ""));
  const match = candidates.find((r) => r.authorIds.some((id) => own.has(id))) ?? candidates[0];
  return match === undefined ? undefined : { id: match.id, kind: "started-and-seconds" };
}

/** Builds the body of the worklog POST: `started` in the worklog's own zone, the comment and our marker property. */
export function worklogBody(entry: WorklogEntry, flavor: JiraFlavor): Record<string, unknown> {
  const text = entry.comment?.trim() ?? "";
  const comment = text === "" ? DEFAULT_COMMENT : text;
  return {
    started: formatJiraInstant(entry.startedAt, entry.tz),
    timeSpentSeconds: entry.seconds,
    // REST API v3 takes rich text only as an Atlassian Document Format tree, and v2 takes plain text.
    comment: flavor === "cloud" ? adfDocument(comment) : comment,
    properties: [{ key: MARKER_PROPERTY, value: { worklogId: entry.sourceId } }],
  };
}

/** Builds an ADF document with one paragraph per non-empty line, because ADF text nodes must not be empty. */
function adfDocument(text: string): unknown {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  return {
    type: "doc",
    version: 1,
    content: lines.map((line) => ({ type: "paragraph", content: [{ type: "text", text: line }] })),
  };
}

/** Posts the worklog with notifyUsers=false and adjustEstimate=auto. Returns Jira's worklog id, or undefined when the response has none. */
export async function postWorklog(client: HttpClient, flavor: JiraFlavor, entry: WorklogEntry): Promise<string | undefined> {
  const path = worklogPath(flavor, entry.issueKey);
  const json = await client.requestJson("POST", path, { query: { notifyUsers: "false", adjustEstimate: "auto" }, body: worklogBody(entry, flavor) });
  const parsed = createdSchema.safeParse(json);
  return parsed.success ? parsed.data.id : undefined;
}

function worklogPath(flavor: JiraFlavor, issueKey: string): string {
  return `/rest/api/${apiVersion(flavor)}/issue/${encodeURIComponent(issueKey)}/worklog`;
}
