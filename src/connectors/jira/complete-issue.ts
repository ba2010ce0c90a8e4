import { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import { describeIssues, isRecord } from "../../ingest/jira/schemas.js";
import type { HttpClient } from "../http/client.js";
import { apiVersion, type JiraFlavor } from "./flavor.js";

/** An issue of a search page with the histories and worklogs the page left out. */
export interface CompletedIssue {
  /** The issue object; a truncated embedded changelog or worklog list is removed, because `histories` or `worklogs` has all of it. */
  issue: unknown;
  key: string | undefined;
  /** Every history of the issue, when the embedded changelog was truncated. */
  histories: unknown[] | undefined;
  /** Every worklog of the issue, when the embedded list was truncated. */
  worklogs: unknown[] | undefined;
}

/** Page sizes requested. Jira may return fewer, and the loops follow what each page reports, so any server limit works. */
const CHANGELOG_PAGE_SIZE = 100;
const WORKLOG_PAGE_SIZE = 5_000;

/** Upper bound on pages for one issue, so a server that never ends its paging cannot loop forever. */
const MAX_PAGES = 1_000;

const gapSchema = z.looseObject({
  key: z.string().optional(),
  changelog: z.looseObject({ histories: z.array(z.unknown()), total: z.number().optional() }).nullish(),
  fields: z.looseObject({ worklog: z.looseObject({ worklogs: z.array(z.unknown()), total: z.number().optional() }).nullish() }).nullish(),
});

const changelogPageSchema = z.looseObject({ values: z.array(z.unknown()), isLast: z.boolean().optional(), total: z.number().optional() });
const worklogPageSchema = z.looseObject({ worklogs: z.array(z.unknown()), total: z.number().optional() });

/**
 * Fetches what a search page left out of one issue. An embedded changelog contains only
 * the newest histories when changelog.total exceeds its length, so Cloud pages GET
 * /rest/api/3/issue/KEY/changelog to the end. Jira embeds at most 20 worklogs, so GET
 * /rest/api/{2,3}/issue/KEY/worklog is paged when fields.worklog.total exceeds the embedded count.
 */
export async function completeIssue(client: HttpClient, flavor: JiraFlavor, raw: unknown): Promise<CompletedIssue> {
  const parsed = gapSchema.safeParse(raw);
  if (!parsed.success || parsed.data.key === undefined || !isRecord(raw)) return { issue: raw, key: undefined, histories: undefined, worklogs: undefined };

  const { key, changelog, fields } = parsed.data;
  const issue: Record<string, unknown> = { ...raw };
  let histories: unknown[] | undefined;
  let worklogs: unknown[] | undefined;

  // NOTE: no changelog endpoint is requested on Data Center, so a truncated embedded changelog there is left as it is
  // and keeps the parser's warning.
  if (flavor === "cloud" && changelog?.total !== undefined && changelog.total > changelog.histories.length) {
    histories = await fetchHistories(client, key);
    delete issue["changelog"];
  }
  // NOTE: comments beyond the embedded page are not fetched; the parser's warning names the issue.
  const worklog = fields?.worklog;
  if (worklog?.total !== undefined && worklog.total > worklog.worklogs.length && isRecord(raw["fields"])) {
    worklogs = await fetchWorklogs(client, flavor, key);
    const rest: Record<string, unknown> = { ...raw["fields"] };
    delete rest["worklog"];
    issue["fields"] = rest;
  }
  return { issue, key, histories, worklogs };
}

async function fetchHistories(client: HttpClient, key: string): Promise<unknown[]> {
  const path = `/rest/api/3/issue/${encodeURIComponent(key)}/changelog`;
  const values: unknown[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const json = await client.requestJson("GET", path, { query: { startAt: values.length, maxResults: CHANGELOG_PAGE_SIZE } });
    const body = readPage(changelogPageSchema, json, path);
    values.push(...body.values);
    const done = body.isLast ?? (body.total === undefined || values.length >= body.total);
    if (done || body.values.length === 0) return values;
  }
  throw pagingError(path);
}

async function fetchWorklogs(client: HttpClient, flavor: JiraFlavor, key: string): Promise<unknown[]> {
  const path = `/rest/api/${apiVersion(flavor)}/issue/${encodeURIComponent(key)}/worklog`;
  const worklogs: unknown[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const json = await client.requestJson("GET", path, { query: { startAt: worklogs.length, maxResults: WORKLOG_PAGE_SIZE } });
    const body = readPage(worklogPageSchema, json, path);
    worklogs.push(...body.worklogs);
    if (body.worklogs.length === 0 || body.total === undefined || worklogs.length >= body.total) return worklogs;
  }
  throw pagingError(path);
}

function readPage<T>(schema: z.ZodType<T>, json: unknown, path: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new WorklensError("INVALID_INPUT", `GET ${path} returned an unexpected body: ${describeIssues(parsed.error)}`, "check that --url points at Jira and that --cloud or --data-center matches the server");
}

function pagingError(path: string): WorklensError {
  return new WorklensError("INVALID_INPUT", `GET ${path} did not end its paging after ${MAX_PAGES} pages`, "check the server; run the sync again to resume");
}
