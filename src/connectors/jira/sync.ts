import { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import type { ParseResult } from "../../ingest/parse-result.js";
import { parseJira } from "../../ingest/jira/parse.js";
import type { JiraRecord } from "../../ingest/jira/records.js";
import { writeJiraRecords } from "../../ingest/jira/write-records.js";
import type { Checkpoint } from "../../store/checkpoint-repository.js";
import type { Store } from "../../store/store.js";
import type { HttpClient } from "../http/client.js";
import { completeIssue, type CompletedIssue } from "./complete-issue.js";
import { apiVersion, type JiraFlavor } from "./flavor.js";
import { scopeJql, searchJql } from "./jql.js";
import { searchPages, type SearchPage } from "./search.js";
import { addPage, emptyReport, type JiraSyncReport } from "./sync-report.js";

export type { JiraSyncReport } from "./sync-report.js";

export interface JiraSyncOptions {
  flavor: JiraFlavor;
  /** The Jira base URL, which names the checkpoint together with the scope. */
  baseUrl: string;
  projects?: readonly string[];
  /** An extra JQL clause, joined to the project filter with AND. */
  jql?: string | undefined;
  /** How far before the checkpoint the search starts again, in milliseconds, to catch updates that landed while the last page was read. */
  overlapMs?: number;
  now?: () => number;
  /** Called after each page is written, with the page number and its issue count, for progress and logs. */
  onPage?: (page: { number: number; issues: number }) => void;
}

/** Search passes in one sync when issues keep changing during paging; the next sync continues from the kept checkpoint. */
const MAX_PASSES = 3;

/** Default overlap: 5 minutes, several times the minute resolution of JQL dates. */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;

const myselfSchema = z.looseObject({ timeZone: z.string().optional() });

/** What writing one page needs, and the high-water mark it moves. */
interface SyncState {
  store: Store;
  client: HttpClient;
  flavor: JiraFlavor;
  integration: string;
  resource: string;
  now: () => number;
  /** The stored checkpoint, in epoch milliseconds. */
  mark: number | undefined;
  /** Issue id to the `updated` text it was read with in this run. */
  seen: Map<string, string>;
  /** Set when this pass read an issue that changed since an earlier page; the checkpoint then stays. */
  reordered: boolean;
  report: JiraSyncReport;
}

/**
 * Pulls the issues of a scope that changed since the last sync into the store. Each
 * search page is completed (changelog and worklog pages), parsed by the file
 * importer's parser and written with its writer, so a sync and a file import of the
 * same issues dedupe. The page's highest `updated` is stored as the checkpoint in the
 * transaction that writes the page. So an interrupted sync resumes after the last
 * written page, and a re-run adds nothing. Throws on the first request that fails
 * after its retries; pages written before it stay written.
 */
export async function syncJira(store: Store, client: HttpClient, options: JiraSyncOptions): Promise<JiraSyncReport> {
  const integration = integrationName(options.baseUrl);
  const scope = scopeJql(options.projects ?? [], options.jql);
  const resource = `search ${scope}`;

  const zone = await accountZone(client, options.flavor);
  const mark = readMark(await store.checkpoints.get(integration, resource));
  const overlap = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const jqlFrom = (from: number | undefined) => searchJql(scope, from === undefined ? undefined : from - overlap, zone);
  const jql = jqlFrom(mark);

  const state: SyncState = {
    store,
    client,
    flavor: options.flavor,
    integration,
    resource,
    now: options.now ?? Date.now,
    mark,
    seen: new Map(),
    reordered: false,
    report: emptyReport(integration.slice("jira ".length), jql),
  };
  try {
    // An issue updated while the search is paged moves behind the pages already read,
    // and the issues after it shift forward, so a page token may step over one. A pass
    // that reads a moved issue keeps the checkpoint where it was and searches again.
    for (let pass = 1; ; pass++) {
      state.reordered = false;
      let moved = false;
      for await (const page of searchPages(client, options.flavor, pass === 1 ? jql : jqlFrom(state.mark))) {
        moved = (await writePage(state, page)) || moved;
        options.onPage?.({ number: page.number, issues: page.issues.length });
      }
      if (!moved || pass >= MAX_PASSES) break;
    }
  } catch (error) {
    throw afterPages(error, state.report.pages);
  }
  return state.report;
}

/** Builds the integration half of the checkpoint key: the base URL without credentials, query or trailing slash. */
export function integrationName(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `jira ${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** Writes one search page and returns whether it held an issue that moved since an earlier page. */
async function writePage(state: SyncState, page: SearchPage): Promise<boolean> {
  const fresh: unknown[] = [];
  for (const issue of page.issues) {
    const seen = seenBefore(issue, state.seen);
    if (seen === "moved") state.reordered = true;
    if (seen !== "same") fresh.push(issue);
  }
  const completed: CompletedIssue[] = [];
  for (const issue of fresh) completed.push(await completeIssue(state.client, state.flavor, issue));
  const parsed = parsePage(page, completed);

  const pageMark = highWaterMark(parsed.records);
  const advance = !state.reordered && pageMark !== undefined && (state.mark === undefined || pageMark > state.mark) ? pageMark : undefined;
  const written = await state.store.transaction(async (tx) => {
    const result = await writeJiraRecords(tx, parsed.records);
    if (advance !== undefined) await tx.checkpoints.set(state.integration, state.resource, new Date(advance).toISOString(), state.now());
    return result;
  });

  if (advance !== undefined) state.mark = advance;
  addPage(state.report, parsed, written);
  return state.reordered;
}

/** Adds to a failure how many pages were written before it, because those stay stored and a re-run resumes after them. */
function afterPages(error: unknown, pages: number): unknown {
  if (!(error instanceof WorklensError) || pages === 0) return error;
  const written = `${pages} earlier page${pages === 1 ? " was" : "s were"} written`;
  return new WorklensError(error.code, `${error.message} (${written})`, `${error.hint ?? "fix the cause"}; the next sync resumes after the last written page`, { cause: error });
}

/** Reads a stored checkpoint. An unreadable value counts as none, so the sync starts over and dedupes. */
function readMark(checkpoint: Checkpoint | undefined): number | undefined {
  if (checkpoint === undefined) return undefined;
  const at = Date.parse(checkpoint.value);
  return Number.isNaN(at) ? undefined : at;
}

/** Fetches the time zone of the syncing account's profile, in which Jira reads JQL dates. */
async function accountZone(client: HttpClient, flavor: JiraFlavor): Promise<string> {
  const json = await client.requestJson("GET", `/rest/api/${apiVersion(flavor)}/myself`);
  const parsed = myselfSchema.safeParse(json);
  // NOTE: without a profile zone, Jira reads JQL dates in the server's default zone, which the API does not return, so UTC is a guess.
  return parsed.success && parsed.data.timeZone !== undefined ? parsed.data.timeZone : "UTC";
}

/**
 * Classifies an issue against those read earlier in this run: "new", "same" (read
 * with this `updated` already, so skipped), or "moved" (read before with another
 * `updated`: it changed while the search was paged).
 */
function seenBefore(issue: unknown, seen: Map<string, string>): "new" | "same" | "moved" {
  if (typeof issue !== "object" || issue === null) return "new";
  const { id, fields } = issue as { id?: unknown; fields?: { updated?: unknown } };
  if (typeof id !== "string" && typeof id !== "number") return "new";
  const updated = typeof fields?.updated === "string" ? fields.updated : "";
  const key = String(id);
  const earlier = seen.get(key);
  if (earlier === updated) return "same";
  seen.set(key, updated);
  return earlier === undefined ? "new" : "moved";
}

function parsePage(page: SearchPage, completed: readonly CompletedIssue[]): ParseResult<JiraRecord> {
  const label = `Jira search page ${page.number}`;
  // Paging fields are left out: the connector pages itself, so the parser's "export the next page" warnings do not apply.
  const document = { issues: completed.map((c) => c.issue), ...(page.names === undefined ? {} : { names: page.names }) };
  const results = [parseJira(JSON.stringify(document), { file: label })];

  for (const { key, histories, worklogs } of completed) {
    if (key === undefined) continue;
    if (histories !== undefined) results.push(parseJira(JSON.stringify({ values: histories }), { file: `${label} ${key} changelog`, issueKey: key }));
    if (worklogs !== undefined) results.push(parseJira(JSON.stringify({ worklogs }), { file: `${label} ${key} worklogs`, issueKey: key }));
  }
  return {
    records: results.flatMap((r) => r.records),
    skipped: results.flatMap((r) => r.skipped),
    warnings: results.flatMap((r) => r.warnings),
  };
}

/** Returns the latest `updated` (else `created`) of the page's issues, in epoch milliseconds. */
function highWaterMark(records: readonly JiraRecord[]): number | undefined {
  let mark: number | undefined;
  for (const record of records) {
    if (record.kind !== "issue") continue;
    const at = record.issue.updatedAt ?? record.issue.createdAt;
    if (mark === undefined || at > mark) mark = at;
  }
  return mark;
}
